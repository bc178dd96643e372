//! The CI context: which CI runs us, and the event, ref and commit it runs for.
//!
//! Read from GitHub Actions' environment and event payload, from GitLab CI's predefined
//! variables, or, for local runs, from the git repository. The environment is passed in as
//! a map, so tests never depend on the process environment.
//!
//! | field | GitHub Actions | GitLab CI | local |
//! | --- | --- | --- | --- |
//! | `event_name` | `GITHUB_EVENT_NAME` | `CI_PIPELINE_SOURCE` | — |
//! | `ref_full` | `GITHUB_REF` (`refs/pull/N/merge` on `pull_request_target`) | from `CI_COMMIT_TAG` / MR / `CI_COMMIT_BRANCH` | `git symbolic-ref HEAD`, else the refs pointing at a detached HEAD |
//! | `sha` | `GITHUB_SHA` | `CI_COMMIT_SHA` | `git rev-parse HEAD` |
//! | `default_branch` | payload `repository.default_branch` | `CI_DEFAULT_BRANCH` | `origin/HEAD` |
//! | `pr_number` | payload `pull_request.number` | `CI_MERGE_REQUEST_IID` | — |
//! | `repository` | `GITHUB_REPOSITORY` | `CI_PROJECT_PATH` | `remote.origin.url` on github.com / gitlab.com |
//! | `commit_timestamp` | payload `commits[]` / `head_commit` matching the sha | `CI_COMMIT_TIMESTAMP` | `git show -s --format=%cI` |

use std::collections::HashMap;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

use crate::exit::{Exit, ExitStatus};

/// The CI system a command runs under.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CiProvider {
    /// GitHub Actions (`GITHUB_ACTIONS=true`).
    GithubActions,
    /// GitLab CI (`GITLAB_CI=true`).
    GitlabCi,
    /// A developer's machine or another CI: the context comes from git.
    #[default]
    Local,
}

/// Whether the ref is a branch, a tag or a pull/merge request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RefType {
    /// `refs/heads/…`.
    Branch,
    /// `refs/tags/…`.
    Tag,
    /// `refs/pull/N/merge` (GitHub) or `refs/merge-requests/N/head` (GitLab).
    PullRequest,
}

/// What a run is for: provider, event, ref, commit and repository. A field is `None` when
/// the CI or git does not say.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct CiContext {
    /// The CI system.
    pub provider: CiProvider,
    /// The event: GitHub's `push`, `pull_request`, `schedule`…; GitLab's pipeline source
    /// (`push`, `merge_request_event`, `schedule`…).
    pub event_name: Option<String>,
    /// The full ref: `refs/heads/main`, `refs/tags/v1.2.3`, `refs/pull/7/merge`,
    /// `refs/merge-requests/7/head`.
    pub ref_full: Option<String>,
    /// The short ref name: `main`, `v1.2.3`, `7/merge` on GitHub; on a GitLab merge
    /// request, the source branch (`CI_COMMIT_REF_NAME`).
    pub ref_name: Option<String>,
    /// The kind of ref.
    pub ref_type: Option<RefType>,
    /// The commit being built (40 hex).
    pub sha: Option<String>,
    /// The repository's default branch.
    pub default_branch: Option<String>,
    /// The pull/merge request number.
    pub pr_number: Option<u64>,
    /// The pull/merge request's head commit (GitHub builds a merge commit, `sha`, on top).
    pub pr_head_sha: Option<String>,
    /// The pull/merge request's target branch.
    pub pr_base_ref: Option<String>,
    /// `owner/name` (GitLab: the project path, `group/subgroup/name`).
    pub repository: Option<String>,
    /// The forge's URL, e.g. `https://github.com`.
    pub server_url: Option<String>,
    /// The run or pipeline id.
    pub run_id: Option<String>,
    /// GitHub's `GITHUB_WORKFLOW_REF` (`owner/repo/.github/workflows/x.yml@refs/heads/main`),
    /// the workflow identity keyless signatures carry.
    pub workflow_ref: Option<String>,
    /// Who triggered the run.
    pub actor: Option<String>,
    /// The commit's timestamp (RFC 3339), when the payload or git has it.
    pub commit_timestamp: Option<String>,
}

