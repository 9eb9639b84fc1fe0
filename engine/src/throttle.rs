//! Throughput units (TUs): Event Grid's per-namespace rate limits, enforced with token buckets
//! on the engine's monotonic [`Clock`](crate::Clock) time.
//!
//! Per TU (reference §3, "Limits and quotas"):
//!
//! | direction | what it counts | events/s | bytes/s |
//! |---|---|---|---|
//! | ingress | published events, their structured-JSON bytes | 1,000 | 1 MB |
//! | delivery | events handed out by receive, their JSON bytes | 2,000 | 2 MB |
//! | settlement | lock tokens of acknowledge / release / reject / renew lock, their bytes | 2,000 | 2 MB |
//! | MQTT inbound | PUBLISH packets the broker receives, their payload bytes | 1,000 | 1 MB |
//! | MQTT outbound | messages the broker sends to subscribers, their payload bytes | 1,000 | 1 MB |
//! | MQTT connect | CONNECT requests | 200 | — |
//!
//! (MQTT: reference `eventgrid-mqtt.md` §6.) [`RateLimit`] is the same pair of buckets on its
//! own, for limits that are not the namespace's (the MQTT broker's per-session inbound rate).
//!
//! Each direction has two buckets (events and bytes); a request needs both ("whichever comes
//! first"). MB is 1,048,576 bytes, as in the 1 MB event and request limits.
//!
//! **Burst.** Azure documents rates only, no burst allowance. A bucket holds [`BURST`] (one
//! second) of its rate: the least that lets the largest request (1,000 events, 1 MB) through at
//! 1 TU, and no more. So over any window of `t` seconds at most `(t + 1) × rate` is accepted, and
//! a publisher that keeps the bucket empty gets exactly the rate.
//!
//! **Whole or nothing.** A publish batch or a settlement request is accepted whole (its events
//! and bytes taken) or refused whole with the time after which it would fit
//! ([`Refused::retry_after`]). A request larger than a bucket (only possible through the
//! embedded API, which does not cap batch sizes) is accepted once that bucket is full and leaves
//! it in debt, so it is delayed, never refused forever. Receive sizes are not known in advance:
//! a receive is refused only when the delivery bucket is empty, gets at most as many events as
//! the events bucket holds, and is charged afterwards for the bytes it returned (the debt delays
//! the next receive).
//!
//! Arithmetic is exact: levels are integers in nano-tokens (1 token = 10⁹), refilled by
//! `elapsed nanoseconds × rate per second`.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use parking_lot::Mutex;

use crate::clock::MonotonicTime;
use crate::limits::{THROUGHPUT_UNITS_MAX, THROUGHPUT_UNITS_MIN};

mod rate_limit;

pub use rate_limit::RateLimit;

/// Ingress events per second per TU.
pub const INGRESS_EVENTS_PER_SEC_PER_TU: u64 = 1_000;
/// Ingress bytes per second per TU (1 MB).
pub const INGRESS_BYTES_PER_SEC_PER_TU: u64 = 1_048_576;
/// Egress (delivery, and separately settlement) events per second per TU.
pub const EGRESS_EVENTS_PER_SEC_PER_TU: u64 = 2_000;
/// Egress (delivery, and separately settlement) bytes per second per TU (2 MB).
pub const EGRESS_BYTES_PER_SEC_PER_TU: u64 = 2 * 1_048_576;
/// Event Hubs ingress events per second per TU.
pub const HUB_INGRESS_EVENTS_PER_SEC_PER_TU: u64 = 1_000;
/// Event Hubs ingress bytes per second per TU (1 MB).
pub const HUB_INGRESS_BYTES_PER_SEC_PER_TU: u64 = 1_048_576;
/// Event Hubs egress events per second per TU.
pub const HUB_EGRESS_EVENTS_PER_SEC_PER_TU: u64 = 4_096;
/// Event Hubs egress bytes per second per TU (2 MB).
pub const HUB_EGRESS_BYTES_PER_SEC_PER_TU: u64 = 2 * 1_048_576;
/// MQTT inbound publishes (PUBLISH packets a broker receives) per second per TU.
pub const MQTT_INBOUND_MESSAGES_PER_SEC_PER_TU: u64 = 1_000;
/// MQTT inbound payload bytes per second per TU (1 MB).
pub const MQTT_INBOUND_BYTES_PER_SEC_PER_TU: u64 = 1_048_576;
/// MQTT outbound messages (sent to subscribers) per second per TU.
pub const MQTT_OUTBOUND_MESSAGES_PER_SEC_PER_TU: u64 = 1_000;
/// MQTT outbound payload bytes per second per TU (1 MB).
pub const MQTT_OUTBOUND_BYTES_PER_SEC_PER_TU: u64 = 1_048_576;
/// MQTT CONNECT requests per second per TU.
pub const MQTT_CONNECTS_PER_SEC_PER_TU: u64 = 200;
/// How much of its rate a bucket holds: the largest burst accepted after a quiet period.
pub const BURST: Duration = Duration::from_secs(1);

