//! What a bench drives: the [`Session`] and [`Target`] traits, and the embedded engine
//! (`http_target.rs` is the other target: a server over HTTP or HTTPS).

use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use gridlog::format::parse_request;
use gridlog::{EngineError, Namespace, NamespaceConfig, NamespaceOptions};

use super::{Names, event_time};
use crate::commands::client::BATCH;

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

pub(super) fn run_topic_name() -> String {
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
pub(super) const SUBSCRIPTION: &str = "bench";

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
