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
/// `--insecure`: plain HTTP for registries that are not on loopback.
pub const INSECURE: &str = "SHIPGATE_INSECURE";
/// `--jobs`: how many blobs are uploaded at once.
pub const JOBS: &str = "SHIPGATE_JOBS";
/// `--timeout`: seconds per registry request.
pub const TIMEOUT: &str = "SHIPGATE_TIMEOUT";
/// `--retries`: how many times a failed registry request is retried.
pub const RETRIES: &str = "SHIPGATE_RETRIES";
/// Registry user name for every registry (read by shipgate-oci; no flag, secrets stay off argv).
pub const REGISTRY_USERNAME: &str = "SHIPGATE_REGISTRY_USERNAME";
/// Registry password or token for every registry (read by shipgate-oci; no flag).
pub const REGISTRY_PASSWORD: &str = "SHIPGATE_REGISTRY_PASSWORD";
