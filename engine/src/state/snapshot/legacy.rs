//! The snapshot layouts read and no longer written (docs/format.md §6b.1): the untagged layouts
//! 1–4, a record body that starts with the `00` / `01` option tag of `secret` (each a strict
//! prefix of the next, and a decode must consume every byte, so no bytes decode as two of them),
//! and the tagged layout 5, today's without the Event Hubs section.

use serde::Deserialize;

use super::{BillingSnap, HubsSnap, Snapshot, SubSnap, TopicSnap};
use crate::limits::TOKEN_SECRET_BYTES;

/// The version byte of layout 5.
pub(super) const SNAPSHOT_VERSION_5: u8 = 5;

/// Layout 5: a [`Snapshot`] as written before Event Hubs (no trailing `hubs`), after its
/// version byte.
#[derive(Deserialize)]
struct TaggedV5 {
    #[expect(dead_code, reason = "the version byte, checked by the caller")]
    version: u8,
    snapshot: SnapshotV4,
}

/// Layout 4 (untagged) and the body of layout 5.
#[derive(Deserialize)]
struct SnapshotV4 {
    secret: Option<[u8; TOKEN_SECRET_BYTES]>,
    created_at_ms: i64,
    last_published_at_ms: i64,
    next_topic_id: u32,
    next_sub_id: u64,
    time_marks: Vec<(u64, i64)>,
    topics: Vec<TopicSnap>,
    subs: Vec<SubSnap>,
    billing: BillingSnap,
    release_delays: Vec<(u64, u64, u32)>,
    backlog: Vec<(u64, u64)>,
}

impl SnapshotV4 {
    fn upgrade(self) -> Snapshot {
        Snapshot {
            secret: self.secret,
            created_at_ms: self.created_at_ms,
            last_published_at_ms: self.last_published_at_ms,
            next_topic_id: self.next_topic_id,
            next_sub_id: self.next_sub_id,
            time_marks: self.time_marks,
            topics: self.topics,
            subs: self.subs,
            billing: self.billing,
            release_delays: self.release_delays,
            backlog: self.backlog,
            hubs: HubsSnap::default(),
        }
    }
}

/// Decodes a layout-5 snapshot: no Event Hubs.
pub(super) fn decode_v5(bytes: &[u8]) -> Result<Snapshot, gridlog_format::FormatError> {
    let tagged: TaggedV5 = gridlog_format::decode_state_record(bytes)?;
    Ok(tagged.snapshot.upgrade())
}

/// Layout 3: a [`Snapshot`] as written before backlogs (no trailing `backlog`).
#[derive(Deserialize)]
struct SnapshotV3 {
    secret: Option<[u8; TOKEN_SECRET_BYTES]>,
    created_at_ms: i64,
    last_published_at_ms: i64,
    next_topic_id: u32,
    next_sub_id: u64,
    time_marks: Vec<(u64, i64)>,
    topics: Vec<TopicSnap>,
    subs: Vec<SubSnap>,
    billing: BillingSnap,
    release_delays: Vec<(u64, u64, u32)>,
}

/// Layout 2: a [`Snapshot`] as written before release delays (no trailing `release_delays`).
#[derive(Deserialize)]
struct SnapshotV2 {
    secret: Option<[u8; TOKEN_SECRET_BYTES]>,
    created_at_ms: i64,
    last_published_at_ms: i64,
    next_topic_id: u32,
    next_sub_id: u64,
    time_marks: Vec<(u64, i64)>,
    topics: Vec<TopicSnap>,
    subs: Vec<SubSnap>,
    billing: BillingSnap,
}

/// Layout 1: a [`Snapshot`] as written before billing meters (no trailing [`BillingSnap`], no
/// release delays).
#[derive(Deserialize)]
struct SnapshotV1 {
    secret: Option<[u8; TOKEN_SECRET_BYTES]>,
    created_at_ms: i64,
    last_published_at_ms: i64,
    next_topic_id: u32,
    next_sub_id: u64,
    time_marks: Vec<(u64, i64)>,
    topics: Vec<TopicSnap>,
    subs: Vec<SubSnap>,
}

/// Decodes an untagged snapshot: layout 4 (the fields of [`Snapshot`], written before the
/// version tag), layout 3 without backlogs (counted from the log on open), layout 2 without
/// release delays (whose released events then count the longest delay, 1 h), or layout 1
/// without billing meters either (whose meters then also start at 0 and whose in-flight events
/// count 1 unit each). The error is layout 4's.
pub(super) fn decode_untagged(bytes: &[u8]) -> Result<Snapshot, gridlog_format::FormatError> {
    gridlog_format::decode_state_record::<SnapshotV4>(bytes)
        .map(SnapshotV4::upgrade)
        .or_else(|error| {
        if let Ok(v3) = gridlog_format::decode_state_record::<SnapshotV3>(bytes) {
            return Ok(Snapshot {
                secret: v3.secret,
                created_at_ms: v3.created_at_ms,
                last_published_at_ms: v3.last_published_at_ms,
                next_topic_id: v3.next_topic_id,
                next_sub_id: v3.next_sub_id,
                time_marks: v3.time_marks,
                topics: v3.topics,
                subs: v3.subs,
                billing: v3.billing,
                release_delays: v3.release_delays,
                backlog: Vec::new(),
                hubs: HubsSnap::default(),
            });
        }
        if let Ok(v2) = gridlog_format::decode_state_record::<SnapshotV2>(bytes) {
            return Ok(Snapshot {
                secret: v2.secret,
                created_at_ms: v2.created_at_ms,
                last_published_at_ms: v2.last_published_at_ms,
                next_topic_id: v2.next_topic_id,
                next_sub_id: v2.next_sub_id,
                time_marks: v2.time_marks,
                topics: v2.topics,
                subs: v2.subs,
                billing: v2.billing,
                release_delays: Vec::new(),
                backlog: Vec::new(),
                hubs: HubsSnap::default(),
            });
        }
        let v1: SnapshotV1 = gridlog_format::decode_state_record(bytes).map_err(|_| error)?;
        Ok(Snapshot {
            secret: v1.secret,
            created_at_ms: v1.created_at_ms,
            last_published_at_ms: v1.last_published_at_ms,
            next_topic_id: v1.next_topic_id,
            next_sub_id: v1.next_sub_id,
            time_marks: v1.time_marks,
            topics: v1.topics,
            subs: v1.subs,
            billing: BillingSnap::default(),
            release_delays: Vec::new(),
            backlog: Vec::new(),
            hubs: HubsSnap::default(),
        })
    })
}
