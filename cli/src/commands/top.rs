//! `gridlog top`: a live view of a server's per-topic and per-subscription rates and backlog,
//! computed from two scrapes of its `/metrics` a refresh interval apart.
//!
//! The core is pure and unit-tested: `Scrape::parse` (`exposition.rs`) reads the exposition, [`Snapshot`] picks
//! gridlog's series out of it, and [`View::between`] turns two snapshots into rates.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write as _;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use bytes::Bytes;
use hyper::Method;

use super::events::parse_duration;
use super::exposition::Scrape;
use super::http_session::{Access, Session};

/// Arguments of `gridlog top`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The server (env GRIDLOG_ENDPOINT; default http://127.0.0.1:8765).
    #[arg(long)]
    pub endpoint: Option<String>,
    /// The access key and trusted CA certificates for --endpoint.
    #[command(flatten)]
    pub access: Access,
    /// Refresh interval.
    #[arg(long, default_value = "1s", value_parser = parse_duration)]
    pub interval: Duration,
    /// Print this many views, one after the other, then exit (no screen clearing).
    #[arg(long)]
    pub iterations: Option<u64>,
    /// Print one view (rates over one interval) and exit; same as --iterations 1.
    #[arg(long, conflicts_with = "iterations")]
    pub once: bool,
}

/// Per-subscription counters and gauges.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct SubFigures {
    /// Deliveries.
    pub delivered: f64,
    /// Acknowledged.
    pub acknowledged: f64,
    /// Released.
    pub released: f64,
    /// Rejected.
    pub rejected: f64,
    /// Dead-lettered plus dropped.
    pub dead_lettered: f64,
    /// Backlog: events waiting, exactly (not yet settled or removed by retention; locked ones
    /// included).
    pub backlog: f64,
    /// Locked.
    pub locked: f64,
    /// Records after the scan position (any topic; not a count of events).
    pub unscanned: f64,
}

/// Per-topic counters.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct TopicFigures {
    /// Events published.
    pub events: f64,
    /// Bytes published.
    pub bytes: f64,
}

/// gridlog's figures in one scrape.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Snapshot {
    /// By topic.
    pub topics: BTreeMap<String, TopicFigures>,
    /// By (topic, subscription).
    pub subscriptions: BTreeMap<(String, String), SubFigures>,
    /// WAL syncs.
    pub syncs: f64,
    /// Seconds spent in them.
    pub sync_seconds: f64,
    /// WAL bytes on disk.
    pub wal_disk_bytes: f64,
    /// Live segments.
    pub wal_segments: f64,
    /// HTTP requests answered.
    pub requests: f64,
    /// 429s.
    pub throttled: f64,
    /// Engine calls refused by the TU limits (all directions).
    pub throttled_operations: f64,
    /// Configured throughput units, if limited.
    pub throughput_units: Option<f64>,
}

impl Snapshot {
    /// Picks gridlog's series out of `scrape`.
    pub fn from_scrape(scrape: &Scrape) -> Self {
        let mut snap = Self {
            syncs: scrape.sum("gridlog_wal_syncs_total"),
            sync_seconds: scrape.sum("gridlog_wal_sync_duration_seconds_sum"),
            wal_disk_bytes: scrape.sum("gridlog_wal_disk_bytes"),
            wal_segments: scrape.sum("gridlog_wal_segments"),
            requests: scrape.sum("gridlog_http_requests_total"),
            throttled: scrape.sum("gridlog_throttled_requests_total"),
            throttled_operations: scrape.sum("gridlog_throttled_operations_total"),
            throughput_units: scrape.get("gridlog_throughput_units", &[]),
            ..Self::default()
        };
        for sample in &scrape.samples {
            let Some(topic) = sample.label("topic") else {
                continue;
            };
            if let Some(sub) = sample.label("subscription") {
                let f = snap
                    .subscriptions
                    .entry((topic.to_owned(), sub.to_owned()))
                    .or_default();
                let v = sample.value;
                match sample.name.as_str() {
                    "gridlog_delivered_events_total" => f.delivered = v,
                    "gridlog_acknowledged_events_total" => f.acknowledged = v,
                    "gridlog_released_events_total" => f.released = v,
                    "gridlog_rejected_events_total" => f.rejected = v,
                    "gridlog_dead_lettered_events_total" | "gridlog_dropped_events_total" => {
                        f.dead_lettered += v;
                    }
                    "gridlog_backlog_events" => f.backlog = v,
                    "gridlog_locked_events" => f.locked = v,
                    "gridlog_unscanned_records" => f.unscanned = v,
                    _ => {}
                }
            } else {
                let f = snap.topics.entry(topic.to_owned()).or_default();
                match sample.name.as_str() {
                    "gridlog_published_events_total" => f.events = sample.value,
                    "gridlog_published_bytes_total" => f.bytes = sample.value,
                    _ => {}
                }
            }
        }
        snap
    }
}

