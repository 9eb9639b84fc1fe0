//! Offline corruption matrix on real files (StdVfs, mmap; reliability.md T4). Files are
//! damaged between runs; expected: a torn tail is recovered to the last whole frame, everything
//! else is detected (`WalError::Corrupt`), zero wrong records are returned, zero panics.
//! The bulk cases run in `/dev/shm` when it exists (real files, the same code path, cheap fsync).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::pedantic,
    missing_docs,
    reason = "test code"
)]

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use common::{content, size_of};
use gridlog_wal::frame::frame_bytes;
use gridlog_wal::segment::SEGMENT_HEADER_BYTES;
use gridlog_wal::{RecoveryMode, Seq, Wal, WalError, WalOptions};

fn tmp() -> tempfile::TempDir {
    if Path::new("/dev/shm").is_dir() {
        tempfile::Builder::new()
            .prefix("gridlog-wal-")
            .tempdir_in("/dev/shm")
            .unwrap()
    } else {
        tempfile::tempdir().unwrap()
    }
}

fn opts() -> WalOptions {
    WalOptions {
        segment_bytes_target: 4096,
        ..WalOptions::default()
    }
}

/// Appends records 1..=n one at a time (Always), optionally closes. Returns the segments.
fn build(dir: &Path, n: u64, close: bool) -> Vec<gridlog_wal::SegmentInfo> {
    let (wal, _) = Wal::open(dir, opts()).unwrap();
    for s in 1..=n {
        assert_eq!(wal.append(&content(0, s)).unwrap(), Seq(s));
    }
    let segs = wal.segments();
    if close {
        wal.close().unwrap();
    }
    segs
}

/// Frame offsets of the records in a segment whose records are `seqs`.
fn offsets(start: u64, end: u64) -> Vec<(u64, u64)> {
    let mut off = SEGMENT_HEADER_BYTES as u64;
    (start..end)
        .map(|s| {
            let len = frame_bytes(size_of(s)) as u64;
            let r = (off, off + len);
            off += len;
            r
        })
        .collect()
}

#[derive(Debug, PartialEq)]
enum Verdict {
    /// Opened; records 1..next all correct.
    Recovered { next: u64, truncated: u64 },
    /// Refused with Corrupt.
    Detected,
}

/// Opens and checks every returned record against what was written. Panics on a wrong record.
fn open_check(dir: &Path, mode: RecoveryMode) -> Verdict {
    match Wal::open(
        dir,
        WalOptions {
            recovery: mode,
            ..opts()
        },
    ) {
        Ok((wal, report)) => {
            let first = wal.first_seq().get();
            for s in first..wal.next_seq().get() {
                match wal.read(Seq(s)) {
                    Ok(b) => assert_eq!(&*b, &content(0, s)[..], "wrong record {s} returned"),
                    Err(WalError::NotFound { .. }) if mode == RecoveryMode::Salvage => {}
                    Err(e) => panic!("read {s}: {e}"),
                }
            }
            Verdict::Recovered {
                next: wal.next_seq().get(),
                truncated: report.bytes_truncated,
            }
        }
        Err(WalError::Corrupt { .. }) => Verdict::Detected,
        Err(e) => panic!("unexpected error kind: {e}"),
    }
}

fn seg_path(dir: &Path, base: u64) -> PathBuf {
    dir.join(format!("{base:020}.wal"))
}

