//! `sbom-attach` generates SBOMs (CycloneDX 1.5, SPDX 2.3) natively from image layers and
//! attaches them to images as OCI 1.1 referrers.
//!
//! - `generate SOURCE` reads an image from any shipgate source (`registry:`, `oci-dir:`,
//!   `oci-archive:`, `docker-archive:`, `dir:`) once, layer streams only, whiteouts and
//!   opaque folders applied, and runs every cataloger over its final filesystem
//!   ([`scan`]). Package URLs and CPEs are written as syft writes them.
//! - `validate FILE` checks a CycloneDX 1.4–1.7 or SPDX 2.3 JSON document from any tool
//!   ([`validate`]).
//! - `attach IMAGE@DIGEST` pushes an SBOM as a referrer of the image, through the
//!   fallback referrers index on registries without the API, or writes it into the
//!   image's OCI layout (`--to oci-dir:PATH`) so `shipgate push` uploads it with the
//!   image ([`attach`]).
//!
//! Library entry points for the umbrella CLI: [`generate`], [`attach::attach`],
//! [`validate::validate`], and [`run`] for the whole command line.

pub mod attach;
pub mod catalog;
pub mod cpe;
mod error;
pub mod license;
pub mod package;
pub mod purl;
pub mod sbom;
pub mod scan;
pub mod validate;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use shipgate_core::exit::Exit;
use shipgate_core::output::Output;
use shipgate_oci::{Platform, Source};

pub use error::{Error, Result};
pub use sbom::{Format, Sbom};
pub use scan::{Catalog, ScanOptions};

/// Command-line arguments of `sbom-attach`.
#[derive(Debug, Parser)]
#[command(
    name = "sbom-attach",
    version,
    about = "shipgate's sbom-attach: generates SBOMs (CycloneDX, SPDX) natively from image layers and attaches them as OCI referrers",
    after_help = Exit::help_table()
)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Generate an SBOM from an image or a folder.
    #[command(after_help = Exit::help_table())]
    Generate(GenerateArgs),
    /// Check the structure of a CycloneDX (1.4 to 1.7) or SPDX 2.3 JSON SBOM.
    #[command(after_help = Exit::help_table())]
    Validate(ValidateArgs),
    /// Attach an SBOM to an image as an OCI 1.1 referrer.
    #[command(after_help = Exit::help_table())]
    Attach(AttachArgs),
}

/// Options shared by the commands that read images.
#[derive(Debug, Clone, Default, Args)]
pub struct ImageArgs {
    /// The platform to read from a multi-platform image (`linux/amd64`); default: this
    /// machine's.
    #[arg(long, env = "SHIPGATE_PLATFORM", hide_env_values = true)]
    pub platform: Option<String>,
    /// Use plain HTTP for every registry (loopback registries always do).
    #[arg(long, env = "SHIPGATE_INSECURE", hide_env_values = true)]
    pub insecure: bool,
    /// The SBOM's timestamp, in seconds since the Unix epoch (default: now).
    #[arg(long, env = "SOURCE_DATE_EPOCH", hide_env_values = true)]
    pub source_date_epoch: Option<String>,
}

/// `sbom-attach generate`.
#[derive(Debug, Clone, Args)]
pub struct GenerateArgs {
    /// What to read: `registry:REF`, `oci-dir:PATH[:TAG]`, `oci-archive:FILE`,
    /// `docker-archive:FILE`, `dir:PATH`, or a path or reference alone.
    #[arg(env = "SHIPGATE_SOURCE", hide_env_values = true)]
    pub source: String,
    /// The SBOM format.
    #[arg(long, value_enum, default_value_t = Format::CycloneDxJson, env = "SHIPGATE_FORMAT", hide_env_values = true)]
    pub format: Format,
    /// Write the SBOM to this file instead of stdout.
    #[arg(long, short, env = "SHIPGATE_OUTPUT", hide_env_values = true)]
    pub output: Option<PathBuf>,
    /// Image options.
    #[command(flatten)]
    pub image: ImageArgs,
}

/// `sbom-attach validate`.
#[derive(Debug, Clone, Args)]
pub struct ValidateArgs {
    /// The SBOM file (CycloneDX or SPDX JSON).
    pub file: PathBuf,
}

