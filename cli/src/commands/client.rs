//! Where the event commands (`publish`, `receive`, `ack`, …, `wait`) act: a running server over
//! HTTP (`--endpoint`, `--key`), or a data directory opened directly when no server holds it.

use std::cell::RefCell;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use hyper::Method;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::Value;

use gridlog::format::parse_request;
use gridlog::{Namespace, NamespaceOptions, ReleaseDelay};

use super::http_session::{Access, Session};

/// Path-segment encoding: everything but unreserved characters.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');
/// The API version the CLI speaks.
const API_VERSION: &str = "2024-06-01";
/// The batch content type.
pub const BATCH: &str = "application/cloudevents-batch+json; charset=utf-8";
/// The structured-mode content type (one event): its size limit is the event's, so an event of
/// exactly the limit is sent as it is validated.
pub const STRUCTURED: &str = "application/cloudevents+json; charset=utf-8";

/// Where to connect (shared by the event commands).
#[derive(Debug, Clone, clap::Args)]
pub struct Connection {
    /// A running server, e.g. http://127.0.0.1:8765 or https://localhost:8443 (env
    /// GRIDLOG_ENDPOINT). Without it, the data directory is opened directly.
    #[arg(long)]
    pub endpoint: Option<String>,
    /// The access key and trusted CA certificates for --endpoint.
    #[command(flatten)]
    pub access: Access,
    /// Data directory to open directly when no --endpoint is given.
    #[arg(long, default_value = "./gridlog-data")]
    pub data_dir: PathBuf,
}

/// One received event.
#[derive(Debug, Clone)]
pub struct Got {
    /// Lock token.
    pub lock_token: String,
    /// Delivery count.
    pub delivery_count: u64,
    /// The event JSON.
    pub event: Value,
}

/// A settlement.
#[derive(Debug, Clone, Copy)]
pub enum Op {
    Ack,
    Release(ReleaseDelay),
    Reject,
    Renew,
}

impl Op {
    fn action(self) -> &'static str {
        match self {
            Self::Ack => "acknowledge",
            Self::Release(_) => "release",
            Self::Reject => "reject",
            Self::Renew => "renewLock",
        }
    }
}

/// The connection, opened.
pub enum Client {
    /// Over HTTP or HTTPS: one kept-alive connection.
    Http(RefCell<Session>),
    /// Directly on a data directory (locked against other gridlog processes).
    Direct {
        /// The namespace.
        ns: Namespace,
        /// Held while open.
        _lock: gridlog_server::lock::DirLock,
    },
}

impl Client {
    /// Opens `connection`.
    pub fn open(connection: &Connection) -> Result<Self, String> {
        let env = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let endpoint = connection
            .endpoint
            .clone()
            .or_else(|| env("GRIDLOG_ENDPOINT"));
        #[expect(clippy::single_match_else, reason = "two transports, side by side")]
        match &endpoint {
            Some(endpoint) => {
                let endpoint = connection
                    .access
                    .endpoint(endpoint)
                    .map_err(|e| e.to_string())?;
                let session = Session::new(Arc::new(endpoint)).map_err(|e| e.to_string())?;
                Ok(Self::Http(RefCell::new(session)))
            }
            None => {
                let dir = &connection.data_dir;
                if !dir.join("wal").is_dir() {
                    return Err(format!(
                        "{} is not a gridlog data directory (no wal/); give --endpoint to use a server",
                        dir.display()
                    ));
                }
                let lock = gridlog_server::lock::lock_data_dir(dir)?;
                Namespace::open(dir, NamespaceOptions::default())
                    .map(|ns| Self::Direct { ns, _lock: lock })
                    .map_err(|e| {
                        format!(
                            "opening {}: {e} (if a server holds it, use --endpoint)",
                            dir.display()
                        )
                    })
            }
        }
    }

    fn http(&self, path: &str, content_type: Option<&str>, body: Vec<u8>) -> Result<Value, String> {
        let Self::Http(session) = self else {
            return Err("not an HTTP client".to_owned());
        };
        let answer = session
            .borrow_mut()
            .call(&Method::POST, path, content_type, Bytes::from(body))
            .map_err(|e| e.to_string())?;
        let json: Value = serde_json::from_slice(&answer.body).unwrap_or(Value::Null);
        if (200..300).contains(&answer.status) {
            Ok(json)
        } else {
            Err(format!(
                "HTTP {}: {}: {}",
                answer.status,
                json["error"]["code"].as_str().unwrap_or("?"),
                json["error"]["message"].as_str().unwrap_or("")
            ))
        }
    }

    fn sub_path(topic: &str, sub: &str, action: &str) -> String {
        format!(
            "/topics/{}/eventsubscriptions/{}:{action}",
            utf8_percent_encode(topic, SEGMENT),
            utf8_percent_encode(sub, SEGMENT)
        )
    }