#[test]
fn truncation_at_every_byte_of_the_last_three_frames() {
    let d = tmp();
    let segs = build(d.path(), 40, false);
    let last = segs.last().unwrap();
    let (start, end) = (last.seqs.start.get(), last.seqs.end.get());
    assert!(end - start >= 3, "last segment needs three frames");
    let path = seg_path(d.path(), start);
    let pristine = fs::read(&path).unwrap();
    let offs = offsets(start, end);
    let from = offs[offs.len() - 3].0;
    let to = offs[offs.len() - 1].1;
    let mut cases = 0;
    for cut in from..to {
        fs::write(&path, &pristine[..cut as usize]).unwrap();
        let whole = offs.iter().filter(|o| o.1 <= cut).count() as u64;
        match open_check(d.path(), RecoveryMode::TolerateTornTail) {
            Verdict::Recovered { next, .. } => assert_eq!(next, start + whole, "cut at {cut}"),
            Verdict::Detected => panic!("truncation at {cut} must be recovered as a torn tail"),
        }
        cases += 1;
    }
    fs::write(&path, &pristine).unwrap();
    println!(
        "truncation: {cases} cut points over the last 3 frames ({from}..{to}); all recovered to the last whole frame, 0 wrong records"
    );
}

#[test]
fn every_bit_of_a_4k_segment_flipped() {
    let d = tmp();
    let segs = build(d.path(), 9, true);
    assert_eq!(segs.len(), 1);
    let path = seg_path(d.path(), 1);
    let pristine = fs::read(&path).unwrap();
    assert_eq!(pristine.len(), 4096);
    let offs = offsets(1, 10);
    let marker = offs.last().unwrap().1; // the close marker starts after the last record
    let (mut detected, mut torn_recovered, mut other) = (0u64, 0u64, 0u64);
    for bit in 0..4096 * 8 {
        let mut bytes = pristine.clone();
        bytes[bit / 8] ^= 1 << (bit % 8);
        fs::write(&path, &bytes).unwrap();
        let v = open_check(d.path(), RecoveryMode::TolerateTornTail);
        let byte = (bit / 8) as u64;
        match v {
            Verdict::Detected => {
                assert!(
                    byte < marker,
                    "flip at byte {byte} (after the records) should be a torn tail"
                );
                detected += 1;
            }
            Verdict::Recovered { next, truncated } => {
                assert!(
                    byte >= marker,
                    "flip at byte {byte} inside the header or a record was not detected"
                );
                assert_eq!(
                    next, 10,
                    "every record must survive a flip in the marker or the zero tail"
                );
                assert!(truncated > 0);
                torn_recovered += 1;
            }
        }
        if !matches!(v, Verdict::Detected | Verdict::Recovered { .. }) {
            other += 1;
        }
    }
    fs::write(&path, &pristine).unwrap();
    println!(
        "bit flips: 32768 cases; header + records (bytes 0..{marker}): {detected} detected (100%); \
         close marker + zero tail (bytes {marker}..4096): {torn_recovered} truncated as torn tail with all 9 records intact; other {other}; 0 wrong records"
    );
    assert_eq!(detected, marker * 8);
}

