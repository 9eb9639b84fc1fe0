//! The Event Grid namespace data-plane REST API (reference §1) and gridlog's management API.
//!
//! | method | path | answer |
//! |---|---|---|
//! | POST | `[/prefix]/topics/{t}:publish` | `200 {}` |
//! | POST | `[/prefix]/topics/{t}/eventsubscriptions/{s}:receive` | `200 {"value":[…]}` |
//! | POST | `…/eventsubscriptions/{s}:acknowledge` / `:release` / `:reject` / `:renewLock` | `200 {"failedLockTokens":[…],"succeededLockTokens":[…]}` |
//! | GET | `[/prefix]/topics/{t}:peek`, `…/eventsubscriptions/{s}:peek` | read-only: `{"value":[…],"nextSequenceNumber","endSequenceNumber"}` ([`peek`]) |
//! | POST | `[/prefix]/topics/{t}:republishDeadLetters` | `{"republished":[…],"failed":[…]}` (namespace credentials; audited) |
//! | GET | `/_gridlog/health` (no auth) | `200 {"status":"ok"}` |
//! | GET | `/metrics` (management credentials; off with `serve --no-metrics`) | Prometheus text format 0.0.4 ([`crate::metrics`]) |
//! | GET | `/_gridlog/topics` | `{"value":[topic…]}` |
//! | GET, PUT, DELETE | `/_gridlog/topics/{t}` | the topic (ARM shape, with `eventSubscriptions`) / `{}` |
//! | GET | `/_gridlog/topics/{t}/eventSubscriptions` | `{"value":[subscription…]}` |
//! | GET, PUT, DELETE | `/_gridlog/topics/{t}/eventSubscriptions/{s}` | the subscription / `{}` |
//! | GET | `/_gridlog/{clients,clientGroups,topicSpaces,permissionBindings}` | `{"value":[…]}` ([`management_mqtt`]) |
//! | GET, PUT, DELETE | `/_gridlog/{clients,clientGroups,topicSpaces,permissionBindings}/{n}` | the MQTT resource / `{}` |
//! | GET, PUT | `/_gridlog/topicSpacesConfiguration` | the MQTT broker's settings |
//!
//! Waiting receives are capped: [`LONG_POLLS_PER_SUBSCRIPTION_MAX`] per subscription and
//! [`LONG_POLLS_MAX`] in the namespace; one over a cap is answered at once without waiting (the
//! events already there, or `{"value":[]}`); see [`long_polls`].
//!
//! Order of checks: URL length (414, over [`URL_BYTES_MAX`]), header size (431, over
//! [`HEADERS_BYTES_MAX`] of names and values), header count (431, over [`HEADERS_COUNT_MAX`]),
//! path (404), method (405), authentication (401), query
//! (400), body size (413, while streaming), body content (400/413), then the store (404, 400,
//! 507, 503, 500). Every error is `{"error":{"code","message"}}` with `x-ms-error-code`, also
//! the ones the HTTP parser makes before any handler runs (a head over
//! [`crate::server::HEAD_BYTES_MAX`]: 431; a malformed request line or header: 400
//! `InvalidRequest`; see [`crate::server`]).

