//! A small HTTP/1.1 fault proxy for tests: it sits between a client and a real server on
//! 127.0.0.1 and, request by request, forwards, drops the connection, cuts a request body
//! short or answers an error status itself (500, 429 with `Retry-After`, …).
//!
//! Every forwarded request is sent upstream with `Connection: close`, so each connection
//! carries one request and the proxy never has to frame bodies.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// What the proxy does with one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Forward it to the server.
    Pass,
    /// Close the connection without an answer once the request head is read.
    Drop,
    /// Forward the head and `n` bytes of the body, then close both connections (a
    /// connection reset in the middle of an upload).
    CutBody(usize),
    /// Read the request head, then say nothing for this many milliseconds and close (a
    /// server that hangs: the client's timeout must fire). A client that hangs up first is
    /// counted by [`FaultProxy::stalls_abandoned`].
    Stall(u64),
    /// Answer `status` without asking the server, with `Retry-After: seconds` if given.
    Respond {
        /// The HTTP status.
        status: u16,
        /// The `Retry-After` header, in seconds.
        retry_after: Option<u64>,
    },
}

impl Fault {
    /// `500 Internal Server Error`.
    pub const fn server_error() -> Self {
        Self::Respond {
            status: 500,
            retry_after: None,
        }
    }

    /// `429 Too Many Requests` with `Retry-After: seconds`.
    pub const fn too_many(seconds: u64) -> Self {
        Self::Respond {
            status: 429,
            retry_after: Some(seconds),
        }
    }
}

/// One request as the proxy saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    /// The method (`PUT`).
    pub method: String,
    /// The path and query.
    pub path: String,
    /// What the proxy did.
    pub fault: Fault,
}

/// Decides the fault for a request: (method, path, index of the request since start).
pub type Schedule = dyn Fn(&str, &str, usize) -> Fault + Send + Sync;

/// A running fault proxy, stopped on drop.
pub struct FaultProxy {
    port: u16,
    stop: Arc<AtomicBool>,
    seen: Arc<Mutex<Vec<Seen>>>,
    abandoned: Arc<AtomicUsize>,
    acceptor: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for FaultProxy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FaultProxy")
            .field("port", &self.port)
            .finish()
    }
}

impl FaultProxy {
    /// Starts a proxy on a free 127.0.0.1 port in front of `127.0.0.1:upstream_port`;
    /// `schedule` picks the fault of every request.
    pub fn start(
        upstream_port: u16,
        schedule: impl Fn(&str, &str, usize) -> Fault + Send + Sync + 'static,
    ) -> Self {
        Self::launch(upstream_port, None, schedule)
    }

    /// Like [`FaultProxy::start`], and the proxy also plays a registry with bearer-token
    /// auth: `/v2/` requests without `Authorization: Bearer <token>` get a 401 challenge
    /// naming its own `/token` endpoint, which hands out the token for basic credentials
    /// `user:password` (the upstream registry itself is anonymous).
    pub fn start_with_bearer(
        upstream_port: u16,
        user: &str,
        password: &str,
        schedule: impl Fn(&str, &str, usize) -> Fault + Send + Sync + 'static,
    ) -> Self {
        let gate = BearerGate {
            basic: format!("Basic {}", base64(&format!("{user}:{password}"))),
            token: "shipgate-test-token".to_owned(),
        };
        Self::launch(upstream_port, Some(gate), schedule)
    }

