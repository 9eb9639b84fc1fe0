//! The lock clock (docs/reliability.md "Locks and the clock"): lock deadlines, renewal windows
//! and release visibility times are read on `since_boot + anchor`, and the anchor of a boot is
//! kept in the data directory (`clock.anchor`). A restart in the same boot is exact whatever the
//! wall clock did while the process was down; a reboot falls back to the wall clock (clamped); a
//! missing or damaged anchor file is re-taken, reported, and never fails the open.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly by design"
)]

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{NOW, clock, event, id_of};
use gridlog::anchor::{ANCHOR_BYTES, ANCHOR_FILE, ANCHOR_TMP_FILE, ClockAnchor};
use gridlog::index::MemoryIndex;
use gridlog::{
    AnchorReason, AnchorReport, Clock as _, IndexRecovery, ManualClock, Namespace, NamespaceConfig,
    NamespaceOptions, ReleaseDelay,
};

const HOUR: Duration = Duration::from_hours(1);

/// `orders`/`all`: lock 60 s, TTL and retention long enough that wall steps of hours leave them
/// alone (TTL and retention stay on the wall clock).
fn config() -> NamespaceConfig {
    NamespaceConfig::from_json_str(
        r#"{"topics":[{"name":"orders","properties":{"eventRetentionInDays":7},
        "eventSubscriptions":[{"name":"all","properties":{"deliveryConfiguration":{
        "deliveryMode":"Queue","queue":{"receiveLockDurationInSeconds":60,"maxDeliveryCount":10,
        "eventTimeToLive":"P2D"}}}}]}]}"#,
    )
    .unwrap()
}

fn options(clock: &Arc<ManualClock>, index: &MemoryIndex) -> NamespaceOptions {
    common::options(clock, index)
}

#[derive(Clone, Copy, Debug)]
enum Restart {
    /// Close, reopen: the index covers everything.
    Clean,
    /// Drop without close: index plus replay.
    Crash,
    /// Drop, reopen with an empty index: full replay.
    Rebuild,
}

impl Restart {
    const ALL: [Self; 3] = [Self::Clean, Self::Crash, Self::Rebuild];

    fn stop(self, ns: Namespace) {
        match self {
            Self::Clean => ns.close().unwrap(),
            Self::Crash | Self::Rebuild => drop(ns),
        }
    }

    fn open(
        self,
        dir: &std::path::Path,
        clock: &Arc<ManualClock>,
        index: &MemoryIndex,
    ) -> Namespace {
        let ns = match self {
            Self::Clean | Self::Crash => Namespace::open(dir, options(clock, index)).unwrap(),
            Self::Rebuild => Namespace::open(dir, options(clock, &MemoryIndex::default())).unwrap(),
        };
        if matches!(self, Self::Rebuild) {
            assert!(matches!(
                ns.open_report().index,
                IndexRecovery::Rebuilt { .. }
            ));
        }
        ns
    }
}

/// Receives everything available now and acknowledges it: ids, sorted.
fn available_now(ns: &Namespace) -> Vec<String> {
    let received = ns.receive("orders", "all", 10, NOW).unwrap();
    let tokens: Vec<&str> = received.iter().map(|r| r.lock_token.as_str()).collect();
    assert_eq!(
        ns.acknowledge("orders", "all", &tokens)
            .unwrap()
            .succeeded
            .len(),
        tokens.len()
    );
    let mut ids: Vec<String> = received.iter().map(|r| id_of(r.json())).collect();
    ids.sort();
    ids
}

/// Advances both clocks by `ms` and checks that exactly `ids` become available then (none of
/// them 1 ms before).
fn exactly_after(ns: &Namespace, clock: &ManualClock, ms: u64, ids: &[&str], what: &str) {
    clock.advance(Duration::from_millis(ms - 1));
    assert_eq!(
        available_now(ns),
        Vec::<String>::new(),
        "{what}: 1 ms early"
    );
    clock.advance(Duration::from_millis(1));
    assert_eq!(available_now(ns), ids, "{what}");
}