const NANOS_PER_SEC: i128 = 1_000_000_000;

/// What a limit applies to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Direction {
    /// Publishing.
    Ingress,
    /// Events returned by receive.
    Delivery,
    /// Acknowledge, release, reject and renew lock (per lock token).
    Settlement,
    /// Events sent to Event Hubs.
    HubIngress,
    /// Events read from Event Hubs partitions.
    HubEgress,
    /// MQTT PUBLISH packets received by the broker (payload bytes).
    MqttInbound,
    /// MQTT messages sent to subscribers (payload bytes).
    MqttOutbound,
    /// MQTT CONNECT requests (no bytes limit: take 0 bytes).
    MqttConnect,
}

impl Direction {
    /// Every direction.
    pub const ALL: [Self; 8] = [
        Self::Ingress,
        Self::Delivery,
        Self::Settlement,
        Self::HubIngress,
        Self::HubEgress,
        Self::MqttInbound,
        Self::MqttOutbound,
        Self::MqttConnect,
    ];

    /// `"ingress"`, `"delivery"`, `"settlement"`, `"hub_ingress"`, `"hub_egress"`,
    /// `"mqtt_inbound"`, `"mqtt_outbound"` or `"mqtt_connect"`.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Ingress => "ingress",
            Self::Delivery => "delivery",
            Self::Settlement => "settlement",
            Self::HubIngress => "hub_ingress",
            Self::HubEgress => "hub_egress",
            Self::MqttInbound => "mqtt_inbound",
            Self::MqttOutbound => "mqtt_outbound",
            Self::MqttConnect => "mqtt_connect",
        }
    }

    /// (events, bytes) per second per TU.
    pub const fn rates_per_tu(self) -> (u64, u64) {
        match self {
            Self::Ingress => (INGRESS_EVENTS_PER_SEC_PER_TU, INGRESS_BYTES_PER_SEC_PER_TU),
            Self::Delivery | Self::Settlement => {
                (EGRESS_EVENTS_PER_SEC_PER_TU, EGRESS_BYTES_PER_SEC_PER_TU)
            }
            Self::HubIngress => (
                HUB_INGRESS_EVENTS_PER_SEC_PER_TU,
                HUB_INGRESS_BYTES_PER_SEC_PER_TU,
            ),
            Self::HubEgress => (
                HUB_EGRESS_EVENTS_PER_SEC_PER_TU,
                HUB_EGRESS_BYTES_PER_SEC_PER_TU,
            ),
            Self::MqttInbound => (
                MQTT_INBOUND_MESSAGES_PER_SEC_PER_TU,
                MQTT_INBOUND_BYTES_PER_SEC_PER_TU,
            ),
            Self::MqttOutbound => (
                MQTT_OUTBOUND_MESSAGES_PER_SEC_PER_TU,
                MQTT_OUTBOUND_BYTES_PER_SEC_PER_TU,
            ),
            Self::MqttConnect => (MQTT_CONNECTS_PER_SEC_PER_TU, 0),
        }
    }

    const fn index(self) -> usize {
        match self {
            Self::Ingress => 0,
            Self::Delivery => 1,
            Self::Settlement => 2,
            Self::HubIngress => 3,
            Self::HubEgress => 4,
            Self::MqttInbound => 5,
            Self::MqttOutbound => 6,
            Self::MqttConnect => 7,
        }
    }
}

