//! Concurrency: many `Always` appenders share syncs (group commit), readers iterate while
//! writers append and never see a record before it is durable, and retention waits for a
//! reader that holds a sealed segment's mapping (no SIGBUS; unlinked after the reader drops).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::pedantic,
    missing_docs,
    reason = "test code"
)]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use gridlog_wal::testing::{FaultFs, FaultKind};
use gridlog_wal::{Seq, StdVfs, Wal, WalOptions};

/// A self-describing record: readers can check it without knowing who wrote it.
fn body(th: u64, i: u64) -> Vec<u8> {
    let mut v = format!("{th}:{i}:").into_bytes();
    let n = 50 + ((th * 31 + i * 7) % 400) as usize;
    v.extend((0..n).map(|j| (th as usize * 13 + i as usize + j) as u8));
    v
}

fn valid(b: &[u8]) -> bool {
    let s = String::from_utf8_lossy(b);
    let mut it = s.split(':');
    let (Some(th), Some(i)) = (
        it.next().and_then(|x| x.parse().ok()),
        it.next().and_then(|x| x.parse().ok()),
    ) else {
        return false;
    };
    b == body(th, i).as_slice()
}

#[test]
fn sixteen_appenders_share_syncs_while_readers_iterate() {
    let dir = tempfile::tempdir().unwrap(); // real disk: syncs take time, so they are shared
    let ffs = FaultFs::new(Arc::new(StdVfs), u64::MAX, false, FaultKind::Eio);
    let opts = WalOptions {
        segment_bytes_target: 64 << 10,
        ..WalOptions::default()
    };
    let (wal, _) = Wal::open_with_vfs(Arc::new(ffs.clone()), dir.path(), opts.clone()).unwrap();
    let wal = Arc::new(wal);
    let syncs_before = ffs.syncs();
    let done = Arc::new(AtomicBool::new(false));
    let per_thread = 40u64;
    let readers: Vec<_> = (0..2)
        .map(|_| {
            let wal = wal.clone();
            let done = done.clone();
            std::thread::spawn(move || {
                let mut seen = 0u64;
                while !done.load(Ordering::Acquire) {
                    let first = wal.first_seq().get();
                    for (expect, item) in (first..).zip(wal.iter_from(Seq(first))) {
                        let (s, b) = item.unwrap();
                        assert_eq!(s.get(), expect, "hole");
                        assert!(valid(&b), "reader saw a wrong record at {s}");
                        assert!(
                            wal.durable_seq() >= s,
                            "reader saw {s} before it was durable"
                        );
                        seen += 1;
                    }
                }
                seen
            })
        })
        .collect();
    let writers: Vec<_> = (0..16u64)
        .map(|th| {
            let wal = wal.clone();
            std::thread::spawn(move || {
                (0..per_thread)
                    .map(|i| (wal.append(&body(th, i)).unwrap().get(), th, i))
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let mut all: Vec<(u64, u64, u64)> = writers
        .into_iter()
        .flat_map(|h| h.join().unwrap())
        .collect();
    done.store(true, Ordering::Release);
    let seen: u64 = readers.into_iter().map(|h| h.join().unwrap()).sum();
    let appends = 16 * per_thread;
    let syncs = ffs.syncs() - syncs_before;
    all.sort_unstable();
    assert_eq!(all.len() as u64, appends);
    for (k, (s, _, _)) in all.iter().enumerate() {
        assert_eq!(*s, k as u64 + 1, "sequence numbers are dense and unique");
    }
    println!(
        "group commit: 16 threads × {per_thread} Always appends = {appends} appends with {syncs} fdatasyncs ({:.1} appends per sync); readers checked {seen} records while writing; {} segments",
        appends as f64 / syncs as f64,
        wal.segments().len()
    );
    assert!(
        syncs < appends,
        "16 concurrent appenders must share syncs ({syncs} syncs for {appends} appends)"
    );
    drop(wal);
    let (wal, _) = Wal::open(dir.path(), opts).unwrap();
    for (s, th, i) in all {
        assert_eq!(&*wal.read(Seq(s)).unwrap(), body(th, i).as_slice());
    }
}

#[test]
fn retention_waits_for_a_reader_holding_a_mapping() {
    let dir = tempfile::tempdir().unwrap();
    let opts = WalOptions {
        segment_bytes_target: 4096,
        ..WalOptions::default()
    };
    let (wal, _) = Wal::open(dir.path(), opts).unwrap();
    for i in 0..200 {
        wal.append(&body(0, i)).unwrap();
    }
    let segs = wal.segments();
    let held = wal.read(Seq(1)).unwrap();
    assert!(held.is_mapped());
    let mut iter = wal.iter_from(segs[1].seqs.start);
    let first = iter.next().unwrap().unwrap();
    let cut = segs[4].seqs.start;
    let rep = wal.purge_before(cut).unwrap();
    assert_eq!(rep.segments_purged, 4);
    assert_eq!(
        rep.files_deferred, 2,
        "segments 1 (mapping) and 2 (iterator) are held: {rep:?}"
    );
    assert!(segs[0].path.exists() && segs[1].path.exists());
    assert!(!segs[2].path.exists() && !segs[3].path.exists());
    // The held bytes are still readable: the file was not truncated or unlinked under the map.
    assert_eq!(&*held, body(0, 0).as_slice());
    let rest: Vec<_> = iter.by_ref().take(3).map(|r| r.unwrap().0).collect();
    assert_eq!(rest.len(), 3);
    drop(held);
    wal.append(b"reap").unwrap(); // appends reap unheld pending files (no I/O in Drop)
    assert!(
        !segs[0].path.exists(),
        "file unlinked once its reader let go"
    );
    assert!(segs[1].path.exists(), "still held by the iterator");
    drop(iter);
    drop(first);
    wal.close().unwrap();
    assert!(!segs[1].path.exists());
    println!(
        "retention: 4 segments purged, 2 deferred while held (mapping, iterator), unlinked after release; held bytes stayed readable"
    );
}
