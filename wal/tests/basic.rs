//! Basic behaviour on real files and on the in-memory file system: append, read, iterate,
//! roll, reopen, limits, purge, poisoning surface.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::pedantic,
    missing_docs,
    reason = "test code"
)]

use std::sync::Arc;

use gridlog_wal::testing::CrashFs;
use gridlog_wal::{Durability, Seq, Wal, WalError, WalOptions};

fn small() -> WalOptions {
    WalOptions {
        segment_bytes_target: 4096,
        ..WalOptions::default()
    }
}

fn rec(i: u64, len: usize) -> Vec<u8> {
    (0..len).map(|j| (i as usize * 31 + j) as u8).collect()
}

#[test]
fn append_read_reopen_real_files() {
    let dir = tempfile::tempdir().unwrap();
    let (wal, report) = Wal::open(dir.path(), small()).unwrap();
    assert!(report.created);
    let mut n = 0;
    for i in 1..=200u64 {
        let s = wal.append(&rec(i, (i as usize * 7) % 300)).unwrap();
        assert_eq!(s, Seq(i));
        n += 1;
    }
    let r = wal.append_batch(&[&rec(201, 10), &rec(202, 20)]).unwrap();
    assert_eq!((r.start, r.end), (Seq(201), Seq(203)));
    assert!(wal.segments().len() >= 3, "tiny segments roll");
    for i in 1..=200u64 {
        assert_eq!(
            &*wal.read(Seq(i)).unwrap(),
            &rec(i, (i as usize * 7) % 300)[..]
        );
    }
    let sealed_read = wal.read(Seq(1)).unwrap();
    assert!(
        sealed_read.is_mapped(),
        "sealed segments are read through the mapping"
    );
    let all: Vec<_> = wal.iter_from(Seq(1)).map(|r| r.unwrap().0).collect();
    assert_eq!(all.len(), 202);
    wal.close().unwrap();
    assert!(matches!(wal.append(b"x"), Err(WalError::Closed)));
    drop(wal);
    let (wal, report) = Wal::open(dir.path(), small()).unwrap();
    assert!(report.clean_shutdown);
    assert_eq!(report.records, 202);
    assert_eq!(report.bytes_truncated, 0);
    assert_eq!(wal.next_seq(), Seq(203));
    assert_eq!(
        &*wal.read(Seq(150)).unwrap(),
        &rec(150, (150 * 7) % 300)[..]
    );
    assert_eq!(wal.append(b"after").unwrap(), Seq(203));
    println!(
        "basic: {n} appends, {} segments, report {report:?}",
        wal.segments().len()
    );
}

#[test]
fn limits_and_errors() {
    let fs = Arc::new(CrashFs::new());
    let opts = WalOptions {
        record_bytes_max: 100,
        ..small()
    };
    let (wal, _) = Wal::open_with_vfs(fs, "/log", opts).unwrap();
    assert!(matches!(
        wal.append(&[0; 101]),
        Err(WalError::RecordTooLarge { len: 101, max: 100 })
    ));
    assert!(matches!(
        wal.append_batch(&[]),
        Err(WalError::InvalidArgument(_))
    ));
    assert!(matches!(wal.read(Seq(1)), Err(WalError::NotFound { .. })));
    assert!(matches!(wal.read(Seq(0)), Err(WalError::NotFound { .. })));
    wal.append(&[1; 100]).unwrap();
    assert_eq!(wal.durable_seq(), Seq(1));
    let bad = WalOptions {
        segment_bytes_target: 10,
        ..WalOptions::default()
    };
    assert!(matches!(
        Wal::open_with_vfs(Arc::new(CrashFs::new()), "/x", bad),
        Err(WalError::InvalidArgument(_))
    ));
}

