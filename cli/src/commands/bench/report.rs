//! The bench's figures: rates, latency percentiles, TU-equivalent, resource shares; as a table,
//! JSON or CSV.

use std::fmt::Write as _;
use std::time::Duration;

use gridlog::limits as throttle;
use hdrhistogram::Histogram;
use serde_json::{Value, json};

use super::target::Usage;
use super::{MB, RunConfig, SUSTAIN_SHARE};

// The engine's per-TU limits (gridlog::limits), as rates.
#[expect(clippy::cast_precision_loss, reason = "small exact integers")]
const INGRESS_EVENTS_PER_TU: f64 = throttle::INGRESS_EVENTS_PER_SEC_PER_TU as f64;
#[expect(clippy::cast_precision_loss, reason = "small exact integers")]
const INGRESS_BYTES_PER_TU: f64 = throttle::INGRESS_BYTES_PER_SEC_PER_TU as f64;
#[expect(clippy::cast_precision_loss, reason = "small exact integers")]
const EGRESS_EVENTS_PER_TU: f64 = throttle::EGRESS_EVENTS_PER_SEC_PER_TU as f64;
#[expect(clippy::cast_precision_loss, reason = "small exact integers")]
const EGRESS_BYTES_PER_TU: f64 = throttle::EGRESS_BYTES_PER_SEC_PER_TU as f64;

/// Measured rates, per second.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Rates {
    /// Events published.
    pub ingress_events: f64,
    /// Bytes published.
    pub ingress_bytes: f64,
    /// Events delivered.
    pub delivery_events: f64,
    /// Bytes delivered.
    pub delivery_bytes: f64,
    /// Lock tokens settled.
    pub settlement_events: f64,
    /// Bytes of the settled events.
    pub settlement_bytes: f64,
}

/// The smallest TU count whose limits cover `rates` (at least 1), and the limit that decides it
/// (`"ingress events"`, `"delivery bytes"`, …) with the fractional TUs it needs.
pub fn tu_equivalent(rates: &Rates) -> (u32, &'static str, f64) {
    let needs = [
        (
            "ingress events",
            rates.ingress_events / INGRESS_EVENTS_PER_TU,
        ),
        ("ingress bytes", rates.ingress_bytes / INGRESS_BYTES_PER_TU),
        (
            "delivery events",
            rates.delivery_events / EGRESS_EVENTS_PER_TU,
        ),
        ("delivery bytes", rates.delivery_bytes / EGRESS_BYTES_PER_TU),
        (
            "settlement events",
            rates.settlement_events / EGRESS_EVENTS_PER_TU,
        ),
        (
            "settlement bytes",
            rates.settlement_bytes / EGRESS_BYTES_PER_TU,
        ),
    ];
    let (what, need) = needs
        .into_iter()
        .fold(("ingress events", 0.0_f64), |best, (what, need)| {
            if need > best.1 { (what, need) } else { best }
        });
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "a small positive count"
    )]
    let n = (need - 1e-9).ceil().max(1.0).min(f64::from(u32::MAX)) as u32;
    (n, what, need)
}

/// Latency percentiles, milliseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Percentiles {
    /// Samples.
    pub count: u64,
    /// Median.
    pub p50: f64,
    /// 90th percentile.
    pub p90: f64,
    /// 99th percentile.
    pub p99: f64,
    /// Largest.
    pub max: f64,
}

impl Percentiles {
    #[expect(clippy::cast_precision_loss, reason = "microseconds to milliseconds")]
    fn of(h: &Histogram<u64>) -> Self {
        let ms = |us: u64| us as f64 / 1000.0;
        Self {
            count: h.len(),
            p50: ms(h.value_at_quantile(0.50)),
            p90: ms(h.value_at_quantile(0.90)),
            p99: ms(h.value_at_quantile(0.99)),
            max: ms(h.max()),
        }
    }

    fn json(&self) -> Value {
        json!({"count": self.count, "p50": self.p50, "p90": self.p90, "p99": self.p99, "max": self.max})
    }
}

