//! `shipgate plan` end to end: the real binary on the example specs, in a GitHub Actions
//! environment whose API is a fake (test-support's `FakeGithub`), with a fixed time.

#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::{Command, Output};

use test_support::fake_github::{FakeGithub, Route, repo_json};
use test_support::{bin, workspace_root};

const SHA: &str = "860c1904a1ce19322e91ac35af1ab07466440c37";

/// `shipgate plan` in a GitHub Actions `event` of `git_ref` on acme/rust-service, with the
/// API at `api` and the step files under `temp`.
fn github_plan(temp: &Path, api: &str, event: &str, git_ref: &str) -> Command {
    let event_path = temp.join("event.json");
    std::fs::write(
        &event_path,
        r#"{"repository":{"default_branch":"main"},"base_ref":"refs/heads/main"}"#,
    )
    .unwrap();
    std::fs::write(temp.join("github_output"), "").unwrap();
    let mut command = bin("shipgate");
    command
        .arg("plan")
        .current_dir(workspace_root())
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_EVENT_NAME", event)
        .env("GITHUB_REF", git_ref)
        .env("GITHUB_SHA", SHA)
        .env("GITHUB_REPOSITORY", "acme/rust-service")
        .env("GITHUB_API_URL", api)
        .env("GITHUB_TOKEN", "ghs_plan")
        .env("GITHUB_EVENT_PATH", &event_path)
        .env("GITHUB_OUTPUT", temp.join("github_output"))
        .env("RUNNER_TEMP", temp)
        .env("SHIPGATE_NOW", "2026-11-23T10:00:00Z")
        .env_remove("SOURCE_DATE_EPOCH")
        .env_remove("DOCKER_METADATA_PR_HEAD_SHA")
        .env_remove("DOCKER_METADATA_SHORT_SHA_LENGTH")
        .env_remove("DOCKER_METADATA_ANNOTATIONS_LEVELS")
        .env_remove("DOCKER_METADATA_SET_OUTPUT_ENV");
    command
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn ok(output: &Output) {
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}{}",
        text(&output.stdout),
        text(&output.stderr)
    );
}

#[test]
fn plan_rust_service_tag_push() {
    let api = FakeGithub::start(vec![Route::repo(
        "acme/rust-service",
        repo_json(
            "acme/rust-service",
            "A Rust service, built by ${CI}",
            Some("Apache-2.0"),
        ),
    )]);
    let temp = tempfile::tempdir().unwrap();
    let bake = temp.path().join("bake.json");
    let output = github_plan(temp.path(), &api.api_url(), "push", "refs/tags/v1.2.3")
        .args(["--spec", "examples/rust-service/shipgate.yaml"])
        .args(["--format", "json", "--bake-file"])
        .arg(&bake)
        .output()
        .unwrap();
    ok(&output);
    assert_eq!(text(&output.stderr), "");
    let scrub = |s: String| s.replace(&temp.path().display().to_string(), "[TMP]");
    let doc: serde_json::Value = serde_json::from_str(&scrub(text(&output.stdout))).unwrap();
    insta::assert_json_snapshot!("rust_service_tag_push", doc);
    insta::assert_snapshot!(
        "rust_service_tag_push_bake",
        std::fs::read_to_string(&bake).unwrap()
    );
    let requests = api.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].path, "/repos/acme/rust-service");
    assert_eq!(requests[0].header("authorization"), Some("Bearer ghs_plan"));
    // The action's outputs, and the matrix for the build jobs.
    let outputs = std::fs::read_to_string(temp.path().join("github_output")).unwrap();
    for name in [
        "version",
        "tags",
        "labels",
        "annotations",
        "json",
        "bake-file",
        "bake-file-tags",
        "bake-file-labels",
        "bake-file-annotations",
        "matrix",
    ] {
        let set = outputs
            .lines()
            .any(|l| l.starts_with(&format!("{name}<<")) || l.starts_with(&format!("{name}=")));
        assert!(set, "no output {name} in {outputs}");
    }
}

#[test]
fn plan_platforms_override_and_api_offline() {
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port())
    };
    let temp = tempfile::tempdir().unwrap();
    let output = github_plan(temp.path(), &closed, "push", "refs/heads/main")
        .args(["--spec", "examples/rust-service/shipgate.yaml"])
        .args(["--format", "json", "--platforms", "linux/arm64,linux/s390x"])
        .output()
        .unwrap();
    ok(&output);
    let stderr = text(&output.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with("warning: cannot read the repository metadata"));
    let doc: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        doc["platforms"],
        serde_json::json!(["linux/arm64", "linux/s390x"])
    );
    assert_eq!(
        doc["tags"][0],
        serde_json::json!("ghcr.io/acme/rust-service:main")
    );
    assert!(
        doc["labels"]
            .get("org.opencontainers.image.title")
            .is_none()
    );
    let runners: Vec<_> = doc["matrix"]["include"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["runner"].as_str().unwrap(), m["qemu"].as_bool().unwrap()))
        .collect();
    assert_eq!(
        runners,
        [("ubuntu-24.04-arm", false), ("ubuntu-24.04", true)]
    );
}

#[test]
fn plan_exit_codes() {
    let temp = tempfile::tempdir().unwrap();
    std::fs::write(temp.path().join("Dockerfile"), "FROM scratch\n").unwrap();
    std::fs::write(
        temp.path().join("shipgate.yaml"),
        "version: 1\nimage:\n  name: ghcr.io/acme/web\n  tags: ['type=semver,pattern={{version}}']\n",
    )
    .unwrap();
    let spec = temp.path().join("shipgate.yaml");
    let run = |extra: &[&str]| {
        github_plan(temp.path(), "http://127.0.0.1:9", "push", "refs/heads/main")
            .arg("--spec")
            .arg(&spec)
            .arg("--no-github-api")
            .args(extra)
            .output()
            .unwrap()
    };
    // No rule applies to a branch push: exit 1 with a hint, or 0 with --allow-empty.
    let empty = run(&[]);
    assert_eq!(empty.status.code(), Some(1), "{}", text(&empty.stderr));
    let stderr = text(&empty.stderr).replace(&temp.path().display().to_string(), "[TMP]");
    insta::assert_snapshot!("empty", stderr);
    let allowed = run(&["--allow-empty"]);
    assert_eq!(allowed.status.code(), Some(0), "{}", text(&allowed.stderr));
    assert!(text(&allowed.stderr).contains("warning: No Docker image version has been generated"));
    // A platform override that is not os/arch, a missing metadata file: exit 2.
    let platform = run(&["--platforms", "linux"]);
    assert_eq!(
        platform.status.code(),
        Some(2),
        "{}",
        text(&platform.stderr)
    );
    let missing = run(&["--repo-metadata", "/nonexistent/repo.json"]);
    assert_eq!(missing.status.code(), Some(2), "{}", text(&missing.stderr));
    // An invalid spec is bad input too.
    let invalid = github_plan(temp.path(), "http://127.0.0.1:9", "push", "refs/heads/main")
        .args(["--spec", "/nonexistent/shipgate.yaml"])
        .output()
        .unwrap();
    assert_eq!(invalid.status.code(), Some(2));
}
