//! The `shipgate` command: see the library for what it does.

use clap::Parser;

fn main() -> std::process::ExitCode {
    shipgate_core::exit::finish(shipgate::run(shipgate::Cli::parse()))
}