mod body;
pub mod error;
mod eventhubs;
#[cfg(feature = "fuzzing")]
pub mod fuzzing;
pub mod long_polls;
mod management;
mod management_mqtt;
mod peek;
pub mod route;

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::Full;
use hyper::header::{self, HeaderMap, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use tokio::sync::watch;

use gridlog::format::parse_request;

use crate::auth::{Authenticator, Credentials, Resource, Target};
use crate::backend::{BackendError, DataPlane, Settle};
use crate::eventhubs::EventHubs;
use crate::metrics::{METRICS_PATH, Metrics};
use body::read_body;
use error::{ApiError, error_body};
use gridlog::{Received, SettleOutcome};
use long_polls::LongPolls;
pub use long_polls::{LONG_POLLS_MAX, LONG_POLLS_PER_SUBSCRIPTION_MAX};
use route::{Action, Route};

/// Longest accepted request target (path and query), in bytes.
pub const URL_BYTES_MAX: usize = 8 * 1024;
/// Largest total size of the request headers (names and values), in bytes.
pub const HEADERS_BYTES_MAX: usize = 32 * 1024;
/// Most request header lines.
pub const HEADERS_COUNT_MAX: usize = 200;
/// Most lock tokens in one settlement request.
pub const LOCK_TOKENS_MAX: usize = 1_000;
/// Time a client has to send its whole body once the headers are in.
pub const BODY_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// What every request handler shares.
pub struct App {
    backend: Arc<dyn DataPlane>,
    auth: Authenticator,
    event_hubs: EventHubs,
    shutdown: watch::Receiver<bool>,
    metrics: Option<Arc<Metrics>>,
    long_polls: Arc<LongPolls>,
    console: bool,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App")
            .field("auth", &self.auth)
            .finish_non_exhaustive()
    }
}

impl App {
    /// An app over `backend`, authenticating with `auth`; `shutdown` turning `true` answers
    /// waiting receives (empty) and refuses new requests with 503.
    pub fn new(
        backend: Arc<dyn DataPlane>,
        auth: Authenticator,
        shutdown: watch::Receiver<bool>,
    ) -> Self {
        Self {
            backend,
            auth,
            event_hubs: EventHubs::default(),
            shutdown,
            metrics: None,
            long_polls: Arc::default(),
            console: false,
        }
    }

    /// The same app, also serving Event Hubs sends (`POST /{hub}/messages`) with these SAS
    /// policies and hub mappings (without this, Event Hubs requests need policies and fail).
    #[must_use]
    pub fn with_event_hubs(mut self, event_hubs: EventHubs) -> Self {
        self.event_hubs = event_hubs;
        self
    }

    /// Serves `GET /metrics` from `metrics` and counts every request in it.
    #[must_use]
    pub fn with_metrics(mut self, metrics: Arc<Metrics>) -> Self {
        self.metrics = Some(metrics);
        self
    }

    /// Also serves the web console under [`crate::console::CONSOLE_PATH`] (static files; the
    /// data it shows comes from authenticated API calls).
    #[must_use]
    pub fn with_console(mut self) -> Self {
        self.console = true;
        self
    }

    fn shutting_down(&self) -> bool {
        *self.shutdown.borrow()
    }
}

type Answer = Result<Response<Full<Bytes>>, ApiError>;

fn json_response(status: StatusCode, body: Vec<u8>) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    response
}

#[expect(clippy::unnecessary_wraps, reason = "handlers end with it")]
fn ok_json(body: Vec<u8>) -> Answer {
    Ok(json_response(StatusCode::OK, body))
}

/// The error response for `error`.
pub fn error_response(error: &ApiError) -> Response<Full<Bytes>> {
    let (status, code, message) = error.status();
    let mut response = json_response(status, error_body(code, &message));
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(code) {
        headers.insert("x-ms-error-code", value);
    }
    if let Some(secs) = error.retry_after() {
        headers.insert(header::RETRY_AFTER, HeaderValue::from(secs));
    }
    if let Some(allow) = error.allow() {
        headers.insert(header::ALLOW, HeaderValue::from_static(allow));
    }
    response
}

