//! `POST /{eventHub}/messages` (and the `publishers/{p}` and `partitions/{p}` variants): the Azure
//! Event Hubs REST send calls, answered `201 Created` with an empty body once the events are
//! durable. Authentication is a Service Bus SAS token (`crate::eventhubs::sas`); the body forms
//! and the `CloudEvent` mapping are `crate::eventhubs::message` and `docs/eventhubs.md`.
//!
//! Order of checks: method (405), shutdown (503), authentication (401), query (400), body size
//! (413, while streaming), messages (400/413), then the store: the hub's topic unknown is a 404,
//! and throttling, disk full and the rest answer as a publish does. Events go through the same
//! store publish as `:publish`, so the same limits, throughput accounting, subscriptions,
//! filters and delivery apply.

use std::sync::Arc;

use bytes::Bytes;
use http_body_util::Full;
use hyper::header::{self, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};

use crate::backend::BackendError;
use crate::eventhubs::message::{
    Origin, is_batch_content_type, parse_batch, parse_single, random_id, to_event,
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

/// Now as RFC 3339 UTC with milliseconds (an event's `time`).
fn now_rfc3339() -> String {
    let now = time::OffsetDateTime::now_utc();
    let now = now.replace_millisecond(now.millisecond()).unwrap_or(now);
    now.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| "1970-01-01T00:00:00Z".to_owned())
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
    let time = now_rfc3339();
    let origin = Origin {
        hub: &path.hub,
        target: path
            .target
            .as_ref()
            .map(|(kind, name)| (*kind, name.as_str())),
        time: &time,
    };
    let events = messages
        .into_iter()
        .enumerate()
        .map(|(index, message)| to_event(message, origin, index, random_id))
        .collect::<Result<Vec<_>, _>>()?;
    let topic = app.event_hubs.topic_for(&path.hub).to_owned();
    let backend = app.backend.clone();
    let count = events.len();
    let hub = path.hub.clone();
    blocking(move || {
        if events.is_empty() {
            // Nothing to store, but an unknown hub is still a 404.
            return backend
                .topic(&topic)
                .map(|_| ())
                .ok_or_else(|| BackendError::NotFound(String::new()));
        }
        backend.publish(&topic, &events)
    })
    .await
    .map_err(|error| match error {
        ApiError::Backend(BackendError::NotFound(_)) => {
            ApiError::Backend(BackendError::NotFound(format!(
                "no Event Hub '{hub}': no eventHubs mapping names it and there is no topic of that name"
            )))
        }
        other => other,
    })?;
    tracing::debug!(events = count, hub = %path.hub, "published through Event Hubs");
    let mut response = Response::new(Full::new(Bytes::new()));
    *response.status_mut() = StatusCode::CREATED;
    Ok(response)
}
