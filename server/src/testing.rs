//! Test support (feature `test-util`; never in a release build): [`TestServer`], an in-process
//! `gridlog` HTTP server over a real engine (or any backend) on a loopback port, with request
//! helpers over the raw client of `gridlog_testkit::http`.
#![allow(
    clippy::expect_used,
    clippy::missing_panics_doc,
    missing_docs,
    reason = "test support: a failed setup is a failed test"
)]

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::sync::Arc;

use gridlog::{Namespace, NamespaceConfig, NamespaceOptions};
pub use gridlog_testkit::http::{Reply, parse_reply, read_reply, send_raw};

use crate::auth::Authenticator;
use crate::backend::DataPlane;
use crate::http::App;

pub const KEY: &str = "test-key";

pub struct TestServer {
    pub addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
    pub backend: Arc<dyn DataPlane>,
    dir: Option<tempfile::TempDir>,
}

/// A real namespace in a temp dir with topic `orders` (subscriptions `all`, `other`).
fn orders_namespace() -> (tempfile::TempDir, Namespace) {
    let dir = tempfile::tempdir().expect("tempdir");
    let ns = Namespace::open(dir.path(), NamespaceOptions::default()).expect("open");
    let config = NamespaceConfig::from_json_str(
        r#"{"topics":[{"name":"orders","eventSubscriptions":[{"name":"all"},{"name":"other"}]}]}"#,
    )
    .expect("config");
    ns.apply_config(&config).expect("apply");
    (dir, ns)
}

impl TestServer {
    /// A real namespace in a temp dir with topic `orders` (subscriptions `all`, `other`) and
    /// `KEY`.
    pub fn start() -> Self {
        let (dir, ns) = orders_namespace();
        let mut server = Self::with_backend(Arc::new(ns), Authenticator::new([KEY]));
        server.dir = Some(dir);
        server
    }

    /// [`TestServer::start`] serving HTTPS through `tls`.
    pub fn start_tls(tls: crate::tls::TlsAcceptor) -> Self {
        let (dir, ns) = orders_namespace();
        let auth = Authenticator::new([KEY]);
        let mut server = Self::spawn(
            Arc::new(ns),
            move |backend, shutdown| App::new(backend, auth, shutdown),
            Some(tls),
        );
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
        Self::spawn(backend, make_app, None)
    }

    fn spawn(
        backend: Arc<dyn DataPlane>,
        make_app: impl FnOnce(Arc<dyn DataPlane>, tokio::sync::watch::Receiver<bool>) -> App
        + Send
        + 'static,
        tls: Option<crate::tls::TlsAcceptor>,
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
                let stop = async {
                    let _ = stop_rx.await;
                };
                match tls {
                    Some(tls) => crate::server::serve_tls(listener, app, tx, stop, tls).await,
                    None => crate::server::serve(listener, app, tx, stop).await,
                }
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
