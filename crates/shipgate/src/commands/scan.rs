//! `shipgate scan`: gate-scan with the spec's `scan` section as its policy.

use std::path::{Path, PathBuf};

use gate_scan::{FailOn, GateArgs, ScanInputs};
use shipgate_core::Exit;
use shipgate_core::output::Output;
use shipgate_spec::Scan;

use crate::{Error, ScanArgs};

pub(crate) fn run(args: &ScanArgs) -> Result<Exit, Error> {
    let loaded = shipgate_spec::load(&args.spec.spec)?;
    let base = loaded.base_dir.clone();
    let scan = loaded.spec.scan.clone().unwrap_or_default();
    let gate = gate_args(&args.gate, loaded.spec.scan.as_ref(), &base);
    let dockerfile =
        (scan.misconfig && !args.no_misconfig).then(|| base.join(&loaded.spec.image.dockerfile));
    // An SBOM generated from the image lives as long as the scan.
    let generated = match &args.image {
        Some(source) => Some(generate_sbom(source)?),
        None => None,
    };
    let sbom = args
        .sbom
        .clone()
        .or_else(|| generated.as_ref().map(|file| file.path().to_owned()));
    if args.osv.is_some() && sbom.is_none() {
        return Err(Error::Usage {
            message: "--osv needs an SBOM to match".to_owned(),
            hint: Some("give --sbom FILE, or --image SOURCE to generate it".to_owned()),
        });
    }
    let inputs = ScanInputs {
        reports: args.reports.clone(),
        sbom: sbom.zip(args.osv.clone()),
        dockerfile,
        manifests: args.manifests.clone(),
        ..ScanInputs::default()
    };
    let output = Output::from_env().with_dotenv(gate.dotenv.clone());
    Ok(gate_scan::scan_inputs(&inputs, &gate, &output)?)
}

/// The CycloneDX SBOM of `source`, in a temporary file.
fn generate_sbom(source: &str) -> Result<tempfile::NamedTempFile, Error> {
    let sbom = sbom_attach::generate(source, &sbom_attach::GenerateOptions::default())?;
    let mut file = tempfile::Builder::new()
        .prefix("shipgate-sbom-")
        .suffix(".cdx.json")
        .tempfile()
        .map_err(Error::io("cannot create a temporary file for the SBOM"))?;
    std::io::Write::write_all(&mut file, &sbom.render(sbom_attach::Format::CycloneDxJson))
        .map_err(Error::io("cannot write the SBOM to a temporary file"))?;
    Ok(file)
}

/// The flags, completed by the spec: a flag given wins; the spec's `ignore` file is the
/// policy file when no `--policy` is given, and its VEX documents come after the flags'.
fn gate_args(flags: &GateArgs, scan: Option<&Scan>, base: &Path) -> GateArgs {
    let mut gate = flags.clone();
    let Some(scan) = scan else {
        return gate;
    };
    if gate.fail_on.is_none() {
        gate.fail_on = FailOn::parse(spec_severity(scan));
    }
    gate.only_fixed |= scan.only_fixed;
    if gate.policy.is_none() {
        gate.policy = scan.ignore.as_deref().map(|file| base.join(file));
    }
    gate.vex.extend(
        scan.vex
            .iter()
            .map(|file| base.join(file))
            .collect::<Vec<PathBuf>>(),
    );
    gate
}

/// The spec's `fail-on` as the policy spells it.
fn spec_severity(scan: &Scan) -> &'static str {
    match scan.fail_on {
        shipgate_spec::Severity::None => "none",
        shipgate_spec::Severity::Low => "low",
        shipgate_spec::Severity::Medium => "medium",
        shipgate_spec::Severity::High => "high",
        shipgate_spec::Severity::Critical => "critical",
    }
}
