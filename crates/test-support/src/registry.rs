//! A real registry for tests: Debian's `docker-registry` (distribution 2.x) on a free
//! 127.0.0.1 port with a temporary storage folder, optionally behind htpasswd basic
//! auth. It is stopped when the [`Registry`] is dropped.
//!
//! distribution 2.x has no OCI 1.1 referrers API, so it is also the registry that makes
//! clients fall back to the `sha256-<hex>` tag index.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::{in_ci, require_tool};

/// How long the registry gets to answer `/v2/`.
const START_TIMEOUT: Duration = Duration::from_secs(20);
/// How many times a start is retried when another process took the port first.
const START_ATTEMPTS: usize = 3;

/// A running `docker-registry`, stopped on drop.
#[derive(Debug)]
pub struct Registry {
    child: Child,
    port: u16,
    credentials: Option<(String, String)>,
    dir: tempfile::TempDir,
}

impl Registry {
    /// Starts an anonymous registry. `None` when `docker-registry` is not installed and
    /// this is not CI (the test should return early); in CI a missing binary panics.
    pub fn start() -> Option<Self> {
        Self::launch(None)
    }

    /// Starts a registry that requires basic auth with `user` and `password` (an htpasswd
    /// file with a bcrypt hash, made with `htpasswd` from apache2-utils or Python's
    /// `crypt`). `None` like [`Registry::start`] when the tools are missing outside CI.
    pub fn start_with_auth(user: &str, password: &str) -> Option<Self> {
        Self::launch(Some((user.to_owned(), password.to_owned())))
    }

    fn launch(credentials: Option<(String, String)>) -> Option<Self> {
        let binary = require_tool("docker-registry")?;
        let mut dir = tempfile::Builder::new()
            .prefix("shipgate-registry-")
            .tempdir()
            .expect("create the registry's temporary folder");
        let storage = dir.path().join("storage");
        fs_err::create_dir_all(&storage).expect("create the registry's storage folder");
        let htpasswd = match &credentials {
            Some((user, password)) => {
                let line = htpasswd_line(user, password)?;
                let path = dir.path().join("htpasswd");
                fs_err::write(&path, format!("{line}\n")).expect("write the htpasswd file");
                Some(path)
            }
            None => None,
        };
        let mut last_error = String::new();
        for _ in 0..START_ATTEMPTS {
            let port = free_port();
            let config = dir.path().join("config.yml");
            fs_err::write(&config, config_yaml(&storage, port, htpasswd.as_deref()))
                .expect("write the registry config");
            let log = fs_err::File::create(dir.path().join("registry.log"))
                .expect("create the registry log");
            let child = Command::new(&binary)
                .arg("serve")
                .arg(&config)
                .stdin(Stdio::null())
                .stdout(log.try_clone().expect("clone the log handle").into_file())
                .stderr(log.into_file())
                .spawn()
                .expect("start docker-registry");
            let mut registry = Self {
                child,
                port,
                credentials: credentials.clone(),
                dir,
            };
            match registry.wait_ready() {
                Ok(()) => return Some(registry),
                Err(error) => {
                    last_error = format!(
                        "{error}\nregistry log:\n{}",
                        fs_err::read_to_string(registry.dir.path().join("registry.log"))
                            .unwrap_or_default()
                    );
                    registry.stop();
                    // Take the folder back for the next attempt.
                    dir = std::mem::replace(
                        &mut registry.dir,
                        tempfile::tempdir().expect("create a placeholder folder"),
                    );
                }
            }
        }
        panic!("docker-registry did not start: {last_error}");
    }

