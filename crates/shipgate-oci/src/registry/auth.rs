//! Registry credentials: from the environment (`SHIPGATE_REGISTRY_USERNAME` /
//! `SHIPGATE_REGISTRY_PASSWORD`, `GITHUB_TOKEN` for ghcr.io) and from docker's
//! `config.json` (`auths`, `credHelpers`, `credsStore`, the `docker-credential-*`
//! protocol). Secrets never appear in `Debug` output or in errors.

use std::collections::HashMap;
use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use base64::Engine;
use serde::Deserialize;

use crate::{Error, Result};

/// Environment variable: the user name for every registry.
pub const ENV_USERNAME: &str = "SHIPGATE_REGISTRY_USERNAME";
/// Environment variable: the password or token for every registry.
pub const ENV_PASSWORD: &str = "SHIPGATE_REGISTRY_PASSWORD";
/// Environment variable: GitHub's token, used for ghcr.io.
pub const ENV_GITHUB_TOKEN: &str = "GITHUB_TOKEN";

/// A password or token: shown as `***` by `Debug` and never in `Display`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret itself, for the one place that sends it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// A user name and password (or identity token) for one registry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    /// The user name.
    pub username: String,
    /// The password or token.
    pub password: Secret,
}

/// Where credentials are looked up, in order: the `SHIPGATE_REGISTRY_*` variables, docker's
/// `config.json` (credential helpers included), then `GITHUB_TOKEN` for ghcr.io.
#[derive(Clone, Default)]
pub struct CredentialSource {
    env: HashMap<String, String>,
    docker_config: Option<PathBuf>,
}

/// Names the variables that are set, never their values.
impl fmt::Debug for CredentialSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut set: Vec<&str> = self.env.keys().map(String::as_str).collect();
        set.sort_unstable();
        f.debug_struct("CredentialSource")
            .field("env_set", &set)
            .field("docker_config", &self.docker_config)
            .finish()
    }
}

impl CredentialSource {
    /// Reads the process environment; docker's config is `$DOCKER_CONFIG/config.json` or
    /// `~/.docker/config.json`.
    pub fn from_process() -> Self {
        let env: HashMap<String, String> =
            [ENV_USERNAME, ENV_PASSWORD, ENV_GITHUB_TOKEN, "GITHUB_ACTOR"]
                .iter()
                .filter_map(|key| std::env::var(key).ok().map(|v| ((*key).to_owned(), v)))
                .collect();
        let docker_config = std::env::var_os("DOCKER_CONFIG")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|home| Path::new(&home).join(".docker")))
            .map(|dir| dir.join("config.json"));
        Self { env, docker_config }
    }

    /// An explicit environment and docker config file (tests, embedding).
    pub fn new(env: HashMap<String, String>, docker_config: Option<PathBuf>) -> Self {
        Self { env, docker_config }
    }

    /// No credentials at all: every registry is accessed anonymously.
    pub fn anonymous() -> Self {
        Self::default()
    }

    /// The credentials for `registry` (a host, `host:port`), if any.
    pub fn lookup(&self, registry: &str) -> Result<Option<Credentials>> {
        if let (Some(username), Some(password)) =
            (self.env.get(ENV_USERNAME), self.env.get(ENV_PASSWORD))
            && !password.is_empty()
        {
            return Ok(Some(Credentials {
                username: username.clone(),
                password: Secret::new(password.clone()),
            }));
        }
        if let Some(path) = &self.docker_config
            && let Some(found) = from_docker_config(path, registry)?
        {
            return Ok(Some(found));
        }
        if registry == "ghcr.io"
            && let Some(token) = self.env.get(ENV_GITHUB_TOKEN).filter(|t| !t.is_empty())
        {
            let username = self
                .env
                .get("GITHUB_ACTOR")
                .filter(|a| !a.is_empty())
                .cloned()
                .unwrap_or_else(|| "token".to_owned());
            return Ok(Some(Credentials {
                username,
                password: Secret::new(token.clone()),
            }));
        }
        Ok(None)
    }
}

