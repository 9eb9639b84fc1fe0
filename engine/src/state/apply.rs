//! [`NamespaceState::apply`], the one mutation path: a dispatch over the record kinds, each
//! applied by a function of its own below.

use crate::config::{subscription_from_json_str, topic_from_json_str};
use crate::error::EngineError;
use crate::filter::Filter;
use crate::record::{DeadLetterReason, Entry, LockEntry, StateRecord};
use crate::token::TokenSecret;

use super::{
    NamespaceState, Now, Pending, PendingState, RELEASE_DELAY_MAX_MS, Snapshot, SubState,
    TIME_MARK_STEP_MS, TopicMeters, TopicState, release_bound,
};

pub(super) fn corrupt(seq: u64, reason: impl Into<String>) -> EngineError {
    EngineError::Corrupt {
        seq,
        reason: reason.into(),
    }
}

impl NamespaceState {
    /// The one mutation path: applies the record at `seq`, read at `now`.
    pub fn apply(
        &mut self,
        seq: u64,
        record: &StateRecord<'_>,
        now: Now,
    ) -> Result<(), EngineError> {
        self.applied_seq = self.applied_seq.max(seq);
        match record {
            StateRecord::Created {
                secret,
                created_at_ms,
            } => {
                self.secret = Some(TokenSecret::from_bytes(*secret));
                self.created_at_ms = *created_at_ms;
            }
            StateRecord::TopicPut { id, config_json } => {
                self.apply_topic_put(seq, *id, config_json)?;
            }
            StateRecord::TopicDeleted { id } => self.apply_topic_deleted(seq, *id)?,
            StateRecord::SubscriptionPut {
                id,
                topic,
                config_json,
                start_seq,
            } => self.apply_subscription_put(seq, *id, *topic, config_json, *start_seq)?,
            StateRecord::SubscriptionDeleted { id } => {
                if !self.subs.contains_key(id) {
                    return Err(corrupt(seq, "deleting an unknown subscription"));
                }
                self.remove_sub(*id);
            }
            StateRecord::Publish {
                topic,
                published_at_ms,
                event,
            } => self.apply_publish(seq, *topic, *published_at_ms, event.0)?,
            StateRecord::LockV1 {
                sub,
                locked_at_ms,
                deadline_ms,
                cursor,
                entries,
            } => {
                let entries = entries.iter().map(|entry| entry.upgrade());
                self.apply_lock(*sub, *locked_at_ms, *deadline_ms, *cursor, entries, now);
            }
            StateRecord::Lock {
                sub,
                locked_at_ms,
                deadline_ms,
                cursor,
                entries,
            } => {
                let entries = entries.iter().copied();
                self.apply_lock(*sub, *locked_at_ms, *deadline_ms, *cursor, entries, now);
            }
            StateRecord::Ack { sub, entries } => self.apply_ack(*sub, entries),
            StateRecord::ReleaseV1 {
                sub,
                visible_at_ms,
                entries,
            } => {
                // The delay was not recorded: the longest one bounds it.
                self.apply_release(*sub, *visible_at_ms, RELEASE_DELAY_MAX_MS, entries, now);
            }
            StateRecord::Release {
                sub,
                visible_at_ms,
                delay_ms,
                entries,
            } => {
                self.apply_release(*sub, *visible_at_ms, *delay_ms, entries, now);
            }
            StateRecord::Renew {
                sub,
                deadline_ms,
                entries,
            } => self.apply_renew(*sub, *deadline_ms, entries, now),
            StateRecord::DeadLetter {
                sub,
                seq: event_seq,
                reason,
                target_topic,
                published_at_ms,
                event,
                ..
            } => self.apply_dead_letter(
                seq,
                *sub,
                *event_seq,
                *reason,
                *target_topic,
                *published_at_ms,
                event.0,
            ),
            StateRecord::Checkpoint { chunk, count, body } => {
                self.apply_checkpoint_chunk(seq, *chunk, *count, body.0, now)?;
            }
            StateRecord::Hub(record) => self.apply_hub(seq, record)?,
            StateRecord::Mqtt(record) => self.apply_mqtt(seq, record),
        }
        Ok(())
    }

