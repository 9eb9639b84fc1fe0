//! `gridlog bench`: a load generator against the embedded engine (a data directory, a temporary
//! one by default) or a running server (`--endpoint`).
//!
//! Publishers publish batches of generated events (exactly `--event-bytes` of structured JSON
//! each, carrying their publish time) while consumers receive and acknowledge them; the run ends
//! after `--duration` or `--events`, once every published event is acknowledged. The report:
//! events/s and MB/s for publish and for receive+acknowledge, latency percentiles (publish call,
//! receive call, end to end from publish to receipt; hdrhistogram), throttled calls, and the
//! TU-equivalent: the smallest throughput-unit count whose limits cover the measured rates.
//!
//! `--find-max-tu` runs short steps at increasing TU settings (on a server through
//! `PUT /_gridlog/namespace`, restored afterwards) and reports the highest one the machine
//! sustains (accepted ingress ≥ 95% of the setting's limit, consumers keeping up), with
//! the resource that stops the next step: fsync time share, CPU, or (over HTTP) round trips.
//!
//! MB is 1,048,576 bytes throughout, as in the TU limits.

mod http_target;
mod https;
mod report;
mod target;

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;
use indicatif::{ProgressBar, ProgressStyle};

use super::events::parse_duration;
use super::http_session::Access;
use http_target::Http;
pub use report::{Report, StepReport};
use target::{Call, Embedded, Session, Target};

/// Bytes in the MB of the TU limits and of the reported MB/s.
pub const MB: f64 = 1_048_576.0;
/// A step of `--find-max-tu` passes when accepted ingress reaches this share of the limit.
pub const SUSTAIN_SHARE: f64 = 0.95;
/// The TU settings `--find-max-tu` tries first (then it bisects between the last pass and the
/// first failure). 40 is Azure's maximum.
const TU_STEPS: [u32; 7] = [1, 2, 4, 8, 16, 32, 40];
/// How long consumers may take to drain after the publishers stop before the run fails.
const DRAIN_MIN: Duration = Duration::from_secs(30);
/// Longest wait of one embedded receive (consumers re-check the stop condition this often).
const EMBEDDED_RECEIVE_WAIT: Duration = Duration::from_millis(200);
/// Latency histograms: 1 µs to 10 minutes at 3 significant figures.
const LATENCY_MAX_MICROS: u64 = 600_000_000;