    fn launch(
        upstream_port: u16,
        gate: Option<BearerGate>,
        schedule: impl Fn(&str, &str, usize) -> Fault + Send + Sync + 'static,
    ) -> Self {
        let listener = TcpListener::bind(("127.0.0.1", 0)).expect("bind the fault proxy");
        listener
            .set_nonblocking(true)
            .expect("make the proxy listener non-blocking");
        let port = listener.local_addr().expect("proxy address").port();
        let stop = Arc::new(AtomicBool::new(false));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let schedule: Arc<Schedule> = Arc::new(schedule);
        let counter = Arc::new(AtomicUsize::new(0));
        let abandoned = Arc::new(AtomicUsize::new(0));
        let gate = Arc::new(gate);
        let acceptor = {
            let stop = stop.clone();
            let seen = seen.clone();
            let abandoned = abandoned.clone();
            std::thread::spawn(move || {
                while !stop.load(Ordering::SeqCst) {
                    match listener.accept() {
                        Ok((client, _)) => {
                            let schedule = schedule.clone();
                            let seen = seen.clone();
                            let counter = counter.clone();
                            let abandoned = abandoned.clone();
                            let gate = gate.clone();
                            std::thread::spawn(move || {
                                let context = Context {
                                    upstream_port,
                                    proxy_port: port,
                                    schedule: &*schedule,
                                    seen: &seen,
                                    counter: &counter,
                                    abandoned: &abandoned,
                                    gate: gate.as_ref().as_ref(),
                                };
                                let _ = handle(client, &context);
                            });
                        }
                        Err(error) if error.kind() == io::ErrorKind::WouldBlock => {
                            std::thread::sleep(Duration::from_millis(5));
                        }
                        Err(_) => std::thread::sleep(Duration::from_millis(5)),
                    }
                }
            })
        };
        Self {
            port,
            stop,
            seen,
            abandoned,
            acceptor: Some(acceptor),
        }
    }

    /// The port clients connect to.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `127.0.0.1:PORT`, the registry part of image references through the proxy.
    pub fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// Every request so far, in arrival order.
    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// How many stalled requests ([`Fault::Stall`]) the client gave up on (closed its
    /// connection) before the stall ended: proof that its timeout fired, without timing
    /// anything in the test.
    pub fn stalls_abandoned(&self) -> usize {
        self.abandoned.load(Ordering::SeqCst)
    }

    /// How many requests got a fault other than [`Fault::Pass`].
    pub fn faults_injected(&self) -> usize {
        self.seen()
            .iter()
            .filter(|s| s.fault != Fault::Pass)
            .count()
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(acceptor) = self.acceptor.take() {
            let _ = acceptor.join();
        }
    }
}

/// Reads up to the end of the request head; returns the head and any body bytes read
/// with it.
fn read_head(client: &mut TcpStream) -> io::Result<(Vec<u8>, Vec<u8>)> {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        if let Some(end) = find(&buffer, b"\r\n\r\n") {
            let rest = buffer.split_off(end + 4);
            return Ok((buffer, rest));
        }
        let n = client.read(&mut chunk)?;
        if n == 0 {
            return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "no request"));
        }
        buffer.extend_from_slice(&chunk[..n]);
        if buffer.len() > 1 << 20 {
            return Err(io::Error::other("request head too large"));
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The bearer-token registry the proxy can play.
#[derive(Debug, Clone)]
struct BearerGate {
    /// The `Authorization` value the token endpoint accepts.
    basic: String,
    /// The token it hands out.
    token: String,
}

struct Context<'a> {
    upstream_port: u16,
    proxy_port: u16,
    schedule: &'a Schedule,
    seen: &'a Mutex<Vec<Seen>>,
    counter: &'a AtomicUsize,
    abandoned: &'a AtomicUsize,
    gate: Option<&'a BearerGate>,
}

fn header_value<'h>(head: &'h str, name: &str) -> Option<&'h str> {
    head.split("\r\n").find_map(|line| {
        let (key, value) = line.split_once(':')?;
        key.trim().eq_ignore_ascii_case(name).then(|| value.trim())
    })
}

fn respond(
    client: &mut TcpStream,
    status: u16,
    headers: &[(&str, String)],
    body: &str,
) -> io::Result<()> {
    let mut response = format!(
        "HTTP/1.1 {status} Proxy\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (name, value) in headers {
        response.push_str(&format!("{name}: {value}\r\n"));
    }
    response.push_str("\r\n");
    response.push_str(body);
    client.write_all(response.as_bytes())?;
    client.flush()?;
    // Let the client finish sending its body before closing, so it reads the answer.
    client.set_read_timeout(Some(Duration::from_millis(200)))?;
    let mut sink = [0u8; 65536];
    while matches!(client.read(&mut sink), Ok(n) if n > 0) {}
    let _ = client.shutdown(Shutdown::Both);
    Ok(())
}