#[test]
fn never_and_interval_visibility() {
    let fs = Arc::new(CrashFs::new());
    let opts = WalOptions {
        durability: Durability::Never,
        ..small()
    };
    let (wal, _) = Wal::open_with_vfs(fs.clone(), "/log", opts).unwrap();
    wal.append(b"a").unwrap();
    assert_eq!(
        &*wal.read(Seq(1)).unwrap(),
        b"a",
        "Never: visible at the written watermark"
    );
    assert_eq!(wal.durable_seq(), Seq(0));
    wal.sync().unwrap();
    assert_eq!(wal.durable_seq(), Seq(1));

    let opts = WalOptions {
        durability: Durability::Interval(std::time::Duration::from_millis(5)),
        ..small()
    };
    let (wal, _) = Wal::open_with_vfs(Arc::new(CrashFs::new()), "/log2", opts).unwrap();
    wal.append(b"b").unwrap();
    let t = std::time::Instant::now();
    while wal.durable_seq() < Seq(1) {
        assert!(t.elapsed().as_secs() < 10, "interval syncer never ran");
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    wal.close().unwrap();

    // Always log, per-append Never: not visible until a sync covers it.
    let (wal, _) = Wal::open_with_vfs(Arc::new(CrashFs::new()), "/log3", small()).unwrap();
    wal.append_with(&[b"c"], Durability::Never).unwrap();
    assert!(wal.read(Seq(1)).is_err());
    wal.sync().unwrap();
    assert_eq!(&*wal.read(Seq(1)).unwrap(), b"c");
}

#[test]
fn purge_and_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let (wal, _) = Wal::open(dir.path(), small()).unwrap();
    for i in 1..=300u64 {
        wal.append(&rec(i, 100)).unwrap();
    }
    let segs = wal.segments();
    let cut = segs[3].seqs.start;
    let rep = wal.purge_before(cut).unwrap();
    assert_eq!(rep.segments_purged, 3);
    // With recycling (on by default), one purged file becomes the spare when no spare is
    // waiting at that moment (it depends on the background thread's timing).
    assert_eq!(rep.files_unlinked + rep.files_recycled, 3);
    assert!(rep.files_recycled <= 1, "{rep:?}");
    assert_eq!(wal.first_seq(), cut);
    assert!(matches!(wal.read(Seq(1)), Err(WalError::NotFound { .. })));
    drop(wal);
    let (wal, report) = Wal::open(dir.path(), small()).unwrap();
    assert_eq!(wal.first_seq(), cut);
    assert_eq!(wal.next_seq(), Seq(301));
    assert_eq!(&*wal.read(Seq(300)).unwrap(), &rec(300, 100)[..]);
    println!("purge: {rep:?}; reopen actions {:?}", report.actions);
}

/// `Interval` and `Never` lose nothing on a process crash (the page cache survives): the
/// `CrashFs` state with every unsynced write applied, without `close`.
#[test]
fn interval_and_never_survive_a_process_crash() {
    use gridlog_wal::testing::Outcome;
    for durability in [
        Durability::Never,
        Durability::Interval(std::time::Duration::from_secs(3600)),
    ] {
        let fs = CrashFs::new();
        let opts = WalOptions {
            durability,
            prepare_spare: false,
            ..small()
        };
        let (wal, _) = Wal::open_with_vfs(Arc::new(fs.clone()), "/log", opts.clone()).unwrap();
        for i in 1..=50u64 {
            wal.append(&rec(i, 200)).unwrap();
        }
        drop(wal); // no close: a process crash
        let (wal, _) =
            Wal::open_with_vfs(Arc::new(fs.crash(Outcome::KeepAll, 1)), "/log", opts).unwrap();
        assert_eq!(wal.next_seq(), Seq(51), "{durability:?}");
        for i in 1..=50u64 {
            assert_eq!(&*wal.read(Seq(i)).unwrap(), &rec(i, 200)[..]);
        }
    }
    println!("process crash: Never and Interval kept all 50 records each");
}

