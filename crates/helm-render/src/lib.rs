//! `helm-render` renders digest-pinned, hardened Helm charts and manifests and the admission policies that enforce signatures.
//!
//! Not built yet: this crate holds the command-line surface and the exit-code contract so
//! the workspace, the actions and the rendered workflows can refer to it. Issue #8
//! builds it.

use clap::Parser;
use shipgate_core::exit::Exit;

/// Command-line arguments of `helm-render`.
#[derive(Debug, Parser)]
#[command(name = "helm-render", version, about = "shipgate's helm-render: renders digest-pinned, hardened Helm charts and manifests and the admission policies that enforce signatures", after_help = Exit::help_table())]
pub struct Cli {
    /// Arguments for the commands this binary will take.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, hide = true)]
    pub args: Vec<String>,
}

/// Why `helm-render` could not run.
pub type Error = shipgate_core::exit::NotBuiltYet;

/// Runs `helm-render` with parsed arguments.
pub fn run(_cli: Cli) -> Result<Exit, Error> {
    Err(Error {
        binary: "helm-render",
    })
}
