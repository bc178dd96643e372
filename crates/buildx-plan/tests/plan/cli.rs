//! The real binary, with a scrubbed environment and the CI variables each test sets.

use std::path::Path;
use std::process::Output;

const SHA: &str = "860c1904a1ce19322e91ac35af1ab07466440c37";
const HEAD: &str = "a9d5f4c2b8e1d3f6a7b8c9d0e1f2a3b4c5d6e7f8";

struct Run {
    dir: tempfile::TempDir,
}

impl Run {
    fn new() -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn path(&self, name: &str) -> std::path::PathBuf {
        self.dir.path().join(name)
    }

    fn write(&self, name: &str, text: &str) -> String {
        let path = self.path(name);
        std::fs::write(&path, text).unwrap();
        path.display().to_string()
    }

    /// A GitHub Actions run of `event` on `git_ref` with `payload`.
    fn github(&self, event: &str, git_ref: &str, payload: &str) -> std::process::Command {
        let event_path = self.write("event.json", payload);
        let output = self.write("github_output", "");
        let github_env = self.write("github_env", "");
        let mut command = test_support::bin("buildx-plan");
        command
            .current_dir(self.dir.path())
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_EVENT_NAME", event)
            .env("GITHUB_REF", git_ref)
            .env("GITHUB_SHA", SHA)
            .env("GITHUB_REPOSITORY", "octocat/Hello-World")
            .env("GITHUB_EVENT_PATH", event_path)
            .env("GITHUB_OUTPUT", output)
            .env("GITHUB_ENV", github_env)
            .env("RUNNER_TEMP", self.dir.path())
            .env("SHIPGATE_NOW", "2026-11-23T10:00:00Z")
            // Tests that exercise the API point GITHUB_API_URL at a fake and remove this.
            .env("SHIPGATE_NO_GITHUB_API", "true")
            .env_remove("DOCKER_METADATA_PR_HEAD_SHA")
            .env_remove("DOCKER_METADATA_SHORT_SHA_LENGTH")
            .env_remove("DOCKER_METADATA_ANNOTATIONS_LEVELS")
            .env_remove("SOURCE_DATE_EPOCH")
            .env_remove("DOCKER_METADATA_SET_OUTPUT_ENV");
        command
    }

    fn scrub(&self, text: &str) -> String {
        text.replace(&self.dir.path().display().to_string(), "[TEMP]")
    }

    /// `$GITHUB_OUTPUT` as name → value.
    fn outputs(&self) -> Vec<(String, String)> {
        let text = std::fs::read_to_string(self.path("github_output")).unwrap();
        let mut out = Vec::new();
        let mut lines = text.lines();
        while let Some(line) = lines.next() {
            if let Some((name, delimiter)) = line.split_once("<<") {
                let mut value = Vec::new();
                for next in lines.by_ref() {
                    if next == delimiter {
                        break;
                    }
                    value.push(next);
                }
                out.push((name.to_owned(), value.join("\n")));
            } else if let Some((name, value)) = line.split_once('=') {
                out.push((name.to_owned(), value.to_owned()));
            }
        }
        out
    }

    fn output(&self, name: &str) -> String {
        self.outputs()
            .into_iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v)
            .unwrap_or_else(|| panic!("no output {name}"))
    }
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn ok(output: &Output) {
    assert!(
        output.status.success(),
        "exit {:?}\n{}",
        output.status.code(),
        stderr(output)
    );
}

const PUSH_PAYLOAD: &str = r#"{"repository":{"default_branch":"main"},
  "commits":[{"id":"860c1904a1ce19322e91ac35af1ab07466440c37","timestamp":"2026-11-22T08:00:00+01:00"}]}"#;

#[test]
fn help() {
    let output = test_support::bin("buildx-plan")
        .arg("--help")
        .output()
        .expect("run buildx-plan");
    assert!(output.status.success());
    insta::assert_snapshot!(stdout(&output));
}

