//! Receive and settlement: the decisions taken under the namespace mutex, and the scan of the
//! WAL for never-delivered events.

use std::collections::HashSet;
use std::time::Duration;

use gridlog_format::{billing_units, decode_record};
use gridlog_wal::{RecordBytes, Seq};

use super::txn::Txn;
use super::{
    FailedToken, Inner, RENEW_WINDOW, Received, SCAN_BUDGET_RECORDS, SettleOutcome,
    TOKEN_LOST_CODE, TokenFailure, dead_letter_record, event_json_range, ms, not_found_sub,
    not_found_topic,
};
use crate::clock::MonotonicTime;
use crate::error::EngineError;
use crate::record::{self, DeadLetterReason, Entry, LockEntry, StateRecord};
use crate::state::{
    NamespaceState, Now, Pending, PendingState, RELEASE_DELAY_MAX, RELEASE_DELAY_MAX_MS, SubState,
    add_ms,
};
use crate::throttle::Direction;
use crate::token::{LockToken, TokenError, TokenFields};

pub(super) enum SettleOp {
    Ack,
    /// Release, visible again after this delay (at most [`RELEASE_DELAY_MAX`]).
    Release(Duration),
    Reject,
    /// Dead-letter deliveries whose attempts are spent ("Maximum delivery attempts was
    /// exceeded."), with this `deliveryresult`: what the last attempt met.
    Exhausted(String),
    Renew,
}

/// A dead-letter decision taken under the mutex.
pub(super) struct DeadLetterPlan {
    pub(super) seq: u64,
    pub(super) delivery_count: u32,
    pub(super) reason: DeadLetterReason,
    pub(super) source_published_at_ms: i64,
    pub(super) attempt_at_ms: i64,
    pub(super) source: Option<RecordBytes>,
    /// The dead-letter event's `deliveryresult`, when the caller knows better than the reason's
    /// standard text (a push attempt's failure).
    pub(super) result: Option<String>,
}

impl DeadLetterPlan {
    /// An in-flight event `seq` (its state `p`) dead-lettered for `reason`.
    pub(super) fn in_flight(seq: u64, p: &Pending, reason: DeadLetterReason) -> Self {
        Self {
            seq,
            delivery_count: p.delivery_count,
            reason,
            source_published_at_ms: p.published_at_ms,
            attempt_at_ms: p.last_delivered_at_ms,
            source: None,
            result: None,
        }
    }

    /// A never-delivered event `seq` (its record `bytes`) past its time to live.
    pub(super) fn never_delivered(seq: u64, published_at_ms: i64, bytes: RecordBytes) -> Self {
        Self {
            seq,
            delivery_count: 0,
            reason: DeadLetterReason::TtlExpired,
            source_published_at_ms: published_at_ms,
            attempt_at_ms: published_at_ms,
            source: Some(bytes),
            result: None,
        }
    }
}

/// Events a scan passed that retention removed.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Expired {
    /// Past retention.
    pub(super) events: u64,
    /// Of those, the ones that passed the subscription's filter (they were in its backlog).
    pub(super) waiting: u64,
}

impl Expired {
    pub(super) fn count(&mut self, matched: bool) {
        self.events += 1;
        self.waiting += u64::from(matched);
    }
}

/// The topic and subscription ids of `topic`/`sub`, or `NotFound`.
pub(super) fn resolve(
    st: &NamespaceState,
    topic: &str,
    sub: &str,
) -> Result<(u32, u64), EngineError> {
    let topic_id = st.topic_id(topic).ok_or_else(|| not_found_topic(topic))?;
    let sub_id = st
        .sub_id(topic_id, sub)
        .ok_or_else(|| not_found_sub(topic, sub))?;
    Ok((topic_id, sub_id))
}

/// One dead-letter record's owned parts.
pub(super) struct DeadLetterOut {
    pub(super) plan: DeadLetterPlan,
    pub(super) target: Option<u32>,
    pub(super) event: Vec<u8>,
}

