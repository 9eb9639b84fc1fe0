//! The body of the `router` fuzz target (`fuzz/fuzz_targets/router.rs`), shared with the stable
//! corpus replay in `server/tests/fuzz_corpus.rs`.
//!
//! The input is a request as text: `METHOD TARGET`, header lines `name: value`, an empty line,
//! then the body. Inputs hyper could not represent (a bad method, URI or header) are skipped: the
//! HTTP parser refuses them before the router sees them. The request goes through the real
//! [`handle`] (routing, authentication, query, body limits, event parsing, settlement and
//! management bodies) over an in-memory backend, and the pure parsers are checked directly:
//!
//! - every answer is a documented status below 500, and every error answer is
//!   `{"error":{"code","message"}}` with the same code in `x-ms-error-code`;
//! - the backend is only reached by authenticated requests, with the names the path parser
//!   decoded, at most [`EVENTS_PER_REQUEST_MAX`] events and at most [`LOCK_TOKENS_MAX`] tokens;
//! - a parsed route re-encodes to a path that parses to the same route, and an accepted query
//!   holds values in their documented ranges.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::Request;
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};

use gridlog::format::Event;
use gridlog::format::limits::EVENTS_PER_REQUEST_MAX;
use gridlog::{NamespaceConfig, SubscriptionConfig, TopicConfig};

use super::route::{API_VERSIONS, Action, parse_path, parse_query};
use super::{App, LOCK_TOKENS_MAX, handle};
use crate::auth::Authenticator;
use crate::backend::{BackendError, BoxFuture, DataPlane, Settle};
use gridlog::{Received, SettleOutcome};

/// The access key the fuzzed server accepts.
pub const KEY: &str = "fuzz-key";

/// Statuses the API documents (`server/src/http/mod.rs`); the in-memory backend never fails,
/// so nothing at or above 500 may appear.
const STATUSES: [u16; 9] = [200, 400, 401, 404, 405, 408, 413, 414, 431];

/// Records what reached the storage, answers at once.
#[derive(Default)]
struct Recorder {
    calls: Mutex<Vec<Call>>,
    topics: Mutex<Vec<TopicConfig>>,
}

#[derive(Debug)]
enum Call {
    Publish {
        topic: String,
        events: usize,
    },
    Receive {
        topic: String,
        subscription: String,
        max_events: u32,
    },
    Settle {
        topic: String,
        subscription: String,
        tokens: usize,
    },
    Manage,
}

impl DataPlane for Recorder {
    fn publish(&self, topic: &str, events: Vec<Event>) -> BoxFuture<Result<(), BackendError>> {
        locked(&self.calls).push(Call::Publish {
            topic: topic.to_owned(),
            events: events.len(),
        });
        Box::pin(async { Ok(()) })
    }

    fn receive(
        &self,
        topic: &str,
        subscription: &str,
        max_events: u32,
        _max_wait: Duration,
    ) -> BoxFuture<Result<Vec<Received>, BackendError>> {
        locked(&self.calls).push(Call::Receive {
            topic: topic.to_owned(),
            subscription: subscription.to_owned(),
            max_events,
        });
        let delivery = Received::from_json(
            "token".to_owned(),
            1,
            br#"{"specversion":"1.0","id":"1","source":"/s","type":"t"}"#.to_vec(),
        );
        Box::pin(async move { Ok(vec![delivery]) })
    }

    fn settle(
        &self,
        topic: &str,
        subscription: &str,
        _op: Settle,
        tokens: Vec<String>,
    ) -> BoxFuture<Result<SettleOutcome, BackendError>> {
        locked(&self.calls).push(Call::Settle {
            topic: topic.to_owned(),
            subscription: subscription.to_owned(),
            tokens: tokens.len(),
        });
        Box::pin(async move {
            Ok(SettleOutcome {
                succeeded: tokens,
                failed: Vec::new(),
            })
        })
    }

    fn apply_config(&self, config: &NamespaceConfig) -> Result<(), BackendError> {
        locked(&self.calls).push(Call::Manage);
        config.topics.clone_into(&mut locked(&self.topics));
        Ok(())
    }

    fn put_topic(&self, topic: TopicConfig) -> Result<(), BackendError> {
        locked(&self.calls).push(Call::Manage);
        let mut topics = locked(&self.topics);
        topics.retain(|t| !t.name.eq_ignore_ascii_case(&topic.name));
        topics.push(topic);
        Ok(())
    }

    fn topic(&self, name: &str) -> Option<TopicConfig> {
        locked(&self.topics)
            .iter()
            .find(|t| t.name.eq_ignore_ascii_case(name))
            .cloned()
    }

