//! Time, behind a trait: the wall clock (`Timestamp`, Unix milliseconds), a monotonic clock
//! (`MonotonicTime`) and the machine's boot clock (`BootTime`), so tests move time instead of
//! sleeping.
//!
//! How the engine uses them (the storage core is built on this contract):
//!
//! - **Persisted times are absolute.** Publish times, and through them TTL expiry and retention
//!   cut-offs, are wall-clock `Timestamp`s, like every time users see. Lock deadlines, the lock
//!   time the renewal window starts from, and release visibility times are on the namespace's
//!   **lock clock**: `since_boot + offset`, Unix ms, where `since_boot` is the boot clock
//!   ([`Clock::boot`], Linux `CLOCK_BOOTTIME`: it counts suspend and never steps) and `offset` is
//!   `wall - since_boot` taken at the first open of the namespace in this boot and kept in the data
//!   directory (`crate::anchor`). They must mean the same thing after a restart, when the monotonic
//!   clock has a new, unrelated origin.
//! - **In-process expiry runs on the monotonic clock.** While the process runs, the engine converts
//!   each persisted deadline once into a `MonotonicTime` (`mono_now + (deadline - lock_now)`) and
//!   schedules it there, so a wall-clock step (NTP, a user changing the date) neither expires
//!   every lock at once nor keeps them forever. On open, persisted deadlines are re-derived the
//!   same way, the remaining time clamped to the duration they were set for (the lock duration; a
//!   release's own delay, which its record carries). Every open in one boot uses the same offset,
//!   so the lock clock never steps across a process restart: the time a lock has left after a
//!   restart is exact whatever the wall clock did. At a new boot (another boot id) the offset is
//!   taken again from the wall clock, so a wall clock that jumped while the machine was down is
//!   honoured within the clamp, which is the only information available. A clock without a boot
//!   reading puts the lock clock on the wall clock.
//!
//! [`ManualClock`] moves the wall and monotonic clocks independently so tests can cover these
//! rules, and simulates reboots ([`ManualClock::reboot`]).

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use parking_lot::Mutex;

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

/// A reading of the machine's boot clock: which boot, and how long since it (suspend included).
///
/// Every process of one boot of the machine reads the same boot id and one continuous, never
/// stepping boot clock; that is what makes lock deadlines exact across a process restart.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct BootTime {
    /// The boot's identity (Linux: `/proc/sys/kernel/random/boot_id`, a UUID: its 16 bytes in
    /// printed order).
    pub boot_id: [u8; 16],
    /// Time since the boot, suspend included (Linux: `CLOCK_BOOTTIME`).
    pub since_boot: Duration,
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

    /// The boot clock, if this clock has one: the lock clock of a namespace is anchored on it
    /// (see the module documentation). `None` (the default) puts lock deadlines on the wall
    /// clock.
    fn boot(&self) -> Option<BootTime> {
        None
    }
}

/// A shared or borrowed clock is the clock it points to.
macro_rules! forward_clock {
    ($($pointer:ty),*) => {$(
        impl<C: Clock + ?Sized> Clock for $pointer {
            fn now(&self) -> Timestamp {
                (**self).now()
            }

            fn monotonic(&self) -> MonotonicTime {
                (**self).monotonic()
            }

            fn tracks_real_time(&self) -> bool {
                (**self).tracks_real_time()
            }

            fn boot(&self) -> Option<BootTime> {
                (**self).boot()
            }
        }
    )*};
}

forward_clock!(Arc<C>, &C);

/// The operating system's clocks: `SystemTime` for the wall clock, `Instant` for the monotonic one
/// (its origin is when this `SystemClock` was created), and on Linux the boot clock
/// (`CLOCK_BOOTTIME` and the boot id, read once when it is created; without a readable boot id
/// there is no boot reading).
#[derive(Clone, Copy, Debug)]
pub struct SystemClock {
    origin: Instant,
    boot_id: Option<[u8; 16]>,
}