impl std::fmt::Display for Direction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A refused request: when to try again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Refused {
    /// The direction whose limit was reached.
    pub direction: Direction,
    /// How long until the request would be accepted (if nothing else takes the tokens first).
    pub retry_after: Duration,
}

/// One token bucket: `level` nano-tokens out of `capacity`, refilled at `rate` tokens/s.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Bucket {
    rate: u64,
    level: i128,
}

impl Bucket {
    fn full(rate: u64) -> Self {
        let mut bucket = Self { rate, level: 0 };
        bucket.level = bucket.capacity();
        bucket
    }

    fn capacity(self) -> i128 {
        i128::from(self.rate) * BURST.as_nanos().cast_signed()
    }

    fn refill(&mut self, elapsed: Duration) {
        let added = elapsed.as_nanos().cast_signed() * i128::from(self.rate);
        self.level = self.level.saturating_add(added).min(self.capacity());
    }

    /// Nano-tokens `amount` tokens take, capped at the capacity (a larger request waits for a
    /// full bucket).
    fn need(self, amount: u64) -> i128 {
        (i128::from(amount) * NANOS_PER_SEC).min(self.capacity())
    }

    /// How long until `need` nano-tokens are there (zero if they are).
    fn wait_for(self, need: i128) -> Duration {
        let missing = need - self.level;
        if missing <= 0 || self.rate == 0 {
            return Duration::ZERO;
        }
        let nanos = missing.div_euclid(i128::from(self.rate))
            + i128::from(missing.rem_euclid(i128::from(self.rate)) != 0);
        Duration::from_nanos(u64::try_from(nanos).unwrap_or(u64::MAX))
    }

    /// Whole tokens available now (0 when empty or in debt).
    fn tokens(self) -> u64 {
        u64::try_from(self.level.div_euclid(NANOS_PER_SEC)).unwrap_or(0)
    }

    fn take(&mut self, amount: u64) {
        self.level -= i128::from(amount) * NANOS_PER_SEC;
    }
}

/// The events and bytes buckets of one direction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Pair {
    events: Bucket,
    bytes: Bucket,
}

impl Pair {
    fn full(direction: Direction, units: u32) -> Self {
        let (events, bytes) = direction.rates_per_tu();
        Self {
            events: Bucket::full(events * u64::from(units)),
            bytes: Bucket::full(bytes * u64::from(units)),
        }
    }
}

/// The namespace's limits: unlimited (no TUs) or token buckets for `units` TUs.
#[derive(Debug)]
pub struct Throttle {
    units: Option<u32>,
    last: MonotonicTime,
    pairs: [Pair; Direction::ALL.len()],
    refused: [u64; Direction::ALL.len()],
}

impl Throttle {
    /// Limits for `units` TUs (`None`: unlimited), buckets full at `now`.
    ///
    /// # Panics
    ///
    /// Never; `units` outside 1–40 is clamped into it (the configuration is validated before).
    pub fn new(units: Option<u32>, now: MonotonicTime) -> Self {
        let units = units.map(|u| u.clamp(THROUGHPUT_UNITS_MIN, THROUGHPUT_UNITS_MAX));
        Self {
            units,
            last: now,
            pairs: Direction::ALL.map(|d| Pair::full(d, units.unwrap_or(0))),
            refused: [0; Direction::ALL.len()],
        }
    }

    /// The configured TUs (`None`: unlimited).
    pub fn units(&self) -> Option<u32> {
        self.units
    }

    /// Requests refused in `direction` since the throttle was created.
    pub fn refused(&self, direction: Direction) -> u64 {
        self.refused[direction.index()]
    }