/// What a run measured, for [`Report::new`].
pub struct Inputs<'a> {
    /// [`super::target::Target::describe`].
    pub target: String,
    /// The run's parameters.
    pub config: RunConfig,
    /// Events published.
    pub published: u64,
    /// Their bytes.
    pub published_bytes: u64,
    /// Events received.
    pub received: u64,
    /// Their bytes.
    pub received_bytes: u64,
    /// Events acknowledged.
    pub acked: u64,
    /// Their bytes.
    pub acked_bytes: u64,
    /// Throttled publish, receive and settle calls.
    pub throttled: [u64; 3],
    /// From start to the last publish.
    pub publish_elapsed: Duration,
    /// From start to the last acknowledgement.
    pub consume_elapsed: Duration,
    /// The whole run.
    pub total_elapsed: Duration,
    /// Publish call latency, µs.
    pub publish_latency: &'a Histogram<u64>,
    /// Receive call latency, µs.
    pub receive_latency: &'a Histogram<u64>,
    /// Acknowledge call latency, µs.
    pub acknowledge_latency: &'a Histogram<u64>,
    /// From publish to receipt, µs.
    pub end_to_end_latency: &'a Histogram<u64>,
    /// Store counters before.
    pub usage_before: Option<Usage>,
    /// And after.
    pub usage_after: Option<Usage>,
    /// CPU seconds this process used during the run.
    pub client_cpu_seconds: Option<f64>,
    /// Share of all processors busy during the run, whoever used them (`/proc/stat`).
    pub machine_cpu_share: Option<f64>,
    /// Cores of the machine.
    pub cores: usize,
}

/// One run's figures.
#[derive(Debug, Clone)]
pub struct Report {
    /// What was driven.
    pub target: String,
    /// Parameters.
    pub config: RunConfig,
    /// Events published / received / acknowledged.
    pub published: u64,
    /// Events received.
    pub received: u64,
    /// Events acknowledged.
    pub acked: u64,
    /// Bytes published.
    pub published_bytes: u64,
    /// Seconds of publishing.
    pub publish_secs: f64,
    /// Seconds until the last acknowledgement.
    pub consume_secs: f64,
    /// Rates.
    pub rates: Rates,
    /// Throttled publish, receive, settle calls.
    pub throttled: [u64; 3],
    /// Publish call latency.
    pub publish_latency: Percentiles,
    /// Receive call latency.
    pub receive_latency: Percentiles,
    /// Acknowledge call latency.
    pub acknowledge_latency: Percentiles,
    /// Publish to receipt.
    pub end_to_end_latency: Percentiles,
    /// TU-equivalent, the limit deciding it, the fractional need.
    pub tu_equivalent: (u32, &'static str, f64),
    /// WAL syncs during the run.
    pub syncs: Option<u64>,
    /// Share of the run's wall time spent in WAL syncs (group commit runs one at a time, so 1.0
    /// means the disk was always syncing).
    pub sync_share: Option<f64>,
    /// Share of the machine's cores used by the bench process (and the server, over HTTP).
    pub cpu_share: Option<f64>,
    /// Share of the machine's cores busy, whoever used them (other processes included).
    pub machine_cpu_share: Option<f64>,
    /// HTTP round trips per second (publish, receive, acknowledge calls), over HTTP only.
    pub round_trips_per_sec: Option<f64>,
}

#[expect(clippy::cast_precision_loss, reason = "rates")]
fn per_sec(n: u64, secs: f64) -> f64 {
    if secs > 0.0 { n as f64 / secs } else { 0.0 }
}

impl Report {
    /// The figures of `inputs`.
    #[expect(clippy::cast_precision_loss, reason = "rates and shares")]
    pub fn new(inputs: Inputs<'_>) -> Self {
        let publish_secs = inputs.publish_elapsed.as_secs_f64();
        let consume_secs = inputs.consume_elapsed.as_secs_f64();
        let total_secs = inputs.total_elapsed.as_secs_f64().max(1e-9);
        let rates = Rates {
            ingress_events: per_sec(inputs.published, publish_secs),
            ingress_bytes: per_sec(inputs.published_bytes, publish_secs),
            delivery_events: per_sec(inputs.received, consume_secs),
            delivery_bytes: per_sec(inputs.received_bytes, consume_secs),
            settlement_events: per_sec(inputs.acked, consume_secs),
            settlement_bytes: per_sec(inputs.acked_bytes, consume_secs),
        };
        let (syncs, sync_share, server_cpu) = match (inputs.usage_before, inputs.usage_after) {
            (Some(a), Some(b)) => (
                Some(b.syncs.saturating_sub(a.syncs)),
                Some((b.sync_seconds - a.sync_seconds).max(0.0) / total_secs),
                b.server_cpu_seconds
                    .zip(a.server_cpu_seconds)
                    .map(|(b, a)| b - a),
            ),
            _ => (None, None, None),
        };
        let cpu_share = inputs
            .client_cpu_seconds
            .map(|c| (c + server_cpu.unwrap_or(0.0)) / total_secs / inputs.cores as f64);
        let http = inputs.target.starts_with("http://");
        let round_trips = inputs.publish_latency.len()
            + inputs.receive_latency.len()
            + inputs.acknowledge_latency.len();
        Self {
            target: inputs.target,
            tu_equivalent: tu_equivalent(&rates),
            config: inputs.config,
            published: inputs.published,
            received: inputs.received,
            acked: inputs.acked,
            published_bytes: inputs.published_bytes,
            publish_secs,
            consume_secs,
            rates,
            throttled: inputs.throttled,
            publish_latency: Percentiles::of(inputs.publish_latency),
            receive_latency: Percentiles::of(inputs.receive_latency),
            acknowledge_latency: Percentiles::of(inputs.acknowledge_latency),
            end_to_end_latency: Percentiles::of(inputs.end_to_end_latency),
            syncs,
            sync_share,
            cpu_share,
            machine_cpu_share: inputs.machine_cpu_share,
            round_trips_per_sec: http.then(|| round_trips as f64 / total_secs),
        }
    }

