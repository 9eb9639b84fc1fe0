//! Time, behind a trait: the wall clock (`Timestamp`, Unix milliseconds) and a monotonic clock
//! (`MonotonicTime`), so tests move time instead of sleeping.
//!
//! How the engine uses the two (the storage core is built on this contract):
//!
//! - **Persisted deadlines are absolute wall-clock times.** A lock's deadline, a release delay's
//!   end, an event's TTL expiry and retention cut-offs are written to the WAL as `Timestamp`s,
//!   because they must mean the same thing after a restart, when the monotonic clock has a new,
//!   unrelated origin.
//! - **In-process expiry runs on the monotonic clock.** While the process runs, the engine converts
//!   each persisted deadline once into a `MonotonicTime` (`mono_now + (deadline - wall_now)`)
//!   and schedules it there, so a wall-clock step (NTP, a user changing the date) neither expires
//!   every lock at once nor keeps them forever. On open, persisted deadlines are re-derived from
//!   the wall clock at that moment, the remaining time clamped to the duration they were set for
//!   (the lock duration; a release's own delay, which its record carries); a wall clock that
//!   jumped while the process was down is therefore honoured within that bound, which is the
//!   only information available.
//!
//! [`ManualClock`] moves the two clocks independently so tests can cover both rules.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// A wall-clock instant: milliseconds since the Unix epoch (1970-01-01T00:00:00Z), UTC.
///
/// Negative values are instants before the epoch; they only arise from a badly set clock.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp {
    unix_millis: i64,
}

impl Timestamp {
    /// The Unix epoch.
    pub const UNIX_EPOCH: Self = Self { unix_millis: 0 };

    /// The instant `unix_millis` milliseconds after the Unix epoch.
    pub const fn from_unix_millis(unix_millis: i64) -> Self {
        Self { unix_millis }
    }

    /// Milliseconds since the Unix epoch.
    pub const fn unix_millis(self) -> i64 {
        self.unix_millis
    }

    /// `self + duration`, saturating at the end of time.
    #[must_use]
    pub fn saturating_add(self, duration: Duration) -> Self {
        let millis = i64::try_from(duration.as_millis()).unwrap_or(i64::MAX);
        Self::from_unix_millis(self.unix_millis.saturating_add(millis))
    }

    /// `self - duration`, saturating at the beginning of time.
    #[must_use]
    pub fn saturating_sub(self, duration: Duration) -> Self {
        let millis = i64::try_from(duration.as_millis()).unwrap_or(i64::MAX);
        Self::from_unix_millis(self.unix_millis.saturating_sub(millis))
    }

    /// How long after `earlier` this instant is; zero if it is not after it.
    pub fn saturating_duration_since(self, earlier: Self) -> Duration {
        let millis = self.unix_millis.saturating_sub(earlier.unix_millis);
        Duration::from_millis(u64::try_from(millis).unwrap_or(0))
    }
}

/// A monotonic instant: time elapsed since an arbitrary origin fixed when the clock was created.
///
/// Only differences between two readings of the same clock mean anything; never persist one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MonotonicTime {
    since_origin: Duration,
}

impl MonotonicTime {
    /// The clock's origin.
    pub const ORIGIN: Self = Self {
        since_origin: Duration::ZERO,
    };

    /// The instant `since_origin` after the clock's origin.
    pub const fn from_since_origin(since_origin: Duration) -> Self {
        Self { since_origin }
    }

    /// Time elapsed since the clock's origin.
    pub const fn since_origin(self) -> Duration {
        self.since_origin
    }

    /// `self + duration`, saturating at the end of time.
    #[must_use]
    pub fn saturating_add(self, duration: Duration) -> Self {
        Self::from_since_origin(self.since_origin.saturating_add(duration))
    }

    /// How long after `earlier` this instant is; zero if it is not after it.
    pub fn saturating_duration_since(self, earlier: Self) -> Duration {
        self.since_origin.saturating_sub(earlier.since_origin)
    }
}