/// Why the CI context could not be read.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum CiError {
    /// The GitHub event payload cannot be read.
    #[error("cannot read the GitHub event payload {}", path.display())]
    #[diagnostic(
        code("ci-event-payload"),
        help("GITHUB_EVENT_PATH must name the event JSON file the runner wrote")
    )]
    ReadPayload {
        /// `GITHUB_EVENT_PATH`.
        path: PathBuf,
        /// What went wrong.
        #[source]
        source: std::io::Error,
    },
    /// The GitHub event payload is not JSON.
    #[error("the GitHub event payload {} is not valid JSON", path.display())]
    #[diagnostic(
        code("ci-event-payload"),
        help("GITHUB_EVENT_PATH must name the event JSON file the runner wrote")
    )]
    MalformedPayload {
        /// `GITHUB_EVENT_PATH`.
        path: PathBuf,
        /// The JSON error, with line and column.
        #[source]
        source: serde_json::Error,
    },
}

impl ExitStatus for CiError {
    fn exit(&self) -> Exit {
        Exit::BadInput
    }
}

fn non_empty(env: &HashMap<String, String>, key: &str) -> Option<String> {
    env.get(key).filter(|v| !v.is_empty()).cloned()
}

/// Splits a full ref into its type and short name.
fn classify(ref_full: &str) -> (Option<RefType>, String) {
    if let Some(name) = ref_full.strip_prefix("refs/heads/") {
        (Some(RefType::Branch), name.to_owned())
    } else if let Some(name) = ref_full.strip_prefix("refs/tags/") {
        (Some(RefType::Tag), name.to_owned())
    } else if let Some(name) = ref_full.strip_prefix("refs/pull/") {
        (Some(RefType::PullRequest), name.to_owned())
    } else if let Some(name) = ref_full.strip_prefix("refs/merge-requests/") {
        (Some(RefType::PullRequest), name.to_owned())
    } else {
        (None, ref_full.to_owned())
    }
}

/// The `N` of `refs/pull/N/…` or `refs/merge-requests/N/…`.
fn pr_number_of(ref_full: &str) -> Option<u64> {
    ref_full
        .strip_prefix("refs/pull/")
        .or_else(|| ref_full.strip_prefix("refs/merge-requests/"))?
        .split('/')
        .next()?
        .parse()
        .ok()
}

impl CiContext {
    /// Reads the context of this process: the process environment, and for local runs
    /// git in the current directory.
    pub fn from_process_env() -> Result<Self, CiError> {
        let env: HashMap<String, String> = std::env::vars().collect();
        let dir = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
        Self::from_env_map(&env, &dir)
    }

    /// Reads the context from `env`: GitHub Actions when `GITHUB_ACTIONS=true`, GitLab CI
    /// when `GITLAB_CI=true`, otherwise the git repository at `dir` ([`CiContext::local`]).
    pub fn from_env_map(env: &HashMap<String, String>, dir: &Path) -> Result<Self, CiError> {
        if env.get("GITHUB_ACTIONS").is_some_and(|v| v == "true") {
            Self::github(env)
        } else if env.get("GITLAB_CI").is_some_and(|v| v == "true") {
            Ok(Self::gitlab(env))
        } else {
            Ok(Self::local(dir))
        }
    }

