//! `gate-sign` signs images by digest (cosign-compatible signatures, Sigstore bundles,
//! attestations) and verifies them.
//!
//! Built so far (key-based, ECDSA P-256 / SHA-256, cosign's default):
//! - the formats: the simple-signing payload ([`simple_signing`]), the legacy `.sig`
//!   manifest ([`legacy`]), DSSE with PAE ([`dsse`]), in-toto Statement v1 ([`intoto`]) and
//!   the Sigstore bundle v0.3 ([`bundle`]);
//! - `sign`, `attest` and `verify` of an image held in an OCI layout (`oci-dir:PATH`),
//!   signatures stored as bundle referrers that `shipgate push` uploads ([`store`]).
//!
//! Library entry points: [`store::sign_payload`], [`store::verify_payload`],
//! [`store::attest`], [`store::verify_bundle`], [`store::sign_layout`],
//! [`store::attest_layout`], [`store::verify_layout`], and [`run`] for the command line.

pub mod bundle;
pub mod dsse;
mod error;
pub mod intoto;
pub mod keys;
pub mod legacy;
pub mod simple_signing;
pub mod store;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use shipgate_core::exit::Exit;
use shipgate_core::output::Output;
use shipgate_oci::Source;

pub use error::{Error, Result};
pub use keys::{KeyRef, PrivateKey, PublicKey};

/// Command-line arguments of `gate-sign`.
#[derive(Debug, Parser)]
#[command(
    name = "gate-sign",
    version,
    about = "shipgate's gate-sign: signs images by digest (cosign-compatible signatures, Sigstore bundles, attestations) and verifies them",
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
    /// Sign an image held in an OCI layout (before `shipgate push`).
    #[command(after_help = Exit::help_table())]
    Sign(SignArgs),
    /// Attest an image held in an OCI layout: an in-toto statement signed in a bundle.
    #[command(after_help = Exit::help_table())]
    Attest(AttestArgs),
    /// Verify the signature (and required attestations) of an image in an OCI layout.
    #[command(after_help = Exit::help_table())]
    Verify(VerifyArgs),
}

/// Options of the commands that sign.
#[derive(Debug, Clone, Args)]
pub struct SigningArgs {
    /// The private key: a PKCS#8 PEM file, or `env://VAR` for the PEM in a variable.
    #[arg(long, env = "SHIPGATE_SIGN_KEY", hide_env_values = true)]
    pub key: String,
    /// Sign only the index, not each platform manifest in it.
    #[arg(long, env = "SHIPGATE_NO_RECURSIVE", hide_env_values = true)]
    pub no_recursive: bool,
    /// The `created` time, in seconds since the Unix epoch (default: now).
    #[arg(long, env = "SOURCE_DATE_EPOCH", hide_env_values = true)]
    pub source_date_epoch: Option<String>,
}

/// `gate-sign sign`.
#[derive(Debug, Clone, Args)]
pub struct SignArgs {
    /// The image: `oci-dir:PATH[:TAG]` (registry signing is not built yet).
    #[arg(env = "SHIPGATE_SOURCE", hide_env_values = true)]
    pub source: String,
    /// Key and signing options.
    #[command(flatten)]
    pub signing: SigningArgs,
}

/// `gate-sign attest`.
#[derive(Debug, Clone, Args)]
pub struct AttestArgs {
    /// The image: `oci-dir:PATH[:TAG]`.
    #[arg(env = "SHIPGATE_SOURCE", hide_env_values = true)]
    pub source: String,
    /// The predicate (a JSON file).
    #[arg(long, env = "SHIPGATE_PREDICATE", hide_env_values = true)]
    pub predicate: PathBuf,
    /// The predicate type: a cosign name (`cyclonedx`, `slsaprovenance1`, `vuln`, …) or a URI.
    #[arg(long = "type", env = "SHIPGATE_PREDICATE_TYPE", hide_env_values = true)]
    pub predicate_type: String,
    /// Key and signing options.
    #[command(flatten)]
    pub signing: SigningArgs,
}

