//! The CI context: which CI runs us, and the event, ref and commit it runs for.
//!
//! Read from GitHub Actions' environment and event payload, from GitLab CI's predefined
//! variables, or, for local runs, from the git repository. Everything is read from an
//! environment map passed in, so tests never depend on the process environment.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

/// The CI system a command runs under.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum CiProvider {
    /// GitHub Actions (`GITHUB_ACTIONS=true`).
    GithubActions,
    /// GitLab CI (`GITLAB_CI=true`).
    GitlabCi,
    /// A developer's machine or an unknown CI: context comes from git.
    #[default]
    Local,
}

/// Whether the ref is a branch, a tag or a pull/merge request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefType {
    /// `refs/heads/…`.
    Branch,
    /// `refs/tags/…`.
    Tag,
    /// `refs/pull/N/merge` or a GitLab merge request.
    PullRequest,
}

/// What a run is for: provider, event, ref, commit and repository.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CiContext {
    /// The CI system.
    pub provider: CiProvider,
    /// The event name (`push`, `pull_request`, `schedule`, GitLab's pipeline source…).
    pub event_name: Option<String>,
    /// The full ref: `refs/heads/main`, `refs/tags/v1.2.3`, `refs/pull/7/merge`.
    pub ref_full: Option<String>,
    /// The short ref name: `main`, `v1.2.3`, `7/merge`.
    pub ref_name: Option<String>,
    /// The kind of ref.
    pub ref_type: Option<RefType>,
    /// The commit being built (40 hex).
    pub sha: Option<String>,
    /// The repository's default branch.
    pub default_branch: Option<String>,
    /// The pull/merge request number.
    pub pr_number: Option<u64>,
    /// The pull request's head commit (GitHub's `pull_request.head.sha`).
    pub pr_head_sha: Option<String>,
    /// The pull request's base branch.
    pub pr_base_ref: Option<String>,
    /// `owner/name` (GitLab: the project path).
    pub repository: Option<String>,
    /// The forge's URL, e.g. `https://github.com`.
    pub server_url: Option<String>,
    /// The run or pipeline id.
    pub run_id: Option<String>,
    /// GitHub's `GITHUB_WORKFLOW_REF` (`owner/repo/.github/workflows/x.yml@refs/heads/main`).
    pub workflow_ref: Option<String>,
    /// Who triggered the run.
    pub actor: Option<String>,
    /// The commit's timestamp (RFC 3339), when the payload or git has it.
    pub commit_timestamp: Option<String>,
}