/// Arguments of `gridlog bench`.
#[derive(Debug, Clone, clap::Args)]
#[expect(clippy::struct_excessive_bools, reason = "independent output switches")]
pub struct Args {
    /// A running server to load, e.g. http://127.0.0.1:8765 (its management API creates and
    /// deletes a topic for the run). Without it the engine runs in this process.
    #[arg(long)]
    pub endpoint: Option<String>,
    /// The access key and trusted CA certificates for --endpoint.
    #[command(flatten)]
    pub access: Access,
    /// A plain-HTTP server to measure in the same run as an https:// --endpoint (same key):
    /// the load runs on both, alternately, and HTTPS throughput is printed as a share of it.
    #[arg(long, requires = "endpoint", conflicts_with = "find_max_tu")]
    pub baseline: Option<String>,
    /// Instead of a load: TLS handshakes per second on the https:// --endpoint, one connection
    /// per request, with session resumption off then on (and --baseline's plain connection
    /// rate); each for --duration (default 5s).
    #[arg(long, requires = "endpoint", conflicts_with_all = ["find_max_tu", "events"])]
    pub handshakes: bool,
    /// Data directory for the embedded engine (default: a temporary one, removed afterwards).
    #[arg(long, conflicts_with = "endpoint")]
    pub data_dir: Option<PathBuf>,
    /// Size of each event's structured JSON, in bytes.
    #[arg(long, default_value_t = 1024, value_parser = clap::value_parser!(u64).range(160..=1_048_576))]
    pub event_bytes: u64,
    /// Events per publish call (1–1000; a batch must also fit in 1 MB).
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u64).range(1..=1000))]
    pub batch: u64,
    /// Concurrent publishers.
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u64).range(1..=256))]
    pub publishers: u64,
    /// Concurrent consumers (receive + acknowledge); 0 publishes only.
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u64).range(0..=256))]
    pub consumers: u64,
    /// Events per receive (maxEvents, 1–100).
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..=100))]
    pub receive_batch: u32,
    /// How long to publish (default 10s; 3s per step with --find-max-tu).
    #[arg(long, value_parser = parse_duration, conflicts_with = "events")]
    pub duration: Option<Duration>,
    /// Publish exactly this many events instead of running for a duration.
    #[arg(long)]
    pub events: Option<u64>,
    /// Durability of the embedded engine: always, never, or interval:DURATION (e.g.
    /// interval:10ms; the same syntax as serve's). A server keeps its own.
    #[arg(long, default_value = "always", value_parser = super::args::parse_durability)]
    pub durability: gridlog::Durability,
    /// Throughput units of the namespace (1–40; default: as configured, unlimited for a new
    /// data directory). On a server they are set with PUT /_gridlog/namespace and restored
    /// afterwards.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=40))]
    pub tus: Option<u32>,
    /// Find the highest TU setting this machine sustains, and what limits it.
    #[arg(long)]
    pub find_max_tu: bool,
    /// Print the report as JSON.
    #[arg(long, conflicts_with = "csv")]
    pub json: bool,
    /// Print the report as CSV (a header line, then one line per run or step).
    #[arg(long)]
    pub csv: bool,
    /// No progress bar (it is drawn on standard error only when that is a terminal).
    #[arg(long)]
    pub no_progress: bool,
}

/// What one run does (from [`Args`], or one `--find-max-tu` step).
#[derive(Debug, Clone)]
pub struct RunConfig {
    /// Bytes per event.
    pub event_bytes: u64,
    /// Events per publish.
    pub batch: u64,
    /// Publisher threads.
    pub publishers: u64,
    /// Consumer threads.
    pub consumers: u64,
    /// maxEvents per receive.
    pub receive_batch: u32,
    /// Publish for this long ...
    pub duration: Option<Duration>,
    /// ... or this many events.
    pub events: Option<u64>,
    /// TUs of the namespace.
    pub tus: Option<u32>,
}