    fn github(env: &HashMap<String, String>) -> Result<Self, CiError> {
        let payload = match non_empty(env, "GITHUB_EVENT_PATH") {
            Some(path) => read_payload(Path::new(&path))?,
            None => Value::Null,
        };
        let text = |pointer: &str| {
            payload
                .pointer(pointer)
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        let event_name = non_empty(env, "GITHUB_EVENT_NAME");
        let mut ref_full = non_empty(env, "GITHUB_REF");
        // On pull_request_target GITHUB_REF is the base branch; the PR's merge ref is meant
        // (docker/metadata-action does the same).
        if event_name.as_deref() == Some("pull_request_target")
            && let Some(number) = payload.get("number").and_then(Value::as_u64)
        {
            ref_full = Some(format!("refs/pull/{number}/merge"));
        }
        let (ref_type, ref_name) = split_ref(ref_full.as_deref());
        let sha = non_empty(env, "GITHUB_SHA");
        // The commit date: the pushed commit whose id is the sha, else head_commit if it is.
        let matches_sha = |commit: &&Value| {
            sha.is_some() && commit.get("id").and_then(Value::as_str) == sha.as_deref()
        };
        let commit_timestamp = payload
            .get("commits")
            .and_then(Value::as_array)
            .and_then(|commits| commits.iter().find(matches_sha))
            .or_else(|| payload.get("head_commit").filter(matches_sha))
            .and_then(|commit| commit.get("timestamp"))
            .and_then(Value::as_str)
            .map(str::to_owned);
        let pr_number = payload
            .pointer("/pull_request/number")
            .and_then(Value::as_u64)
            .or_else(|| ref_full.as_deref().and_then(pr_number_of));
        Ok(Self {
            provider: CiProvider::GithubActions,
            event_name,
            ref_name,
            ref_type,
            sha,
            default_branch: text("/repository/default_branch"),
            pr_number,
            pr_head_sha: text("/pull_request/head/sha"),
            pr_base_ref: text("/pull_request/base/ref")
                .or_else(|| non_empty(env, "GITHUB_BASE_REF")),
            repository: non_empty(env, "GITHUB_REPOSITORY"),
            server_url: non_empty(env, "GITHUB_SERVER_URL"),
            run_id: non_empty(env, "GITHUB_RUN_ID"),
            workflow_ref: non_empty(env, "GITHUB_WORKFLOW_REF"),
            actor: non_empty(env, "GITHUB_ACTOR"),
            commit_timestamp,
            ref_full,
        })
    }

    fn gitlab(env: &HashMap<String, String>) -> Self {
        let tag = non_empty(env, "CI_COMMIT_TAG");
        let branch = non_empty(env, "CI_COMMIT_BRANCH");
        let mr = non_empty(env, "CI_MERGE_REQUEST_IID").and_then(|v| v.parse::<u64>().ok());
        let (ref_full, ref_type) = if let Some(tag) = &tag {
            (Some(format!("refs/tags/{tag}")), Some(RefType::Tag))
        } else if let Some(number) = mr {
            (
                Some(format!("refs/merge-requests/{number}/head")),
                Some(RefType::PullRequest),
            )
        } else if let Some(branch) = &branch {
            (Some(format!("refs/heads/{branch}")), Some(RefType::Branch))
        } else {
            (None, None)
        };
        let sha = non_empty(env, "CI_COMMIT_SHA");
        // Merged-results pipelines build a merge commit; the source branch head is separate.
        let pr_head_sha = mr.and_then(|_| {
            non_empty(env, "CI_MERGE_REQUEST_SOURCE_BRANCH_SHA").or_else(|| sha.clone())
        });
        Self {
            provider: CiProvider::GitlabCi,
            event_name: non_empty(env, "CI_PIPELINE_SOURCE"),
            ref_full,
            ref_name: tag
                .or(branch)
                .or_else(|| non_empty(env, "CI_COMMIT_REF_NAME")),
            ref_type,
            sha,
            default_branch: non_empty(env, "CI_DEFAULT_BRANCH"),
            pr_number: mr,
            pr_head_sha,
            pr_base_ref: non_empty(env, "CI_MERGE_REQUEST_TARGET_BRANCH_NAME"),
            repository: non_empty(env, "CI_PROJECT_PATH"),
            server_url: non_empty(env, "CI_SERVER_URL"),
            run_id: non_empty(env, "CI_PIPELINE_ID"),
            workflow_ref: None,
            actor: non_empty(env, "GITLAB_USER_LOGIN"),
            commit_timestamp: non_empty(env, "CI_COMMIT_TIMESTAMP"),
        }
    }

    /// The context of a local checkout at `dir`, read with `git`. Every field is empty
    /// when git is missing or `dir` is not a repository; this never fails.
    ///
    /// On a detached HEAD the ref comes from the refs pointing at the commit, like
    /// docker/metadata-action's git context: a tag (the highest version when there are
    /// several), else a pull request ref (`pull/7/merge`), else a branch.
    pub fn local(dir: &Path) -> Self {
        Self::local_with(OsStr::new("git"), dir)
    }

    fn local_with(program: &OsStr, dir: &Path) -> Self {
        let git = |args: &[&str]| -> Option<String> {
            let output = Command::new(program)
                .arg("-C")
                .arg(dir)
                .args(args)
                .env("GIT_TERMINAL_PROMPT", "0")
                // `-C dir` names the repository; an inherited GIT_DIR (a hook) must not.
                .env_remove("GIT_DIR")
                .env_remove("GIT_WORK_TREE")
                .env_remove("GIT_INDEX_FILE")
                .stdin(Stdio::null())
                .stderr(Stdio::null())
                .output()
                .ok()?;
            let text = String::from_utf8_lossy(&output.stdout).trim().to_owned();
            (output.status.success() && !text.is_empty()).then_some(text)
        };
        let Some(sha) = git(&["rev-parse", "--verify", "-q", "HEAD"]) else {
            return Self::default();
        };
        let ref_full = git(&["symbolic-ref", "-q", "HEAD"]).or_else(|| {
            git(&[
                "for-each-ref",
                "--points-at",
                "HEAD",
                "--sort=-v:refname",
                "--format=%(refname)",
            ])
            .as_deref()
            .and_then(detached_ref)
        });
        let (ref_type, ref_name) = split_ref(ref_full.as_deref());
        let (server_url, repository) = git(&["config", "--get", "remote.origin.url"])
            .as_deref()
            .and_then(parse_remote)
            .map_or((None, None), |(server, repo)| (Some(server), Some(repo)));
        let default_branch = git(&["symbolic-ref", "-q", "--short", "refs/remotes/origin/HEAD"])
            .and_then(|r| r.strip_prefix("origin/").map(str::to_owned));
        Self {
            provider: CiProvider::Local,
            pr_number: ref_full.as_deref().and_then(pr_number_of),
            ref_full,
            ref_name,
            ref_type,
            commit_timestamp: git(&["show", "-s", "--format=%cI", "HEAD"]),
            sha: Some(sha),
            default_branch,
            repository,
            server_url,
            ..Self::default()
        }
    }
}

fn split_ref(ref_full: Option<&str>) -> (Option<RefType>, Option<String>) {
    match ref_full.map(classify) {
        Some((kind, name)) => (kind, Some(name)),
        None => (None, None),
    }
}

fn read_payload(path: &Path) -> Result<Value, CiError> {
    let text = fs_err::read_to_string(path).map_err(|source| CiError::ReadPayload {
        path: path.to_owned(),
        source,
    })?;
    serde_json::from_str(&text).map_err(|source| CiError::MalformedPayload {
        path: path.to_owned(),
        source,
    })
}

/// The ref of a detached HEAD from the refs pointing at it (`git for-each-ref
/// --points-at HEAD`, highest version first): a tag first, then a pull request ref
/// (`refs/remotes/pull/7/merge`, as actions/checkout fetches it), then a local branch,
/// then a remote-tracking branch.
fn detached_ref(refs: &str) -> Option<String> {
    let refs: Vec<&str> = refs.lines().map(str::trim).collect();
    let first = |prefix: &str| {
        refs.iter()
            .find_map(|r| r.strip_prefix(prefix))
            .filter(|rest| !rest.is_empty())
    };
    if let Some(tag) = first("refs/tags/") {
        return Some(format!("refs/tags/{tag}"));
    }
    let is_pull = |r: &&&str| {
        let parts: Vec<&str> = r.split('/').collect();
        parts.len() == 3
            && parts[0] == "pull"
            && !parts[1].is_empty()
            && parts[1].bytes().all(|b| b.is_ascii_digit())
            && matches!(parts[2], "merge" | "head")
    };
    let remote_branches: Vec<&str> = refs
        .iter()
        .filter_map(|r| r.strip_prefix("refs/remotes/"))
        .collect();
    if let Some(pull) = remote_branches.iter().find(is_pull) {
        return Some(format!("refs/{pull}"));
    }
    if let Some(branch) = first("refs/heads/") {
        return Some(format!("refs/heads/{branch}"));
    }
    remote_branches
        .iter()
        .filter(|r| !r.ends_with("/HEAD"))
        .find_map(|r| r.split_once('/').map(|(_, branch)| branch))
        .filter(|branch| !branch.is_empty())
        .map(|branch| format!("refs/heads/{branch}"))
}

/// Splits a GitHub or GitLab remote URL (https, ssh, `git+ssh`, `ssh+git`, git, scp-like
/// `git@host:owner/name.git`, the forges' `www.`/SSH-over-443 host names) into the server
/// URL and the `owner/name` path (GitLab: `group/…/name`). Path segments are limited to
/// letters, digits, `-`, `_` and `.` (the path becomes an image name and a signing
/// identity). Other hosts and malformed URLs give `None`.
pub fn parse_remote(url: &str) -> Option<(String, String)> {
    let url = url.trim();
    const SCHEMES: [&str; 6] = [
        "https://",
        "http://",
        "ssh://",
        "git+ssh://",
        "ssh+git://",
        "git://",
    ];
    let (authority, path) = if let Some(rest) = SCHEMES.iter().find_map(|s| url.strip_prefix(s)) {
        rest.split_once('/')?
    } else if url.contains("://") {
        return None;
    } else {
        // scp-like syntax: [user@]host:path, where the host part has no slash.
        let (authority, path) = url.split_once(':')?;
        if authority.contains('/') || path.starts_with("//") {
            return None;
        }
        (authority, path)
    };
    let host = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    let host = host.split_once(':').map_or(host, |(host, _)| host);
    let (server, nested_groups) = match host.to_ascii_lowercase().as_str() {
        "github.com" | "www.github.com" | "ssh.github.com" => ("github.com", false),
        "gitlab.com" | "www.gitlab.com" | "altssh.gitlab.com" => ("gitlab.com", true),
        _ => return None,
    };
    let path = path.trim_matches('/');
    let path = path
        .strip_suffix(".git")
        .unwrap_or(path)
        .trim_end_matches('/');
    let segments: Vec<&str> = path.split('/').collect();
    let valid_segment = |segment: &&str| {
        !segment.is_empty()
            && !segment.starts_with('.')
            && segment
                .chars()
                .all(|ch| ch.is_ascii_alphanumeric() || matches!(ch, '-' | '_' | '.'))
    };
    let count_ok = if nested_groups {
        segments.len() >= 2
    } else {
        segments.len() == 2
    };
    (count_ok && segments.iter().all(valid_segment))
        .then(|| (format!("https://{server}"), segments.join("/")))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHA: &str = "0123456789abcdef0123456789abcdef01234567";

    fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn pretty(context: &CiContext) -> String {
        serde_json::to_string_pretty(context).unwrap()
    }

    /// Writes `payload` as the event file and reads a GitHub context with `pairs`.
    fn github(payload: &str, pairs: &[(&str, &str)]) -> CiContext {
        let temp = tempfile::tempdir().unwrap();
        let event = temp.path().join("event.json");
        std::fs::write(&event, payload).unwrap();
        let mut map = env(&[
            ("GITHUB_ACTIONS", "true"),
            ("GITHUB_EVENT_PATH", event.to_str().unwrap()),
        ]);
        map.extend(env(pairs));
        CiContext::from_env_map(&map, temp.path()).unwrap()
    }

    #[test]
    fn github_tag_push() {
        let payload = format!(
            r#"{{"ref":"refs/tags/v1.2.3","repository":{{"default_branch":"main"}},
               "commits":[{{"id":"other","timestamp":"2026-01-01T00:00:00Z"}},
                          {{"id":"{SHA}","timestamp":"2026-11-23T10:00:00+01:00"}}],
               "head_commit":{{"id":"{SHA}","timestamp":"wrong"}}}}"#
        );
        let context = github(
            &payload,
            &[
                ("GITHUB_EVENT_NAME", "push"),
                ("GITHUB_REF", "refs/tags/v1.2.3"),
                ("GITHUB_SHA", SHA),
                ("GITHUB_REPOSITORY", "acme/web"),
                ("GITHUB_SERVER_URL", "https://github.com"),
                ("GITHUB_RUN_ID", "42"),
                ("GITHUB_ACTOR", "octocat"),
                (
                    "GITHUB_WORKFLOW_REF",
                    "acme/web/.github/workflows/shipgate.yml@refs/tags/v1.2.3",
                ),
                ("GITHUB_BASE_REF", ""),
            ],
        );
        insta::assert_snapshot!(pretty(&context), @r#"
        {
          "provider": "github-actions",
          "event_name": "push",
          "ref_full": "refs/tags/v1.2.3",
          "ref_name": "v1.2.3",
          "ref_type": "tag",
          "sha": "0123456789abcdef0123456789abcdef01234567",
          "default_branch": "main",
          "pr_number": null,
          "pr_head_sha": null,
          "pr_base_ref": null,
          "repository": "acme/web",
          "server_url": "https://github.com",
          "run_id": "42",
          "workflow_ref": "acme/web/.github/workflows/shipgate.yml@refs/tags/v1.2.3",
          "actor": "octocat",
          "commit_timestamp": "2026-11-23T10:00:00+01:00"
        }
        "#);
    }