    fn topics(&self) -> Vec<TopicConfig> {
        locked(&self.topics).clone()
    }

    fn delete_topic(&self, name: &str) -> Result<(), BackendError> {
        locked(&self.calls).push(Call::Manage);
        let mut topics = locked(&self.topics);
        let before = topics.len();
        topics.retain(|t| !t.name.eq_ignore_ascii_case(name));
        if topics.len() == before {
            return Err(BackendError::NotFound(format!("topic {name} not found")));
        }
        Ok(())
    }

    fn put_subscription(
        &self,
        topic: &str,
        subscription: SubscriptionConfig,
    ) -> Result<(), BackendError> {
        locked(&self.calls).push(Call::Manage);
        let mut topics = locked(&self.topics);
        let found = topic_mut(&mut topics, topic)?;
        found
            .subscriptions
            .retain(|s| !s.name.eq_ignore_ascii_case(&subscription.name));
        found.subscriptions.push(subscription);
        Ok(())
    }

    fn delete_subscription(&self, topic: &str, name: &str) -> Result<(), BackendError> {
        locked(&self.calls).push(Call::Manage);
        let mut topics = locked(&self.topics);
        let found = topic_mut(&mut topics, topic)?;
        found
            .subscriptions
            .retain(|s| !s.name.eq_ignore_ascii_case(name));
        Ok(())
    }

    fn close(&self) -> Result<(), BackendError> {
        Ok(())
    }
}

/// The topic named `name` (ignoring ASCII case), or `NotFound`.
fn topic_mut<'a>(
    topics: &'a mut [TopicConfig],
    name: &str,
) -> Result<&'a mut TopicConfig, BackendError> {
    topics
        .iter_mut()
        .find(|t| t.name.eq_ignore_ascii_case(name))
        .ok_or_else(|| BackendError::NotFound(format!("topic {name} not found")))
}

fn locked<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Splits the input into the request line, header lines and body.
fn split(data: &[u8]) -> (&[u8], Vec<&[u8]>, &[u8]) {
    let (head, body) = match data.windows(2).position(|w| w == b"\n\n") {
        Some(at) => (&data[..at], &data[at + 2..]),
        None => (data, &[][..]),
    };
    let mut lines = head
        .split(|&b| b == b'\n')
        .map(|line| line.strip_suffix(b"\r").unwrap_or(line));
    let first = lines.next().unwrap_or_default();
    (first, lines.collect(), body)
}

fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: std::sync::OnceLock<tokio::runtime::Runtime> = std::sync::OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap_or_else(|error| panic!("no tokio runtime: {error}"))
    })
}

/// The fuzz target. Panics only when one of the module's properties fails.
pub fn router(data: &[u8]) {
    let _ = status_of(data);
}

/// [`router`], returning the answer's status (`None`: not a representable request).
pub fn status_of(data: &[u8]) -> Option<u16> {
    let (first, header_lines, body) = split(data);
    let mut parts = first.splitn(2, |&b| b == b' ');
    let method = parts.next().unwrap_or_default();
    let target = parts.next().unwrap_or_default();
    if let Ok(target) = std::str::from_utf8(target) {
        check_parsers(target);
    }
    let mut builder = Request::builder().method(method).uri(target);
    for line in header_lines {
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            continue;
        };
        let value = &line[colon + 1..];
        let value = value.strip_prefix(b" ").unwrap_or(value);
        builder = builder.header(&line[..colon], value);
    }
    let Ok(request) = builder.body(Full::new(Bytes::copy_from_slice(body))) else {
        return None; // hyper's parser would have refused it
    };
    let path = request.uri().path().to_owned();
    let recorder = Arc::new(Recorder::default());
    let (_shutdown, watch) = tokio::sync::watch::channel(false);
    let app = Arc::new(App::new(recorder.clone(), Authenticator::new([KEY]), watch));
    let (status, headers, body) = runtime().block_on(async move {
        let Ok(response) = handle(app, request).await;
        let (parts, body) = response.into_parts();
        let body = match body.collect().await {
            Ok(collected) => collected.to_bytes(),
            Err(never) => match never {},
        };
        (parts.status.as_u16(), parts.headers, body)
    });
    check_response(&path, status, &headers, &body);
    let calls = std::mem::take(&mut *locked(&recorder.calls));
    check_calls(data, &path, calls);
    Some(status)
}