    /// `TopicPut`: creates the topic or replaces its configuration.
    fn apply_topic_put(&mut self, seq: u64, id: u32, config_json: &str) -> Result<(), EngineError> {
        let config = topic_from_json_str(config_json)
            .map_err(|error| corrupt(seq, format!("topic config: {error}")))?;
        self.next_topic_id = self.next_topic_id.max(id.saturating_add(1));
        let lower = config.name.to_ascii_lowercase();
        if let Some(topic) = self.topics.get_mut(&id) {
            topic.config = config;
            config_json.clone_into(&mut topic.config_json);
        } else {
            if self.topic_names.contains_key(&lower) {
                return Err(corrupt(seq, "topic name already taken"));
            }
            self.topic_names.insert(lower, id);
            self.topics.insert(
                id,
                TopicState {
                    id,
                    config,
                    config_json: config_json.to_owned(),
                    meters: TopicMeters::default(),
                },
            );
        }
        Ok(())
    }

    /// `TopicDeleted`: removes the topic and its subscriptions.
    fn apply_topic_deleted(&mut self, seq: u64, id: u32) -> Result<(), EngineError> {
        let topic = self
            .topics
            .remove(&id)
            .ok_or_else(|| corrupt(seq, "deleting an unknown topic"))?;
        self.topic_names
            .remove(&topic.config.name.to_ascii_lowercase());
        let subs: Vec<u64> = self
            .subs
            .values()
            .filter(|sub| sub.topic == id)
            .map(|sub| sub.id)
            .collect();
        for sub in subs {
            self.remove_sub(sub);
        }
        Ok(())
    }

    /// `SubscriptionPut`: creates the subscription or replaces its configuration.
    fn apply_subscription_put(
        &mut self,
        seq: u64,
        id: u64,
        topic: u32,
        config_json: &str,
        start_seq: u64,
    ) -> Result<(), EngineError> {
        let retention = self
            .topics
            .get(&topic)
            .ok_or_else(|| corrupt(seq, "subscription of an unknown topic"))?
            .config
            .retention();
        let config = subscription_from_json_str(config_json, retention)
            .map_err(|error| corrupt(seq, format!("subscription config: {error}")))?;
        self.next_sub_id = self.next_sub_id.max(id.saturating_add(1));
        let filter = Filter::new(&config.filters);
        if let Some(sub) = self.subs.get_mut(&id) {
            // New filters apply to events not yet scanned: count those again.
            sub.recount |= sub.config.filters != config.filters;
            sub.config = config;
            sub.filter = filter;
            config_json.clone_into(&mut sub.config_json);
        } else {
            let key = (topic, config.name.to_ascii_lowercase());
            if self.sub_names.contains_key(&key) {
                return Err(corrupt(seq, "subscription name already taken"));
            }
            self.sub_names.insert(key, id);
            self.subs.insert(
                id,
                SubState::new(id, topic, config, config_json.to_owned(), start_seq),
            );
            self.index_sub(topic, id);
        }
        Ok(())
    }

    /// `Publish`: the event record at `seq` (`event`, a whole §6.1 record).
    fn apply_publish(
        &mut self,
        seq: u64,
        topic: u32,
        published_at_ms: i64,
        event: &[u8],
    ) -> Result<(), EngineError> {
        let size = gridlog_format::decode_record(event)
            .map_err(|error| corrupt(seq, format!("published event: {error}")))?
            .size();
        self.count_publish(seq, topic, published_at_ms, event.len());
        if let Some(topic) = self.topics.get_mut(&topic) {
            topic.meters.publish_units += gridlog_format::billing_units(u64::from(size));
        }
        self.count_waiting(seq, topic, event);
        Ok(())
    }