/// A namespace with `a` locked (60 s) and `b` released with a 60 s delay, both 20 s ago:
/// (dir, namespace, index, a's token).
fn locked_and_released(
    clock: &Arc<ManualClock>,
) -> (tempfile::TempDir, Namespace, MemoryIndex, String) {
    let dir = tempfile::tempdir().unwrap();
    let index = MemoryIndex::default();
    let ns = Namespace::open(dir.path(), options(clock, &index)).unwrap();
    ns.apply_config(&config()).unwrap();
    ns.publish("orders", &[event("a", "T"), event("b", "T")])
        .unwrap();
    ns.run_maintenance().unwrap();
    let got = ns.receive("orders", "all", 2, NOW).unwrap();
    let token = |id: &str| {
        got.iter()
            .find(|r| id_of(r.json()) == id)
            .map(|r| r.lock_token.clone())
            .unwrap()
    };
    let released = ns
        .release("orders", "all", &[&token("b")], ReleaseDelay::OneMinute)
        .unwrap();
    assert_eq!(released.succeeded.len(), 1);
    clock.advance(Duration::from_secs(20));
    let a = token("a");
    (dir, ns, index, a)
}

/// Within one boot, a restart is exact whatever the wall clock did while the process was down:
/// the lock holds its remaining 40 s, renewals still work (the 1 h window runs on the lock clock
/// too), and the release becomes visible exactly when its delay runs out.
#[test]
fn a_restart_in_the_same_boot_is_exact_whatever_the_wall_clock_did() {
    let mut cases = 0;
    for step_hours in [-30_i64, -5, 0, 5, 30] {
        for restart in Restart::ALL {
            for renew in [false, true] {
                let clock = clock();
                let (dir, ns, index, a) = locked_and_released(&clock);
                restart.stop(ns);
                let step = HOUR * u32::try_from(step_hours.unsigned_abs()).unwrap();
                if step_hours < 0 {
                    clock.rewind_wall(step);
                } else {
                    clock.advance_wall(step);
                }
                let ns = restart.open(dir.path(), &clock, &index);
                assert!(
                    matches!(ns.open_report().clock, AnchorReport::Reused { .. }),
                    "{:?}",
                    ns.open_report().clock
                );
                let what = format!("{restart:?}, wall {step_hours:+} h, renew {renew}");
                if renew {
                    let renewed = ns.renew_locks("orders", "all", &[&a]).unwrap();
                    assert_eq!(renewed.succeeded.len(), 1, "{what}: renewal refused");
                    // b at 40 s, a's renewed lock at 60 s.
                    exactly_after(&ns, &clock, 40_000, &["b"], &what);
                    exactly_after(&ns, &clock, 20_000, &["a"], &what);
                } else {
                    exactly_after(&ns, &clock, 40_000, &["a", "b"], &what);
                }
                ns.close().unwrap();
                cases += 1;
            }
        }
    }
    eprintln!("lock clock: {cases} same-boot restarts exact across wall steps of -30 h to +30 h");
}

/// After a reboot (a new boot id: the boot clock restarted), the anchor is taken again from the
/// wall clock, and deadlines written in the previous boot follow the wall clock, clamped to the
/// lock duration or the release's delay: a forward step expires the lock and ends the delay, a
/// backward one leaves at most the whole lock duration or delay.
#[test]
fn a_reboot_falls_back_to_the_wall_clock_clamped() {
    for restart in Restart::ALL {
        for (step_hours, left_ms) in [(-5_i64, 60_000), (0, 40_000), (5, 0)] {
            let clock = clock();
            let (dir, ns, index, a) = locked_and_released(&clock);
            restart.stop(ns);
            clock.reboot();
            let step = HOUR * u32::try_from(step_hours.unsigned_abs()).unwrap();
            if step_hours < 0 {
                clock.rewind_wall(step);
            } else {
                clock.advance_wall(step);
            }
            let ns = restart.open(dir.path(), &clock, &index);
            assert_eq!(
                ns.open_report().clock,
                AnchorReport::Anchored {
                    reason: AnchorReason::NewBoot
                }
            );
            let what = format!("{restart:?} after a reboot, wall {step_hours:+} h");
            if left_ms == 0 {
                let renewed = ns.renew_locks("orders", "all", &[&a]).unwrap();
                assert_eq!(renewed.failed.len(), 1, "{what}: expired while down");
                assert_eq!(available_now(&ns), ["a", "b"], "{what}");
            } else {
                exactly_after(&ns, &clock, left_ms, &["a", "b"], &what);
            }
            ns.close().unwrap();
        }
    }
}

