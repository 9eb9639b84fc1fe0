//! A raw HTTP/1.1 client for tests: requests are written byte for byte (so tests control every
//! byte: chunked bodies, slow clients, broken framing), answers parsed into a [`Reply`].

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

/// How long a read waits for an answer (longer than the longest long-poll, 120 s).
pub const READ_TIMEOUT: Duration = Duration::from_secs(150);

/// A parsed answer.
#[derive(Debug)]
pub struct Reply {
    /// The status code.
    pub status: u16,
    /// The headers, in order.
    pub headers: Vec<(String, String)>,
    /// The body (cut at `Content-Length` when given).
    pub body: Vec<u8>,
}

impl Reply {
    /// The first header named `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body as JSON.
    ///
    /// # Panics
    /// If it is not JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    /// The body as text (lossy).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The error code, checked to be the same in the body and in `x-ms-error-code`.
    ///
    /// # Panics
    /// If the answer is not gridlog's JSON error shape.
    pub fn error_code(&self) -> String {
        let json = self.json();
        let code = json["error"]["code"]
            .as_str()
            .expect("error.code")
            .to_owned();
        assert!(json["error"]["message"].is_string(), "{json}");
        assert_eq!(self.header("x-ms-error-code"), Some(code.as_str()));
        assert_eq!(
            self.header("content-type"),
            Some("application/json; charset=utf-8")
        );
        code
    }
}

/// Sends `raw` on a new connection and reads the answer until the server closes it.
///
/// # Panics
/// If the connection fails or no answer comes.
pub fn send_raw(addr: SocketAddr, raw: &[u8]) -> Reply {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream
        .set_read_timeout(Some(READ_TIMEOUT))
        .expect("timeout");
    // The server may answer (e.g. 413) before reading everything: ignore write errors.
    let _ = stream.write_all(raw);
    read_reply(&mut stream)
}

/// Reads an answer from `stream` until it closes.
///
/// # Panics
/// If no answer head comes.
pub fn read_reply(stream: &mut TcpStream) -> Reply {
    let mut buf = Vec::new();
    let _ = stream.read_to_end(&mut buf);
    parse_reply(&buf)
}

/// Parses one answer.
///
/// # Panics
/// If `buf` holds no answer head.
pub fn parse_reply(buf: &[u8]) -> Reply {
    let split = buf
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no response head in {:?}", String::from_utf8_lossy(buf)));
    let head = String::from_utf8_lossy(&buf[..split]).into_owned();
    let mut lines = head.split("\r\n");
    let status: u16 = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .expect("status");
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let mut body = buf[split + 4..].to_vec();
    if let Some((_, len)) = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
    {
        body.truncate(len.parse().expect("length"));
    }
    Reply {
        status,
        headers,
        body,
    }
}
