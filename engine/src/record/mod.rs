//! The engine's WAL records: every state change of a namespace is one [`StateRecord`], encoded
//! with [`gridlog_format::encode_state_record`] (postcard behind the format crate's one door).
//! The byte layout of every variant is specified in docs/format.md §6b and pinned by
//! `engine/tests/golden.rs`.
//!
//! Variant order is the on-disk variant index: never reorder, only append.

use serde::{Deserialize, Serialize};
use std::ops::Range;

use crate::error::EngineError;
use crate::limits::TOKEN_SECRET_BYTES;

mod hub;
mod mqtt;

pub use hub::HubRecord;
pub use mqtt::{MqttMessage, MqttProperties, MqttRecord, MqttWill, SessionEnd};

/// One (event, delivery) pair: the event's seq and the delivery count the record refers to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// The event's WAL sequence number.
    pub seq: u64,
    /// The delivery count (the lock generation the token carried).
    pub delivery_count: u32,
}

/// One event locked by a receive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockEntry {
    /// The event's WAL sequence number.
    pub seq: u64,
    /// The delivery count after this receive (1 on the first delivery).
    pub delivery_count: u32,
    /// The event's (clamped) publish time, Unix milliseconds: TTL and retention are measured
    /// from it, and the receive is where a never-delivered event enters the in-flight state.
    pub published_at_ms: i64,
    /// The event's 64 KB billing units (`gridlog_format::billing_units` of its JSON size): the
    /// delivery meter adds them here, and settlements of this delivery add them again.
    pub units: u32,
}

/// One event locked by a receive, as written before billing units were recorded ([`StateRecord::LockV1`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockEntryV1 {
    /// The event's WAL sequence number.
    pub seq: u64,
    /// The delivery count after this receive.
    pub delivery_count: u32,
    /// The event's publish time, Unix milliseconds.
    pub published_at_ms: i64,
}

impl LockEntryV1 {
    /// The entry with the billing units a record without them implies: 1, the minimum (the
    /// event's size is not in the record).
    pub const fn upgrade(self) -> LockEntry {
        LockEntry {
            seq: self.seq,
            delivery_count: self.delivery_count,
            published_at_ms: self.published_at_ms,
            units: 1,
        }
    }
}

/// Why an event was dead-lettered (byte values are on disk).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum DeadLetterReason {
    /// `maxDeliveryCount` deliveries were made and none settled the event.
    MaxDeliveryCount = 1,
    /// The receiver rejected it.
    Rejected = 2,
    /// Its time-to-live passed while it was available.
    TtlExpired = 3,
}

impl DeadLetterReason {
    /// The reason for byte `value`.
    pub fn from_byte(value: u8) -> Option<Self> {
        match value {
            1 => Some(Self::MaxDeliveryCount),
            2 => Some(Self::Rejected),
            3 => Some(Self::TtlExpired),
            _ => None,
        }
    }

    /// The `deadletterreason` attribute (docs/delivery.md §6).
    pub const fn reason_text(self) -> &'static str {
        match self {
            Self::MaxDeliveryCount => "Maximum delivery attempts was exceeded.",
            Self::Rejected => "Rejected by the receiver.",
            Self::TtlExpired => "TTL expired.",
        }
    }

    /// The `deliveryresult` attribute (docs/delivery.md §6).
    pub const fn result_text(self) -> &'static str {
        match self {
            Self::MaxDeliveryCount => "Event was not acknowledged nor rejected.",
            Self::Rejected => "Rejected.",
            Self::TtlExpired => "Expired.",
        }
    }
}

/// A borrowed byte string, encoded as postcard bytes (varint length, then the bytes).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Bytes<'a>(pub &'a [u8]);

impl std::fmt::Debug for Bytes<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Bytes({} bytes)", self.0.len())
    }
}

impl Serialize for Bytes<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bytes(self.0)
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Bytes<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        <&'de [u8]>::deserialize(deserializer).map(Bytes)
    }
}

/// The variant index (on-disk tag) of [`StateRecord::Publish`].
const PUBLISH_TAG: u32 = 5;

/// Serialize-only mirror of [`StateRecord::Publish`] whose event record is serialized in place
/// ([`StateRecord::encode_publish`]).
struct PublishOut<'r, 'a> {
    topic: u32,
    published_at_ms: i64,
    event: gridlog_format::EmbeddedEventRecord<'r, 'a>,
}