#[test]
fn spare_segment_is_prepared_and_used() {
    let dir = tempfile::tempdir().unwrap();
    let opts = WalOptions {
        segment_bytes_target: 64 << 10,
        ..WalOptions::default()
    };
    let (wal, _) = Wal::open(dir.path(), opts.clone()).unwrap();
    let spare = dir.path().join("wal.spare.tmp");
    let t = std::time::Instant::now();
    while !spare.exists() || std::fs::metadata(&spare).unwrap().len() < 64 << 10 {
        assert!(t.elapsed().as_secs() < 20, "spare never prepared");
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    for i in 1..=200u64 {
        wal.append(&rec(i, 1000)).unwrap();
    }
    assert!(wal.segments().len() >= 3);
    wal.close().unwrap();
    drop(wal);
    let (wal, report) = Wal::open(dir.path(), opts).unwrap();
    assert_eq!(wal.next_seq(), Seq(201));
    assert!(report.clean_shutdown);
    println!(
        "spare: {} segments rolled through prepared spares; reopen actions {:?}",
        wal.segments().len(),
        report.actions
    );
}

/// Chunked preallocation on the real file system: the active segment is never prepared more
/// than a chunk (plus a seal) past the writer, the spare is one chunk, and the whole directory
/// holds at most about two chunks (plus the sealed segments' unused ends, under one batch each)
/// more than the written frames. Reopening continues in the shorter files.
#[test]
fn segments_are_prepared_in_chunks_ahead_of_the_writer() {
    let dir = tempfile::tempdir().unwrap();
    let chunk = 64u64 << 10;
    let seal = 32;
    let opts = WalOptions {
        segment_bytes_target: 1 << 20,
        preallocate_chunk_bytes: chunk,
        ..WalOptions::default()
    };
    let (wal, _) = Wal::open(dir.path(), opts.clone()).unwrap();
    let spare = dir.path().join("wal.spare.tmp");
    let batch_max = 10 * 1024;
    let (mut max_ahead, mut max_extra, mut spare_seen) = (0, 0, 0);
    let mut seq = 1;
    for i in 1..=2400u64 {
        let n = if i % 10 == 0 { 10 } else { 1 };
        let recs: Vec<Vec<u8>> = (seq..seq + n).map(|s| rec(s, 1000)).collect();
        let refs: Vec<&[u8]> = recs.iter().map(Vec::as_slice).collect();
        wal.append_batch(&refs).unwrap();
        seq += n;
        let segs = wal.segments();
        let active = segs.last().unwrap();
        let len = std::fs::metadata(&active.path).unwrap().len();
        assert!(
            len >= active.bytes + seal,
            "appends stay inside prepared space with room for the seal: {len} < {} + {seal}",
            active.bytes
        );
        assert!(
            len <= active.bytes + chunk + seal,
            "prepared too far ahead: {len} for {} bytes used",
            active.bytes
        );
        max_ahead = max_ahead.max(len - active.bytes);
        let used: u64 = segs.iter().map(|s| s.bytes).sum();
        let mut apparent = 0;
        for e in std::fs::read_dir(dir.path()).unwrap() {
            let e = e.unwrap();
            apparent += e.metadata().unwrap().len();
            if e.path() == spare {
                let l = e.metadata().unwrap().len();
                assert!(l <= chunk, "the spare is one chunk, found {l}");
                spare_seen += 1;
            }
        }
        let extra = apparent.saturating_sub(used);
        assert!(
            extra <= 2 * chunk + segs.len() as u64 * batch_max + 1024,
            "{extra} bytes beyond the frames in {} segments",
            segs.len()
        );
        max_extra = max_extra.max(extra);
    }
    let segments = wal.segments().len();
    assert!(segments >= 3, "the workload rolls ({segments} segments)");
    assert!(
        spare_seen > 0,
        "a spare was prepared near the end of a segment"
    );
    wal.close().unwrap();
    drop(wal);
    let (wal, report) = Wal::open(dir.path(), opts).unwrap();
    assert_eq!(wal.next_seq(), Seq(seq));
    assert!(report.clean_shutdown);
    for s in [1, seq / 2, seq - 1] {
        assert_eq!(&*wal.read(Seq(s)).unwrap(), &rec(s, 1000)[..]);
    }
    wal.append(&rec(seq, 1000)).unwrap();
    println!(
        "chunked preallocation ({chunk}-byte chunks, 1 MiB segments): {segments} segments; prepared ahead of the writer at most {max_ahead} bytes; apparent size beyond the frames at most {max_extra} bytes"
    );
}

/// One open log per directory: a second open fails with `Locked` (nothing read or written), on
/// the real file system and on the crash simulator, and succeeds once the first is dropped.
#[test]
fn second_open_of_a_directory_is_refused_until_the_first_closes() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("log");
    let (wal, _) = Wal::open(&dir, WalOptions::default()).unwrap();
    wal.append(b"one").unwrap();
    match Wal::open(&dir, WalOptions::default()) {
        Err(WalError::Locked { dir: d }) => assert_eq!(d, dir),
        other => panic!("expected Locked, got {other:?}"),
    }
    drop(wal);
    let (wal, report) = Wal::open(&dir, WalOptions::default()).unwrap();
    assert_eq!(report.records, 1);
    // A clean close releases the lock while the handle still lives.
    wal.close().unwrap();
    let (again, _) = Wal::open(&dir, WalOptions::default()).unwrap();
    assert!(matches!(wal.append(b"x"), Err(WalError::Closed)));
    drop((wal, again));

    let fs = gridlog_wal::testing::CrashFs::new();
    let vfs: std::sync::Arc<dyn gridlog_wal::Vfs> = std::sync::Arc::new(fs.clone());
    let (first, _) = Wal::open_with_vfs(vfs.clone(), "/sim", WalOptions::default()).unwrap();
    assert!(matches!(
        Wal::open_with_vfs(vfs.clone(), "/sim", WalOptions::default()),
        Err(WalError::Locked { .. })
    ));
    drop(first);
    Wal::open_with_vfs(vfs, "/sim", WalOptions::default()).unwrap();
}

/// `iter_written_from` reads what was appended but not yet synced (the engine's backlog recount
/// under its own lock); `iter_from` and `read` stop at the durable end under `Always`.
#[test]
fn iter_written_from_sees_unsynced_records_and_iter_from_does_not() {
    let dir = tempfile::tempdir().unwrap();
    let opts = WalOptions {
        durability: Durability::Always,
        ..small()
    };
    let (wal, _) = Wal::open(dir.path(), opts).unwrap();
    let durable = wal.append(&rec(1, 10)).unwrap();
    let records = [rec(2, 10), rec(3, 10)];
    let refs: Vec<&[u8]> = records.iter().map(Vec::as_slice).collect();
    let range = wal.append_with(&refs, Durability::Never).unwrap();
    assert_eq!(wal.iter_from(durable).count(), 1);
    assert!(wal.read(range.start).is_err());
    let written: Vec<Vec<u8>> = wal
        .iter_written_from(durable)
        .map(|item| item.unwrap().1.to_vec())
        .collect();
    assert_eq!(written, vec![rec(1, 10), rec(2, 10), rec(3, 10)]);
    wal.sync().unwrap();
    assert_eq!(wal.iter_from(durable).count(), 3);
}
