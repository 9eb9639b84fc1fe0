//! gridlog's management API under `/_gridlog/` (a path the data plane cannot produce: topic
//! names have no `_`). Topics and event subscriptions in the ARM shape of
//! [`gridlog::NamespaceConfig`]: PUT (create or update) takes the resource's ARM body
//! (`{"properties":{…}}`, plus `eventSubscriptions` for a topic; a `name` member must match the
//! path), GET returns it with every default spelled out, DELETE removes it. Same credentials as
//! the data plane (a SAS must be scoped to the whole namespace). `GET /_gridlog/health` needs no
//! credentials.
//!
//! GET answers carry a read-only `meters` member per topic and subscription (billing units and
//! counts, [`gridlog::TopicStats`]); a PUT ignores it, so a GET's answer can be PUT back.
//! `GET /_gridlog/namespace` gives `throughputUnits` (`null`: unlimited), the requests
//! throttled since start and `storage` (the log's segments, bytes used and on disk, first and
//! next sequence numbers); `PUT /_gridlog/namespace` with `{"throughputUnits": N}` (1–40, or
//! `null`) changes the limits at once (in memory: a restart applies the configuration file).

use std::sync::Arc;

use bytes::Bytes;
use hyper::{Method, Request};
use percent_encoding::percent_decode_str;
use serde_json::{Map, Value};

use gridlog::{NamespaceConfig, TopicConfig};

use super::error::ApiError;
use super::{Answer, App, authenticate, blocking, ok_json, read_body};
use crate::backend::BackendError;

enum Target {
    Health,
    Namespace,
    Topics,
    Topic(String),
    Subscriptions(String),
    Subscription(String, String),
}

fn parse(path: &str) -> Option<Target> {
    let rest = path.strip_prefix("/_gridlog")?.trim_end_matches('/');
    let segments: Vec<String> = rest
        .split('/')
        .skip(1)
        .map(|s| {
            percent_decode_str(s)
                .decode_utf8()
                .ok()
                .map(std::borrow::Cow::into_owned)
        })
        .collect::<Option<_>>()?;
    let seg: Vec<&str> = segments.iter().map(String::as_str).collect();
    let subs = |s: &str| s.eq_ignore_ascii_case("eventsubscriptions");
    match seg.as_slice() {
        ["health"] => Some(Target::Health),
        ["namespace"] => Some(Target::Namespace),
        ["topics"] => Some(Target::Topics),
        ["topics", t] if !t.is_empty() => Some(Target::Topic((*t).to_owned())),
        ["topics", t, s] if !t.is_empty() && subs(s) => {
            Some(Target::Subscriptions((*t).to_owned()))
        }
        ["topics", t, s, n] if !t.is_empty() && subs(s) && !n.is_empty() => {
            Some(Target::Subscription((*t).to_owned(), (*n).to_owned()))
        }
        _ => None,
    }
}

pub(super) fn namespace_of(topics: Vec<TopicConfig>) -> NamespaceConfig {
    NamespaceConfig {
        access_keys: Vec::new(),
        throughput_units: None,
        shared_access_policies: Vec::new(),
        event_hubs: Vec::new(),
        tls: None,
        topics,
        mqtt: gridlog::MqttConfig::default(),
    }
}

pub(super) fn topics_json(config: &NamespaceConfig) -> Vec<Value> {
    match config.to_json().get_mut("topics").map(Value::take) {
        Some(Value::Array(topics)) => topics,
        _ => Vec::new(),
    }
}

fn topic_json(topic: TopicConfig) -> Value {
    topics_json(&namespace_of(vec![topic]))
        .into_iter()
        .next()
        .unwrap_or(Value::Null)
}

pub(super) fn to_bytes(value: &Value) -> Vec<u8> {
    value.to_string().into_bytes()
}

pub(super) fn not_found(what: &str) -> ApiError {
    ApiError::Backend(BackendError::NotFound(format!("{what} not found")))
}

fn bad_body(message: impl Into<String>) -> ApiError {
    ApiError::BadRequest {
        code: "InvalidRequestBody",
        message: message.into(),
    }
}