/// A source of wall-clock and monotonic time. The engine reads time only through this trait.
pub trait Clock: Send + Sync {
    /// The current wall-clock time. It may jump backwards or forwards.
    fn now(&self) -> Timestamp;

    /// The current monotonic time. It never goes backwards.
    fn monotonic(&self) -> MonotonicTime;

    /// Whether the monotonic clock advances with real time, so a waiter may sleep (in real time)
    /// until a monotonic instant it computed. `false` (the default, and [`ManualClock`]'s) makes
    /// waiting receives re-read the clock often instead.
    fn tracks_real_time(&self) -> bool {
        false
    }
}

impl<C: Clock + ?Sized> Clock for Arc<C> {
    fn now(&self) -> Timestamp {
        (**self).now()
    }

    fn monotonic(&self) -> MonotonicTime {
        (**self).monotonic()
    }

    fn tracks_real_time(&self) -> bool {
        (**self).tracks_real_time()
    }
}

impl<C: Clock + ?Sized> Clock for &C {
    fn now(&self) -> Timestamp {
        (**self).now()
    }

    fn monotonic(&self) -> MonotonicTime {
        (**self).monotonic()
    }

    fn tracks_real_time(&self) -> bool {
        (**self).tracks_real_time()
    }
}

/// The operating system's clocks: `SystemTime` for the wall clock, `Instant` for the monotonic one
/// (its origin is when this `SystemClock` was created).
#[derive(Clone, Copy, Debug)]
pub struct SystemClock {
    origin: Instant,
}

impl SystemClock {
    /// A system clock whose monotonic origin is now.
    pub fn new() -> Self {
        Self {
            origin: Instant::now(),
        }
    }
}

impl Default for SystemClock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        let unix_millis = match SystemTime::now().duration_since(UNIX_EPOCH) {
            Ok(after) => i64::try_from(after.as_millis()).unwrap_or(i64::MAX),
            Err(before) => {
                i64::try_from(before.duration().as_millis()).map_or(i64::MIN, |millis| -millis)
            }
        };
        Timestamp::from_unix_millis(unix_millis)
    }

    fn monotonic(&self) -> MonotonicTime {
        MonotonicTime::from_since_origin(self.origin.elapsed())
    }

    fn tracks_real_time(&self) -> bool {
        true
    }
}

/// A clock that moves only when told to. The wall clock and the monotonic clock are set
/// independently: [`advance`](Self::advance) moves both, the other methods move one.
///
/// Shared between threads by reference or `Arc`; every method takes `&self`.
#[derive(Debug)]
pub struct ManualClock {
    wall_unix_millis: AtomicI64,
    monotonic_nanos: AtomicU64,
}

impl ManualClock {
    /// A clock reading `start` on the wall clock and the origin on the monotonic clock.
    pub fn new(start: Timestamp) -> Self {
        Self {
            wall_unix_millis: AtomicI64::new(start.unix_millis()),
            monotonic_nanos: AtomicU64::new(0),
        }
    }

    /// Lets time pass: moves both clocks forward by `duration`.
    pub fn advance(&self, duration: Duration) {
        self.advance_wall(duration);
        self.advance_monotonic(duration);
    }

    /// Steps the wall clock forward by `duration`; the monotonic clock does not move.
    pub fn advance_wall(&self, duration: Duration) {
        let millis = i64::try_from(duration.as_millis()).unwrap_or(i64::MAX);
        self.update_wall(|wall| wall.saturating_add(millis));
    }

    /// Steps the wall clock back by `duration`; the monotonic clock does not move.
    pub fn rewind_wall(&self, duration: Duration) {
        let millis = i64::try_from(duration.as_millis()).unwrap_or(i64::MAX);
        self.update_wall(|wall| wall.saturating_sub(millis));
    }

    /// Sets the wall clock to `now`; the monotonic clock does not move.
    pub fn set_wall(&self, now: Timestamp) {
        self.wall_unix_millis
            .store(now.unix_millis(), Ordering::SeqCst);
    }