/// Rates per second between two snapshots (a counter that went down, i.e. a restart, counts
/// from zero).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct View {
    /// Seconds between the snapshots.
    pub secs: f64,
    /// (topic, events/s, bytes/s).
    pub topics: Vec<(String, f64, f64)>,
    /// ((topic, subscription), rates, current gauges).
    pub subscriptions: Vec<((String, String), SubFigures, SubFigures)>,
    /// Syncs per second.
    pub syncs_per_sec: f64,
    /// Share of the interval spent syncing.
    pub sync_share: f64,
    /// Requests per second.
    pub requests_per_sec: f64,
    /// 429s per second.
    pub throttled_per_sec: f64,
    /// Engine calls refused by the TU limits per second.
    pub throttled_operations_per_sec: f64,
    /// Configured throughput units, if limited.
    pub throughput_units: Option<f64>,
    /// Current WAL bytes on disk.
    pub wal_disk_bytes: f64,
    /// Current segments.
    pub wal_segments: f64,
}

fn rate(before: f64, after: f64, secs: f64) -> f64 {
    let delta = if after >= before {
        after - before
    } else {
        after
    };
    if secs > 0.0 { delta / secs } else { 0.0 }
}

impl View {
    /// Rates from `before` to `after`, `secs` apart.
    pub fn between(before: &Snapshot, after: &Snapshot, secs: f64) -> Self {
        let topics = after
            .topics
            .iter()
            .map(|(name, now)| {
                let then = before.topics.get(name).copied().unwrap_or_default();
                (
                    name.clone(),
                    rate(then.events, now.events, secs),
                    rate(then.bytes, now.bytes, secs),
                )
            })
            .collect();
        let subscriptions = after
            .subscriptions
            .iter()
            .map(|(key, now)| {
                let then = before.subscriptions.get(key).copied().unwrap_or_default();
                let rates = SubFigures {
                    delivered: rate(then.delivered, now.delivered, secs),
                    acknowledged: rate(then.acknowledged, now.acknowledged, secs),
                    released: rate(then.released, now.released, secs),
                    rejected: rate(then.rejected, now.rejected, secs),
                    dead_lettered: rate(then.dead_lettered, now.dead_lettered, secs),
                    ..SubFigures::default()
                };
                (key.clone(), rates, *now)
            })
            .collect();
        Self {
            secs,
            topics,
            subscriptions,
            syncs_per_sec: rate(before.syncs, after.syncs, secs),
            sync_share: rate(before.sync_seconds, after.sync_seconds, secs),
            requests_per_sec: rate(before.requests, after.requests, secs),
            throttled_per_sec: rate(before.throttled, after.throttled, secs),
            throttled_operations_per_sec: rate(
                before.throttled_operations,
                after.throttled_operations,
                secs,
            ),
            throughput_units: after.throughput_units,
            wal_disk_bytes: after.wal_disk_bytes,
            wal_segments: after.wal_segments,
        }
    }

