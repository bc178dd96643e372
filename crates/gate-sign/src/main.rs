//! The `gate-sign` binary: see the library for what it does.

use clap::Parser;

fn main() -> std::process::ExitCode {
    shipgate_core::exit::finish(gate_sign::run(gate_sign::Cli::parse()))
}