/// Where Linux publishes the boot id.
#[cfg(any(target_os = "linux", target_os = "android"))]
const BOOT_ID_PATH: &str = "/proc/sys/kernel/random/boot_id";

impl SystemClock {
    /// A system clock whose monotonic origin is now.
    pub fn new() -> Self {
        Self {
            origin: Instant::now(),
            boot_id: read_boot_id(),
        }
    }
}

#[cfg(any(target_os = "linux", target_os = "android"))]
fn read_boot_id() -> Option<[u8; 16]> {
    std::fs::read_to_string(BOOT_ID_PATH)
        .ok()
        .and_then(|text| parse_boot_id(&text))
}

#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn read_boot_id() -> Option<[u8; 16]> {
    None
}

/// A boot id as Linux prints it (`8-4-4-4-12` hex digits, a trailing newline allowed): its 16
/// bytes in printed order. Anything else is `None`.
pub fn parse_boot_id(text: &str) -> Option<[u8; 16]> {
    let text = text.trim_end_matches('\n');
    let groups: Vec<&str> = text.split('-').collect();
    let lengths: Vec<usize> = groups.iter().map(|group| group.len()).collect();
    if lengths != [8, 4, 4, 4, 12]
        || !groups
            .iter()
            .all(|group| group.bytes().all(|byte| byte.is_ascii_hexdigit()))
    {
        return None;
    }
    let digits = groups.concat();
    let mut id = [0_u8; 16];
    for (byte, pair) in id.iter_mut().zip(digits.as_bytes().chunks(2)) {
        *byte = u8::from_str_radix(std::str::from_utf8(pair).ok()?, 16).ok()?;
    }
    Some(id)
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

    #[cfg(any(target_os = "linux", target_os = "android"))]
    fn boot(&self) -> Option<BootTime> {
        let boot_id = self.boot_id?;
        let now = rustix::time::clock_gettime(rustix::time::ClockId::Boottime);
        let secs = u64::try_from(now.tv_sec).ok()?;
        let nanos = u32::try_from(now.tv_nsec).ok()?;
        Some(BootTime {
            boot_id,
            since_boot: Duration::new(secs, nanos),
        })
    }
}

/// A clock that moves only when told to. The wall clock and the monotonic clock are set
/// independently: [`advance`](Self::advance) moves both, the other methods move one.
///
/// It is one boot of a simulated machine: its boot clock is its monotonic clock since the boot,
/// under a boot id drawn at random when it is created, so a namespace reopened with the same
/// `ManualClock` is a process restart within one boot, and one reopened with a new
/// `ManualClock` (or after [`reboot`](Self::reboot)) comes back after a reboot.
///
/// Shared between threads by reference or `Arc`; every method takes `&self`.
#[derive(Debug)]
pub struct ManualClock {
    wall_unix_millis: AtomicI64,
    monotonic_nanos: AtomicU64,
    /// (boot id, monotonic nanoseconds at the boot), or `None` when boot readings are off.
    boot: Mutex<Option<([u8; 16], u64)>>,
}

/// A boot id no other clock (of this process or another) is likely to have drawn.
fn random_boot_id() -> [u8; 16] {
    let mut bytes = [0_u8; 16];
    if getrandom::fill(&mut bytes).is_err() {
        // No randomness: the time, the process and a per-process counter still tell boots
        // apart in tests.
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |since| since.as_nanos());
        let count = COUNTER.fetch_add(1, Ordering::Relaxed);
        let mixed = nanos ^ (u128::from(count) << 64) ^ (u128::from(std::process::id()) << 96);
        return mixed.to_le_bytes();
    }
    bytes
}

impl ManualClock {
    /// A clock reading `start` on the wall clock and the origin on the monotonic clock, in a
    /// fresh boot (a random boot id, booted at the monotonic origin).
    pub fn new(start: Timestamp) -> Self {
        Self {
            wall_unix_millis: AtomicI64::new(start.unix_millis()),
            monotonic_nanos: AtomicU64::new(0),
            boot: Mutex::new(Some((random_boot_id(), 0))),
        }
    }

