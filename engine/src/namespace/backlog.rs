//! The backlog's recount from the log, and its retention catch-up on open (the counting itself
//! is `crate::state`'s `backlog.rs`; docs/delivery.md §10, "Backlog").

use gridlog_wal::{Seq, Wal};

use super::delivery::{Scan, scan_one};
use super::ms;
use crate::error::EngineError;
use crate::record;
use crate::state::{NamespaceState, Now};

/// Recounts the backlog of every subscription that needs it (new filters, a snapshot without
/// backlogs, a replayed receive that may have skipped expired events): its in-flight events
/// plus the never-delivered events from its scan position to the end of the log that pass its
/// filter. Reads that part of the log to its written end, records not yet synced included
/// ([`Wal::iter_written_from`]): the caller holds the state lock (or is opening), so nothing is
/// appended meanwhile and no sync is needed under the lock. Retention is left to the scans,
/// which subtract what they remove.
pub(super) fn recount(wal: &Wal, st: &mut NamespaceState, now: Now) -> Result<(), EngineError> {
    let ids: Vec<u64> = st
        .subs
        .values()
        .filter(|sub| sub.needs_recount())
        .map(|sub| sub.id)
        .collect();
    for id in ids {
        let s = &st.subs[&id];
        let mut ahead = 0_u64;
        for item in wal.iter_written_from(Seq(s.cursor)) {
            let (seq, bytes) = item?;
            // No retention and no TTL: every event that passes the filter and is not settled.
            if let Scan::Deliver { .. } =
                scan_one(s, s.topic, seq.0, &bytes, now, i64::MAX, i64::MAX)?
            {
                ahead += 1;
            }
        }
        if let Some(s) = st.subs.get_mut(&id) {
            s.set_recounted(ahead);
        }
    }
    Ok(())
}

/// On open, after any recount: what retention removed while the namespace was closed (or
/// before a crash, when the state comes from an older snapshot or a replay) stops waiting, as
/// the first sweep would decide: expired in-flight events, and the never-delivered ones at the
/// scan position (read only when the time marks say some may be expired; the read stops at the
/// first record still retained, publish times being non-decreasing). In memory, like every
/// retention decision, so a state from the index and one from a replay agree at once.
pub(super) fn expire_on_open(
    wal: &Wal,
    st: &mut NamespaceState,
    now: Now,
) -> Result<(), EngineError> {
    let ids: Vec<u64> = st.subs.keys().copied().collect();
    for id in ids {
        super::Inner::expire_retention(st, id, now);
        if !st.may_hold_expired(id, now.wall_ms) {
            continue;
        }
        let s = &st.subs[&id];
        let retention_ms = ms(st.topics[&s.topic].config.retention());
        let (mut cursor, mut expired, mut expired_waiting) = (s.cursor, 0_u64, 0_u64);
        for item in wal.iter_from(Seq(s.cursor)) {
            let (seq, bytes) = item?;
            let retained = record::decode(seq.0, &bytes)?
                .published()
                .is_some_and(|(_, at, _)| now.wall_ms < at.saturating_add(retention_ms));
            if retained {
                break;
            }
            if let Scan::Expired { matched } =
                scan_one(s, s.topic, seq.0, &bytes, now, retention_ms, i64::MAX)?
            {
                expired += 1;
                expired_waiting += u64::from(matched);
            }
            cursor = seq.0 + 1;
        }
        if let Some(s) = st.subs.get_mut(&id) {
            s.skip_to(cursor);
            s.meters.expired += expired;
            s.unwait(expired_waiting);
        }
    }
    Ok(())
}
