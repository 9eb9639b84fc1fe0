//! What a bench drives: the embedded engine or a server over HTTP/1.1 (one keep-alive connection
//! per bench thread).

use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::Request;
use hyper_util::rt::TokioIo;

use gridlog::format::parse_request;
use gridlog::{EngineError, Namespace, NamespaceConfig, NamespaceOptions};

use super::{Names, event_time};
use crate::commands::client::BATCH;
use crate::commands::top::Scrape;

/// The API version the bench speaks.
const API_VERSION: &str = "2024-06-01";
/// How often a cancellable HTTP receive checks whether the run is over.
const CANCEL_POLL: Duration = Duration::from_millis(20);

/// The answer of one call: done, or refused by throughput-unit limits (retry after the wait).
#[derive(Debug)]
pub enum Call<T> {
    /// Accepted.
    Done(T),
    /// 429 / `Throttled`: retry after this.
    Throttled(Duration),
}

/// One received event.
#[derive(Debug)]
pub struct Got {
    /// Its lock token.
    pub lock_token: String,
    /// Bytes of its structured JSON.
    pub bytes: u64,
    /// The publish time it carries (µs since the run's epoch), if it is a bench event.
    pub published_at: Option<u64>,
}

/// Disk and CPU counters of the store, before and after a run.
#[derive(Debug, Clone, Copy, Default)]
pub struct Usage {
    /// WAL syncs so far.
    pub syncs: u64,
    /// Time spent in them, seconds.
    pub sync_seconds: f64,
    /// CPU seconds of the server process (HTTP only: the embedded engine is this process).
    pub server_cpu_seconds: Option<f64>,
}

/// One thread's connection.
pub trait Session {
    /// Publishes a batch body of `events` events.
    fn publish(&mut self, topic: &str, body: &[u8], events: u64) -> Result<Call<()>, String>;
    /// Receives up to `max` events; returns early (empty) once `done()` holds.
    fn receive(
        &mut self,
        names: &Names,
        max: u32,
        done: &dyn Fn() -> bool,
    ) -> Result<Call<Vec<Got>>, String>;
    /// Acknowledges; returns how many succeeded.
    fn acknowledge(&mut self, names: &Names, tokens: &[String]) -> Result<Call<u64>, String>;
}

/// The system under load.
pub trait Target: Sync {
    /// A topic and subscription for one run, with `tus` throughput units.
    fn setup(&self, tus: Option<u32>) -> Result<Names, String>;
    /// Removes the run's topic.
    fn teardown(&self, names: &Names) -> Result<(), String>;
    /// A connection for one thread.
    fn session(&self) -> Result<Box<dyn Session + '_>, String>;
    /// Store counters, if available.
    fn usage(&self) -> Option<Usage>;
    /// `embedded (DIR, durability D)` or `http://…`.
    fn describe(&self) -> String;
    /// Can runs change the namespace's throughput units? (The server's are restored on close.)
    fn supports_tus(&self) -> bool;
    /// Closes what the target opened.
    fn close(&self) -> Result<(), String>;
}

fn run_topic_name() -> String {
    static RUNS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    format!(
        "bench-{ms}-{}",
        RUNS.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    )
}

/// The subscription every run uses.
const SUBSCRIPTION: &str = "bench";

/// The wait a `Throttled` engine error asks for, if it is one.
fn throttled(error: &EngineError) -> Option<Duration> {
    match error {
        EngineError::Throttled { retry_after, .. } => Some(*retry_after),
        _ => None,
    }
}

/// The engine in this process.
pub struct Embedded {
    ns: Namespace,
    _temp: Option<tempfile::TempDir>,
    dir: String,
    durability: gridlog::Durability,
}

impl Embedded {
    /// Opens `dir` (default: a new temporary directory).
    pub fn open(dir: Option<&Path>, durability: gridlog::Durability) -> Result<Self, String> {
        let (temp, path) = if let Some(dir) = dir {
            (None, dir.to_path_buf())
        } else {
            let temp = tempfile::Builder::new()
                .prefix("gridlog-bench-")
                .tempdir()
                .map_err(|e| format!("creating a temporary directory: {e}"))?;
            let path = temp.path().to_path_buf();
            (Some(temp), path)
        };
        std::fs::create_dir_all(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let ns = Namespace::open(
            &path,
            NamespaceOptions {
                durability,
                maintenance_interval: Some(Duration::from_secs(1)),
                ..NamespaceOptions::default()
            },
        )
        .map_err(|e| format!("opening {}: {e}", path.display()))?;
        Ok(Self {
            ns,
            _temp: temp,
            dir: path.display().to_string(),
            durability,
        })
    }
}

struct EmbeddedSession<'a> {
    ns: &'a Namespace,
}

