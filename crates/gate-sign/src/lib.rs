//! `gate-sign` signs images by digest (cosign-compatible signatures, Sigstore bundles, attestations) and verifies them.
//!
//! Not built yet: this crate holds the command-line surface and the exit-code contract so
//! the workspace, the actions and the rendered workflows can refer to it. Issue #7
//! builds it.

use clap::Parser;
use shipgate_core::exit::Exit;

/// Command-line arguments of `gate-sign`.
#[derive(Debug, Parser)]
#[command(name = "gate-sign", version, about = "shipgate's gate-sign: signs images by digest (cosign-compatible signatures, Sigstore bundles, attestations) and verifies them", after_help = Exit::help_table())]
pub struct Cli {
    /// Arguments for the commands this binary will take.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, hide = true)]
    pub args: Vec<String>,
}

/// Why `gate-sign` could not run.
pub type Error = shipgate_core::exit::NotBuiltYet;

/// Runs `gate-sign` with parsed arguments.
pub fn run(_cli: Cli) -> Result<Exit, Error> {
    Err(Error {
        binary: "gate-sign",
    })
}
