//! The sled state index is derived state: deleted, truncated, bit-flipped, or replaced by an
//! older or newer copy (or another namespace's), the engine recovers exactly the state the WAL
//! says, or fails loudly; it never redelivers an acknowledged event.
//!
//! Each scenario damages a copy of one data directory; the expected state comes from the same
//! WAL opened with no index at all (a full rebuild). Seed: `GRIDLOG_INDEX_SEED` (printed).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::cast_possible_truncation,
    reason = "a test fails loudly by design"
)]
#![allow(
    clippy::duration_suboptimal_units,
    reason = "seconds read best next to the documented limits"
)]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use common::{NOW, START_MS, event, id_of, seed};
use gridlog::index::MemoryIndex;
use gridlog::wal::testing::Rng;
use gridlog::{IndexKind, IndexRecovery, ManualClock, Namespace, NamespaceOptions, Timestamp};

fn clock_at(ms: i64) -> Arc<ManualClock> {
    Arc::new(ManualClock::new(Timestamp::from_unix_millis(ms)))
}

fn sled_options(clock: &Arc<ManualClock>) -> NamespaceOptions {
    NamespaceOptions {
        index: IndexKind::Sled,
        ..common::options(clock, &MemoryIndex::default())
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_dir() {
            out.extend(files(&entry.path()));
        } else {
            out.push(entry.path());
        }
    }
    out.sort();
    out
}

/// What a namespace observably holds: meters (minus the in-memory `expired`), then, after every
/// lock has expired, what each subscription delivers (ids and delivery counts).
fn observe(ns: &Namespace, clock: &ManualClock) -> (String, BTreeSet<String>) {
    let mut stats = ns.stats();
    for topic in &mut stats.topics {
        for sub in &mut topic.subscriptions {
            sub.meters.expired = 0;
        }
    }
    let mut out = format!("{stats:?}\n");
    let mut all = BTreeSet::new();
    clock.advance(Duration::from_secs(61));
    for (topic, sub) in [
        ("orders", "all"),
        ("orders", "plain"),
        ("orders-dlq", "dead"),
    ] {
        let got = ns.receive(topic, sub, 100, NOW).unwrap();
        let seen: Vec<(String, u32)> = got
            .iter()
            .map(|r| (id_of(r.json()), r.delivery_count))
            .collect();
        writeln!(out, "{topic}/{sub}: {seen:?}").unwrap();
        if sub == "all" {
            all.extend(seen.into_iter().map(|(id, _)| id));
        }
    }
    (out, all)
}

struct Fixture {
    _root: tempfile::TempDir,
    /// Data dir after the first session (WAL and index of the older state).
    older: PathBuf,
    /// Data dir after the second session.
    newer: PathBuf,
    /// Another namespace's data dir (different secret).
    foreign: PathBuf,
    /// Acknowledged or rejected in the first session.
    acked_older: BTreeSet<String>,
    /// Acknowledged or rejected in either session.
    acked: BTreeSet<String>,
    end_ms: i64,
}

fn fixture() -> Fixture {
    let root = tempfile::tempdir().unwrap();
    let live = root.path().join("live");
    let clock = clock_at(START_MS);
    let mut acked = BTreeSet::new();
    {
        let ns = Namespace::open(&live, sled_options(&clock)).unwrap();
        ns.apply_config(&common::config()).unwrap();
        let events: Vec<_> = (0..10).map(|i| event(&format!("e{i}"), "T")).collect();
        ns.publish("orders", &events).unwrap();
        let got = ns.receive("orders", "all", 6, NOW).unwrap();
        let tokens: Vec<&str> = got[..3].iter().map(|r| r.lock_token.as_str()).collect();
        ns.acknowledge("orders", "all", &tokens).unwrap();
        acked.extend(got[..3].iter().map(|r| id_of(r.json())));
        ns.reject("orders", "all", &[&got[3].lock_token]).unwrap();
        acked.insert(id_of(got[3].json()));
        ns.close().unwrap();
    }
    let older = root.path().join("older");
    copy_dir(&live, &older);
    let acked_older = acked.clone();
    {
        clock.advance(Duration::from_secs(10));
        let ns = Namespace::open(&live, sled_options(&clock)).unwrap();
        assert!(matches!(
            ns.open_report().index,
            IndexRecovery::Loaded { replayed: 0, .. }
        ));
        let got = ns.receive("orders", "all", 3, NOW).unwrap();
        let tokens: Vec<&str> = got[..2].iter().map(|r| r.lock_token.as_str()).collect();
        ns.acknowledge("orders", "all", &tokens).unwrap();
        acked.extend(got[..2].iter().map(|r| id_of(r.json())));
        let plain = ns.receive("orders", "plain", 4, NOW).unwrap();
        ns.release(
            "orders",
            "plain",
            &[&plain[0].lock_token],
            gridlog::ReleaseDelay::TenSeconds,
        )
        .unwrap();
        ns.close().unwrap();
    }
    let newer = root.path().join("newer");
    copy_dir(&live, &newer);
    let foreign = root.path().join("foreign");
    {
        let ns = Namespace::open(&foreign, sled_options(&clock)).unwrap();
        ns.apply_config(&common::config()).unwrap();
        let events: Vec<_> = (0..20).map(|i| event(&format!("f{i}"), "T")).collect();
        ns.publish("orders", &events).unwrap();
        ns.close().unwrap();
    }
    Fixture {
        _root: root,
        older,
        newer,
        foreign,
        acked_older,
        acked,
        end_ms: clock.now_ms(),
    }
}

