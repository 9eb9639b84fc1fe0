//! [`HubRecord`]: the Event Hubs records, nested in the one top-level variant
//! [`StateRecord::Hub`](super::StateRecord::Hub) (tag 14). Layout: docs/format.md §6b.2.
//!
//! Variant order is the on-disk variant index: never reorder, only append.

use serde::{Deserialize, Serialize};

use super::Bytes;

/// An Event Hubs state change.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum HubRecord<'a> {
    /// Tag 0: an Event Hub was created or its configuration replaced.
    Put {
        /// Hub id (never reused).
        id: u32,
        /// ARM JSON of the hub (`eventHubs[i]`, every default spelled out).
        #[serde(borrow)]
        config_json: &'a str,
        /// Creation time, Unix ms (kept from the first `Put` of the id).
        created_at_ms: i64,
    },
    /// Tag 1: one event appended to a partition. Its offset is this record's WAL seq.
    Append {
        /// Hub id.
        hub: u32,
        /// Partition index, `0..partitionCount`.
        partition: u32,
        /// The event's sequence number: the partition's previous one plus 1, from 0.
        sequence_number: i64,
        /// Enqueued time, Unix ms: the same for every event of one send, never below the
        /// partition's previous one.
        enqueued_at_ms: i64,
        /// The partition key it was sent with, if any.
        #[serde(borrow)]
        partition_key: Option<&'a str>,
        /// The message layout of `body` (`MessageFormat` byte: 1 AMQP, 2 REST).
        format: u8,
        /// The message, opaque to the engine.
        #[serde(borrow)]
        body: Bytes<'a>,
    },
    /// Tag 2: retention: a partition's events below `begin` are gone.
    Expired {
        /// Hub id.
        hub: u32,
        /// Partition index.
        partition: u32,
        /// The partition's new first sequence number (its next one when none is left).
        begin: i64,
    },
}
