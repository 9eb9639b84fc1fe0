//! The clock reading the state is applied at ([`Now`]), and the bounds within which a persisted
//! lock-clock time is turned back into a monotonic instant (lock deadlines, release delays).

use std::time::Duration;

use crate::clock::MonotonicTime;

/// Longest release delay (1 h). A persisted visibility time is re-derived on apply with the time
/// left clamped to the release's own delay, or to this when the delay is unknown (a tag-8
/// `ReleaseV1` record, or a checkpoint written before delays were recorded).
pub const RELEASE_DELAY_MAX: Duration = Duration::from_hours(1);

/// [`RELEASE_DELAY_MAX`] in milliseconds, as recorded (`delay_ms` of `StateRecord::Release`).
pub const RELEASE_DELAY_MAX_MS: u32 = 3_600_000;

const _: () = assert!(RELEASE_DELAY_MAX.as_millis() == RELEASE_DELAY_MAX_MS as u128);

/// The clamp bound for a recorded release delay: the delay, at most [`RELEASE_DELAY_MAX`] (a
/// damaged or foreign record cannot hide an event for longer).
pub fn release_bound(delay_ms: u32) -> Duration {
    Duration::from_millis(u64::from(delay_ms)).min(RELEASE_DELAY_MAX)
}

/// One reading of the clock: wall time (publish times, TTL, retention, user-visible times), lock
/// time (persisted lock deadlines, lock times and release visibility times) and monotonic time
/// (in-process expiry).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Now {
    /// Wall clock, Unix ms.
    pub wall_ms: i64,
    /// Lock clock, Unix ms: the boot clock plus the namespace's anchor for this boot
    /// (`crate::anchor`), which never steps within a boot; the wall clock when there is no
    /// anchor.
    pub lock_ms: i64,
    /// Monotonic clock.
    pub mono: MonotonicTime,
}

impl Now {
    /// A reading without a lock clock of its own: lock time is wall time.
    pub const fn on_wall(wall_ms: i64, mono: MonotonicTime) -> Self {
        Self {
            wall_ms,
            lock_ms: wall_ms,
            mono,
        }
    }

    /// The monotonic instant for the persisted lock-clock instant `target_ms`: the remaining
    /// time `target_ms - lock_now`, clamped to `[0, max]` (docs/delivery.md §5).
    pub fn mono_for(self, target_ms: i64, max: Duration) -> MonotonicTime {
        let remaining = u64::try_from(target_ms.saturating_sub(self.lock_ms)).unwrap_or(0);
        self.mono
            .saturating_add(Duration::from_millis(remaining).min(max))
    }
}

/// `ms + duration`, saturating.
pub fn add_ms(ms: i64, duration: Duration) -> i64 {
    ms.saturating_add(i64::try_from(duration.as_millis()).unwrap_or(i64::MAX))
}

/// Tests' clock reading: `wall_ms` on the wall and lock clocks, `mono_secs` on the monotonic one.
#[cfg(test)]
pub(crate) fn test_now(wall_ms: i64, mono_secs: u64) -> Now {
    Now::on_wall(
        wall_ms,
        crate::clock::MonotonicTime::from_since_origin(Duration::from_secs(mono_secs)),
    )
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::{Now, test_now as now};
    use crate::clock::MonotonicTime;

    const T0: i64 = 1_700_000_000_000;

    #[test]
    fn persisted_deadlines_are_clamped_to_zero_and_the_maximum() {
        let at = now(T0, 100);
        let lock = Duration::from_mins(1);
        let mono = |secs| MonotonicTime::from_since_origin(Duration::from_secs(secs));
        assert_eq!(at.mono_for(T0 + 30_000, lock), mono(130));
        assert_eq!(
            at.mono_for(T0 + 3_600_000, lock),
            mono(160),
            "wall clock went back"
        );
        assert_eq!(at.mono_for(T0 - 5_000, lock), mono(100), "already passed");
        // Persisted deadlines are read on the lock clock, not the wall clock.
        let stepped = Now {
            wall_ms: T0 + 5 * 3_600_000,
            lock_ms: T0,
            mono: mono(100),
        };
        assert_eq!(stepped.mono_for(T0 + 30_000, lock), mono(130));
    }
}