/// A request id: the client's `x-ms-client-request-id` when it is sane, else a new one.
fn request_id(headers: &HeaderMap) -> (String, bool) {
    if let Some(id) = headers
        .get("x-ms-client-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 128 && v.bytes().all(|b| b.is_ascii_graphic()))
    {
        return (id.to_owned(), true);
    }
    let id = crate::ids::random_uuid();
    (id, false)
}

/// A new request id (for answers made before any request is parsed).
pub(crate) fn new_request_id() -> String {
    request_id(&HeaderMap::new()).0
}

/// Handles one request (never fails: errors become error responses).
pub async fn handle<B>(
    app: Arc<App>,
    request: Request<B>,
) -> Result<Response<Full<Bytes>>, std::convert::Infallible>
where
    B: hyper::body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let started = Instant::now();
    let (id, from_client) = request_id(request.headers());
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let span = tracing::info_span!("request", id = %id, %method, path = %path);
    let answer = tracing::Instrument::instrument(route(&app, request), span.clone()).await;
    let mut response = answer.unwrap_or_else(|error| error_response(&error));
    let status = response.status().as_u16();
    let elapsed = started.elapsed();
    if let Some(metrics) = &app.metrics {
        metrics.observe_request(&path, status, elapsed);
    }
    let elapsed_ms = u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX);
    span.in_scope(|| {
        if status >= 500 {
            tracing::warn!(status, elapsed_ms, "answered");
        } else {
            tracing::info!(status, elapsed_ms, "answered");
        }
    });
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&id) {
        if from_client {
            headers.insert("x-ms-client-request-id", value.clone());
        }
        headers.insert("x-ms-request-id", value);
    }
    Ok(response)
}

async fn route<B>(app: &Arc<App>, request: Request<B>) -> Answer
where
    B: hyper::body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let uri = request.uri();
    let target_len = uri.path_and_query().map_or(0, |pq| pq.as_str().len());
    if target_len > URL_BYTES_MAX {
        return Err(ApiError::UriTooLong);
    }
    let header_bytes: usize = request
        .headers()
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len())
        .sum();
    if header_bytes > HEADERS_BYTES_MAX {
        return Err(ApiError::HeadersTooLarge);
    }
    if request.headers().len() > HEADERS_COUNT_MAX {
        return Err(ApiError::TooManyHeaders);
    }
    let path = uri.path().to_owned();
    if app.console && crate::console::is_console_path(&path) {
        return crate::console::respond(request.method(), &path).map_err(|error| match error {
            crate::console::ConsoleError::NotFound => ApiError::UnknownPath,
            crate::console::ConsoleError::MethodNotAllowed => {
                ApiError::MethodNotAllowed { allow: "GET, HEAD" }
            }
        });
    }
    if path == "/_gridlog" || path.starts_with("/_gridlog/") {
        return management::handle(app, request).await;
    }
    if path == METRICS_PATH
        && let Some(metrics) = &app.metrics
    {
        return metrics_endpoint(app, metrics.clone(), &request).await;
    }
    if let Some(hub_path) = crate::eventhubs::parse_path(&path) {
        return eventhubs::handle(app, request, hub_path).await;
    }
    let route = route::parse_path(&path).ok_or(ApiError::UnknownPath)?;
    let (method, allow) = if route.action == Action::Peek {
        (Method::GET, "GET")
    } else {
        (Method::POST, "POST")
    };
    if request.method() != method {
        return Err(ApiError::MethodNotAllowed { allow });
    }
    if app.shutting_down() {
        return Err(ApiError::ShuttingDown);
    }
    // Authenticate before judging the query, so unauthenticated callers learn nothing.
    authenticate(app, request.headers(), uri.query(), route.resource())?;
    let query =
        route::parse_query(uri.query(), route.action).map_err(|error| ApiError::BadRequest {
            code: error.code,
            message: error.message,
        })?;
    match route.action {
        Action::Publish => {
            let (parts, body) = request.into_parts();
            let body = read_body(&parts.headers, body).await?;
            publish(app, &route, &parts.headers, body).await
        }
        Action::Peek => peek::peek(app, &route, &query).await,
        Action::RepublishDeadLetters => {
            let (parts, body) = request.into_parts();
            let body = read_body(&parts.headers, body).await?;
            peek::republish(app, &route, &parts.headers, parts.uri.query(), &body).await
        }
        Action::Receive => {
            receive(
                app,
                &route,
                query.max_events,
                Duration::from_secs(query.max_wait_secs.into()),
            )
            .await
        }
        action => {
            let op = match action {
                Action::Acknowledge => Settle::Acknowledge,
                Action::Release => Settle::Release(query.release_delay),
                Action::Reject => Settle::Reject,
                _ => Settle::RenewLock,
            };
            let (parts, body) = request.into_parts();
            let body = read_body(&parts.headers, body).await?;
            settle(app, &route, op, &body).await
        }
    }
}