/// Why the CI context could not be read.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum CiError {
    /// The GitHub event payload is not readable JSON.
    #[error("cannot read the GitHub event payload {}", path.display())]
    #[diagnostic(
        code("ci-event-payload"),
        help("GITHUB_EVENT_PATH must point at the event JSON the runner wrote")
    )]
    EventPayload {
        /// `GITHUB_EVENT_PATH`.
        path: PathBuf,
        /// What went wrong.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

fn non_empty(env: &HashMap<String, String>, key: &str) -> Option<String> {
    env.get(key).filter(|v| !v.is_empty()).cloned()
}

fn classify(ref_full: &str) -> (Option<RefType>, String) {
    if let Some(name) = ref_full.strip_prefix("refs/heads/") {
        (Some(RefType::Branch), name.to_owned())
    } else if let Some(name) = ref_full.strip_prefix("refs/tags/") {
        (Some(RefType::Tag), name.to_owned())
    } else if let Some(name) = ref_full.strip_prefix("refs/pull/") {
        (Some(RefType::PullRequest), name.to_owned())
    } else {
        (None, ref_full.to_owned())
    }
}

impl CiContext {
    /// Reads the context of this process (git runs in the current directory when local).
    pub fn from_process_env() -> Result<Self, CiError> {
        let env: HashMap<String, String> = std::env::vars().collect();
        let dir = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
        Self::from_env_map(&env, &dir)
    }

    /// Reads the context from `env`; when no CI is detected, from git in `dir`.
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
            Some(path) => {
                let path = PathBuf::from(path);
                let text = fs_err::read_to_string(&path).map_err(|e| CiError::EventPayload {
                    path: path.clone(),
                    source: Box::new(e),
                })?;
                serde_json::from_str::<Value>(&text).map_err(|e| CiError::EventPayload {
                    path,
                    source: Box::new(e),
                })?
            }
            None => Value::Null,
        };
        let text = |pointer: &str| {
            payload
                .pointer(pointer)
                .and_then(Value::as_str)
                .map(str::to_owned)
        };
        let event_name = non_empty(env, "GITHUB_EVENT_NAME");
        let mut ref_full = non_empty(env, "GITHUB_REF");
        // On pull_request_target GITHUB_REF is the base branch; the PR's merge ref is meant.
        if event_name
            .as_deref()
            .is_some_and(|e| e.starts_with("pull_request_target"))
            && let Some(number) = payload.get("number").and_then(Value::as_u64)
        {
            ref_full = Some(format!("refs/pull/{number}/merge"));
        }
        let (ref_type, ref_name) = match ref_full.as_deref().map(classify) {
            Some((kind, name)) => (kind, Some(name)),
            None => (None, None),
        };
        let sha = non_empty(env, "GITHUB_SHA");
        let commit_timestamp = payload
            .get("commits")
            .and_then(Value::as_array)
            .and_then(|commits| {
                commits
                    .iter()
                    .find(|c| c.get("id").and_then(Value::as_str) == sha.as_deref())
            })
            .and_then(|c| c.get("timestamp").and_then(Value::as_str))
            .map(str::to_owned)
            .or_else(|| {
                let head = payload.get("head_commit")?;
                (head.get("id").and_then(Value::as_str) == sha.as_deref())
                    .then(|| head.get("timestamp").and_then(Value::as_str))
                    .flatten()
                    .map(str::to_owned)
            });
        Ok(Self {
            provider: CiProvider::GithubActions,
            event_name,
            ref_full,
            ref_name,
            ref_type,
            sha,
            default_branch: text("/repository/default_branch"),
            pr_number: payload
                .pointer("/pull_request/number")
                .and_then(Value::as_u64),
            pr_head_sha: text("/pull_request/head/sha"),
            pr_base_ref: text("/pull_request/base/ref")
                .or_else(|| non_empty(env, "GITHUB_BASE_REF")),
            repository: non_empty(env, "GITHUB_REPOSITORY"),
            server_url: non_empty(env, "GITHUB_SERVER_URL"),
            run_id: non_empty(env, "GITHUB_RUN_ID"),
            workflow_ref: non_empty(env, "GITHUB_WORKFLOW_REF"),
            actor: non_empty(env, "GITHUB_ACTOR"),
            commit_timestamp,
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
        Self {
            provider: CiProvider::GitlabCi,
            event_name: non_empty(env, "CI_PIPELINE_SOURCE"),
            ref_full,
            ref_name: tag
                .or(branch)
                .or_else(|| non_empty(env, "CI_COMMIT_REF_NAME")),
            ref_type,
            sha: non_empty(env, "CI_COMMIT_SHA"),
            default_branch: non_empty(env, "CI_DEFAULT_BRANCH"),
            pr_number: mr,
            pr_head_sha: non_empty(env, "CI_MERGE_REQUEST_SOURCE_BRANCH_SHA"),
            pr_base_ref: non_empty(env, "CI_MERGE_REQUEST_TARGET_BRANCH_NAME"),
            repository: non_empty(env, "CI_PROJECT_PATH"),
            server_url: non_empty(env, "CI_SERVER_URL"),
            run_id: non_empty(env, "CI_PIPELINE_ID"),
            workflow_ref: None,
            actor: non_empty(env, "GITLAB_USER_LOGIN"),
            commit_timestamp: non_empty(env, "CI_COMMIT_TIMESTAMP"),
        }
    }

    /// The context of a local checkout; every field is empty when git is missing or `dir`
    /// is not a repository.
    pub fn local(dir: &Path) -> Self {
        let git = |args: &[&str]| -> Option<String> {
            let output = Command::new("git")
                .arg("-C")
                .arg(dir)
                .args(args)
                .output()
                .ok()?;
            let text = String::from_utf8_lossy(&output.stdout).trim().to_owned();
            (output.status.success() && !text.is_empty()).then_some(text)
        };
        let sha = git(&["rev-parse", "--verify", "-q", "HEAD"]);
        let ref_full = git(&["symbolic-ref", "-q", "HEAD"]).or_else(|| {
            git(&["describe", "--tags", "--exact-match", "HEAD"]).map(|t| format!("refs/tags/{t}"))
        });
        let (ref_type, ref_name) = match ref_full.as_deref().map(classify) {
            Some((kind, name)) => (kind, Some(name)),
            None => (None, None),
        };
        let remote = git(&["config", "--get", "remote.origin.url"]);
        let (server_url, repository) = remote
            .as_deref()
            .and_then(parse_remote)
            .map_or((None, None), |(server, repo)| (Some(server), Some(repo)));
        let default_branch = git(&["symbolic-ref", "-q", "--short", "refs/remotes/origin/HEAD"])
            .map(|r| r.trim_start_matches("origin/").to_owned());
        Self {
            provider: CiProvider::Local,
            event_name: None,
            ref_full,
            ref_name,
            ref_type,
            commit_timestamp: sha
                .as_ref()
                .and_then(|_| git(&["show", "-s", "--format=%cI", "HEAD"])),
            sha,
            default_branch,
            repository,
            server_url,
            ..Self::default()
        }
    }
}

/// Splits a GitHub or GitLab remote URL (https, ssh, scp-like) into the server URL and
/// the `owner/name` path. Other hosts and malformed URLs give `None`.
pub fn parse_remote(url: &str) -> Option<(String, String)> {
    let url = url.trim();
    let (host, path) = if let Some(rest) = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .or_else(|| url.strip_prefix("ssh://"))
        .or_else(|| url.strip_prefix("git://"))
    {
        let (authority, path) = rest.split_once('/')?;
        let host = authority.rsplit('@').next()?.split(':').next()?;
        (host, path)
    } else {
        // scp-like: git@github.com:owner/name.git
        let (user_host, path) = url.split_once(':')?;
        (user_host.rsplit('@').next()?, path)
    };
    if host != "github.com" && host != "gitlab.com" {
        return None;
    }
    let path = path.trim_matches('/').trim_end_matches(".git");
    if path.split('/').count() < 2 || path.split('/').any(str::is_empty) {
        return None;
    }
    Some((format!("https://{host}"), path.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn github_push_with_payload() {
        let temp = tempfile::tempdir().unwrap();
        let event = temp.path().join("event.json");
        std::fs::write(
            &event,
            r#"{"repository":{"default_branch":"main"},"head_commit":{"id":"abc","timestamp":"2026-11-23T10:00:00Z"}}"#,
        )
        .unwrap();
        let context = CiContext::from_env_map(
            &env(&[
                ("GITHUB_ACTIONS", "true"),
                ("GITHUB_EVENT_NAME", "push"),
                ("GITHUB_REF", "refs/tags/v1.2.3"),
                ("GITHUB_SHA", "abc"),
                ("GITHUB_REPOSITORY", "acme/web"),
                ("GITHUB_EVENT_PATH", event.to_str().unwrap()),
            ]),
            temp.path(),
        )
        .unwrap();
        assert_eq!(context.provider, CiProvider::GithubActions);
        assert_eq!(context.ref_type, Some(RefType::Tag));
        assert_eq!(context.ref_name.as_deref(), Some("v1.2.3"));
        assert_eq!(context.default_branch.as_deref(), Some("main"));
        assert_eq!(
            context.commit_timestamp.as_deref(),
            Some("2026-11-23T10:00:00Z")
        );
    }

    #[test]
    fn github_pull_request_target_uses_the_merge_ref() {
        let temp = tempfile::tempdir().unwrap();
        let event = temp.path().join("event.json");
        std::fs::write(
            &event,
            r#"{"number":7,"pull_request":{"number":7,"head":{"sha":"def"},"base":{"ref":"main"}}}"#,
        )
        .unwrap();
        let context = CiContext::from_env_map(
            &env(&[
                ("GITHUB_ACTIONS", "true"),
                ("GITHUB_EVENT_NAME", "pull_request_target"),
                ("GITHUB_REF", "refs/heads/main"),
                ("GITHUB_EVENT_PATH", event.to_str().unwrap()),
            ]),
            temp.path(),
        )
        .unwrap();
        assert_eq!(context.ref_full.as_deref(), Some("refs/pull/7/merge"));
        assert_eq!(context.ref_type, Some(RefType::PullRequest));
        assert_eq!(context.pr_head_sha.as_deref(), Some("def"));
        assert_eq!(context.pr_base_ref.as_deref(), Some("main"));
    }

    #[test]
    fn malformed_payload_is_an_error_naming_the_file() {
        let temp = tempfile::tempdir().unwrap();
        let event = temp.path().join("event.json");
        std::fs::write(&event, "{not json").unwrap();
        let error = CiContext::from_env_map(
            &env(&[
                ("GITHUB_ACTIONS", "true"),
                ("GITHUB_EVENT_PATH", event.to_str().unwrap()),
            ]),
            temp.path(),
        )
        .unwrap_err();
        assert!(error.to_string().contains("event.json"));
    }

    #[test]
    fn gitlab_merge_request_and_tag() {
        let mr = CiContext::from_env_map(
            &env(&[
                ("GITLAB_CI", "true"),
                ("CI_MERGE_REQUEST_IID", "12"),
                ("CI_COMMIT_REF_NAME", "feature"),
                ("CI_COMMIT_SHA", "abc"),
                ("CI_PROJECT_PATH", "group/sub/web"),
            ]),
            Path::new("."),
        )
        .unwrap();
        assert_eq!(mr.ref_type, Some(RefType::PullRequest));
        assert_eq!(mr.pr_number, Some(12));
        assert_eq!(mr.repository.as_deref(), Some("group/sub/web"));
        let tag = CiContext::from_env_map(
            &env(&[("GITLAB_CI", "true"), ("CI_COMMIT_TAG", "v2.0.0")]),
            Path::new("."),
        )
        .unwrap();
        assert_eq!(tag.ref_full.as_deref(), Some("refs/tags/v2.0.0"));
    }

    #[test]
    fn local_git_repository() {
        let temp = tempfile::tempdir().unwrap();
        let git = |args: &[&str]| {
            let status = Command::new("git")
                .arg("-C")
                .arg(temp.path())
                .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
                .args(args)
                .output()
                .unwrap();
            assert!(status.status.success(), "{args:?}");
        };
        git(&["init", "-q", "-b", "trunk"]);
        git(&["remote", "add", "origin", "git@github.com:acme/web.git"]);
        git(&["commit", "-q", "--allow-empty", "-m", "first"]);
        let context = CiContext::from_env_map(&HashMap::new(), temp.path()).unwrap();
        assert_eq!(context.provider, CiProvider::Local);
        assert_eq!(context.ref_full.as_deref(), Some("refs/heads/trunk"));
        assert_eq!(context.sha.as_ref().map(String::len), Some(40));
        assert_eq!(context.repository.as_deref(), Some("acme/web"));
        assert!(context.commit_timestamp.is_some());
        git(&["tag", "v1.0.0"]);
        git(&["checkout", "-q", "--detach"]);
        let detached = CiContext::local(temp.path());
        assert_eq!(detached.ref_full.as_deref(), Some("refs/tags/v1.0.0"));
    }

    #[test]
    fn not_a_repository_gives_an_empty_context() {
        let temp = tempfile::tempdir().unwrap();
        let context = CiContext::local(temp.path());
        assert_eq!(context.sha, None);
        assert_eq!(context.ref_full, None);
    }

    #[test]
    fn remotes() {
        for (url, expected) in [
            (
                "https://github.com/acme/web.git",
                Some(("https://github.com", "acme/web")),
            ),
            (
                "git@github.com:acme/web.git",
                Some(("https://github.com", "acme/web")),
            ),
            (
                "ssh://git@gitlab.com/group/sub/web",
                Some(("https://gitlab.com", "group/sub/web")),
            ),
            (
                "https://token@github.com/acme/web",
                Some(("https://github.com", "acme/web")),
            ),
            ("https://example.com/acme/web", None),
            ("not a url", None),
        ] {
            assert_eq!(
                parse_remote(url),
                expected.map(|(s, r)| (s.to_owned(), r.to_owned())),
                "{url}"
            );
        }
    }
}