#[derive(Debug, Default, Deserialize)]
struct DockerConfig {
    #[serde(default)]
    auths: HashMap<String, AuthEntry>,
    #[serde(default, rename = "credsStore")]
    creds_store: Option<String>,
    #[serde(default, rename = "credHelpers")]
    cred_helpers: HashMap<String, String>,
}

#[derive(Default, Deserialize)]
struct AuthEntry {
    #[serde(default)]
    auth: Option<String>,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    password: Option<String>,
    #[serde(default, rename = "identitytoken")]
    identity_token: Option<String>,
}

impl fmt::Debug for AuthEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AuthEntry(***)")
    }
}

/// The keys docker uses for `registry` in `auths` and `credHelpers`.
fn config_keys(registry: &str) -> Vec<String> {
    if registry == "docker.io"
        || registry == "index.docker.io"
        || registry == "registry-1.docker.io"
    {
        return vec![
            "https://index.docker.io/v1/".to_owned(),
            "index.docker.io".to_owned(),
            "docker.io".to_owned(),
            "registry-1.docker.io".to_owned(),
        ];
    }
    vec![
        registry.to_owned(),
        format!("https://{registry}"),
        format!("http://{registry}"),
        format!("https://{registry}/v1/"),
        format!("https://{registry}/v2/"),
    ]
}