/// The resource of the management API and `/metrics`: the whole namespace.
const NAMESPACE: Resource<'static> = Resource {
    prefix: "",
    target: Target::Namespace,
};

/// The `aeg-sas-key` query parameter of the raw `query`, decoded.
fn query_key(query: Option<&str>) -> Option<String> {
    query.and_then(|q| {
        route::pairs(q)
            .into_iter()
            .find(|(name, _)| name == "aeg-sas-key")
            .map(|(_, value)| value)
    })
}

/// The credentials a request carries: its headers, and `query_key` ([`query_key`]).
fn credentials<'a>(headers: &'a HeaderMap, query_key: Option<&'a str>) -> Credentials<'a> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    Credentials {
        authorization: header("authorization"),
        sas_key_header: header("aeg-sas-key"),
        sas_token_header: header("aeg-sas-token"),
        sas_key_query: query_key,
    }
}

/// Checks the request's credentials (headers, and `aeg-sas-key` in the raw `query`) for
/// `resource`.
fn authenticate(
    app: &App,
    headers: &HeaderMap,
    query: Option<&str>,
    resource: Resource<'_>,
) -> Result<(), ApiError> {
    let key = query_key(query);
    let credentials = credentials(headers, key.as_deref());
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    app.auth.check(&credentials, resource, now).map_err(|_| {
        tracing::info!("authentication failed");
        ApiError::Unauthorized
    })
}

/// `GET /metrics`: management credentials, then the exposition (rendered off the runtime: it
/// takes the store's lock).
async fn metrics_endpoint<B>(
    app: &Arc<App>,
    metrics: Arc<Metrics>,
    request: &Request<B>,
) -> Answer {
    if request.method() != Method::GET {
        return Err(ApiError::MethodNotAllowed { allow: "GET" });
    }
    authenticate(app, request.headers(), request.uri().query(), NAMESPACE)?;
    let text = blocking(move || {
        metrics.render().map_err(|error| BackendError::Internal {
            code: "InternalServerError",
            message: format!("encoding the metrics failed: {error}"),
        })
    })
    .await?;
    let mut response = Response::new(Full::new(Bytes::from(text)));
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(crate::metrics::CONTENT_TYPE),
    );
    Ok(response)
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, BackendError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|error| {
            ApiError::Backend(BackendError::Internal {
                code: "InternalServerError",
                message: format!("task failed: {error}"),
            })
        })?
        .map_err(ApiError::Backend)
}

async fn publish(app: &Arc<App>, route: &Route, headers: &HeaderMap, body: Bytes) -> Answer {
    let header_pairs: Vec<(&str, &[u8])> = headers
        .iter()
        .map(|(name, value)| (name.as_str(), value.as_bytes()))
        .collect();
    let events = parse_request(header_pairs, &body)?;
    let count = events.len();
    app.backend
        .publish(&route.topic, events)
        .await
        .map_err(ApiError::Backend)?;
    tracing::debug!(events = count, "published");
    ok_json(b"{}".to_vec())
}