    /// Polls `GET /v2/` until it answers 200 (or 401 with auth on).
    fn wait_ready(&mut self) -> Result<(), String> {
        let deadline = Instant::now() + START_TIMEOUT;
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!("docker-registry exited with {status}"));
            }
            if let Some(status) = self.v2_status() {
                let expected = if self.credentials.is_some() { 401 } else { 200 };
                if status == expected {
                    return Ok(());
                }
                return Err(format!("GET /v2/ answered {status}, expected {expected}"));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Err(format!("GET /v2/ did not answer within {START_TIMEOUT:?}"))
    }

    /// The status code of an anonymous `GET /v2/`, or `None` when nothing answers.
    pub fn v2_status(&self) -> Option<u16> {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).ok()?;
        stream.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
        let request = format!(
            "GET /v2/ HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n\r\n",
            self.port
        );
        stream.write_all(request.as_bytes()).ok()?;
        let mut response = Vec::new();
        stream.read_to_end(&mut response).ok()?;
        let text = String::from_utf8_lossy(&response);
        text.split_whitespace().nth(1)?.parse().ok()
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `127.0.0.1:PORT`, the registry part of image references.
    pub fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.host())
    }

    /// A reference to `repository:tag` on this registry.
    pub fn reference(&self, repository: &str, tag: &str) -> String {
        format!("{}/{repository}:{tag}", self.host())
    }

    /// The user and password, when auth is on.
    pub fn credentials(&self) -> Option<(&str, &str)> {
        self.credentials
            .as_ref()
            .map(|(user, password)| (user.as_str(), password.as_str()))
    }

    /// The registry's storage folder.
    pub fn storage(&self) -> PathBuf {
        self.dir.path().join("storage")
    }

    /// What the registry logged so far (for failing tests).
    pub fn log(&self) -> String {
        fs_err::read_to_string(self.dir.path().join("registry.log")).unwrap_or_default()
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A port that was free a moment ago.
fn free_port() -> u16 {
    TcpListener::bind(("127.0.0.1", 0))
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .expect("bind a free port on 127.0.0.1")
}

fn config_yaml(storage: &Path, port: u16, htpasswd: Option<&Path>) -> String {
    let mut yaml = format!(
        "version: 0.1\n\
         log:\n  level: info\n  accesslog:\n    disabled: true\n\
         storage:\n  filesystem:\n    rootdirectory: {storage}\n  delete:\n    enabled: true\n\
         http:\n  addr: 127.0.0.1:{port}\n  headers:\n    X-Content-Type-Options: [nosniff]\n",
        storage = storage.display(),
    );
    if let Some(htpasswd) = htpasswd {
        yaml.push_str(&format!(
            "auth:\n  htpasswd:\n    realm: shipgate-test\n    path: {}\n",
            htpasswd.display()
        ));
    }
    yaml
}

/// `user:<bcrypt hash>`, from `htpasswd -nbB` or Python's `crypt` (blowfish).
fn htpasswd_line(user: &str, password: &str) -> Option<String> {
    let from_htpasswd = Command::new("htpasswd")
        .args(["-nbB", user, password])
        .output()
        .ok()
        .filter(|out| out.status.success())
        .map(|out| String::from_utf8_lossy(&out.stdout).trim().to_owned());
    if let Some(line) = from_htpasswd.filter(|l| !l.is_empty()) {
        return Some(line);
    }
    let from_python = Command::new("python3")
        .args([
            "-W",
            "ignore",
            "-c",
            "import crypt,sys; print(sys.argv[1] + ':' + crypt.crypt(sys.argv[2], crypt.mksalt(crypt.METHOD_BLOWFISH)))",
            user,
            password,
        ])
        .output()
        .ok()
        .filter(|out| out.status.success())
        .map(|out| String::from_utf8_lossy(&out.stdout).trim().to_owned());
    match from_python.filter(|l| l.contains(":$2")) {
        Some(line) => Some(line),
        None if in_ci() => panic!("cannot make a bcrypt htpasswd line: install apache2-utils"),
        None => {
            #[allow(clippy::print_stderr)]
            {
                eprintln!(
                    "skipping: neither `htpasswd` (apache2-utils) nor python3 `crypt` is available"
                );
            }
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_names_storage_port_and_auth() {
        let yaml = config_yaml(Path::new("/s"), 5000, Some(Path::new("/h")));
        assert!(yaml.contains("rootdirectory: /s"));
        assert!(yaml.contains("addr: 127.0.0.1:5000"));
        assert!(yaml.contains("path: /h"));
        assert!(!config_yaml(Path::new("/s"), 5000, None).contains("auth:"));
    }

    #[test]
    fn anonymous_registry_answers_and_stops() {
        let Some(registry) = Registry::start() else {
            return;
        };
        assert_eq!(registry.v2_status(), Some(200));
        let port = registry.port();
        drop(registry);
        assert!(TcpStream::connect(("127.0.0.1", port)).is_err());
    }

    #[test]
    fn authenticated_registry_refuses_anonymous_clients() {
        let Some(registry) = Registry::start_with_auth("ci", "s3cret") else {
            return;
        };
        assert_eq!(registry.v2_status(), Some(401));
        assert_eq!(registry.credentials(), Some(("ci", "s3cret")));
    }
}
