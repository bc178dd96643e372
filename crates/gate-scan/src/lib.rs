//! `gate-scan` gates an image on vulnerability and configuration findings from any scanner's report or offline OSV data.
//!
//! Not built yet: this crate holds the command-line surface and the exit-code contract so
//! the workspace, the actions and the rendered workflows can refer to it. Issue #6
//! builds it.

pub mod cvss;
pub mod finding;
pub mod osv;
pub mod policy;
pub mod readers;
pub mod verdict;
pub mod version;

use clap::Parser;
use shipgate_core::exit::Exit;

/// Command-line arguments of `gate-scan`.
#[derive(Debug, Parser)]
#[command(name = "gate-scan", version, about = "shipgate's gate-scan: gates an image on vulnerability and configuration findings from any scanner's report or offline OSV data", after_help = Exit::help_table())]
pub struct Cli {
    /// Arguments for the commands this binary will take.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, hide = true)]
    pub args: Vec<String>,
}

/// Why `gate-scan` could not run.
pub type Error = shipgate_core::exit::NotBuiltYet;

/// Runs `gate-scan` with parsed arguments.
pub fn run(_cli: Cli) -> Result<Exit, Error> {
    Err(Error {
        binary: "gate-scan",
    })
}
