//! The `sbom-attach` binary: see the library for what it does.

use clap::Parser;

fn main() -> std::process::ExitCode {
    shipgate_core::exit::finish(sbom_attach::run(sbom_attach::Cli::parse()))
}
