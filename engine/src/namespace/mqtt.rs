//! The MQTT broker's persistent sessions: open (resume, clean start), subscriptions, the `QoS` 1
//! queue (enqueue, acknowledge), disconnect, and the sweep that expires sessions and hands out
//! due wills. Every change is one [`Txn`], durable (per the namespace's durability) before the
//! call returns, so the broker answers CONNACK, SUBACK and PUBACK only after what they depend on
//! is in the WAL. The broker (`gridlog-mqtt`) decides what is allowed; the engine stores it.

use gridlog_format::Event;

use super::Namespace;
use super::committer::{Committing, MqttPublish, Write};
use super::publish::{publish_in, throttle_publish};
use super::txn::Txn;
use crate::error::EngineError;
use crate::limits::{
    MQTT_SESSION_QUEUE_BYTES_MAX, MQTT_SESSION_QUEUE_MESSAGES_MAX, MQTT_WILL_DELAY_SECS_MAX,
};
use crate::mqtt::{
    DueWill, Enqueued, MqttMessage, OpenedSession, QueuedMessage, SessionEnd, SessionOpen,
    SessionInfo, SessionSweep,
};
use crate::record::{MqttRecord, StateRecord};

impl Namespace {
    /// Opens the session `open.client_id` for a connection: resumes the stored one (unless
    /// Clean Start), or discards it; stores the session when it outlives its connection
    /// (`expiry_secs > 0`) with the will (its delay clamped to 300 s), connected. Returns what
    /// was resumed: the CONNACK's Session Present, the subscriptions to restore and the
    /// messages to (re)send, in order. Durable before it returns.
    pub fn mqtt_session_open(&self, open: &SessionOpen) -> Result<OpenedSession, EngineError> {
        let mut st = Txn::begin(&self.inner)?;
        let mut opened = match st.mqtt.by_client_id.get(&open.client_id) {
            Some(session) if !open.clean_start => OpenedSession {
                present: true,
                connection: 0,
                subscriptions: session
                    .subscriptions
                    .iter()
                    .map(|(filter, _, qos)| (filter.clone(), *qos))
                    .collect(),
                queue: session
                    .queue
                    .iter()
                    .map(|(&id, (message, sent))| QueuedMessage {
                        id,
                        dup: *sent,
                        message: message.clone(),
                    })
                    .collect(),
            },
            _ => OpenedSession::default(),
        };
        let stored = st.mqtt.by_client_id.contains_key(&open.client_id);
        if open.expiry_secs > 0 || stored {
            let will = open.will.clone().map(|mut will| {
                will.delay_secs = will.delay_secs.min(MQTT_WILL_DELAY_SECS_MAX);
                will
            });
            let range = st.append(&[StateRecord::Mqtt(MqttRecord::Opened {
                client_id: &open.client_id,
                authentication_name: &open.authentication_name,
                clean: open.clean_start,
                expiry_secs: open.expiry_secs,
                will,
            })])?;
            if open.expiry_secs > 0 {
                opened.connection = range.start.0;
            }
        }
        st.commit()?;
        Ok(opened)
    }

    /// The authentication name of the stored session `client_id`, if there is one (connected
    /// or not).
    pub fn mqtt_session_owner(&self, client_id: &str) -> Result<Option<String>, EngineError> {
        let st = self.inner.store.lock_state()?;
        Ok(st
            .mqtt
            .by_client_id
            .get(client_id)
            .map(|session| session.authentication_name.clone()))
    }

    /// The client identifiers of the stored sessions (connected or not) of
    /// `authentication_name` (compared case-insensitively).
    pub fn mqtt_sessions_of(&self, authentication_name: &str) -> Result<Vec<String>, EngineError> {
        let st = self.inner.store.lock_state()?;
        Ok(st
            .mqtt
            .by_client_id
            .iter()
            .filter(|(_, s)| s.authentication_name.eq_ignore_ascii_case(authentication_name))
            .map(|(client_id, _)| client_id.clone())
            .collect())
    }

