//! `buildx-plan` computes image tags, labels, annotations, the platform build matrix and a bake file from docker/metadata-action inputs.
//!
//! Not built yet: this crate holds the command-line surface and the exit-code contract so
//! the workspace, the actions and the rendered workflows can refer to it. Issue #4
//! builds it.

use clap::Parser;
use shipgate_core::exit::Exit;

/// Command-line arguments of `buildx-plan`.
#[derive(Debug, Parser)]
#[command(name = "buildx-plan", version, about = "shipgate's buildx-plan: computes image tags, labels, annotations, the platform build matrix and a bake file from docker/metadata-action inputs", after_help = Exit::help_table())]
pub struct Cli {
    /// Arguments for the commands this binary will take.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, hide = true)]
    pub args: Vec<String>,
}

/// Why `buildx-plan` could not run.
pub type Error = shipgate_core::exit::NotBuiltYet;

/// Runs `buildx-plan` with parsed arguments.
pub fn run(_cli: Cli) -> Result<Exit, Error> {
    Err(Error {
        binary: "buildx-plan",
    })
}
