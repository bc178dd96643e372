//! Helpers shared by shipgate's tests: the workspace root, external tool probes and a CLI
//! runner with a scrubbed environment.

pub mod fake_github;
pub mod fault_proxy;
pub mod layers;
pub mod registry;

use std::path::{Path, PathBuf};
use std::process::Command;

/// The workspace root (the folder holding the top-level `Cargo.toml`).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// True when `CI` is set: a missing external tool is then a test failure, not a skip.
pub fn in_ci() -> bool {
    std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "false")
}

/// Finds an external tool on `PATH`. Outside CI a missing tool returns `None` so the test
/// can skip with a message; in CI (`CI=true`) it panics, because `.ci/run` installs it.
pub fn require_tool(name: &str) -> Option<PathBuf> {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(name))
            .find(|candidate| candidate.is_file())
    });
    match found {
        Some(path) => Some(path),
        None if in_ci() => panic!("`{name}` is not on PATH; .ci/run must install it"),
        None => {
            #[allow(clippy::print_stderr)]
            {
                eprintln!("skipping: `{name}` is not on PATH (CI installs it)");
            }
            None
        }
    }
}

/// A command for `program` with the CI-related environment removed, so a test behaves the
/// same on a laptop, in GitHub Actions and in GitLab CI.
pub fn scrubbed(program: impl AsRef<std::ffi::OsStr>) -> Command {
    let mut command = Command::new(program);
    for (key, _) in std::env::vars_os() {
        let key_str = key.to_string_lossy();
        if key_str.starts_with("GITHUB_")
            || key_str.starts_with("RUNNER_")
            || key_str.starts_with("GITLAB_")
            || key_str.starts_with("CI_")
            || key_str.starts_with("SHIPGATE_")
            || key_str.starts_with("ACTIONS_")
            || matches!(
                key_str.as_ref(),
                "CI" | "NO_COLOR" | "CLICOLOR" | "CLICOLOR_FORCE" | "TERM"
            )
        {
            command.env_remove(&key);
        }
    }
    command
}

/// A `Command` for one of the workspace's binaries, with a scrubbed environment.
pub fn bin(name: &str) -> Command {
    let path = assert_cmd::cargo::cargo_bin(name);
    scrubbed(path)
}
