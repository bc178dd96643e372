//! A fake GitHub REST API for tests, on a free 127.0.0.1 port.
//!
//! What it fakes, and only that: plain HTTP/1.1 `GET`s answered from canned JSON bodies
//! registered per path (typically `/repos/{owner}/{repo}` and
//! `/repos/{owner}/{repo}/commits/{sha}`, see [`repo_json`] and [`commit_json`]); every other
//! path gets GitHub's 404 body. It records each request (method, path and headers) so a
//! test can check what the client sent (the `Authorization` header, the path).
//!
//! What it does not do: TLS, authentication (tokens are recorded, never checked), rate
//! limits, pagination, ETags or anything else of the real API. Point a client at it with
//! `GITHUB_API_URL` set to [`FakeGithub::api_url`]. It is stopped when dropped.

use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// One canned answer: the body and status served for a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    /// The request path, without query (`/repos/octocat/Hello-World`).
    pub path: String,
    /// The HTTP status.
    pub status: u16,
    /// The JSON body.
    pub body: String,
}

impl Route {
    /// `GET /repos/{full_name}` answering 200 with `body`.
    pub fn repo(full_name: &str, body: impl Into<String>) -> Self {
        Self {
            path: format!("/repos/{full_name}"),
            status: 200,
            body: body.into(),
        }
    }

    /// `path` answering `status` with `body`.
    pub fn new(path: impl Into<String>, status: u16, body: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            status,
            body: body.into(),
        }
    }
}

/// A JSON body shaped like GitHub's `GET /repos/{owner}/{repo}` answer, with the fields
/// docker/metadata-action reads (`name`, `description`, `html_url`, `license.spdx_id`,
/// `default_branch`) and a few it ignores. `spdx_id` of `None` gives `"license": null`.
pub fn repo_json(full_name: &str, description: &str, spdx_id: Option<&str>) -> String {
    let name = full_name.rsplit('/').next().unwrap_or(full_name);
    let owner = full_name.split('/').next().unwrap_or(full_name);
    let license = match spdx_id {
        Some(id) => format!(
            r#"{{"key": "{}", "name": "{id} License", "spdx_id": "{id}", "url": null, "node_id": "MDc6TGljZW5zZTA="}}"#,
            id.to_lowercase()
        ),
        None => "null".to_owned(),
    };
    format!(
        r#"{{
  "id": 1296269,
  "node_id": "MDEwOlJlcG9zaXRvcnkxMjk2MjY5",
  "name": "{name}",
  "full_name": "{full_name}",
  "private": false,
  "owner": {{"login": "{owner}", "id": 1, "type": "User"}},
  "html_url": "https://github.com/{full_name}",
  "description": {description},
  "fork": false,
  "url": "https://api.github.com/repos/{full_name}",
  "homepage": null,
  "language": "Rust",
  "default_branch": "main",
  "license": {license},
  "topics": []
}}
"#,
        description = json_string(description),
    )
}

/// `GET /repos/{full_name}/commits/{sha}` answering 200 with a body shaped like GitHub's
/// (the `commit.committer.date` docker/metadata-action reads, and the author's).
pub fn commit_route(full_name: &str, sha: &str, committer_date: &str) -> Route {
    Route::repo(
        &format!("{full_name}/commits/{sha}"),
        commit_json(sha, committer_date),
    )
}

/// A JSON body shaped like GitHub's `GET /repos/{owner}/{repo}/commits/{sha}` answer.
pub fn commit_json(sha: &str, committer_date: &str) -> String {
    format!(
        r#"{{
  "sha": "{sha}",
  "commit": {{
    "author": {{"name": "Mona", "email": "mona@example.com", "date": "2001-01-01T00:00:00Z"}},
    "committer": {{"name": "GitHub", "email": "noreply@github.com", "date": "{committer_date}"}},
    "message": "Merge pull request"
  }},
  "parents": []
}}
"#
    )
}

fn json_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// One request as the fake saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// The method (`GET`).
    pub method: String,
    /// The path and query.
    pub path: String,
    /// The headers, names lower-cased, in arrival order.
    pub headers: Vec<(String, String)>,
}

impl Request {
    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(key, _)| *key == name)
            .map(|(_, value)| value.as_str())
    }
}

/// A running fake GitHub API, stopped on drop.
pub struct FakeGithub {
    port: u16,
    stop: Arc<AtomicBool>,
    requests: Arc<Mutex<Vec<Request>>>,
    acceptor: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for FakeGithub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeGithub")
            .field("port", &self.port)
            .finish_non_exhaustive()
    }
}

impl FakeGithub {
    /// Starts the fake on a free 127.0.0.1 port with `routes`.
    pub fn start(routes: Vec<Route>) -> Self {
        let listener = TcpListener::bind(("127.0.0.1", 0)).expect("bind the fake GitHub API");
        listener
            .set_nonblocking(true)
            .expect("make the fake GitHub listener non-blocking");
        let port = listener.local_addr().expect("fake GitHub address").port();
        let stop = Arc::new(AtomicBool::new(false));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let acceptor = {
            let stop = stop.clone();
            let requests = requests.clone();
            std::thread::spawn(move || {
                while !stop.load(Ordering::SeqCst) {
                    match listener.accept() {
                        Ok((client, _)) => {
                            let _ = serve(client, &routes, &requests);
                        }
                        Err(_) => std::thread::sleep(Duration::from_millis(5)),
                    }
                }
            })
        };
        Self {
            port,
            stop,
            requests,
            acceptor: Some(acceptor),
        }
    }

    /// The base URL for `GITHUB_API_URL`: `http://127.0.0.1:PORT`.
    pub fn api_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Every request so far, in arrival order.
    pub fn requests(&self) -> Vec<Request> {
        self.requests
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

impl Drop for FakeGithub {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(acceptor) = self.acceptor.take() {
            let _ = acceptor.join();
        }
    }
}

/// Answers one request on `client` and closes the connection.
fn serve(mut client: TcpStream, routes: &[Route], seen: &Mutex<Vec<Request>>) -> io::Result<()> {
    client.set_nonblocking(false)?;
    client.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut head = Vec::new();
    let mut chunk = [0u8; 4096];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = client.read(&mut chunk)?;
        if n == 0 || head.len() > 1 << 16 {
            return Ok(());
        }
        head.extend_from_slice(&chunk[..n]);
    }
    let text = String::from_utf8_lossy(&head).into_owned();
    let mut lines = text.split("\r\n");
    let mut first = lines.next().unwrap_or_default().split(' ');
    let method = first.next().unwrap_or_default().to_owned();
    let path = first.next().unwrap_or_default().to_owned();
    let headers = lines
        .take_while(|line| !line.is_empty())
        .filter_map(|line| {
            let (key, value) = line.split_once(':')?;
            Some((key.trim().to_ascii_lowercase(), value.trim().to_owned()))
        })
        .collect();
    let bare_path = path.split('?').next().unwrap_or_default();
    let (status, body) = match routes.iter().find(|r| r.path == bare_path) {
        Some(route) if method == "GET" => (route.status, route.body.clone()),
        _ => (
            404,
            r#"{"message":"Not Found","documentation_url":"https://docs.github.com/rest","status":"404"}"#
                .to_owned(),
        ),
    };
    seen.lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(Request {
            method,
            path,
            headers,
        });
    let response = format!(
        "HTTP/1.1 {status} Fake\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    client.write_all(response.as_bytes())?;
    client.flush()
}
