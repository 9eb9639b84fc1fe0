//! The bench's HTTP target: a server over HTTP or HTTPS (`--endpoint`, `--ca-file`), one
//! kept-alive connection per bench thread (the tools' [`Session`]).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use hyper::Method;

use super::target::{
    Call, Got, SUBSCRIPTION, Session as BenchSession, Target, Usage, run_topic_name,
};
use super::{Names, event_time};
use crate::commands::client::BATCH;
use crate::commands::exposition::Scrape;
use crate::commands::http_session::{Endpoint, Session};

/// The API version the bench speaks.
const API_VERSION: &str = "2024-06-01";
/// The management API's namespace resource.
const NAMESPACE_PATH: &str = "/_gridlog/namespace";
/// Where the server serves its metrics.
const METRICS_PATH: &str = "/metrics";
/// The wait a 429 without `retry-after` asks for.
const DEFAULT_RETRY_AFTER: Duration = Duration::from_secs(1);

/// What the bench changed on a server.
enum Original {
    /// Nothing yet.
    Untouched,
    /// The throughput units before the first change (`None`: unlimited).
    Tus(Option<u64>),
}

/// A server over HTTP or HTTPS.
pub struct Http {
    endpoint: Arc<Endpoint>,
    /// The server's throughput units before the first run changed them (restored on close).
    original_tus: Mutex<Original>,
}

impl Http {
    /// A target at `endpoint`.
    pub fn new(endpoint: Endpoint) -> Self {
        Self {
            endpoint: Arc::new(endpoint),
            original_tus: Mutex::new(Original::Untouched),
        }
    }

    /// The endpoint.
    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    /// `PUT /_gridlog/namespace {"throughputUnits": units}`.
    fn put_tus(&self, units: Option<u64>) -> Result<(), String> {
        let body = serde_json::json!({ "throughputUnits": units }).to_string();
        let (status, answer) = self.one_shot(&Method::PUT, NAMESPACE_PATH, body)?;
        if status == 200 {
            Ok(())
        } else {
            Err(format!(
                "setting throughputUnits on {}: HTTP {status}: {}",
                self.endpoint.text(),
                String::from_utf8_lossy(&answer)
            ))
        }
    }

    /// The server's throughput units (`None`: unlimited).
    fn get_tus(&self) -> Result<Option<u64>, String> {
        let (status, answer) = self.one_shot(&Method::GET, NAMESPACE_PATH, String::new())?;
        if status != 200 {
            return Err(format!(
                "GET {NAMESPACE_PATH} on {}: HTTP {status}: {}",
                self.endpoint.text(),
                String::from_utf8_lossy(&answer)
            ));
        }
        let json: serde_json::Value =
            serde_json::from_slice(&answer).map_err(|e| format!("{NAMESPACE_PATH}: {e}"))?;
        Ok(json["throughputUnits"].as_u64())
    }

    /// One request on a new connection.
    fn one_shot(&self, method: &Method, path: &str, body: String) -> Result<(u16, Bytes), String> {
        let answer = self
            .http_session()?
            .session
            .call(method, path, None, Bytes::from(body))
            .map_err(|e| e.to_string())?;
        Ok((answer.status, answer.body))
    }

    fn http_session(&self) -> Result<HttpSession, String> {
        Ok(HttpSession {
            session: Session::new(self.endpoint.clone()).map_err(|e| e.to_string())?,
        })
    }
}

/// One bench thread's connection.
struct HttpSession {
    session: Session,
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
        .unwrap_or(DEFAULT_RETRY_AFTER)
}

impl HttpSession {
    /// A data-plane POST; `None` when `cancel()` turned true first.
    fn data_plane(
        &mut self,
        path: &str,
        content_type: Option<&str>,
        body: Bytes,
        cancel: &dyn Fn() -> bool,
    ) -> Result<Option<Call<Bytes>>, String> {
        let Some(answer) = self
            .session
            .call_cancellable(&Method::POST, path, content_type, body, cancel)
            .map_err(|e| e.to_string())?
        else {
            return Ok(None);
        };
        match answer.status {
            200 => Ok(Some(Call::Done(answer.body))),
            429 => Ok(Some(Call::Throttled(retry_after(&answer.headers)))),
            status => Err(format!(
                "HTTP {status} from {path}: {}",
                String::from_utf8_lossy(&answer.body)
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

impl BenchSession for HttpSession {
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
            &Method::PUT,
            &format!("/_gridlog/topics/{}", segment(&topic)),
            body,
        )?;
        if status != 200 {
            return Err(format!(
                "creating topic {topic} on {}: HTTP {status}: {}",
                self.endpoint.text(),
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
            &Method::DELETE,
            &format!("/_gridlog/topics/{}", segment(&names.topic)),
            String::new(),
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

    fn session(&self) -> Result<Box<dyn BenchSession + '_>, String> {
        Ok(Box::new(self.http_session()?))
    }

    fn usage(&self) -> Option<Usage> {
        let (status, body) = self
            .one_shot(&Method::GET, METRICS_PATH, String::new())
            .ok()?;
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
        self.endpoint.text().to_owned()
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