/// Damages the anchor file at the path.
type Damage = fn(&std::path::Path);

/// A missing, damaged or unwritable anchor file: reported, the anchor re-taken from the wall
/// clock (the pre-anchor behaviour, so a forward step while down expires the lock), no failure;
/// the next open in the boot reuses the new anchor.
#[test]
fn a_missing_or_damaged_anchor_is_taken_again_and_reported() {
    let damages: [(&str, Damage); 4] = [
        ("deleted", |path| std::fs::remove_file(path).unwrap()),
        ("truncated", |path| {
            let bytes = std::fs::read(path).unwrap();
            std::fs::write(path, &bytes[..ANCHOR_BYTES - 1]).unwrap();
        }),
        ("bit flip", |path| {
            let mut bytes = std::fs::read(path).unwrap();
            bytes[20] ^= 0x10;
            std::fs::write(path, bytes).unwrap();
        }),
        ("zeroed", |path| {
            std::fs::write(path, [0_u8; ANCHOR_BYTES]).unwrap();
        }),
    ];
    for (what, damage) in damages {
        let clock = clock();
        let (dir, ns, index, a) = locked_and_released(&clock);
        ns.close().unwrap();
        damage(&dir.path().join(ANCHOR_FILE));
        clock.advance_wall(HOUR * 5);
        let ns = Namespace::open(dir.path(), options(&clock, &index)).unwrap();
        let report = ns.open_report().clock.clone();
        eprintln!("anchor {what}: {report:?}");
        match (&report, what) {
            (
                AnchorReport::Anchored {
                    reason: AnchorReason::Missing,
                },
                "deleted",
            )
            | (
                AnchorReport::Anchored {
                    reason: AnchorReason::Corrupt(_),
                },
                _,
            ) => {}
            _ => panic!("{what}: {report:?}"),
        }
        let renewed = ns.renew_locks("orders", "all", &[&a]).unwrap();
        assert_eq!(renewed.failed.len(), 1, "{what}: wall-clock rule");
        assert_eq!(available_now(&ns), ["a", "b"], "{what}");
        ns.close().unwrap();
        let ns = Namespace::open(dir.path(), options(&clock, &index)).unwrap();
        assert!(
            matches!(ns.open_report().clock, AnchorReport::Reused { .. }),
            "{what}: the new anchor was persisted"
        );
        ns.close().unwrap();
    }

    // Unwritable (the temporary name taken by a directory): used in memory, reported, and the
    // namespace works; the next open anchors again.
    let clock = clock();
    let dir = tempfile::tempdir().unwrap();
    let index = MemoryIndex::default();
    let ns = Namespace::open(dir.path(), options(&clock, &index)).unwrap();
    ns.close().unwrap();
    std::fs::remove_file(dir.path().join(ANCHOR_FILE)).unwrap();
    std::fs::create_dir(dir.path().join(ANCHOR_TMP_FILE)).unwrap();
    let ns = Namespace::open(dir.path(), options(&clock, &index)).unwrap();
    assert!(
        matches!(
            ns.open_report().clock,
            AnchorReport::Unpersisted {
                reason: AnchorReason::Missing,
                ..
            }
        ),
        "{:?}",
        ns.open_report().clock
    );
    ns.apply_config(&config()).unwrap();
    ns.publish("orders", &[event("c", "T")]).unwrap();
    assert_eq!(available_now(&ns), ["c"]);
    ns.close().unwrap();
}