/// `sbom-attach attach`.
#[derive(Debug, Clone, Args)]
#[command(group = clap::ArgGroup::new("content").required(true).args(["sbom", "generate"]))]
pub struct AttachArgs {
    /// The image, by digest: `REGISTRY/NAME@sha256:…` (a tag alone is refused).
    pub image: String,
    /// The SBOM to attach (CycloneDX or SPDX JSON).
    #[arg(long, env = "SHIPGATE_SBOM", hide_env_values = true)]
    pub sbom: Option<PathBuf>,
    /// Generate the SBOM from the image (or from the layout given with --to) and attach it.
    #[arg(long)]
    pub generate: bool,
    /// The format of a generated SBOM.
    #[arg(long, value_enum, default_value_t = Format::CycloneDxJson, env = "SHIPGATE_FORMAT", hide_env_values = true)]
    pub format: Format,
    /// Write the referrer into this OCI layout (`oci-dir:PATH`) instead of the registry.
    #[arg(long, env = "SHIPGATE_TO", hide_env_values = true)]
    pub to: Option<String>,
    /// The largest SBOM attached (bytes, or with k/M/G, e.g. `16MiB`); larger is exit 1.
    #[arg(
        long,
        default_value = "16MiB",
        env = "SHIPGATE_MAX_SIZE",
        hide_env_values = true
    )]
    pub max_size: String,
    /// Image options.
    #[command(flatten)]
    pub image_options: ImageArgs,
}

/// How [`generate`] reads a source.
#[derive(Debug, Clone, Default)]
pub struct GenerateOptions {
    /// Registry access and the platform to read.
    pub scan: ScanOptions,
    /// The SBOM's timestamp (seconds since the epoch); `None` means now.
    pub timestamp: Option<i64>,
}

/// Generates the SBOM of `source` (any shipgate source syntax).
pub fn generate(source: &str, options: &GenerateOptions) -> Result<Sbom> {
    let parsed = Source::parse(source)?;
    let catalog = scan::scan(&parsed, &options.scan)?;
    Ok(Sbom {
        catalog,
        timestamp: options.timestamp.unwrap_or_else(now),
    })
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

impl ImageArgs {
    fn timestamp(&self) -> Result<Option<i64>> {
        match self.source_date_epoch.as_deref().map(str::trim) {
            None | Some("") => Ok(None),
            Some(text) => text.parse::<i64>().map(Some).map_err(|_| Error::Usage {
                name: "SOURCE_DATE_EPOCH".to_owned(),
                value: text.to_owned(),
                message: "not a whole number of seconds".to_owned(),
                hint: "set it to seconds since the Unix epoch, e.g. `git log -1 --format=%ct`"
                    .to_owned(),
            }),
        }
    }

    fn scan_options(&self) -> Result<ScanOptions> {
        let platform = match &self.platform {
            Some(text) if !text.trim().is_empty() => Some(Platform::parse(text.trim())?),
            _ => None,
        };
        Ok(ScanOptions {
            platform,
            insecure: self.insecure,
            credentials: None,
        })
    }
}

/// Runs `sbom-attach` with parsed arguments.
pub fn run(cli: Cli) -> Result<Exit> {
    let output = Output::from_env();
    match cli.command {
        Command::Generate(args) => run_generate(&args, &output),
        Command::Validate(args) => run_validate(&args, &output),
        Command::Attach(args) => run_attach(&args, &output),
    }
}

fn summary(sbom: &Sbom) -> String {
    let catalog = &sbom.catalog;
    let mut counts: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for package in &catalog.packages {
        *counts.entry(sbom::kind_name(package.kind)).or_default() += 1;
    }
    let kinds: Vec<String> = counts.iter().map(|(k, n)| format!("{k}: {n}")).collect();
    let distro = catalog
        .distro
        .as_ref()
        .map(|d| {
            format!(
                ", {} {}",
                d.id,
                d.version_id.as_deref().unwrap_or("(no version)")
            )
        })
        .unwrap_or_default();
    format!(
        "{}: {} package(s){}{}{}",
        catalog.subject.source,
        catalog.packages.len(),
        if kinds.is_empty() {
            String::new()
        } else {
            format!(" ({})", kinds.join(", "))
        },
        distro,
        if sbom.is_incomplete() {
            format!("; incomplete: {} problem(s)", catalog.issues.len())
        } else {
            String::new()
        }
    )
}

fn report_issues(sbom: &Sbom, output: &Output) {
    for issue in &sbom.catalog.issues {
        output.human(&format!(
            "warning: {} ({}): {}",
            issue.path, issue.cataloger, issue.message
        ));
    }
}

fn write_output(path: &std::path::Path, bytes: &[u8]) -> Result<()> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs_err::create_dir_all(parent).map_err(|source| Error::Write {
            path: parent.to_path_buf(),
            source,
        })?;
    }
    fs_err::write(path, bytes).map_err(|source| Error::Write {
        path: path.to_path_buf(),
        source,
    })
}