/// Runs `gridlog bench`.
pub fn run(args: &Args) -> Result<std::process::ExitCode, String> {
    if args.endpoint.is_some() && args.durability != gridlog::Durability::Always {
        return Err("--durability applies to the embedded engine; a server keeps its own".into());
    }
    if args.batch * args.event_bytes > 1_048_576 {
        return Err(format!(
            "a batch of {} events of {} bytes exceeds the 1 MB request limit",
            args.batch, args.event_bytes
        ));
    }
    let endpoint = |url: &str| args.access.endpoint(url).map_err(|e| e.to_string());
    let base = RunConfig {
        event_bytes: args.event_bytes,
        batch: args.batch,
        publishers: args.publishers,
        consumers: args.consumers,
        receive_batch: args.receive_batch,
        duration: args.duration,
        events: args.events,
        tus: args.tus,
    };
    if let Some(https) = &args.endpoint {
        if args.handshakes {
            let baseline = args.baseline.as_deref().map(endpoint).transpose()?;
            let duration = args.duration.unwrap_or(https::HANDSHAKE_DEFAULT);
            print!(
                "{}",
                https::handshakes(&endpoint(https)?, baseline.as_ref(), duration, args.json)
                    .map_err(|e| e.to_string())?
            );
            return Ok(std::process::ExitCode::SUCCESS);
        }
        if let Some(baseline) = &args.baseline {
            let (https, baseline) = (Http::new(endpoint(https)?), Http::new(endpoint(baseline)?));
            let config = RunConfig {
                duration: base
                    .duration
                    .or_else(|| base.events.is_none().then_some(Duration::from_secs(10))),
                ..base
            };
            let result = https::compare(&https, &baseline, &config, args.json);
            let closed = https.close().and(baseline.close());
            print!("{}", result.map_err(|e| e.to_string())?);
            closed?;
            return Ok(std::process::ExitCode::SUCCESS);
        }
    }
    let target: Box<dyn Target> = match &args.endpoint {
        Some(url) => Box::new(Http::new(endpoint(url)?)),
        None => Box::new(Embedded::open(args.data_dir.as_deref(), args.durability)?),
    };
    let progress = !args.no_progress && !args.json && !args.csv;
    let result = if args.find_max_tu {
        find_max_tu(&*target, &base, progress).map(|steps| {
            let summary = report::summarize_steps(&steps);
            if args.json {
                println!("{}", report::steps_json(&steps, &summary));
            } else if args.csv {
                print!("{}", report::csv(steps.iter().map(|s| &s.report)));
            } else {
                print!("{}", report::steps_table(&steps, &summary));
            }
        })
    } else {
        let config = RunConfig {
            duration: base
                .duration
                .or_else(|| base.events.is_none().then_some(Duration::from_secs(10))),
            ..base
        };
        run_once(&*target, &config, progress).map(|report| {
            if args.json {
                println!("{}", report.to_json());
            } else if args.csv {
                print!("{}", report::csv(std::iter::once(&report)));
            } else {
                print!("{}", report.table());
            }
        })
    };
    let closed = target.close();
    result?;
    closed?;
    Ok(std::process::ExitCode::SUCCESS)
}

/// Shared counters of one run.
#[derive(Default)]
struct Shared {
    published: AtomicU64,
    published_bytes: AtomicU64,
    batches_claimed: AtomicU64,
    received: AtomicU64,
    received_bytes: AtomicU64,
    acked: AtomicU64,
    acked_bytes: AtomicU64,
    throttled_publish: AtomicU64,
    throttled_receive: AtomicU64,
    throttled_settle: AtomicU64,
    publishing_done: AtomicBool,
    abort: AtomicBool,
    last_ack_nanos: AtomicU64,
}

/// Per-thread latency histograms, merged at the end.
struct Latencies {
    publish: Histogram<u64>,
    receive: Histogram<u64>,
    acknowledge: Histogram<u64>,
    end_to_end: Histogram<u64>,
}

impl Latencies {
    fn new() -> Result<Self, String> {
        let h = || Histogram::new_with_bounds(1, LATENCY_MAX_MICROS, 3).map_err(|e| e.to_string());
        Ok(Self {
            publish: h()?,
            receive: h()?,
            acknowledge: h()?,
            end_to_end: h()?,
        })
    }

    fn add(&mut self, other: &Self) -> Result<(), String> {
        self.publish
            .add(&other.publish)
            .map_err(|e| e.to_string())?;
        self.receive
            .add(&other.receive)
            .map_err(|e| e.to_string())?;
        self.acknowledge
            .add(&other.acknowledge)
            .map_err(|e| e.to_string())?;
        self.end_to_end
            .add(&other.end_to_end)
            .map_err(|e| e.to_string())
    }
}

fn micros(d: Duration) -> u64 {
    u64::try_from(d.as_micros())
        .unwrap_or(u64::MAX)
        .clamp(1, LATENCY_MAX_MICROS)
}