/// What open reports: a new namespace anchors, a reopen in the boot reuses the file, a reboot
/// anchors again, and a clock without a boot reading keeps lock deadlines on the wall clock
/// (a forward step while down then expires the lock, as before anchors existed).
#[test]
fn open_reports_the_anchor_and_the_file_matches_the_boot() {
    let clock = clock();
    let dir = tempfile::tempdir().unwrap();
    let index = MemoryIndex::default();
    let ns = Namespace::open(dir.path(), options(&clock, &index)).unwrap();
    assert_eq!(
        ns.open_report().clock,
        AnchorReport::Anchored {
            reason: AnchorReason::NewNamespace
        }
    );
    ns.close().unwrap();
    let bytes = std::fs::read(dir.path().join(ANCHOR_FILE)).unwrap();
    let anchor = ClockAnchor::decode(&bytes).unwrap();
    assert_eq!(Some(anchor.boot_id), clock.boot_id());
    assert_eq!(
        anchor.offset_ms,
        common::START_MS,
        "booted at the monotonic origin"
    );
    clock.advance(Duration::from_secs(7));
    clock.advance_wall(HOUR);
    let ns = Namespace::open(dir.path(), options(&clock, &index)).unwrap();
    assert_eq!(
        ns.open_report().clock,
        AnchorReport::Reused {
            offset_ms: common::START_MS
        }
    );
    ns.close().unwrap();
    clock.reboot();
    let ns = Namespace::open(dir.path(), options(&clock, &index)).unwrap();
    assert_eq!(
        ns.open_report().clock,
        AnchorReport::Anchored {
            reason: AnchorReason::NewBoot
        }
    );
    ns.close().unwrap();
    let anchor =
        ClockAnchor::decode(&std::fs::read(dir.path().join(ANCHOR_FILE)).unwrap()).unwrap();
    assert_eq!(
        anchor.offset_ms,
        clock.now().unix_millis(),
        "boot clock at zero"
    );

    let clock = common::clock();
    clock.set_boot_id(None);
    let (dir, ns, index, a) = locked_and_released(&clock);
    assert_eq!(ns.open_report().clock, AnchorReport::NoBootClock);
    ns.close().unwrap();
    clock.advance_wall(HOUR * 5);
    let ns = Namespace::open(dir.path(), options(&clock, &index)).unwrap();
    let renewed = ns.renew_locks("orders", "all", &[&a]).unwrap();
    assert_eq!(renewed.failed.len(), 1, "no boot clock: wall-clock rule");
    assert_eq!(available_now(&ns), ["a", "b"]);
    ns.close().unwrap();
}

/// Dead-letter and delivery times users see stay on the wall clock: `deliveryattemptutc` is the
/// wall time of the delivery even when the lock clock differs from it (after a wall step in the
/// boot).
#[test]
fn user_visible_times_stay_on_the_wall_clock() {
    let clock = clock();
    let dir = tempfile::tempdir().unwrap();
    let index = MemoryIndex::default();
    let ns = Namespace::open(dir.path(), options(&clock, &index)).unwrap();
    ns.apply_config(&common::config()).unwrap();
    ns.close().unwrap();
    // The lock clock now runs 10 min behind the wall clock for the rest of this boot.
    clock.advance_wall(Duration::from_mins(10));
    let ns = Namespace::open(dir.path(), options(&clock, &index)).unwrap();
    ns.publish("orders", &[event("x", "T")]).unwrap();
    let wall_at_delivery = clock.now().unix_millis();
    let got = ns.receive("orders", "all", 1, NOW).unwrap();
    clock.advance(Duration::from_secs(1));
    let rejected = ns.reject("orders", "all", &[&got[0].lock_token]).unwrap();
    assert_eq!(rejected.succeeded.len(), 1);
    let dead = ns.receive("orders-dlq", "dead", 1, NOW).unwrap();
    let json: serde_json::Value = serde_json::from_slice(dead[0].json()).unwrap();
    let attempt = json["deliveryattemptutc"].as_str().unwrap();
    assert_eq!(
        attempt,
        gridlog::namespace::rfc3339_ms(wall_at_delivery),
        "the delivery's wall time"
    );
    ns.close().unwrap();
}
