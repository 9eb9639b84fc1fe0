//! MQTT 5: CONNECT (with the capabilities the service advertises), PUBLISH (PUBACK reason
//! codes: 0x87 not authorized, 0x90 invalid topic, 0x97 throttled, 0x80/0x97 routing failures; retain ends the
//! connection with DISCONNECT 0x9A), SUBSCRIBE (per-filter reason codes), UNSUBSCRIBE, and the
//! session's end.

use std::rc::Rc;

use ntex_mqtt::v5::codec::{
    ConnectAckReason, Disconnect, DisconnectReasonCode, PublishAckReason, PublishProperties,
    SubscribeAckReason, UnsubscribeAckReason,
};
use ntex_mqtt::v5::{self, ProtocolMessage, ProtocolMessageAck, Publish, PublishAck};
use ntex_mqtt::{Control, QoS};

use crate::broker::{Broker, Outgoing, Sink};
use crate::connect::{Refusal, Request, decide, session_expiry};
use crate::error::{ServiceError, TopicError};
use crate::limits::{
    CONTENT_TYPE_BYTES_MAX, CORRELATION_DATA_BYTES_MAX, FILTERS_PER_SUBSCRIBE_MAX,
    INBOUND_IN_FLIGHT_MAX, KEEP_ALIVE_SECS_MAX, MAX_PACKET_BYTES, RESPONSE_TOPIC_BYTES_MAX,
    TOPIC_ALIASES_MAX, USER_PROPERTIES_BYTES_MAX,
};
use crate::peer::Peer;
use crate::persistent;
use crate::publish::{self, Outcome};
use crate::session::{Session, SubscribeRefusal};
use crate::stats::PublishOutcome;
use crate::throttle;

/// A v5 connection's state.
pub type State = Rc<Session>;

/// Answers a CONNECT: a Session Expiry Interval (clamped to `maximumSessionExpiryInHours`) makes
/// the session persistent, Clean Start discards a stored one.
pub async fn connect(
    broker: &Rc<Broker>,
    mut handshake: v5::Connect<Peer>,
) -> v5::ConnectAck<State> {
    let certificate = handshake.st().certificate.clone();
    let transport = handshake.st().transport;
    let packet = handshake.packet_mut();
    let client_id = packet.client_id.to_string();
    let keep_alive = packet.keep_alive;
    let clean_start = packet.clean_start;
    let expiry_secs = session_expiry(broker, packet.session_expiry_interval_secs);
    let will_delay_secs = packet
        .last_will
        .as_ref()
        .and_then(|will| will.will_delay_interval_sec)
        .unwrap_or(0);
    let will = packet.last_will.as_ref();
    let refusal = if packet.auth_method.is_some() {
        Some(ConnectAckReason::BadAuthenticationMethod)
    } else if !packet.user_properties.is_empty() {
        Some(ConnectAckReason::ImplementationSpecificError)
    } else if will.is_some_and(|will| will.retain) {
        Some(ConnectAckReason::RetainNotSupported)
    } else if will.is_some_and(|will| will.qos == QoS::ExactlyOnce) {
        Some(ConnectAckReason::QosNotSupported)
    } else if will.is_some_and(|will| crate::topic::topic_name(&will.topic).is_err()) {
        Some(ConnectAckReason::TopicNameInvalid)
    } else {
        None
    };
    if let Some(reason) = refusal {
        broker.shared().stats.connect(Err(Refusal::Unsupported));
        return handshake.failed(reason);
    }
    let request = Request {
        client_id: &client_id,
        username: packet.username.as_deref(),
        password: packet.password.as_deref(),
        will: packet
            .last_will
            .as_ref()
            .map(|will| (&*will.topic, will.qos, will.retain)),
        certificate: certificate.as_ref(),
        transport,
    };
    let client = match decide(broker, &request) {
        Ok(client) => client,
        Err(refusal) => return handshake.failed(reason(refusal)),
    };
    let will = packet.last_will.as_ref().map(|will| Outgoing {
        topic: will.topic.clone(),
        payload: will.message.clone(),
        qos: will.qos,
        properties: Some(PublishProperties {
            correlation_data: will.correlation_data.clone(),
            message_expiry_interval: will.message_expiry_interval,
            content_type: will.content_type.clone(),
            user_properties: will.user_properties.clone(),
            is_utf8_payload: will.is_utf8_payload.unwrap_or(false),
            response_topic: will.response_topic.clone(),
            ..PublishProperties::default()
        }),
    });
    let connecting = persistent::Connecting {
        client_id,
        client,
        clean_start,
        expiry_secs,
        will,
        will_delay_secs,
    };
    let sink = Sink::V5(handshake.sink());
    let (session, present) = match persistent::connect(broker, connecting, sink).await {
        Ok(connected) => connected,
        Err(e) => {
            tracing::warn!(error = %e, "opening an MQTT session failed");
            return handshake.failed(ConnectAckReason::ServerUnavailable);
        }
    };
    let clamp = keep_alive == 0 || keep_alive > KEEP_ALIVE_SECS_MAX;
    let mut ack = handshake.ack(session).with(|ack| {
        ack.session_present = present;
        ack.session_expiry_interval_secs = Some(expiry_secs);
        ack.max_qos = QoS::AtLeastOnce;
        ack.retain_available = false;
        ack.shared_subscription_available = false;
        ack.subscription_identifiers_available = false;
        ack.wildcard_subscription_available = true;
        ack.topic_alias_max = TOPIC_ALIASES_MAX;
        ack.max_packet_size = Some(MAX_PACKET_BYTES);
        ack.receive_max =
            std::num::NonZeroU16::new(INBOUND_IN_FLIGHT_MAX).unwrap_or(std::num::NonZeroU16::MIN);
    });
    if clamp {
        // The client pings within Server Keep Alive; the connection idles out after one and a
        // half times that ([MQTT-3.1.2-22]).
        ack = ack
            .keep_alive(KEEP_ALIVE_SECS_MAX.saturating_add(KEEP_ALIVE_SECS_MAX / 2))
            .with(|ack| ack.server_keepalive_sec = Some(KEEP_ALIVE_SECS_MAX));
    }
    ack
}

