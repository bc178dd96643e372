//! Repository metadata from the GitHub REST API: `GET /repos/{owner}/{repo}`, as
//! docker/metadata-action reads it for the title, description, url, source and licenses
//! labels and the `edge` default branch.
//!
//! A failed or slow request is never a plan failure: the caller warns once and leaves the
//! repository labels out.

use std::collections::HashMap;
use std::time::Duration;

use serde_json::Value;

use crate::meta::RepoMetadata;

/// The public API's base URL, used when `GITHUB_API_URL` is unset.
pub const DEFAULT_API_URL: &str = "https://api.github.com";

/// How long the request may take in all (connecting included).
pub const API_TIMEOUT: Duration = Duration::from_secs(5);

/// Why the repository metadata could not be fetched (a warning, never an error).
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// The HTTP client could not be set up or the request failed (offline, refused,
    /// timed out, TLS).
    #[error("{0}")]
    Request(String),
    /// The API answered with an error status.
    #[error("HTTP {status}{}", message.as_deref().map(|m| format!(" ({m})")).unwrap_or_default())]
    Status {
        /// The status code.
        status: u16,
        /// The API's `message`, when it sent one.
        message: Option<String>,
    },
    /// The body is not the JSON object expected.
    #[error("unexpected answer: {0}")]
    Body(String),
}

/// Where the repository metadata is fetched from.
#[derive(Clone, PartialEq, Eq)]
pub struct RepoApi {
    /// The API base URL (`GITHUB_API_URL`, e.g. `https://ghe.example.com/api/v3`).
    pub base_url: String,
    /// `owner/repo` (`GITHUB_REPOSITORY`).
    pub repository: String,
    /// The token sent as `Authorization: Bearer` (the action's `github-token` input,
    /// `INPUT_GITHUB-TOKEN`, else `GITHUB_TOKEN`).
    pub token: Option<String>,
    /// The request timeout.
    pub timeout: Duration,
}

/// Shows whether a token is set, never the token.
impl std::fmt::Debug for RepoApi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RepoApi")
            .field("base_url", &self.base_url)
            .field("repository", &self.repository)
            .field("token", &self.token.as_ref().map(|_| "***"))
            .field("timeout", &self.timeout)
            .finish()
    }
}

fn non_empty<'a>(env: &'a HashMap<String, String>, key: &str) -> Option<&'a str> {
    env.get(key).map(|v| v.trim()).filter(|v| !v.is_empty())
}

impl RepoApi {
    /// The request `env` describes, or `None` when `GITHUB_REPOSITORY` is unset (not a
    /// GitHub repository: nothing to ask).
    pub fn from_env(env: &HashMap<String, String>) -> Option<Self> {
        let repository = non_empty(env, "GITHUB_REPOSITORY")?.to_owned();
        let base_url = non_empty(env, "GITHUB_API_URL")
            .unwrap_or(DEFAULT_API_URL)
            .trim_end_matches('/')
            .to_owned();
        let token = non_empty(env, "INPUT_GITHUB-TOKEN")
            .or_else(|| non_empty(env, "GITHUB_TOKEN"))
            .map(str::to_owned);
        Some(Self {
            base_url,
            repository,
            token,
            timeout: API_TIMEOUT,
        })
    }

    /// `{base_url}/repos/{owner}/{repo}`.
    pub fn url(&self) -> String {
        format!("{}/repos/{}", self.base_url, self.repository)
    }

    /// `{base_url}/repos/{owner}/{repo}/commits/{sha}`.
    pub fn commit_url(&self, sha: &str) -> String {
        format!("{}/commits/{sha}", self.url())
    }

    /// Sends `GET /repos/{owner}/{repo}` and reads the fields the labels use.
    pub fn fetch(&self) -> Result<RepoMetadata, FetchError> {
        Ok(RepoMetadata::from_api_json(&self.get(&self.url())?))
    }

    /// Sends `GET /repos/{owner}/{repo}/commits/{sha}` and reads the committer date
    /// (RFC 3339), as docker/metadata-action does when the event payload lacks the commit.
    pub fn fetch_commit_date(&self, sha: &str) -> Result<String, FetchError> {
        self.get(&self.commit_url(sha))?
            .pointer("/commit/committer/date")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| FetchError::Body("no `commit.committer.date`".to_owned()))
    }

    /// A `GET` of `url` whose answer must be a JSON object.
    fn get(&self, url: &str) -> Result<Value, FetchError> {
        let client = reqwest::blocking::Client::builder()
            .user_agent(concat!("shipgate-buildx-plan/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(self.timeout)
            .timeout(self.timeout)
            .build()
            .map_err(request_error)?;
        let mut request = client
            .get(url)
            .header("Accept", "application/vnd.github+json")
            .header("X-GitHub-Api-Version", "2022-11-28");
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        let response = request.send().map_err(request_error)?;
        let status = response.status();
        let text = response.text().map_err(request_error)?;
        let body: Option<Value> = serde_json::from_str(&text).ok();
        if !status.is_success() {
            return Err(FetchError::Status {
                status: status.as_u16(),
                message: body
                    .as_ref()
                    .and_then(|b| b.get("message"))
                    .and_then(Value::as_str)
                    .map(str::to_owned),
            });
        }
        match body {
            Some(value @ Value::Object(_)) => Ok(value),
            Some(_) => Err(FetchError::Body("not an object".to_owned())),
            None => Err(FetchError::Body(
                serde_json::from_str::<Value>(&text)
                    .err()
                    .map(|e| e.to_string())
                    .unwrap_or_default(),
            )),
        }
    }
}

/// A request error on one line, without the URL the warning already names.
fn request_error(error: reqwest::Error) -> FetchError {
    FetchError::Request(shipgate_core::diagnostic::error_chain(&error.without_url()))
}