    /// Stores subscriptions of the stored session `client_id` (filter, granted `QoS`; added or
    /// replaced). Durable before it returns (the SUBACK waits for it).
    pub fn mqtt_session_subscribe(
        &self,
        client_id: &str,
        filters: &[(String, u8)],
    ) -> Result<(), EngineError> {
        let mut st = Txn::begin(&self.inner)?;
        if st.mqtt.by_client_id.contains_key(client_id) && !filters.is_empty() {
            st.append(&[StateRecord::Mqtt(MqttRecord::Subscribed {
                client_id,
                filters: filters.iter().map(|(f, q)| (f.as_str(), *q)).collect(),
            })])?;
        }
        st.commit()
    }

    /// Removes subscriptions of the stored session `client_id`.
    pub fn mqtt_session_unsubscribe(
        &self,
        client_id: &str,
        filters: &[String],
    ) -> Result<(), EngineError> {
        let mut st = Txn::begin(&self.inner)?;
        if st.mqtt.by_client_id.contains_key(client_id) && !filters.is_empty() {
            st.append(&[StateRecord::Mqtt(MqttRecord::Unsubscribed {
                client_id,
                filters: filters.iter().map(String::as_str).collect(),
            })])?;
        }
        st.commit()
    }

    /// Queues a `QoS` 1 `message` in every stored session (connected or not) whose
    /// subscriptions match its topic at `QoS` 1 (the highest granted among them). A session it
    /// would take beyond 100 messages or 1 MB is ended instead (`SessionEnd::Overflow`). Durable
    /// before it returns (the publisher's PUBACK waits for it). A `QoS` 0 message queues
    /// nothing.
    pub fn mqtt_session_enqueue(&self, message: &MqttMessage) -> Result<Enqueued, EngineError> {
        if message.qos == 0 {
            return Ok(Enqueued::default());
        }
        let mut st = Txn::begin(&self.inner)?;
        let enqueued = enqueue_in(&mut st, message)?;
        st.commit()?;
        Ok(enqueued)
    }

    /// An MQTT PUBLISH's durable part, group-committed (see [`Self::publish_async`]): `routed`
    /// (the routing topic and the event the message becomes) is published there, then the
    /// message (`QoS` 1) is queued in the persistent sessions it matches
    /// ([`Self::mqtt_session_enqueue`]), both in one transaction with one sync. The future
    /// resolves once both are durable, or with the first refusal (a refused route queues
    /// nothing). The route is taken from the namespace's ingress throughput units first.
    pub fn mqtt_publish_async(
        &self,
        routed: Option<(String, Event)>,
        queued: Option<MqttMessage>,
    ) -> Committing<Enqueued> {
        let queued = queued.filter(|message| message.qos != 0);
        if routed.is_none() && queued.is_none() {
            return Committing::ready(Ok(Enqueued::default()));
        }
        if let Some((_, event)) = &routed
            && let Err(refused) = throttle_publish(&self.inner, std::slice::from_ref(event))
        {
            return Committing::ready(Err(refused));
        }
        let (reply, committing) = Committing::channel();
        self.inner.committer.submit(
            &self.inner,
            Write::Mqtt {
                publish: Box::new(MqttPublish { routed, queued }),
                reply,
            },
        );
        committing
    }

    /// Removes acknowledged messages (client identifier, message ids) from their sessions'
    /// queues, in one transaction (the broker batches its PUBACKs into one call). Durable per
    /// the namespace's durability before it returns; a crash before that redelivers them
    /// (with DUP=1).
    pub fn mqtt_session_ack(&self, acks: &[(String, Vec<u64>)]) -> Result<(), EngineError> {
        let mut st = Txn::begin(&self.inner)?;
        let records: Vec<StateRecord<'_>> = acks
            .iter()
            .filter(|(client_id, ids)| {
                !ids.is_empty()
                    && st
                        .mqtt
                        .by_client_id
                        .get(client_id)
                        .is_some_and(|s| ids.iter().any(|id| s.queue.contains_key(id)))
            })
            .map(|(client_id, ids)| {
                StateRecord::Mqtt(MqttRecord::Acked {
                    client_id,
                    ids: ids.clone(),
                })
            })
            .collect();
        if !records.is_empty() {
            st.append(&records)?;
        }
        st.commit()
    }

