//! Clock jumps (issue 7; fault F9 in docs/reliability.md): the wall clock is stepped back and
//! forward (up to two days) between receives, renewals, acknowledgements, releases, monotonic
//! time passing, clean restarts, crashes (drop without close) and reboots (a restart after
//! `ManualClock::reboot`), on the engine's `ManualClock`.
//!
//! The model is the contract of docs/delivery.md §5 and §7. In process, a lock expires exactly
//! one lock duration of *monotonic* time after its receive or renewal: no wall step expires it
//! early or extends it. Persisted deadlines are on the lock clock (boot clock plus the anchor
//! taken at the first open in the boot), which the model follows as `mono + lock_base`. Across a
//! restart in the same boot the lock clock has not stepped, so nothing changes: a lock holds
//! exactly its remaining monotonic time whatever the wall clock did. Across a reboot the anchor
//! is taken again from the wall clock (`lock_base = wall - mono` at that open) and the remaining
//! time is `clamp(deadline - lock_now, 0, lock duration)`: a wall clock that went back cannot
//! make a lock live forever (at most one more lock duration), one that went forward expires it.
//! A release (delay 0, 10 s, 60 s, or any delay up to 90 s through `release_after`) is the same:
//! in process, and across a restart in the boot, it becomes visible exactly its delay of
//! monotonic time after the release; across a reboot the time left is
//! `clamp(visible - lock_now, 0, delay)` (an event released with no delay is available at once;
//! issue 7 was a 1 h bound here). The renewal window (1 h from the receive) runs on the lock
//! clock too. Checked on every step: a receive never returns an event whose lock still holds or
//! whose release delay has not run out (not early), a full receive returns every event whose
//! lock or delay has run out (not forever), and settling a token succeeds exactly when its lock
//! holds.
//!
//! This runs at the engine level: the server's clock is the system clock (or the test-only
//! uniform `GRIDLOG_TEST_TIME_SCALE`), which a test cannot step without changing the machine's
//! time. Steps: `GRIDLOG_CLOCK_STEPS` (default 3,000; 100,000 with `GRIDLOG_LONG=1`).
//! Seed: `GRIDLOG_CLOCK_SEED` (printed).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::cast_possible_truncation,
    clippy::cast_possible_wrap,
    clippy::too_many_lines,
    reason = "a test fails loudly by design"
)]

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use gridlog::MemoryIndex;
use gridlog::format::parse_structured;
use gridlog::{
    Clock, IndexKind, ManualClock, Namespace, NamespaceConfig, NamespaceOptions, ReleaseDelay,
    Timestamp, WalOptions,
};
use gridlog_wal::testing::Rng;

const LOCK_MS: i64 = 60_000;
const START_MS: i64 = 1_700_000_000_000;
const DAY_MS: i64 = 86_400_000;
const RENEW_WINDOW_MS: i64 = 3_600_000;
/// Release delays the model draws (ms): the API's 0, 10 s and 60 s, and any delay through
/// `release_after` (drawn up to [`ODD_DELAY_MAX_MS`]).
const RELEASE_DELAYS_MS: [i64; 3] = [0, 10_000, 60_000];
const ODD_DELAY_MAX_MS: i64 = 90_000;

/// What the model knows of one held lock.
struct Lock {
    token: String,
    /// Monotonic milliseconds at which it runs out (in this process).
    mono_deadline: i64,
    /// The persisted deadline, on the lock clock.
    persisted_deadline: i64,
    /// The wall clock's deadline at the receive or renewal: what the pre-anchor rule (the wall
    /// clock across every restart) would have re-derived (for the printed figures only).
    wall_deadline: i64,
    /// Lock-clock time of the receive: renewals are refused from one hour after it.
    locked_at_lock_clock: i64,
}

fn options(clock: &Arc<ManualClock>, index: &MemoryIndex) -> NamespaceOptions {
    NamespaceOptions {
        wal: WalOptions {
            segment_bytes_target: 64 << 10,
            preallocate: false,
            prepare_spare: false,
            ..WalOptions::default()
        },
        clock: clock.clone(),
        index: IndexKind::Custom(Arc::new(index.clone())),
        // Every sweep is the model's own step (a background one would race the manual clock).
        maintenance_interval: None,
        ..NamespaceOptions::default()
    }
}

fn mono_ms(clock: &ManualClock) -> i64 {
    clock.monotonic().since_origin().as_millis() as i64
}

