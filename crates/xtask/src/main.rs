//! `cargo xtask`: code generation for the workspace (being written).

fn main() {}