#[test]
fn sector_zeroed_mid_segment() {
    for (sector, size) in [(512usize, 512usize), (0, 4096)] {
        let d = tmp();
        let segs = build(d.path(), 60, true);
        assert!(segs.len() >= 4);
        // (1) in a sealed segment
        let p = seg_path(d.path(), segs[1].seqs.start.get());
        let pristine = fs::read(&p).unwrap();
        let mut b = pristine.clone();
        let z = if size == 512 { sector } else { 0 };
        b[z..z + size].fill(0);
        fs::write(&p, &b).unwrap();
        assert_eq!(
            open_check(d.path(), RecoveryMode::TolerateTornTail),
            Verdict::Detected
        );
        // Salvage reports exactly the records whose frames overlap the zeroed bytes.
        if size == 512 {
            let (wal, report) = Wal::open(
                d.path(),
                WalOptions {
                    recovery: RecoveryMode::Salvage,
                    ..opts()
                },
            )
            .unwrap();
            let s0 = segs[1].seqs.start.get();
            let hit: Vec<u64> = offsets(s0, segs[1].seqs.end.get())
                .iter()
                .enumerate()
                .filter(|(_, o)| o.0 < (z + size) as u64 && o.1 > z as u64)
                .map(|(i, _)| s0 + i as u64)
                .collect();
            assert_eq!(report.lost.len(), 1, "{:?}", report.lost);
            assert_eq!(report.lost[0].start.get(), hit[0]);
            assert_eq!(report.lost[0].end.get(), hit.last().unwrap() + 1);
            assert!(matches!(
                wal.read(Seq(hit[0])),
                Err(WalError::NotFound { .. })
            ));
            println!(
                "salvage: zeroed bytes {z}..{} of segment {s0}: lost {:?} reported; other records readable",
                z + size,
                report.lost
            );
            drop(wal);
            assert_eq!(
                open_check(d.path(), RecoveryMode::Salvage),
                Verdict::Recovered {
                    next: 61,
                    truncated: 0
                }
            );
        }
        fs::write(&p, &pristine).unwrap();
        // (2) in the last (active) segment, below the durable watermark of the close marker
        let last = segs.last().unwrap().seqs.start.get();
        let p = seg_path(d.path(), last);
        let mut b = fs::read(&p).unwrap();
        let z = if size == 512 { 512 } else { 0 };
        b[z..z + size].fill(0);
        fs::write(&p, &b).unwrap();
        assert_eq!(
            open_check(d.path(), RecoveryMode::TolerateTornTail),
            Verdict::Detected
        );
        println!("zeroed {size} B at {z} in a sealed and in the last segment: both detected");
    }
}