    /// The text of the view.
    pub fn render(&self, endpoint: &str) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "gridlog top: {endpoint} (rates over {:.1} s); throughput units: {}, throttled {:.1}/s\n",
            self.secs,
            self.throughput_units
                .map_or_else(|| "unlimited".to_owned(), |u| format!("{u:.0}")),
            self.throttled_operations_per_sec
        );
        let _ = writeln!(
            out,
            "{:<32} {:>10} {:>8} {:>10} {:>10} {:>9} {:>8} {:>9} {:>8} {:>10}",
            "topic / subscription",
            "publish/s",
            "MB/s",
            "deliver/s",
            "ack/s",
            "release/s",
            "dead/s",
            "backlog",
            "locked",
            "unscanned"
        );
        for (topic, events, bytes) in &self.topics {
            let _ = writeln!(
                out,
                "{:<32} {events:>10.1} {:>8.2}",
                truncate(topic, 32),
                bytes / super::bench::MB
            );
            for ((_, sub), rates, now) in self
                .subscriptions
                .iter()
                .filter(|((t, _), _, _)| t == topic)
            {
                let _ = writeln!(
                    out,
                    "  {:<30} {:>10} {:>8} {:>10.1} {:>10.1} {:>9.1} {:>8.1} {:>9.0} {:>8.0} {:>10.0}",
                    truncate(sub, 30),
                    "",
                    "",
                    rates.delivered,
                    rates.acknowledged,
                    rates.released,
                    rates.dead_lettered,
                    now.backlog,
                    now.locked,
                    now.unscanned
                );
            }
        }
        let _ = writeln!(
            out,
            "\nWAL: {:.0} segment(s), {:.1} MB on disk, {:.0} syncs/s ({:.0}% of the time syncing) | HTTP {:.0} requests/s, {:.1} throttled (429)/s",
            self.wal_segments,
            self.wal_disk_bytes / super::bench::MB,
            self.syncs_per_sec,
            self.sync_share * 100.0,
            self.requests_per_sec,
            self.throttled_per_sec
        );
        out
    }
}

