//! The broker's live state, on the listener thread: the connected sessions by client identifier
//! (session takeover, sessions per authentication name, counting the engine's stored sessions
//! too) and live delivery of a published message to every session with a matching
//! subscription (persistent sessions' `QoS` 1 deliveries tracked by their id in the engine's
//! queue, acknowledged there through [`Acks`]).

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::Arc;

use gridlog::{CaCertificate, Enqueued, FilterSegment, RateLimit};
use ntex_bytes::{ByteString, Bytes};
use ntex_mqtt::QoS;
use ntex_mqtt::v5::codec::{Disconnect, DisconnectReasonCode, PublishProperties};
use ntex_mqtt::{v3, v5};

use crate::acks::Acks;
use crate::connect::Refusal;
use crate::session::Session;
use crate::shared::Shared;
use crate::throttle::{self, Outbound};
use crate::topic;
use crate::trust::Trust;

/// The connected sessions of one listener.
pub struct Broker {
    shared: Arc<Shared>,
    /// The trust anchors of the `caCertificates` last seen (rebuilt when they change).
    trust: RefCell<Rc<Trust>>,
    /// The namespace's SUBSCRIBE/UNSUBSCRIBE rate (one broker serves every port of it).
    subscribes: RefCell<RateLimit>,
    sessions: RefCell<HashMap<String, Rc<Session>>>,
    /// Acknowledgements of persistent sessions' deliveries, on their way to the engine.
    pub acks: Acks,
    /// Sessions being opened (client identifier → the messages queued for them meanwhile,
    /// with their ids), sent once the connection is registered.
    opening: RefCell<HashMap<String, Vec<(Outgoing, u64)>>>,
}

/// A connection's way back to its client.
pub enum Sink {
    /// MQTT 3.1.1.
    V3(v3::MqttSink),
    /// MQTT 5.
    V5(v5::MqttSink),
    /// No connection: the stand-in of a departed client whose will is published.
    Detached,
}

impl Sink {
    /// Whether the connection is still open.
    pub fn is_open(&self) -> bool {
        match self {
            Self::V3(sink) => sink.is_open(),
            Self::V5(sink) => sink.is_open(),
            Self::Detached => false,
        }
    }

    /// Ends the connection because its client does not acknowledge deliveries fast enough
    /// (v5: DISCONNECT 0x97 Quota exceeded).
    pub fn overflow(&self) {
        match self {
            Self::Detached => {}
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
            Self::Detached => {}
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
        Rc::new_cyclic(|broker| Self {
            trust: RefCell::new(Rc::new(Trust::new(&shared.mqtt().ca_certificates))),
            subscribes: RefCell::new(throttle::namespace_subscribes(shared.clock.monotonic())),
            shared,
            sessions: RefCell::new(HashMap::new()),
            acks: Acks::new(broker.clone()),
            opening: RefCell::new(HashMap::new()),
        })
    }

    /// What the connections share.
    pub fn shared(&self) -> &Shared {
        &self.shared
    }

    /// The namespace's SUBSCRIBE/UNSUBSCRIBE rate limit.
    pub fn subscribes(&self) -> std::cell::RefMut<'_, RateLimit> {
        self.subscribes.borrow_mut()
    }

    /// `cas` (the live configuration's `caCertificates`) as trust anchors: the ones made
    /// last, or new ones when the certificates changed (the management API).
    pub fn trust(&self, cas: &[CaCertificate]) -> Rc<Trust> {
        let mut trust = self.trust.borrow_mut();
        if !trust.is_for(cas) {
            *trust = Rc::new(Trust::new(cas));
        }
        trust.clone()
    }