/// One event of exactly `size` bytes (when `size` leaves room for the fixed part), carrying
/// `t`, its publish time in microseconds since the run's epoch, at its end.
pub fn event_json(size: u64, id: u64, t: u64) -> String {
    let head = format!(
        r#"{{"specversion":"1.0","id":"b{id}","source":"/gridlog/bench","type":"Gridlog.Bench","data":{{"p":""#
    );
    let tail = format!(r#"","t":{t}}}}}"#);
    let pad = usize::try_from(size)
        .unwrap_or(usize::MAX)
        .saturating_sub(head.len() + tail.len());
    let mut out = String::with_capacity(head.len() + pad + tail.len());
    out.push_str(&head);
    out.extend(std::iter::repeat_n('x', pad));
    out.push_str(&tail);
    out
}

/// The publish time an [`event_json`] event carries.
pub fn event_time(json: &[u8]) -> Option<u64> {
    let tail = &json[json.len().saturating_sub(32)..];
    let at = tail.windows(4).rposition(|w| w == br#""t":"#.as_slice())?;
    let digits: &[u8] = &tail[at + 4..];
    let end = digits.iter().position(|b| !b.is_ascii_digit())?;
    std::str::from_utf8(&digits[..end]).ok()?.parse().ok()
}

fn batch_body(config: &RunConfig, first_id: u64, count: u64, t: u64) -> (Vec<u8>, u64) {
    let mut out =
        Vec::with_capacity(usize::try_from(count * (config.event_bytes + 1) + 2).unwrap_or(0));
    let mut bytes = 0;
    out.push(b'[');
    for i in 0..count {
        if i > 0 {
            out.push(b',');
        }
        let event = event_json(config.event_bytes, first_id + i, t);
        bytes += event.len() as u64;
        out.extend_from_slice(event.as_bytes());
    }
    out.push(b']');
    (out, bytes)
}

/// One run against `target`.
#[expect(
    clippy::too_many_lines,
    reason = "one run: setup, threads, monitor, report"
)]
pub fn run_once(target: &dyn Target, config: &RunConfig, progress: bool) -> Result<Report, String> {
    let names = target.setup(config.tus)?;
    let shared = Arc::new(Shared::default());
    let epoch = Instant::now();
    let deadline = config.duration.map(|d| epoch + d);
    let total_batches = config.events.map(|n| n.div_ceil(config.batch));
    let before = target.usage();
    let cpu_before = gridlog_server::metrics::process_usage();
    let machine_before = machine_cpu();
    let bar = progress_bar(config, progress);
    let outcome = std::thread::scope(|scope| -> Result<(Latencies, Duration), String> {
        let publishers = spawn_workers(
            scope,
            config.publishers,
            target,
            &shared,
            |session, shared, lat| {
                publish_loop(
                    session,
                    &names,
                    config,
                    shared,
                    epoch,
                    deadline,
                    total_batches,
                    lat,
                )
            },
        );
        let consumers = spawn_workers(
            scope,
            config.consumers,
            target,
            &shared,
            |session, shared, lat| consume_loop(session, &names, config, shared, epoch, lat),
        );
        // Monitor: progress, end of publishing, drain timeout.
        let mut publish_elapsed = None;
        loop {
            std::thread::sleep(Duration::from_millis(100));
            let published = shared.published.load(Ordering::Acquire);
            let acked = shared.acked.load(Ordering::Acquire);
            if let Some(bar) = &bar {
                match (config.events, config.duration) {
                    (Some(_), _) => bar.set_position(published),
                    (None, Some(d)) => bar.set_position(
                        u64::try_from(epoch.elapsed().min(d).as_millis()).unwrap_or(u64::MAX),
                    ),
                    _ => {}
                }
                let secs = epoch.elapsed().as_secs_f64().max(1e-9);
                #[expect(clippy::cast_precision_loss, reason = "display")]
                bar.set_message(format!(
                    "published {published} ({:.0}/s), acknowledged {acked}",
                    published as f64 / secs
                ));
            }
            if publish_elapsed.is_none()
                && publishers
                    .iter()
                    .all(std::thread::ScopedJoinHandle::is_finished)
            {
                publish_elapsed = Some(epoch.elapsed());
                shared.publishing_done.store(true, Ordering::Release);
            }
            if shared.abort.load(Ordering::Acquire) {
                shared.publishing_done.store(true, Ordering::Release);
                break;
            }
            if let Some(p) = publish_elapsed {
                if config.consumers == 0 || acked >= published {
                    break;
                }
                if epoch.elapsed() > p + DRAIN_MIN.max(p) {
                    shared.abort.store(true, Ordering::Release);
                    return Err(format!(
                        "consumers fell behind: {acked} of {published} events acknowledged {:.0} s after publishing ended",
                        epoch.elapsed().saturating_sub(p).as_secs_f64()
                    ));
                }
            }
        }
        shared.publishing_done.store(true, Ordering::Release);
        let mut lat = Latencies::new()?;
        let mut first_error = None;
        for handle in publishers.into_iter().chain(consumers) {
            match handle.join() {
                Ok(Ok(l)) => lat.add(&l)?,
                Ok(Err(e)) => {
                    first_error.get_or_insert(e);
                }
                Err(_) => {
                    first_error.get_or_insert_with(|| "a bench thread panicked".to_owned());
                }
            }
        }
        if let Some(e) = first_error {
            return Err(e);
        }
        // In duration mode publishers offer load for the whole duration, even those that stop
        // early because a throttle's retry-after ends past the deadline.
        let publish_elapsed = publish_elapsed.unwrap_or_else(|| epoch.elapsed());
        Ok((
            lat,
            config
                .duration
                .map_or(publish_elapsed, |d| publish_elapsed.max(d)),
        ))
    });
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let (lat, publish_elapsed) = outcome?;
    let after = target.usage();
    let cpu_after = gridlog_server::metrics::process_usage();
    let machine_after = machine_cpu();
    let consume_elapsed = Duration::from_nanos(shared.last_ack_nanos.load(Ordering::Acquire));
    let client_cpu = match (cpu_before, cpu_after) {
        (Some((a, _)), Some((b, _))) => Some(b - a),
        _ => None,
    };
    let report = Report::new(report::Inputs {
        target: target.describe(),
        config: config.clone(),
        published: shared.published.load(Ordering::Acquire),
        published_bytes: shared.published_bytes.load(Ordering::Acquire),
        received: shared.received.load(Ordering::Acquire),
        received_bytes: shared.received_bytes.load(Ordering::Acquire),
        acked: shared.acked.load(Ordering::Acquire),
        acked_bytes: shared.acked_bytes.load(Ordering::Acquire),
        throttled: [
            shared.throttled_publish.load(Ordering::Acquire),
            shared.throttled_receive.load(Ordering::Acquire),
            shared.throttled_settle.load(Ordering::Acquire),
        ],
        publish_elapsed,
        consume_elapsed,
        total_elapsed: epoch.elapsed(),
        publish_latency: &lat.publish,
        receive_latency: &lat.receive,
        acknowledge_latency: &lat.acknowledge,
        end_to_end_latency: &lat.end_to_end,
        usage_before: before,
        usage_after: after,
        client_cpu_seconds: client_cpu,
        machine_cpu_share: machine_before
            .zip(machine_after)
            .and_then(|(a, b)| machine_busy_share(a, b)),
        cores: std::thread::available_parallelism().map_or(1, std::num::NonZero::get),
    });
    target.teardown(&names)?;
    Ok(report)
}