/// The body as a JSON object whose `name` (if any) matches `name`; `id`/`type` (ARM read-only
/// members) are dropped.
pub(super) fn resource_body(body: &[u8], name: &str) -> Result<Map<String, Value>, ApiError> {
    let body: &[u8] = if body.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        body
    };
    let Value::Object(mut object) =
        serde_json::from_slice(body).map_err(|e| bad_body(format!("the body is not JSON: {e}")))?
    else {
        return Err(bad_body("the body must be a JSON object"));
    };
    if let Some(given) = object.remove("name")
        && !given.as_str().is_some_and(|g| g.eq_ignore_ascii_case(name))
    {
        return Err(bad_body(format!(
            "the body's name {given} does not match the path's '{name}'"
        )));
    }
    object.remove("id");
    object.remove("type");
    object.remove(METERS);
    if let Some(Value::Array(subs)) = object.get_mut("eventSubscriptions") {
        for sub in subs.iter_mut().filter_map(Value::as_object_mut) {
            sub.remove(METERS);
        }
    }
    object.insert("name".to_owned(), Value::from(name));
    Ok(object)
}

/// The read-only member GET answers add to topics and subscriptions.
const METERS: &str = "meters";

fn sub_meters_json(stats: &gridlog::SubscriptionStats) -> Value {
    let m = &stats.meters;
    serde_json::json!({
        "deliveryBillingUnits": m.delivery_units,
        "settlementBillingUnits": m.settlement_units,
        "delivered": m.delivered,
        "acknowledged": m.acked,
        "released": m.released,
        "rejected": m.rejected,
        "renewed": m.renewed,
        "deadLettered": m.dead_lettered,
        "dropped": m.dropped,
        // Exact: events waiting (not yet settled or removed by retention), locked ones included.
        "backlog": stats.backlog,
        "locked": stats.locked,
    })
}

/// `topic` (ARM JSON) with `meters` added to it and to each of its subscriptions.
fn with_meters(mut topic: Value, stats: Option<&gridlog::TopicStats>) -> Value {
    let Some(stats) = stats else { return topic };
    if let Some(object) = topic.as_object_mut() {
        object.insert(
            METERS.to_owned(),
            serde_json::json!({
                "publishBillingUnits": stats.publish_units,
                "events": stats.events,
                "bytes": stats.bytes,
            }),
        );
        if let Some(Value::Array(subs)) = object.get_mut("eventSubscriptions") {
            for sub in subs.iter_mut().filter_map(Value::as_object_mut) {
                let name = sub.get("name").and_then(Value::as_str).unwrap_or_default();
                if let Some(sub_stats) = stats
                    .subscriptions
                    .iter()
                    .find(|s| s.name.eq_ignore_ascii_case(name))
                {
                    sub.insert(METERS.to_owned(), sub_meters_json(sub_stats));
                }
            }
        }
    }
    topic
}

fn namespace_json(backend: &dyn crate::backend::DataPlane) -> Value {
    let throttle = backend.throttle().unwrap_or_default();
    // The log on disk (what `/metrics` calls `wal_*`); `null` for a store that keeps none.
    let storage = backend.stats().map(|stats| {
        serde_json::json!({
            "segments": stats.wal.segments,
            "usedBytes": stats.wal.segment_bytes_used,
            "diskBytes": stats.wal.segment_bytes_on_disk,
            "firstSequenceNumber": stats.namespace.wal_first_seq,
            "nextSequenceNumber": stats.namespace.wal_next_seq,
        })
    });
    // Event Hubs and their partitions (`[]` for a store that keeps none).
    let hubs: Vec<Value> = backend
        .stats()
        .map(|stats| stats.namespace.hubs.iter().map(hub_json).collect())
        .unwrap_or_default();
    serde_json::json!({
        "throughputUnits": throttle.throughput_units,
        "throttled": {
            "publish": throttle.throttled_publishes,
            "receive": throttle.throttled_receives,
            "settlement": throttle.throttled_settlements,
        },
        "storage": storage,
        "eventHubs": hubs,
    })
}

/// One hub of [`namespace_json`]: its partitions' numbering and volumes, and their totals.
fn hub_json(hub: &gridlog::HubStats) -> Value {
    let partitions: Vec<Value> = hub
        .partitions
        .iter()
        .map(|p| {
            serde_json::json!({
                "id": p.id,
                "beginSequenceNumber": p.begin_sequence_number,
                "lastSequenceNumber": p.last_sequence_number,
                "lastEnqueuedTimeUtc": (p.last_sequence_number >= 0)
                    .then(|| gridlog::rfc3339_ms(p.last_enqueued_time_ms)),
                "retainedEvents": p.retained_events,
                "events": p.events,
                "bytes": p.bytes,
            })
        })
        .collect();
    serde_json::json!({
        "name": hub.name,
        "events": hub.partitions.iter().map(|p| p.events).sum::<u64>(),
        "retainedEvents": hub.partitions.iter().map(|p| p.retained_events).sum::<u64>(),
        "partitions": partitions,
    })
}