    #[test]
    fn github_commit_timestamp_needs_a_matching_commit() {
        let payload = r#"{"head_commit":{"id":"abc","timestamp":"2026-11-23T10:00:00Z"}}"#;
        let matching = github(payload, &[("GITHUB_SHA", "abc")]);
        assert_eq!(
            matching.commit_timestamp.as_deref(),
            Some("2026-11-23T10:00:00Z")
        );
        let other = github(payload, &[("GITHUB_SHA", "def")]);
        assert_eq!(other.commit_timestamp, None);
        let no_sha = github(payload, &[]);
        assert_eq!(no_sha.commit_timestamp, None);
    }

    #[test]
    fn github_pull_request() {
        let payload = r#"{"number":7,"pull_request":{"number":7,"head":{"sha":"def"},"base":{"ref":"main"}},
                          "repository":{"default_branch":"main"}}"#;
        let context = github(
            payload,
            &[
                ("GITHUB_EVENT_NAME", "pull_request"),
                ("GITHUB_REF", "refs/pull/7/merge"),
                ("GITHUB_SHA", SHA),
                ("GITHUB_BASE_REF", "main"),
            ],
        );
        assert_eq!(context.ref_type, Some(RefType::PullRequest));
        assert_eq!(context.ref_name.as_deref(), Some("7/merge"));
        assert_eq!(context.pr_number, Some(7));
        assert_eq!(context.pr_head_sha.as_deref(), Some("def"));
        assert_eq!(context.pr_base_ref.as_deref(), Some("main"));
    }

    #[test]
    fn github_pull_request_target_uses_the_merge_ref() {
        let payload = r#"{"number":7,"pull_request":{"number":7,"head":{"sha":"def"},"base":{"ref":"main"}}}"#;
        let context = github(
            payload,
            &[
                ("GITHUB_EVENT_NAME", "pull_request_target"),
                ("GITHUB_REF", "refs/heads/main"),
            ],
        );
        assert_eq!(context.ref_full.as_deref(), Some("refs/pull/7/merge"));
        assert_eq!(context.ref_type, Some(RefType::PullRequest));
        assert_eq!(context.pr_number, Some(7));
    }

    #[test]
    fn github_without_payload_uses_the_environment() {
        let temp = tempfile::tempdir().unwrap();
        let context = CiContext::from_env_map(
            &env(&[
                ("GITHUB_ACTIONS", "true"),
                ("GITHUB_REF", "refs/pull/12/merge"),
                ("GITHUB_BASE_REF", "develop"),
            ]),
            temp.path(),
        )
        .unwrap();
        assert_eq!(context.pr_number, Some(12));
        assert_eq!(context.pr_base_ref.as_deref(), Some("develop"));
        assert_eq!(context.default_branch, None);
    }

    #[test]
    fn payload_errors_name_the_file() {
        let temp = tempfile::tempdir().unwrap();
        let event = temp.path().join("event.json");
        std::fs::write(&event, "{not json").unwrap();
        let read = |path: &Path| {
            CiContext::from_env_map(
                &env(&[
                    ("GITHUB_ACTIONS", "true"),
                    ("GITHUB_EVENT_PATH", path.to_str().unwrap()),
                ]),
                temp.path(),
            )
            .unwrap_err()
        };
        let malformed = read(&event);
        assert!(matches!(malformed, CiError::MalformedPayload { .. }));
        assert_eq!(malformed.exit(), Exit::BadInput);
        let rendered = crate::diagnostic::render(&malformed)
            .replace(&temp.path().display().to_string(), "[TEMP]");
        insta::assert_snapshot!(rendered, @r"
        error[ci-event-payload]: the GitHub event payload [TEMP]/event.json is not valid JSON
          = cause: key must be a string at line 1 column 2
          = hint: GITHUB_EVENT_PATH must name the event JSON file the runner wrote
        ");
        let missing = read(&temp.path().join("missing.json"));
        assert!(matches!(missing, CiError::ReadPayload { .. }));
        assert!(missing.to_string().contains("missing.json"));
    }

    #[test]
    fn gitlab_branch_tag_and_merge_request() {
        let branch = CiContext::from_env_map(
            &env(&[
                ("GITLAB_CI", "true"),
                ("CI_PIPELINE_SOURCE", "push"),
                ("CI_COMMIT_BRANCH", "main"),
                ("CI_COMMIT_REF_NAME", "main"),
                ("CI_COMMIT_SHA", SHA),
                ("CI_DEFAULT_BRANCH", "main"),
                ("CI_PROJECT_PATH", "group/sub/web"),
                ("CI_SERVER_URL", "https://gitlab.example.com"),
                ("CI_PIPELINE_ID", "1001"),
                ("GITLAB_USER_LOGIN", "dev"),
                ("CI_COMMIT_TIMESTAMP", "2026-11-23T10:00:00+00:00"),
                ("CI_COMMIT_TAG", ""),
            ]),
            Path::new("."),
        )
        .unwrap();
        insta::assert_snapshot!(pretty(&branch), @r#"
        {
          "provider": "gitlab-ci",
          "event_name": "push",
          "ref_full": "refs/heads/main",
          "ref_name": "main",
          "ref_type": "branch",
          "sha": "0123456789abcdef0123456789abcdef01234567",
          "default_branch": "main",
          "pr_number": null,
          "pr_head_sha": null,
          "pr_base_ref": null,
          "repository": "group/sub/web",
          "server_url": "https://gitlab.example.com",
          "run_id": "1001",
          "workflow_ref": null,
          "actor": "dev",
          "commit_timestamp": "2026-11-23T10:00:00+00:00"
        }
        "#);

        let tag = CiContext::from_env_map(
            &env(&[
                ("GITLAB_CI", "true"),
                ("CI_COMMIT_TAG", "v2.0.0"),
                ("CI_COMMIT_REF_NAME", "v2.0.0"),
            ]),
            Path::new("."),
        )
        .unwrap();
        assert_eq!(tag.ref_full.as_deref(), Some("refs/tags/v2.0.0"));
        assert_eq!(tag.ref_type, Some(RefType::Tag));
        assert_eq!(tag.ref_name.as_deref(), Some("v2.0.0"));

        let mr = CiContext::from_env_map(
            &env(&[
                ("GITLAB_CI", "true"),
                ("CI_PIPELINE_SOURCE", "merge_request_event"),
                ("CI_MERGE_REQUEST_IID", "12"),
                ("CI_MERGE_REQUEST_TARGET_BRANCH_NAME", "main"),
                ("CI_COMMIT_REF_NAME", "feature"),
                ("CI_COMMIT_SHA", SHA),
            ]),
            Path::new("."),
        )
        .unwrap();
        assert_eq!(mr.ref_full.as_deref(), Some("refs/merge-requests/12/head"));
        assert_eq!(mr.ref_type, Some(RefType::PullRequest));
        assert_eq!(mr.ref_name.as_deref(), Some("feature"));
        assert_eq!(mr.pr_number, Some(12));
        assert_eq!(mr.pr_head_sha.as_deref(), Some(SHA));
        assert_eq!(mr.pr_base_ref.as_deref(), Some("main"));

        let merged_results = CiContext::from_env_map(
            &env(&[
                ("GITLAB_CI", "true"),
                ("CI_MERGE_REQUEST_IID", "12"),
                ("CI_COMMIT_SHA", SHA),
                ("CI_MERGE_REQUEST_SOURCE_BRANCH_SHA", "feedface"),
            ]),
            Path::new("."),
        )
        .unwrap();
        assert_eq!(merged_results.pr_head_sha.as_deref(), Some("feedface"));
    }

    /// A git repository in a temporary directory, isolated from the user's git config.
    struct Repo {
        dir: tempfile::TempDir,
    }

    impl Repo {
        fn new() -> Self {
            let repo = Self {
                dir: tempfile::tempdir().unwrap(),
            };
            repo.git(&["init", "-q", "-b", "trunk"]);
            repo
        }

        fn path(&self) -> &Path {
            self.dir.path()
        }

        fn git(&self, args: &[&str]) -> String {
            let output = Command::new("git")
                .arg("-C")
                .arg(self.path())
                .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
                .args(["-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false"])
                .args(args)
                .env("GIT_CONFIG_NOSYSTEM", "1")
                .env("GIT_CONFIG_GLOBAL", "/dev/null")
                .output()
                .unwrap();
            assert!(
                output.status.success(),
                "git {args:?}: {}",
                String::from_utf8_lossy(&output.stderr)
            );
            String::from_utf8_lossy(&output.stdout).trim().to_owned()
        }

        fn commit(&self, message: &str) -> String {
            self.git(&["commit", "-q", "--allow-empty", "-m", message]);
            self.git(&["rev-parse", "HEAD"])
        }
    }

    #[test]
    fn local_branch() {
        let repo = Repo::new();
        repo.git(&["remote", "add", "origin", "git@github.com:acme/web.git"]);
        let sha = repo.commit("first");
        repo.git(&["update-ref", "refs/remotes/origin/trunk", "HEAD"]);
        repo.git(&[
            "symbolic-ref",
            "refs/remotes/origin/HEAD",
            "refs/remotes/origin/trunk",
        ]);
        let context = CiContext::from_env_map(&HashMap::new(), repo.path()).unwrap();
        assert_eq!(context.provider, CiProvider::Local);
        assert_eq!(context.ref_full.as_deref(), Some("refs/heads/trunk"));
        assert_eq!(context.ref_name.as_deref(), Some("trunk"));
        assert_eq!(context.ref_type, Some(RefType::Branch));
        assert_eq!(context.sha.as_deref(), Some(sha.as_str()));
        assert_eq!(context.repository.as_deref(), Some("acme/web"));
        assert_eq!(context.server_url.as_deref(), Some("https://github.com"));
        assert_eq!(context.default_branch.as_deref(), Some("trunk"));
        let timestamp = context.commit_timestamp.unwrap();
        assert!(
            timestamp.len() >= 20 && timestamp.contains('T'),
            "{timestamp}"
        );
    }

    #[test]
    fn local_detached_heads() {
        let repo = Repo::new();
        repo.commit("first");
        repo.git(&["tag", "v1.9.0"]);
        repo.git(&["tag", "-a", "v1.10.0", "-m", "release"]);
        repo.git(&["checkout", "-q", "--detach"]);
        // The highest version wins, annotated or not.
        let tagged = CiContext::local(repo.path());
        assert_eq!(tagged.ref_full.as_deref(), Some("refs/tags/v1.10.0"));
        assert_eq!(tagged.ref_type, Some(RefType::Tag));

        // A commit only a remote-tracking branch points at.
        repo.git(&["checkout", "-q", "trunk"]);
        repo.commit("second");
        repo.git(&["update-ref", "refs/remotes/origin/feature/x", "HEAD"]);
        repo.git(&["update-ref", "refs/remotes/origin/HEAD", "HEAD"]);
        repo.git(&["checkout", "-q", "--detach"]);
        repo.git(&["update-ref", "-d", "refs/heads/trunk"]);
        let remote = CiContext::local(repo.path());
        assert_eq!(remote.ref_full.as_deref(), Some("refs/heads/feature/x"));

        // A pull request merge commit fetched by actions/checkout.
        repo.git(&["update-ref", "refs/remotes/pull/7/merge", "HEAD"]);
        let pull = CiContext::local(repo.path());
        assert_eq!(pull.ref_full.as_deref(), Some("refs/pull/7/merge"));
        assert_eq!(pull.ref_type, Some(RefType::PullRequest));
        assert_eq!(pull.pr_number, Some(7));

        // Nothing points at it.
        repo.commit("third");
        let bare = CiContext::local(repo.path());
        assert!(bare.sha.is_some());
        assert_eq!(bare.ref_full, None);
        assert_eq!(bare.ref_type, None);
    }

    #[test]
    fn no_repository_no_commit_or_no_git_give_an_empty_context() {
        let temp = tempfile::tempdir().unwrap();
        assert_eq!(CiContext::local(temp.path()), CiContext::default());
        let empty = Repo::new();
        assert_eq!(CiContext::local(empty.path()), CiContext::default());
        let repo = Repo::new();
        repo.commit("first");
        let missing = CiContext::local_with(OsStr::new("shipgate-no-such-git"), repo.path());
        assert_eq!(missing, CiContext::default());
        assert_eq!(missing.provider, CiProvider::Local);
    }

    #[test]
    fn remotes() {
        for (url, expected) in [
            (
                "https://github.com/acme/web.git",
                Some(("https://github.com", "acme/web")),
            ),
            (
                "https://github.com/acme/web",
                Some(("https://github.com", "acme/web")),
            ),
            (
                "https://github.com/acme/web/",
                Some(("https://github.com", "acme/web")),
            ),
            (
                "git@github.com:acme/web.git",
                Some(("https://github.com", "acme/web")),
            ),
            (
                "ssh://git@github.com:22/acme/web.git",
                Some(("https://github.com", "acme/web")),
            ),
            (
                "https://x-access-token:secret@github.com/acme/web",
                Some(("https://github.com", "acme/web")),
            ),
            (
                "https://GitHub.com/acme/web.js.git",
                Some(("https://github.com", "acme/web.js")),
            ),
            (
                "ssh://git@gitlab.com/group/sub/web",
                Some(("https://gitlab.com", "group/sub/web")),
            ),
            (
                "git@gitlab.com:group/web.git",
                Some(("https://gitlab.com", "group/web")),
            ),
            ("https://github.com/acme", None),
            ("https://github.com/acme/web/tree/main", None),
            ("https://example.com/acme/web", None),
            ("file:///srv/git/web.git", None),
            ("/srv/git/web.git", None),
            ("../web", None),
            ("not a url", None),
            ("", None),
        ] {
            assert_eq!(
                parse_remote(url),
                expected.map(|(s, r)| (s.to_owned(), r.to_owned())),
                "{url}"
            );
        }
    }

    #[test]
    fn detached_ref_preference() {
        assert_eq!(
            detached_ref("refs/heads/main\nrefs/remotes/origin/main\nrefs/tags/v1"),
            Some("refs/tags/v1".to_owned())
        );
        assert_eq!(
            detached_ref("refs/remotes/origin/main\nrefs/heads/feature/x"),
            Some("refs/heads/feature/x".to_owned())
        );
        assert_eq!(
            detached_ref("refs/remotes/origin/HEAD\nrefs/remotes/origin/main"),
            Some("refs/heads/main".to_owned())
        );
        assert_eq!(
            detached_ref("refs/remotes/pull/3/head"),
            Some("refs/pull/3/head".to_owned())
        );
        assert_eq!(detached_ref("refs/stash"), None);
        assert_eq!(detached_ref(""), None);
    }
}
