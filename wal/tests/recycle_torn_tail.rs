//! Torn writes and bit flips in a recycled segment, built by hand on real files: the new
//! segment's frames sit exactly over the old segment's frames (same record sizes), so a torn
//! write that reverts some of them leaves intact old frames at the very offsets the scan looks
//! at. Recovery must stop at the first frame that is not this segment's, zero the rest, and
//! never return an old frame; a later append of the same sizes must not bring back anything.
//! A damaged frame below the durable watermark, or before the seal of a sealed recycled
//! segment, still fails the open.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::pedantic,
    missing_docs,
    reason = "test code"
)]

use std::path::{Path, PathBuf};

use gridlog_wal::{Durability, RecoveryMode, Seq, Wal, WalError, WalOptions};

const TARGET: u64 = 8192;
const REC: usize = 100;
/// Frame of a 100-byte record.
const FRAME: usize = 128;
const HEADER: usize = 48;
const END_MARK: usize = 24;

fn opts() -> WalOptions {
    WalOptions {
        segment_bytes_target: TARGET,
        durability: Durability::Always,
        prepare_spare: false,
        ..WalOptions::default()
    }
}

fn rec(phase: u8, seq: u64) -> Vec<u8> {
    (0..REC)
        .map(|j| (seq as usize * 31 + j * 7 + phase as usize * 101) as u8)
        .collect()
}

fn fill_to(wal: &Wal, segments: usize) {
    while wal.segments().len() < segments {
        wal.append(&rec(0, wal.next_seq().get())).unwrap();
    }
}

/// A log whose active segment (id 4) is the recycled file of segment 1, holding 3 synced
/// records and then a batch of 3 (`batch`), all 100-byte records like the old ones. Returns
/// the directory, the active segment's path, the old file's bytes, the first seq of the
/// batch, and the byte offset of the batch.
struct Built {
    dir: tempfile::TempDir,
    path: PathBuf,
    old: Vec<u8>,
    batch_seq: u64,
    batch_off: usize,
}

fn build() -> Built {
    let dir = tempfile::tempdir().unwrap();
    let (wal, _) = Wal::open(dir.path(), opts()).unwrap();
    fill_to(&wal, 3);
    let old = std::fs::read(&wal.segments()[0].path).unwrap();
    let r = wal.purge_before(wal.segments()[1].seqs.start).unwrap();
    assert_eq!(r.files_recycled, 1);
    fill_to(&wal, 3);
    let seg = wal.segments().last().cloned().unwrap();
    assert_eq!(seg.id, 4, "segments 2 and 3 live, the roll made 4");
    while wal.next_seq().get() < seg.seqs.start.get() + 3 {
        wal.append(&rec(0, wal.next_seq().get())).unwrap();
    }
    let batch_seq = wal.next_seq().get();
    let batch_off = HEADER + 3 * FRAME;
    let recs: Vec<Vec<u8>> = (batch_seq..batch_seq + 3).map(|s| rec(0, s)).collect();
    let refs: Vec<&[u8]> = recs.iter().map(Vec::as_slice).collect();
    wal.append_batch(&refs).unwrap();
    let now = std::fs::read(&seg.path).unwrap();
    assert_eq!(
        now[batch_off + 3 * FRAME + END_MARK..],
        old[batch_off + 3 * FRAME + END_MARK..],
        "old frames after the new ones"
    );
    // The new frames sit exactly where old frames were.
    for i in 0..6 {
        let at = HEADER + i * FRAME;
        assert_eq!(now[at..at + 4], old[at..at + 4], "same frame length");
    }
    drop(wal); // a crash: no close marker
    Built {
        dir,
        path: seg.path,
        old,
        batch_seq,
        batch_off,
    }
}

/// Puts the old file's bytes back over `range` (the part of a write a power loss dropped).
fn revert(b: &Built, range: std::ops::Range<usize>) {
    let mut now = std::fs::read(&b.path).unwrap();
    now[range.clone()].copy_from_slice(&b.old[range]);
    std::fs::write(&b.path, &now).unwrap();
}

/// Opens and checks: the log ends right before `expect_next`, every record is this log's.
fn open_and_check(dir: &Path, expect_next: u64, phase1_from: u64) -> Wal {
    let (wal, report) = Wal::open(dir, opts()).unwrap();
    assert_eq!(wal.next_seq().get(), expect_next, "{report:?}");
    for s in wal.first_seq().get()..expect_next {
        let phase = u8::from(s >= phase1_from);
        assert_eq!(*wal.read(Seq(s)).unwrap(), *rec(phase, s), "seq {s}");
    }
    let n = wal.iter_from(wal.first_seq()).count() as u64;
    assert_eq!(n, expect_next - wal.first_seq().get());
    wal
}

