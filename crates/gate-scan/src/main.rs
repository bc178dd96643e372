//! The `gate-scan` binary: see the library for what it does.

use clap::Parser;

fn main() -> std::process::ExitCode {
    shipgate_core::exit::finish(gate_scan::run(gate_scan::Cli::parse()))
}
