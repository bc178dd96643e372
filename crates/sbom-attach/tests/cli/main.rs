//! The `sbom-attach` binary on images built in the test: `--help`, generate (whiteouts,
//! links, a package removed in a later layer, byte-identical output), validate, attach
//! into a layout, and the diagnostics users read.

#![allow(clippy::unwrap_used)]

#[path = "../common/mod.rs"]
mod common;

mod diagnostics;
mod generate;
mod help;
mod rpm;