fn truncate(s: &str, width: usize) -> String {
    if s.chars().count() <= width {
        s.to_owned()
    } else {
        let mut t: String = s.chars().take(width.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

fn scrape(session: &mut Session) -> Result<(Snapshot, Instant), String> {
    let answer = session
        .call(&Method::GET, METRICS_PATH, None, Bytes::new())
        .map_err(|e| e.to_string())?;
    let at = Instant::now();
    match answer.status {
        200 => Ok((
            Snapshot::from_scrape(&Scrape::parse(&String::from_utf8_lossy(&answer.body))),
            at,
        )),
        401 => {
            Err("401 Unauthorized: give the server's access key with --key or GRIDLOG_KEY".into())
        }
        404 => Err("the server does not serve /metrics (started with --no-metrics?)".into()),
        other => Err(format!("GET /metrics: HTTP {other}")),
    }
}

/// Where a server serves its metrics.
const METRICS_PATH: &str = "/metrics";

/// Runs `gridlog top`.
pub fn run(args: &Args) -> Result<ExitCode, String> {
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    let endpoint = args
        .endpoint
        .clone()
        .or_else(|| env("GRIDLOG_ENDPOINT"))
        .unwrap_or_else(|| "http://127.0.0.1:8765".to_owned());
    let endpoint = args.access.endpoint(&endpoint).map_err(|e| e.to_string())?;
    let mut session = Session::new(std::sync::Arc::new(endpoint)).map_err(|e| e.to_string())?;
    let frames = if args.once { Some(1) } else { args.iterations };
    let live = frames.is_none() && std::io::IsTerminal::is_terminal(&std::io::stdout());
    let (mut previous, mut at) = scrape(&mut session)?;
    let mut shown = 0_u64;
    loop {
        std::thread::sleep(args.interval);
        let (current, now) = scrape(&mut session)?;
        let view = View::between(&previous, &current, (now - at).as_secs_f64());
        let mut text = view.render(session.endpoint().text());
        if live {
            text.insert_str(0, "\x1b[2J\x1b[H");
        } else if shown > 0 {
            text.insert(0, '\n');
        }
        let mut stdout = std::io::stdout().lock();
        stdout
            .write_all(text.as_bytes())
            .and_then(|()| stdout.flush())
            .map_err(|e| e.to_string())?;
        shown += 1;
        if frames.is_some_and(|n| shown >= n) {
            return Ok(ExitCode::SUCCESS);
        }
        previous = current;
        at = now;
    }
}

#[cfg(test)]
#[allow(clippy::float_cmp, reason = "exact small integers and halves")]
mod tests {
    use super::*;

    const BEFORE: &str = r#"# HELP gridlog_published_events_total Events published.
# TYPE gridlog_published_events_total counter
gridlog_published_events_total{topic="orders"} 100
gridlog_published_bytes_total{topic="orders"} 102400
gridlog_delivered_events_total{topic="orders",subscription="billing"} 50
gridlog_acknowledged_events_total{topic="orders",subscription="billing"} 40
gridlog_dead_lettered_events_total{topic="orders",subscription="billing"} 1
gridlog_dropped_events_total{topic="orders",subscription="billing"} 2
gridlog_backlog_events{topic="orders",subscription="billing"} 7
gridlog_wal_syncs_total{kind="data"} 10
gridlog_wal_syncs_total{kind="dir"} 2
gridlog_wal_sync_duration_seconds_sum 0.5
gridlog_throughput_units 4
gridlog_throttled_operations_total{direction="ingress"} 3
gridlog_throttled_operations_total{direction="settlement"} 1
gridlog_http_requests_total{operation="publish",status="200"} 5
process_cpu_seconds_total 1.5
"#;

    #[test]
    fn rates_between_two_snapshots() {
        let before = Snapshot::from_scrape(&Scrape::parse(BEFORE));
        assert_eq!(before.syncs, 12.0);
        let after_text = BEFORE
            .replace("} 100\n", "} 300\n")
            .replace("} 102400\n", "} 307200\n")
            .replace("billing\"} 50", "billing\"} 150")
            .replace("billing\"} 40", "billing\"} 120")
            .replace("billing\"} 7", "billing\"} 30")
            .replace("{kind=\"data\"} 10", "{kind=\"data\"} 50")
            .replace("sum 0.5", "sum 1.5")
            .replace("\"ingress\"} 3", "\"ingress\"} 9");
        let after = Snapshot::from_scrape(&Scrape::parse(&after_text));
        let view = View::between(&before, &after, 2.0);
        assert_eq!(view.topics, vec![("orders".to_owned(), 100.0, 102_400.0)]);
        let (key, rates, now) = &view.subscriptions[0];
        assert_eq!(key, &("orders".to_owned(), "billing".to_owned()));
        assert_eq!(rates.delivered, 50.0);
        assert_eq!(rates.acknowledged, 40.0);
        assert_eq!(rates.dead_lettered, 0.0);
        assert_eq!(now.backlog, 30.0);
        assert_eq!(now.dead_lettered, 3.0, "dead-lettered and dropped add up");
        assert_eq!(view.syncs_per_sec, 20.0);
        assert_eq!(view.sync_share, 0.5);
        let text = view.render("http://x");
        assert!(text.contains("orders"), "{text}");
        assert!(text.contains("billing"), "{text}");
        assert!(text.contains("50% of the time syncing"), "{text}");
        assert_eq!(view.throttled_operations_per_sec, 3.0);
        assert!(
            text.contains("throughput units: 4, throttled 3.0/s"),
            "{text}"
        );
    }

    #[test]
    fn a_counter_reset_counts_from_zero() {
        assert_eq!(rate(100.0, 30.0, 1.0), 30.0);
        assert_eq!(rate(100.0, 130.0, 2.0), 15.0);
        assert_eq!(rate(1.0, 2.0, 0.0), 0.0);
    }
}