    /// The human-readable table.
    pub fn table(&self) -> String {
        let c = &self.config;
        let mut out = String::new();
        let _ = writeln!(
            out,
            "gridlog bench: {}\n  {} B events, batches of {}, {} publisher(s), {} consumer(s) (maxEvents {}), TUs {}",
            self.target,
            c.event_bytes,
            c.batch,
            c.publishers,
            c.consumers,
            c.receive_batch,
            c.tus
                .map_or_else(|| "unlimited".to_owned(), |t| t.to_string())
        );
        let _ = writeln!(
            out,
            "\n{:<14} {:>10} {:>12} {:>9} {:>9} {:>9} {:>9} {:>9}",
            "", "events", "events/s", "MB/s", "p50 ms", "p90 ms", "p99 ms", "max ms"
        );
        // (name, (events, events/s, bytes/s) where counted, latency)
        let mut rows = vec![(
            "publish",
            Some((
                self.published,
                self.rates.ingress_events,
                self.rates.ingress_bytes,
            )),
            &self.publish_latency,
        )];
        if c.consumers > 0 {
            rows.extend([
                (
                    "receive",
                    Some((
                        self.received,
                        self.rates.delivery_events,
                        self.rates.delivery_bytes,
                    )),
                    &self.receive_latency,
                ),
                (
                    "acknowledge",
                    Some((
                        self.acked,
                        self.rates.settlement_events,
                        self.rates.settlement_bytes,
                    )),
                    &self.acknowledge_latency,
                ),
                ("end to end", None, &self.end_to_end_latency),
            ]);
        }
        for (name, counts, p) in rows {
            let (n, ev, mb) = counts.map_or_else(
                || ("-".to_owned(), "-".to_owned(), "-".to_owned()),
                |(n, ev, b)| (n.to_string(), format!("{ev:.0}"), format!("{:.2}", b / MB)),
            );
            let _ = writeln!(
                out,
                "{name:<14} {n:>10} {ev:>12} {mb:>9} {:>9.2} {:>9.2} {:>9.2} {:>9.2}",
                p.p50, p.p90, p.p99, p.max
            );
        }
        let (tus, what, need) = self.tu_equivalent;
        let _ = writeln!(
            out,
            "\nTU-equivalent: {tus} (decided by {what}: {need:.2} TU; per TU: ingress 1,000 events/s or 1 MB/s, egress 2,000 events/s or 2 MB/s)"
        );
        let [p, r, s] = self.throttled;
        let _ = writeln!(
            out,
            "throttled calls (429): publish {p}, receive {r}, acknowledge {s}"
        );
        let mut resources = Vec::new();
        if let (Some(n), Some(share)) = (self.syncs, self.sync_share) {
            resources.push(format!(
                "{n} WAL syncs, {:.0}% of the time syncing",
                share * 100.0
            ));
        }
        if let Some(cpu) = self.cpu_share {
            resources.push(format!("CPU {:.0}% of all cores", cpu * 100.0));
        }
        if let Some(busy) = self.machine_cpu_share {
            resources.push(format!("machine CPU busy {:.0}%", busy * 100.0));
        }
        if let Some(rt) = self.round_trips_per_sec {
            resources.push(format!("{rt:.0} HTTP round trips/s"));
        }
        if !resources.is_empty() {
            let _ = writeln!(out, "resources: {}", resources.join("; "));
        }
        let _ = writeln!(
            out,
            "MB = 1,048,576 bytes; latencies are per call (publish, receive, acknowledge) and from publish to receipt (end to end)"
        );
        out
    }