/// Then appends records of the same sizes (new bytes), crashes, reopens: nothing old returns.
fn append_again_and_check(dir: &Path, wal: Wal, from: u64) {
    for _ in 0..5 {
        wal.append(&rec(1, wal.next_seq().get())).unwrap();
    }
    let next = wal.next_seq().get();
    drop(wal);
    let wal = open_and_check(dir, next, from);
    drop(wal);
}

#[test]
fn torn_write_ending_on_an_old_frame_boundary() {
    let b = build();
    // The batch's first frame landed; the second, the third and the end mark did not: intact
    // old frames (of segment 1) follow the first one exactly at frame boundaries.
    revert(&b, b.batch_off + FRAME..b.batch_off + 3 * FRAME + END_MARK);
    let wal = open_and_check(b.dir.path(), b.batch_seq + 1, u64::MAX);
    let bytes = std::fs::read(&b.path).unwrap();
    assert!(
        bytes[b.batch_off + FRAME..].iter().all(|&x| x == 0),
        "the stale rest is zeroed"
    );
    append_again_and_check(b.dir.path(), wal, b.batch_seq + 1);
}

#[test]
fn whole_batch_landed_but_its_end_mark_did_not() {
    let b = build();
    revert(
        &b,
        b.batch_off + 3 * FRAME..b.batch_off + 3 * FRAME + END_MARK,
    );
    let wal = open_and_check(b.dir.path(), b.batch_seq + 3, u64::MAX);
    append_again_and_check(b.dir.path(), wal, b.batch_seq + 3);
}

#[test]
fn first_frame_of_the_batch_lost_later_ones_landed() {
    let b = build();
    // The later frames of the batch are frames of this segment past the end: they must be
    // zeroed, or an append of the same sizes would line them up again.
    revert(&b, b.batch_off..b.batch_off + FRAME);
    let wal = open_and_check(b.dir.path(), b.batch_seq, u64::MAX);
    append_again_and_check(b.dir.path(), wal, b.batch_seq);
}

#[test]
fn crash_right_after_the_roll_into_a_recycled_file() {
    let b = build();
    // Only the new header is there: everything after it is the old segment's.
    revert(&b, HEADER..TARGET as usize);
    let wal = open_and_check(b.dir.path(), b.batch_seq - 3, u64::MAX);
    append_again_and_check(b.dir.path(), wal, b.batch_seq - 3);
}

#[test]
fn bit_flip_below_the_watermark_of_a_recycled_segment_fails() {
    let b = build();
    // The first frame of segment 4: every later synced frame's floor covers it.
    let mut bytes = std::fs::read(&b.path).unwrap();
    bytes[HEADER + 24 + 5] ^= 0x10;
    std::fs::write(&b.path, &bytes).unwrap();
    match Wal::open(b.dir.path(), opts()) {
        Err(WalError::Corrupt { reason, .. }) => {
            assert!(reason.contains("BadFrameBelowWatermark"), "{reason}");
        }
        other => panic!("expected Corrupt, got {:?}", other.map(|x| x.1)),
    }
    // Salvage reports exactly that record lost.
    let (wal, report) = Wal::open(
        b.dir.path(),
        WalOptions {
            recovery: RecoveryMode::Salvage,
            ..opts()
        },
    )
    .unwrap();
    assert_eq!(report.lost.len(), 1, "{report:?}");
    assert_eq!(report.lost[0].len(), 1);
    assert_eq!(wal.next_seq().get(), b.batch_seq + 3);
}

#[test]
fn bit_flip_in_a_sealed_recycled_segment_fails() {
    let b = build();
    // Reopen, roll past the recycled segment (it gets sealed), then damage it.
    let (wal, _) = Wal::open(b.dir.path(), opts()).unwrap();
    // Two more segments, so that it is neither last nor the last one's predecessor.
    fill_to(&wal, 5);
    assert_eq!(wal.segments()[2].id, 4);
    assert!(wal.segments()[2].sealed);
    wal.close().unwrap();
    drop(wal);
    let mut bytes = std::fs::read(&b.path).unwrap();
    bytes[HEADER + FRAME + 24 + 9] ^= 0x01;
    std::fs::write(&b.path, &bytes).unwrap();
    match Wal::open(b.dir.path(), opts()) {
        Err(WalError::Corrupt { reason, .. }) => {
            assert!(reason.contains("BadFrameInSealed"), "{reason}");
        }
        other => panic!("expected Corrupt, got {:?}", other.map(|x| x.1)),
    }
}
