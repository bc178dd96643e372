//! `shipgate sbom`: sbom-attach's `generate` (and `attach`) with the spec's `sbom` settings.

use std::ffi::OsString;

use clap::Parser;
use shipgate_core::Exit;
use shipgate_spec::SbomAttach;

use crate::{Error, SbomArgs};

pub(crate) fn run(args: &SbomArgs) -> Result<Exit, Error> {
    let loaded = shipgate_spec::load(&args.spec.spec)?;
    let section = loaded.spec.sbom.clone().unwrap_or_default();
    let format = args.sbom_format.unwrap_or(match section.format {
        shipgate_spec::SbomFormat::CyclonedxJson => sbom_attach::Format::CycloneDxJson,
        shipgate_spec::SbomFormat::SpdxJson => sbom_attach::Format::SpdxJson,
    });
    let format_name = match format {
        sbom_attach::Format::CycloneDxJson => "cyclonedx-json",
        sbom_attach::Format::SpdxJson => "spdx-json",
    };

    if args.attach.is_some() && section.attach != SbomAttach::Referrer {
        return Err(Error::Usage {
            message: format!(
                "--attach is given but the spec's `sbom.attach` is `{}`",
                match section.attach {
                    SbomAttach::Attestation => "attestation",
                    _ => "none",
                }
            ),
            hint: Some("set `sbom.attach: referrer` in the spec, or leave --attach out".to_owned()),
        });
    }
    let mut generate: Vec<OsString> = vec!["sbom-attach".into(), "generate".into()];
    generate.extend(["--format".into(), format_name.into()]);
    if let Some(output) = &args.output {
        generate.extend(["--output".into(), output.clone().into_os_string()]);
    }
    generate.extend(common_flags(args));
    generate.push(args.source.clone().into());
    let exit = run_sbom_attach(generate)?;
    if exit != Exit::Pass {
        return Ok(exit);
    }

    let (Some(image), Some(output)) = (&args.attach, &args.output) else {
        return Ok(exit);
    };
    let mut attach: Vec<OsString> = vec!["sbom-attach".into(), "attach".into()];
    attach.extend(["--sbom".into(), output.clone().into_os_string()]);
    attach.extend(["--format".into(), format_name.into()]);
    if let Some(to) = &args.to {
        attach.extend(["--to".into(), to.into()]);
    }
    attach.extend(common_flags(args));
    attach.push(image.into());
    run_sbom_attach(attach)
}

/// The flags `generate` and `attach` share.
fn common_flags(args: &SbomArgs) -> Vec<OsString> {
    let mut flags = Vec::new();
    if let Some(platform) = &args.platform {
        flags.extend(["--platform".into(), platform.into()]);
    }
    if args.insecure {
        flags.push("--insecure".into());
    }
    flags
}

/// Runs one sbom-attach command line built above.
fn run_sbom_attach(argv: Vec<OsString>) -> Result<Exit, Error> {
    let cli = sbom_attach::Cli::try_parse_from(argv).map_err(|error| Error::Usage {
        message: error.to_string(),
        hint: None,
    })?;
    Ok(sbom_attach::run(cli)?)
}