/// `gate-sign verify`.
#[derive(Debug, Clone, Args)]
pub struct VerifyArgs {
    /// The image: `oci-dir:PATH[:TAG]` or `oci-archive:FILE`.
    #[arg(env = "SHIPGATE_SOURCE", hide_env_values = true)]
    pub source: String,
    /// The public key: a PEM file (`cosign.pub`), or `env://VAR`.
    #[arg(long, env = "SHIPGATE_VERIFY_KEY", hide_env_values = true)]
    pub key: String,
    /// A predicate type (cosign name or URI) that must have a verified attestation; repeatable.
    #[arg(long = "require-attestation", value_name = "TYPE")]
    pub require_attestation: Vec<String>,
    /// `json` lists on stdout what verified and why the rest did not.
    #[arg(long, value_enum, default_value_t = ReportFormat::Human, env = "SHIPGATE_FORMAT", hide_env_values = true)]
    pub format: ReportFormat,
}

/// How `verify` reports.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    /// Lines for people on stderr, the verified digest on stdout.
    #[default]
    Human,
    /// One JSON document on stdout.
    Json,
}

/// Runs `gate-sign` with parsed arguments.
pub fn run(cli: Cli) -> Result<Exit> {
    let output = Output::from_env();
    match cli.command {
        Command::Sign(args) => run_sign(&args, &output),
        Command::Attest(args) => run_attest(&args, &output),
        Command::Verify(args) => run_verify(&args, &output),
    }
}

/// A layout (folder or archive) and tag from a source text.
fn layout_source(text: &str, archive_ok: bool) -> Result<(PathBuf, Option<String>)> {
    match Source::parse(text)? {
        Source::OciDir { path, tag } => Ok((path, tag)),
        Source::OciArchive(path) if archive_ok => Ok((path, None)),
        Source::Registry(image) => Err(Error::Usage {
            message: format!("{image}: signing and verifying in a registry is not built yet"),
            hint: "sign the OCI layout before `shipgate push` (`oci-dir:PATH`); push uploads the signature".to_owned(),
        }),
        _ => Err(Error::Usage {
            message: format!("{text}: gate-sign reads OCI layouts only"),
            hint: "give `oci-dir:PATH[:TAG]`".to_owned(),
        }),
    }
}