    /// Publishes `events`, validated first: one event in structured mode (so its limit is the
    /// event size limit, not the request's around a batch array), more as a batch.
    pub fn publish(&self, topic: &str, events: &[Value]) -> Result<usize, String> {
        let (content_type, body) = match events {
            [one] => (STRUCTURED, serde_json::to_vec(one)),
            many => (BATCH, serde_json::to_vec(many)),
        };
        let body = body.map_err(|e| e.to_string())?;
        let events = parse_request([("content-type", content_type.as_bytes())], &body)
            .map_err(|e| format!("{}: {e}", e.code()))?;
        match self {
            Self::Direct { ns, .. } => {
                ns.publish(topic, &events)
                    .map_err(|e| format!("{}: {e}", e.code()))?;
            }
            Self::Http(_) => {
                self.http(
                    &format!(
                        "/topics/{}:publish?api-version={API_VERSION}",
                        utf8_percent_encode(topic, SEGMENT)
                    ),
                    Some(content_type),
                    body,
                )?;
            }
        }
        Ok(events.len())
    }

    /// Receives up to `max` events, waiting up to `wait` (over HTTP at least 10 s, the API's
    /// minimum).
    pub fn receive(
        &self,
        topic: &str,
        sub: &str,
        max: u32,
        wait: Duration,
    ) -> Result<Vec<Got>, String> {
        match self {
            Self::Direct { ns, .. } => {
                let got = ns
                    .receive(topic, sub, max, wait)
                    .map_err(|e| format!("{}: {e}", e.code()))?;
                got.into_iter()
                    .map(|r| {
                        Ok(Got {
                            event: serde_json::from_slice(r.json()).map_err(|e| e.to_string())?,
                            lock_token: r.lock_token,
                            delivery_count: u64::from(r.delivery_count),
                        })
                    })
                    .collect()
            }
            Self::Http(_) => {
                let secs = wait.as_secs().clamp(10, 120);
                let json = self.http(
                    &format!(
                        "{}?api-version={API_VERSION}&maxEvents={max}&maxWaitTime={secs}",
                        Self::sub_path(topic, sub, "receive")
                    ),
                    None,
                    Vec::new(),
                )?;
                Ok(json["value"]
                    .as_array()
                    .map(Vec::as_slice)
                    .unwrap_or_default()
                    .iter()
                    .map(|v| Got {
                        lock_token: v["brokerProperties"]["lockToken"]
                            .as_str()
                            .unwrap_or_default()
                            .to_owned(),
                        delivery_count: v["brokerProperties"]["deliveryCount"]
                            .as_u64()
                            .unwrap_or_default(),
                        event: v["event"].clone(),
                    })
                    .collect())
            }
        }
    }

    /// Settles `tokens`; returns `{"failedLockTokens":[…],"succeededLockTokens":[…]}`.
    pub fn settle(
        &self,
        topic: &str,
        sub: &str,
        op: Op,
        tokens: &[String],
    ) -> Result<Value, String> {
        match self {
            Self::Direct { ns, .. } => {
                let refs: Vec<&str> = tokens.iter().map(String::as_str).collect();
                let outcome = match op {
                    Op::Ack => ns.acknowledge(topic, sub, &refs),
                    Op::Release(delay) => ns.release(topic, sub, &refs, delay),
                    Op::Reject => ns.reject(topic, sub, &refs),
                    Op::Renew => ns.renew_locks(topic, sub, &refs),
                }
                .map_err(|e| format!("{}: {e}", e.code()))?;
                let failed: Vec<Value> = outcome
                    .failed
                    .iter()
                    .map(|f| serde_json::json!({"lockToken": f.lock_token, "error": {"code": f.code, "message": f.message}}))
                    .collect();
                Ok(
                    serde_json::json!({"failedLockTokens": failed, "succeededLockTokens": outcome.succeeded}),
                )
            }
            Self::Http(_) => {
                let mut path = format!(
                    "{}?api-version={API_VERSION}",
                    Self::sub_path(topic, sub, op.action())
                );
                if let Op::Release(delay) = op {
                    let _ = std::fmt::Write::write_fmt(
                        &mut path,
                        format_args!("&releaseDelayInSeconds={}", delay.duration().as_secs()),
                    );
                }
                let body = serde_json::json!({ "lockTokens": tokens }).to_string();
                self.http(&path, Some("application/json"), body.into_bytes())
            }
        }
    }

    /// Closes a directly opened data directory (syncs the log).
    pub fn close(self) -> Result<(), String> {
        match self {
            Self::Direct { ns, .. } => ns.close().map_err(|e| e.to_string()),
            Self::Http(_) => Ok(()),
        }
    }
}