    /// Moves the monotonic clock forward by `duration`; the wall clock does not move.
    pub fn advance_monotonic(&self, duration: Duration) {
        let nanos = u64::try_from(duration.as_nanos()).unwrap_or(u64::MAX);
        // `fetch_update` with a closure that always returns `Some` cannot fail.
        let _previous =
            self.monotonic_nanos
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |mono| {
                    Some(mono.saturating_add(nanos))
                });
    }

    fn update_wall(&self, step: impl Fn(i64) -> i64) {
        // `fetch_update` with a closure that always returns `Some` cannot fail.
        let _previous =
            self.wall_unix_millis
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |wall| Some(step(wall)));
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        Timestamp::from_unix_millis(self.wall_unix_millis.load(Ordering::SeqCst))
    }

    fn monotonic(&self) -> MonotonicTime {
        MonotonicTime::from_since_origin(Duration::from_nanos(
            self.monotonic_nanos.load(Ordering::SeqCst),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const START: Timestamp = Timestamp::from_unix_millis(1_700_000_000_000);

    #[test]
    fn advance_moves_both_clocks() {
        let clock = ManualClock::new(START);
        clock.advance(Duration::from_secs(61));
        assert_eq!(clock.now().unix_millis(), START.unix_millis() + 61_000);
        assert_eq!(clock.monotonic().since_origin(), Duration::from_secs(61));
    }

    #[test]
    fn wall_jumps_do_not_move_monotonic() {
        let clock = ManualClock::new(START);
        clock.rewind_wall(Duration::from_hours(1));
        assert_eq!(clock.now().unix_millis(), START.unix_millis() - 3_600_000);
        clock.advance_wall(Duration::from_hours(2));
        assert_eq!(clock.now().unix_millis(), START.unix_millis() + 3_600_000);
        clock.set_wall(Timestamp::UNIX_EPOCH);
        assert_eq!(clock.now(), Timestamp::UNIX_EPOCH);
        assert_eq!(clock.monotonic(), MonotonicTime::ORIGIN);
    }

    #[test]
    fn monotonic_moves_alone() {
        let clock = ManualClock::new(START);
        clock.advance_monotonic(Duration::from_millis(1_500));
        assert_eq!(clock.now(), START);
        assert_eq!(
            clock.monotonic().since_origin(),
            Duration::from_millis(1_500)
        );
    }

    #[test]
    fn works_through_arc_dyn() {
        let clock: Arc<dyn Clock> = Arc::new(ManualClock::new(START));
        assert_eq!(clock.now(), START);
        assert_eq!(clock.monotonic(), MonotonicTime::ORIGIN);
    }

    #[test]
    fn system_clock_is_after_2020_and_monotonic() {
        let clock = SystemClock::new();
        assert!(clock.now().unix_millis() > 1_577_836_800_000);
        let first = clock.monotonic();
        let second = clock.monotonic();
        assert!(second >= first);
    }

    #[test]
    fn timestamp_arithmetic_saturates() {
        let end = Timestamp::from_unix_millis(i64::MAX);
        assert_eq!(end.saturating_add(Duration::from_secs(1)), end);
        assert_eq!(
            START
                .saturating_add(Duration::from_secs(2))
                .saturating_duration_since(START),
            Duration::from_secs(2)
        );
        assert_eq!(START.saturating_duration_since(end), Duration::ZERO);
        assert_eq!(
            START.saturating_sub(Duration::from_millis(5)).unix_millis(),
            START.unix_millis() - 5
        );
        let mono = MonotonicTime::ORIGIN.saturating_add(Duration::from_secs(3));
        assert_eq!(
            mono.saturating_duration_since(MonotonicTime::ORIGIN),
            Duration::from_secs(3)
        );
        assert_eq!(
            MonotonicTime::ORIGIN.saturating_duration_since(mono),
            Duration::ZERO
        );
    }
}
