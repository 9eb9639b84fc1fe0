//! What TLS costs (issue #19): `gridlog bench --endpoint https://… --baseline http://…` runs
//! the same load on both servers, alternately, and prints HTTPS publish and receive+ack
//! throughput as a share of plain HTTP measured in the same run; `--handshakes` measures
//! connections per second of a client that opens one connection per request (TCP, TLS
//! handshake, `GET /_gridlog/health`, close): full handshakes (session resumption off), then
//! resumed ones, and the plain-HTTP rate of the baseline if one is given.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use bytes::Bytes;
use hyper::Method;
use serde_json::{Value, json};

use gridlog_server::client::{self, ClientError, HttpClient, Url};

use super::http_target::Http;
use super::{Report, RunConfig, run_once};
use crate::commands::http_session::Endpoint;

/// Alternations of the throughput comparison (baseline, then HTTPS, this many times): the
/// machine's load drifts, and alternating spreads the drift over both.
pub const COMPARE_ROUNDS: usize = 2;
/// How long each handshake measurement runs unless `--duration` says otherwise.
pub const HANDSHAKE_DEFAULT: Duration = Duration::from_secs(5);
/// The target of issue #19: HTTPS throughput at least this share of plain HTTP.
pub const TARGET_SHARE: f64 = 0.8;
/// What each connection of the handshake measurement asks for (no authentication, no storage).
const HEALTH_PATH: &str = "/_gridlog/health";

/// Why a comparison or a handshake measurement stopped.
#[derive(Debug, thiserror::Error)]
pub enum HttpsBenchError {
    /// A bench run failed (the run's own message).
    #[error("the run against {target} failed: {reason}")]
    Run {
        /// The endpoint.
        target: String,
        /// The run's error.
        reason: String,
    },
    /// `--handshakes` needs an `https://` endpoint.
    #[error("--handshakes measures TLS handshakes: give an https:// --endpoint")]
    NotHttps,
    /// A connection or request of the handshake measurement failed.
    #[error("{target}: {source}")]
    Client {
        /// The endpoint.
        target: String,
        /// What failed.
        source: ClientError,
    },
    /// The health check answered something else than 200.
    #[error("{target}: GET {HEALTH_PATH} answered HTTP {status}")]
    Status {
        /// The endpoint.
        target: String,
        /// The status.
        status: u16,
    },
    /// The runtime of the handshake measurement could not be started.
    #[error("starting a runtime: {0}")]
    Runtime(std::io::Error),
}

/// One side's throughput, summed over the rounds.
#[derive(Debug, Default, Clone, Copy)]
struct Side {
    publish: f64,
    consume: f64,
}

impl Side {
    fn add(&mut self, report: &Report) {
        self.publish += report.rates.ingress_events;
        self.consume += report.rates.settlement_events;
    }
}

fn share(part: f64, whole: f64) -> f64 {
    if whole > 0.0 { part / whole } else { 0.0 }
}

fn verdict(ratio: f64) -> &'static str {
    if ratio >= TARGET_SHARE {
        "met"
    } else {
        "MISSED"
    }
}

/// The comparison: [`COMPARE_ROUNDS`] × (baseline, HTTPS), then the shares. JSON if `json`.
pub fn compare(
    https: &Http,
    baseline: &Http,
    config: &RunConfig,
    json: bool,
) -> Result<String, HttpsBenchError> {
    let mut sides = [Side::default(), Side::default()];
    let mut rounds = Vec::new();
    for _ in 0..COMPARE_ROUNDS {
        for (side, target) in [baseline, https].into_iter().enumerate() {
            let report =
                run_once(target, config, false).map_err(|reason| HttpsBenchError::Run {
                    target: target.endpoint().text().to_owned(),
                    reason,
                })?;
            sides[side].add(&report);
            rounds.push(report);
        }
    }
    let [plain, tls] = sides;
    let publish = share(tls.publish, plain.publish);
    let consume = share(tls.consume, plain.consume);
    if json {
        let runs: Vec<Value> = rounds.iter().map(Report::to_json).collect();
        return Ok(json!({
            "baseline": baseline.endpoint().text(),
            "https": https.endpoint().text(),
            "rounds": COMPARE_ROUNDS,
            "runs": runs,
            "publish_share": publish,
            "consume_share": consume,
            "target_share": TARGET_SHARE,
        })
        .to_string()
            + "\n");
    }
    let mut out = String::new();
    let _ = writeln!(
        out,
        "HTTPS {} against plain HTTP {} ({COMPARE_ROUNDS} alternations; events/s per run)",
        https.endpoint().text(),
        baseline.endpoint().text()
    );
    let _ = writeln!(
        out,
        "{:<8} {:>14} {:>20}",
        "run", "publish ev/s", "receive+ack ev/s"
    );
    for report in &rounds {
        let name = if report.target == https.endpoint().text() {
            "https"
        } else {
            "http"
        };
        let _ = writeln!(
            out,
            "{name:<8} {:>14.0} {:>20.0}",
            report.rates.ingress_events, report.rates.settlement_events
        );
    }
    let _ = writeln!(
        out,
        "HTTPS ÷ HTTP: publish {publish:.2}, receive+ack {consume:.2} (target ≥ {TARGET_SHARE}: {}, {})",
        verdict(publish),
        verdict(consume)
    );
    Ok(out)
}

