//! `GET /metrics`: the Prometheus text exposition (format 0.0.4), built with `prometheus-client`
//! (the Prometheus project's Rust client); nothing here writes exposition text by hand.
//!
//! Two kinds of series:
//! - **Live**, counted by the HTTP layer as requests are answered: requests by operation and
//!   status, their latency, and throttled (429) requests.
//! - **Collected at scrape time** from [`DataPlane::stats`] (the engine's durable meters and the
//!   WAL's I/O counters): events and bytes published per topic; events delivered, acknowledged,
//!   released, rejected, dead-lettered, dropped, expired and locks renewed per subscription;
//!   exact backlog (events waiting), locked and unscanned counts per subscription; per Event Hub
//!   partition, events and bytes sent, begin and last sequence numbers, last enqueued time,
//!   retained events and index marks (`metrics/hubs.rs`); WAL segments, bytes used and on
//!   disk; syncs by kind with a latency histogram; writes and bytes written.
//! - The standard `process_cpu_seconds_total` and `process_resident_memory_bytes` (Linux).
//!
//! The engine's meters are durable (they survive a restart), so those counters continue across
//! restarts; the WAL's I/O counters and the HTTP counters start at zero with the process, which
//! Prometheus' `rate()` handles as a counter reset.
//!
//! Access: the same credentials as the management API (a SAS must be scoped to the namespace):
//! the series name every topic and subscription and show traffic volumes, which a deployment
//! does not hand to anyone who can reach the port. Prometheus sends the key with
//! `authorization: {type: SharedAccessKey, credentials_file: …}` in its scrape config. Without
//! configured keys (loopback only) it is open like everything else. `serve --no-metrics` turns
//! the endpoint off (404).

mod hubs;

use std::sync::Arc;
use std::time::Duration;

use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeLabelSet, EncodeMetric};
use prometheus_client::metrics::MetricType;
use prometheus_client::metrics::counter::{ConstCounter, Counter};
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::ConstGauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::{Registry, Unit};

use gridlog::wal::SYNC_LATENCY_BOUNDS_NANOS;
use gridlog::{NamespaceStats, SubscriptionStats, SyncHistogram, WalStats};

use crate::backend::DataPlane;

/// The path of the endpoint.
pub const METRICS_PATH: &str = "/metrics";
/// The `Content-Type` of the answer (Prometheus text format 0.0.4).
pub const CONTENT_TYPE: &str = prometheus_client::encoding::prometheus_text::CONTENT_TYPE;
/// Every series name starts with this.
pub const PREFIX: &str = "gridlog";

/// The operation label of an HTTP request: one of a fixed set, so a client cannot create series.
pub fn operation_of(path: &str) -> &'static str {
    if path == METRICS_PATH {
        return "metrics";
    }
    if path == "/_gridlog/health" {
        return "health";
    }
    if crate::console::is_console_path(path) {
        return "console";
    }
    if path == "/_gridlog" || path.starts_with("/_gridlog/") {
        return "management";
    }
    if path.ends_with("/messages") {
        return "eventhubs_send";
    }
    match path.rsplit_once(':').map(|(_, action)| action) {
        Some("publish") => "publish",
        Some("receive") => "receive",
        Some("acknowledge") => "acknowledge",
        Some("release") => "release",
        Some("reject") => "reject",
        Some("renewLock") => "renewLock",
        Some("peek") => "peek",
        Some("republishDeadLetters") => "republishDeadLetters",
        _ => "other",
    }
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    operation: &'static str,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OperationLabel {
    operation: &'static str,
}

/// The registry and the live series; shared by every request.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<OperationLabel, Histogram, fn() -> Histogram>,
    throttled: Family<OperationLabel, Counter>,
    push_attempts: crate::push::PushAttempts,
}