impl Serialize for PublishOut<'_, '_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStructVariant as _;
        let mut variant =
            serializer.serialize_struct_variant("StateRecord", PUBLISH_TAG, "Publish", 3)?;
        variant.serialize_field("topic", &self.topic)?;
        variant.serialize_field("published_at_ms", &self.published_at_ms)?;
        variant.serialize_field("event", &self.event)?;
        variant.end()
    }
}

/// A state-change record. Variant indexes (postcard varint) are the on-disk tags 0..=15.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum StateRecord<'a> {
    /// Tag 0: The first record of a namespace: the lock-token secret lives in the WAL.
    Created {
        /// HMAC-SHA256 key for lock tokens.
        secret: [u8; TOKEN_SECRET_BYTES],
        /// Creation time, Unix ms.
        created_at_ms: i64,
    },
    /// Tag 1: A topic was created or its configuration replaced.
    TopicPut {
        /// Topic id (never reused).
        id: u32,
        /// ARM JSON of the topic without subscriptions.
        #[serde(borrow)]
        config_json: &'a str,
    },
    /// Tag 2: A topic and its subscriptions were deleted.
    TopicDeleted {
        /// Topic id.
        id: u32,
    },
    /// Tag 3: A subscription was created or its configuration replaced.
    SubscriptionPut {
        /// Subscription id (never reused).
        id: u64,
        /// Its topic's id.
        topic: u32,
        /// ARM JSON of the subscription.
        #[serde(borrow)]
        config_json: &'a str,
        /// It sees events with seq ≥ this (ignored on update).
        start_seq: u64,
    },
    /// Tag 4: A subscription was deleted.
    SubscriptionDeleted {
        /// Subscription id.
        id: u64,
    },
    /// Tag 5: One published event.
    Publish {
        /// Topic id.
        topic: u32,
        /// Publish time, Unix ms, clamped non-decreasing.
        published_at_ms: i64,
        /// A format event record (`gridlog_format::encode_record`).
        #[serde(borrow)]
        event: Bytes<'a>,
    },
    /// Tag 6: One receive, as written before billing units were recorded: read (each entry
    /// counts 1 unit), never written; [`StateRecord::Lock`] (tag 12) replaced it.
    LockV1 {
        /// Subscription id.
        sub: u64,
        /// Time of the receive on the wall clock, Unix ms (the delivery time users see).
        locked_at_ms: i64,
        /// Lock deadline on the namespace's lock clock (docs/delivery.md §5), Unix ms: the
        /// lock-clock time of the receive plus the lock duration.
        deadline_ms: i64,
        /// Scan position after this receive: every matching event below it is in flight,
        /// settled, or dead-lettered by a preceding record.
        cursor: u64,
        /// The events locked, with their new delivery counts.
        entries: Vec<LockEntryV1>,
    },
    /// Tag 7: Acknowledged deliveries.
    Ack {
        /// Subscription id.
        sub: u64,
        /// Acknowledged (seq, delivery count).
        entries: Vec<Entry>,
    },
    /// Tag 8: Released deliveries, as written before the delay was recorded: read (the delay
    /// counts as [`crate::state::RELEASE_DELAY_MAX`], the longest), never written;
    /// [`StateRecord::Release`] (tag 13) replaced it.
    ReleaseV1 {
        /// Subscription id.
        sub: u64,
        /// When they become visible again, on the lock clock, Unix ms.
        visible_at_ms: i64,
        /// Released (seq, delivery count).
        entries: Vec<Entry>,
    },
    /// Tag 9: Renewed locks.
    Renew {
        /// Subscription id.
        sub: u64,
        /// The new deadline on the lock clock, Unix ms.
        deadline_ms: i64,
        /// Renewed (seq, delivery count).
        entries: Vec<Entry>,
    },
    /// Tag 10: An event settled in `sub` by dead-lettering and, with a target topic, published into
    /// the dead-letter topic: one record.
    DeadLetter {
        /// Source subscription id.
        sub: u64,
        /// Source event seq.
        seq: u64,
        /// Deliveries made.
        delivery_count: u32,
        /// [`DeadLetterReason`] byte.
        reason: u8,
        /// Dead-letter topic id; `None` = dropped.
        target_topic: Option<u32>,
        /// Publish time of the dead-letter event, Unix ms (clamped non-decreasing).
        published_at_ms: i64,
        /// The dead-letter event record (empty when dropped).
        #[serde(borrow)]
        event: Bytes<'a>,
    },
    /// Tag 11: One chunk of a full snapshot of the derived state ([`crate::state::Snapshot`]).
    /// Chunks `0..count` are appended in one batch; the last one completes the snapshot.
    Checkpoint {
        /// Chunk index.
        chunk: u32,
        /// Number of chunks.
        count: u32,
        /// Bytes of the encoded snapshot (`Snapshot::encode`), split into chunks.
        #[serde(borrow)]
        body: Bytes<'a>,
    },
    /// Tag 12: One receive: the events it locked, each with its billing units.
    Lock {
        /// Subscription id.
        sub: u64,
        /// Time of the receive on the wall clock, Unix ms (the delivery time users see).
        locked_at_ms: i64,
        /// Lock deadline on the namespace's lock clock (docs/delivery.md §5), Unix ms: the
        /// lock-clock time of the receive plus the lock duration.
        deadline_ms: i64,
        /// Scan position after this receive: every matching event below it is in flight,
        /// settled, or dead-lettered by a preceding record.
        cursor: u64,
        /// The events locked, with their new delivery counts and billing units.
        entries: Vec<LockEntry>,
    },
    /// Tag 13: Released deliveries, with the delay that was asked for.
    Release {
        /// Subscription id.
        sub: u64,
        /// When they become visible again, Unix ms: the lock-clock time of the release plus
        /// `delay_ms`.
        visible_at_ms: i64,
        /// The release delay, ms (at most [`crate::state::RELEASE_DELAY_MAX`]). Whenever the
        /// record is applied (live, or replayed after a restart), the time left until
        /// `visible_at_ms` is clamped to `[0, delay_ms]`, so a clock that went back (a wall
        /// clock across a reboot) cannot hide the events for longer than the delay.
        delay_ms: u32,
        /// Released (seq, delivery count).
        entries: Vec<Entry>,
    },
    /// Tag 14: an Event Hubs state change ([`HubRecord`], its own nested tags).
    #[serde(borrow)]
    Hub(HubRecord<'a>),
    /// Tag 15: an MQTT persistent-session state change ([`MqttRecord`], its own nested tags).
    #[serde(borrow)]
    Mqtt(MqttRecord<'a>),
}

impl StateRecord<'_> {
    /// Encodes the record as stored in the WAL.
    pub fn encode(&self) -> Vec<u8> {
        gridlog_format::encode_state_record(self)
    }

    /// The encoding of `Publish { topic, published_at_ms, event: Bytes(&encode_record(event)) }`
    /// built in one pass (no intermediate event-record buffer). The event record is the last
    /// `event.encoded_len()` bytes of the result.
    pub fn encode_publish(
        topic: u32,
        published_at_ms: i64,
        event: &gridlog_format::EventRecord<'_>,
    ) -> Vec<u8> {
        let mut out = Vec::new();
        Self::encode_publish_into(topic, published_at_ms, event, &mut out);
        out
    }

    /// [`StateRecord::encode_publish`], appended to `out` (the publish path encodes a whole
    /// batch into one buffer). Returns where the state record lies in `out` and where, inside
    /// it, the embedded event record does (its last bytes).
    pub fn encode_publish_into(
        topic: u32,
        published_at_ms: i64,
        event: &gridlog_format::EventRecord<'_>,
        out: &mut Vec<u8>,
    ) -> (Range<usize>, Range<usize>) {
        let embedded = gridlog_format::EmbeddedEventRecord::new(event);
        let event_len = embedded.encoded_len();
        let range = gridlog_format::encode_state_record_into(
            &PublishOut {
                topic,
                published_at_ms,
                event: embedded,
            },
            out,
        );
        debug_assert_eq!(
            out[range.clone()],
            StateRecord::Publish {
                topic,
                published_at_ms,
                event: Bytes(&gridlog_format::encode_record(event)),
            }
            .encode(),
            "the one-pass publish encoding must equal the two-pass one"
        );
        let event_range = range.end - event_len..range.end;
        (range, event_range)
    }

    /// Is this a record that publishes an event into a topic (`Publish`, or `DeadLetter` with a
    /// target)? Returns (topic, `published_at_ms`, event record bytes).
    pub fn published(&self) -> Option<(u32, i64, &[u8])> {
        match self {
            StateRecord::Publish {
                topic,
                published_at_ms,
                event,
            }
            | StateRecord::DeadLetter {
                target_topic: Some(topic),
                published_at_ms,
                event,
                ..
            } => Some((*topic, *published_at_ms, event.0)),
            _ => None,
        }
    }
}

/// Decodes a WAL record, borrowing from `bytes`.
pub fn decode(seq: u64, bytes: &[u8]) -> Result<StateRecord<'_>, EngineError> {
    gridlog_format::decode_state_record(bytes).map_err(|error| EngineError::Corrupt {
        seq,
        reason: error.to_string(),
    })
}
