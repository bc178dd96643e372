//! `sbom-attach` generates SBOMs (CycloneDX, SPDX) natively from image layers and attaches them as OCI referrers.
//!
//! Not built yet: this crate holds the command-line surface and the exit-code contract so
//! the workspace, the actions and the rendered workflows can refer to it. Issue #5
//! builds it.

pub mod catalog;
pub mod package;

use clap::Parser;
use shipgate_core::exit::Exit;

/// Command-line arguments of `sbom-attach`.
#[derive(Debug, Parser)]
#[command(name = "sbom-attach", version, about = "shipgate's sbom-attach: generates SBOMs (CycloneDX, SPDX) natively from image layers and attaches them as OCI referrers", after_help = Exit::help_table())]
pub struct Cli {
    /// Arguments for the commands this binary will take.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, hide = true)]
    pub args: Vec<String>,
}

/// Why `sbom-attach` could not run.
pub type Error = shipgate_core::exit::NotBuiltYet;

/// Runs `sbom-attach` with parsed arguments.
pub fn run(_cli: Cli) -> Result<Exit, Error> {
    Err(Error {
        binary: "sbom-attach",
    })
}