impl Metrics {
    /// A registry with the live HTTP series and a collector reading `backend`'s stats on scrape.
    pub fn new(backend: Arc<dyn DataPlane>) -> Self {
        let mut root = Registry::default();
        root.register_collector(Box::new(ProcessCollector));
        let registry = root.sub_registry_with_prefix(PREFIX);
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "http_requests",
            "HTTP requests answered, by operation and status",
            requests.clone(),
        );
        let latency = Family::<OperationLabel, Histogram, fn() -> Histogram>::new_with_constructor(
            latency_histogram,
        );
        registry.register_with_unit(
            "http_request_duration",
            "Time from request to answer (receives include their long-poll wait)",
            Unit::Seconds,
            latency.clone(),
        );
        let throttled = Family::<OperationLabel, Counter>::default();
        registry.register(
            "throttled_requests",
            "Requests refused with 429 Too Many Requests (throughput-unit limits)",
            throttled.clone(),
        );
        let push_attempts = crate::push::PushAttempts::default();
        registry.register(
            "push_attempts",
            "Push delivery attempts by topic, subscription and outcome (status class, or the failure: connect_failed, timeout, tls_unknown_ca, tls_name_mismatch, tls_expired, tls_other, http_error)",
            push_attempts.clone(),
        );
        registry.register_collector(Box::new(StoreCollector { backend }));
        Self {
            registry: root,
            requests,
            latency,
            throttled,
            push_attempts,
        }
    }

    /// Adds a collector read on every scrape, its series under the `gridlog_` prefix: another
    /// front end's figures (`gridlog serve` adds the MQTT broker's).
    pub fn register_collector(&mut self, collector: Box<dyn Collector>) {
        self.registry
            .sub_registry_with_prefix(PREFIX)
            .register_collector(collector);
    }

    /// The push attempt counters, for [`crate::push::PushOptions::attempts`].
    pub fn push_attempts(&self) -> crate::push::PushAttempts {
        self.push_attempts.clone()
    }

    /// Counts one answered request.
    pub fn observe_request(&self, path: &str, status: u16, elapsed: Duration) {
        let operation = operation_of(path);
        self.requests
            .get_or_create(&RequestLabels { operation, status })
            .inc();
        self.latency
            .get_or_create(&OperationLabel { operation })
            .observe(elapsed.as_secs_f64());
        if status == 429 {
            self.throttled
                .get_or_create(&OperationLabel { operation })
                .inc();
        }
    }

    /// The exposition. Reads the store's stats (takes its lock briefly): call off the async
    /// runtime.
    pub fn render(&self) -> Result<String, std::fmt::Error> {
        let mut out = String::with_capacity(16 * 1024);
        prometheus_client::encoding::prometheus_text::encode(&mut out, &self.registry)?;
        Ok(out)
    }
}

/// 0.25 ms to about 8 s, doubling.
fn latency_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.000_25, 2.0, 16))
}

/// Reads [`DataPlane::stats`] on every scrape.
struct StoreCollector {
    backend: Arc<dyn DataPlane>,
}

impl std::fmt::Debug for StoreCollector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StoreCollector")
    }
}

impl Collector for StoreCollector {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let Some(stats) = self.backend.stats() else {
            return Ok(());
        };
        encode_stats(&stats.namespace, &mut encoder)?;
        hubs::encode_hubs(&stats.namespace.hubs, &mut encoder)?;
        encode_wal(&stats.namespace, &stats.wal, &mut encoder)
    }
}

/// Linux's `USER_HZ`: the unit of the CPU times in `/proc/<pid>/stat` (fixed at 100 by the ABI).
const USER_HZ: f64 = 100.0;

/// This process's CPU time (user + system) in seconds and resident set size in bytes, from
/// `/proc/self` (Linux); `None` elsewhere.
pub fn process_usage() -> Option<(f64, u64)> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The command name (field 2) may hold spaces; fields after its closing ')' are plain.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    // Fields 14 and 15 (utime, stime) are at 11 and 12 after the name.
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let rss_kib: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))?
        .split_whitespace()
        .next()?
        .parse()
        .ok()?;
    #[expect(clippy::cast_precision_loss, reason = "ticks to seconds")]
    Some((ticks as f64 / USER_HZ, rss_kib * 1024))
}

/// Exports [`process_usage`] on every scrape.
#[derive(Debug)]
struct ProcessCollector;

impl Collector for ProcessCollector {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        encode_process(&mut encoder)
    }
}

/// The standard `process_cpu_seconds_total` and `process_resident_memory_bytes` (unprefixed,
/// as every Prometheus client exports them).
fn encode_process(encoder: &mut DescriptorEncoder) -> Result<(), std::fmt::Error> {
    let Some((cpu_seconds, rss)) = process_usage() else {
        return Ok(());
    };
    let unprefixed = encoder.encode_descriptor(
        "process_cpu",
        "Total user and system CPU time spent in seconds",
        Some(&Unit::Seconds),
        MetricType::Counter,
    )?;
    ConstCounter::new(cpu_seconds).encode(unprefixed)?;
    let metric = encoder.encode_descriptor(
        "process_resident_memory",
        "Resident memory size in bytes",
        Some(&Unit::Bytes),
        MetricType::Gauge,
    )?;
    gauge(rss).encode(metric)
}