#[test]
fn missing_stray_swapped_and_empty_segments() {
    let mut cases = 0;
    let fresh = || {
        let d = tmp();
        let segs = build(d.path(), 60, true);
        assert!(segs.len() >= 4);
        (d, segs)
    };
    // A middle segment deleted.
    let (d, segs) = fresh();
    fs::remove_file(seg_path(d.path(), segs[2].seqs.start.get())).unwrap();
    assert_eq!(
        open_check(d.path(), RecoveryMode::TolerateTornTail),
        Verdict::Detected
    );
    cases += 1;
    // The last segment deleted.
    let (d, segs) = fresh();
    fs::remove_file(seg_path(d.path(), segs.last().unwrap().seqs.start.get())).unwrap();
    assert_eq!(
        open_check(d.path(), RecoveryMode::TolerateTornTail),
        Verdict::Detected
    );
    cases += 1;
    // The first segment deleted (not purged: the meta file still points at it).
    let (d, _) = fresh();
    fs::remove_file(seg_path(d.path(), 1)).unwrap();
    assert_eq!(
        open_check(d.path(), RecoveryMode::TolerateTornTail),
        Verdict::Detected
    );
    cases += 1;
    // Every segment deleted, meta left.
    let (d, segs) = fresh();
    for s in &segs {
        fs::remove_file(seg_path(d.path(), s.seqs.start.get())).unwrap();
    }
    assert_eq!(
        open_check(d.path(), RecoveryMode::TolerateTornTail),
        Verdict::Detected
    );
    cases += 1;
    // The meta file deleted.
    let (d, _) = fresh();
    fs::remove_file(d.path().join("wal.meta")).unwrap();
    assert_eq!(
        open_check(d.path(), RecoveryMode::TolerateTornTail),
        Verdict::Detected
    );
    cases += 1;
    // A stray *.wal name.
    let (d, _) = fresh();
    fs::write(d.path().join("backup.wal"), b"x").unwrap();
    assert_eq!(
        open_check(d.path(), RecoveryMode::TolerateTornTail),
        Verdict::Detected
    );
    cases += 1;
    // A stray segment-named copy of another segment (misdirected).
    let (d, segs) = fresh();
    fs::copy(
        seg_path(d.path(), 1),
        seg_path(d.path(), segs.last().unwrap().seqs.end.get() + 5),
    )
    .unwrap();
    assert_eq!(
        open_check(d.path(), RecoveryMode::TolerateTornTail),
        Verdict::Detected
    );
    cases += 1;
    // Two segments swapped.
    let (d, segs) = fresh();
    let (a, b) = (
        seg_path(d.path(), segs[1].seqs.start.get()),
        seg_path(d.path(), segs[2].seqs.start.get()),
    );
    let tmpp = d.path().join("swap");
    fs::rename(&a, &tmpp).unwrap();
    fs::rename(&b, &a).unwrap();
    fs::rename(&tmpp, &b).unwrap();
    assert_eq!(
        open_check(d.path(), RecoveryMode::TolerateTornTail),
        Verdict::Detected
    );
    cases += 1;
    // A 0-byte segment after the last one, and a 0-byte segment in place of a middle one.
    let (d, segs) = fresh();
    fs::write(seg_path(d.path(), segs.last().unwrap().seqs.end.get()), b"").unwrap();
    assert_eq!(
        open_check(d.path(), RecoveryMode::TolerateTornTail),
        Verdict::Detected
    );
    cases += 1;
    let (d, segs) = fresh();
    fs::write(seg_path(d.path(), segs[1].seqs.start.get()), b"").unwrap();
    assert_eq!(
        open_check(d.path(), RecoveryMode::TolerateTornTail),
        Verdict::Detected
    );
    cases += 1;
    // A sealed segment truncated.
    let (d, segs) = fresh();
    let p = seg_path(d.path(), segs[0].seqs.start.get());
    let b = fs::read(&p).unwrap();
    fs::write(&p, &b[..1000]).unwrap();
    assert_eq!(
        open_check(d.path(), RecoveryMode::TolerateTornTail),
        Verdict::Detected
    );
    cases += 1;
    // A segment from another log with the right name.
    let (d, segs) = fresh();
    let other = tmp();
    build(other.path(), 60, true);
    let base = segs[2].seqs.start.get();
    fs::copy(seg_path(other.path(), base), seg_path(d.path(), base)).unwrap();
    assert_eq!(
        open_check(d.path(), RecoveryMode::TolerateTornTail),
        Verdict::Detected
    );
    cases += 1;
    // Unrelated files are ignored.
    let (d, _) = fresh();
    fs::write(d.path().join("README.txt"), b"hello").unwrap();
    assert_eq!(
        open_check(d.path(), RecoveryMode::TolerateTornTail),
        Verdict::Recovered {
            next: 61,
            truncated: 0
        }
    );
    cases += 1;
    println!(
        "structural cases: {cases} (missing middle/last/first/all segments, missing meta, stray name, stray copy, swap, 0-byte last and middle, truncated sealed, foreign log: detected; unrelated file: ignored)"
    );
}

#[test]
fn purged_segments_left_on_disk_are_removed() {
    let d = tmp();
    build(d.path(), 60, true);
    let saved: Vec<(PathBuf, Vec<u8>)> = fs::read_dir(d.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "wal"))
        .map(|p| (p.clone(), fs::read(&p).unwrap()))
        .collect();
    let (wal, _) = Wal::open(d.path(), opts()).unwrap();
    let cut = wal.segments()[2].seqs.start;
    let purged = wal.purge_before(cut).unwrap();
    // One of them may have become the spare (recycling): gone under its name all the same.
    assert_eq!(purged.files_unlinked + purged.files_recycled, 2);
    drop(wal);
    // Simulate "meta updated, crash before unlink": put the purged files back.
    for (p, b) in &saved {
        if !p.exists() {
            fs::write(p, b).unwrap();
        }
    }
    let (wal, report) = Wal::open(d.path(), opts()).unwrap();
    assert_eq!(wal.first_seq(), cut);
    assert!(
        report
            .actions
            .iter()
            .any(|a| a.starts_with("PurgedSegmentLeft"))
    );
    assert_eq!(wal.segments().len() + 2, saved.len());
    println!("purged-but-present: {:?}", report.actions);
}