    /// The JSON report.
    pub fn to_json(&self) -> Value {
        let c = &self.config;
        let (tus, what, need) = self.tu_equivalent;
        json!({
            "target": self.target,
            "config": {
                "event_bytes": c.event_bytes,
                "batch": c.batch,
                "publishers": c.publishers,
                "consumers": c.consumers,
                "receive_batch": c.receive_batch,
                "duration_secs": c.duration.map(|d| d.as_secs_f64()),
                "events": c.events,
                "tus": c.tus,
            },
            "published": self.published,
            "published_bytes": self.published_bytes,
            "received": self.received,
            "acknowledged": self.acked,
            "publish_secs": self.publish_secs,
            "consume_secs": self.consume_secs,
            "publish": {"events_per_sec": self.rates.ingress_events, "mb_per_sec": self.rates.ingress_bytes / MB, "latency_ms": self.publish_latency.json()},
            "receive": {"events_per_sec": self.rates.delivery_events, "mb_per_sec": self.rates.delivery_bytes / MB, "latency_ms": self.receive_latency.json()},
            "acknowledge": {"events_per_sec": self.rates.settlement_events, "mb_per_sec": self.rates.settlement_bytes / MB, "latency_ms": self.acknowledge_latency.json()},
            "end_to_end_latency_ms": self.end_to_end_latency.json(),
            "throttled": {"publish": self.throttled[0], "receive": self.throttled[1], "acknowledge": self.throttled[2]},
            "tu_equivalent": tus,
            "tu_decided_by": what,
            "tu_need": need,
            "wal_syncs": self.syncs,
            "sync_share": self.sync_share,
            "cpu_share": self.cpu_share,
            "machine_cpu_share": self.machine_cpu_share,
            "round_trips_per_sec": self.round_trips_per_sec,
        })
    }
}

/// CSV: a header line, then one line per report.
pub fn csv<'a>(reports: impl Iterator<Item = &'a Report>) -> String {
    let mut out = String::from(
        "target,event_bytes,batch,publishers,consumers,tus,published,received,acknowledged,publish_events_per_sec,publish_mb_per_sec,consume_events_per_sec,consume_mb_per_sec,publish_p50_ms,publish_p90_ms,publish_p99_ms,publish_max_ms,e2e_p50_ms,e2e_p90_ms,e2e_p99_ms,e2e_max_ms,throttled_publish,throttled_receive,throttled_acknowledge,tu_equivalent,sync_share,cpu_share\n",
    );
    let opt = |v: Option<f64>| v.map_or_else(String::new, |v| format!("{v:.4}"));
    for r in reports {
        let c = &r.config;
        let _ = writeln!(
            out,
            "\"{}\",{},{},{},{},{},{},{},{},{:.1},{:.3},{:.1},{:.3},{:.3},{:.3},{:.3},{:.3},{:.3},{:.3},{:.3},{:.3},{},{},{},{},{},{}",
            r.target.replace('"', "\"\""),
            c.event_bytes,
            c.batch,
            c.publishers,
            c.consumers,
            c.tus.map_or_else(String::new, |t| t.to_string()),
            r.published,
            r.received,
            r.acked,
            r.rates.ingress_events,
            r.rates.ingress_bytes / MB,
            r.rates.settlement_events,
            r.rates.settlement_bytes / MB,
            r.publish_latency.p50,
            r.publish_latency.p90,
            r.publish_latency.p99,
            r.publish_latency.max,
            r.end_to_end_latency.p50,
            r.end_to_end_latency.p90,
            r.end_to_end_latency.p99,
            r.end_to_end_latency.max,
            r.throttled[0],
            r.throttled[1],
            r.throttled[2],
            r.tu_equivalent.0,
            opt(r.sync_share),
            opt(r.cpu_share),
        );
    }
    out
}

