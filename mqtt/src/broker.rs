//! The broker's live state, on the listener thread: the connected sessions by client identifier
//! (session takeover, sessions per authentication name) and live delivery of a published
//! message to every session with a matching subscription.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::Arc;

use gridlog::FilterSegment;
use ntex_bytes::{ByteString, Bytes};
use ntex_mqtt::QoS;
use ntex_mqtt::v5::codec::{Disconnect, DisconnectReasonCode, PublishProperties};
use ntex_mqtt::{v3, v5};

use crate::connect::Refusal;
use crate::session::Session;
use crate::shared::Shared;
use crate::throttle::{self, Outbound};
use crate::topic;

/// The connected sessions of one listener.
pub struct Broker {
    shared: Arc<Shared>,
    sessions: RefCell<HashMap<String, Rc<Session>>>,
}

/// A connection's way back to its client.
pub enum Sink {
    /// MQTT 3.1.1.
    V3(v3::MqttSink),
    /// MQTT 5.
    V5(v5::MqttSink),
}

impl Sink {
    /// Whether the connection is still open.
    pub fn is_open(&self) -> bool {
        match self {
            Self::V3(sink) => sink.is_open(),
            Self::V5(sink) => sink.is_open(),
        }
    }

    /// Ends the connection because its client does not acknowledge deliveries fast enough
    /// (v5: DISCONNECT 0x97 Quota exceeded).
    fn overflow(&self) {
        match self {
            Self::V3(sink) => sink.close(),
            Self::V5(sink) => sink.close_with_reason(Disconnect {
                reason_code: DisconnectReasonCode::QuotaExceeded,
                ..Disconnect::default()
            }),
        }
    }

    /// Ends the connection because another took its session over (v5: DISCONNECT 0x8E).
    fn taken_over(&self) {
        match self {
            Self::V3(sink) => sink.close(),
            Self::V5(sink) => sink.close_with_reason(Disconnect {
                reason_code: DisconnectReasonCode::SessionTakenOver,
                ..Disconnect::default()
            }),
        }
    }
}

/// A message to deliver: its topic, payload, `QoS` and (from an MQTT 5 publisher) properties.
#[derive(Clone)]
pub struct Outgoing {
    /// Topic name.
    pub topic: ByteString,
    /// Payload.
    pub payload: Bytes,
    /// `QoS` it was published with.
    pub qos: QoS,
    /// MQTT 5 properties passed on to MQTT 5 subscribers (not the topic alias).
    pub properties: Option<PublishProperties>,
}

impl Broker {
    /// A broker with no sessions.
    pub fn new(shared: Arc<Shared>) -> Rc<Self> {
        Rc::new(Self {
            shared,
            sessions: RefCell::new(HashMap::new()),
        })
    }

    /// What the connections share.
    pub fn shared(&self) -> &Shared {
        &self.shared
    }

    /// Whether a client authenticated as `authentication_name` may use session `client_id`:
    /// not when another authentication name holds it, nor beyond
    /// `maximumClientSessionsPerAuthenticationName` or the namespace's sessions (a session it
    /// takes over does not count).
    pub fn admit(&self, client_id: &str, authentication_name: &str) -> Result<(), Refusal> {
        let sessions = self.sessions.borrow();
        let connected = sessions
            .values()
            .filter(|session| session.client_id != client_id && session.sink_open())
            .count();
        if connected >= throttle::sessions_max(&self.shared) {
            return Err(Refusal::SessionsQuota);
        }
        if let Some(existing) = sessions.get(client_id)
            && existing.sink_open()
            && !existing
                .client
                .authentication_name
                .eq_ignore_ascii_case(authentication_name)
        {
            return Err(Refusal::NotAuthorized);
        }
        let others = sessions
            .values()
            .filter(|session| {
                session.client_id != client_id
                    && session.sink_open()
                    && session
                        .client
                        .authentication_name
                        .eq_ignore_ascii_case(authentication_name)
            })
            .count();
        let max = self
            .shared
            .mqtt()
            .topic_spaces_configuration
            .maximum_client_sessions_per_authentication_name;
        if others >= usize::try_from(max).unwrap_or(usize::MAX) {
            return Err(Refusal::TooManySessions);
        }
        Ok(())
    }