impl Session for EmbeddedSession<'_> {
    fn publish(&mut self, topic: &str, body: &[u8], _events: u64) -> Result<Call<()>, String> {
        let events = parse_request([("content-type", BATCH.as_bytes())], body)
            .map_err(|e| format!("{}: {e}", e.code()))?;
        match self.ns.publish(topic, &events) {
            Ok(_) => Ok(Call::Done(())),
            Err(e) => throttled(&e)
                .map(Call::Throttled)
                .ok_or_else(|| format!("publish: {}: {e}", e.code())),
        }
    }

    fn receive(
        &mut self,
        names: &Names,
        max: u32,
        _done: &dyn Fn() -> bool,
    ) -> Result<Call<Vec<Got>>, String> {
        match self.ns.receive(
            &names.topic,
            &names.subscription,
            max,
            super::EMBEDDED_RECEIVE_WAIT,
        ) {
            Ok(got) => Ok(Call::Done(
                got.into_iter()
                    .map(|r| Got {
                        bytes: r.json().len() as u64,
                        published_at: event_time(r.json()),
                        lock_token: r.lock_token,
                    })
                    .collect(),
            )),
            Err(e) => throttled(&e)
                .map(Call::Throttled)
                .ok_or_else(|| format!("receive: {}: {e}", e.code())),
        }
    }

    fn acknowledge(&mut self, names: &Names, tokens: &[String]) -> Result<Call<u64>, String> {
        let refs: Vec<&str> = tokens.iter().map(String::as_str).collect();
        match self
            .ns
            .acknowledge(&names.topic, &names.subscription, &refs)
        {
            Ok(outcome) => Ok(Call::Done(outcome.succeeded.len() as u64)),
            Err(e) => throttled(&e)
                .map(Call::Throttled)
                .ok_or_else(|| format!("acknowledge: {}: {e}", e.code())),
        }
    }
}

impl Target for Embedded {
    fn setup(&self, tus: Option<u32>) -> Result<Names, String> {
        let topic = run_topic_name();
        let config = serde_json::json!({
            "topics": [{"name": topic, "eventSubscriptions": [{"name": SUBSCRIPTION}]}]
        });
        let config = NamespaceConfig::from_json_str(&config.to_string())
            .map_err(|e| format!("bench configuration: {e}"))?;
        self.ns
            .apply_config(&config)
            .map_err(|e| format!("creating the bench topic: {e}"))?;
        if let Some(tus) = tus {
            self.ns
                .set_throughput_units(Some(tus))
                .map_err(|e| format!("setting {tus} throughput units: {e}"))?;
        }
        Ok(Names {
            topic,
            subscription: SUBSCRIPTION.to_owned(),
        })
    }

    fn teardown(&self, names: &Names) -> Result<(), String> {
        self.ns
            .delete_topic(&names.topic)
            .map_err(|e| format!("deleting the bench topic: {e}"))
    }

    fn session(&self) -> Result<Box<dyn Session + '_>, String> {
        Ok(Box::new(EmbeddedSession { ns: &self.ns }))
    }

    #[expect(clippy::cast_precision_loss, reason = "nanoseconds to seconds")]
    fn usage(&self) -> Option<Usage> {
        let wal = self.ns.wal_stats();
        Some(Usage {
            syncs: wal.syncs(),
            sync_seconds: wal.sync_latency.sum_nanos as f64 / 1e9,
            server_cpu_seconds: None,
        })
    }

    fn describe(&self) -> String {
        format!(
            "embedded ({}, durability {})",
            self.dir,
            crate::commands::args::durability_text(self.durability)
        )
    }

    fn supports_tus(&self) -> bool {
        true
    }

    fn close(&self) -> Result<(), String> {
        self.ns.close().map_err(|e| format!("closing: {e}"))
    }
}

