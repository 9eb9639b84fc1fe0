//! Segment recycling (`WalOptions::recycle_segments`) on real files: a purged segment file
//! becomes the spare (same inode, `segments_recycled`), the roll into it writes its header and
//! no zeros, its old frames stay in it and are never read back; at most one spare; held files,
//! short files and `recycle_segments: false` are unlinked as before.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::pedantic,
    missing_docs,
    reason = "test code"
)]

use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::time::{Duration, Instant};

use gridlog_wal::{Durability, Seq, Wal, WalOptions};

const TARGET: u64 = 8192;
/// 100-byte records: 128-byte frames, so a recycled file's old frames line up with new ones.
const REC: usize = 100;

fn opts() -> WalOptions {
    WalOptions {
        segment_bytes_target: TARGET,
        durability: Durability::Always,
        // Deterministic: no background spare, so a purge always finds the spare slot empty.
        prepare_spare: false,
        ..WalOptions::default()
    }
}

fn rec(seq: u64) -> Vec<u8> {
    (0..REC)
        .map(|j| (seq as usize * 31 + j * 7) as u8)
        .collect()
}

/// Appends single records until the log has `segments` segments.
fn fill_to(wal: &Wal, segments: usize) {
    while wal.segments().len() < segments {
        let s = wal.next_seq();
        assert_eq!(wal.append(&rec(s.get())).unwrap(), s);
    }
}

fn inode(p: &Path) -> u64 {
    std::fs::metadata(p).unwrap().ino()
}

fn spare(dir: &Path) -> std::path::PathBuf {
    dir.join("wal.spare.tmp")
}

#[test]
fn purge_then_roll_reuses_the_file_without_zero_fill() {
    let dir = tempfile::tempdir().unwrap();
    let (wal, _) = Wal::open(dir.path(), opts()).unwrap();
    fill_to(&wal, 3);
    let segs = wal.segments();
    let old_path = segs[0].path.clone();
    let old_ino = inode(&old_path);
    let old_bytes = std::fs::read(&old_path).unwrap();
    assert_eq!(old_bytes.len() as u64, TARGET);

    let report = wal.purge_before(segs[1].seqs.start).unwrap();
    assert_eq!(
        (
            report.segments_purged,
            report.files_recycled,
            report.files_unlinked
        ),
        (1, 1, 0),
        "{report:?}"
    );
    assert!(!old_path.exists());
    assert_eq!(inode(&spare(dir.path())), old_ino, "renamed, not copied");
    assert_eq!(wal.stats().segments_recycled, 1);

    // The append that rolls into the recycled file.
    let sealed_before = wal.segments().len();
    let before = wal.stats();
    let s = wal.next_seq();
    let mut rolled_at = None;
    while wal.segments().len() == sealed_before {
        let before_one = wal.stats();
        let seq = wal.next_seq();
        wal.append(&rec(seq.get())).unwrap();
        if wal.segments().len() > sealed_before {
            rolled_at = Some((seq, wal.stats().bytes_written - before_one.bytes_written));
        }
    }
    let (first_in_new, roll_bytes) = rolled_at.unwrap();
    let new = wal.segments().last().cloned().unwrap();
    assert_eq!(new.seqs.start, first_in_new);
    assert_eq!(inode(&new.path), old_ino, "the new segment is the old file");
    assert!(!spare(dir.path()).exists());
    // Header (48) + seal (32) + one 128-byte frame + its 24-byte end mark: no zero-fill.
    assert_eq!(roll_bytes, 48 + 32 + 128 + 24, "bytes written by the roll");
    println!(
        "recycle: roll into the recycled file wrote {roll_bytes} bytes (a zero-filled segment: {} more); appends {}..{} wrote {} bytes",
        TARGET - 48,
        s,
        wal.next_seq(),
        wal.stats().bytes_written - before.bytes_written
    );

    // The old frames are still in the file past the new ones, and never read back.
    let now = std::fs::read(&new.path).unwrap();
    assert_eq!(now.len() as u64, TARGET);
    let used = new.bytes as usize;
    assert!(used + 24 < now.len());
    assert!(
        now[used + 24..] == old_bytes[used + 24..],
        "no zero-fill: old bytes stay"
    );
    assert!(now[used + 24..].iter().any(|&b| b != 0));
    assert!(now[used..used + 24].iter().all(|&b| b == 0), "end mark");
    let first = wal.first_seq();
    for (expect, item) in (first.get()..).zip(wal.iter_from(first)) {
        let (s, b) = item.unwrap();
        assert_eq!(s.get(), expect);
        assert_eq!(*b, *rec(expect));
    }
    assert!(matches!(
        wal.read(wal.next_seq()),
        Err(gridlog_wal::WalError::NotFound { .. })
    ));

    // A crash (drop without close) and a clean close both recover exactly the records; the
    // stale rest of the active recycled segment is zeroed once by recovery.
    let next = wal.next_seq();
    drop(wal);
    let (wal, report) = Wal::open(dir.path(), opts()).unwrap();
    assert_eq!(wal.next_seq(), next);
    assert!(report.bytes_truncated > 0, "stale tail zeroed: {report:?}");
    let zeroed = std::fs::read(&new.path).unwrap();
    assert!(zeroed[used..].iter().all(|&b| b == 0));
    for s in wal.first_seq().get()..next.get() {
        assert_eq!(*wal.read(Seq(s)).unwrap(), *rec(s));
    }
    wal.close().unwrap();
    drop(wal);
    let (wal, report) = Wal::open(dir.path(), opts()).unwrap();
    assert!(report.clean_shutdown);
    assert_eq!(report.bytes_truncated, 0, "{report:?}");
    assert_eq!(wal.next_seq(), next);
}

