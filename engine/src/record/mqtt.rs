//! [`MqttRecord`]: the MQTT broker's persistent-session records, nested in the one top-level
//! variant [`StateRecord::Mqtt`](super::StateRecord::Mqtt) (tag 15), and the messages and wills
//! they carry ([`MqttMessage`], [`MqttProperties`], [`MqttWill`], which the facade re-exports).
//! Layout: docs/format.md §6b.3.
//!
//! Variant and field order is the on-disk layout: never reorder, only append variants.

use serde::{Deserialize, Serialize};

/// A message as a session holds it: queued for an offline session, in flight to a connected
/// one, or a will. Owned: the state keeps it (one copy shared by every session it is queued in).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MqttMessage {
    /// Topic name.
    pub topic: String,
    /// Payload.
    pub payload: Vec<u8>,
    /// `QoS` it was published with (0 or 1).
    pub qos: u8,
    /// MQTT 5 properties passed on to MQTT 5 subscribers (`None` from a 3.1.1 publisher).
    pub properties: Option<MqttProperties>,
}

impl MqttMessage {
    /// What it counts against a session's queue bound, in bytes: topic, payload and the
    /// variable-length properties.
    pub fn queued_bytes(&self) -> u64 {
        let properties = self.properties.as_ref().map_or(0, |p| {
            p.content_type.as_ref().map_or(0, String::len)
                + p.response_topic.as_ref().map_or(0, String::len)
                + p.correlation_data.as_ref().map_or(0, Vec::len)
                + p.user_properties
                    .iter()
                    .map(|(name, value)| name.len() + value.len())
                    .sum::<usize>()
        });
        (self.topic.len() + self.payload.len() + properties) as u64
    }
}

/// The MQTT 5 properties of a message that pass from publisher to subscriber.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MqttProperties {
    /// Payload Format Indicator 1 (UTF-8).
    pub utf8_payload: bool,
    /// Content Type.
    pub content_type: Option<String>,
    /// Response Topic.
    pub response_topic: Option<String>,
    /// Correlation Data.
    pub correlation_data: Option<Vec<u8>>,
    /// Message Expiry Interval, seconds, as published.
    pub message_expiry_secs: Option<u32>,
    /// User properties (name, value), in order.
    pub user_properties: Vec<(String, String)>,
}

/// A session's will: published when the delay passes after an abnormal end of its
/// connection, or when the session ends first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MqttWill {
    /// Will Delay Interval, seconds (at most `limits::MQTT_WILL_DELAY_SECS_MAX`).
    pub delay_secs: u32,
    /// The will message.
    pub message: MqttMessage,
}

/// Why a persistent session ended (byte values are on disk).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum SessionEnd {
    /// Its expiry interval passed after its last disconnect.
    Expired = 1,
    /// Its queue would have held more than 100 messages or 1 MB (the service's
    /// `SessionOverflow`).
    Overflow = 2,
}

impl SessionEnd {
    /// The reason for byte `value`.
    pub const fn from_byte(value: u8) -> Option<Self> {
        match value {
            1 => Some(Self::Expired),
            2 => Some(Self::Overflow),
            _ => None,
        }
    }
}

/// A persistent-session state change. Sessions are named by their client identifier.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum MqttRecord<'a> {
    /// Tag 0: a connection opened the session. `clean` (Clean Start, 3.1.1 `cleanSession=1`)
    /// discards what was stored first; an `expiry_secs` of 0 discards it and stores nothing
    /// (the session ends with the connection). Otherwise the session is created or resumed,
    /// connected, with this expiry and will (replacing and so cancelling a pending one), and
    /// every message in its queue counts as sent from here on (redelivered with DUP=1).
    Opened {
        /// Client identifier.
        #[serde(borrow)]
        client_id: &'a str,
        /// The authenticated client's authentication name.
        #[serde(borrow)]
        authentication_name: &'a str,
        /// Clean Start.
        clean: bool,
        /// Session Expiry Interval, seconds, clamped to the namespace's maximum.
        expiry_secs: u32,
        /// The connection's will, if any.
        will: Option<MqttWill>,
    },
    /// Tag 1: subscriptions added or replaced: (filter, granted `QoS`).
    Subscribed {
        /// Client identifier.
        #[serde(borrow)]
        client_id: &'a str,
        /// Filters and their granted `QoS`.
        #[serde(borrow)]
        filters: Vec<(&'a str, u8)>,
    },
    /// Tag 2: subscriptions removed.
    Unsubscribed {
        /// Client identifier.
        #[serde(borrow)]
        client_id: &'a str,
        /// Filters.
        #[serde(borrow)]
        filters: Vec<&'a str>,
    },
    /// Tag 3: a `QoS` 1 message queued in these sessions; its id in each is this record's seq.
    /// Queued in a connected session it counts as sent (in flight).
    Enqueued {
        /// Client identifiers.
        #[serde(borrow)]
        sessions: Vec<&'a str>,
        /// The message.
        message: MqttMessage,
    },
    /// Tag 4: messages the subscriber acknowledged (PUBACK), by id: removed from its queue.
    Acked {
        /// Client identifier.
        #[serde(borrow)]
        client_id: &'a str,
        /// Message ids (the seqs of their `Enqueued` records).
        ids: Vec<u64>,
    },
    /// Tag 5: the session's connection ended at `at_ms` (lock clock, Unix ms); expiry and the
    /// will delay count from here. `will`: false after a normal DISCONNECT (the will is
    /// dropped).
    Disconnected {
        /// Client identifier.
        #[serde(borrow)]
        client_id: &'a str,
        /// When, on the namespace's lock clock, Unix ms.
        at_ms: i64,
        /// Whether the will stays pending.
        will: bool,
    },
    /// Tag 6: the session ended ([`SessionEnd`] byte): it and its queue are gone.
    Ended {
        /// Client identifier.
        #[serde(borrow)]
        client_id: &'a str,
        /// [`SessionEnd`] byte.
        reason: u8,
    },
    /// Tag 7: the session's will was taken to be published (its delay passed, or its session
    /// ended).
    WillTaken {
        /// Client identifier.
        #[serde(borrow)]
        client_id: &'a str,
    },
}
