//! The snapshot layouts read and no longer written (docs/format.md §6b.1): the untagged layouts
//! 1–4, a record body that starts with the `00` / `01` option tag of `secret` (each a strict
//! prefix of the next, and a decode must consume every byte, so no bytes decode as two of them),
//! the tagged layout 5, today's without the Event Hubs and MQTT sections, and the tagged layout
//! 6, today's without the MQTT section. Postcard writes a struct or
//! tuple as its fields one after the other, so layout 1 is [`Head`] and each later layout is a
//! tuple of it and the fields that layout appended.

use serde::Deserialize;

use super::{BillingSnap, HubsSnap, MqttSnap, Snapshot, SubSnap, TopicSnap};
use crate::limits::TOKEN_SECRET_BYTES;

/// The version byte of layout 5.
pub(super) const SNAPSHOT_VERSION_5: u8 = 5;

/// The version byte of layout 6.
pub(super) const SNAPSHOT_VERSION_6: u8 = 6;

/// Layout 1: the fields every layout starts with (a [`Snapshot`] as written before billing
/// meters: no trailing [`BillingSnap`], no release delays).
#[derive(Deserialize)]
struct Head {
    secret: Option<[u8; TOKEN_SECRET_BYTES]>,
    created_at_ms: i64,
    last_published_at_ms: i64,
    next_topic_id: u32,
    next_sub_id: u64,
    time_marks: Vec<(u64, i64)>,
    topics: Vec<TopicSnap>,
    subs: Vec<SubSnap>,
}

/// Layout 2: a [`Snapshot`] as written before release delays (no trailing `release_delays`).
type LayoutV2 = (Head, BillingSnap);

/// Layout 3: a [`Snapshot`] as written before backlogs (no trailing `backlog`).
type LayoutV3 = (Head, BillingSnap, Vec<(u64, u64, u32)>);

/// Layout 4: a [`Snapshot`] as written before Event Hubs (no trailing `hubs`), untagged.
type LayoutV4 = (Head, BillingSnap, Vec<(u64, u64, u32)>, Vec<(u64, u64)>);

/// Layout 5: the version byte, then layout 4's fields.
type TaggedV5 = (u8, LayoutV4);

/// Layout 6: layout 5 and the Event Hubs section (no MQTT sessions).
type TaggedV6 = (u8, LayoutV4, HubsSnap);

impl Head {
    /// The [`Snapshot`] of these fields and the ones a later layout appended.
    fn into_snapshot(
        self,
        billing: BillingSnap,
        release_delays: Vec<(u64, u64, u32)>,
        backlog: Vec<(u64, u64)>,
    ) -> Snapshot {
        Snapshot {
            secret: self.secret,
            created_at_ms: self.created_at_ms,
            last_published_at_ms: self.last_published_at_ms,
            next_topic_id: self.next_topic_id,
            next_sub_id: self.next_sub_id,
            time_marks: self.time_marks,
            topics: self.topics,
            subs: self.subs,
            billing,
            release_delays,
            backlog,
            hubs: HubsSnap::default(),
            mqtt: MqttSnap::default(),
        }
    }
}

/// Decodes a layout-5 snapshot (the caller checked its version byte): no Event Hubs.
pub(super) fn decode_v5(bytes: &[u8]) -> Result<Snapshot, gridlog_format::FormatError> {
    let (_, (head, billing, delays, backlog)): TaggedV5 =
        gridlog_format::decode_state_record(bytes)?;
    Ok(head.into_snapshot(billing, delays, backlog))
}

/// Decodes a layout-6 snapshot (the caller checked its version byte): no MQTT sessions.
pub(super) fn decode_v6(bytes: &[u8]) -> Result<Snapshot, gridlog_format::FormatError> {
    let (_, (head, billing, delays, backlog), hubs): TaggedV6 =
        gridlog_format::decode_state_record(bytes)?;
    Ok(Snapshot {
        hubs,
        ..head.into_snapshot(billing, delays, backlog)
    })
}

/// Decodes an untagged snapshot: layout 4 (the fields of [`Snapshot`] before Event Hubs,
/// written before the version tag), layout 3 without backlogs (counted from the log on open),
/// layout 2 without release delays (whose released events then count the longest delay, 1 h),
/// or layout 1 without billing meters either (whose meters then also start at 0 and whose
/// in-flight events count 1 unit each). The error is layout 4's.
pub(super) fn decode_untagged(bytes: &[u8]) -> Result<Snapshot, gridlog_format::FormatError> {
    use gridlog_format::decode_state_record;
    decode_state_record::<LayoutV4>(bytes)
        .map(|(head, billing, delays, backlog)| head.into_snapshot(billing, delays, backlog))
        .or_else(|error| {
            if let Ok((head, billing, delays)) = decode_state_record::<LayoutV3>(bytes) {
                return Ok(head.into_snapshot(billing, delays, Vec::new()));
            }
            if let Ok((head, billing)) = decode_state_record::<LayoutV2>(bytes) {
                return Ok(head.into_snapshot(billing, Vec::new(), Vec::new()));
            }
            let head: Head = decode_state_record(bytes).map_err(|_| error)?;
            Ok(head.into_snapshot(BillingSnap::default(), Vec::new(), Vec::new()))
        })
}