/// Credentials for `registry` from docker's `config.json` at `path` (absent file: none).
pub fn from_docker_config(path: &Path, registry: &str) -> Result<Option<Credentials>> {
    let text = match fs_err::read_to_string(path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(Error::Read {
                path: path.to_path_buf(),
                source,
            });
        }
    };
    let config: DockerConfig = serde_json::from_str(&text).map_err(|e| Error::DockerConfig {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    let keys = config_keys(registry);
    if let Some(helper) = keys.iter().find_map(|k| config.cred_helpers.get(k)) {
        return credential_helper(helper, registry);
    }
    if let Some(entry) = keys.iter().find_map(|k| config.auths.get(k))
        && let Some(found) = decode_entry(entry, path)?
    {
        return Ok(Some(found));
    }
    if let Some(store) = &config.creds_store {
        return credential_helper(store, registry);
    }
    Ok(None)
}

fn decode_entry(entry: &AuthEntry, path: &Path) -> Result<Option<Credentials>> {
    if let Some(auth) = entry.auth.as_deref().filter(|a| !a.is_empty()) {
        let bad = |message: &str| Error::DockerConfig {
            path: path.to_path_buf(),
            message: message.to_owned(),
        };
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(auth.trim())
            .map_err(|_| bad("an `auth` value is not base64"))?;
        let decoded =
            String::from_utf8(decoded).map_err(|_| bad("an `auth` value is not UTF-8"))?;
        let (username, password) = decoded
            .split_once(':')
            .ok_or_else(|| bad("an `auth` value is not `user:password` in base64"))?;
        return Ok(Some(Credentials {
            username: username.to_owned(),
            password: Secret::new(password),
        }));
    }
    if let Some(token) = entry.identity_token.as_deref().filter(|t| !t.is_empty()) {
        return Ok(Some(Credentials {
            username: "<token>".to_owned(),
            password: Secret::new(token),
        }));
    }
    if let (Some(username), Some(password)) = (&entry.username, &entry.password) {
        return Ok(Some(Credentials {
            username: username.clone(),
            password: Secret::new(password.clone()),
        }));
    }
    Ok(None)
}

#[derive(Deserialize)]
struct HelperAnswer {
    #[serde(rename = "Username")]
    username: String,
    #[serde(rename = "Secret")]
    secret: String,
}

/// Runs `docker-credential-<helper> get` with the server URL on stdin.
fn credential_helper(helper: &str, registry: &str) -> Result<Option<Credentials>> {
    let program = format!("docker-credential-{helper}");
    let failure = |message: String| Error::CredentialHelper {
        helper: helper.to_owned(),
        registry: registry.to_owned(),
        message,
    };
    let server = if config_keys(registry)[0].starts_with("https://index.docker.io") {
        "https://index.docker.io/v1/".to_owned()
    } else {
        registry.to_owned()
    };
    let mut child = Command::new(&program)
        .arg("get")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| failure(format!("cannot run {program}: {e}")))?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(server.as_bytes())
            .map_err(|e| failure(format!("cannot write to {program}: {e}")))?;
    }
    let output = child
        .wait_with_output()
        .map_err(|e| failure(format!("{program} did not finish: {e}")))?;
    if !output.status.success() {
        let text = String::from_utf8_lossy(&output.stdout);
        let text = text.trim();
        // The protocol's "no credentials" answer: anonymous access.
        if text.contains("credentials not found") {
            return Ok(None);
        }
        return Err(failure(format!("exited with {}: {text}", output.status)));
    }
    let answer: HelperAnswer = serde_json::from_slice(&output.stdout).map_err(|_| {
        failure("its answer is not the JSON of the credential helper protocol".to_owned())
    })?;
    Ok(Some(Credentials {
        username: answer.username,
        password: Secret::new(answer.secret),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(env: &[(&str, &str)], config: Option<&str>) -> (CredentialSource, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.json");
        if let Some(config) = config {
            fs_err::write(&path, config).unwrap();
        }
        let env = env
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        (CredentialSource::new(env, Some(path)), dir)
    }

    #[test]
    fn env_credentials_win() {
        let (source, _dir) = source(
            &[(ENV_USERNAME, "ci"), (ENV_PASSWORD, "pw")],
            Some(r#"{"auths":{"r.example":{"auth":"dTpw"}}}"#),
        );
        let found = source.lookup("r.example").unwrap().unwrap();
        assert_eq!(found.username, "ci");
        assert_eq!(found.password.expose(), "pw");
    }

    #[test]
    fn docker_config_auths_decode() {
        // "user:pa:ss" in base64.
        let (source, _dir) = source(
            &[],
            Some(r#"{"auths":{"https://r.example":{"auth":"dXNlcjpwYTpzcw=="}}}"#),
        );
        let found = source.lookup("r.example").unwrap().unwrap();
        assert_eq!(found.username, "user");
        assert_eq!(found.password.expose(), "pa:ss");
        assert!(source.lookup("other.example").unwrap().is_none());
    }

    #[test]
    fn docker_hub_uses_the_v1_key() {
        let (source, _dir) = source(
            &[],
            Some(r#"{"auths":{"https://index.docker.io/v1/":{"auth":"dTpw"}}}"#),
        );
        assert_eq!(source.lookup("docker.io").unwrap().unwrap().username, "u");
    }

    #[test]
    fn github_token_is_for_ghcr_only() {
        let (source, _dir) = source(&[(ENV_GITHUB_TOKEN, "ghs_x"), ("GITHUB_ACTOR", "me")], None);
        let found = source.lookup("ghcr.io").unwrap().unwrap();
        assert_eq!(
            (found.username.as_str(), found.password.expose()),
            ("me", "ghs_x")
        );
        assert!(source.lookup("quay.io").unwrap().is_none());
    }

    #[test]
    fn a_missing_helper_is_an_environment_error_without_the_secret() {
        let (source, _dir) = source(&[], Some(r#"{"credsStore":"shipgate-test-missing"}"#));
        let error = source.lookup("r.example").unwrap_err();
        assert!(matches!(error, Error::CredentialHelper { .. }), "{error:?}");
    }

    #[test]
    fn malformed_config_names_the_file() {
        let (source, _dir) = source(&[], Some(r#"{"auths":{"r.example":{"auth":"%%%"}}}"#));
        let error = source.lookup("r.example").unwrap_err();
        assert!(error.to_string().contains("config.json"), "{error}");
    }

    #[test]
    fn secrets_are_not_debug_printed() {
        let credentials = Credentials {
            username: "u".to_owned(),
            password: Secret::new("hunter2"),
        };
        assert!(!format!("{credentials:?}").contains("hunter2"));
    }
}