/// `{"value":[{"brokerProperties":{"lockToken":…,"deliveryCount":…},"event":<stored JSON>}]}`,
/// with each event's stored bytes spliced in verbatim.
pub fn receive_body(deliveries: &[Received]) -> Vec<u8> {
    let size: usize = deliveries
        .iter()
        .map(|d| d.json().len() + d.lock_token.len() + 80)
        .sum();
    let mut out = Vec::with_capacity(size + 16);
    out.extend_from_slice(b"{\"value\":[");
    for (index, delivery) in deliveries.iter().enumerate() {
        if index > 0 {
            out.push(b',');
        }
        out.extend_from_slice(b"{\"brokerProperties\":{\"lockToken\":");
        out.extend_from_slice(
            serde_json::Value::from(delivery.lock_token.as_str())
                .to_string()
                .as_bytes(),
        );
        out.extend_from_slice(b",\"deliveryCount\":");
        out.extend_from_slice(delivery.delivery_count.to_string().as_bytes());
        out.extend_from_slice(b"},\"event\":");
        out.extend_from_slice(delivery.json());
        out.push(b'}');
    }
    out.extend_from_slice(b"]}");
    out
}

async fn receive(app: &Arc<App>, route: &Route, max_events: u32, max_wait: Duration) -> Answer {
    let subscription = route.subscription.as_deref().unwrap_or_default();
    // Over a long-poll cap the receive does not wait (see `long_polls`); the slot is held until
    // the answer is ready.
    let slot = app.long_polls.try_begin(&route.topic, subscription);
    let max_wait = if slot.is_some() {
        max_wait
    } else {
        tracing::debug!("long-poll cap reached: answering without waiting");
        Duration::ZERO
    };
    let wait = app
        .backend
        .receive(&route.topic, subscription, max_events, max_wait);
    let mut shutdown = app.shutdown.clone();
    let deliveries = tokio::select! {
        biased;
        got = wait => got?,
        _ = shutdown.wait_for(|down| *down) => Vec::new(),
    };
    drop(slot);
    tracing::debug!(events = deliveries.len(), "received");
    ok_json(receive_body(&deliveries))
}

/// `{"failedLockTokens":[{"lockToken":…,"error":{"code":…,"message":…}}],"succeededLockTokens":[…]}`
/// (both arrays always present, members in this order).
pub fn settle_body(result: &SettleOutcome) -> Vec<u8> {
    let string = |s: &str| serde_json::Value::from(s).to_string();
    let failed: Vec<String> = result
        .failed
        .iter()
        .map(|f| {
            format!(
                "{{\"lockToken\":{},\"error\":{{\"code\":{},\"message\":{}}}}}",
                string(&f.lock_token),
                string(f.code),
                string(f.message)
            )
        })
        .collect();
    let succeeded: Vec<String> = result.succeeded.iter().map(|t| string(t)).collect();
    format!(
        "{{\"failedLockTokens\":[{}],\"succeededLockTokens\":[{}]}}",
        failed.join(","),
        succeeded.join(",")
    )
    .into_bytes()
}

fn parse_lock_tokens(body: &[u8]) -> Result<Vec<String>, ApiError> {
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Body {
        lock_tokens: Vec<String>,
    }
    let parsed: Body = serde_json::from_slice(body).map_err(|error| ApiError::BadRequest {
        code: "InvalidRequestBody",
        message: format!("the body must be {{\"lockTokens\": [\"<token>\", ...]}}: {error}"),
    })?;
    if parsed.lock_tokens.len() > LOCK_TOKENS_MAX {
        return Err(ApiError::BadRequest {
            code: "TooManyLockTokens",
            message: format!(
                "at most {LOCK_TOKENS_MAX} lock tokens per request, got {}",
                parsed.lock_tokens.len()
            ),
        });
    }
    Ok(parsed.lock_tokens)
}

async fn settle(app: &Arc<App>, route: &Route, op: Settle, body: &[u8]) -> Answer {
    let tokens = parse_lock_tokens(body)?;
    let subscription = route.subscription.as_deref().unwrap_or_default();
    let result = app
        .backend
        .settle(&route.topic, subscription, op, tokens)
        .await
        .map_err(ApiError::Backend)?;
    tracing::debug!(
        succeeded = result.succeeded.len(),
        failed = result.failed.len(),
        "settled"
    );
    ok_json(settle_body(&result))
}