    /// Changes the TUs, effective at once. Tokens already in a bucket are kept up to the new
    /// capacity; a namespace that was unlimited starts with full buckets.
    pub fn set_units(&mut self, units: Option<u32>, now: MonotonicTime) {
        let units = units.map(|u| u.clamp(THROUGHPUT_UNITS_MIN, THROUGHPUT_UNITS_MAX));
        if units == self.units {
            return;
        }
        self.refill(now);
        let was_limited = self.units.is_some();
        self.units = units;
        for direction in Direction::ALL {
            let fresh = Pair::full(direction, units.unwrap_or(0));
            let pair = &mut self.pairs[direction.index()];
            if was_limited {
                pair.events = Bucket {
                    level: pair.events.level.min(fresh.events.capacity()),
                    ..fresh.events
                };
                pair.bytes = Bucket {
                    level: pair.bytes.level.min(fresh.bytes.capacity()),
                    ..fresh.bytes
                };
            } else {
                *pair = fresh;
            }
        }
    }

    fn refill(&mut self, now: MonotonicTime) {
        let elapsed = now.saturating_duration_since(self.last);
        self.last = self.last.max(now);
        for pair in &mut self.pairs {
            pair.events.refill(elapsed);
            pair.bytes.refill(elapsed);
        }
    }

    fn refuse(&mut self, direction: Direction, retry_after: Duration) -> Refused {
        self.refused[direction.index()] += 1;
        Refused {
            direction,
            retry_after,
        }
    }

    /// Takes `events` and `bytes` from `direction`'s buckets, or refuses and takes nothing.
    pub fn try_take(
        &mut self,
        direction: Direction,
        events: u64,
        bytes: u64,
        now: MonotonicTime,
    ) -> Result<(), Refused> {
        if self.units.is_none() {
            return Ok(());
        }
        self.refill(now);
        let pair = &mut self.pairs[direction.index()];
        let wait = pair
            .events
            .wait_for(pair.events.need(events))
            .max(pair.bytes.wait_for(pair.bytes.need(bytes)));
        if !wait.is_zero() {
            return Err(self.refuse(direction, wait));
        }
        pair.events.take(events);
        pair.bytes.take(bytes);
        Ok(())
    }

    /// How many events `direction` may hand out now, at most `max` (receive): refused when the
    /// events bucket or the bytes bucket holds less than one whole token (one event, one byte).
    pub fn grant(
        &mut self,
        direction: Direction,
        max: u64,
        now: MonotonicTime,
    ) -> Result<u64, Refused> {
        if self.units.is_none() {
            return Ok(max);
        }
        self.refill(now);
        let pair = self.pairs[direction.index()];
        let wait = pair
            .events
            .wait_for(NANOS_PER_SEC)
            .max(pair.bytes.wait_for(NANOS_PER_SEC));
        if !wait.is_zero() {
            return Err(self.refuse(direction, wait));
        }
        Ok(pair.events.tokens().min(max))
    }

    /// Charges what a granted receive returned (the bytes bucket may go into debt).
    pub fn charge(&mut self, direction: Direction, events: u64, bytes: u64, now: MonotonicTime) {
        if self.units.is_none() {
            return;
        }
        self.refill(now);
        let pair = &mut self.pairs[direction.index()];
        pair.events.take(events);
        pair.bytes.take(bytes);
    }
}

/// A [`Throttle`] shared between threads: while unlimited (the default), operations pass
/// without taking its lock.
#[derive(Debug)]
pub struct SharedThrottle {
    limited: AtomicBool,
    throttle: Mutex<Throttle>,
}

impl SharedThrottle {
    /// Unlimited, buckets (when limits are set) measured from `now`.
    pub fn new(now: MonotonicTime) -> Self {
        Self {
            limited: AtomicBool::new(false),
            throttle: Mutex::new(Throttle::new(None, now)),
        }
    }

    /// The configured TUs (`None`: unlimited).
    pub fn units(&self) -> Option<u32> {
        self.throttle.lock().units()
    }

    /// Requests refused in `direction` so far.
    pub fn refused(&self, direction: Direction) -> u64 {
        self.throttle.lock().refused(direction)
    }