#[test]
fn tag_push_with_action_inputs_writes_the_action_outputs() {
    let run = Run::new();
    let repo = run.write(
        "repo.json",
        r#"{"name":"Hello-World","description":"Uses ${HOME} %{x}","html_url":"https://github.com/octocat/Hello-World",
            "license":{"spdx_id":"MIT"},"default_branch":"main"}"#,
    );
    let output = run
        .github("push", "refs/tags/v1.2.3", r#"{"base_ref":"refs/heads/main"}"#)
        .env("INPUT_IMAGES", "ghcr.io/octocat/hello-world\ndocker.io/octocat/hello")
        .env(
            "INPUT_TAGS",
            "type=semver,pattern={{version}}\ntype=semver,pattern={{major}}.{{minor}}\ntype=raw,value=from-{{base_ref}}\ntype=sha",
        )
        .env("INPUT_LABELS", "org.opencontainers.image.vendor=Octo & Co")
        .env("INPUT_SEP-TAGS", ",")
        .env("SHIPGATE_REPO_METADATA", repo)
        .output()
        .unwrap();
    ok(&output);
    let exported = std::fs::read_to_string(run.path("github_env")).unwrap();
    assert!(
        exported.contains("DOCKER_METADATA_OUTPUT_VERSION"),
        "{exported}"
    );
    assert!(
        exported.contains("DOCKER_METADATA_OUTPUT_BAKE_FILE_TAGS"),
        "{exported}"
    );
    let mut outputs = run.outputs();
    for (_, value) in &mut outputs {
        *value = run.scrub(value);
    }
    let bake_tags = std::fs::read_to_string(run.output("bake-file-tags")).unwrap();
    let bake_labels = std::fs::read_to_string(run.output("bake-file-labels")).unwrap();
    let text: Vec<String> = outputs
        .iter()
        .map(|(name, value)| format!("--- {name}\n{value}"))
        .collect();
    let outputs_text = text.join("\n");
    let normalized = regex_lite(&outputs_text);
    insta::assert_snapshot!("tag_push_outputs", normalized);
    insta::assert_snapshot!("tag_push_bake_tags", bake_tags);
    insta::assert_snapshot!("tag_push_bake_labels", bake_labels);
}