impl Inner {
    /// Drops in-flight events of `sub_id` past their topic's retention (gone regardless of
    /// state, counted as expired). In memory only: the rule is a function of time.
    pub(super) fn expire_retention(st: &mut NamespaceState, sub_id: u64, now: Now) -> u64 {
        let Some(sub) = st.subs.get(&sub_id) else {
            return 0;
        };
        let retention_ms = ms(st.topics[&sub.topic].config.retention());
        st.subs
            .get_mut(&sub_id)
            .map_or(0, |sub| sub.expire_retention(now, retention_ms))
    }

    /// Builds the dead-letter events for `plans` of `sub_id`.
    pub(super) fn dead_letters(
        &self,
        st: &NamespaceState,
        sub_id: u64,
        plans: Vec<DeadLetterPlan>,
    ) -> Result<Vec<DeadLetterOut>, EngineError> {
        let sub = &st.subs[&sub_id];
        let target = sub
            .config
            .delivery
            .dead_letter_topic
            .as_deref()
            .and_then(|name| st.topic_id(name));
        let mut out = Vec::with_capacity(plans.len());
        for mut plan in plans {
            let (target, event) = match target {
                None => (None, Vec::new()),
                Some(topic) => {
                    let bytes = match plan.source.take() {
                        Some(bytes) => bytes,
                        None => self.store.wal.read(Seq(plan.seq))?,
                    };
                    let range = event_json_range(plan.seq, &bytes)?;
                    match dead_letter_record(
                        &bytes[range],
                        plan.reason,
                        plan.result.as_deref(),
                        plan.delivery_count,
                        plan.source_published_at_ms,
                        plan.attempt_at_ms,
                    ) {
                        Some(event) => (Some(topic), event),
                        None => (None, Vec::new()),
                    }
                }
            };
            out.push(DeadLetterOut {
                plan,
                target,
                event,
            });
        }
        Ok(out)
    }

