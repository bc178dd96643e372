//! `sbom-attach` generates SBOMs (CycloneDX, SPDX) natively from image layers and attaches them as OCI referrers.
//!
//! Not built yet: this crate holds the command-line surface and the exit-code contract so
//! the workspace, the actions and the rendered workflows can refer to it. Issue #5
//! builds it.

use clap::Parser;
use shipgate_core::exit::{Exit, ExitStatus};

/// Command-line arguments of `sbom-attach`.
#[derive(Debug, Parser)]
#[command(name = "sbom-attach", version, about = "shipgate's sbom-attach: generates SBOMs (CycloneDX, SPDX) natively from image layers and attaches them as OCI referrers", after_help = Exit::help_table())]
pub struct Cli {
    /// Arguments for the commands this binary will take.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, hide = true)]
    pub args: Vec<String>,
}

/// Why `sbom-attach` could not run.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum Error {
    /// The binary exists but its commands are not built yet.
    #[error("sbom-attach is not implemented yet")]
    #[diagnostic(code("not-implemented"), help("this release ships sbom-attach's interface only"))]
    NotImplemented,
}

impl ExitStatus for Error {
    fn exit(&self) -> Exit {
        Exit::Environment
    }
}

/// Runs `sbom-attach` with parsed arguments.
pub fn run(_cli: Cli) -> Result<Exit, Error> {
    Err(Error::NotImplemented)
}