fn reason(refusal: Refusal) -> ConnectAckReason {
    match refusal {
        Refusal::BrokerDisabled | Refusal::Unavailable => ConnectAckReason::ServerUnavailable,
        Refusal::BadClientId => ConnectAckReason::ClientIdentifierNotValid,
        Refusal::BadCredentials => ConnectAckReason::BadUserNameOrPassword,
        Refusal::NotAuthorized => ConnectAckReason::NotAuthorized,
        Refusal::TooManySessions | Refusal::ConnectRate | Refusal::SessionsQuota => {
            ConnectAckReason::QuotaExceeded
        }
        Refusal::Unsupported => ConnectAckReason::ImplementationSpecificError,
    }
}

/// Answers a PUBLISH.
pub async fn publish(
    session: &v5::Session<State>,
    mut message: Publish,
) -> Result<PublishAck, ServiceError> {
    let session: Rc<Session> = (**session).clone();
    if message.retain() {
        if let Sink::V5(sink) = &session.sink {
            sink.close_with_reason(Disconnect {
                reason_code: DisconnectReasonCode::RetainNotSupported,
                ..Disconnect::default()
            });
        }
        return Err(ServiceError::Unsupported("retain"));
    }
    let payload = message
        .read_all()
        .await
        .map_err(|e| ServiceError::Payload(format!("{e:?}")))?;
    let packet = message.packet_mut();
    let mut properties = std::mem::take(&mut packet.properties);
    properties.topic_alias = None;
    if let Some(limit) = over_limit(&properties) {
        tracing::debug!(limit, "MQTT 5 publish refused");
        session
            .broker
            .shared()
            .stats
            .publish(PublishOutcome::OverLimit, 0);
        return Ok(message
            .ack()
            .reason_code(PublishAckReason::ImplementationSpecificError)
            .reason(limit.into()));
    }
    let outgoing = Outgoing {
        topic: packet.topic.clone(),
        payload,
        qos: packet.qos,
        properties: Some(properties),
    };
    let code = match publish::handle(&session, outgoing).await {
        Outcome::Accepted => return Ok(message.ack()),
        Outcome::InvalidTopic(_) => PublishAckReason::TopicNameInvalid,
        Outcome::NotAuthorized => PublishAckReason::NotAuthorized,
        Outcome::Throttled(_) => PublishAckReason::QuotaExceeded,
        Outcome::RoutingFailed { code, message } => {
            tracing::warn!(code, message, "routing an MQTT message failed");
            if code == "Throttled" {
                PublishAckReason::QuotaExceeded
            } else {
                PublishAckReason::UnspecifiedError
            }
        }
    };
    Ok(message.ack().reason_code(code))
}