    /// `Ack`: settles the entries still in flight with the same delivery.
    fn apply_ack(&mut self, sub: u64, entries: &[Entry]) {
        let Some(state) = self.subs.get_mut(&sub) else {
            return;
        };
        for entry in entries {
            if let Some(&pending) = state.pending.get(&entry.seq)
                && pending.delivery_count == entry.delivery_count
            {
                state.take_pending(entry.seq);
                state.unwait(1);
                state.meters.acked += 1;
                state.meters.settlement_units += u64::from(pending.units);
            }
        }
    }

    /// `Renew`: moves the deadline of the entries still locked by the same delivery.
    fn apply_renew(&mut self, sub: u64, deadline_ms: i64, entries: &[Entry], now: Now) {
        let Some(state) = self.subs.get_mut(&sub) else {
            return;
        };
        let new_deadline = now.mono_for(deadline_ms, state.config.delivery.lock_duration);
        for entry in entries {
            if let Some(&pending) = state.pending.get(&entry.seq)
                && pending.delivery_count == entry.delivery_count
                && let PendingState::Locked { locked_at_ms, .. } = pending.state
            {
                state.put_pending(
                    entry.seq,
                    Pending {
                        state: PendingState::Locked {
                            locked_at_ms,
                            deadline_ms,
                            deadline: new_deadline,
                        },
                        ..pending
                    },
                );
                state.meters.renewed += 1;
                state.meters.settlement_units += u64::from(pending.units);
            }
        }
    }

    /// `DeadLetter` at `seq`: settles `event_seq` in `sub` and, with a `target_topic`, publishes
    /// `event` into it.
    #[expect(clippy::too_many_arguments, reason = "the record's fields")]
    fn apply_dead_letter(
        &mut self,
        seq: u64,
        sub: u64,
        event_seq: u64,
        reason: u8,
        target_topic: Option<u32>,
        published_at_ms: i64,
        event: &[u8],
    ) {
        if let Some(state) = self.subs.get_mut(&sub) {
            let pending = state.take_pending(event_seq);
            let settled = pending.is_some()
                || (event_seq >= state.cursor && state.settled_ahead.insert(event_seq));
            if settled {
                state.unwait(1);
            }
            if DeadLetterReason::from_byte(reason) == Some(DeadLetterReason::Rejected) {
                state.meters.rejected += 1;
                state.meters.settlement_units +=
                    pending.map_or(1, |pending| u64::from(pending.units));
            }
            if target_topic.is_some() {
                state.meters.dead_lettered += 1;
            } else {
                state.meters.dropped += 1;
            }
        }
        if let Some(topic) = target_topic {
            self.count_publish(seq, topic, published_at_ms, event.len());
            self.count_waiting(seq, topic, event);
        }
    }

    /// `Checkpoint` chunk `chunk` of `count`: buffered; the last one of a complete run restores
    /// the snapshot they hold (docs/format.md §6b).
    fn apply_checkpoint_chunk(
        &mut self,
        seq: u64,
        chunk: u32,
        count: u32,
        body: &[u8],
        now: Now,
    ) -> Result<(), EngineError> {
        if chunk == 0 {
            self.checkpoint_buf.clear();
        } else if chunk != self.checkpoint_next {
            // A chunk without its predecessors (the log starts mid-checkpoint): skip.
            self.checkpoint_buf.clear();
            self.checkpoint_next = 0;
            return Ok(());
        }
        self.checkpoint_buf.extend_from_slice(body);
        self.checkpoint_next = chunk.saturating_add(1);
        if chunk.saturating_add(1) == count {
            self.checkpoint_next = 0;
            let bytes = std::mem::take(&mut self.checkpoint_buf);
            let snapshot = Snapshot::decode(&bytes)
                .map_err(|error| corrupt(seq, format!("checkpoint: {error}")))?;
            self.restore(&snapshot, now)
                .map_err(|error| corrupt(seq, format!("checkpoint: {error}")))?;
            self.applied_seq = seq;
        }
        Ok(())
    }