    pub(super) fn dead_letter_records(
        sub_id: u64,
        outs: &[DeadLetterOut],
        published_at_ms: i64,
    ) -> impl Iterator<Item = StateRecord<'_>> {
        outs.iter().map(move |out| StateRecord::DeadLetter {
            sub: sub_id,
            seq: out.plan.seq,
            delivery_count: out.plan.delivery_count,
            reason: out.plan.reason as u8,
            target_topic: out.target,
            published_at_ms,
            event: record::Bytes(&out.event),
        })
    }

    /// One non-blocking receive: the events locked, or (none) when to look again.
    #[expect(
        clippy::too_many_lines,
        reason = "one decision under one lock, kept in one place"
    )]
    pub(super) fn try_receive(
        &self,
        topic: &str,
        sub: &str,
        max_events: u32,
        expected_mode: crate::config::DeliveryMode,
    ) -> Result<(Vec<Received>, Option<MonotonicTime>), EngineError> {
        let granted = self
            .throttle
            .grant(Direction::Delivery, u64::from(max_events), || {
                self.store.clock.monotonic()
            })
            .map_err(|refused| EngineError::Throttled {
                direction: refused.direction,
                retry_after: refused.retry_after,
            })?;
        let max = usize::try_from(granted).unwrap_or(usize::MAX);
        let mut st = Txn::begin(self)?;
        let now = st.now();
        let (topic_id, sub_id) = resolve(&st, topic, sub)?;
        if st.subs[&sub_id].config.delivery.mode != expected_mode {
            return Err(EngineError::InvalidArgument {
                argument: "subscription",
                reason: match expected_mode {
                    crate::config::DeliveryMode::Queue => {
                        format!("{topic}/{sub} is a push subscription; receive needs a queue one")
                    }
                    crate::config::DeliveryMode::Push => format!(
                        "{topic}/{sub} is a queue subscription; push receive needs a push one"
                    ),
                },
            });
        }
        let retention_ms = ms(st.topics[&topic_id].config.retention());
        Self::expire_retention(&mut st, sub_id, now);
        let s = &st.subs[&sub_id];
        let delivery = &s.config.delivery;
        let lock_ms = ms(delivery.lock_duration);
        let max_dc = delivery.max_delivery_count;
        let ttl_ms = ms(delivery.event_ttl);
        let mut locks: Vec<(LockEntry, Option<RecordBytes>)> = Vec::new();
        let mut plans: Vec<DeadLetterPlan> = Vec::new();
        for seq in s.available_seqs(now) {
            if locks.len() >= max {
                break;
            }
            let p = &s.pending()[&seq];
            if let Some(reason) = dead_letter_reason(p, max_dc, ttl_ms, now) {
                plans.push(DeadLetterPlan::in_flight(seq, p, reason));
                continue;
            }
            locks.push((
                LockEntry {
                    seq,
                    delivery_count: p.delivery_count + 1,
                    published_at_ms: p.published_at_ms,
                    units: p.units,
                },
                None,
            ));
        }
        let mut cursor = s.cursor;
        let mut expired = Expired::default();
        let mut more = false;
        if locks.len() < max {
            for (scanned, item) in self.store.wal.iter_from(Seq(s.cursor)).enumerate() {
                if locks.len() >= max {
                    break;
                }
                if scanned >= SCAN_BUDGET_RECORDS {
                    more = true;
                    break;
                }
                let (seq, bytes) = item?;
                cursor = seq.0 + 1;
                match scan_one(s, topic_id, seq.0, &bytes, now, retention_ms, ttl_ms)? {
                    Scan::Skip => {}
                    Scan::Expired { matched } => expired.count(matched),
                    Scan::DeadLetter(published_at_ms) => {
                        plans.push(DeadLetterPlan::never_delivered(seq.0, published_at_ms, bytes));
                    }
                    Scan::Deliver {
                        published_at_ms,
                        units,
                    } => locks.push((
                        LockEntry {
                            seq: seq.0,
                            delivery_count: 1,
                            published_at_ms,
                            units,
                        },
                        Some(bytes),
                    )),
                }
            }
        }
        // Everything that can fail without changing anything comes first: reading redeliveries'
        // bytes (in flight, so their segment cannot be reclaimed) and building dead-letter events.
        let mut resolved = Vec::with_capacity(locks.len());
        for (entry, bytes) in &mut locks {
            let bytes = match bytes.take() {
                Some(bytes) => bytes,
                None => self.store.wal.read(Seq(entry.seq))?,
            };
            resolved.push((*entry, bytes));
        }
        let outs = self.dead_letters(&st, sub_id, plans)?;
        let published_at_ms = now.wall_ms.max(st.last_published_at_ms);
        let mut records: Vec<StateRecord<'_>> =
            Self::dead_letter_records(sub_id, &outs, published_at_ms).collect();
        if !locks.is_empty() {
            records.push(StateRecord::Lock {
                sub: sub_id,
                locked_at_ms: now.wall_ms,
                deadline_ms: now.lock_ms.saturating_add(lock_ms),
                cursor,
                entries: locks.iter().map(|(entry, _)| *entry).collect(),
            });
        }
        if !records.is_empty() {
            st.append(&records)?;
        }
        drop(records);
        for topic in outs.iter().filter_map(|out| out.target) {
            st.wake(topic);
        }
        let wake = match st.subs.get_mut(&sub_id) {
            Some(s) => {
                s.skip_to(cursor);
                s.meters.expired += expired.events;
                s.scanned_past_expired(expired.waiting);
                if !locks.is_empty() {
                    None
                } else if more {
                    Some(now.mono)
                } else {
                    s.next_change(now)
                }
            }
            None => None,
        };
        let secret = st.secret.clone();
        st.commit()?;
        let secret = secret.ok_or(EngineError::Poisoned)?;
        let mut received = Vec::with_capacity(resolved.len());
        for (entry, bytes) in resolved {
            let json = event_json_range(entry.seq, &bytes)?;
            received.push(Received {
                lock_token: LockToken::mint(
                    &secret,
                    TokenFields {
                        subscription_id: sub_id,
                        seq: entry.seq,
                        generation: entry.delivery_count,
                    },
                ),
                delivery_count: entry.delivery_count,
                seq: entry.seq,
                bytes,
                json,
            });
        }
        if !received.is_empty() {
            let bytes = received.iter().map(|r| r.json().len() as u64).sum();
            self.throttle
                .charge(Direction::Delivery, received.len() as u64, bytes, || {
                    self.store.clock.monotonic()
                });
        }
        Ok((received, wake))
    }

    pub(super) fn settle(
        &self,
        topic: &str,
        sub: &str,
        tokens: &[&str],
        op: &SettleOp,
    ) -> Result<SettleOutcome, EngineError> {
        let verified = self.verify_settlement(tokens)?;
        let mut st = Txn::begin(self)?;
        let outcome = settle_in(&mut st, topic, sub, tokens, verified, op)?;
        st.commit()?;
        Ok(outcome)
    }

    /// What a settlement does before the state lock: takes it from the settlement throughput
    /// limit, then authenticates each token. Authenticating (base64 + HMAC) is most of a
    /// settlement's CPU and needs no state, so consumers do it in parallel.
    pub(super) fn verify_settlement(
        &self,
        tokens: &[&str],
    ) -> Result<Vec<Result<TokenFields, TokenFailure>>, EngineError> {
        let token_bytes = tokens.iter().map(|token| token.len() as u64).sum();
        self.throttle(Direction::Settlement, tokens.len() as u64, token_bytes)?;
        let secret = self
            .store
            .lock_state()?
            .secret
            .clone()
            .ok_or(EngineError::Poisoned)?;
        Ok(tokens
            .iter()
            .map(|token| {
                LockToken::verify(&secret, token).map_err(|error| match error {
                    TokenError::Malformed { .. } | TokenError::BadVersion { .. } => {
                        TokenFailure::Malformed
                    }
                    TokenError::BadMac => TokenFailure::Lost,
                })
            })
            .collect())
    }
}