/// Answers the token endpoint and the 401 challenges; `true` when the request was answered.
fn bearer_gate(
    client: &mut TcpStream,
    gate: &BearerGate,
    proxy_port: u16,
    head: &str,
    path: &str,
) -> io::Result<bool> {
    let authorization = header_value(head, "authorization");
    if path.starts_with("/token") {
        if authorization == Some(gate.basic.as_str()) {
            let body = format!("{{\"token\":\"{}\"}}", gate.token);
            respond(client, 200, &[], &body)?;
        } else {
            let body = "{\"errors\":[{\"code\":\"DENIED\",\"message\":\"bad credentials for the token service\"}]}";
            respond(client, 401, &[], body)?;
        }
        return Ok(true);
    }
    if authorization == Some(format!("Bearer {}", gate.token).as_str()) {
        return Ok(false);
    }
    let challenge =
        format!("Bearer realm=\"http://127.0.0.1:{proxy_port}/token\",service=\"shipgate-test\"");
    let body = "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"authentication required\"}]}";
    respond(client, 401, &[("WWW-Authenticate", challenge)], body)?;
    Ok(true)
}

/// Says nothing for `stall`, watching the connection: true when the client closes it
/// before then (any request body it still sends is read and dropped).
fn client_hangs_up_within(client: &mut TcpStream, stall: Duration) -> bool {
    let end = std::time::Instant::now() + stall;
    let mut buffer = [0u8; 8192];
    while std::time::Instant::now() < end {
        if client
            .set_read_timeout(Some(Duration::from_millis(50)))
            .is_err()
        {
            return false;
        }
        match client.read(&mut buffer) {
            Ok(0) => return true,
            Ok(_) => {}
            Err(error)
                if matches!(
                    error.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) => {}
            Err(_) => return true,
        }
    }
    false
}

fn handle(mut client: TcpStream, context: &Context<'_>) -> io::Result<()> {
    let upstream_port = context.upstream_port;
    client.set_nonblocking(false)?;
    client.set_read_timeout(Some(Duration::from_secs(60)))?;
    let (head, early_body) = read_head(&mut client)?;
    let head_text = String::from_utf8_lossy(&head).into_owned();
    let mut request_line = head_text.lines().next().unwrap_or_default().split(' ');
    let method = request_line.next().unwrap_or_default().to_owned();
    let path = request_line.next().unwrap_or_default().to_owned();
    let index = context.counter.fetch_add(1, Ordering::SeqCst);
    let fault = (context.schedule)(&method, &path, index);
    context
        .seen
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(Seen {
            method,
            path: path.clone(),
            fault,
        });
    if fault == Fault::Pass
        && let Some(gate) = context.gate
        && bearer_gate(&mut client, gate, context.proxy_port, &head_text, &path)?
    {
        return Ok(());
    }
    match fault {
        Fault::Stall(millis) => {
            if client_hangs_up_within(&mut client, Duration::from_millis(millis)) {
                context.abandoned.fetch_add(1, Ordering::SeqCst);
            }
            let _ = client.shutdown(Shutdown::Both);
            Ok(())
        }
        Fault::Drop => {
            let _ = client.shutdown(Shutdown::Both);
            Ok(())
        }
        Fault::Respond {
            status,
            retry_after,
        } => {
            let body = format!(
                "{{\"errors\":[{{\"code\":\"FAULT\",\"message\":\"injected {status}\"}}]}}"
            );
            let headers: Vec<(&str, String)> = retry_after
                .map(|seconds| ("Retry-After", seconds.to_string()))
                .into_iter()
                .collect();
            respond(&mut client, status, &headers, &body)
        }
        Fault::Pass | Fault::CutBody(_) => {
            let mut upstream = TcpStream::connect(("127.0.0.1", upstream_port))?;
            upstream.write_all(&close_head(&head_text))?;
            if let Fault::CutBody(limit) = fault {
                // Always stop before the end of the body, or the client would wait for an
                // answer that never comes.
                let limit = limit.min(content_length(&head_text).unwrap_or(0).saturating_sub(1));
                let mut sent = early_body.len().min(limit);
                upstream.write_all(&early_body[..sent])?;
                let mut chunk = [0u8; 8192];
                while sent < limit {
                    let n = client.read(&mut chunk)?;
                    if n == 0 {
                        break;
                    }
                    let n = n.min(limit - sent);
                    upstream.write_all(&chunk[..n])?;
                    sent += n;
                }
                let _ = upstream.shutdown(Shutdown::Both);
                let _ = client.shutdown(Shutdown::Both);
                return Ok(());
            }
            upstream.write_all(&early_body)?;
            let mut client_reader = client.try_clone()?;
            let mut upstream_writer = upstream.try_clone()?;
            let forward = std::thread::spawn(move || {
                let _ = io::copy(&mut client_reader, &mut upstream_writer);
            });
            let _ = io::copy(&mut upstream, &mut client);
            let _ = client.shutdown(Shutdown::Both);
            let _ = upstream.shutdown(Shutdown::Both);
            let _ = forward.join();
            Ok(())
        }
    }
}

