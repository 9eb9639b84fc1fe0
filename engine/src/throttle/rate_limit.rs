//! [`RateLimit`]: the namespace's pair of token buckets on its own, for a front end's limit
//! that is not the namespace's (the MQTT broker's per-session inbound rate).

use std::time::Duration;

use super::{Bucket, Pair};
use crate::clock::MonotonicTime;

/// A rate limit of its own (not the namespace's TUs): `events` and `bytes` per second, with
/// the same burst ([`BURST`](super::BURST)) and the same whole-or-nothing rule as the namespace's limits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateLimit {
    last: MonotonicTime,
    pair: Pair,
}

impl RateLimit {
    /// `events_per_sec` and `bytes_per_sec`, buckets full at `now`.
    pub fn new(events_per_sec: u64, bytes_per_sec: u64, now: MonotonicTime) -> Self {
        Self {
            last: now,
            pair: Pair {
                events: Bucket::full(events_per_sec),
                bytes: Bucket::full(bytes_per_sec),
            },
        }
    }

    /// How long until `events` and `bytes` would fit at `now` (zero: they fit now).
    pub fn wait(&mut self, events: u64, bytes: u64, now: MonotonicTime) -> Duration {
        let elapsed = now.saturating_duration_since(self.last);
        self.last = self.last.max(now);
        self.pair.events.refill(elapsed);
        self.pair.bytes.refill(elapsed);
        self.pair
            .events
            .wait_for(self.pair.events.need(events))
            .max(self.pair.bytes.wait_for(self.pair.bytes.need(bytes)))
    }

    /// Takes `events` and `bytes` if they fit at `now`, else takes nothing and says how long
    /// until they would.
    pub fn try_take(&mut self, events: u64, bytes: u64, now: MonotonicTime) -> Result<(), Duration> {
        let wait = self.wait(events, bytes, now);
        if !wait.is_zero() {
            return Err(wait);
        }
        self.pair.events.take(events);
        self.pair.bytes.take(bytes);
        Ok(())
    }
}
