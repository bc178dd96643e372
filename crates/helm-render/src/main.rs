//! The `helm-render` binary: see the library for what it does.

use clap::Parser;

fn main() -> std::process::ExitCode {
    shipgate_core::exit::finish(helm_render::run(helm_render::Cli::parse()))
}