/// The resource that limits a step.
#[derive(Debug, Clone, PartialEq)]
pub enum Limiter {
    /// The disk: WAL syncs took this share of the time.
    Fsync(f64),
    /// The processors: this share of all cores.
    Cpu(f64),
    /// Neither is near saturation: request round trips (HTTP) or too few concurrent callers.
    RoundTrips {
        /// Over HTTP?
        http: bool,
    },
}

impl Limiter {
    /// Share above which a resource counts as saturated.
    pub const SATURATED: f64 = 0.8;

    /// The saturated resource of `report`, the most saturated one first.
    pub fn of(report: &Report) -> Self {
        let sync = report.sync_share.unwrap_or(0.0);
        // Processors busy with other work starve this one just the same.
        let cpu = report
            .cpu_share
            .unwrap_or(0.0)
            .max(report.machine_cpu_share.unwrap_or(0.0));
        if sync >= Self::SATURATED && sync >= cpu {
            Self::Fsync(sync)
        } else if cpu >= Self::SATURATED {
            Self::Cpu(cpu)
        } else {
            Self::RoundTrips {
                http: report.round_trips_per_sec.is_some(),
            }
        }
    }

    /// One line of explanation.
    pub fn describe(&self, report: &Report) -> String {
        let evidence = format!(
            "WAL syncs {:.0}% of the time, CPU {:.0}% of all cores (machine busy {:.0}%){}",
            report.sync_share.unwrap_or(0.0) * 100.0,
            report.cpu_share.unwrap_or(0.0) * 100.0,
            report.machine_cpu_share.unwrap_or(0.0) * 100.0,
            report
                .round_trips_per_sec
                .map_or_else(String::new, |r| format!(", {r:.0} HTTP round trips/s"))
        );
        match self {
            Self::Fsync(_) => {
                format!("fsync: the disk's sync latency bounds group commit ({evidence})")
            }
            Self::Cpu(_) => format!("CPU ({evidence})"),
            Self::RoundTrips { http: true } => format!(
                "network round trips: neither disk nor CPU is saturated ({evidence}); more publishers/consumers or larger batches would go further"
            ),
            Self::RoundTrips { http: false } => format!(
                "concurrency: neither disk nor CPU is saturated ({evidence}); more publishers/consumers or larger batches would go further"
            ),
        }
    }
}

/// One `--find-max-tu` step.
#[derive(Debug, Clone)]
pub struct StepReport {
    /// TU setting.
    pub tus: u32,
    /// The run.
    pub report: Report,
    /// The ingress rate the setting allows, events/s.
    pub limit_events_per_sec: f64,
    /// Accepted ingress ≥ [`SUSTAIN_SHARE`] of it, and consumers kept up (acknowledged
    /// everything, at ≥ [`SUSTAIN_SHARE`] of the ingress rate).
    pub sustained: bool,
}

impl StepReport {
    /// Judges a step's run.
    #[expect(clippy::cast_precision_loss, reason = "rates")]
    pub fn judge(tus: u32, report: Report) -> Self {
        let by_events = f64::from(tus) * INGRESS_EVENTS_PER_TU;
        let by_bytes = f64::from(tus) * INGRESS_BYTES_PER_TU / report.config.event_bytes as f64;
        let limit = by_events.min(by_bytes);
        let kept_up = report.acked >= report.published
            && report.rates.settlement_events >= SUSTAIN_SHARE * report.rates.ingress_events;
        let sustained = report.rates.ingress_events >= SUSTAIN_SHARE * limit && kept_up;
        Self {
            tus,
            report,
            limit_events_per_sec: limit,
            sustained,
        }
    }
}

/// The answer of `--find-max-tu`.
#[derive(Debug, Clone)]
pub struct Summary {
    /// Highest sustained setting (0: not even 1 TU).
    pub max_tu: u32,
    /// What stops the next setting (from the first failing step, else the last step).
    pub limiter: Option<(Limiter, String)>,
}

