//! The MQTT broker's persistent sessions at the facade: what `Namespace::mqtt_session_*` take
//! and give. The sessions themselves are engine state (`state/mqtt.rs`), changed only by the
//! [`MqttRecord`](crate::record::MqttRecord)s (tag 15) and rebuilt from the WAL like everything
//! else; the broker (`gridlog-mqtt`) decides who may connect, publish and subscribe.

use std::sync::Arc;

pub use crate::record::{MqttMessage, MqttProperties, MqttWill, SessionEnd};

mod topic;

pub use topic::{filter_segments, topic_matches};

/// A CONNECT, as far as the stored session is concerned.
#[derive(Clone, Debug)]
pub struct SessionOpen {
    /// Client identifier (the session's name).
    pub client_id: String,
    /// The authenticated client's authentication name.
    pub authentication_name: String,
    /// Clean Start (MQTT 5) or `cleanSession=1` (3.1.1): discard what is stored.
    pub clean_start: bool,
    /// Session Expiry Interval, seconds, already clamped to the namespace's maximum; 0 is a
    /// session that ends with its connection (nothing is stored).
    pub expiry_secs: u32,
    /// The connection's will (stored only in a session that outlives its connection).
    pub will: Option<MqttWill>,
}

/// What a CONNECT finds: the stored session it resumes, if any.
#[derive(Clone, Debug, Default)]
pub struct OpenedSession {
    /// A stored session was resumed (CONNACK Session Present).
    pub present: bool,
    /// This connection's hold on the stored session (pass it to
    /// [`Namespace::mqtt_session_disconnect`](crate::Namespace::mqtt_session_disconnect)); 0
    /// when nothing is stored (Session Expiry Interval 0).
    pub connection: u64,
    /// Its subscriptions: (filter, granted `QoS`), in the order they were made.
    pub subscriptions: Vec<(String, u8)>,
    /// Its `QoS` 1 messages not yet acknowledged, oldest first.
    pub queue: Vec<QueuedMessage>,
}

/// A message in a session's queue.
#[derive(Clone, Debug)]
pub struct QueuedMessage {
    /// Its id in the session (acknowledge it with this).
    pub id: u64,
    /// It may have been sent before (redeliver with DUP=1).
    pub dup: bool,
    /// The message.
    pub message: Arc<MqttMessage>,
}

/// A message queued by [`Namespace::mqtt_session_enqueue`](crate::Namespace::mqtt_session_enqueue).
#[derive(Clone, Debug, Default)]
pub struct Enqueued {
    /// (client identifier, message id) of each stored session it was queued in.
    pub queued: Vec<(String, u64)>,
    /// Sessions it would have overflowed: ended (the service's `SessionOverflow`).
    pub overflowed: Vec<String>,
}

/// A will due now, taken from its session to be published by the broker.
#[derive(Clone, Debug)]
pub struct DueWill {
    /// Client identifier.
    pub client_id: String,
    /// Authentication name of the client that set it (its Publisher grants authorize it).
    pub authentication_name: String,
    /// The will message.
    pub message: MqttMessage,
}

/// What a sweep of the stored sessions did.
#[derive(Clone, Debug, Default)]
pub struct SessionSweep {
    /// Sessions that expired (and their queues) now gone.
    pub expired: Vec<String>,
    /// Wills due (delay passed, or their session expired), to publish.
    pub wills: Vec<DueWill>,
}

/// A stored session, as [`Namespace::mqtt_sessions`](crate::Namespace::mqtt_sessions) lists it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct SessionInfo {
    /// Client identifier.
    pub client_id: String,
    /// Authentication name of its client.
    pub authentication_name: String,
    /// A connection holds it.
    pub connected: bool,
    /// Messages in its queue (not yet acknowledged).
    pub queued: usize,
}