/// Settles `tokens` (authenticated as `verified`) in `st`: decides each under the state lock
/// and appends the records (not yet synced: the transaction's commit does that).
#[expect(clippy::too_many_lines, reason = "one decision under one lock")]
pub(super) fn settle_in(
    st: &mut Txn<'_>,
    topic: &str,
    sub: &str,
    tokens: &[&str],
    verified: Vec<Result<TokenFields, TokenFailure>>,
    op: &SettleOp,
) -> Result<SettleOutcome, EngineError> {
        let now = st.now();
        let (topic_id, sub_id) = resolve(st, topic, sub)?;
        let retention_ms = ms(st.topics[&topic_id].config.retention());
        let s = &st.subs[&sub_id];
        let renew_window_ms = ms(RENEW_WINDOW);
        let mut seen = HashSet::new();
        let mut outcome = SettleOutcome::default();
        let mut accepted: Vec<(Entry, Pending)> = Vec::new();
        for (token, fields) in tokens.iter().zip(verified) {
            // A token that verifies but whose lock is gone is lost; one that does not even decode
            // is malformed.
            let (fields, failure) = match fields {
                Ok(fields) => (Some(fields), TokenFailure::Lost),
                Err(failure) => (None, failure),
            };
            let valid = fields
                .filter(|fields| fields.subscription_id == sub_id)
                .filter(|fields| seen.insert(fields.seq))
                .and_then(|fields| {
                    let p = s.pending().get(&fields.seq)?;
                    let ok = p.delivery_count == fields.generation
                        && p.is_locked(now)
                        && now.wall_ms < p.published_at_ms.saturating_add(retention_ms)
                        && match (op, p.state) {
                            (SettleOp::Renew, PendingState::Locked { locked_at_ms, .. }) => {
                                now.lock_ms < locked_at_ms.saturating_add(renew_window_ms)
                            }
                            _ => true,
                        };
                    ok.then_some((
                        Entry {
                            seq: fields.seq,
                            delivery_count: fields.generation,
                        },
                        *p,
                    ))
                });
            match valid {
                Some(pair) => {
                    accepted.push(pair);
                    outcome.succeeded.push((*token).to_owned());
                }
                None => outcome.failed.push(FailedToken {
                    lock_token: (*token).to_owned(),
                    code: TOKEN_LOST_CODE,
                    message: failure.message(),
                    reason: failure,
                }),
            }
        }
        if accepted.is_empty() {
            return Ok(outcome);
        }
        let entries: Vec<Entry> = accepted.iter().map(|(entry, _)| *entry).collect();
        let lock_ms = ms(s.config.delivery.lock_duration);
        match op {
            SettleOp::Ack => {
                st.append(&[StateRecord::Ack {
                    sub: sub_id,
                    entries,
                }])?;
            }
            SettleOp::Release(delay) => {
                let delay = (*delay).min(RELEASE_DELAY_MAX);
                let rec = StateRecord::Release {
                    sub: sub_id,
                    visible_at_ms: add_ms(now.lock_ms, delay),
                    // ≤ 1 h: fits (the constant's assertion pins `RELEASE_DELAY_MAX_MS`).
                    delay_ms: u32::try_from(delay.as_millis()).unwrap_or(RELEASE_DELAY_MAX_MS),
                    entries,
                };
                st.append(&[rec])?;
                st.wake(topic_id);
            }
            SettleOp::Renew => {
                let rec = StateRecord::Renew {
                    sub: sub_id,
                    deadline_ms: now.lock_ms.saturating_add(lock_ms),
                    entries,
                };
                st.append(&[rec])?;
            }
            SettleOp::Reject | SettleOp::Exhausted(_) => {
                let (reason, result) = match op {
                    SettleOp::Exhausted(result) => {
                        (DeadLetterReason::MaxDeliveryCount, Some(result))
                    }
                    _ => (DeadLetterReason::Rejected, None),
                };
                let plans = accepted
                    .iter()
                    .map(|(entry, p)| DeadLetterPlan {
                        result: result.cloned(),
                        ..DeadLetterPlan::in_flight(entry.seq, p, reason)
                    })
                    .collect();
                let outs = st.inner().dead_letters(st, sub_id, plans)?;
                let published_at_ms = now.wall_ms.max(st.last_published_at_ms);
                let records: Vec<StateRecord<'_>> =
                    Inner::dead_letter_records(sub_id, &outs, published_at_ms).collect();
                st.append(&records)?;
                for topic in outs.iter().filter_map(|out| out.target) {
                    st.wake(topic);
                }
            }
        }
        Ok(outcome)
}