    /// The connection `connection` (from [`OpenedSession::connection`]) of the stored session
    /// `client_id` ended now: its expiry (and its will's delay, if `will`; a normal DISCONNECT
    /// drops the will) count from here. Nothing happens when another connection has opened the
    /// session since (a takeover). Returns the will if it is due at once (delay 0), taken from
    /// the session to be published.
    pub fn mqtt_session_disconnect(
        &self,
        client_id: &str,
        connection: u64,
        will: bool,
    ) -> Result<Option<DueWill>, EngineError> {
        let mut st = Txn::begin(&self.inner)?;
        if !st
            .mqtt
            .by_client_id
            .get(client_id)
            .is_some_and(|s| s.connected && s.opened_seq == connection)
        {
            return Ok(None);
        }
        let at_ms = st.now().lock_ms;
        st.append(&[StateRecord::Mqtt(MqttRecord::Disconnected {
            client_id,
            at_ms,
            will,
        })])?;
        let due = take_due_will(&mut st, client_id, at_ms)?;
        st.commit()?;
        Ok(due)
    }

    /// Marks every stored session that a connection held when the process stopped as
    /// disconnected now, its will pending (the broker calls it once at start: after a restart
    /// no connection holds a session). Returns how many.
    pub fn mqtt_sessions_restarted(&self) -> Result<usize, EngineError> {
        let mut st = Txn::begin(&self.inner)?;
        let at_ms = st.now().lock_ms;
        let mut connected: Vec<String> = st
            .mqtt
            .by_client_id
            .iter()
            .filter(|(_, s)| s.connected)
            .map(|(client_id, _)| client_id.clone())
            .collect();
        connected.sort();
        if !connected.is_empty() {
            let records: Vec<StateRecord<'_>> = connected
                .iter()
                .map(|client_id| {
                    StateRecord::Mqtt(MqttRecord::Disconnected {
                        client_id,
                        at_ms,
                        will: true,
                    })
                })
                .collect();
            st.append(&records)?;
        }
        st.commit()?;
        Ok(connected.len())
    }

    /// Expires the sessions whose expiry interval has passed since their disconnect (they and
    /// their queues are gone) and takes the wills that are due (their delay passed, or their
    /// session expired), to be published by the broker. A will is taken in the same
    /// transaction that hands it out: a crash before the broker publishes it loses it.
    pub fn mqtt_session_sweep(&self) -> Result<SessionSweep, EngineError> {
        let mut st = Txn::begin(&self.inner)?;
        let now_ms = st.now().lock_ms;
        let mut wills: Vec<String> = Vec::new();
        let mut expired: Vec<String> = Vec::new();
        for (client_id, session) in &st.mqtt.by_client_id {
            if session.will_due_at_ms().is_some_and(|at| at <= now_ms) {
                wills.push(client_id.clone());
            }
            if session.expires_at_ms().is_some_and(|at| at <= now_ms) {
                expired.push(client_id.clone());
            }
        }
        let mut sweep = SessionSweep::default();
        if wills.is_empty() && expired.is_empty() {
            return Ok(sweep);
        }
        wills.sort();
        expired.sort();
        for client_id in &wills {
            if let Some(due) = take_due_will(&mut st, client_id, now_ms)? {
                sweep.wills.push(due);
            }
        }
        if !expired.is_empty() {
            let records: Vec<StateRecord<'_>> = expired
                .iter()
                .map(|client_id| {
                    StateRecord::Mqtt(MqttRecord::Ended {
                        client_id,
                        reason: SessionEnd::Expired as u8,
                    })
                })
                .collect();
            st.append(&records)?;
        }
        st.commit()?;
        sweep.expired = expired;
        Ok(sweep)
    }