/// The service's caps on PUBLISH properties: which one `properties` break, if any.
fn over_limit(properties: &PublishProperties) -> Option<&'static str> {
    let user_bytes: usize = properties
        .user_properties
        .iter()
        .map(|(name, value)| name.len() + value.len())
        .sum();
    if properties
        .content_type
        .as_ref()
        .is_some_and(|t| t.len() > CONTENT_TYPE_BYTES_MAX)
    {
        Some("the content type is longer than 256 bytes")
    } else if properties
        .response_topic
        .as_ref()
        .is_some_and(|t| t.len() > RESPONSE_TOPIC_BYTES_MAX)
    {
        Some("the response topic is longer than 256 bytes")
    } else if properties
        .correlation_data
        .as_ref()
        .is_some_and(|d| d.len() > CORRELATION_DATA_BYTES_MAX)
    {
        Some("the correlation data is longer than 256 bytes")
    } else if user_bytes > USER_PROPERTIES_BYTES_MAX {
        Some("the user properties are larger than 32 KiB")
    } else {
        None
    }
}

/// The reason string of a SUBACK or UNSUBACK refused by the subscribe rates.
const THROTTLED: &str = "quota exceeded: SUBSCRIBE and UNSUBSCRIBE requests per second";

/// Answers SUBSCRIBE, UNSUBSCRIBE, PING, DISCONNECT and the rest. A persistent session's
/// subscriptions are stored before the SUBACK (UNSUBACK) goes.
pub async fn protocol(
    session: &v5::Session<State>,
    message: ProtocolMessage,
) -> ProtocolMessageAck {
    match message {
        ProtocolMessage::Subscribe(mut subscribe) => {
            if throttle::subscribe_request(session).is_err() {
                for mut subscription in &mut subscribe {
                    subscription.fail(SubscribeAckReason::QuotaExceeded);
                }
                return subscribe.ack_reason(THROTTLED.into()).ack();
            }
            let mut granted = Vec::new();
            for (index, mut subscription) in subscribe.iter_mut().enumerate() {
                if index >= FILTERS_PER_SUBSCRIBE_MAX {
                    session.refuse_filter();
                    subscription.fail(SubscribeAckReason::QuotaExceeded);
                    continue;
                }
                let qos = subscription.options().qos;
                match session.subscribe(subscription.topic(), qos) {
                    Ok(qos) => {
                        granted.push((
                            subscription.topic().to_string(),
                            u8::from(qos == QoS::AtLeastOnce),
                        ));
                        subscription.confirm(qos);
                    }
                    Err(refusal) => subscription.fail(match refusal {
                        SubscribeRefusal::Invalid(TopicError::Shared) => {
                            SubscribeAckReason::SharedSubscriptionNotSupported
                        }
                        SubscribeRefusal::Invalid(_) => SubscribeAckReason::TopicFilterInvalid,
                        SubscribeRefusal::NotAuthorized => SubscribeAckReason::NotAuthorized,
                        SubscribeRefusal::Quota => SubscribeAckReason::QuotaExceeded,
                    }),
                }
            }
            if let Err(e) = persistent::subscribe(session, granted).await {
                tracing::warn!(error = %e, "storing MQTT subscriptions failed");
                for mut subscription in &mut subscribe {
                    session.unsubscribe(subscription.topic());
                    subscription.fail(SubscribeAckReason::UnspecifiedError);
                }
            }
            subscribe.ack()
        }
        ProtocolMessage::Disconnect(disconnect) => {
            if disconnect.packet().reason_code != DisconnectReasonCode::DisconnectWithWillMessage {
                session.clear_will();
            }
            disconnect.ack()
        }
        ProtocolMessage::Unsubscribe(mut unsubscribe) => {
            if throttle::subscribe_request(session).is_err() {
                // MQTT 5 has no 0x97 for UNSUBACK: 0x80, with the reason string.
                for mut item in &mut unsubscribe {
                    item.fail(UnsubscribeAckReason::UnspecifiedError);
                }
                return unsubscribe.ack_reason(THROTTLED.into()).ack();
            }
            let mut removed = Vec::new();
            for mut item in &mut unsubscribe {
                if session.unsubscribe(item.topic()) {
                    removed.push(item.topic().to_string());
                    item.success();
                } else {
                    item.fail(UnsubscribeAckReason::NoSubscriptionExisted);
                }
            }
            if let Err(e) = persistent::unsubscribe(session, removed).await {
                tracing::warn!(error = %e, "storing an MQTT unsubscribe failed");
            }
            unsubscribe.ack()
        }
        other => other.ack(),
    }
}

/// The connection's end (and errors): the session is forgotten.
pub fn control(
    session: &v5::Session<State>,
    control: &Control<ServiceError>,
) -> Option<v5::codec::Encoded> {
    if let Control::Stop(reason) = control {
        tracing::debug!(client_id = %session.client_id, ?reason, "MQTT 5 connection ended");
        let current = session.broker.is_current(session);
        session.broker.remove(session);
        persistent::disconnected(session, current);
        session.publish_will();
    }
    None
}
