//! `POST /{eventHub}/messages` (and the `publishers/{p}` and `partitions/{p}` variants): the Azure
//! Event Hubs REST send calls, answered `201 Created` with an empty body once the events are
//! durable. Authentication is a Service Bus SAS token (`crate::eventhubs::sas`); the body forms
//! and the `CloudEvent` mapping are `crate::eventhubs::message` and `docs/eventhubs.md`.
//!
//! Order of checks: method (405), shutdown (503), authentication (401), query (400), body size
//! (413, while streaming), messages (400/413), then the store. For a hub of the namespace
//! (`eventHubs`) the messages go to one of its partitions (`crate::eventhubs::hub`: path
//! partition, publisher or `PartitionKey` as key, else round-robin), numbered as AMQP sends
//! are, and — for a hub mapped to a topic — into the topic as `CloudEvent`s in the same
//! transaction; an unknown partition is a 404. A name that is no hub publishes into the topic of
//! that name (404 when there is none), through the same store publish as `:publish`.
//! Throttling, disk full and the rest answer as a publish does.

use std::sync::Arc;

use bytes::Bytes;
use http_body_util::Full;
use hyper::header::{self, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};

use gridlog::{EventOrigin, HubMessage, MessageFormat, random_uuid};

use crate::backend::BackendError;
use crate::eventhubs::hub;
use crate::eventhubs::message::{
    Message, event_error, is_batch_content_type, parse_batch, parse_single,
};
use crate::eventhubs::{HubPath, check_query};

use super::error::ApiError;
use super::{Answer, App, blocking, read_body, route};

/// Unix seconds now (for SAS expiry).
fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// Unix milliseconds now (the `time` of the events published into a topic of the hub's name).
fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// Handles one Event Hubs send request.
pub(super) async fn handle<B>(app: &Arc<App>, request: Request<B>, path: HubPath) -> Answer
where
    B: hyper::body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    if request.method() != Method::POST {
        return Err(ApiError::MethodNotAllowed { allow: "POST" });
    }
    if app.shutting_down() {
        return Err(ApiError::ShuttingDown);
    }
    let resource = match &path.target {
        None => format!("/{}/messages", path.hub),
        Some((kind, name)) => format!("/{}/{kind}/{name}/messages", path.hub),
    };
    let sas = app.event_hubs.sas();
    // With no key and no policy at all (loopback only), requests are not authenticated, as on
    // the Event Grid paths.
    if !(sas.is_empty() && app.auth.is_open()) {
        let authorization = request
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok());
        sas.check(authorization, &resource, now_secs())
            .map_err(|_| {
                tracing::info!("authentication failed");
                ApiError::Unauthorized
            })?;
    }
    let query = request.uri().query().map(route::pairs).unwrap_or_default();
    check_query(&query).map_err(|message| ApiError::BadRequest {
        code: "InvalidQueryParameter",
        message,
    })?;
    let (parts, body) = request.into_parts();
    let body = read_body(&parts.headers, body).await?;
    let content_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let messages = if is_batch_content_type(content_type) {
        parse_batch(&body)?
    } else {
        vec![parse_single(
            &body,
            parts
                .headers
                .get("brokerproperties")
                .map(HeaderValue::as_bytes),
        )?]
    };
    // A lookup in the namespace's configuration (a brief lock, no I/O): on this thread, as the
    // management API's reads are.
    let hub = app.backend.hub(&path.hub);
    let count = messages.len();
    match hub {
        Some(hub) => {
            let request_type = (!content_type.is_empty()).then_some(content_type);
            send_to_hub(app, &path, hub, messages, request_type).await?;
        }
        None => publish_to_topic(app, &path, messages).await?,
    }
    tracing::debug!(events = count, hub = %path.hub, "sent through Event Hubs REST");
    let mut response = Response::new(Full::new(Bytes::new()));
    *response.status_mut() = StatusCode::CREATED;
    Ok(response)
}

/// A hub the namespace has: the messages go to one of its partitions, stored with their body,
/// content type and properties; for a hub mapped to a topic, the engine also publishes each as a
/// `CloudEvent` into the topic, in the same transaction.
async fn send_to_hub(
    app: &Arc<App>,
    path: &HubPath,
    hub: gridlog::HubInfo,
    messages: Vec<Message>,
    request_type: Option<&str>,
) -> Result<(), ApiError> {
    let target = hub::target(path, &messages)?;
    let keys: Vec<Option<String>> = messages
        .iter()
        .map(|message| hub::partition_key(message).map(str::to_owned))
        .collect();
    let stored: Vec<Vec<u8>> = messages
        .iter()
        .map(|message| hub::rest_message(message, request_type).encode())
        .collect();
    let mapped = hub.topic.is_some();
    let backend = app.backend.clone();
    blocking(move || {
        let sends: Vec<HubMessage<'_>> = stored
            .iter()
            .zip(&keys)
            .zip(&messages)
            .map(|((bytes, key), message)| HubMessage {
                format: MessageFormat::Rest,
                bytes,
                partition_key: key.as_deref(),
                parts: mapped.then_some(message),
            })
            .collect();
        backend
            .send_to_hub(&hub.name, target.as_target(), &sends)
            .map(|_| ())
    })
    .await
}

/// No hub of that name: the events go into the topic of the same name (as before Event Hubs
/// were entities), a 404 when there is none.
async fn publish_to_topic(
    app: &Arc<App>,
    path: &HubPath,
    messages: Vec<Message>,
) -> Result<(), ApiError> {
    let origin = EventOrigin {
        hub: &path.hub,
        publisher: match &path.target {
            Some(("publishers", name)) => Some(name),
            _ => None,
        },
        partition: match &path.target {
            Some(("partitions", id)) => Some(id.parse().map_err(|_| {
                ApiError::Backend(BackendError::NotFound(format!(
                    "Event Hub '{}' has no partition '{id}'",
                    path.hub
                )))
            })?),
            _ => None,
        },
        time_ms: now_ms(),
    };
    let events = messages
        .iter()
        .enumerate()
        .map(|(index, message)| {
            message
                .to_event(origin, random_uuid)
                .map_err(|error| event_error(&error, index))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let stored = if events.is_empty() {
        // Nothing to store, but an unknown hub is still a 404 (a lookup: no I/O).
        app.backend
            .topic(&path.hub)
            .map(|_| ())
            .ok_or_else(|| ApiError::Backend(BackendError::NotFound(String::new())))
    } else {
        app.backend
            .publish(&path.hub, events)
            .await
            .map_err(ApiError::Backend)
    };
    stored.map_err(|error| match error {
        ApiError::Backend(BackendError::NotFound(_)) => {
            ApiError::Backend(BackendError::NotFound(format!(
                "no Event Hub '{}' in the namespace's eventHubs and no topic of that name",
                path.hub
            )))
        }
        other => other,
    })
}