/// The common start of every management request: the method is one of `allow` (a
/// comma-separated list, as the `Allow` header), the server is not shutting down, and the
/// credential grants the whole namespace (the management API and its MQTT resources have no
/// narrower scope); returns the body of a PUT (empty otherwise).
pub(super) async fn admit<B>(
    app: &Arc<App>,
    request: Request<B>,
    allow: &'static str,
) -> Result<Bytes, ApiError>
where
    B: hyper::body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let method = request.method();
    if !allow.split(", ").any(|allowed| allowed == method.as_str()) {
        return Err(ApiError::MethodNotAllowed { allow });
    }
    if app.shutting_down() {
        return Err(ApiError::ShuttingDown);
    }
    authenticate(
        app,
        request.headers(),
        request.uri().query(),
        super::NAMESPACE,
    )?;
    let put = method == Method::PUT;
    let (parts, body) = request.into_parts();
    if put {
        read_body(&parts.headers, body).await
    } else {
        Ok(Bytes::new())
    }
}

/// `{"throughputUnits": N | null}` (other members refused).
fn parse_throughput_units(body: &[u8]) -> Result<Option<u32>, ApiError> {
    let Ok(Value::Object(mut object)) = serde_json::from_slice::<Value>(body) else {
        return Err(bad_body(
            r#"the body must be {"throughputUnits": 1-40 or null}"#,
        ));
    };
    let units = object.remove("throughputUnits");
    if let Some(other) = object.keys().next() {
        return Err(bad_body(format!("unknown member '{other}'")));
    }
    match units {
        None | Some(Value::Null) => Ok(None),
        Some(value) => value
            .as_u64()
            .and_then(|n| u32::try_from(n).ok())
            .map(Some)
            .ok_or_else(|| bad_body("throughputUnits must be an integer 1-40 or null")),
    }
}

pub(super) fn parse_namespace(json: &Value) -> Result<NamespaceConfig, ApiError> {
    NamespaceConfig::from_json_slice(json.to_string().as_bytes()).map_err(|error| {
        ApiError::BadRequest {
            code: error.code(),
            message: error.to_string(),
        }
    })
}

fn find_topic<'a>(topics: &'a mut [Value], name: &str) -> Option<&'a mut Map<String, Value>> {
    topics
        .iter_mut()
        .filter_map(Value::as_object_mut)
        .find(|topic| {
            topic
                .get("name")
                .and_then(Value::as_str)
                .is_some_and(|n| n.eq_ignore_ascii_case(name))
        })
}

