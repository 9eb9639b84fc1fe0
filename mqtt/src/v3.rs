//! MQTT 3.1.1: CONNECT (return codes 0x02–0x05), PUBLISH (an unauthorized publish, an invalid
//! topic, retain, a routing failure or a throttled publish closes the connection, as the service does: 3.1.1 has no
//! negative PUBACK), SUBSCRIBE (0x80 per refused filter), UNSUBSCRIBE, and the session's end.

use std::rc::Rc;

use ntex_mqtt::v3::{self, ProtocolMessage, ProtocolMessageAck, Publish};
use ntex_mqtt::{Control, QoS};
use ntex_util::time::Seconds;

use crate::broker::{Broker, Outgoing, Sink};
use crate::connect::{Refusal, Request, decide};
use crate::error::ServiceError;
use crate::limits::{FILTERS_PER_SUBSCRIBE_MAX, KEEP_ALIVE_SECS_MAX, MAX_PACKET_BYTES};
use crate::publish::{self, Outcome};
use crate::session::Session;

/// A 3.1.1 connection's state.
pub type State = Rc<Session>;

/// Answers a CONNECT.
pub fn connect(broker: &Rc<Broker>, handshake: v3::Connect) -> v3::ConnectAck<State> {
    let packet = handshake.packet();
    let client_id = packet.client_id.to_string();
    let keep_alive = packet.keep_alive;
    let request = Request {
        client_id: &client_id,
        username: packet.username.as_deref(),
        password: packet.password.as_deref(),
        will: packet
            .last_will
            .as_ref()
            .map(|will| (&*will.topic, will.qos, will.retain)),
    };
    let client = match decide(broker, &request) {
        Ok(client) => client,
        Err(
            Refusal::BrokerDisabled
            | Refusal::Unsupported
            | Refusal::ConnectRate
            | Refusal::SessionsQuota,
        ) => {
            return handshake.service_unavailable();
        }
        Err(Refusal::BadClientId) => return handshake.identifier_rejected(),
        Err(Refusal::BadCredentials) => return handshake.bad_username_or_pwd(),
        Err(Refusal::NotAuthorized | Refusal::TooManySessions) => {
            return handshake.not_authorized();
        }
    };
    let will = packet.last_will.as_ref().map(|will| Outgoing {
        topic: will.topic.clone(),
        payload: will.message.clone(),
        qos: will.qos,
        properties: None,
    });
    let session = Rc::new(Session::new(
        broker.clone(),
        client_id,
        client,
        Sink::V3(handshake.sink()),
        will,
    ));
    broker.register(session.clone());
    // [MQTT-3.1.2-24]: one and a half keep-alives, the keep-alive capped by the service's.
    let keep_alive = if keep_alive == 0 {
        KEEP_ALIVE_SECS_MAX
    } else {
        keep_alive.min(KEEP_ALIVE_SECS_MAX)
    };
    let idle = keep_alive.saturating_add(keep_alive / 2);
    let mut ack = handshake.ack(session, false).idle_timeout(Seconds(idle));
    if let Some(size) = std::num::NonZeroU32::new(MAX_PACKET_BYTES) {
        ack = ack.max_packet_size(size);
    }
    ack
}

/// Handles a PUBLISH; an error closes the connection.
pub async fn publish(session: &v3::Session<State>, message: Publish) -> Result<(), ServiceError> {
    let session: Rc<Session> = (**session).clone();
    if message.retain() {
        return Err(ServiceError::Unsupported("retain"));
    }
    if message.qos() == QoS::ExactlyOnce {
        return Err(ServiceError::Unsupported("QoS 2"));
    }
    let payload = message
        .read_all()
        .await
        .map_err(|e| ServiceError::Payload(format!("{e:?}")))?;
    let topic = message.packet().topic.clone();
    let outgoing = Outgoing {
        topic: topic.clone(),
        payload,
        qos: message.qos(),
        properties: None,
    };
    match publish::handle(&session, outgoing).await {
        Outcome::Accepted => Ok(()),
        Outcome::InvalidTopic(error) => Err(ServiceError::InvalidTopic(error)),
        Outcome::NotAuthorized => Err(ServiceError::NotAuthorized {
            topic: topic.to_string(),
        }),
        Outcome::RoutingFailed { code, message } => Err(ServiceError::Routing { code, message }),
        Outcome::Throttled(_) => Err(ServiceError::Throttled),
    }
}

/// Answers SUBSCRIBE, UNSUBSCRIBE, PING and DISCONNECT.
pub fn protocol(session: &v3::Session<State>, message: ProtocolMessage) -> ProtocolMessageAck {
    match message {
        ProtocolMessage::Subscribe(mut subscribe) => {
            for (index, mut subscription) in subscribe.iter_mut().enumerate() {
                if index >= FILTERS_PER_SUBSCRIBE_MAX {
                    session.refuse_filter();
                    subscription.fail();
                    continue;
                }
                match session.subscribe(subscription.topic(), subscription.qos()) {
                    Ok(granted) => subscription.confirm(granted),
                    Err(_) => subscription.fail(),
                }
            }
            subscribe.ack()
        }
        ProtocolMessage::Disconnect(disconnect) => {
            session.clear_will();
            disconnect.ack()
        }
        ProtocolMessage::Unsubscribe(unsubscribe) => {
            for topic in unsubscribe.iter() {
                session.unsubscribe(topic);
            }
            unsubscribe.ack()
        }
        other => other.ack(),
    }
}

/// The connection's end (and errors): the session is forgotten.
pub fn control(
    session: &v3::Session<State>,
    control: &Control<ServiceError>,
) -> Option<v3::codec::Encoded> {
    if let Control::Stop(reason) = control {
        tracing::debug!(client_id = %session.client_id, ?reason, "MQTT 3.1.1 connection ended");
        session.broker.remove(session);
        session.publish_will();
    }
    None
}
