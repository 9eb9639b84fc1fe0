//! What the driver asks a worker process to measure, and what the worker answers.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

/// A system under measurement. Each runs in its own worker process.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum System {
    /// Raw file I/O: write + fdatasync at the same granularity into a preallocated file.
    Physical,
    /// The `gridlog` engine crate linked into the worker (default durability `Always`).
    Embedded,
    /// `gridlog serve` on loopback, driven with hyper (HTTP/1.1).
    Http,
    /// NATS JetStream, file storage, `sync_interval: always`, pull consumer, explicit ack.
    Nats,
    /// SQLite as a queue: WAL mode, `synchronous=FULL`.
    Sqlite,
}

impl System {
    /// Table order.
    pub const ALL: [Self; 5] = [
        Self::Physical,
        Self::Embedded,
        Self::Http,
        Self::Nats,
        Self::Sqlite,
    ];

    /// The name in tables and the chart.
    pub fn label(self) -> &'static str {
        match self {
            Self::Physical => "physical limit (raw file I/O)",
            Self::Embedded => "gridlog embedded",
            Self::Http => "gridlog HTTP (loopback)",
            Self::Nats => "NATS JetStream (sync always)",
            Self::Sqlite => "SQLite queue (WAL, FULL)",
        }
    }

    /// The short name used on the command line (`--only`).
    pub fn key(self) -> &'static str {
        match self {
            Self::Physical => "physical",
            Self::Embedded => "embedded",
            Self::Http => "http",
            Self::Nats => "nats",
            Self::Sqlite => "sqlite",
        }
    }
}

/// One worker run: publish `events` in batches of `batch`, receive and acknowledge them in
/// batches of `batch`, then publish `unbatched` events one per durable call.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Spec {
    /// Which system.
    pub system: System,
    /// A fresh directory for the system's files.
    pub dir: PathBuf,
    /// Bytes per event (the structured CloudEvent JSON).
    pub size: usize,
    /// Events per publish call and per receive/acknowledge call.
    pub batch: usize,
    /// Events published in batches (then consumed).
    pub events: u64,
    /// Events published one per call (0 = skip).
    pub unbatched: u64,
    /// A phase stops after this many seconds (its rate is taken over what it did).
    pub phase_secs: f64,
    /// The server's address (HTTP, NATS).
    pub addr: Option<String>,
    /// The access key of `gridlog serve`.
    pub key: String,
    /// Physical only: also time a cold sequential read of the data file.
    pub seq_read: bool,
}

/// One timed phase.
#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize)]
pub struct Phase {
    /// Events done.
    pub events: u64,
    /// Payload bytes moved (events × size; for the sequential read, the bytes read).
    pub bytes: u64,
    /// Seconds taken.
    pub secs: f64,
    /// The phase hit the time cap before doing all its events.
    pub capped: bool,
}

impl Phase {
    /// Events per second.
    pub fn events_per_sec(&self) -> f64 {
        if self.secs > 0.0 {
            self.events as f64 / self.secs
        } else {
            0.0
        }
    }

    /// Megabytes (10^6 bytes) per second.
    pub fn mb_per_sec(&self) -> f64 {
        if self.secs > 0.0 {
            self.bytes as f64 / self.secs / 1e6
        } else {
            0.0
        }
    }
}

/// What a worker reports.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Outcome {
    /// Batched durable publish.
    pub publish: Phase,
    /// Receive + acknowledge, batched.
    pub consume: Phase,
    /// Unbatched durable publish (if asked for).
    pub unbatched: Option<Phase>,
    /// Physical only: cold sequential read.
    pub seq_read: Option<Phase>,
    /// The worker's own peak RSS (`VmHWM`), KiB.
    pub worker_rss_kib: u64,
    /// Version of what was measured.
    pub version: String,
}

/// If a step makes no progress for this long, the phase fails.
const STALL: Duration = Duration::from_secs(30);

/// Runs `step(done, want)` until `total` events are done or `cap_secs` have passed. `step`
/// returns how many events it did (at most `want`, which is at most `batch`).
pub fn run_phase(
    total: u64,
    batch: usize,
    size: usize,
    cap_secs: f64,
    mut step: impl FnMut(u64, usize) -> Result<usize, String>,
) -> Result<Phase, String> {
    let started = Instant::now();
    let mut done = 0_u64;
    let mut idle_since: Option<Instant> = None;
    let mut capped = false;
    while done < total {
        let want = usize::try_from(total - done)
            .unwrap_or(usize::MAX)
            .min(batch);
        let got = step(done, want)?;
        if got == 0 {
            let since = *idle_since.get_or_insert_with(Instant::now);
            if since.elapsed() > STALL {
                return Err(format!(
                    "no progress for {STALL:?} after {done} of {total} events"
                ));
            }
        } else {
            idle_since = None;
        }
        done += got as u64;
        if done < total && started.elapsed().as_secs_f64() > cap_secs {
            capped = true;
            break;
        }
    }
    Ok(Phase {
        events: done,
        bytes: done * size as u64,
        secs: started.elapsed().as_secs_f64(),
        capped,
    })
}

/// A structured CloudEvent of exactly `size` bytes (`size` ≥ 128).
pub fn event_json(size: usize, n: u64) -> Vec<u8> {
    let head = format!(
        r#"{{"specversion":"1.0","id":"e{n:010}","source":"/bench","type":"Bench.Event","data":""#
    );
    let pad = size.saturating_sub(head.len() + 2);
    let mut out = Vec::with_capacity(size);
    out.extend_from_slice(head.as_bytes());
    out.resize(head.len() + pad, b'x');
    out.extend_from_slice(b"\"}");
    out
}

/// Events kept in memory and cycled through: about 8 MiB of them, a whole number of batches,
/// at least one batch and at most 1,000 events. The ids repeat across cycles; no system here
/// deduplicates, and every publish stores fresh bytes.
pub fn pool(size: usize, batch: usize) -> Vec<Vec<u8>> {
    let by_bytes = (8 << 20) / size.max(1);
    let batches = (by_bytes.min(1000) / batch.max(1)).max(1);
    (0..(batches * batch) as u64)
        .map(|n| event_json(size, n))
        .collect()
}

/// Peak RSS (`VmHWM`, KiB) of a process, from `/proc/<pid>/status` (`self` for this one).
pub fn peak_rss_kib(pid: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}