/// A per-subscription counter: series name, help, and how to read it.
type SubField = (&'static str, &'static str, fn(&SubscriptionStats) -> u64);

const SUB_COUNTERS: [SubField; 10] = [
    (
        "delivered_events",
        "Deliveries made (events locked by receives, redeliveries included)",
        |s| s.meters.delivered,
    ),
    ("acknowledged_events", "Events acknowledged", |s| {
        s.meters.acked
    }),
    ("released_events", "Events released", |s| s.meters.released),
    ("rejected_events", "Events rejected by receivers", |s| {
        s.meters.rejected
    }),
    (
        "dead_lettered_events",
        "Events published to the dead-letter topic (any reason)",
        |s| s.meters.dead_lettered,
    ),
    (
        "dropped_events",
        "Events dead-lettered without a dead-letter topic (dropped)",
        |s| s.meters.dropped,
    ),
    (
        "expired_events",
        "In-flight events removed by topic retention (since open)",
        |s| s.meters.expired,
    ),
    ("renewed_locks", "Locks renewed", |s| s.meters.renewed),
    (
        "delivery_billing_units",
        "64 KB billing units of the events delivered (per delivery); durable",
        |s| s.meters.delivery_units,
    ),
    (
        "settlement_billing_units",
        "64 KB billing units of the events settled (acknowledge, release, reject, renew lock; per token); durable",
        |s| s.meters.settlement_units,
    ),
];

const SUB_GAUGES: [SubField; 3] = [
    (
        "backlog_events",
        "Events waiting in the subscription, exactly: published after it, passing its filter, not yet acknowledged, rejected, dead-lettered, dropped or removed by retention (available, delayed, never delivered and locked)",
        |s| s.backlog,
    ),
    ("locked_events", "Events locked now", |s| s.locked),
    (
        "unscanned_records",
        "Records after the subscription's scan position, of any topic (how far its scan has to read; not a count of events)",
        |s| s.unscanned_records,
    ),
];

fn gauge(v: u64) -> ConstGauge<i64> {
    ConstGauge::new(i64::try_from(v).unwrap_or(i64::MAX))
}

fn encode_stats(
    stats: &NamespaceStats,
    encoder: &mut DescriptorEncoder,
) -> Result<(), std::fmt::Error> {
    for (name, help, read) in [
        (
            "published_events",
            "Events published into the topic (dead-letter events included)",
            (|t| t.events) as fn(&gridlog::TopicStats) -> u64,
        ),
        (
            "publish_billing_units",
            "64 KB billing units of the events published into the topic (ceil(bytes / 65536), at least 1, per event; dead-letter events excluded); durable",
            |t| t.publish_units,
        ),
        (
            "published_bytes",
            "Bytes of the stored records of the events published into the topic (their structured JSON plus a few bytes of record header each)",
            |t| t.bytes,
        ),
    ] {
        let mut metric = encoder.encode_descriptor(name, help, None, MetricType::Counter)?;
        for topic in &stats.topics {
            let labels = [("topic", topic.name.as_str())];
            ConstCounter::new(read(topic)).encode(metric.encode_family(&labels)?)?;
        }
    }
    let subs = || {
        stats.topics.iter().flat_map(|t| {
            t.subscriptions.iter().map(move |s| {
                (
                    [
                        ("topic", t.name.as_str()),
                        ("subscription", s.name.as_str()),
                    ],
                    s,
                )
            })
        })
    };
    for (name, help, read) in SUB_COUNTERS {
        let mut metric = encoder.encode_descriptor(name, help, None, MetricType::Counter)?;
        for (labels, sub) in subs() {
            ConstCounter::new(read(sub)).encode(metric.encode_family(&labels)?)?;
        }
    }
    let throttle = &stats.throttle;
    if let Some(units) = throttle.throughput_units {
        let metric = encoder.encode_descriptor(
            "throughput_units",
            "Configured throughput units of the namespace (absent: unlimited)",
            None,
            MetricType::Gauge,
        )?;
        gauge(u64::from(units)).encode(metric)?;
    }
    labelled_counter(
        encoder,
        "throttled_operations",
        "Engine calls refused by the throughput-unit limits since start, by direction (embedded and HTTP callers alike)",
        "direction",
        [
            ("ingress", throttle.throttled_publishes),
            ("delivery", throttle.throttled_receives),
            ("settlement", throttle.throttled_settlements),
            ("hub_ingress", throttle.throttled_hub_sends),
            ("hub_egress", throttle.throttled_hub_reads),
            ("mqtt_inbound", throttle.throttled_mqtt_inbound),
            ("mqtt_outbound", throttle.throttled_mqtt_outbound),
            ("mqtt_connect", throttle.throttled_mqtt_connects),
        ],
    )?;
    for (name, help, read) in SUB_GAUGES {
        let mut metric = encoder.encode_descriptor(name, help, None, MetricType::Gauge)?;
        for (labels, sub) in subs() {
            gauge(read(sub)).encode(metric.encode_family(&labels)?)?;
        }
    }
    Ok(())
}