/// `(busy, total)` jiffies of all processors from `/proc/stat` (Linux).
fn machine_cpu() -> Option<(u64, u64)> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let fields: Vec<u64> = stat
        .lines()
        .next()?
        .strip_prefix("cpu ")?
        .split_whitespace()
        .filter_map(|f| f.parse().ok())
        .collect();
    // user nice system idle iowait irq softirq steal ...
    let total: u64 = fields.iter().take(8).sum();
    let idle = fields.get(3)? + fields.get(4).copied().unwrap_or(0);
    Some((total - idle, total))
}

/// The share of all processors busy between two [`machine_cpu`] readings.
#[expect(clippy::cast_precision_loss, reason = "a share")]
fn machine_busy_share(before: (u64, u64), after: (u64, u64)) -> Option<f64> {
    let total = after.1.checked_sub(before.1).filter(|&t| t > 0)?;
    Some(after.0.saturating_sub(before.0) as f64 / total as f64)
}

fn progress_bar(config: &RunConfig, enabled: bool) -> Option<ProgressBar> {
    if !enabled {
        return None;
    }
    let (len, template) = match (config.events, config.duration) {
        (Some(n), _) => (
            n,
            "{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} events  {msg}",
        ),
        (None, Some(d)) => (
            u64::try_from(d.as_millis()).unwrap_or(u64::MAX),
            "{spinner} [{elapsed_precise}] {wide_bar} {msg}",
        ),
        _ => (0, "{spinner} {msg}"),
    };
    let bar = ProgressBar::new(len);
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style);
    }
    Some(bar)
}

