//! A tiny HTTP service with no dependencies beyond the standard library.
//!
//! `GET /` answers a greeting and `GET /healthz` answers `ok`; anything else is a 404.
//! It listens on `0.0.0.0:$PORT` (default 8080). `rust-service --health` requests
//! `/healthz` on that port and exits 0 when it answers 200, 1 otherwise: the image's
//! HEALTHCHECK runs it, because the distroless runtime has no shell or curl.

use std::env;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::ExitCode;
use std::thread;
use std::time::Duration;

const DEFAULT_PORT: u16 = 8080;

fn port() -> u16 {
    env::var("PORT")
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(DEFAULT_PORT)
}

fn main() -> ExitCode {
    if env::args().nth(1).as_deref() == Some("--health") {
        return match health_check(port()) {
            Ok(true) => ExitCode::SUCCESS,
            _ => ExitCode::FAILURE,
        };
    }
    let address = format!("0.0.0.0:{}", port());
    let listener = match TcpListener::bind(&address) {
        Ok(listener) => listener,
        Err(error) => {
            eprintln!("cannot listen on {address}: {error}");
            return ExitCode::FAILURE;
        }
    };
    eprintln!("listening on http://{address}");
    for stream in listener.incoming().flatten() {
        thread::spawn(move || {
            if let Err(error) = handle(stream) {
                eprintln!("request failed: {error}");
            }
        });
    }
    ExitCode::SUCCESS
}

/// Answers one request per connection.
fn handle(mut stream: TcpStream) -> io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    let mut request_line = String::new();
    BufReader::new(&stream).read_line(&mut request_line)?;
    let mut parts = request_line.split_whitespace();
    let (method, path) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let (status, body) = match (method, path) {
        ("GET", "/") => ("200 OK", "hello from rust-service\n"),
        ("GET", "/healthz") => ("200 OK", "ok\n"),
        ("GET", _) => ("404 Not Found", "not found\n"),
        _ => ("405 Method Not Allowed", "method not allowed\n"),
    };
    write!(
        stream,
        "HTTP/1.1 {status}\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )?;
    stream.flush()
}

/// True when `GET /healthz` on the local port answers 200.
fn health_check(port: u16) -> io::Result<bool> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(3)))?;
    stream.write_all(b"GET /healthz HTTP/1.1\r\nhost: localhost\r\nconnection: close\r\n\r\n")?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    Ok(response.starts_with("HTTP/1.1 200"))
}