/// Connections per second for `duration`, each one request on a new connection.
struct Rate {
    per_sec: f64,
    connections: u64,
    resumed: u64,
}

fn connection_rate(
    client: &HttpClient,
    url: &Url,
    duration: Duration,
) -> Result<Rate, HttpsBenchError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(HttpsBenchError::Runtime)?;
    let failed = |source| HttpsBenchError::Client {
        target: url.to_string(),
        source,
    };
    runtime.block_on(async {
        let start = Instant::now();
        let (mut connections, mut resumed) = (0_u64, 0_u64);
        while start.elapsed() < duration {
            let (mut connection, was_resumed) =
                client.connect_reporting(url).await.map_err(failed)?;
            let request = client::request(url, &Method::GET, HEALTH_PATH, &[], Bytes::new())
                .map_err(failed)?;
            let answer = connection.send(request).await.map_err(failed)?;
            if answer.status != 200 {
                return Err(HttpsBenchError::Status {
                    target: url.to_string(),
                    status: answer.status,
                });
            }
            connections += 1;
            resumed += u64::from(was_resumed == Some(true));
        }
        #[expect(clippy::cast_precision_loss, reason = "a rate")]
        let per_sec = connections as f64 / start.elapsed().as_secs_f64();
        Ok(Rate {
            per_sec,
            connections,
            resumed,
        })
    })
}

/// `--handshakes`: full and resumed TLS handshakes per second on `https`, and the plain
/// connection rate of `baseline` if given.
pub fn handshakes(
    https: &Endpoint,
    baseline: Option<&Endpoint>,
    duration: Duration,
    json: bool,
) -> Result<String, HttpsBenchError> {
    if !https.is_https() {
        return Err(HttpsBenchError::NotHttps);
    }
    let full = connection_rate(&https.client().without_resumption(), https.url(), duration)?;
    let resumed = connection_rate(https.client(), https.url(), duration)?;
    let plain = baseline
        .map(|b| connection_rate(b.client(), b.url(), duration))
        .transpose()?;
    if json {
        return Ok(json!({
            "https": https.text(),
            "seconds_each": duration.as_secs_f64(),
            "full_handshakes_per_sec": full.per_sec,
            "resumption_on_per_sec": resumed.per_sec,
            "resumed_connections": resumed.resumed,
            "resumption_on_connections": resumed.connections,
            "plain_http_connections_per_sec": plain.as_ref().map(|p| p.per_sec),
        })
        .to_string()
            + "\n");
    }
    let mut out = String::new();
    let _ = writeln!(
        out,
        "TLS handshakes on {} (one connection per request: connect, handshake, GET {HEALTH_PATH}, close; {:.0} s each)",
        https.text(),
        duration.as_secs_f64()
    );
    let _ = writeln!(
        out,
        "full handshakes (resumption off): {:.0}/s ({} connections)",
        full.per_sec, full.connections
    );
    let _ = writeln!(
        out,
        "resumption on: {:.0}/s ({} of {} connections resumed), {:.2} × full",
        resumed.per_sec,
        resumed.resumed,
        resumed.connections,
        share(resumed.per_sec, full.per_sec)
    );
    if let (Some(plain), Some(baseline)) = (plain, baseline) {
        let _ = writeln!(
            out,
            "plain HTTP on {}: {:.0} connections/s; full handshakes ÷ plain {:.2}",
            baseline.text(),
            plain.per_sec,
            share(full.per_sec, plain.per_sec)
        );
    }
    Ok(out)
}