/// Standard base64 with padding (for the basic credentials the token endpoint expects).
fn base64(text: &str) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let bytes = text.as_bytes();
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The `Content-Length` of a request head.
fn content_length(head: &str) -> Option<usize> {
    head.split("\r\n").find_map(|line| {
        let (name, value) = line.split_once(':')?;
        name.trim()
            .eq_ignore_ascii_case("content-length")
            .then(|| value.trim().parse().ok())?
    })
}

/// The request head with `Connection: close` instead of any `Connection` header.
fn close_head(head: &str) -> Vec<u8> {
    let mut out = String::new();
    for line in head.split("\r\n") {
        if line.is_empty() {
            continue;
        }
        if line.to_ascii_lowercase().starts_with("connection:") {
            continue;
        }
        out.push_str(line);
        out.push_str("\r\n");
    }
    out.push_str("Connection: close\r\n\r\n");
    out.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_pads() {
        assert_eq!(base64("user:pa:ss"), "dXNlcjpwYTpzcw==");
        assert_eq!(base64("u:p"), "dTpw");
    }

    #[test]
    fn heads_are_rewritten_to_close() {
        let head = "GET /v2/ HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n";
        assert_eq!(
            String::from_utf8(close_head(head)).unwrap(),
            "GET /v2/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        );
    }

    #[test]
    fn faults_follow_the_schedule() {
        // An upstream that answers every connection with 200.
        let upstream = TcpListener::bind(("127.0.0.1", 0)).unwrap();
        let upstream_port = upstream.local_addr().unwrap().port();
        std::thread::spawn(move || {
            for stream in upstream.incoming() {
                let Ok(mut stream) = stream else { continue };
                let _ = read_head(&mut stream);
                let _ = stream.write_all(
                    b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok",
                );
            }
        });
        let proxy = FaultProxy::start(upstream_port, |_, _, index| match index {
            0 => Fault::too_many(1),
            1 => Fault::Drop,
            _ => Fault::Pass,
        });
        let ask = || {
            let mut stream = TcpStream::connect(("127.0.0.1", proxy.port())).unwrap();
            stream
                .write_all(b"GET /v2/ HTTP/1.1\r\nHost: x\r\n\r\n")
                .unwrap();
            let mut answer = String::new();
            let _ = stream.read_to_string(&mut answer);
            answer
        };
        let first = ask();
        assert!(
            first.starts_with("HTTP/1.1 429") && first.contains("Retry-After: 1"),
            "{first}"
        );
        assert_eq!(ask(), "");
        assert!(ask().ends_with("\r\n\r\nok"));
        assert_eq!(proxy.faults_injected(), 2);
        assert_eq!(proxy.seen()[2].path, "/v2/");
    }
}