fn encode_wal(
    stats: &NamespaceStats,
    wal: &WalStats,
    encoder: &mut DescriptorEncoder,
) -> Result<(), std::fmt::Error> {
    for (name, help, value) in [
        ("wal_segments", "Live WAL segments", wal.segments as u64),
        (
            "wal_used_bytes",
            "Bytes used in the live WAL segments (headers and frames)",
            wal.segment_bytes_used,
        ),
        (
            "wal_disk_bytes",
            "Size of the live WAL segment files (preallocation included)",
            wal.segment_bytes_on_disk,
        ),
        (
            "wal_first_seq",
            "Oldest retained WAL sequence number",
            stats.wal_first_seq,
        ),
        (
            "wal_next_seq",
            "Sequence number of the next WAL record",
            stats.wal_next_seq,
        ),
    ] {
        let metric = encoder.encode_descriptor(name, help, None, MetricType::Gauge)?;
        gauge(value).encode(metric)?;
    }
    labelled_counter(
        encoder,
        "wal_syncs",
        "WAL syncs since start: data = fdatasync of a segment, file = fsync, dir = directory fsync",
        "kind",
        [
            ("data", wal.data_syncs),
            ("file", wal.file_syncs),
            ("dir", wal.dir_syncs),
        ],
    )?;
    for (name, help, value) in [
        (
            "wal_writes",
            "Positioned writes to WAL files since start",
            wal.writes,
        ),
        (
            "wal_written_bytes",
            "Bytes written to WAL files since start (zero-fill of preallocated segments included)",
            wal.bytes_written,
        ),
        (
            "wal_recycled_segments",
            "Purged WAL segment files kept as the next segment since start (written without zero-fill)",
            wal.segments_recycled,
        ),
    ] {
        let metric = encoder.encode_descriptor(name, help, None, MetricType::Counter)?;
        ConstCounter::new(value).encode(metric)?;
    }
    let mut histogram = encoder.encode_descriptor(
        "wal_sync_duration",
        "Latency of every WAL sync (all kinds) since start",
        Some(&Unit::Seconds),
        MetricType::Histogram,
    )?;
    let (sum, count, buckets) = histogram_parts(&wal.sync_latency);
    histogram
        .encode_histogram::<prometheus_client::encoding::NoLabelSet>(sum, count, &buckets, None)
}

/// The counter `name` (with `help`), one series for each `(value of label, count)`.
fn labelled_counter<const N: usize>(
    encoder: &mut DescriptorEncoder,
    name: &str,
    help: &str,
    label: &str,
    series: [(&str, u64); N],
) -> Result<(), std::fmt::Error> {
    let mut metric = encoder.encode_descriptor(name, help, None, MetricType::Counter)?;
    for (value, count) in series {
        ConstCounter::new(count).encode(metric.encode_family(&[(label, value)])?)?;
    }
    Ok(())
}

/// `(sum in seconds, count, [(upper bound in seconds, count in that bucket)])`, in the
/// non-cumulative form `encode_histogram` takes (it adds `le="+Inf"` = count itself).
#[expect(
    clippy::cast_precision_loss,
    reason = "seconds as f64 for the exposition"
)]
fn histogram_parts(h: &SyncHistogram) -> (f64, u64, Vec<(f64, u64)>) {
    let buckets: Vec<(f64, u64)> = SYNC_LATENCY_BOUNDS_NANOS
        .iter()
        .zip(h.counts)
        .map(|(&bound, count)| (bound as f64 / 1e9, count))
        .collect();
    (h.sum_nanos as f64 / 1e9, h.count(), buckets)
}