#[test]
fn clean_close_in_a_recycled_segment_reopens_with_every_record() {
    let dir = tempfile::tempdir().unwrap();
    let (wal, _) = Wal::open(dir.path(), opts()).unwrap();
    fill_to(&wal, 3);
    wal.purge_before(wal.segments()[1].seqs.start).unwrap();
    fill_to(&wal, 3);
    assert_eq!(wal.stats().segments_recycled, 1);
    for _ in 0..5 {
        let s = wal.next_seq();
        wal.append(&rec(s.get())).unwrap();
    }
    let next = wal.next_seq();
    wal.close().unwrap();
    drop(wal);
    let (wal, report) = Wal::open(dir.path(), opts()).unwrap();
    assert!(report.clean_shutdown, "{report:?}");
    assert_eq!(wal.next_seq(), next);
    for s in wal.first_seq().get()..next.get() {
        assert_eq!(*wal.read(Seq(s)).unwrap(), *rec(s));
    }
    println!("recycle: clean close then open: {:?}", report.actions);
}

#[test]
fn at_most_one_spare_and_the_rest_is_unlinked() {
    let dir = tempfile::tempdir().unwrap();
    let (wal, _) = Wal::open(dir.path(), opts()).unwrap();
    fill_to(&wal, 4);
    let report = wal.purge_before(wal.segments()[3].seqs.start).unwrap();
    assert_eq!(
        (
            report.segments_purged,
            report.files_recycled,
            report.files_unlinked
        ),
        (3, 1, 2)
    );
    // A spare is waiting: the next purge unlinks.
    fill_to(&wal, 3);
    // (that roll took the spare; make another file purgeable while no spare waits, then one
    // more while it does)
    fill_to(&wal, 4);
    let r1 = wal.purge_before(wal.segments()[1].seqs.start).unwrap();
    assert_eq!((r1.files_recycled, r1.files_unlinked), (1, 0));
    let r2 = wal.purge_before(wal.segments()[1].seqs.start).unwrap();
    assert_eq!((r2.files_recycled, r2.files_unlinked), (0, 1), "{r2:?}");
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(names.iter().filter(|n| *n == "wal.spare.tmp").count(), 1);
    assert_eq!(wal.stats().segments_recycled, 2);
}

#[test]
fn a_file_held_by_a_reader_is_recycled_only_after_it_lets_go() {
    let dir = tempfile::tempdir().unwrap();
    let (wal, _) = Wal::open(dir.path(), opts()).unwrap();
    fill_to(&wal, 3);
    let held = wal.read(Seq(1)).unwrap();
    assert!(held.is_mapped());
    let report = wal.purge_before(wal.segments()[1].seqs.start).unwrap();
    assert_eq!(
        (report.files_recycled, report.files_deferred),
        (0, 1),
        "{report:?}"
    );
    assert_eq!(*held, *rec(1), "the reader's bytes are intact");
    drop(held);
    // The next append reaps the pending file, which becomes the spare.
    wal.append(&rec(wal.next_seq().get())).unwrap();
    assert!(spare(dir.path()).exists());
    assert_eq!(wal.stats().segments_recycled, 1);
}