trait NowMs {
    fn now_ms(&self) -> i64;
}

impl NowMs for ManualClock {
    fn now_ms(&self) -> i64 {
        gridlog::Clock::now(self).unix_millis()
    }
}

/// The state `wal_dir`'s WAL says, from a full rebuild.
fn expected(data: &Path, end_ms: i64) -> String {
    let scratch = tempfile::tempdir().unwrap();
    let dir = scratch.path().join("d");
    copy_dir(&data.join("wal"), &dir.join("wal"));
    let clock = clock_at(end_ms);
    let ns = Namespace::open(&dir, common::options(&clock, &MemoryIndex::default())).unwrap();
    assert!(matches!(
        ns.open_report().index,
        IndexRecovery::Rebuilt { .. }
    ));
    observe(&ns, &clock).0
}

enum Result {
    Exact(&'static str),
    LoudFailure,
}

/// Opens `dir` (damaged) and checks it against `expected`.
fn check(dir: &Path, f: &Fixture, acked: &BTreeSet<String>, expected: &str, what: &str) -> Result {
    let clock = clock_at(f.end_ms);
    let ns = match Namespace::open(dir, sled_options(&clock)) {
        Ok(ns) => ns,
        Err(error) => {
            eprintln!("{what}: open failed loudly: {error}");
            return Result::LoudFailure;
        }
    };
    let path = match &ns.open_report().index {
        IndexRecovery::Loaded { .. } => "loaded",
        IndexRecovery::Rebuilt { .. } => "rebuilt",
        IndexRecovery::Created => panic!("{what}: the namespace was recreated"),
    };
    let (seen, all) = observe(&ns, &clock);
    for id in acked {
        assert!(
            !all.contains(id),
            "{what}: acknowledged {id} delivered again"
        );
    }
    assert_eq!(
        seen, expected,
        "{what}: state differs from the WAL's ({path})"
    );
    ns.close().unwrap();
    Result::Exact(path)
}

fn scenario(f: &Fixture, base: &Path, what: &str, damage: impl FnOnce(&Path)) -> Result {
    let scratch = tempfile::tempdir().unwrap();
    let dir = scratch.path().join("d");
    copy_dir(base, &dir);
    damage(&dir.join("index"));
    let expected = expected(base, f.end_ms);
    let acked = if base == f.older {
        &f.acked_older
    } else {
        &f.acked
    };
    check(&dir, f, acked, &expected, what)
}

#[test]
fn damaged_or_swapped_index_recovers_the_wal_state_or_fails_loudly() {
    let seed = seed("GRIDLOG_INDEX_SEED", 0x1d3c);
    let mut rng = Rng::new(seed);
    let f = fixture();
    let mut tally: BTreeMap<String, usize> = BTreeMap::new();
    let mut record = |result: Result| {
        let key = match result {
            Result::Exact(path) => format!("exact ({path})"),
            Result::LoudFailure => "loud failure".to_owned(),
        };
        *tally.entry(key).or_default() += 1;
    };
    // Intact: loaded, exact.
    record(scenario(&f, &f.newer, "intact", |_| {}));
    // Deleted.
    record(scenario(&f, &f.newer, "deleted", |index| {
        std::fs::remove_dir_all(index).unwrap();
    }));
    // Emptied (directory present, no files).
    record(scenario(&f, &f.newer, "emptied", |index| {
        for file in files(index) {
            std::fs::remove_file(file).unwrap();
        }
    }));
    // Older copy (stale: the WAL has more): replayed forward.
    let older_index = f.older.join("index");
    record(scenario(&f, &f.newer, "older copy", |index| {
        std::fs::remove_dir_all(index).unwrap();
        copy_dir(&older_index, index);
    }));
    // Newer copy over an older WAL (ahead of the WAL): rebuilt.
    let newer_index = f.newer.join("index");
    record(scenario(&f, &f.older, "newer copy", |index| {
        std::fs::remove_dir_all(index).unwrap();
        copy_dir(&newer_index, index);
    }));
    // Another namespace's index.
    let foreign_index = f.foreign.join("index");
    record(scenario(&f, &f.newer, "foreign copy", |index| {
        std::fs::remove_dir_all(index).unwrap();
        copy_dir(&foreign_index, index);
    }));
    // Truncations of each file at several points.
    let index_files = files(&f.newer.join("index"));
    for (n, file) in index_files.iter().enumerate() {
        let len = std::fs::metadata(file).unwrap().len();
        for cut in [0, len / 3, len / 2, len.saturating_sub(1)] {
            let relative = file.strip_prefix(f.newer.join("index")).unwrap().to_owned();
            record(scenario(
                &f,
                &f.newer,
                &format!("truncate file {n} {relative:?} to {cut}/{len}"),
                |index| {
                    let target = index.join(&relative);
                    let handle = std::fs::OpenOptions::new()
                        .write(true)
                        .open(target)
                        .unwrap();
                    handle.set_len(cut).unwrap();
                },
            ));
        }
    }
    // Bit flips anywhere in the index files.
    for trial in 0..24 {
        let file = &index_files[rng.below(index_files.len() as u64) as usize];
        let len = std::fs::metadata(file).unwrap().len();
        if len == 0 {
            continue;
        }
        let offset = rng.below(len);
        let bit = rng.below(8) as u8;
        let relative = file.strip_prefix(f.newer.join("index")).unwrap().to_owned();
        record(scenario(
            &f,
            &f.newer,
            &format!("bit flip {trial}: {relative:?} byte {offset} bit {bit}"),
            |index| {
                let target = index.join(&relative);
                let mut bytes = std::fs::read(&target).unwrap();
                bytes[offset as usize] ^= 1 << bit;
                std::fs::write(&target, bytes).unwrap();
            },
        ));
    }
    eprintln!("index damage (seed {seed}): {tally:?}");
    assert!(tally.get("exact (loaded)").copied().unwrap_or(0) >= 2);
    assert!(tally.get("exact (rebuilt)").copied().unwrap_or(0) >= 3);
}

/// A custom index backend sees `close` when the namespace closes (issue #18: the trait had no
/// `close`, so the engine kept the concrete sled index beside the trait object), and its typed
/// errors reach the caller as `EngineError::Index`.
#[test]
fn a_custom_index_is_closed_with_the_namespace_and_its_errors_are_typed() {
    use gridlog::index::{IndexError, StateIndex};
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

    #[derive(Debug, Default)]
    struct Recording {
        inner: MemoryIndex,
        closes: AtomicUsize,
        fail_store: AtomicBool,
    }
    impl StateIndex for Recording {
        fn load(&self) -> std::result::Result<Option<Vec<u8>>, IndexError> {
            self.inner.load()
        }
        fn store(&self, blob: &[u8]) -> std::result::Result<(), IndexError> {
            if self.fail_store.load(Ordering::Acquire) {
                return Err(IndexError::Backend("disk on fire".into()));
            }
            self.inner.store(blob)
        }
        fn clear(&self) -> std::result::Result<(), IndexError> {
            self.inner.clear()
        }
        fn close(&self) -> std::result::Result<(), IndexError> {
            self.closes.fetch_add(1, Ordering::AcqRel);
            Ok(())
        }
    }

    let dir = tempfile::tempdir().unwrap();
    let clock = clock_at(START_MS);
    let index = Arc::new(Recording::default());
    let options = || NamespaceOptions {
        index: IndexKind::Custom(index.clone()),
        ..common::options(&clock, &MemoryIndex::default())
    };
    let ns = Namespace::open(dir.path(), options()).unwrap();
    ns.close().unwrap();
    assert_eq!(index.closes.load(Ordering::Acquire), 1);
    ns.close().unwrap();
    assert_eq!(
        index.closes.load(Ordering::Acquire),
        1,
        "close is idempotent"
    );

    let ns = Namespace::open(dir.path(), options()).unwrap();
    index.fail_store.store(true, Ordering::Release);
    let error = ns.close().unwrap_err();
    assert_eq!(error.code(), "IndexError", "{error}");
    assert!(
        matches!(error, gridlog::EngineError::Index(IndexError::Backend(_))),
        "{error:?}"
    );
    assert_eq!(index.closes.load(Ordering::Acquire), 2);
}