#[test]
fn wall_clock_jumps_neither_expire_locks_early_nor_keep_them_forever() {
    let long = std::env::var("GRIDLOG_LONG").is_ok_and(|v| v == "1");
    let steps: u64 = std::env::var("GRIDLOG_CLOCK_STEPS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(if long { 100_000 } else { 3_000 });
    let seed: u64 = std::env::var("GRIDLOG_CLOCK_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
        });
    eprintln!("clock_jumps: seed {seed} (replay: GRIDLOG_CLOCK_SEED={seed})");
    let started = Instant::now();
    let mut rng = Rng::new(seed);
    let dir = tempfile::tempdir().unwrap();
    let index = MemoryIndex::default();
    let clock = Arc::new(ManualClock::new(Timestamp::from_unix_millis(START_MS)));
    let mut ns = Namespace::open(dir.path(), options(&clock, &index)).unwrap();
    ns.apply_config(
        &NamespaceConfig::from_json_str(
            r#"{"topics":[{"name":"orders","eventSubscriptions":[{"name":"work","properties":{
              "deliveryConfiguration":{"deliveryMode":"Queue","queue":{
              "receiveLockDurationInSeconds":60,"maxDeliveryCount":10}}}}]}]}"#,
        )
        .unwrap(),
    )
    .unwrap();
    // Wall offset from "true" time, kept within (-2 days, +1 day) so retention (7 days) and
    // TTL never interfere.
    let mut offset: i64 = 0;
    // The lock clock is `mono + lock_base`: anchored at the first open (wall START_MS at mono 0)
    // and again at the first open after each reboot.
    let mut lock_base: i64 = START_MS;
    let (mut same_boot_restarts, mut reboots, mut kept_against_wall_rule) = (0, 0, 0);
    let mut locks: BTreeMap<String, Lock> = BTreeMap::new();
    // Available events: (for a release: (persisted lock-clock visibility time, delay ms); monotonic
    // time it becomes visible in this process). A publish is visible at once and for good; a
    // release's visibility is re-derived on open, `clamp(visible - wall_now, 0, delay)`.
    let mut available: BTreeMap<String, (Option<(i64, i64)>, i64)> = BTreeMap::new();
    let mut counts: BTreeMap<String, u32> = BTreeMap::new();
    let (mut jumps_back, mut jumps_forward, mut restarts, mut expiries_seen) = (0, 0, 0, 0);
    let (mut settled, mut refused) = (0, 0);
    // Releases by delay class (0, 10 s, 60 s, other), and released events not yet redelivered
    // at a restart with the wall clock behind their visibility time by more than their delay (the
    // case of issue 7, where they waited up to 1 h), of which how many had delay 0.
    let mut releases = [0_u64; 4];
    let (mut waited_across_back_step, mut zero_delay_back_step) = (0, 0);
    let mut n = 0;
    // Per event: what happened to it (printed when a check fails).
    let mut trail: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for step in 0..steps {
        let now = mono_ms(&clock);
        match rng.below(20) {
            0..=2 => {
                n += 1;
                let id = format!("e{n}");
                let json =
                    format!(r#"{{"specversion":"1.0","id":"{id}","source":"/c","type":"T"}}"#);
                ns.publish("orders", &[parse_structured(json.as_bytes()).unwrap()])
                    .unwrap();
                trail.entry(id.clone()).or_default().push(format!(
                    "{step}: published (wall offset {offset}, mono {now})"
                ));
                available.insert(id, (None, 0));
            }
            3..=6 => {
                // A full receive: exactly the available events and the expired locks.
                let got = ns.receive("orders", "work", 100, Duration::ZERO).unwrap();
                let mut returned = BTreeMap::new();
                for r in &got {
                    let text = std::str::from_utf8(r.json()).unwrap();
                    let start = text.find(r#""id":""#).unwrap() + 6;
                    let id = text[start..start + text[start..].find('"').unwrap()].to_owned();
                    if let Some(lock) = locks.get(&id) {
                        assert!(
                            lock.mono_deadline <= now,
                            "step {step} (seed {seed}): {id} redelivered {} ms before its \
                             lock ran out (wall offset {offset} ms)",
                            lock.mono_deadline - now
                        );
                        expiries_seen += 1;
                    }
                    *counts.entry(id.clone()).or_default() += 1;
                    trail.entry(id.clone()).or_default().push(format!(
                        "{step}: delivered #{} (wall offset {offset}, mono {now})",
                        counts[&id]
                    ));
                    returned.insert(id.clone(), r.lock_token.clone());
                }
                for (id, lock) in &locks {
                    // An exact tie may go either way.
                    if lock.mono_deadline < now && counts[id] < 10 {
                        assert!(
                            returned.contains_key(id),
                            "step {step} (seed {seed}): the lock of {id} ran out {} ms ago and \
                             still holds (wall offset {offset} ms): {:?}",
                            now - lock.mono_deadline,
                            trail.get(id)
                        );
                    }
                }
                for (id, (release, visible)) in &available {
                    if *visible > now {
                        assert!(
                            !returned.contains_key(id),
                            "step {step} (seed {seed}): released {id} delivered {} ms early: \
                             {:?}",
                            visible - now,
                            trail.get(id)
                        );
                        continue;
                    }
                    // (Out of deliveries: dead-lettered instead.) A release's visibility time is
                    // exact, ties included: visible at `visible`.
                    let due = *visible < now || (release.is_some() && *visible == now);
                    if due && counts.get(id).copied().unwrap_or(0) < 10 {
                        assert!(
                            returned.contains_key(id),
                            "step {step} (seed {seed}): available {id} not delivered (wall \
                             offset {offset}, mono {now}): {:?}",
                            trail.get(id)
                        );
                    }
                }
                available.retain(|id, _| !returned.contains_key(id));
                let wall = clock.now().unix_millis();
                let lock_now = now + lock_base;
                for (id, token) in returned {
                    locks.insert(
                        id,
                        Lock {
                            token,
                            mono_deadline: now + LOCK_MS,
                            persisted_deadline: lock_now + LOCK_MS,
                            wall_deadline: wall + LOCK_MS,
                            locked_at_lock_clock: lock_now,
                        },
                    );
                }
                // Events out of deliveries are dead-lettered: stop following them.
                locks.retain(|id, lock| counts[id] < 10 || lock.mono_deadline > now);
            }
            7..=9 if !locks.is_empty() => {
                // Settle or renew one lock: it succeeds exactly when the lock holds.
                let at = rng.below(locks.len() as u64) as usize;
                let id = locks.keys().nth(at).unwrap().clone();
                let lock = &locks[&id];
                let action = rng.below(3);
                let wall = clock.now().unix_millis();
                let lock_now = now + lock_base;
                // Renewal also needs the lock clock within an hour of the receive
                // (docs/delivery.md §3, §7: the renewal window runs on the lock clock).
                let window = action != 1 || lock_now < lock.locked_at_lock_clock + RENEW_WINDOW_MS;
                let holds = lock.mono_deadline > now && window;
                let tie = lock.mono_deadline == now;
                let token = lock.token.clone();
                let class = rng.below(4) as usize;
                let delay_ms = RELEASE_DELAYS_MS
                    .get(class)
                    .copied()
                    .unwrap_or_else(|| 1 + rng.below(ODD_DELAY_MAX_MS as u64) as i64);
                let outcome = match action {
                    0 => ns.acknowledge("orders", "work", &[&token]).unwrap(),
                    1 => ns.renew_locks("orders", "work", &[&token]).unwrap(),
                    _ if class < RELEASE_DELAYS_MS.len() => {
                        let delay =
                            ReleaseDelay::from_secs(delay_ms.cast_unsigned() / 1000).unwrap();
                        ns.release("orders", "work", &[&token], delay).unwrap()
                    }
                    _ => ns
                        .release_after(
                            "orders",
                            "work",
                            &[&token],
                            Duration::from_millis(delay_ms.cast_unsigned()),
                        )
                        .unwrap(),
                };
                let ok = outcome.succeeded.len() == 1;
                let what = if action == 2 {
                    format!("release after {delay_ms} ms")
                } else {
                    ["acknowledge", "renew"][action as usize].to_owned()
                };
                trail.entry(id.clone()).or_default().push(format!(
                    "{step}: {what} -> {ok} (wall offset {offset}, mono {now})"
                ));
                if !tie {
                    assert_eq!(
                        ok,
                        holds,
                        "step {step} (seed {seed}): settle/renew of {id} answered {ok} with \
                         {} ms of lock left (wall offset {offset} ms)",
                        lock.mono_deadline - now
                    );
                }
                if ok {
                    settled += 1;
                    match action {
                        0 => {
                            locks.remove(&id);
                        }
                        1 => {
                            let l = locks.get_mut(&id).unwrap();
                            l.mono_deadline = now + LOCK_MS;
                            l.persisted_deadline = lock_now + LOCK_MS;
                            l.wall_deadline = wall + LOCK_MS;
                        }
                        _ => {
                            locks.remove(&id);
                            releases[class] += 1;
                            available.insert(
                                id,
                                (Some((lock_now + delay_ms, delay_ms)), now + delay_ms),
                            );
                        }
                    }
                } else {
                    refused += 1;
                }
            }
            10..=11 => {
                // Wall step back, up to two days (monotonic time does not move).
                let back = 1 + rng.below(2 * DAY_MS as u64) as i64;
                let back = back.min(offset + 2 * DAY_MS - 1);
                if back > 0 {
                    clock.rewind_wall(Duration::from_millis(back.cast_unsigned()));
                    offset -= back;
                    jumps_back += 1;
                }
            }
            12..=13 => {
                let forward = 1 + rng.below(DAY_MS as u64) as i64;
                let forward = forward.min(DAY_MS - offset - 1);
                if forward > 0 {
                    clock.advance_wall(Duration::from_millis(forward.cast_unsigned()));
                    offset += forward;
                    jumps_forward += 1;
                }
            }
            14..=17 => {
                // Time passes: 1 ms to 40 s on both clocks.
                clock.advance(Duration::from_millis(1 + rng.below(40_000)));
            }
            18..=19 => {
                // Restart, clean or crash, in the same boot or (one in three) after a reboot.
                if rng.below(2) == 0 {
                    ns.close().unwrap();
                } else {
                    drop(ns);
                }
                let reboot = rng.below(3) == 0;
                if reboot {
                    clock.reboot();
                }
                if rng.below(3) == 0 {
                    clock.advance(Duration::from_millis(rng.below(30_000)));
                }
                ns = Namespace::open(dir.path(), options(&clock, &index)).unwrap();
                restarts += 1;
                let wall = clock.now().unix_millis();
                let now = mono_ms(&clock);
                for id in locks.keys() {
                    trail.entry(id.clone()).or_default().push(format!(
                        "{step}: restart, reboot {reboot} (wall offset {offset}, mono {now})"
                    ));
                }
                if reboot {
                    // A new anchor: lock time is wall time at this open.
                    reboots += 1;
                    lock_base = wall - now;
                } else {
                    // The lock clock did not step: deadlines written in this boot stand, exactly.
                    // Count the held locks the wall-clock rule would have changed.
                    same_boot_restarts += 1;
                    kept_against_wall_rule += locks
                        .values()
                        .filter(|lock| {
                            lock.mono_deadline > now
                                && lock.mono_deadline - now <= LOCK_MS
                                && lock.persisted_deadline - (now + lock_base)
                                    == lock.mono_deadline - now
                                && now + (lock.wall_deadline - wall).clamp(0, LOCK_MS)
                                    != lock.mono_deadline
                        })
                        .count();
                }
                // Every persisted deadline is re-derived on the lock clock, clamped: exact for
                // those written in this boot; those carried over from an earlier boot are
                // clamped again at every open (docs/reliability.md "Locks and the clock").
                let lock_now = now + lock_base;
                for lock in locks.values_mut() {
                    let remaining = (lock.persisted_deadline - lock_now).clamp(0, LOCK_MS);
                    lock.mono_deadline = now + remaining;
                }
                for (id, (release, visible)) in &mut available {
                    if let Some((at, delay_ms)) = *release {
                        if at - lock_now > delay_ms {
                            waited_across_back_step += 1;
                            if delay_ms == 0 {
                                zero_delay_back_step += 1;
                            }
                        }
                        *visible = now + (at - lock_now).clamp(0, delay_ms);
                        trail.entry(id.clone()).or_default().push(format!(
                            "{step}: restart: visible in {} ms (wall offset {offset}, mono {now})",
                            *visible - now
                        ));
                    }
                }
            }
            _ => {}
        }
    }
    ns.close().unwrap();
    eprintln!(
        "clock_jumps: {steps} steps, {jumps_back} wall jumps back and {jumps_forward} forward (up \
         to 2 days), {restarts} restarts ({same_boot_restarts} in the same boot, {reboots} after \
         a reboot), {kept_against_wall_rule} held locks kept exactly across a same-boot restart \
         where the wall-clock rule would have changed them, {expiries_seen} lock expiries \
         observed, {settled} settlements/renewals succeeded and {refused} refused exactly as the \
         model said; releases by delay (0 / 10 s / 60 s / other): {releases:?}, \
         {waited_across_back_step} times a released event was undelivered at a restart with the \
         lock clock behind by more than its delay ({zero_delay_back_step} with delay 0), each \
         visible exactly when the model said; seed {seed}; {:.1?}",
        started.elapsed()
    );
    assert!(jumps_back > 10 && jumps_forward > 10 && restarts > 10 && expiries_seen > 10);
    assert!(releases.iter().all(|&n| n > 0), "{releases:?}");
}