/// What the bench changed on a server.
enum Original {
    /// Nothing yet.
    Untouched,
    /// The throughput units before the first change (`None`: unlimited).
    Tus(Option<u64>),
}

/// A server over HTTP.
pub struct Http {
    endpoint: String,
    authority: String,
    prefix: String,
    key: Option<String>,
    /// The server's throughput units before the first run changed them (restored on close).
    original_tus: std::sync::Mutex<Original>,
}

impl Http {
    /// A target at `endpoint` (`http://host:port[/prefix]`).
    pub fn new(endpoint: &str, key: Option<String>) -> Result<Self, String> {
        let rest = endpoint
            .strip_prefix("http://")
            .ok_or_else(|| format!("--endpoint must start with http:// (got '{endpoint}')"))?;
        let (authority, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        let prefix = prefix.trim_end_matches('/');
        Ok(Self {
            endpoint: endpoint.to_owned(),
            authority: authority.to_owned(),
            prefix: if prefix.is_empty() {
                String::new()
            } else {
                format!("/{prefix}")
            },
            key,
            original_tus: std::sync::Mutex::new(Original::Untouched),
        })
    }

    /// `PUT /_gridlog/namespace {"throughputUnits": units}`.
    fn put_tus(&self, units: Option<u64>) -> Result<(), String> {
        let body = serde_json::json!({ "throughputUnits": units }).to_string();
        let (status, answer) = self.one_shot("PUT", "/_gridlog/namespace", &body)?;
        if status == 200 {
            Ok(())
        } else {
            Err(format!(
                "setting throughputUnits on {}: HTTP {status}: {}",
                self.endpoint,
                String::from_utf8_lossy(&answer)
            ))
        }
    }

    /// The server's throughput units (`None`: unlimited).
    fn get_tus(&self) -> Result<Option<u64>, String> {
        let (status, answer) = self.one_shot("GET", "/_gridlog/namespace", "")?;
        if status != 200 {
            return Err(format!(
                "GET /_gridlog/namespace on {}: HTTP {status}: {}",
                self.endpoint,
                String::from_utf8_lossy(&answer)
            ));
        }
        let json: serde_json::Value =
            serde_json::from_slice(&answer).map_err(|e| format!("/_gridlog/namespace: {e}"))?;
        Ok(json["throughputUnits"].as_u64())
    }

    /// One GET on a new connection.
    pub fn get(&self, path: &str) -> Result<(u16, Bytes), String> {
        self.one_shot("GET", path, "")
    }

    fn one_shot(&self, method: &str, path: &str, body: &str) -> Result<(u16, Bytes), String> {
        let mut session = self.http_session()?;
        session
            .call(method, path, None, Bytes::from(body.to_owned()), &|| false)?
            .ok_or_else(|| "cancelled".to_owned())
    }

    fn http_session(&self) -> Result<HttpSession<'_>, String> {
        Ok(HttpSession {
            target: self,
            runtime: tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| e.to_string())?,
            sender: None,
        })
    }
}

type Sender = hyper::client::conn::http1::SendRequest<Full<Bytes>>;

struct HttpSession<'a> {
    target: &'a Http,
    runtime: tokio::runtime::Runtime,
    sender: Option<Sender>,
}

fn retry_after(headers: &hyper::HeaderMap) -> Duration {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
    };
    header("retry-after-ms")
        .map(Duration::from_millis)
        .or_else(|| header("retry-after").map(Duration::from_secs))
        .unwrap_or(Duration::from_secs(1))
}