impl SigningArgs {
    fn options(&self) -> Result<store::SignOptions> {
        let created = match self.source_date_epoch.as_deref().map(str::trim) {
            None | Some("") => now(),
            Some(text) => text.parse::<i64>().map_err(|_| Error::Usage {
                message: format!("SOURCE_DATE_EPOCH `{text}` is not a whole number of seconds"),
                hint: "set it to seconds since the Unix epoch, e.g. `git log -1 --format=%ct`"
                    .to_owned(),
            })?,
        };
        Ok(store::SignOptions {
            recursive: !self.no_recursive,
            created,
        })
    }
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

fn report_signed(signed: &[store::Signed], output: &Output) {
    for entry in signed {
        output.stdout(&format!("{}\n", entry.subject));
        output.human(&format!(
            "signed {} ({}) → bundle referrer {}",
            entry.subject, entry.predicate_type, entry.referrer
        ));
    }
}

fn run_sign(args: &SignArgs, output: &Output) -> Result<Exit> {
    let (path, tag) = layout_source(&args.source, false)?;
    let options = args.signing.options()?;
    let key = PrivateKey::load(&KeyRef::parse(&args.signing.key))?;
    let signed = store::sign_layout(&path, tag.as_deref(), &key, &options)?;
    report_signed(&signed, output);
    Ok(Exit::Pass)
}

fn predicate_type(name: &str) -> Result<String> {
    intoto::predicate_type_for(name)
        .map(str::to_owned)
        .ok_or_else(|| Error::Usage {
            message: format!("unknown predicate type `{name}`"),
            hint: "use cyclonedx, spdx, spdxjson, slsaprovenance, slsaprovenance1, vuln, openvex, custom, or a URI".to_owned(),
        })
}

fn run_attest(args: &AttestArgs, output: &Output) -> Result<Exit> {
    let (path, tag) = layout_source(&args.source, false)?;
    let options = args.signing.options()?;
    let predicate_type = predicate_type(&args.predicate_type)?;
    let data = fs_err::read(&args.predicate).map_err(|source| Error::ReadInput {
        path: args.predicate.clone(),
        source,
    })?;
    let predicate: serde_json::Value = error::parse_json(
        &data,
        "JSON predicate",
        &args.predicate.display().to_string(),
    )?;
    let key = PrivateKey::load(&KeyRef::parse(&args.signing.key))?;
    let signed = store::attest_layout(
        &path,
        tag.as_deref(),
        &key,
        &predicate_type,
        &predicate,
        &options,
    )?;
    report_signed(&signed, output);
    Ok(Exit::Pass)
}

fn run_verify(args: &VerifyArgs, output: &Output) -> Result<Exit> {
    let (path, tag) = layout_source(&args.source, true)?;
    let required: Vec<String> = args
        .require_attestation
        .iter()
        .map(|t| predicate_type(t))
        .collect::<Result<_>>()?;
    let key = PublicKey::load(&KeyRef::parse(&args.key))?;
    let verification = store::verify_layout(&path, tag.as_deref(), &key)?;
    let verified = verification.verified_types();
    let missing: Vec<&String> = required.iter().filter(|t| !verified.contains(t)).collect();
    match args.format {
        ReportFormat::Json => output.json(&verify_json(&verification, &required)),
        ReportFormat::Human => {
            for checked in &verification.bundles {
                let kind = checked
                    .predicate_type
                    .as_deref()
                    .unwrap_or("(no predicate type)");
                match &checked.outcome {
                    Ok(()) => {
                        output.human(&format!("verified {kind} (bundle {})", checked.referrer));
                    }
                    Err(reason) => output.human(&format!(
                        "not verified: {kind} (bundle {}): {reason}",
                        checked.referrer
                    )),
                }
            }
        }
    }
    if !verification.signed() {
        let reason = if verification.bundles.is_empty() {
            format!("no signature bundle refers to {}", verification.subject)
        } else {
            format!(
                "none of the {} bundle(s) referring to {} is a signature that verifies with the key",
                verification.bundles.len(),
                verification.subject
            )
        };
        return Err(Error::Verify {
            check: "signature",
            reason,
        });
    }
    if let Some(wanted) = missing.first() {
        return Err(Error::Verify {
            check: "attestation",
            reason: format!("no verified attestation of type {wanted}"),
        });
    }
    if args.format == ReportFormat::Human {
        output.stdout(&format!("{}\n", verification.subject));
    }
    output.human(&format!("{}: signature verified", verification.subject));
    Ok(Exit::Pass)
}

/// The JSON report of `verify --format json`.
fn verify_json(verification: &store::Verification, required: &[String]) -> serde_json::Value {
    let verified = verification.verified_types();
    let bundles: Vec<serde_json::Value> = verification
        .bundles
        .iter()
        .map(|checked| {
            serde_json::json!({
                "referrer": checked.referrer.to_string(),
                "predicateType": checked.predicate_type,
                "verified": checked.outcome.is_ok(),
                "reason": checked.outcome.as_ref().err(),
            })
        })
        .collect();
    let attestations: Vec<serde_json::Value> = required
        .iter()
        .map(|t| serde_json::json!({"predicateType": t, "verified": verified.contains(t)}))
        .collect();
    serde_json::json!({
        "subject": verification.subject.to_string(),
        "verified": verification.signed() && required.iter().all(|t| verified.contains(t)),
        "signature": verification.signed(),
        "requiredAttestations": attestations,
        "bundles": bundles,
    })
}