/// Replaces the unique bake directory name with a placeholder.
fn regex_lite(text: &str) -> String {
    text.lines()
        .map(|line| match line.find("buildx-plan-") {
            Some(start) => {
                let end = line[start..].find('/').map_or(line.len(), |e| start + e);
                format!("{}[BAKE-DIR]{}", &line[..start], &line[end..])
            }
            None => line.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn json_format_with_matrix_and_build_bake_file() {
    let run = Run::new();
    let bake = run.path("out/bake.json");
    let output = run
        .github("push", "refs/heads/main", PUSH_PAYLOAD)
        .args([
            "--format",
            "json",
            "--images",
            "ghcr.io/octocat/hello-world",
            "--tags",
            "type=ref,event=branch",
            "--tags",
            "type=raw,value=latest,enable={{is_default_branch}}",
            "--tags",
            "type=raw,value={{commit_date 'YYYYMMDD-HHmm' tz='Europe/Paris'}}",
            "--platforms",
            "linux/amd64,linux/arm64,linux/riscv64",
            "--build-arg",
            "GREETING=${USER}",
            "--secret",
            "npm-token",
            "--created",
            "commit",
            "--bake-file",
        ])
        .arg(&bake)
        .output()
        .unwrap();
    ok(&output);
    insta::assert_snapshot!("branch_push_json", run.scrub(&stdout(&output)));
    insta::assert_snapshot!("branch_push_bake", std::fs::read_to_string(&bake).unwrap());
}

#[test]
fn pull_request_head_sha_short_sha_length_and_annotation_levels() {
    let run = Run::new();
    let payload = format!(
        r#"{{"number":15,"pull_request":{{"number":15,"head":{{"sha":"{HEAD}"}},"base":{{"ref":"main"}}}}}}"#
    );
    let output = run
        .github("pull_request_target", "refs/heads/main", &payload)
        .env("DOCKER_METADATA_PR_HEAD_SHA", "true")
        .env("DOCKER_METADATA_SHORT_SHA_LENGTH", "10")
        .env("DOCKER_METADATA_ANNOTATIONS_LEVELS", "manifest,index")
        .args([
            "--format",
            "json",
            "--images",
            "user/app",
            "--tags",
            "type=ref,event=pr\ntype=sha\ntype=raw,value=base-{{base_ref}}",
            "--flavor",
            "suffix=-dev",
        ])
        .output()
        .unwrap();
    ok(&output);
    let doc: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(
        doc["tags"],
        serde_json::json!([
            "user/app:pr-15-dev",
            "user/app:base-main-dev",
            "user/app:sha-a9d5f4c2b8-dev"
        ])
    );
    assert_eq!(doc["labels"]["org.opencontainers.image.revision"], HEAD);
    let annotations = doc["annotations"].as_array().unwrap();
    assert_eq!(annotations.len(), 6);
    assert!(annotations[0].as_str().unwrap().starts_with("manifest:"));
    assert!(annotations[3].as_str().unwrap().starts_with("index:"));
}

#[test]
fn schedule_and_source_date_epoch() {
    let run = Run::new();
    let output = run
        .github("schedule", "refs/heads/main", "{}")
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .args(["--format", "json", "--images", "user/app"])
        .args([
            "--tags",
            "type=schedule,pattern=nightly-{{date 'YYYYMMDD'}}",
        ])
        .output()
        .unwrap();
    ok(&output);
    let doc: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(
        doc["tags"],
        serde_json::json!(["user/app:nightly-20261123"])
    );
    assert_eq!(
        doc["labels"]["org.opencontainers.image.created"],
        "2023-11-14T22:13:20.000Z"
    );
}

#[test]
fn gitlab_merge_request() {
    let run = Run::new();
    let dotenv = run.path("plan.env");
    let output = test_support::bin("buildx-plan")
        .current_dir(run.dir.path())
        .env("GITLAB_CI", "true")
        .env("CI_PIPELINE_SOURCE", "merge_request_event")
        .env("CI_MERGE_REQUEST_IID", "12")
        .env("CI_COMMIT_SHA", SHA)
        .env("CI_COMMIT_REF_NAME", "feature")
        .env("SHIPGATE_NOW", "2026-11-23T10:00:00Z")
        .env("SHIPGATE_IMAGES", "registry.gitlab.com/acme/web")
        .env("SHIPGATE_TAGS", "type=ref,event=pr\ntype=sha")
        .arg("--dotenv")
        .arg(&dotenv)
        .output()
        .unwrap();
    ok(&output);
    let env = std::fs::read_to_string(&dotenv).unwrap();
    assert!(
        env.contains(
            "TAGS=registry.gitlab.com/acme/web:pr-12 registry.gitlab.com/acme/web:sha-860c190"
        ),
        "{env}"
    );
    assert!(stderr(&output).contains("registry.gitlab.com/acme/web:pr-12"));
}

#[test]
fn local_git_repository() {
    let run = Run::new();
    let git = |args: &[&str]| {
        let status = std::process::Command::new("git")
            .current_dir(run.dir.path())
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
            .args(["-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false"])
            .args(args)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .status()
            .unwrap();
        assert!(status.success());
    };
    git(&["init", "-q", "-b", "trunk"]);
    git(&["commit", "-q", "--allow-empty", "-m", "first"]);
    git(&["tag", "v3.1.0"]);
    git(&["checkout", "-q", "--detach"]);
    let output = test_support::bin("buildx-plan")
        .current_dir(run.dir.path())
        .env("SHIPGATE_NOW", "2026-11-23T10:00:00Z")
        .args(["--format", "json", "--images", "user/app"])
        .args([
            "--tags",
            "type=ref,event=branch\ntype=semver,pattern={{major}}",
        ])
        .output()
        .unwrap();
    ok(&output);
    let doc: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    // Detached on a tag, like actions/checkout on a tag push.
    assert_eq!(
        doc["tags"],
        serde_json::json!(["user/app:3", "user/app:latest"])
    );
}

#[test]
fn exit_codes() {
    let run = Run::new();
    // Bad input: exit 2 naming the line.
    let bad = run
        .github("push", "refs/heads/main", PUSH_PAYLOAD)
        .env(
            "INPUT_TAGS",
            "type=ref,event=branch\ntype=semver,pattern={{version}},group=1",
        )
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    insta::assert_snapshot!("bad_tag_rule", stderr(&bad));

    // No tag: exit 1 with a hint, or a warning and exit 0 with --allow-empty.
    let empty = || {
        let mut command = run.github("push", "refs/heads/main", PUSH_PAYLOAD);
        command.args(["--images", "user/app", "--tags", "type=ref,event=tag"]);
        command
    };
    let failed = empty().output().unwrap();
    assert_eq!(failed.status.code(), Some(1));
    insta::assert_snapshot!("empty", stderr(&failed));
    let allowed = empty().arg("--allow-empty").output().unwrap();
    assert_eq!(allowed.status.code(), Some(0));
    assert!(stderr(&allowed).contains("warning: No Docker image version has been generated"));

    // A malformed payload is bad input; an unknown time in SHIPGATE_NOW too.
    let payload = run
        .github("push", "refs/heads/main", "{not json")
        .output()
        .unwrap();
    assert_eq!(payload.status.code(), Some(2));
    let now = run
        .github("push", "refs/heads/main", "{}")
        .env("SHIPGATE_NOW", "yesterday")
        .output()
        .unwrap();
    assert_eq!(now.status.code(), Some(2));
    let sha = run
        .github("push", "refs/heads/main", "{}")
        .env("DOCKER_METADATA_SHORT_SHA_LENGTH", "seven")
        .output()
        .unwrap();
    assert_eq!(sha.status.code(), Some(2));
    assert!(stderr(&sha).contains("DOCKER_METADATA_SHORT_SHA_LENGTH"));
    // An unwritable bake file is the environment.
    let unwritable = run
        .github("push", "refs/heads/main", "{}")
        .args(["--bake-file", "/proc/buildx-plan/bake.json"])
        .output()
        .unwrap();
    assert_eq!(unwritable.status.code(), Some(3));
}

#[test]
fn spec_plan() {
    let run = Run::new();
    run.write("Dockerfile", "FROM scratch\n");
    let spec = shipgate_spec::parse(
        "shipgate.yaml",
        "version: 1\nimage:\n  name: ghcr.io/acme/web\n  platforms: [linux/amd64, linux/arm64]\n  tags:\n    - type=sha\n    - type=ref,event=branch\n  labels: {org.opencontainers.image.vendor: Acme}\nbuild: {cache: registry, args: {A: b}, secrets: [token]}\n",
        run.dir.path(),
    )
    .unwrap();
    let env: std::collections::HashMap<String, String> = [
        ("GITHUB_ACTIONS", "true"),
        ("GITHUB_EVENT_NAME", "push"),
        ("GITHUB_REF", "refs/heads/main"),
        ("GITHUB_SHA", SHA),
        ("SHIPGATE_NOW", "2026-11-23T10:00:00Z"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    let plan =
        buildx_plan::plan_from_spec(&spec, Path::new("."), &Default::default(), &env).unwrap();
    assert_eq!(
        plan.meta.tags,
        ["ghcr.io/acme/web:main", "ghcr.io/acme/web:sha-860c190"]
    );
    assert_eq!(plan.matrix.len(), 2);
    assert_eq!(plan.matrix[1].runner, "ubuntu-24.04-arm");
    insta::assert_json_snapshot!("spec_bake", plan.bake);
    let _ = run;
}

/// Every example spec plans a tag push: what `shipgate plan` will run.
#[test]
fn example_specs_plan() {
    let env: std::collections::HashMap<String, String> = [
        ("GITHUB_ACTIONS", "true"),
        ("GITHUB_EVENT_NAME", "push"),
        ("GITHUB_REF", "refs/tags/v1.2.3"),
        ("GITHUB_SHA", SHA),
        ("SHIPGATE_NOW", "2026-11-23T10:00:00Z"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    let examples = test_support::workspace_root().join("examples");
    let mut summary = Vec::new();
    let mut names: Vec<_> = std::fs::read_dir(&examples)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("shipgate.yaml").is_file())
        .collect();
    names.sort();
    for dir in names {
        let loaded = shipgate_spec::load(&dir.join("shipgate.yaml")).unwrap();
        let plan =
            buildx_plan::plan_from_spec(&loaded.spec, &loaded.base_dir, &Default::default(), &env)
                .unwrap();
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let runners: Vec<String> = plan
            .matrix
            .iter()
            .map(|m| format!("{}@{}", m.platform, m.runner))
            .collect();
        summary.push(format!(
            "{name}: {}\n  matrix: {}",
            plan.meta.tags.join(" "),
            runners.join(" ")
        ));
    }
    insta::assert_snapshot!("example_specs", summary.join("\n"));
}

/// A tag push asking the (fake) GitHub API for the repository labels, with a token.
#[test]
fn repository_labels_from_the_github_api() {
    use test_support::fake_github::{FakeGithub, Route, repo_json};
    let api = FakeGithub::start(vec![Route::repo(
        "octocat/Hello-World",
        repo_json(
            "octocat/Hello-World",
            "Says ${GREETING} & more",
            Some("NOASSERTION"),
        ),
    )]);
    let run = Run::new();
    let bake = run.path("bake.json");
    // No default branch in the payload: `type=edge` gets it from the API.
    let output = run
        .github("push", "refs/heads/main", "{}")
        .env_remove("SHIPGATE_NO_GITHUB_API")
        .env("GITHUB_API_URL", format!("{}/", api.api_url()))
        .env("GITHUB_TOKEN", "ghs_test")
        .args([
            "--format",
            "json",
            "--images",
            "ghcr.io/octocat/hello-world",
        ])
        .args(["--tags", "type=edge\ntype=sha", "--bake-file"])
        .arg(&bake)
        .output()
        .unwrap();
    ok(&output);
    assert_eq!(stderr(&output), "", "no warning when the API answers");
    let doc: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    insta::assert_json_snapshot!("api_labels", doc["labels"]);
    assert_eq!(
        doc["tags"],
        serde_json::json!([
            "ghcr.io/octocat/hello-world:edge",
            "ghcr.io/octocat/hello-world:sha-860c190"
        ])
    );
    // `${` from the API is escaped in the bake file.
    let bake_text = std::fs::read_to_string(&bake).unwrap();
    assert!(
        bake_text.contains("Says $${GREETING} & more"),
        "{bake_text}"
    );
    let requests = api.requests();
    assert_eq!(requests.len(), 1, "{requests:?}");
    assert_eq!(requests[0].method, "GET");
    assert_eq!(requests[0].path, "/repos/octocat/Hello-World");
    assert_eq!(requests[0].header("authorization"), Some("Bearer ghs_test"));
    assert_eq!(
        requests[0].header("accept"),
        Some("application/vnd.github+json")
    );
    assert!(
        requests[0]
            .header("user-agent")
            .is_some_and(|ua| ua.starts_with("shipgate-buildx-plan/"))
    );
}

/// The action's `github-token` input beats `GITHUB_TOKEN`; no token, no header; a
/// repository without a license (`"license": null`) gets an empty licenses label, as the
/// action gives.
#[test]
fn github_api_token_sources() {
    use test_support::fake_github::{FakeGithub, Route, repo_json};
    let api = FakeGithub::start(vec![Route::repo(
        "octocat/Hello-World",
        repo_json("octocat/Hello-World", "", None),
    )]);
    let run = Run::new();
    let with_input = run
        .github("push", "refs/heads/main", PUSH_PAYLOAD)
        .env_remove("SHIPGATE_NO_GITHUB_API")
        .env("GITHUB_API_URL", api.api_url())
        .env("GITHUB_TOKEN", "from-env")
        .env("INPUT_GITHUB-TOKEN", "from-input")
        .args(["--format", "json", "--images", "user/app"])
        .output()
        .unwrap();
    ok(&with_input);
    let doc: serde_json::Value = serde_json::from_str(&stdout(&with_input)).unwrap();
    assert_eq!(doc["labels"]["org.opencontainers.image.licenses"], "");
    assert_eq!(
        doc["labels"]["org.opencontainers.image.title"],
        "Hello-World"
    );
    let anonymous = run
        .github("push", "refs/heads/main", PUSH_PAYLOAD)
        .env_remove("SHIPGATE_NO_GITHUB_API")
        .env("GITHUB_API_URL", api.api_url())
        .args(["--format", "json", "--images", "user/app"])
        .output()
        .unwrap();
    ok(&anonymous);
    let requests = api.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(
        requests[0].header("authorization"),
        Some("Bearer from-input")
    );
    assert_eq!(requests[1].header("authorization"), None);
}

/// `--repo-metadata` wins without a request; `--no-github-api` (or its variable) sends none
/// and leaves the repository labels out without a warning.
#[test]
fn repo_metadata_file_and_no_github_api_send_no_request() {
    use test_support::fake_github::{FakeGithub, Route, repo_json};
    let api = FakeGithub::start(vec![Route::repo(
        "octocat/Hello-World",
        repo_json("octocat/Hello-World", "from the API", Some("MIT")),
    )]);
    let run = Run::new();
    let file = run.write(
        "repo.json",
        r#"{"name":"from-file","html_url":"https://example.com/x","license":{"spdx_id":"Apache-2.0"}}"#,
    );
    let from_file = run
        .github("push", "refs/heads/main", PUSH_PAYLOAD)
        .env_remove("SHIPGATE_NO_GITHUB_API")
        .env("GITHUB_API_URL", api.api_url())
        .args([
            "--format",
            "json",
            "--images",
            "user/app",
            "--repo-metadata",
        ])
        .arg(&file)
        .output()
        .unwrap();
    ok(&from_file);
    let doc: serde_json::Value = serde_json::from_str(&stdout(&from_file)).unwrap();
    assert_eq!(doc["labels"]["org.opencontainers.image.title"], "from-file");
    assert_eq!(
        doc["labels"]["org.opencontainers.image.licenses"],
        "Apache-2.0"
    );
    for disable in [["--no-github-api", ""], ["", "true"]] {
        let mut command = run.github("push", "refs/heads/main", PUSH_PAYLOAD);
        command
            .env_remove("SHIPGATE_NO_GITHUB_API")
            .env("GITHUB_API_URL", api.api_url())
            .args(["--format", "json", "--images", "user/app"]);
        if disable[0].is_empty() {
            command.env("SHIPGATE_NO_GITHUB_API", disable[1]);
        } else {
            command.arg(disable[0]);
        }
        let output = command.output().unwrap();
        ok(&output);
        assert_eq!(stderr(&output), "");
        let doc: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
        assert!(
            doc["labels"]
                .get("org.opencontainers.image.title")
                .is_none()
        );
    }
    assert_eq!(api.requests(), []);
}

/// An API error, a broken answer or a refused connection: one warning line, the repository
/// labels left out, and the plan still passes.
#[test]
fn github_api_failures_warn_once_and_pass() {
    use test_support::fake_github::{FakeGithub, Route};
    let api = FakeGithub::start(vec![Route::new(
        "/repos/octocat/Broken",
        200,
        "<html>rate limited</html>",
    )]);
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port())
    };
    let run = Run::new();
    let mut transcripts = Vec::new();
    for (url, repository) in [
        (api.api_url(), "octocat/Hello-World"),
        (api.api_url(), "octocat/Broken"),
        (closed.clone(), "octocat/Hello-World"),
    ] {
        let output = run
            .github("push", "refs/heads/main", PUSH_PAYLOAD)
            .env_remove("SHIPGATE_NO_GITHUB_API")
            .env("GITHUB_API_URL", &url)
            .env("GITHUB_REPOSITORY", repository)
            .args(["--format", "json", "--images", "user/app"])
            .output()
            .unwrap();
        ok(&output);
        let doc: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
        let keys: Vec<&str> = doc["labels"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys,
            [
                "org.opencontainers.image.created",
                "org.opencontainers.image.revision",
                "org.opencontainers.image.version"
            ]
        );
        let err = stderr(&output);
        assert_eq!(err.lines().count(), 1, "{err}");
        transcripts.push(
            err.replace(&api.api_url(), "[API]")
                .replace(&closed, "[CLOSED]"),
        );
    }
    // The refused connection's wording comes from the OS and hyper: check its shape only.
    assert!(
        transcripts[2].starts_with(
            "warning: cannot read the repository metadata from [CLOSED]/repos/octocat/Hello-World: "
        ),
        "{}",
        transcripts[2]
    );
    insta::assert_snapshot!("api_failures", transcripts[..2].join(""));
}

#[test]
fn repo_api_from_env() {
    let env = |pairs: &[(&str, &str)]| -> std::collections::HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    };
    assert_eq!(buildx_plan::RepoApi::from_env(&env(&[])), None);
    let api = buildx_plan::RepoApi::from_env(&env(&[("GITHUB_REPOSITORY", "a/b")])).unwrap();
    assert_eq!(api.url(), "https://api.github.com/repos/a/b");
    assert_eq!(api.token, None);
    let api = buildx_plan::RepoApi::from_env(&env(&[
        ("GITHUB_REPOSITORY", "a/b"),
        ("GITHUB_API_URL", "https://ghe.example.com/api/v3/"),
        ("GITHUB_TOKEN", "t"),
    ]))
    .unwrap();
    assert_eq!(api.url(), "https://ghe.example.com/api/v3/repos/a/b");
    assert_eq!(api.token.as_deref(), Some("t"));
}

/// Without a default branch in the CI context, `{{is_default_branch}}` and `type=edge`
/// use the spec's `ci.default-branch`.
#[test]
fn spec_default_branch_is_the_fallback() {
    let run = Run::new();
    run.write("Dockerfile", "FROM scratch\n");
    let spec = shipgate_spec::parse(
        "shipgate.yaml",
        "version: 1\nimage:\n  name: ghcr.io/acme/web\n  tags:\n    - type=edge\n    - type=raw,value=latest,enable={{is_default_branch}}\nci: {default-branch: trunk}\n",
        run.dir.path(),
    )
    .unwrap();
    let env: std::collections::HashMap<String, String> = [
        ("GITHUB_ACTIONS", "true"),
        ("GITHUB_EVENT_NAME", "push"),
        ("GITHUB_REF", "refs/heads/trunk"),
        ("GITHUB_SHA", SHA),
        ("SHIPGATE_NOW", "2026-11-23T10:00:00Z"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    let plan =
        buildx_plan::plan_from_spec(&spec, Path::new("."), &Default::default(), &env).unwrap();
    assert_eq!(
        plan.meta.tags,
        ["ghcr.io/acme/web:edge", "ghcr.io/acme/web:latest"]
    );
}

/// Every docker/metadata-action input as the action's `INPUT_<NAME>` variable; a flag
/// beats its `INPUT_` variable; separators are not trimmed.
#[test]
fn every_action_input_from_input_variables() {
    let run = Run::new();
    let dir = run.path("bake");
    let output = run
        .github("push", "refs/tags/v2.0.0", "{}")
        .env("INPUT_CONTEXT", "workflow")
        .env("INPUT_IMAGES", "user/app")
        .env("INPUT_TAGS", "type=semver,pattern={{major}}\ntype=sha")
        .env("INPUT_FLAVOR", "latest=false\nsuffix=-slim")
        .env("INPUT_LABELS", "com.example.team=web")
        .env("INPUT_ANNOTATIONS", "com.example.note=hi")
        .env("INPUT_SEP-TAGS", " ")
        .env("INPUT_SEP-LABELS", ";")
        .env("INPUT_SEP-ANNOTATIONS", "|")
        .env("INPUT_BAKE-TARGET", "meta")
        .arg("--bake-dir")
        .arg(&dir)
        .output()
        .unwrap();
    ok(&output);
    assert_eq!(
        run.output("tags"),
        "user/app:2-slim user/app:sha-860c190-slim"
    );
    let labels = run.output("labels");
    assert!(
        labels.starts_with("com.example.team=web;org.opencontainers.image.created="),
        "{labels}"
    );
    let annotations = run.output("annotations");
    assert!(
        annotations.starts_with("manifest:com.example.note=hi|"),
        "{annotations}"
    );
    let bake: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(run.output("bake-file-tags")).unwrap())
            .unwrap();
    assert!(bake["target"]["meta"]["tags"].is_array(), "{bake}");

    // The flag wins over the action's variable.
    let flag = run
        .github("push", "refs/tags/v2.0.0", "{}")
        .env("INPUT_TAGS", "type=semver,pattern={{major}}")
        .args(["--images", "user/app", "--tags", "type=raw,value=flag"])
        .args(["--format", "json"])
        .output()
        .unwrap();
    ok(&flag);
    let doc: serde_json::Value = serde_json::from_str(&stdout(&flag)).unwrap();
    assert_eq!(doc["tags"], serde_json::json!(["user/app:flag"]));

    // An unknown `context` input is bad input.
    let context = run
        .github("push", "refs/tags/v2.0.0", "{}")
        .env("INPUT_CONTEXT", "svn")
        .args(["--images", "user/app"])
        .output()
        .unwrap();
    assert_eq!(context.status.code(), Some(2), "{}", stderr(&context));
    assert!(stderr(&context).contains("svn"));
}

/// A server that accepts the connection and never answers: the request gives up after its
/// timeout with an error (a warning for the plan), it does not hang.
#[test]
fn github_api_timeout_is_an_error_not_a_hang() {
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let api = buildx_plan::RepoApi {
        base_url: format!("http://127.0.0.1:{}", silent.local_addr().unwrap().port()),
        repository: "octocat/Hello-World".to_owned(),
        token: None,
        timeout: std::time::Duration::from_millis(300),
    };
    let error = api.fetch().unwrap_err();
    assert!(
        matches!(error, buildx_plan::FetchError::Request(_)),
        "{error:?}"
    );
    drop(silent);
}

/// On a pull request the payload has no commit: `{{commit_date}}` and `--created commit`
/// use the committer date from `GET /repos/{o}/{r}/commits/{sha}`, as the action does; a
/// failed request warns and uses the current time; a push payload needs no request.
#[test]
fn commit_date_from_the_github_api_when_the_payload_lacks_it() {
    use test_support::fake_github::{FakeGithub, Route, commit_route, repo_json};
    let api = FakeGithub::start(vec![
        Route::repo(
            "octocat/Hello-World",
            repo_json("octocat/Hello-World", "", Some("MIT")),
        ),
        commit_route("octocat/Hello-World", SHA, "2026-01-02T03:04:05Z"),
    ]);
    let run = Run::new();
    let plan = |event: &str, git_ref: &str, payload: &str, repository: &str| {
        run.github(event, git_ref, payload)
            .env_remove("SHIPGATE_NO_GITHUB_API")
            .env("GITHUB_API_URL", api.api_url())
            .env("GITHUB_REPOSITORY", repository)
            .args([
                "--format",
                "json",
                "--images",
                "user/app",
                "--created",
                "commit",
            ])
            .args(["--tags", "type=raw,value={{commit_date 'YYYYMMDD-HHmmss'}}"])
            .output()
            .unwrap()
    };
    let pr = plan(
        "pull_request",
        "refs/pull/7/merge",
        r#"{"number":7,"pull_request":{"number":7,"base":{"ref":"main"}}}"#,
        "octocat/Hello-World",
    );
    ok(&pr);
    assert_eq!(stderr(&pr), "");
    let doc: serde_json::Value = serde_json::from_str(&stdout(&pr)).unwrap();
    assert_eq!(doc["tags"], serde_json::json!(["user/app:20260102-030405"]));
    assert_eq!(
        doc["labels"]["org.opencontainers.image.created"],
        "2026-01-02T03:04:05.000Z"
    );
    let paths: Vec<String> = api.requests().into_iter().map(|r| r.path).collect();
    assert_eq!(
        paths,
        [
            "/repos/octocat/Hello-World".to_owned(),
            format!("/repos/octocat/Hello-World/commits/{SHA}")
        ]
    );

    // The push payload has the commit: no commit request.
    let push = plan(
        "push",
        "refs/heads/main",
        PUSH_PAYLOAD,
        "octocat/Hello-World",
    );
    ok(&push);
    assert_eq!(api.requests().len(), 3);

    // Unknown commit: one warning per request that failed, and the current time.
    let unknown = plan("pull_request", "refs/pull/7/merge", "{}", "octocat/Gone");
    ok(&unknown);
    let doc: serde_json::Value = serde_json::from_str(&stdout(&unknown)).unwrap();
    assert_eq!(doc["tags"], serde_json::json!(["user/app:20261123-100000"]));
    let err = stderr(&unknown).replace(&api.api_url(), "[API]");
    insta::assert_snapshot!("commit_date_failure", err);
}