    /// Simulates a reboot of the machine: a new boot id, and the boot clock starts again from
    /// zero now (the wall and monotonic clocks do not move). Only between a close (or crash)
    /// and the next open: a namespace open across a reboot is not a thing that happens.
    pub fn reboot(&self) {
        let now = self.monotonic_nanos.load(Ordering::SeqCst);
        *self.boot.lock() = Some((random_boot_id(), now));
    }

    /// Sets the boot id (the boot clock does not move): two clocks given the same id are the
    /// same boot. `None` turns boot readings off (a platform without a boot clock).
    pub fn set_boot_id(&self, boot_id: Option<[u8; 16]>) {
        let mut boot = self.boot.lock();
        let booted_at = boot.map_or(0, |(_, at)| at);
        *boot = boot_id.map(|id| (id, booted_at));
    }

    /// The current boot id (`None` when boot readings are off).
    pub fn boot_id(&self) -> Option<[u8; 16]> {
        self.boot.lock().map(|(id, _)| id)
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

    fn boot(&self) -> Option<BootTime> {
        let (boot_id, booted_at) = (*self.boot.lock())?;
        let now = self.monotonic_nanos.load(Ordering::SeqCst);
        Some(BootTime {
            boot_id,
            since_boot: Duration::from_nanos(now.saturating_sub(booted_at)),
        })
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
    fn manual_boot_clock_follows_monotonic_and_restarts_at_a_reboot() {
        let clock = ManualClock::new(START);
        let first = clock.boot().unwrap();
        assert_eq!(first.since_boot, Duration::ZERO);
        clock.advance(Duration::from_secs(5));
        clock.advance_wall(Duration::from_hours(3));
        let later = clock.boot().unwrap();
        assert_eq!(later.boot_id, first.boot_id);
        assert_eq!(later.since_boot, Duration::from_secs(5));
        clock.reboot();
        let rebooted = clock.boot().unwrap();
        assert_ne!(rebooted.boot_id, first.boot_id);
        assert_eq!(rebooted.since_boot, Duration::ZERO);
        clock.advance_monotonic(Duration::from_secs(2));
        assert_eq!(clock.boot().unwrap().since_boot, Duration::from_secs(2));
        clock.set_boot_id(Some([7; 16]));
        assert_eq!(
            clock.boot(),
            Some(BootTime {
                boot_id: [7; 16],
                since_boot: Duration::from_secs(2)
            })
        );
        clock.set_boot_id(None);
        assert_eq!(clock.boot(), None);
        assert_ne!(
            ManualClock::new(START).boot_id(),
            ManualClock::new(START).boot_id()
        );
    }

    #[test]
    fn boot_ids_parse_as_linux_prints_them() {
        assert_eq!(
            parse_boot_id("0123abcd-4567-89ab-cdef-0123456789AB\n"),
            Some([
                0x01, 0x23, 0xab, 0xcd, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0x01, 0x23, 0x45, 0x67,
                0x89, 0xab
            ])
        );
        for bad in [
            "",
            "0123abcd456789abcdef0123456789ab",
            "0123abcd-4567-89ab-cdef-0123456789a",
            "0123abcd-4567-89ab-cdef-0123456789ag",
            "+123abcd-4567-89ab-cdef-0123456789ab",
        ] {
            assert_eq!(parse_boot_id(bad), None, "{bad:?}");
        }
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn system_boot_clock_is_shared_by_clocks_of_one_boot_and_advances() {
        let (one, two) = (SystemClock::new(), SystemClock::new());
        let Some(first) = one.boot() else {
            eprintln!("no boot id readable here: the lock clock is the wall clock");
            return;
        };
        let second = two.boot().unwrap();
        assert_eq!(first.boot_id, second.boot_id);
        assert!(second.since_boot >= first.since_boot);
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