    /// The stored sessions, in client-identifier order (inspection and tests).
    pub fn mqtt_sessions(&self) -> Result<Vec<SessionInfo>, EngineError> {
        let st = self.inner.store.lock_state()?;
        let mut sessions: Vec<_> = st
            .mqtt
            .by_client_id
            .iter()
            .map(|(id, s)| SessionInfo {
                client_id: id.clone(),
                authentication_name: s.authentication_name.clone(),
                connected: s.connected,
                queued: s.queue.len(),
            })
            .collect();
        sessions.sort();
        Ok(sessions)
    }
}

/// Takes `client_id`'s will if it is due at `now_ms` (a `WillTaken` record).
fn take_due_will(
    st: &mut Txn<'_>,
    client_id: &str,
    now_ms: i64,
) -> Result<Option<DueWill>, EngineError> {
    let Some(session) = st.mqtt.by_client_id.get(client_id) else {
        return Ok(None);
    };
    let (Some(will), Some(due)) = (&session.will, session.will_due_at_ms()) else {
        return Ok(None);
    };
    if due > now_ms {
        return Ok(None);
    }
    let due = DueWill {
        client_id: client_id.to_owned(),
        authentication_name: session.authentication_name.clone(),
        message: will.message.clone(),
    };
    st.append(&[StateRecord::Mqtt(MqttRecord::WillTaken { client_id })])?;
    Ok(Some(due))
}

/// An MQTT PUBLISH in `st`: `routed` published to its topic, then `queued` queued in the
/// persistent sessions it matches (see [`Namespace::mqtt_publish_async`], which keeps only a
/// `QoS` 1 message in `queued`).
pub(super) fn mqtt_publish_in(
    st: &mut Txn<'_>,
    routed: Option<(&str, &Event)>,
    queued: Option<&MqttMessage>,
) -> Result<Enqueued, EngineError> {
    if let Some((topic, event)) = routed {
        publish_in(st, topic, std::slice::from_ref(event))?;
    }
    match queued {
        Some(message) => {
            debug_assert_ne!(message.qos, 0, "QoS 0 messages are not queued");
            enqueue_in(st, message)
        }
        None => Ok(Enqueued::default()),
    }
}

/// Queues `message` (`QoS` 1) in `st` (see [`Namespace::mqtt_session_enqueue`]).
fn enqueue_in(st: &mut Txn<'_>, message: &MqttMessage) -> Result<Enqueued, EngineError> {
    if st.mqtt.by_client_id.is_empty() {
        return Ok(Enqueued::default());
    }
    let topic: Vec<&str> = message.topic.split('/').collect();
    let bytes = message.queued_bytes();
    let mut targets: Vec<String> = Vec::new();
    let mut overflowed: Vec<String> = Vec::new();
    for (client_id, session) in &st.mqtt.by_client_id {
        if session.granted_qos(&topic) != Some(1) {
            continue;
        }
        if session.queue.len() >= MQTT_SESSION_QUEUE_MESSAGES_MAX
            || session.queued_bytes + bytes > MQTT_SESSION_QUEUE_BYTES_MAX
        {
            overflowed.push(client_id.clone());
        } else {
            targets.push(client_id.clone());
        }
    }
    if targets.is_empty() && overflowed.is_empty() {
        return Ok(Enqueued::default());
    }
    targets.sort();
    overflowed.sort();
    let mut records: Vec<StateRecord<'_>> = overflowed
        .iter()
        .map(|client_id| {
            StateRecord::Mqtt(MqttRecord::Ended {
                client_id,
                reason: SessionEnd::Overflow as u8,
            })
        })
        .collect();
    if !targets.is_empty() {
        records.push(StateRecord::Mqtt(MqttRecord::Enqueued {
            sessions: targets.iter().map(String::as_str).collect(),
            message: message.clone(),
        }));
    }
    let range = st.append(&records)?;
    let id = range.end.0 - 1;
    Ok(Enqueued {
        queued: targets.into_iter().map(|client_id| (client_id, id)).collect(),
        overflowed,
    })
}