/// A documented status; an error answer has the error shape.
fn check_response(path: &str, status: u16, headers: &hyper::HeaderMap, body: &[u8]) {
    assert!(
        STATUSES.contains(&status),
        "undocumented status {status} for {path}: {}",
        String::from_utf8_lossy(body)
    );
    if status >= 400 {
        let json: serde_json::Value = serde_json::from_slice(body)
            .unwrap_or_else(|error| panic!("error body is not JSON ({error}): {body:?}"));
        let code = json["error"]["code"]
            .as_str()
            .unwrap_or_else(|| panic!("error body without a code: {json}"));
        assert!(json["error"]["message"].is_string(), "{json}");
        assert_eq!(
            headers.get("x-ms-error-code").and_then(|v| v.to_str().ok()),
            Some(code),
            "x-ms-error-code differs from the body's code"
        );
    } else if !body.is_empty() {
        assert!(
            serde_json::from_slice::<serde_json::Value>(body).is_ok(),
            "a 200 body is not JSON"
        );
    }
}

/// The store is reached only by authenticated requests, with what the path and body said.
fn check_calls(data: &[u8], path: &str, calls: Vec<Call>) {
    if calls.is_empty() {
        return;
    }
    // Only an authenticated request reaches the store: the key, or a SAS (which the fuzzer can
    // only replay from the corpus).
    let text = String::from_utf8_lossy(data);
    assert!(
        text.contains(KEY) || text.contains("s="),
        "an unauthenticated request reached the store: {calls:?}"
    );
    let route = parse_path(path);
    for call in calls {
        match call {
            Call::Publish { topic, events } => {
                let route = route
                    .as_ref()
                    .unwrap_or_else(|| panic!("publish without a route"));
                assert_eq!((route.action, &route.topic), (Action::Publish, &topic));
                assert!(events <= EVENTS_PER_REQUEST_MAX);
            }
            Call::Receive {
                topic,
                subscription,
                max_events,
            } => {
                let route = route
                    .as_ref()
                    .unwrap_or_else(|| panic!("receive without a route"));
                assert_eq!(route.action, Action::Receive);
                assert_eq!(
                    (&route.topic, route.subscription.as_ref()),
                    (&topic, Some(&subscription))
                );
                assert!((1..=100).contains(&max_events));
            }
            Call::Settle {
                topic,
                subscription,
                tokens,
            } => {
                let route = route
                    .as_ref()
                    .unwrap_or_else(|| panic!("settle without a route"));
                assert_eq!(
                    (&route.topic, route.subscription.as_ref()),
                    (&topic, Some(&subscription))
                );
                assert!(tokens <= LOCK_TOKENS_MAX);
            }
            Call::Manage => assert!(path.starts_with("/_gridlog/"), "{path}"),
        }
    }
}

/// The pure parsers on the raw target: re-encoding a parsed route parses to the same route; an
/// accepted query is in range.
fn check_parsers(target: &str) {
    let (path, query) = match target.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (target, None),
    };
    let Some(route) = parse_path(path) else {
        return;
    };
    assert!(!route.topic.is_empty(), "empty topic from {path}");
    let enc = |s: &str| utf8_percent_encode(s, NON_ALPHANUMERIC).to_string();
    let action = match route.action {
        Action::Publish => "publish",
        Action::Receive => "receive",
        Action::Acknowledge => "acknowledge",
        Action::Release => "release",
        Action::Reject => "reject",
        Action::RenewLock => "renewLock",
        Action::Peek => "peek",
        Action::RepublishDeadLetters => "republishDeadLetters",
    };
    let rebuilt = match &route.subscription {
        None => format!("/topics/{}:{action}", enc(&route.topic)),
        Some(sub) => format!(
            "/topics/{}/eventsubscriptions/{}:{action}",
            enc(&route.topic),
            enc(sub)
        ),
    };
    let again =
        parse_path(&rebuilt).unwrap_or_else(|| panic!("{rebuilt} (from {path}) does not parse"));
    assert_eq!(
        (&again.topic, &again.subscription, again.action),
        (&route.topic, &route.subscription, route.action),
        "{path} and {rebuilt} parse differently"
    );
    // The endpoint prefix never selects a resource, so a SAS scope sees what the router acts on.
    assert!(
        !route
            .prefix
            .split('/')
            .any(crate::auth::is_reserved_segment),
        "{path}: prefix {:?} selects a resource",
        route.prefix
    );
    if let Ok(query) = parse_query(query, route.action) {
        assert!(API_VERSIONS.contains(&query.api_version.as_str()));
        assert!((1..=100).contains(&query.max_events));
        assert!((10..=120).contains(&query.max_wait_secs));
    }
}