    /// [`Throttle::set_units`].
    pub fn set_units(&self, units: Option<u32>, now: MonotonicTime) {
        let mut throttle = self.throttle.lock();
        throttle.set_units(units, now);
        self.limited.store(units.is_some(), Ordering::Release);
    }

    /// [`Throttle::try_take`].
    pub fn try_take(
        &self,
        direction: Direction,
        events: u64,
        bytes: u64,
        now: impl FnOnce() -> MonotonicTime,
    ) -> Result<(), Refused> {
        if !self.limited.load(Ordering::Acquire) {
            return Ok(());
        }
        self.throttle
            .lock()
            .try_take(direction, events, bytes, now())
    }

    /// [`Throttle::grant`].
    pub fn grant(
        &self,
        direction: Direction,
        max: u64,
        now: impl FnOnce() -> MonotonicTime,
    ) -> Result<u64, Refused> {
        if !self.limited.load(Ordering::Acquire) {
            return Ok(max);
        }
        self.throttle.lock().grant(direction, max, now())
    }

    /// [`Throttle::charge`].
    pub fn charge(
        &self,
        direction: Direction,
        events: u64,
        bytes: u64,
        now: impl FnOnce() -> MonotonicTime,
    ) {
        if self.limited.load(Ordering::Acquire) {
            self.throttle.lock().charge(direction, events, bytes, now());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(millis: u64) -> MonotonicTime {
        MonotonicTime::from_since_origin(Duration::from_millis(millis))
    }

    const MB: u64 = 1_048_576;

    #[test]
    fn unlimited_takes_everything() {
        let mut throttle = Throttle::new(None, at(0));
        for _ in 0..1_000 {
            throttle
                .try_take(Direction::Ingress, 1_000, MB, at(0))
                .unwrap();
        }
        assert_eq!(throttle.grant(Direction::Delivery, 100, at(0)), Ok(100));
        assert_eq!(throttle.refused(Direction::Ingress), 0);
    }

    #[test]
    fn one_tu_allows_one_second_of_burst_then_the_rate() {
        let mut throttle = Throttle::new(Some(1), at(0));
        // The full bucket: 1,000 events at once.
        throttle
            .try_take(Direction::Ingress, 1_000, 1_000, at(0))
            .unwrap();
        // Empty: one more event waits exactly 1 ms (1,000 events/s).
        let refused = throttle
            .try_take(Direction::Ingress, 1, 1, at(0))
            .unwrap_err();
        assert_eq!(refused.direction, Direction::Ingress);
        assert_eq!(refused.retry_after, Duration::from_millis(1));
        // 100 events need 100 ms.
        let refused = throttle
            .try_take(Direction::Ingress, 100, 100, at(0))
            .unwrap_err();
        assert_eq!(refused.retry_after, Duration::from_millis(100));
        assert_eq!(throttle.refused(Direction::Ingress), 2);
        // After 100 ms exactly 100 fit, and not 101.
        assert!(
            throttle
                .try_take(Direction::Ingress, 101, 0, at(100))
                .is_err()
        );
        throttle
            .try_take(Direction::Ingress, 100, 0, at(100))
            .unwrap();
        assert!(
            throttle
                .try_take(Direction::Ingress, 1, 0, at(100))
                .is_err()
        );
    }

    #[test]
    fn bytes_limit_whichever_comes_first() {
        let mut throttle = Throttle::new(Some(1), at(0));
        // 16 events of 64 KiB = 1 MB: the bytes bucket is empty, the events bucket is not.
        throttle
            .try_take(Direction::Ingress, 16, MB, at(0))
            .unwrap();
        let refused = throttle
            .try_take(Direction::Ingress, 1, 65_536, at(0))
            .unwrap_err();
        // 65,536 bytes at 1,048,576 bytes/s = 62.5 ms.
        assert_eq!(refused.retry_after, Duration::from_micros(62_500));
        throttle
            .try_take(
                Direction::Ingress,
                1,
                65_536,
                at(0).saturating_add(Duration::from_micros(62_500)),
            )
            .unwrap();
    }

    #[test]
    fn the_bucket_never_holds_more_than_one_second() {
        let mut throttle = Throttle::new(Some(4), at(0));
        // An hour of quiet still allows only 4,000 events at once.
        let hour = 3_600_000;
        throttle
            .try_take(Direction::Ingress, 4_000, 0, at(hour))
            .unwrap();
        assert!(
            throttle
                .try_take(Direction::Ingress, 1, 0, at(hour))
                .is_err()
        );
    }

    #[test]
    fn accepted_over_a_window_is_rate_times_window_plus_burst() {
        // A publisher trying 10 events every millisecond for 10 s at 1 TU.
        let mut throttle = Throttle::new(Some(1), at(0));
        let mut accepted = 0_u64;
        for ms in 0..10_000 {
            if throttle
                .try_take(Direction::Ingress, 10, 10, at(ms))
                .is_ok()
            {
                accepted += 10;
            }
        }
        // Burst 1,000 + 1,000/s × 9.999 s of refill, in whole batches of 10.
        assert_eq!(accepted, 1_000 + 9_990);
        println!("accepted {accepted} events in 10 s at 1 TU");
    }

    #[test]
    fn egress_is_two_thousand_per_tu_and_directions_are_separate() {
        let mut throttle = Throttle::new(Some(1), at(0));
        throttle
            .try_take(Direction::Ingress, 1_000, 0, at(0))
            .unwrap();
        assert_eq!(throttle.grant(Direction::Delivery, 100, at(0)), Ok(100));
        throttle.charge(Direction::Delivery, 1_950, 1_950, at(0));
        assert_eq!(throttle.grant(Direction::Delivery, 100, at(0)), Ok(50));
        throttle.charge(Direction::Delivery, 50, 50, at(0));
        let refused = throttle.grant(Direction::Delivery, 100, at(0)).unwrap_err();
        // One event at 2,000/s: 0.5 ms.
        assert_eq!(refused.retry_after, Duration::from_micros(500));
        throttle
            .try_take(Direction::Settlement, 2_000, 0, at(0))
            .unwrap();
        assert!(
            throttle
                .try_take(Direction::Settlement, 1, 0, at(0))
                .is_err()
        );
    }

    #[test]
    fn receive_bytes_debt_delays_the_next_receive() {
        let mut throttle = Throttle::new(Some(1), at(0));
        assert_eq!(throttle.grant(Direction::Delivery, 10, at(0)), Ok(10));
        // 10 events of 1 MB: 10 MB against a 2 MB bucket, 8 MB of debt.
        throttle.charge(Direction::Delivery, 10, 10 * MB, at(0));
        let refused = throttle.grant(Direction::Delivery, 10, at(0)).unwrap_err();
        // Back above zero after 8 MB / 2 MB/s = 4 s (plus one byte's worth: 477 ns).
        assert_eq!(refused.retry_after, Duration::from_nanos(4_000_000_477));
        assert!(throttle.grant(Direction::Delivery, 10, at(4_001)).is_ok());
    }

    #[test]
    fn oversized_requests_wait_for_a_full_bucket() {
        let mut throttle = Throttle::new(Some(1), at(0));
        throttle
            .try_take(Direction::Ingress, 500, 0, at(0))
            .unwrap();
        let refused = throttle
            .try_take(Direction::Ingress, 5_000, 0, at(0))
            .unwrap_err();
        assert_eq!(refused.retry_after, Duration::from_millis(500));
        throttle
            .try_take(Direction::Ingress, 5_000, 0, at(500))
            .unwrap();
        // 4,000 events of debt: 4 s until the next one, plus its own millisecond.
        let refused = throttle
            .try_take(Direction::Ingress, 1, 0, at(500))
            .unwrap_err();
        assert_eq!(refused.retry_after, Duration::from_millis(4_001));
    }

    #[test]
    fn changing_units_takes_effect_at_once() {
        let mut throttle = Throttle::new(Some(1), at(0));
        throttle
            .try_take(Direction::Ingress, 1_000, 0, at(0))
            .unwrap();
        // Up to 40 TUs: the level is kept (empty), the rate is 40,000/s from now on.
        throttle.set_units(Some(40), at(0));
        assert_eq!(throttle.units(), Some(40));
        let refused = throttle
            .try_take(Direction::Ingress, 40, 0, at(0))
            .unwrap_err();
        assert_eq!(refused.retry_after, Duration::from_millis(1));
        throttle.try_take(Direction::Ingress, 40, 0, at(1)).unwrap();
        // A full 40-TU bucket cut to 1 TU holds 1 TU's capacity.
        throttle.set_units(Some(1), at(10_000));
        throttle
            .try_take(Direction::Ingress, 1_000, 0, at(10_000))
            .unwrap();
        assert!(
            throttle
                .try_take(Direction::Ingress, 1, 0, at(10_000))
                .is_err()
        );
        // Unlimited, then limited again: starts full.
        throttle.set_units(None, at(10_000));
        throttle
            .try_take(Direction::Ingress, 1_000_000, 0, at(10_000))
            .unwrap();
        throttle.set_units(Some(2), at(10_000));
        throttle
            .try_take(Direction::Ingress, 2_000, 0, at(10_000))
            .unwrap();
        assert!(
            throttle
                .try_take(Direction::Ingress, 1, 0, at(10_000))
                .is_err()
        );
    }

    #[test]
    fn mqtt_directions_have_the_service_rates() {
        let mut throttle = Throttle::new(Some(2), at(0));
        throttle
            .try_take(Direction::MqttInbound, 2_000, 2 * MB, at(0))
            .unwrap();
        let refused = throttle
            .try_take(Direction::MqttInbound, 1, 0, at(0))
            .unwrap_err();
        assert_eq!(refused.retry_after, Duration::from_micros(500));
        throttle
            .try_take(Direction::MqttOutbound, 2_000, 2 * MB, at(0))
            .unwrap();
        assert!(
            throttle
                .try_take(Direction::MqttOutbound, 0, 1, at(0))
                .is_err()
        );
        // Connects: 200/s per TU, no bytes limit.
        throttle
            .try_take(Direction::MqttConnect, 400, 0, at(0))
            .unwrap();
        let refused = throttle
            .try_take(Direction::MqttConnect, 1, 0, at(0))
            .unwrap_err();
        assert_eq!(refused.retry_after, Duration::from_micros(2_500));
        assert_eq!(throttle.refused(Direction::MqttConnect), 1);
        // The namespace's ingress is untouched.
        throttle
            .try_take(Direction::Ingress, 2_000, 0, at(0))
            .unwrap();
    }

    #[test]
    fn a_rate_limit_of_its_own() {
        let mut limit = RateLimit::new(1_000, MB, at(0));
        limit.try_take(999, 0, at(0)).unwrap();
        assert_eq!(limit.try_take(2, 0, at(0)), Err(Duration::from_millis(1)));
        limit.try_take(1, MB, at(0)).unwrap();
        assert!(limit.try_take(0, 1, at(0)).is_err());
        assert_eq!(limit.wait(1, 1, at(1)), Duration::ZERO);
    }

    #[test]
    fn rates_scale_with_units() {
        for units in [1, 4, 40] {
            let mut throttle = Throttle::new(Some(units), at(0));
            let n = u64::from(units);
            throttle
                .try_take(Direction::Ingress, 1_000 * n, MB * n, at(0))
                .unwrap();
            // 1 ms later, exactly 1 ms worth: n events, not n + 1.
            assert!(
                throttle
                    .try_take(Direction::Ingress, n + 1, 0, at(1))
                    .is_err()
            );
            throttle.try_take(Direction::Ingress, n, 0, at(1)).unwrap();
            // One second later exactly one second's worth again.
            throttle
                .try_take(Direction::Ingress, 1_000 * n - n, MB * n, at(1_000))
                .unwrap();
            assert!(
                throttle
                    .try_take(Direction::Ingress, n + 1, 0, at(1_000))
                    .is_err()
            );
        }
    }
}