fn run_generate(args: &GenerateArgs, output: &Output) -> Result<Exit> {
    let options = GenerateOptions {
        scan: args.image.scan_options()?,
        timestamp: args.image.timestamp()?,
    };
    let sbom = generate(&args.source, &options)?;
    let bytes = sbom.render(args.format);
    report_issues(&sbom, output);
    match &args.output {
        Some(path) => {
            write_output(path, &bytes)?;
            output.human(&format!("{} → {}", summary(&sbom), path.display()));
        }
        None => {
            output.stdout(&String::from_utf8_lossy(&bytes));
            output.human(&summary(&sbom));
        }
    }
    Ok(Exit::Pass)
}

fn read_input(path: &std::path::Path) -> Result<Vec<u8>> {
    fs_err::read(path).map_err(|source| Error::ReadInput {
        path: path.to_path_buf(),
        source,
    })
}

fn run_validate(args: &ValidateArgs, output: &Output) -> Result<Exit> {
    let bytes = read_input(&args.file)?;
    let file = args.file.display().to_string();
    let report = validate::validate(&bytes, &file)?;
    output.human(&format!(
        "{file}: valid {} {} SBOM, {} {}",
        report.format,
        report.version,
        report.packages,
        if report.format == "SPDX" {
            "package(s)"
        } else {
            "component(s)"
        }
    ));
    Ok(Exit::Pass)
}

fn run_attach(args: &AttachArgs, output: &Output) -> Result<Exit> {
    let image = attach::parse_subject(&args.image)?;
    let max_size = attach::parse_size(&args.max_size).ok_or_else(|| Error::Usage {
        name: "--max-size".to_owned(),
        value: args.max_size.clone(),
        message: "not a size".to_owned(),
        hint: "write bytes, or a number with k, M or G (powers of 1024), e.g. `16MiB`".to_owned(),
    })?;
    let destination = match args.to.as_deref() {
        None => attach::Destination::Registry,
        Some(to) => match to.strip_prefix("oci-dir:") {
            Some(path) if !path.is_empty() => attach::Destination::Layout(PathBuf::from(path)),
            _ => {
                return Err(Error::Usage {
                    name: "--to".to_owned(),
                    value: to.to_owned(),
                    message: "not an OCI layout destination".to_owned(),
                    hint: "write `--to oci-dir:PATH`, or leave --to out to push to the image's registry".to_owned(),
                });
            }
        },
    };
    let scan = args.image_options.scan_options()?;
    let timestamp = args.image_options.timestamp()?.unwrap_or_else(now);
    let (bytes, file) = match &args.sbom {
        Some(path) => (read_input(path)?, path.display().to_string()),
        None => {
            let source = match &destination {
                attach::Destination::Layout(path) => format!("oci-dir:{}", path.display()),
                attach::Destination::Registry => format!("registry:{image}"),
            };
            let sbom = generate(
                &source,
                &GenerateOptions {
                    scan: scan.clone(),
                    timestamp: Some(timestamp),
                },
            )?;
            let wanted = image.digest().map(ToString::to_string);
            let subject = &sbom.catalog.subject;
            if wanted.is_some() && wanted != subject.digest && wanted != subject.index_digest {
                return Err(Error::SubjectMissing {
                    layout: source,
                    digest: wanted.unwrap_or_default(),
                });
            }
            report_issues(&sbom, output);
            output.human(&summary(&sbom));
            (sbom.render(args.format), "the generated SBOM".to_owned())
        }
    };
    let report = attach::attach(
        &image,
        &bytes,
        &file,
        &attach::AttachOptions {
            destination,
            max_size,
            timestamp,
            scan,
        },
    )?;
    output.human(&format!(
        "attached {} ({} bytes) to {} as {}{}",
        report.artifact_type,
        report.size,
        report.subject,
        report.referrer,
        match (report.destination.as_str(), report.indexed_by_registry) {
            ("registry", true) => " (indexed by the registry)".to_owned(),
            ("registry", false) => " (listed in the fallback referrers index)".to_owned(),
            (layout, _) => format!(" in {layout}"),
        }
    ));
    output.set_output("referrer", &report.referrer)?;
    Ok(Exit::Pass)
}