    /// Whether a client authenticated as `authentication_name` may use session `client_id`:
    /// not when another authentication name holds it (connected, or stored by the engine), nor
    /// beyond `maximumClientSessionsPerAuthenticationName` sessions, connected or stored, or the
    /// namespace's sessions (a session it takes over or resumes does not count).
    pub fn admit(&self, client_id: &str, authentication_name: &str) -> Result<(), Refusal> {
        let namespace = &self.shared.namespace;
        let owner = namespace
            .mqtt_session_owner(client_id)
            .map_err(|_| Refusal::Unavailable)?;
        if owner.is_some_and(|owner| !owner.eq_ignore_ascii_case(authentication_name)) {
            return Err(Refusal::NotAuthorized);
        }
        let mut stored = namespace
            .mqtt_sessions_of(authentication_name)
            .map_err(|_| Refusal::Unavailable)?;
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
        stored.extend(
            sessions
                .values()
                .filter(|session| {
                    session.sink_open()
                        && session
                            .client
                            .authentication_name
                            .eq_ignore_ascii_case(authentication_name)
                })
                .map(|session| session.client_id.clone()),
        );
        stored.sort();
        stored.dedup();
        let others = stored.iter().filter(|id| *id != client_id).count();
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

    /// Whether `session` is the one registered under its client identifier (not taken over).
    pub fn is_current(&self, session: &Session) -> bool {
        self.sessions
            .borrow()
            .get(&session.client_id)
            .is_some_and(|current| std::ptr::eq(Rc::as_ptr(current), session))
    }

    /// The connected session `client_id`, if any.
    pub fn session(&self, client_id: &str) -> Option<Rc<Session>> {
        self.sessions.borrow().get(client_id).cloned()
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
    /// for their PUBACK in their own tasks. `enqueued` is what the engine queued it in: a
    /// persistent session's `QoS` 1 delivery carries its id there (acknowledged there on
    /// PUBACK), and a session it overflowed is ended.
    pub fn deliver(&self, message: &Outgoing, enqueued: &Enqueued) {
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
            if qos == QoS::AtLeastOnce && session.persistence.is_some() {
                if enqueued.overflowed.contains(&session.client_id) {
                    tracing::info!(client_id = %session.client_id, "MQTT session overflow");
                    session.sink.overflow();
                    self.shared.stats.overflow();
                    continue;
                }
                let id = enqueued
                    .queued
                    .iter()
                    .find(|(client_id, _)| *client_id == session.client_id)
                    .map(|&(_, id)| id);
                if let (Some(id), Some(persistence)) = (id, session.persistence)
                    && persistence.connection > id
                {
                    // Queued before this connection opened the session: its resend has it.
                    continue;
                }
                self.shared.stats.delivery(true, message.payload.len());
                send(&session, message, qos, id.map(|id| (id, false)));
                continue;
            }
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
                    send(&session, message, qos, None);
                }
                Outbound::Dropped | Outbound::Queued => {}
            }
        }
        let mut opening = self.opening.borrow_mut();
        for (client_id, id) in &enqueued.queued {
            if let Some(missed) = opening.get_mut(client_id) {
                missed.push((message.clone(), *id));
            }
        }
    }

    /// Notes that session `client_id` is being opened: messages queued for it until
    /// [`Broker::opened`] are kept for its connection.
    pub fn opening(&self, client_id: &str) {
        self.opening
            .borrow_mut()
            .entry(client_id.to_owned())
            .or_default();
    }

    /// The session `client_id` is open (or failed to): the messages queued for it meanwhile.
    pub fn opened(&self, client_id: &str) -> Vec<(Outgoing, u64)> {
        self.opening
            .borrow_mut()
            .remove(client_id)
            .unwrap_or_default()
    }
}

/// Sends `message` to `session` at `qos`. `tracked`: the message's id in the persistent
/// session's stored queue and its DUP flag; its PUBACK is passed on to the engine.
pub fn send(session: &Rc<Session>, message: &Outgoing, qos: QoS, tracked: Option<(u64, bool)>) {
    let payload = message.payload.clone();
    let dup = tracked.is_some_and(|(_, dup)| dup);
    match &session.sink {
        Sink::Detached => {}
        Sink::V3(sink) => {
            let builder = sink.publish(message.topic.clone()).dup(dup);
            if qos == QoS::AtLeastOnce {
                let session = session.clone();
                ntex_rt::spawn(async move {
                    match builder.send_at_least_once(payload).await {
                        Ok(()) => acknowledged(&session, tracked),
                        Err(e) => tracing::debug!(error = ?e, "MQTT delivery not acknowledged"),
                    }
                    session.release_delivery_slot();
                });
            } else if let Err(e) = builder.send_at_most_once(payload) {
                tracing::debug!(error = ?e, "MQTT delivery failed");
            }
        }
        Sink::V5(sink) => {
            let mut builder = sink.publish(message.topic.clone()).dup(dup);
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
                    match builder.send_at_least_once(payload).await {
                        Ok(_) => acknowledged(&session, tracked),
                        Err(e) => tracing::debug!(error = ?e, "MQTT delivery not acknowledged"),
                    }
                    session.release_delivery_slot();
                });
            } else if let Err(e) = builder.send_at_most_once(payload) {
                tracing::debug!(error = ?e, "MQTT delivery failed");
            }
        }
    }
}

/// A tracked delivery's PUBACK: the engine removes it from the session's queue.
fn acknowledged(session: &Rc<Session>, tracked: Option<(u64, bool)>) {
    if let Some((id, _)) = tracked {
        session.broker.acks.push(&session.client_id, id);
    }
}