impl HttpSession<'_> {
    /// One request on the kept-alive connection (reconnecting when needed). `None` when
    /// `cancel()` turned true first (the connection is then dropped).
    fn call(
        &mut self,
        method: &str,
        path: &str,
        content_type: Option<&str>,
        body: Bytes,
        cancel: &dyn Fn() -> bool,
    ) -> Result<Option<(u16, Bytes)>, String> {
        self.call_with_headers(method, path, content_type, body, cancel)
            .map(|r| r.map(|(status, _, body)| (status, body)))
    }

    fn call_with_headers(
        &mut self,
        method: &str,
        path: &str,
        content_type: Option<&str>,
        body: Bytes,
        cancel: &dyn Fn() -> bool,
    ) -> Result<Option<(u16, hyper::HeaderMap, Bytes)>, String> {
        let target = self.target;
        let uri = format!("{}{path}", target.prefix);
        let mut sender = self.sender.take();
        let result = self.runtime.block_on(async {
            let mut sender = match sender.take() {
                Some(s) if !s.is_closed() => s,
                _ => {
                    let stream = tokio::net::TcpStream::connect(target.authority.as_str())
                        .await
                        .map_err(|e| format!("connecting to {}: {e}", target.authority))?;
                    let _ = stream.set_nodelay(true);
                    let (s, connection) =
                        hyper::client::conn::http1::handshake(TokioIo::new(stream))
                            .await
                            .map_err(|e| e.to_string())?;
                    tokio::spawn(connection);
                    s
                }
            };
            sender.ready().await.map_err(|e| e.to_string())?;
            let mut request = Request::builder()
                .method(method)
                .uri(uri.as_str())
                .header("host", target.authority.as_str());
            if let Some(key) = &target.key {
                request = request.header("authorization", format!("SharedAccessKey {key}"));
            }
            if let Some(ct) = content_type {
                request = request.header("content-type", ct);
            }
            let request = request.body(Full::new(body)).map_err(|e| e.to_string())?;
            let exchange = async {
                let response = sender
                    .send_request(request)
                    .await
                    .map_err(|e| format!("request to {} failed: {e}", target.authority))?;
                let status = response.status().as_u16();
                let headers = response.headers().clone();
                let bytes = response
                    .into_body()
                    .collect()
                    .await
                    .map_err(|e| e.to_string())?
                    .to_bytes();
                Ok::<_, String>((status, headers, bytes))
            };
            let cancelled = async {
                loop {
                    if cancel() {
                        return;
                    }
                    tokio::time::sleep(CANCEL_POLL).await;
                }
            };
            tokio::select! {
                r = exchange => r.map(|r| (Some(r), Some(sender))),
                () = cancelled => Ok((None, None)),
            }
        });
        let (answer, sender) = result?;
        self.sender = sender;
        Ok(answer)
    }

    fn data_plane(
        &mut self,
        path: &str,
        content_type: Option<&str>,
        body: Bytes,
        cancel: &dyn Fn() -> bool,
    ) -> Result<Option<Call<Bytes>>, String> {
        let Some((status, headers, body)) =
            self.call_with_headers("POST", path, content_type, body, cancel)?
        else {
            return Ok(None);
        };
        match status {
            200 => Ok(Some(Call::Done(body))),
            429 => Ok(Some(Call::Throttled(retry_after(&headers)))),
            _ => Err(format!(
                "HTTP {status} from {path}: {}",
                String::from_utf8_lossy(&body)
            )),
        }
    }
}

fn segment(name: &str) -> String {
    percent_encoding::utf8_percent_encode(name, percent_encoding::NON_ALPHANUMERIC).to_string()
}

