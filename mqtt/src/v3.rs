//! MQTT 3.1.1: CONNECT (return codes 0x02–0x05), PUBLISH (an unauthorized publish, an invalid
//! topic, retain, a routing failure or a throttled publish closes the connection, as the service does: 3.1.1 has no
//! negative PUBACK), SUBSCRIBE (0x80 per refused filter, every filter over the subscribe
//! rates), UNSUBSCRIBE (over the subscribe rates the connection is closed: its UNSUBACK has no
//! code), and the session's end.

use std::rc::Rc;

use ntex_mqtt::v3::{self, ProtocolMessage, ProtocolMessageAck, Publish};
use ntex_mqtt::{Control, QoS};
use ntex_util::time::Seconds;

use crate::broker::{Broker, Outgoing, Sink};
use crate::connect::{Refusal, Request, decide, session_expiry};
use crate::error::ServiceError;
use crate::limits::{FILTERS_PER_SUBSCRIBE_MAX, KEEP_ALIVE_SECS_MAX, MAX_PACKET_BYTES};
use crate::peer::Peer;
use crate::persistent;
use crate::publish::{self, Outcome};
use crate::session::Session;
use crate::throttle;

/// A 3.1.1 connection's state.
pub type State = Rc<Session>;

/// Answers a CONNECT: `cleanSession=0` resumes or creates a persistent session (expiry
/// `maximumSessionExpiryInHours`), `cleanSession=1` discards a stored one.
pub async fn connect(broker: &Rc<Broker>, handshake: v3::Connect<Peer>) -> v3::ConnectAck<State> {
    let certificate = handshake.st().certificate.clone();
    let transport = handshake.st().transport;
    let packet = handshake.packet();
    let client_id = packet.client_id.to_string();
    let keep_alive = packet.keep_alive;
    let clean_session = packet.clean_session;
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
        Err(
            Refusal::BrokerDisabled
            | Refusal::Unsupported
            | Refusal::ConnectRate
            | Refusal::SessionsQuota
            | Refusal::Unavailable,
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
    let expiry_secs = if clean_session {
        0
    } else {
        session_expiry(broker, u32::MAX)
    };
    let connecting = persistent::Connecting {
        client_id,
        client,
        clean_start: clean_session,
        expiry_secs,
        will,
        will_delay_secs: 0,
    };
    let sink = Sink::V3(handshake.sink());
    let (session, present) = match persistent::connect(broker, connecting, sink).await {
        Ok(connected) => connected,
        Err(e) => {
            tracing::warn!(error = %e, "opening an MQTT session failed");
            return handshake.service_unavailable();
        }
    };
    // [MQTT-3.1.2-24]: one and a half keep-alives, the keep-alive capped by the service's.
    let keep_alive = if keep_alive == 0 {
        KEEP_ALIVE_SECS_MAX
    } else {
        keep_alive.min(KEEP_ALIVE_SECS_MAX)
    };
    let idle = keep_alive.saturating_add(keep_alive / 2);
    let mut ack = handshake.ack(session, present).idle_timeout(Seconds(idle));
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

/// Answers SUBSCRIBE, UNSUBSCRIBE, PING and DISCONNECT. A persistent session's subscriptions
/// are stored before the SUBACK (UNSUBACK) goes.
pub async fn protocol(
    session: &v3::Session<State>,
    message: ProtocolMessage,
) -> Result<ProtocolMessageAck, ServiceError> {
    Ok(match message {
        ProtocolMessage::Subscribe(mut subscribe) => {
            if throttle::subscribe_request(session).is_err() {
                for mut subscription in &mut subscribe {
                    subscription.fail();
                }
                return Ok(subscribe.ack());
            }
            let mut granted = Vec::new();
            for (index, mut subscription) in subscribe.iter_mut().enumerate() {
                if index >= FILTERS_PER_SUBSCRIBE_MAX {
                    session.refuse_filter();
                    subscription.fail();
                    continue;
                }
                match session.subscribe(subscription.topic(), subscription.qos()) {
                    Ok(qos) => {
                        granted.push((
                            subscription.topic().to_string(),
                            u8::from(qos == QoS::AtLeastOnce),
                        ));
                        subscription.confirm(qos);
                    }
                    Err(_) => subscription.fail(),
                }
            }
            if let Err(e) = persistent::subscribe(session, granted).await {
                tracing::warn!(error = %e, "storing MQTT subscriptions failed");
                for mut subscription in &mut subscribe {
                    session.unsubscribe(subscription.topic());
                    subscription.fail();
                }
            }
            subscribe.ack()
        }
        ProtocolMessage::Disconnect(disconnect) => {
            session.clear_will();
            disconnect.ack()
        }
        ProtocolMessage::Unsubscribe(unsubscribe) => {
            // 3.1.1's UNSUBACK has no code: over the rate the connection is closed, as a
            // throttled 3.1.1 PUBLISH closes it.
            throttle::subscribe_request(session).map_err(|_| ServiceError::UnsubscribeThrottled)?;
            let mut removed = Vec::new();
            for topic in unsubscribe.iter() {
                if session.unsubscribe(topic) {
                    removed.push(topic.to_string());
                }
            }
            if let Err(e) = persistent::unsubscribe(session, removed).await {
                tracing::warn!(error = %e, "storing an MQTT unsubscribe failed");
            }
            unsubscribe.ack()
        }
        other => other.ack(),
    })
}

/// The connection's end (and errors): the session is forgotten.
pub fn control(
    session: &v3::Session<State>,
    control: &Control<ServiceError>,
) -> Option<v3::codec::Encoded> {
    if let Control::Stop(reason) = control {
        tracing::debug!(client_id = %session.client_id, ?reason, "MQTT 3.1.1 connection ended");
        let current = session.broker.is_current(session);
        session.broker.remove(session);
        persistent::disconnected(session, current);
        session.publish_will();
    }
    None
}
