//! Every environment variable the `shipgate` CLI reads, in one place (each flag also reads
//! `SHIPGATE_<FLAG>`; GitHub Actions map their inputs onto these).

/// `--spec`: the spec file.
pub const SPEC: &str = "SHIPGATE_SPEC";
/// `--dir`: the repository root.
pub const DIR: &str = "SHIPGATE_DIR";
/// `--force`: overwrite existing files.
pub const FORCE: &str = "SHIPGATE_FORCE";
/// `--format`: human or json.
pub const FORMAT: &str = "SHIPGATE_FORMAT";
/// `--output`: write the machine output to a file.
pub const OUTPUT: &str = "SHIPGATE_OUTPUT";
/// `--check`: compare instead of writing.
pub const CHECK: &str = "SHIPGATE_CHECK";
/// `--out`: where the demo repository is written.
pub const OUT: &str = "SHIPGATE_OUT";