    /// Registers a connected session; the connection it takes over (same client identifier)
    /// is ended.
    pub fn register(&self, session: Rc<Session>) {
        let mut sessions = self.sessions.borrow_mut();
        // Connections that ended without the control service hearing of it.
        sessions.retain(|_, session| session.sink_open());
        let previous = sessions.insert(session.client_id.clone(), session);
        self.shared.stats.set_sessions(sessions.len());
        drop(sessions);
        if let Some(previous) = previous {
            previous.sink.taken_over();
        }
    }

    /// Forgets `session` when its connection ends (unless another has taken it over).
    pub fn remove(&self, session: &Session) {
        let mut sessions = self.sessions.borrow_mut();
        if sessions
            .get(&session.client_id)
            .is_some_and(|current| std::ptr::eq(Rc::as_ptr(current), session))
        {
            sessions.remove(&session.client_id);
            self.shared.stats.set_sessions(sessions.len());
        }
    }

    /// Sends `message` to every connected session with a matching subscription, once per
    /// session at the highest `QoS` among them (capped by the published `QoS`). `QoS` 1 sends wait
    /// for their PUBACK in their own tasks.
    pub fn deliver(&self, message: &Outgoing) {
        let segments: Vec<&str> = message.topic.split('/').collect();
        let targets: Vec<(Rc<Session>, QoS)> = self
            .sessions
            .borrow()
            .values()
            .filter_map(|session| {
                session
                    .granted_qos(|filter: &[FilterSegment]| topic::matches(filter, &segments))
                    .map(|qos| (session.clone(), qos))
            })
            .collect();
        for (session, granted) in targets {
            let qos = if granted == QoS::AtLeastOnce && message.qos == QoS::AtLeastOnce {
                QoS::AtLeastOnce
            } else {
                QoS::AtMostOnce
            };
            if qos == QoS::AtLeastOnce && !session.take_delivery_slot() {
                // The client does not keep up: the service ends such a session
                // (`SessionOverflow`) rather than queue without bound.
                tracing::info!(client_id = %session.client_id, "MQTT session overflow");
                session.sink.overflow();
                self.shared.stats.overflow();
                continue;
            }
            match throttle::outbound(&self.shared, &session, message, qos) {
                Outbound::Send => {
                    self.shared
                        .stats
                        .delivery(qos == QoS::AtLeastOnce, message.payload.len());
                    send(&session, message, qos);
                }
                Outbound::Dropped | Outbound::Queued => {}
            }
        }
    }
}

/// Sends `message` to `session` at `qos` (a `QoS` 1 delivery releases its slot when
/// acknowledged).
pub fn send(session: &Rc<Session>, message: &Outgoing, qos: QoS) {
    let payload = message.payload.clone();
    match &session.sink {
        Sink::V3(sink) => {
            let builder = sink.publish(message.topic.clone());
            if qos == QoS::AtLeastOnce {
                let session = session.clone();
                ntex_rt::spawn(async move {
                    if let Err(e) = builder.send_at_least_once(payload).await {
                        tracing::debug!(error = ?e, "MQTT delivery not acknowledged");
                    }
                    session.release_delivery_slot();
                });
            } else if let Err(e) = builder.send_at_most_once(payload) {
                tracing::debug!(error = ?e, "MQTT delivery failed");
            }
        }
        Sink::V5(sink) => {
            let mut builder = sink.publish(message.topic.clone());
            if let Some(properties) = &message.properties {
                builder = builder.properties(|out| {
                    out.content_type.clone_from(&properties.content_type);
                    out.correlation_data
                        .clone_from(&properties.correlation_data);
                    out.response_topic.clone_from(&properties.response_topic);
                    out.user_properties.clone_from(&properties.user_properties);
                    out.is_utf8_payload = properties.is_utf8_payload;
                    out.message_expiry_interval = properties.message_expiry_interval;
                });
            }
            if qos == QoS::AtLeastOnce {
                let session = session.clone();
                ntex_rt::spawn(async move {
                    if let Err(e) = builder.send_at_least_once(payload).await {
                        tracing::debug!(error = ?e, "MQTT delivery not acknowledged");
                    }
                    session.release_delivery_slot();
                });
            } else if let Err(e) = builder.send_at_most_once(payload) {
                tracing::debug!(error = ?e, "MQTT delivery failed");
            }
        }
    }
}
