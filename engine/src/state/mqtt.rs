//! The MQTT broker's persistent sessions, as derived state: per client identifier its
//! authentication name, expiry, connection state, subscriptions, `QoS` 1 queue (messages not
//! yet acknowledged, sent or not) and pending will, changed only by the [`MqttRecord`]s.
//!
//! Memory: a session's queue is bounded by the decision that appends `Enqueued`
//! (`limits::MQTT_SESSION_QUEUE_MESSAGES_MAX` messages, `limits::MQTT_SESSION_QUEUE_BYTES_MAX`
//! bytes: one more ends the session); a message queued in several sessions is held once.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::NamespaceState;
use crate::config::mqtt::FilterSegment;
use crate::mqtt::filter_segments;
use crate::record::{MqttMessage, MqttRecord, MqttWill};

/// One stored session.
#[derive(Clone, Debug)]
pub struct MqttSession {
    /// Authentication name of the client that owns it.
    pub authentication_name: String,
    /// Session Expiry Interval, seconds.
    pub expiry_secs: u32,
    /// A connection holds it.
    pub connected: bool,
    /// The seq of the `Opened` record of the connection that last opened it (a disconnect
    /// counts only from that connection, not from one it took the session from).
    pub opened_seq: u64,
    /// When its last connection ended, lock clock, Unix ms (meaningful when not connected).
    pub disconnected_at_ms: i64,
    /// (filter text, parsed filter, granted `QoS`), in the order they were made.
    pub subscriptions: Vec<(String, Vec<FilterSegment>, u8)>,
    /// Messages not yet acknowledged, by id; `true`: possibly sent.
    pub queue: BTreeMap<u64, (Arc<MqttMessage>, bool)>,
    /// Sum of the queued messages' [`MqttMessage::queued_bytes`].
    pub queued_bytes: u64,
    /// The pending will.
    pub will: Option<MqttWill>,
}

impl MqttSession {
    fn new(authentication_name: &str, expiry_secs: u32) -> Self {
        Self {
            authentication_name: authentication_name.to_owned(),
            expiry_secs,
            connected: false,
            opened_seq: 0,
            disconnected_at_ms: 0,
            subscriptions: Vec::new(),
            queue: BTreeMap::new(),
            queued_bytes: 0,
            will: None,
        }
    }

    /// The highest granted `QoS` among the subscriptions that match `topic`, if any does.
    pub fn granted_qos(&self, topic: &[&str]) -> Option<u8> {
        self.subscriptions
            .iter()
            .filter(|(_, filter, _)| crate::mqtt::topic_matches(filter, topic))
            .map(|&(_, _, qos)| qos)
            .max()
    }

    /// When it expires, lock clock, Unix ms (`None` while connected).
    pub fn expires_at_ms(&self) -> Option<i64> {
        (!self.connected).then(|| {
            self.disconnected_at_ms
                .saturating_add(i64::from(self.expiry_secs) * 1_000)
        })
    }

    /// When its will is due, lock clock, Unix ms (`None` while connected or without one): the
    /// delay after the disconnect, or the session's end if that comes first.
    pub fn will_due_at_ms(&self) -> Option<i64> {
        let will = self.will.as_ref()?;
        let expires = self.expires_at_ms()?;
        Some(
            self.disconnected_at_ms
                .saturating_add(i64::from(will.delay_secs) * 1_000)
                .min(expires),
        )
    }

    fn subscribe(&mut self, filter: &str, qos: u8) {
        if let Some(existing) = self.subscriptions.iter_mut().find(|(f, _, _)| f == filter) {
            existing.2 = qos;
        } else {
            self.subscriptions
                .push((filter.to_owned(), filter_segments(filter), qos));
        }
    }

    fn enqueue(&mut self, id: u64, message: Arc<MqttMessage>) {
        self.queued_bytes += message.queued_bytes();
        self.queue.insert(id, (message, self.connected));
    }

    fn ack(&mut self, id: u64) {
        if let Some((message, _)) = self.queue.remove(&id) {
            self.queued_bytes = self.queued_bytes.saturating_sub(message.queued_bytes());
        }
    }
}

/// Every stored session, by client identifier.
#[derive(Clone, Debug, Default)]
pub struct MqttSessions {
    /// Sessions by client identifier (case-sensitive).
    pub by_client_id: HashMap<String, MqttSession>,
}