#[expect(
    clippy::too_many_lines,
    reason = "one match over the management routes"
)]
pub(super) async fn handle<B>(app: &Arc<App>, request: Request<B>) -> Answer
where
    B: hyper::body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    if let Some(target) = super::management_mqtt::parse(request.uri().path()) {
        return super::management_mqtt::handle(app, request, target).await;
    }
    let target = parse(request.uri().path()).ok_or(ApiError::UnknownPath)?;
    let method = request.method().clone();
    if let Target::Health = target {
        return if method == Method::GET {
            ok_json(br#"{"status":"ok"}"#.to_vec())
        } else {
            Err(ApiError::MethodNotAllowed { allow: "GET" })
        };
    }
    let allow = match target {
        Target::Topics | Target::Subscriptions(_) => "GET",
        Target::Namespace => "GET, PUT",
        _ => "GET, PUT, DELETE",
    };
    let body = admit(app, request, allow).await?;
    let backend = app.backend.clone();
    let current = move || namespace_of(backend.topics());
    let backend = app.backend.clone();
    let metered = |backend: &dyn crate::backend::DataPlane, topic: TopicConfig| {
        let stats = backend.topic_meters(&topic.name);
        with_meters(topic_json(topic), stats.as_ref())
    };
    match (target, method) {
        (Target::Namespace, Method::PUT) => {
            let units = parse_throughput_units(&body)?;
            let b = backend.clone();
            blocking(move || b.set_throughput_units(units)).await?;
            ok_json(to_bytes(&namespace_json(&*backend)))
        }
        (Target::Namespace, _) => ok_json(to_bytes(&namespace_json(&*backend))),
        (Target::Topics, _) => {
            let topics: Vec<Value> = backend
                .topics()
                .into_iter()
                .map(|topic| metered(&*backend, topic))
                .collect();
            ok_json(to_bytes(&serde_json::json!({ "value": topics })))
        }
        (Target::Topic(name), Method::GET) => {
            let topic = backend
                .topic(&name)
                .ok_or_else(|| not_found(&format!("topic '{name}'")))?;
            ok_json(to_bytes(&metered(&*backend, topic)))
        }
        (Target::Topic(name), Method::PUT) => {
            let mut body = resource_body(&body, &name)?;
            let mut topics = topics_json(&current());
            if let Some(existing) = find_topic(&mut topics, &name) {
                if !body.contains_key("eventSubscriptions")
                    && let Some(subs) = existing.get("eventSubscriptions")
                {
                    body.insert("eventSubscriptions".to_owned(), subs.clone());
                }
                *existing = body;
            } else {
                topics.push(Value::Object(body));
            }
            let config = parse_namespace(&serde_json::json!({ "topics": topics }))?;
            let topic = config
                .topic(&name)
                .cloned()
                .ok_or_else(|| not_found(&format!("topic '{name}'")))?;
            let b = backend.clone();
            blocking(move || b.put_topic(topic)).await?;
            let topic = backend
                .topic(&name)
                .ok_or_else(|| not_found(&format!("topic '{name}'")))?;
            ok_json(to_bytes(&metered(&*backend, topic)))
        }
        (Target::Topic(name), _) => {
            blocking(move || backend.delete_topic(&name)).await?;
            ok_json(b"{}".to_vec())
        }
        (Target::Subscriptions(topic), _) => {
            let config = backend
                .topic(&topic)
                .ok_or_else(|| not_found(&format!("topic '{topic}'")))?;
            let subs = metered(&*backend, config)
                .get("eventSubscriptions")
                .cloned()
                .unwrap_or_else(|| Value::Array(Vec::new()));
            ok_json(to_bytes(&serde_json::json!({ "value": subs })))
        }
        (Target::Subscription(topic, name), Method::GET) => {
            let sub = subscription_json(&*backend, &topic, &name)
                .ok_or_else(|| not_found(&format!("subscription '{topic}/{name}'")))?;
            ok_json(to_bytes(&sub))
        }
        (Target::Subscription(topic, name), Method::PUT) => {
            let body = resource_body(&body, &name)?;
            let mut topics = topics_json(&current());
            let existing = find_topic(&mut topics, &topic)
                .ok_or_else(|| not_found(&format!("topic '{topic}'")))?;
            let subs = existing
                .entry("eventSubscriptions")
                .or_insert_with(|| Value::Array(Vec::new()));
            if let Value::Array(subs) = subs {
                subs.retain(|s| {
                    !s.get("name")
                        .and_then(Value::as_str)
                        .is_some_and(|n| n.eq_ignore_ascii_case(&name))
                });
                subs.push(Value::Object(body));
            }
            let config = parse_namespace(&serde_json::json!({ "topics": topics }))?;
            let sub = config
                .topic(&topic)
                .and_then(|t| {
                    t.subscriptions
                        .iter()
                        .find(|s| s.name.eq_ignore_ascii_case(&name))
                })
                .cloned()
                .ok_or_else(|| not_found(&format!("subscription '{topic}/{name}'")))?;
            let b = backend.clone();
            let t = topic.clone();
            blocking(move || b.put_subscription(&t, sub)).await?;
            let sub = subscription_json(&*backend, &topic, &name)
                .ok_or_else(|| not_found(&format!("subscription '{topic}/{name}'")))?;
            ok_json(to_bytes(&sub))
        }
        (Target::Subscription(topic, name), _) => {
            blocking(move || backend.delete_subscription(&topic, &name)).await?;
            ok_json(b"{}".to_vec())
        }
        (Target::Health, _) => ok_json(br#"{"status":"ok"}"#.to_vec()),
    }
}

fn subscription_json(
    backend: &dyn crate::backend::DataPlane,
    topic: &str,
    name: &str,
) -> Option<Value> {
    let config = backend.topic(topic)?;
    let stats = backend.topic_meters(topic);
    let topic = with_meters(topic_json(config), stats.as_ref());
    topic
        .get("eventSubscriptions")?
        .as_array()?
        .iter()
        .find(|s| {
            s.get("name")
                .and_then(Value::as_str)
                .is_some_and(|n| n.eq_ignore_ascii_case(name))
        })
        .cloned()
}
