//! Event Hubs at the facade: what [`Namespace::send_to_hub`](crate::Namespace::send_to_hub),
//! [`read_partition`](crate::Namespace::read_partition) and the properties calls take and give,
//! partition-key hashing (`key.rs`), the layout of messages ingested over REST (`rest.rs`) and
//! the `CloudEvent` a message becomes in a hub's topic (`event.rs`). The engine stores each
//! message as opaque bytes with a [`MessageFormat`] tag; a front end converts
//! (docs/eventhubs.md).

mod event;
mod key;
mod rest;

pub use event::{
    CLOUDEVENT_MEDIA_TYPE, DEFAULT_TYPE, EventOrigin, HubEventError, MessageBody, MessageParts,
};
pub use key::{partition_for_key, partition_key_hash};
pub use rest::{RestMessage, RestMessageError};

/// Where a send's messages go: all of one call land in one partition.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PartitionTarget<'a> {
    /// The hub's next partition in turn (in memory: a restart starts again at partition 0).
    RoundRobin,
    /// The partition the key hashes to ([`partition_for_key`]), stable across restarts and the
    /// same as Azure's for the same partition count.
    Key(&'a str),
    /// A publisher (REST `publishers/{name}`): its name is the partition key, and the events
    /// made for the hub's topic name it in their `source`.
    Publisher(&'a str),
    /// This partition (`0..partitionCount`).
    Id(u32),
}

/// The layout of a stored message's bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum MessageFormat {
    /// The AMQP 1.0 encoding of the message's sections (the front end's business).
    Amqp = 1,
    /// A message ingested over REST: body, content type and custom properties in the engine's
    /// documented layout ([`RestMessage`], docs/format.md §6b.2).
    Rest = 2,
}

impl MessageFormat {
    /// The format of byte `value` (as stored).
    pub const fn from_byte(value: u8) -> Option<Self> {
        match value {
            1 => Some(Self::Amqp),
            2 => Some(Self::Rest),
            _ => None,
        }
    }
}

/// One message to send.
#[derive(Clone, Copy, Debug)]
pub struct HubMessage<'a> {
    /// The layout of `bytes`.
    pub format: MessageFormat,
    /// The message, stored as given.
    pub bytes: &'a [u8],
    /// The partition key it carries (stored with it and given back by reads), at most 128
    /// bytes. Where the message goes is the send's [`PartitionTarget`].
    pub partition_key: Option<&'a str>,
    /// What the message's `CloudEvent` is made of: required for a hub mapped to a topic, where
    /// the send publishes it into the topic in the same transaction; ignored otherwise.
    pub parts: Option<&'a MessageParts>,
}

/// What a send stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HubReceipt {
    /// The partition.
    pub partition: u32,
    /// The first message's sequence number (the others follow, one apart).
    pub first_sequence_number: i64,
    /// Messages stored.
    pub count: usize,
    /// Their enqueued time, Unix ms (the same for all of one send).
    pub enqueued_time_ms: i64,
}

/// Where a partition read starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventPosition {
    /// The first retained event.
    Earliest,
    /// After the last event at the time of the call (a read returns nothing; a receiver resolves
    /// it once, with [`PartitionInfo::last_sequence_number`], and reads from there).
    Latest,
    /// The event at this offset (`inclusive`) or the first after it.
    Offset {
        /// An offset as given by [`HubEvent::offset`].
        offset: i64,
        /// Include the event at `offset`.
        inclusive: bool,
    },
    /// The event with this sequence number (`inclusive`) or the first after it.
    SequenceNumber {
        /// A sequence number.
        n: i64,
        /// Include the event numbered `n`.
        inclusive: bool,
    },
    /// The first event enqueued after this time (at it too when `inclusive`).
    EnqueuedTime {
        /// Unix ms.
        ms: i64,
        /// Include events enqueued exactly at `ms`.
        inclusive: bool,
    },
}

/// One event read from a partition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HubEvent {
    /// Its sequence number in the partition.
    pub sequence_number: i64,
    /// Its offset: the WAL position of its record, increasing within a partition (not by one).
    pub offset: i64,
    /// Enqueued time, Unix ms.
    pub enqueued_time_ms: i64,
    /// The partition key it was sent with.
    pub partition_key: Option<String>,
    /// The layout of `bytes`.
    pub format: MessageFormat,
    /// The message as sent.
    pub bytes: Vec<u8>,
}

/// An Event Hub's properties.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HubInfo {
    /// Its name, as configured.
    pub name: String,
    /// When it was created, Unix ms.
    pub created_at_ms: i64,
    /// `"0"`, `"1"`, … (`partitionCount` of them).
    pub partition_ids: Vec<String>,
    /// Its consumer groups, `$Default` first.
    pub consumer_groups: Vec<String>,
    /// Retention, hours.
    pub retention_hours: u32,
    /// The topic its events are also published into.
    pub topic: Option<String>,
}

/// A partition's properties.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartitionInfo {
    /// The hub's name.
    pub hub: String,
    /// The partition id (`"0"`, …).
    pub id: String,
    /// The first retained event's sequence number (the next one when the partition is empty).
    pub begin_sequence_number: i64,
    /// The last event's sequence number; −1 when none was ever sent.
    pub last_sequence_number: i64,
    /// The last event's offset; −1 when none was ever sent.
    pub last_offset: i64,
    /// The last event's enqueued time, Unix ms; 0 when none was ever sent.
    pub last_enqueued_time_ms: i64,
    /// No retained event.
    pub is_empty: bool,
}