/// What a scan decides for one WAL record.
pub(super) enum Scan {
    /// Not this subscription's, filtered out, or already handled.
    Skip,
    /// Past the topic's retention; `matched`: it passes the filter (it was in the backlog).
    Expired {
        /// It passes the subscription's filter.
        matched: bool,
    },
    /// Past the subscription's TTL (publish time inside).
    DeadLetter(i64),
    /// Deliverable.
    Deliver {
        /// Its publish time, Unix ms.
        published_at_ms: i64,
        /// Its 64 KB billing units.
        units: u32,
    },
}

pub(super) fn scan_one(
    s: &SubState,
    topic_id: u32,
    seq: u64,
    bytes: &[u8],
    now: Now,
    retention_ms: i64,
    ttl_ms: i64,
) -> Result<Scan, EngineError> {
    let rec = record::decode(seq, bytes)?;
    let Some((topic, published_at_ms, event)) = rec.published() else {
        return Ok(Scan::Skip);
    };
    if topic != topic_id
        || seq < s.start_seq
        || s.pending().contains_key(&seq)
        || s.settled_ahead.contains(&seq)
    {
        return Ok(Scan::Skip);
    }
    let corrupt = |reason: String| EngineError::Corrupt { seq, reason };
    let event = decode_record(event).map_err(|e| corrupt(e.to_string()))?;
    if now.wall_ms >= published_at_ms.saturating_add(retention_ms) {
        return Ok(Scan::Expired {
            matched: s.counts(event.json()),
        });
    }
    if !s
        .filter
        .passes_json(event.json())
        .map_err(|e| corrupt(e.to_string()))?
    {
        return Ok(Scan::Skip);
    }
    if now.wall_ms >= published_at_ms.saturating_add(ttl_ms) {
        return Ok(Scan::DeadLetter(published_at_ms));
    }
    let units = u32::try_from(billing_units(u64::from(event.size()))).unwrap_or(u32::MAX);
    Ok(Scan::Deliver {
        published_at_ms,
        units,
    })
}

/// Why an available in-flight event must be dead-lettered instead of delivered, if it must.
pub(super) fn dead_letter_reason(
    p: &Pending,
    max_dc: u32,
    ttl_ms: i64,
    now: Now,
) -> Option<DeadLetterReason> {
    if p.delivery_count >= max_dc {
        Some(DeadLetterReason::MaxDeliveryCount)
    } else if now.wall_ms >= p.published_at_ms.saturating_add(ttl_ms) {
        Some(DeadLetterReason::TtlExpired)
    } else {
        None
    }
}
