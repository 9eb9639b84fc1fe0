//! A PUBLISH, common to both protocol versions: the topic checked, the publish authorized and
//! taken from the throughput units' inbound rate, the message routed into the namespace topic and
//! (`QoS` 1) queued in the matching persistent sessions (both durably, before the answer), then
//! delivered to the matching subscriptions.

use std::rc::Rc;

use gridlog::Enqueued;
use ntex_mqtt::QoS;
use ntex_mqtt::v5::codec::PublishProperties;

use crate::broker::Outgoing;
use crate::error::TopicError;
use crate::route::{self, Message, V5Properties};
use crate::session::Session;
use crate::stats::PublishOutcome;
use crate::throttle::{self, Throttled};
use crate::topic;

/// What became of a PUBLISH.
#[derive(Debug)]
pub enum Outcome {
    /// Routed (if routing is on) and delivered.
    Accepted,
    /// The topic name breaks a rule.
    InvalidTopic(TopicError),
    /// No Publisher binding covers the topic.
    NotAuthorized,
    /// Over the throughput units' inbound rate (the namespace's or the session's).
    Throttled(Throttled),
    /// The routing topic did not take it (the engine's code and message).
    RoutingFailed {
        /// Stable code.
        code: &'static str,
        /// Message.
        message: String,
    },
}

/// Handles `message` from `session` (counted).
pub async fn handle(session: &Rc<Session>, message: Outgoing) -> Outcome {
    let bytes = message.payload.len();
    let outcome = handle_uncounted(session, message).await;
    let counted = match &outcome {
        Outcome::Accepted => PublishOutcome::Accepted,
        Outcome::InvalidTopic(_) => PublishOutcome::InvalidTopic,
        Outcome::NotAuthorized => PublishOutcome::NotAuthorized,
        Outcome::Throttled(reason) => {
            session.broker.shared().stats.throttled(*reason);
            PublishOutcome::Throttled
        }
        Outcome::RoutingFailed { .. } => PublishOutcome::RoutingFailed,
    };
    session.broker.shared().stats.publish(counted, bytes);
    outcome
}

async fn handle_uncounted(session: &Rc<Session>, message: Outgoing) -> Outcome {
    let topic = message.topic.clone();
    let segments = match topic::topic_name(&topic) {
        Ok(segments) => segments,
        Err(error) => return Outcome::InvalidTopic(error),
    };
    if !session.may_publish(&segments) {
        return Outcome::NotAuthorized;
    }
    if let Err(reason) = throttle::inbound(session, message.payload.len()) {
        return Outcome::Throttled(reason);
    }
    let enqueued = match store(session, &message).await {
        Ok(enqueued) => enqueued,
        Err((code, message)) => return Outcome::RoutingFailed { code, message },
    };
    for client_id in &enqueued.overflowed {
        tracing::info!(%client_id, "MQTT session overflow: the stored session ended");
        if session.broker.session(client_id).is_none() {
            session.broker.shared().stats.overflow();
        }
    }
    session.broker.deliver(&message, &enqueued);
    Outcome::Accepted
}

/// Appends the message to the routing topic (if one is configured) and, at `QoS` 1, queues it
/// in the persistent sessions it matches, in one engine transaction group-committed with the
/// other publishes in flight ([`gridlog::Namespace::mqtt_publish_async`]); returns once both
/// are durable, with what it was queued in.
async fn store(
    session: &Rc<Session>,
    message: &Outgoing,
) -> Result<Enqueued, (&'static str, String)> {
    let routed = routed_event(session, message)?;
    let queued = (message.qos == QoS::AtLeastOnce).then(|| crate::persistent::to_message(message));
    let namespace = &session.broker.shared().namespace;
    let committing = namespace.mqtt_publish_async(routed, queued);
    match crate::relay::relay(committing).await {
        Some(stored) => stored.map_err(|e| (e.code(), e.to_string())),
        None => Err((
            "ServiceUnavailable",
            "the broker is shutting down".to_owned(),
        )),
    }
}

/// The routing topic and the `CloudEvent` the message becomes in it, if routing is on.
fn routed_event(
    session: &Rc<Session>,
    message: &Outgoing,
) -> Result<Option<(String, gridlog::format::Event)>, (&'static str, String)> {
    let shared = session.broker.shared();
    let mqtt = shared.mqtt();
    let configuration = &mqtt.topic_spaces_configuration;
    let Some(route_topic) = &configuration.route_topic else {
        return Ok(None);
    };
    let id = gridlog::random_uuid();
    let time = gridlog::rfc3339_ms(shared.clock.now().unix_millis());
    let properties = message.properties.as_ref().map(v5_properties);
    let routed = Message {
        topic: &message.topic,
        payload: &message.payload,
        v5: properties,
    };
    let event = route::event(
        route_topic,
        &configuration.routing_enrichments,
        &session.client,
        &routed,
        &id,
        &time,
    )
    .map_err(|e| (e.code(), e.to_string()))?;
    Ok(Some((route_topic.topic.clone(), event)))
}

fn v5_properties(properties: &PublishProperties) -> V5Properties<'_> {
    V5Properties {
        utf8_payload: properties.is_utf8_payload,
        content_type: properties.content_type.as_deref(),
        user_properties: properties
            .user_properties
            .iter()
            .map(|(name, value)| (&**name, &**value))
            .collect(),
        response_topic: properties.response_topic.as_deref(),
        correlation_data: properties.correlation_data.as_deref(),
    }
}
