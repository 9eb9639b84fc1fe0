//! Receives: the long-poll around [`Inner::try_receive`](super::Inner), blocking and async.
//! A receive registers for its topic's wake-ups, tries, and sleeps until a publish, a release,
//! an expiring lock or its deadline; async receives are woken by the namespace's ticker to
//! re-read the clock.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use event_listener::Listener as _;

use super::waiters::AsyncWaiter;
use super::workers::WAIT_SLICE;
use super::{Namespace, RECEIVE_EVENTS_MAX, RECEIVE_WAIT_MAX, Received};
use crate::config::DeliveryMode;
use crate::error::EngineError;

/// Longest sleep of a waiting receive on a real-time clock: locks taken by other receives after
/// the waiter computed its wake-up are noticed within this (publishes and releases wake it).
const WAIT_SLICE_REAL_TIME: Duration = Duration::from_secs(1);

impl Namespace {
    /// Receives up to `max_events` (1–100) events, locking each for the subscription's lock
    /// duration. Returns at once if any is available; otherwise waits up to `max_wait` (≤ 120 s)
    /// for a publish, a delayed release or an expiring lock. An empty vector means none came.
    pub fn receive(
        &self,
        topic: &str,
        sub: &str,
        max_events: u32,
        max_wait: Duration,
    ) -> Result<Vec<Received>, EngineError> {
        check_receive_args(max_events, max_wait)?;
        let inner = &self.inner;
        let deadline = inner.store.clock.monotonic().saturating_add(max_wait);
        loop {
            let listener = inner.listen(topic);
            let (got, wake) = inner.try_receive(topic, sub, max_events, DeliveryMode::Queue)?;
            if !got.is_empty() {
                return Ok(got);
            }
            let now = inner.store.clock.monotonic();
            if scan_again(wake, now) {
                continue;
            }
            if now >= deadline {
                return Ok(got);
            }
            let until = wake.map_or(deadline, |wake| wake.min(deadline));
            let slice = if inner.store.clock.tracks_real_time() {
                WAIT_SLICE_REAL_TIME
            } else {
                WAIT_SLICE
            };
            let sleep = until.saturating_duration_since(now).min(slice);
            if !sleep.is_zero() {
                let _woken = listener.wait_timeout(sleep);
            }
        }
    }

    /// [`receive`](Self::receive) as a future (no runtime needed: wake-ups come from
    /// `event-listener` and a namespace ticker thread). The receive itself runs on the polling
    /// thread (a WAL scan and, under `Always`, an fsync), like any blocking-tolerant call.
    pub fn receive_async(
        &self,
        topic: &str,
        sub: &str,
        max_events: u32,
        max_wait: Duration,
    ) -> impl Future<Output = Result<Vec<Received>, EngineError>> + Send + 'static {
        self.receive_mode_async(topic, sub, max_events, max_wait, DeliveryMode::Queue)
    }

    /// [`receive_async`](Self::receive_async) for a **push** subscription (and only for one):
    /// what a push dispatcher calls to take the next events to deliver. Locks, delivery counts,
    /// `maxDeliveryCount`, TTL, dead-lettering and egress throughput work exactly as for a queue
    /// subscription; the dispatcher settles each event with [`acknowledge`](Self::acknowledge),
    /// [`release_after`](Self::release_after) or [`reject`](Self::reject).
    pub fn receive_push_async(
        &self,
        topic: &str,
        sub: &str,
        max_events: u32,
        max_wait: Duration,
    ) -> impl Future<Output = Result<Vec<Received>, EngineError>> + Send + 'static {
        self.receive_mode_async(topic, sub, max_events, max_wait, DeliveryMode::Push)
    }

    fn receive_mode_async(
        &self,
        topic: &str,
        sub: &str,
        max_events: u32,
        max_wait: Duration,
        mode: DeliveryMode,
    ) -> impl Future<Output = Result<Vec<Received>, EngineError>> + Send + 'static {
        let inner = self.inner.clone();
        let topic = topic.to_owned();
        let sub = sub.to_owned();
        async move {
            check_receive_args(max_events, max_wait)?;
            inner.workers.start_ticker(Arc::downgrade(&inner));
            let deadline = inner.store.clock.monotonic().saturating_add(max_wait);
            loop {
                let listener = inner.listen(&topic);
                let (got, wake) = inner.try_receive(&topic, &sub, max_events, mode)?;
                if !got.is_empty() {
                    return Ok(got);
                }
                let now = inner.store.clock.monotonic();
                if scan_again(wake, now) {
                    // Let the executor run others between two scan budgets.
                    YieldNow(false).await;
                    continue;
                }
                if now >= deadline {
                    return Ok(got);
                }
                let _guard = AsyncWaiter::new(&inner.waiters);
                listener.await;
            }
        }
    }
}

fn check_receive_args(max_events: u32, max_wait: Duration) -> Result<(), EngineError> {
    if !(1..=RECEIVE_EVENTS_MAX).contains(&max_events) {
        return Err(EngineError::InvalidArgument {
            argument: "max_events",
            reason: format!("{max_events} is outside 1..={RECEIVE_EVENTS_MAX}"),
        });
    }
    if max_wait > RECEIVE_WAIT_MAX {
        return Err(EngineError::InvalidArgument {
            argument: "max_wait",
            reason: format!("{max_wait:?} exceeds {RECEIVE_WAIT_MAX:?}"),
        });
    }
    Ok(())
}

/// Whether an empty [`Inner::try_receive`] must be repeated at once, deadline or not: its scan
/// stopped at [`SCAN_BUDGET_RECORDS`] with more of the log to read (`wake` is then the time of
/// the scan), or an event became available since. Without this a receive could answer "nothing"
/// while deliverable events lay further in the log, past other topics' records: a sparse topic
/// such as a dead-letter topic can have its next event many budgets past its subscription's
/// cursor. Each repeat advances the cursor or delivers, so the loop ends.
fn scan_again(wake: Option<crate::clock::MonotonicTime>, now: crate::clock::MonotonicTime) -> bool {
    wake.is_some_and(|wake| wake <= now)
}

/// A future that is pending once (after waking its task) and then ready: a yield point between
/// two scan budgets of an async receive, with no runtime to ask.
struct YieldNow(bool);

impl Future for YieldNow {
    type Output = ();

    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<()> {
        if self.0 {
            return std::task::Poll::Ready(());
        }
        self.0 = true;
        cx.waker().wake_by_ref();
        std::task::Poll::Pending
    }
}