#[derive(serde::Deserialize)]
struct ReceiveBody<'a> {
    #[serde(borrow)]
    value: Vec<ReceiveItem<'a>>,
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct ReceiveItem<'a> {
    broker_properties: BrokerProperties,
    #[serde(borrow)]
    event: &'a serde_json::value::RawValue,
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct BrokerProperties {
    lock_token: String,
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct SettleBody {
    succeeded_lock_tokens: Vec<serde_json::Value>,
}

impl Session for HttpSession<'_> {
    fn publish(&mut self, topic: &str, body: &[u8], _events: u64) -> Result<Call<()>, String> {
        let path = format!(
            "/topics/{}:publish?api-version={API_VERSION}",
            segment(topic)
        );
        match self.data_plane(&path, Some(BATCH), Bytes::copy_from_slice(body), &|| false)? {
            Some(Call::Done(_)) => Ok(Call::Done(())),
            Some(Call::Throttled(d)) => Ok(Call::Throttled(d)),
            None => Err("publish cancelled".into()),
        }
    }

    fn receive(
        &mut self,
        names: &Names,
        max: u32,
        done: &dyn Fn() -> bool,
    ) -> Result<Call<Vec<Got>>, String> {
        let path = format!(
            "/topics/{}/eventsubscriptions/{}:receive?api-version={API_VERSION}&maxEvents={max}&maxWaitTime=10",
            segment(&names.topic),
            segment(&names.subscription)
        );
        match self.data_plane(&path, None, Bytes::new(), done)? {
            None => Ok(Call::Done(Vec::new())),
            Some(Call::Throttled(d)) => Ok(Call::Throttled(d)),
            Some(Call::Done(body)) => {
                let parsed: ReceiveBody<'_> =
                    serde_json::from_slice(&body).map_err(|e| format!("receive answer: {e}"))?;
                Ok(Call::Done(
                    parsed
                        .value
                        .into_iter()
                        .map(|item| Got {
                            bytes: item.event.get().len() as u64,
                            published_at: event_time(item.event.get().as_bytes()),
                            lock_token: item.broker_properties.lock_token,
                        })
                        .collect(),
                ))
            }
        }
    }

    fn acknowledge(&mut self, names: &Names, tokens: &[String]) -> Result<Call<u64>, String> {
        let path = format!(
            "/topics/{}/eventsubscriptions/{}:acknowledge?api-version={API_VERSION}",
            segment(&names.topic),
            segment(&names.subscription)
        );
        let body = serde_json::json!({ "lockTokens": tokens }).to_string();
        match self.data_plane(&path, Some("application/json"), Bytes::from(body), &|| {
            false
        })? {
            Some(Call::Done(body)) => {
                let parsed: SettleBody = serde_json::from_slice(&body)
                    .map_err(|e| format!("acknowledge answer: {e}"))?;
                Ok(Call::Done(parsed.succeeded_lock_tokens.len() as u64))
            }
            Some(Call::Throttled(d)) => Ok(Call::Throttled(d)),
            None => Err("acknowledge cancelled".into()),
        }
    }
}

impl Target for Http {
    fn setup(&self, tus: Option<u32>) -> Result<Names, String> {
        if let Some(tus) = tus {
            let mut original = self
                .original_tus
                .lock()
                .map_err(|_| "a bench thread panicked".to_owned())?;
            if matches!(*original, Original::Untouched) {
                *original = Original::Tus(self.get_tus()?);
            }
            self.put_tus(Some(u64::from(tus)))?;
        }
        let topic = run_topic_name();
        let body = serde_json::json!({"eventSubscriptions": [{"name": SUBSCRIPTION}]}).to_string();
        let (status, answer) = self.one_shot(
            "PUT",
            &format!("/_gridlog/topics/{}", segment(&topic)),
            &body,
        )?;
        if status != 200 {
            return Err(format!(
                "creating topic {topic} on {}: HTTP {status}: {}",
                self.endpoint,
                String::from_utf8_lossy(&answer)
            ));
        }
        Ok(Names {
            topic,
            subscription: SUBSCRIPTION.to_owned(),
        })
    }

    fn teardown(&self, names: &Names) -> Result<(), String> {
        let (status, answer) = self.one_shot(
            "DELETE",
            &format!("/_gridlog/topics/{}", segment(&names.topic)),
            "",
        )?;
        if status == 200 {
            Ok(())
        } else {
            Err(format!(
                "deleting topic {}: HTTP {status}: {}",
                names.topic,
                String::from_utf8_lossy(&answer)
            ))
        }
    }

    fn session(&self) -> Result<Box<dyn Session + '_>, String> {
        Ok(Box::new(self.http_session()?))
    }

    fn usage(&self) -> Option<Usage> {
        let (status, body) = self.one_shot("GET", "/metrics", "").ok()?;
        if status != 200 {
            return None;
        }
        let scrape = Scrape::parse(&String::from_utf8_lossy(&body));
        Some(Usage {
            #[expect(
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss,
                reason = "a counter exposed as a float"
            )]
            syncs: scrape.sum("gridlog_wal_syncs_total") as u64,
            sync_seconds: scrape.sum("gridlog_wal_sync_duration_seconds_sum"),
            server_cpu_seconds: scrape.get("process_cpu_seconds_total", &[]),
        })
    }

    fn describe(&self) -> String {
        self.endpoint.clone()
    }

    fn supports_tus(&self) -> bool {
        true
    }

    fn close(&self) -> Result<(), String> {
        let original = std::mem::replace(
            &mut *self
                .original_tus
                .lock()
                .map_err(|_| "a bench thread panicked".to_owned())?,
            Original::Untouched,
        );
        match original {
            Original::Tus(units) => self.put_tus(units),
            Original::Untouched => Ok(()),
        }
    }
}