impl NamespaceState {
    /// Applies an [`MqttRecord`] at `seq`.
    pub(super) fn apply_mqtt(&mut self, seq: u64, record: &MqttRecord<'_>) {
        let sessions = &mut self.mqtt.by_client_id;
        match record {
            MqttRecord::Opened {
                client_id,
                authentication_name,
                clean,
                expiry_secs,
                will,
            } => {
                if *clean || *expiry_secs == 0 {
                    sessions.remove(*client_id);
                }
                if *expiry_secs == 0 {
                    return;
                }
                let session = sessions
                    .entry((*client_id).to_owned())
                    .or_insert_with(|| MqttSession::new(authentication_name, *expiry_secs));
                (*authentication_name).clone_into(&mut session.authentication_name);
                session.expiry_secs = *expiry_secs;
                session.connected = true;
                session.opened_seq = seq;
                session.will.clone_from(will);
                for (_, sent) in session.queue.values_mut() {
                    *sent = true;
                }
            }
            MqttRecord::Subscribed { client_id, filters } => {
                if let Some(session) = sessions.get_mut(*client_id) {
                    for (filter, qos) in filters {
                        session.subscribe(filter, *qos);
                    }
                }
            }
            MqttRecord::Unsubscribed { client_id, filters } => {
                if let Some(session) = sessions.get_mut(*client_id) {
                    session
                        .subscriptions
                        .retain(|(f, _, _)| !filters.contains(&f.as_str()));
                }
            }
            MqttRecord::Enqueued {
                sessions: targets,
                message,
            } => {
                let message = Arc::new(message.clone());
                for client_id in targets {
                    if let Some(session) = sessions.get_mut(*client_id) {
                        session.enqueue(seq, message.clone());
                    }
                }
            }
            MqttRecord::Acked { client_id, ids } => {
                if let Some(session) = sessions.get_mut(*client_id) {
                    for id in ids {
                        session.ack(*id);
                    }
                }
            }
            MqttRecord::Disconnected {
                client_id,
                at_ms,
                will,
            } => {
                if let Some(session) = sessions.get_mut(*client_id) {
                    session.connected = false;
                    session.disconnected_at_ms = *at_ms;
                    if !will {
                        session.will = None;
                    }
                }
            }
            MqttRecord::Ended { client_id, .. } => {
                sessions.remove(*client_id);
            }
            MqttRecord::WillTaken { client_id } => {
                if let Some(session) = sessions.get_mut(*client_id) {
                    session.will = None;
                }
            }
        }
    }
}

/// The stored sessions in a snapshot (layout 7 on, docs/format.md §6b.1).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MqttSnap {
    /// Every session.
    pub sessions: Vec<MqttSessionSnap>,
}

/// One session in a [`MqttSnap`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MqttSessionSnap {
    /// Client identifier.
    pub client_id: String,
    /// Authentication name.
    pub authentication_name: String,
    /// Expiry interval, seconds.
    pub expiry_secs: u32,
    /// Connected.
    pub connected: bool,
    /// Seq of the last `Opened` record.
    pub opened_seq: u64,
    /// Last disconnect, lock clock, Unix ms.
    pub disconnected_at_ms: i64,
    /// (filter, granted `QoS`).
    pub subscriptions: Vec<(String, u8)>,
    /// (id, possibly sent, message), ascending ids.
    pub queue: Vec<(u64, bool, MqttMessage)>,
    /// Pending will.
    pub will: Option<MqttWill>,
}

impl MqttSessions {
    /// The snapshot of every session, in client-identifier order.
    pub fn snapshot(&self) -> MqttSnap {
        let mut sessions: Vec<MqttSessionSnap> = self
            .by_client_id
            .iter()
            .map(|(client_id, s)| MqttSessionSnap {
                client_id: client_id.clone(),
                authentication_name: s.authentication_name.clone(),
                expiry_secs: s.expiry_secs,
                connected: s.connected,
                opened_seq: s.opened_seq,
                disconnected_at_ms: s.disconnected_at_ms,
                subscriptions: s
                    .subscriptions
                    .iter()
                    .map(|(filter, _, qos)| (filter.clone(), *qos))
                    .collect(),
                queue: s
                    .queue
                    .iter()
                    .map(|(id, (message, sent))| (*id, *sent, MqttMessage::clone(message)))
                    .collect(),
                will: s.will.clone(),
            })
            .collect();
        sessions.sort_by(|a, b| a.client_id.cmp(&b.client_id));
        MqttSnap { sessions }
    }

    /// The sessions of `snapshot` (a message queued in several sessions is held once again,
    /// by id).
    pub fn restore(snapshot: &MqttSnap) -> Self {
        let mut shared: HashMap<u64, Arc<MqttMessage>> = HashMap::new();
        let by_client_id = snapshot
            .sessions
            .iter()
            .map(|snap| {
                let mut session = MqttSession::new(&snap.authentication_name, snap.expiry_secs);
                session.connected = snap.connected;
                session.opened_seq = snap.opened_seq;
                session.disconnected_at_ms = snap.disconnected_at_ms;
                for (filter, qos) in &snap.subscriptions {
                    session.subscribe(filter, *qos);
                }
                for (id, sent, message) in &snap.queue {
                    let message = shared
                        .entry(*id)
                        .or_insert_with(|| Arc::new(message.clone()))
                        .clone();
                    session.queued_bytes += message.queued_bytes();
                    session.queue.insert(*id, (message, *sent));
                }
                session.will.clone_from(&snap.will);
                (snap.client_id.clone(), session)
            })
            .collect();
        Self { by_client_id }
    }
}