#[test]
fn recycling_off_or_without_preallocation_or_short_files_unlinks() {
    for (name, o) in [
        (
            "recycle_segments: false",
            WalOptions {
                recycle_segments: false,
                ..opts()
            },
        ),
        (
            "preallocate: false",
            WalOptions {
                preallocate: false,
                ..opts()
            },
        ),
        (
            // Chunked preallocation: a segment rolled before its last chunk is shorter than the
            // target, so it is not a whole segment and is not recycled.
            "short file",
            WalOptions {
                preallocate_chunk_bytes: 1024,
                ..opts()
            },
        ),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let (wal, _) = Wal::open(dir.path(), o).unwrap();
        // Big records: the roll happens with the file still short of the target.
        while wal.segments().len() < 3 {
            wal.append(&[7u8; 3000]).unwrap();
        }
        let len = std::fs::metadata(&wal.segments()[0].path).unwrap().len();
        let report = wal.purge_before(wal.segments()[1].seqs.start).unwrap();
        let expect_short = name == "short file";
        if expect_short {
            assert!(len < TARGET, "{name}: file of {len} bytes");
        }
        assert_eq!(
            (report.files_recycled, report.files_unlinked),
            (0, 1),
            "{name}: {report:?}"
        );
        assert!(!spare(dir.path()).exists(), "{name}");
        assert_eq!(wal.stats().segments_recycled, 0, "{name}");
    }
}

/// With the background spare thread (the default): after a segment that saw a purge, the roll
/// asks for the next zero-filled spare only once the new segment is half full, so a purge
/// before that recycles; past half, the zero-filled spare is prepared and a purge unlinks.
/// Without a purge in the last segment, the spare is asked for right after the roll.
#[test]
fn with_the_spare_thread_a_purge_early_in_a_segment_recycles() {
    let dir = tempfile::tempdir().unwrap();
    let o = WalOptions {
        prepare_spare: true,
        ..opts()
    };
    let (wal, _) = Wal::open(dir.path(), o).unwrap();
    // File fsyncs: segment 1, wal.meta, then one per zero-filled spare and one per purge
    // (wal.meta).
    let wait_file_syncs = |n: u64| {
        let t = Instant::now();
        while wal.stats().file_syncs < n {
            assert!(t.elapsed() < Duration::from_secs(10), "no spare prepared");
            std::thread::sleep(Duration::from_millis(1));
        }
        // The thread hands the spare over right after its fsync (microseconds; generous for a
        // loaded machine, where a roll that finds no spare would change the counts).
        std::thread::sleep(Duration::from_millis(200));
    };
    let syncs = || wal.stats().file_syncs;
    let half = |wal: &Wal| wal.segments().last().unwrap().bytes >= TARGET / 2;
    let fill_half = || {
        while !half(&wal) {
            wal.append(&rec(wal.next_seq().get())).unwrap();
        }
    };
    wait_file_syncs(3);
    fill_to(&wal, 2);
    // No purge during segment 1: the next spare is asked for at once.
    wait_file_syncs(4);
    let r = wal.purge_before(wal.segments()[1].seqs.start).unwrap();
    assert_eq!(
        (r.files_recycled, r.files_unlinked),
        (0, 1),
        "spare waiting"
    );
    assert_eq!(syncs(), 5);
    // Segment 2 saw a purge: the roll into segment 3 defers the next zero-filled spare...
    fill_to(&wal, 2);
    std::thread::sleep(Duration::from_millis(30));
    assert_eq!(syncs(), 5, "deferred");
    // ...so a purge early in segment 3 recycles.
    let r = wal.purge_before(wal.segments()[1].seqs.start).unwrap();
    assert_eq!((r.files_recycled, r.files_unlinked), (1, 0), "{r:?}");
    assert_eq!(syncs(), 6);
    // Half of segment 3: a spare waits already (the recycled one): nothing is zero-filled.
    fill_half();
    fill_to(&wal, 2);
    assert_eq!(wal.segments().last().unwrap().id, 4);
    std::thread::sleep(Duration::from_millis(30));
    assert_eq!(syncs(), 6, "still no zero-filled spare");
    // Segment 4 (the recycled file; segment 3 saw a purge) asks once half full; then a purge
    // finds that spare waiting and unlinks.
    fill_half();
    wait_file_syncs(7);
    let r = wal.purge_before(wal.segments()[1].seqs.start).unwrap();
    assert_eq!((r.files_recycled, r.files_unlinked), (0, 1), "{r:?}");
    println!("recycle with the spare thread: {:?}", wal.stats());
    assert_eq!(wal.stats().segments_recycled, 1);
    let first = wal.first_seq();
    for item in wal.iter_from(first) {
        let (s, b) = item.unwrap();
        assert_eq!(*b, *rec(s.get()));
    }
}
