//! The `shipgate` umbrella CLI (being written).

use clap::Parser;
use shipgate_core::exit::{Exit, ExitStatus};

/// Command-line arguments of `shipgate`.
#[derive(Debug, Parser)]
#[command(name = "shipgate", version)]
pub struct Cli {}

/// Why a `shipgate` command could not run.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum Error {}

impl ExitStatus for Error {
    fn exit(&self) -> Exit {
        Exit::BadInput
    }
}

/// Runs a parsed `shipgate` command line.
pub fn run(_cli: Cli) -> Result<Exit, Error> {
    Ok(Exit::Pass)
}
