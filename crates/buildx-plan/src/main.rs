//! The `buildx-plan` binary: see the library for what it does.

use clap::Parser;

fn main() -> std::process::ExitCode {
    shipgate_core::exit::finish(buildx_plan::run(buildx_plan::Cli::parse()))
}