    /// Applies a release (`Release`, or `ReleaseV1` with the longest delay): the events become
    /// available at `visible_at_ms`, at most `delay_ms` (≤ 1 h) of monotonic time from `now`.
    fn apply_release(
        &mut self,
        sub: u64,
        visible_at_ms: i64,
        delay_ms: u32,
        entries: &[Entry],
        now: Now,
    ) {
        let Some(state) = self.subs.get_mut(&sub) else {
            return;
        };
        let delay_ms = delay_ms.min(RELEASE_DELAY_MAX_MS);
        let visible_at = now.mono_for(visible_at_ms, release_bound(delay_ms));
        for entry in entries {
            if let Some(&pending) = state.pending.get(&entry.seq)
                && pending.delivery_count == entry.delivery_count
            {
                state.put_pending(
                    entry.seq,
                    Pending {
                        state: PendingState::Available {
                            visible_at_ms,
                            delay_ms,
                            visible_at,
                        },
                        ..pending
                    },
                );
                state.meters.released += 1;
                state.meters.settlement_units += u64::from(pending.units);
            }
        }
    }

    /// Applies a receive's locks (`Lock`, or `LockV1` with 1 unit per entry).
    fn apply_lock(
        &mut self,
        sub: u64,
        locked_at_ms: i64,
        deadline_ms: i64,
        cursor: u64,
        entries: impl Iterator<Item = LockEntry>,
        now: Now,
    ) {
        if self.may_skip_expired(sub, cursor, locked_at_ms)
            && let Some(state) = self.subs.get_mut(&sub)
        {
            state.recount = true;
        }
        let Some(state) = self.subs.get_mut(&sub) else {
            return;
        };
        let lock = state.config.delivery.lock_duration;
        let deadline = now.mono_for(deadline_ms, lock);
        // The record's lock time is the wall clock's (the delivery time users see, as
        // `deliveryattemptutc`); the renewal window runs on the lock clock, from the deadline
        // the lock was taken with.
        let locked_at_lock_ms =
            deadline_ms.saturating_sub(i64::try_from(lock.as_millis()).unwrap_or(i64::MAX));
        for entry in entries {
            state.put_pending(
                entry.seq,
                Pending {
                    delivery_count: entry.delivery_count,
                    published_at_ms: entry.published_at_ms,
                    last_delivered_at_ms: locked_at_ms,
                    units: entry.units,
                    state: PendingState::Locked {
                        locked_at_ms: locked_at_lock_ms,
                        deadline_ms,
                        deadline,
                    },
                },
            );
            if state.settled_ahead.remove(&entry.seq) {
                state.wait_again();
            }
            state.meters.delivered += 1;
            state.meters.delivery_units += u64::from(entry.units);
        }
        state.advance_cursor(cursor);
    }

