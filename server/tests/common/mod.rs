//! Test helpers: an in-process server over a real engine (or any backend) on a loopback port,
//! and a raw HTTP/1.1 client (so tests control every byte: chunked bodies, slow clients).
#![allow(
    clippy::expect_used,
    dead_code,
    reason = "test helpers panic on setup failure"
)]

use std::fmt::Write as _;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::time::Duration;

use gridlog::{Namespace, NamespaceConfig, NamespaceOptions};
use gridlog_server::auth::Authenticator;
use gridlog_server::backend::DataPlane;
use gridlog_server::http::App;

pub const KEY: &str = "test-key";

pub struct TestServer {
    pub addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
    pub backend: Arc<dyn DataPlane>,
    dir: Option<tempfile::TempDir>,
}

impl TestServer {
    /// A real namespace in a temp dir with topic `orders` (subscriptions `all`, `other`) and
    /// `KEY`.
    pub fn start() -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let ns = Namespace::open(dir.path(), NamespaceOptions::default()).expect("open");
        let config = NamespaceConfig::from_json_str(
            r#"{"topics":[{"name":"orders","eventSubscriptions":[{"name":"all"},{"name":"other"}]}]}"#,
        )
        .expect("config");
        ns.apply_config(&config).expect("apply");
        let mut server = Self::with_backend(Arc::new(ns), Authenticator::new([KEY]));
        server.dir = Some(dir);
        server
    }

    pub fn with_backend(backend: Arc<dyn DataPlane>, auth: Authenticator) -> Self {
        Self::with_app(backend, move |backend, shutdown| {
            App::new(backend, auth, shutdown)
        })
    }

    /// A server over `backend` whose app `make_app` builds (from the backend and the shutdown
    /// flag), e.g. with metrics.
    pub fn with_app(
        backend: Arc<dyn DataPlane>,
        make_app: impl FnOnce(Arc<dyn DataPlane>, tokio::sync::watch::Receiver<bool>) -> App
        + Send
        + 'static,
    ) -> Self {
        let (addr_tx, addr_rx) = std::sync::mpsc::channel();
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let for_thread = backend.clone();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("runtime");
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                    .await
                    .expect("bind");
                addr_tx
                    .send(listener.local_addr().expect("addr"))
                    .expect("send");
                let (tx, rx) = tokio::sync::watch::channel(false);
                let app = Arc::new(make_app(for_thread, rx));
                gridlog_server::server::serve(listener, app, tx, async {
                    let _ = stop_rx.await;
                })
                .await;
            });
        });
        let addr = addr_rx.recv().expect("address");
        Self {
            addr,
            stop: Some(stop_tx),
            thread: Some(thread),
            backend,
            dir: None,
        }
    }

    /// Starts the drain (like SIGTERM) and waits for `serve` to return.
    pub fn shutdown(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            thread.join().expect("server thread");
        }
    }

    pub fn request(&self, raw: &[u8]) -> Reply {
        send_raw(self.addr, raw)
    }

    /// A request with the key, `Connection: close`, and `body`.
    pub fn post(&self, path: &str, content_type: Option<&str>, body: &[u8]) -> Reply {
        self.call(
            "POST",
            path,
            &[("Authorization", &format!("SharedAccessKey {KEY}"))],
            content_type,
            body,
        )
    }

    pub fn call(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        content_type: Option<&str>,
        body: &[u8],
    ) -> Reply {
        let mut raw = format!("{method} {path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n");
        for (name, value) in headers {
            let _ = write!(raw, "{name}: {value}\r\n");
        }
        if let Some(ct) = content_type {
            let _ = write!(raw, "Content-Type: {ct}\r\n");
        }
        let _ = write!(raw, "Content-Length: {}\r\n\r\n", body.len());
        let mut bytes = raw.into_bytes();
        bytes.extend_from_slice(body);
        self.request(&bytes)
    }

    pub fn publish(&self, topic: &str, json: &str) -> Reply {
        self.post(
            &format!("/topics/{topic}:publish?api-version=2024-06-01"),
            Some("application/cloudevents-batch+json; charset=utf-8"),
            json.as_bytes(),
        )
    }

    pub fn receive(&self, sub: &str, query: &str) -> Reply {
        self.post(
            &format!(
                "/topics/orders/eventsubscriptions/{sub}:receive?api-version=2024-06-01{query}"
            ),
            None,
            b"",
        )
    }

    pub fn settle(&self, action: &str, query: &str, tokens: &[&str]) -> Reply {
        let body = serde_json::json!({ "lockTokens": tokens }).to_string();
        self.post(
            &format!(
                "/topics/orders/eventsubscriptions/all:{action}?api-version=2024-06-01{query}"
            ),
            Some("application/json"),
            body.as_bytes(),
        )
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.shutdown();
    }
}

#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The error code, checked to be the same in the body and in `x-ms-error-code`.
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

pub fn send_raw(addr: SocketAddr, raw: &[u8]) -> Reply {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(150)))
        .expect("timeout");
    // The server may answer (e.g. 413) before reading everything: ignore write errors.
    let _ = stream.write_all(raw);
    read_reply(&mut stream)
}

pub fn read_reply(stream: &mut TcpStream) -> Reply {
    let mut buf = Vec::new();
    let _ = stream.read_to_end(&mut buf);
    parse_reply(&buf)
}

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