/// The highest sustained step and what limits the next.
pub fn summarize_steps(steps: &[StepReport]) -> Summary {
    let max_tu = steps
        .iter()
        .filter(|s| s.sustained)
        .map(|s| s.tus)
        .max()
        .unwrap_or(0);
    let deciding = steps
        .iter()
        .filter(|s| !s.sustained)
        .min_by_key(|s| s.tus)
        .or_else(|| steps.iter().max_by_key(|s| s.tus));
    Summary {
        max_tu,
        limiter: deciding.map(|s| {
            let limiter = Limiter::of(&s.report);
            let line = limiter.describe(&s.report);
            (limiter, line)
        }),
    }
}

/// The `--find-max-tu` table.
pub fn steps_table(steps: &[StepReport], summary: &Summary) -> String {
    let mut out = String::new();
    if let Some(first) = steps.first() {
        let c = &first.report.config;
        let _ = writeln!(
            out,
            "gridlog bench --find-max-tu: {}\n  {} B events, batches of {}, {} publisher(s), {} consumer(s), {:.0} s per step",
            first.report.target,
            c.event_bytes,
            c.batch,
            c.publishers,
            c.consumers,
            c.duration.map_or(0.0, |d| d.as_secs_f64())
        );
    }
    let _ = writeln!(
        out,
        "\n{:>4} {:>12} {:>12} {:>12} {:>10} {:>7} {:>7} {:>7} {:>9}  result",
        "TU",
        "limit ev/s",
        "accepted/s",
        "consumed/s",
        "throttled",
        "sync %",
        "CPU %",
        "busy %",
        "e2e p99"
    );
    let mut sorted: Vec<&StepReport> = steps.iter().collect();
    sorted.sort_by_key(|s| s.tus);
    for s in sorted {
        let r = &s.report;
        let _ = writeln!(
            out,
            "{:>4} {:>12.0} {:>12.0} {:>12.0} {:>10} {:>7.0} {:>7.0} {:>7.0} {:>9.1}  {}",
            s.tus,
            s.limit_events_per_sec,
            r.rates.ingress_events,
            r.rates.settlement_events,
            r.throttled.iter().sum::<u64>(),
            r.sync_share.unwrap_or(0.0) * 100.0,
            r.cpu_share.unwrap_or(0.0) * 100.0,
            r.machine_cpu_share.unwrap_or(0.0) * 100.0,
            r.end_to_end_latency.p99,
            if s.sustained {
                "sustained"
            } else {
                "falls behind"
            }
        );
    }
    let _ = writeln!(
        out,
        "\nhighest sustained: {} TU (accepted ingress >= {:.0}% of the limit and consumers keeping up)",
        summary.max_tu,
        SUSTAIN_SHARE * 100.0
    );
    if let Some((_, line)) = &summary.limiter {
        let _ = writeln!(out, "limited by: {line}");
    }
    out
}

