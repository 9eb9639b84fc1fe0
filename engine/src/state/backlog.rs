//! The backlog of a subscription: the number of events waiting in it, kept exact by `apply` and
//! the scans (docs/delivery.md §10, "Backlog").
//!
//! An event waits in a subscription from its publish (seq ≥ `start_seq`, passing the filter)
//! until it is settled (acknowledged, rejected, dead-lettered or dropped) or removed by topic
//! retention. Available, delayed (released with a delay) and locked events all wait.
//!
//! - `apply(Publish)` adds 1 to every subscription of the topic whose filter passes the event
//!   (match-all filters without looking at it; other filters evaluate the event once).
//! - `apply(Ack)` and `apply(DeadLetter)` subtract 1 for each event they settle (an in-flight
//!   one, or a never-delivered one at or above the scan position not settled before).
//! - Retention is no record: a scan or the sweep subtracts what it removes (in-flight events,
//!   and never-delivered ones that pass the filter, which the scan then skips).
//! - Locks, releases and renewals move an event between states without changing the count.
//! - What `apply` cannot know is recounted from the log (`recount`): new filters (they apply to
//!   events not yet scanned), a snapshot written before backlogs were kept, and a replayed
//!   receive whose scan may have skipped events that retention removed.

use gridlog_format::decode_record;

use super::{NamespaceState, SubState};

impl SubState {
    /// Events waiting: published after the subscription, passing its filter, and not settled
    /// or removed by retention yet (available, delayed and locked ones).
    pub fn backlog(&self) -> u64 {
        self.backlog
    }

    /// Whether the backlog must be counted from the log ([`Self::set_recounted`]).
    pub fn needs_recount(&self) -> bool {
        self.recount
    }

    /// The backlog, counted from the log: the in-flight events plus `ahead`, the never-delivered
    /// events at or above the scan position that pass the filter and are not settled.
    pub fn set_recounted(&mut self, ahead: u64) {
        self.backlog = self.pending.len() as u64 + ahead;
        self.recount = false;
    }

    /// `n` events stopped waiting: settled, or removed by retention.
    pub fn unwait(&mut self, n: u64) {
        self.backlog = self.backlog.saturating_sub(n);
    }

    /// A live scan skipped `expired` never-delivered events of this subscription that retention
    /// removed: they stop waiting. The scan knows exactly what it skipped, so the recount a
    /// replay of its `Lock` record would need is not needed here.
    pub fn scanned_past_expired(&mut self, expired: u64) {
        self.unwait(expired);
        self.recount = false;
    }

    /// An event settled ahead of the scan position is locked again (it waits again).
    pub(super) fn wait_again(&mut self) {
        self.backlog += 1;
    }

    /// The backlog from a snapshot, or (none: an older snapshot) a recount.
    pub(super) fn restore_backlog(&mut self, backlog: Option<u64>) {
        match backlog {
            Some(backlog) => self.backlog = backlog,
            None => self.recount = true,
        }
    }

    /// Does the event whose structured JSON is `json` pass the filter? An event the filter
    /// cannot read counts as passing (the scan then fails on it as corrupt, as it always did).
    pub fn counts(&self, json: &[u8]) -> bool {
        self.filter.passes_json(json).unwrap_or(true)
    }
}

impl NamespaceState {
    /// (subscription id, backlog) of every subscription: the snapshot's `backlog` section.
    pub(super) fn backlog_section(&self) -> Vec<(u64, u64)> {
        self.subs
            .values()
            .map(|sub| (sub.id, sub.backlog))
            .collect()
    }

    /// Records that subscription `id` belongs to topic `topic` (publishes count it).
    pub(super) fn index_sub(&mut self, topic: u32, id: u64) {
        let subs = self.topic_subs.entry(topic).or_default();
        if !subs.contains(&id) {
            subs.push(id);
        }
    }

    /// Forgets subscription `id` of `topic`.
    pub(super) fn unindex_sub(&mut self, topic: u32, id: u64) {
        if let Some(subs) = self.topic_subs.get_mut(&topic) {
            subs.retain(|sub| *sub != id);
            if subs.is_empty() {
                self.topic_subs.remove(&topic);
            }
        }
    }

    /// `apply(Publish)`: the event at `seq` (its event record `event`) waits in every
    /// subscription of `topic` that sees it. O(1) per subscription with a match-all filter.
    pub(super) fn count_waiting(&mut self, seq: u64, topic: u32, event: &[u8]) {
        let Some(ids) = self.topic_subs.get(&topic) else {
            return;
        };
        // Decoded at most once, and only for a filter that has to look.
        let mut json: Option<Option<&[u8]>> = None;
        for id in ids {
            let Some(sub) = self.subs.get_mut(id) else {
                continue;
            };
            if seq < sub.start_seq {
                continue;
            }
            let passes = sub.filter.is_match_all()
                || json
                    .get_or_insert_with(|| decode_record(event).ok().map(|record| record.json()))
                    .is_none_or(|json| sub.counts(json));
            if passes {
                sub.backlog += 1;
            }
        }
    }

    /// A lower bound of the publish time of the records at and after `seq`, if any was
    /// published (the time marks bound them; publish times are non-decreasing).
    fn publish_time_floor(&self, seq: u64) -> Option<i64> {
        self.time_marks
            .iter()
            .take_while(|&&(mark, _)| mark <= seq)
            .last()
            .or_else(|| self.time_marks.front())
            .map(|&(_, at)| at)
    }

    /// Whether topic retention may have removed never-delivered events of subscription `sub`
    /// at its scan position by wall time `at_ms`.
    pub fn may_hold_expired(&self, sub: u64, at_ms: i64) -> bool {
        let Some(state) = self.subs.get(&sub) else {
            return false;
        };
        let Some(topic) = self.topics.get(&state.topic) else {
            return false;
        };
        let retention_ms = i64::try_from(topic.config.retention().as_millis()).unwrap_or(i64::MAX);
        self.publish_time_floor(state.cursor)
            .is_some_and(|floor| floor.saturating_add(retention_ms) <= at_ms)
    }

    /// Whether a receive of `sub` at wall time `at_ms` that moved the scan position to `cursor`
    /// may have skipped events retention removed (which its `Lock` record does not name): then
    /// the backlog is recounted.
    pub(super) fn may_skip_expired(&self, sub: u64, cursor: u64, at_ms: i64) -> bool {
        self.subs
            .get(&sub)
            .is_some_and(|state| cursor > state.cursor)
            && self.may_hold_expired(sub, at_ms)
    }
}