/// Topic and subscription of a run.
#[derive(Debug, Clone)]
pub struct Names {
    /// Topic.
    pub topic: String,
    /// Subscription.
    pub subscription: String,
}

/// Starts `count` worker threads in `scope`, each with its own session of `target` and its own
/// latencies, running `work`; a worker that fails sets `shared.abort`, which stops the others.
fn spawn_workers<'scope, W>(
    scope: &'scope std::thread::Scope<'scope, '_>,
    count: u64,
    target: &'scope dyn Target,
    shared: &Arc<Shared>,
    work: W,
) -> Vec<std::thread::ScopedJoinHandle<'scope, Result<Latencies, String>>>
where
    W: Fn(&mut dyn Session, &Shared, &mut Latencies) -> Result<(), String> + Copy + Send + 'scope,
{
    (0..count)
        .map(|_| {
            let shared = shared.clone();
            scope.spawn(move || {
                let mut lat = Latencies::new()?;
                let mut session = target.session()?;
                let result = work(&mut *session, &shared, &mut lat);
                if result.is_err() {
                    shared.abort.store(true, Ordering::Release);
                }
                result.map(|()| lat)
            })
        })
        .collect()
}

#[expect(clippy::too_many_arguments, reason = "the loop's whole context")]
fn publish_loop(
    session: &mut dyn Session,
    names: &Names,
    config: &RunConfig,
    shared: &Shared,
    epoch: Instant,
    deadline: Option<Instant>,
    total_batches: Option<u64>,
    lat: &mut Latencies,
) -> Result<(), String> {
    loop {
        if shared.abort.load(Ordering::Acquire) || deadline.is_some_and(|d| Instant::now() >= d) {
            return Ok(());
        }
        let index = shared.batches_claimed.fetch_add(1, Ordering::AcqRel);
        let count = match (total_batches, config.events) {
            (Some(total), Some(events)) => {
                if index >= total {
                    return Ok(());
                }
                (events - index * config.batch).min(config.batch)
            }
            _ => config.batch,
        };
        let first_id = index * config.batch;
        loop {
            let t0 = Instant::now();
            let t = micros(t0 - epoch);
            let (body, bytes) = batch_body(config, first_id, count, t);
            match session.publish(&names.topic, &body, count)? {
                Call::Done(()) => {
                    lat.publish
                        .record(micros(t0.elapsed()))
                        .map_err(|e| e.to_string())?;
                    shared.published.fetch_add(count, Ordering::AcqRel);
                    shared.published_bytes.fetch_add(bytes, Ordering::AcqRel);
                    break;
                }
                Call::Throttled(wait) => {
                    shared.throttled_publish.fetch_add(1, Ordering::AcqRel);
                    if shared.abort.load(Ordering::Acquire)
                        || deadline.is_some_and(|d| Instant::now() + wait >= d)
                    {
                        return Ok(());
                    }
                    std::thread::sleep(wait);
                }
            }
        }
    }
}