/// The `--find-max-tu` JSON.
pub fn steps_json(steps: &[StepReport], summary: &Summary) -> Value {
    json!({
        "max_tu": summary.max_tu,
        "limited_by": summary.limiter.as_ref().map(|(l, line)| json!({
            "resource": match l {
                Limiter::Fsync(_) => "fsync",
                Limiter::Cpu(_) => "cpu",
                Limiter::RoundTrips { http: true } => "network",
                Limiter::RoundTrips { http: false } => "concurrency",
            },
            "evidence": line,
        })),
        "steps": steps.iter().map(|s| json!({
            "tus": s.tus,
            "limit_events_per_sec": s.limit_events_per_sec,
            "sustained": s.sustained,
            "run": s.report.to_json(),
        })).collect::<Vec<_>>(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A run that published `published` events/s for 2 s and acknowledged `acked` of them per
    /// second, with the given sync and CPU time.
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "test figures"
    )]
    fn run(published: f64, acked: f64, sync_secs: f64, cpu_secs: f64) -> Report {
        let h =
            Histogram::<u64>::new_with_bounds(1, 1_000_000, 3).unwrap_or_else(|e| panic!("{e}"));
        let secs = Duration::from_secs(2);
        Report::new(Inputs {
            target: "embedded (test)".into(),
            config: RunConfig {
                event_bytes: 1024,
                batch: 100,
                publishers: 2,
                consumers: 2,
                receive_batch: 100,
                duration: Some(secs),
                events: None,
                tus: None,
            },
            published: (published * 2.0) as u64,
            published_bytes: (published * 2048.0) as u64,
            received: (acked * 2.0) as u64,
            received_bytes: (acked * 2048.0) as u64,
            acked: (acked * 2.0) as u64,
            acked_bytes: (acked * 2048.0) as u64,
            throttled: [0; 3],
            publish_elapsed: secs,
            consume_elapsed: secs,
            total_elapsed: secs,
            publish_latency: &h,
            receive_latency: &h,
            acknowledge_latency: &h,
            end_to_end_latency: &h,
            usage_before: Some(Usage::default()),
            usage_after: Some(Usage {
                syncs: 100,
                sync_seconds: sync_secs,
                server_cpu_seconds: None,
            }),
            client_cpu_seconds: Some(cpu_secs),
            machine_cpu_share: None,
            cores: 2,
        })
    }

    #[test]
    fn steps_are_judged_against_the_settings_limit_and_the_limiter_is_named() {
        // 4 TU of 1 KiB events: 4,000 events/s allowed; 3,900/s accepted is within 95%.
        let pass = StepReport::judge(4, run(3900.0, 3900.0, 1.0, 1.0));
        assert!(pass.sustained);
        assert!((pass.limit_events_per_sec - 4000.0).abs() < 1e-9);
        // 8 TU: 6,000/s accepted is short of 7,600; the disk synced 1.8 s of 2 s.
        let fail = StepReport::judge(8, run(6000.0, 6000.0, 1.8, 1.0));
        assert!(!fail.sustained);
        // Consumers at 80% of ingress fall behind even when ingress is met.
        let lagging = StepReport::judge(4, run(4100.0, 3200.0, 0.1, 0.2));
        assert!(!lagging.sustained);
        let summary = summarize_steps(&[pass.clone(), fail]);
        assert_eq!(summary.max_tu, 4);
        let (limiter, line) = summary.limiter.unwrap_or_else(|| panic!("a limiter"));
        assert_eq!(limiter, Limiter::Fsync(0.9));
        assert!(line.starts_with("fsync"), "{line}");
        assert!(line.contains("WAL syncs 90% of the time"), "{line}");
        // CPU: 3.6 CPU-seconds in 2 s on 2 cores.
        assert_eq!(
            Limiter::of(&run(6000.0, 6000.0, 0.2, 3.6)),
            Limiter::Cpu(0.9)
        );
        assert_eq!(
            Limiter::of(&run(6000.0, 6000.0, 0.2, 0.4)),
            Limiter::RoundTrips { http: false }
        );
        // Everything sustained: the last step is the evidence.
        let all = summarize_steps(&[pass]);
        assert_eq!(all.max_tu, 4);
        let text = steps_table(&[StepReport::judge(4, run(3900.0, 3900.0, 1.0, 1.0))], &all);
        assert!(text.contains("highest sustained: 4 TU"), "{text}");
        assert!(steps_json(&[], &all)["max_tu"] == 4);
    }

    fn rates(ingress_events: f64, ingress_bytes: f64) -> Rates {
        Rates {
            ingress_events,
            ingress_bytes,
            ..Rates::default()
        }
    }

    #[test]
    fn tu_equivalent_is_the_smallest_covering_count() {
        assert_eq!(tu_equivalent(&Rates::default()).0, 1, "at least 1");
        assert_eq!(
            tu_equivalent(&rates(1000.0, 0.0)).0,
            1,
            "exactly at the limit"
        );
        assert_eq!(tu_equivalent(&rates(1000.5, 0.0)).0, 2);
        // 1 KiB events: 1,000/s is under 1 MB/s, events decide.
        let (n, what, _) = tu_equivalent(&rates(4500.0, 4500.0 * 1024.0));
        assert_eq!((n, what), (5, "ingress events"));
        // 64 KiB events: 100/s = 6.25 MB/s, bytes decide.
        let (n, what, need) = tu_equivalent(&rates(100.0, 100.0 * 65536.0));
        assert_eq!((n, what), (7, "ingress bytes"));
        assert!((need - 6.25).abs() < 1e-9);
        // Egress: 5,000 deliveries/s need 3 TU even with little ingress.
        let (n, what, _) = tu_equivalent(&Rates {
            delivery_events: 5000.0,
            settlement_events: 3000.0,
            ..rates(100.0, 100.0)
        });
        assert_eq!((n, what), (3, "delivery events"));
        let (n, what, _) = tu_equivalent(&Rates {
            settlement_bytes: 4.5 * MB,
            ..Rates::default()
        });
        assert_eq!((n, what), (3, "settlement bytes"));
    }
}
