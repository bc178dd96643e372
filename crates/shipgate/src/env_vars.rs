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
pub const REGISTRY_USERNAME: &str = shipgate_oci::registry::auth::ENV_USERNAME;
/// Registry password or token for every registry (read by shipgate-oci; no flag).
pub const REGISTRY_PASSWORD: &str = shipgate_oci::registry::auth::ENV_PASSWORD;
/// `--platforms`: the platforms `shipgate plan` builds instead of the spec's.
pub const PLATFORMS: &str = "SHIPGATE_PLATFORMS";
/// `--bake-target`: the target name in the bake files.
pub const BAKE_TARGET: &str = "SHIPGATE_BAKE_TARGET";
/// `--repo-metadata`: the JSON of GitHub's `GET /repos/{owner}/{repo}`.
pub const REPO_METADATA: &str = "SHIPGATE_REPO_METADATA";
/// `--no-github-api`: do not ask the GitHub API for the repository metadata.
pub const NO_GITHUB_API: &str = "SHIPGATE_NO_GITHUB_API";
/// `--created`: where the `created` label's time comes from.
pub const CREATED: &str = "SHIPGATE_CREATED";
/// `--pr-head-sha`: tag the PR head commit instead of the merge commit.
pub const PR_HEAD_SHA: &str = "SHIPGATE_PR_HEAD_SHA";
/// `--allow-empty`: exit 0 when no tag rule applies.
pub const ALLOW_EMPTY: &str = "SHIPGATE_ALLOW_EMPTY";
/// `--bake-file`: where the build bake file is written.
pub const BAKE_FILE: &str = "SHIPGATE_BAKE_FILE";
/// `--bake-dir`: where the action-compatible bake files are written.
pub const BAKE_DIR: &str = "SHIPGATE_BAKE_DIR";
/// `--dotenv`: the GitLab CI dotenv report.
pub const DOTENV: &str = "SHIPGATE_DOTENV";
/// The current time for `shipgate plan` (RFC 3339; read by buildx-plan, no flag), so
/// `{{date}}` and the `created` label are reproducible.
pub const NOW: &str = "SHIPGATE_NOW";
/// `shipgate scan --report` (comma-separated).
pub const REPORTS: &str = "SHIPGATE_REPORTS";
/// `shipgate scan --sbom`.
pub const SBOM: &str = "SHIPGATE_SBOM";
/// `shipgate scan --osv`.
pub const OSV: &str = "SHIPGATE_OSV";
/// `shipgate scan --manifests`.
pub const MANIFESTS: &str = "SHIPGATE_MANIFESTS";
/// `shipgate scan --no-misconfig`.
pub const NO_MISCONFIG: &str = "SHIPGATE_NO_MISCONFIG";
/// `shipgate sbom SOURCE`.
pub const SOURCE: &str = "SHIPGATE_SOURCE";
/// `shipgate sbom --sbom-format`.
pub const SBOM_FORMAT: &str = "SHIPGATE_SBOM_FORMAT";
/// `shipgate sbom --attach`.
pub const ATTACH: &str = "SHIPGATE_ATTACH";
/// `shipgate sbom --to`.
pub const ATTACH_TO: &str = "SHIPGATE_TO";
/// `--platform`: the platform read from a multi-platform image.
pub const PLATFORM: &str = "SHIPGATE_PLATFORM";
/// `shipgate scan --image`.
pub const IMAGE: &str = "SHIPGATE_IMAGE";