fn consume_loop(
    session: &mut dyn Session,
    names: &Names,
    config: &RunConfig,
    shared: &Shared,
    epoch: Instant,
    lat: &mut Latencies,
) -> Result<(), String> {
    let done = || {
        shared.abort.load(Ordering::Acquire)
            || (shared.publishing_done.load(Ordering::Acquire)
                && shared.acked.load(Ordering::Acquire) >= shared.published.load(Ordering::Acquire))
    };
    while !done() {
        let t0 = Instant::now();
        let got = match session.receive(names, config.receive_batch, &done)? {
            Call::Done(got) => got,
            Call::Throttled(wait) => {
                shared.throttled_receive.fetch_add(1, Ordering::AcqRel);
                std::thread::sleep(wait);
                continue;
            }
        };
        if got.is_empty() {
            continue;
        }
        let now = Instant::now();
        lat.receive
            .record(micros(now - t0))
            .map_err(|e| e.to_string())?;
        let now_t = micros(now - epoch);
        let mut bytes = 0;
        for item in &got {
            bytes += item.bytes;
            if let Some(t) = item.published_at {
                lat.end_to_end
                    .record(now_t.saturating_sub(t).max(1))
                    .map_err(|e| e.to_string())?;
            }
        }
        shared
            .received
            .fetch_add(got.len() as u64, Ordering::AcqRel);
        shared.received_bytes.fetch_add(bytes, Ordering::AcqRel);
        let tokens: Vec<String> = got.into_iter().map(|g| g.lock_token).collect();
        loop {
            let t0 = Instant::now();
            match session.acknowledge(names, &tokens)? {
                Call::Done(n) => {
                    lat.acknowledge
                        .record(micros(t0.elapsed()))
                        .map_err(|e| e.to_string())?;
                    shared.acked.fetch_add(n, Ordering::AcqRel);
                    shared.acked_bytes.fetch_add(bytes, Ordering::AcqRel);
                    shared.last_ack_nanos.fetch_max(
                        u64::try_from(epoch.elapsed().as_nanos()).unwrap_or(u64::MAX),
                        Ordering::AcqRel,
                    );
                    break;
                }
                Call::Throttled(wait) => {
                    shared.throttled_settle.fetch_add(1, Ordering::AcqRel);
                    std::thread::sleep(wait);
                }
            }
        }
    }
    Ok(())
}

/// `--find-max-tu`: doubling steps, then bisection between the last pass and the first failure.
fn find_max_tu(
    target: &dyn Target,
    base: &RunConfig,
    progress: bool,
) -> Result<Vec<StepReport>, String> {
    if !target.supports_tus() {
        return Err("--find-max-tu needs a target whose throughput units it can change".into());
    }
    let step_config = |tus: u32| RunConfig {
        duration: Some(base.duration.unwrap_or(Duration::from_secs(3))),
        events: None,
        tus: Some(tus),
        consumers: base.consumers.max(1),
        ..base.clone()
    };
    let mut steps: Vec<StepReport> = Vec::new();
    let run_step = |tus: u32, steps: &mut Vec<StepReport>| -> Result<bool, String> {
        if progress {
            eprintln!("gridlog bench: step at {tus} TU ...");
        }
        let report = run_once(target, &step_config(tus), progress)?;
        let step = StepReport::judge(tus, report);
        let passed = step.sustained;
        steps.push(step);
        Ok(passed)
    };
    let mut last_pass = 0;
    let mut first_fail = None;
    for tus in TU_STEPS {
        if run_step(tus, &mut steps)? {
            last_pass = tus;
        } else {
            first_fail = Some(tus);
            break;
        }
    }
    if let Some(mut hi) = first_fail {
        let mut lo = last_pass;
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            if run_step(mid, &mut steps)? {
                lo = mid;
            } else {
                hi = mid;
            }
        }
    }
    Ok(steps)
}