    fn count_publish(&mut self, seq: u64, topic: u32, published_at_ms: i64, record_len: usize) {
        self.last_published_at_ms = self.last_published_at_ms.max(published_at_ms);
        let due = self
            .time_marks
            .back()
            .is_none_or(|&(_, at)| published_at_ms >= at.saturating_add(TIME_MARK_STEP_MS));
        if due {
            self.time_marks.push_back((seq, published_at_ms));
        }
        if let Some(topic) = self.topics.get_mut(&topic) {
            topic.meters.events += 1;
            topic.meters.bytes += record_len as u64;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::now::test_now as now;
    use super::{NamespaceState, TIME_MARK_STEP_MS};
    use crate::record::{Bytes, StateRecord};

    const T0: i64 = 1_700_000_000_000;

    #[test]
    fn time_marks_bound_publish_times_for_retention() {
        let mut state = NamespaceState::new();
        let event = gridlog_format::parse_structured(
            br#"{"specversion":"1.0","id":"1","source":"/s","type":"t"}"#,
        )
        .unwrap();
        let record =
            gridlog_format::encode_record(&gridlog_format::EventRecord::from_event(&event));
        let event = Bytes(&record);
        let publish = |published_at_ms| StateRecord::Publish {
            topic: 1,
            published_at_ms,
            event,
        };
        // seq 10..=13 at T0, T0 + 30 s, T0 + 61 s, T0 + 200 s.
        for (seq, at) in [
            (10, T0),
            (11, T0 + 30_000),
            (12, T0 + 61_000),
            (13, T0 + 200_000),
        ] {
            state.apply(seq, &publish(at), now(at, 0)).unwrap();
        }
        assert_eq!(
            state.time_marks.iter().copied().collect::<Vec<_>>(),
            [(10, T0), (12, T0 + 61_000), (13, T0 + 200_000)]
        );
        const { assert!(TIME_MARK_STEP_MS <= 61_000) };
        let retention = 100_000;
        // Nothing old enough yet.
        assert_eq!(state.retained_from(now(T0 + 50_000, 0), retention), 0);
        // T0 + 100 s: the mark at seq 10 is expired; 11 may not be, so keep from 10.
        assert_eq!(state.retained_from(now(T0 + 100_000, 0), retention), 10);
        // T0 + 170 s: marks 10 and 12 expired; records from 12 on may be younger.
        assert_eq!(state.retained_from(now(T0 + 170_000, 0), retention), 12);
        // Everything expired once the last publish is.
        assert_eq!(
            state.retained_from(now(T0 + 300_000, 0), retention),
            u64::MAX
        );
        state.prune_time_marks(12);
        assert_eq!(state.time_marks.front(), Some(&(12, T0 + 61_000)));
    }

    #[test]
    fn apply_rejects_records_that_contradict_the_state() {
        let mut state = NamespaceState::new();
        let error = state
            .apply(1, &StateRecord::TopicDeleted { id: 9 }, now(T0, 0))
            .unwrap_err();
        assert_eq!(error.code(), "Corrupt");
        let error = state
            .apply(
                2,
                &StateRecord::SubscriptionPut {
                    id: 1,
                    topic: 9,
                    config_json: "{}",
                    start_seq: 3,
                },
                now(T0, 0),
            )
            .unwrap_err();
        assert_eq!(error.code(), "Corrupt");
    }
}

#[cfg(test)]
mod release_tests {
    use std::time::Duration;

    use super::{NamespaceState, Now, PendingState, RELEASE_DELAY_MAX_MS};
    use crate::clock::MonotonicTime;
    use crate::record::{Entry, LockEntry, StateRecord};

    const T0: i64 = 1_700_000_000_000;
    const HOUR_MS: i64 = 3_600_000;

    fn now(wall_ms: i64, mono_secs: u64) -> Now {
        Now::on_wall(
            wall_ms,
            MonotonicTime::from_since_origin(Duration::from_secs(mono_secs)),
        )
    }

    /// A state with topic 1, subscription 1 and seq 10 locked (first delivery) at `T0`.
    fn locked() -> NamespaceState {
        let mut state = NamespaceState::new();
        let at = now(T0, 0);
        state
            .apply(
                1,
                &StateRecord::TopicPut {
                    id: 1,
                    config_json: r#"{"name":"t"}"#,
                },
                at,
            )
            .unwrap();
        let sub = StateRecord::SubscriptionPut {
            id: 1,
            topic: 1,
            config_json: r#"{"name":"s"}"#,
            start_seq: 3,
        };
        state.apply(2, &sub, at).unwrap();
        let lock = StateRecord::Lock {
            sub: 1,
            locked_at_ms: T0,
            deadline_ms: T0 + 60_000,
            cursor: 11,
            entries: vec![LockEntry {
                seq: 10,
                delivery_count: 1,
                published_at_ms: T0,
                units: 1,
            }],
        };
        state.apply(3, &lock, at).unwrap();
        state
    }

    /// (monotonic visibility, recorded delay) of seq 10 after applying `record` at `at`.
    fn visible_after(record: &StateRecord<'_>, at: Now) -> (MonotonicTime, u32) {
        let mut state = locked();
        state.apply(4, record, at).unwrap();
        match state.subs[&1].pending()[&10].state {
            PendingState::Available {
                visible_at,
                delay_ms,
                ..
            } => (visible_at, delay_ms),
            PendingState::Locked { .. } => panic!("not released"),
        }
    }

    #[test]
    fn a_release_replayed_with_the_wall_clock_back_waits_its_own_delay_at_most() {
        let entries = vec![Entry {
            seq: 10,
            delivery_count: 1,
        }];
        let mono = |secs| MonotonicTime::from_since_origin(Duration::from_secs(secs));
        // Replayed at monotonic 100 s with the wall clock 5 h behind the release.
        let replay = now(T0 - 5 * HOUR_MS, 100);
        for (delay_ms, expected) in [(0, 100), (10_000, 110), (60_000, 160)] {
            let release = StateRecord::Release {
                sub: 1,
                visible_at_ms: T0 + i64::from(delay_ms),
                delay_ms,
                entries: entries.clone(),
            };
            assert_eq!(
                visible_after(&release, replay),
                (mono(expected), delay_ms),
                "{delay_ms}"
            );
            // Replayed with the wall clock right: the delay runs on from the release.
            let later = now(T0 + 4_000, 100);
            assert_eq!(
                visible_after(&release, later).0,
                mono(100 + (u64::from(delay_ms) / 1000).saturating_sub(4))
            );
        }
        // A damaged delay cannot hide an event for longer than 1 h.
        let release = StateRecord::Release {
            sub: 1,
            visible_at_ms: i64::MAX,
            delay_ms: u32::MAX,
            entries: entries.clone(),
        };
        assert_eq!(
            visible_after(&release, replay),
            (mono(3_700), RELEASE_DELAY_MAX_MS)
        );
        // The old record has no delay: bounded by 1 h, as it always was.
        let old = StateRecord::ReleaseV1 {
            sub: 1,
            visible_at_ms: T0,
            entries,
        };
        assert_eq!(
            visible_after(&old, replay),
            (mono(3_700), RELEASE_DELAY_MAX_MS)
        );
        assert_eq!(visible_after(&old, now(T0, 100)).0, mono(100));
    }

    #[test]
    fn snapshots_keep_release_delays() {
        let mut state = locked();
        let release = StateRecord::Release {
            sub: 1,
            visible_at_ms: T0 + 10_000,
            delay_ms: 10_000,
            entries: vec![Entry {
                seq: 10,
                delivery_count: 1,
            }],
        };
        state.apply(4, &release, now(T0, 0)).unwrap();
        let snapshot = state.snapshot();
        assert_eq!(snapshot.release_delays, [(1, 10, 10_000)]);
        let mut restored = NamespaceState::new();
        restored
            .restore(&snapshot, now(T0 - 5 * HOUR_MS, 100))
            .unwrap();
        assert_eq!(
            restored.subs[&1].pending()[&10].next_change(now(T0, 100)),
            Some(MonotonicTime::from_since_origin(Duration::from_secs(110)))
        );
        // Without the section (an older snapshot), the longest delay bounds it.
        let old = super::Snapshot {
            release_delays: Vec::new(),
            ..snapshot
        };
        restored.restore(&old, now(T0 - 5 * HOUR_MS, 100)).unwrap();
        assert_eq!(
            restored.subs[&1].pending()[&10].next_change(now(T0, 100)),
            Some(MonotonicTime::from_since_origin(Duration::from_secs(3_700)))
        );
    }
}
