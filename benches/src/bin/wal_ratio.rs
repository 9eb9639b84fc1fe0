//! WAL performance as ratios to raw probes measured in the same run (issue 3).
//!
//! `cargo run --release -p gridlog-benches --bin wal_ratio`
//!
//! Each probe writes the same bytes the WAL writes (1 KiB records in 1,048-byte frames) into a
//! preallocated, zero-filled, synced 64 MiB file (wrapping around), with `fdatasync` at the same
//! points: once per batch of 100, or once per record. Then the WAL runs the same workloads.
//! Environment: `WAL_RATIO_SECS` (seconds per figure, default 2), `WAL_RATIO_DIR` (default: the
//! system temp dir), `WAL_RATIO_SCAN_MIB` (log size for the recovery scan, default 1024),
//! `WAL_RATIO_ONLY=scan` (the recovery scan only), `WAL_RATIO_SCAN_PROBES=<rounds>` (after the
//! scan figures, the same log read by other strategies in the same process, each cold then warm:
//! the recovery itself, the mmap scan recovery used before, and `pread` variants; see
//! [`Strategy`]).

#![allow(
    clippy::expect_used,
    clippy::cast_precision_loss,
    reason = "a benchmark binary: aborting on an I/O error is the right behaviour; rates are f64"
)]

#[path = "../probe.rs"]
mod probe;

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use gridlog_wal::{Seq, Wal, WalOptions};
use probe::{env_u64, peak_rss_mib, raw_probe, reset_peak_rss};

const RECORD_BYTES: usize = 1024;
const FRAME_BYTES: usize = probe::WAL_FRAME_BYTES;
const BATCH: usize = 100;
const THREADS: usize = 16;

fn scratch(name: &str) -> PathBuf {
    probe::scratch("WAL_RATIO_DIR", "wal-ratio", name)
}

fn wal_batches(dir: &Path, secs: Duration) -> f64 {
    let (wal, _) = Wal::open(dir, WalOptions::default()).expect("open");
    let rec = vec![0x5au8; RECORD_BYTES];
    let batch: Vec<&[u8]> = (0..BATCH).map(|_| rec.as_slice()).collect();
    let mut records = 0u64;
    let t = Instant::now();
    while t.elapsed() < secs {
        wal.append_batch(&batch).expect("append");
        records += BATCH as u64;
    }
    let r = records as f64 / t.elapsed().as_secs_f64();
    wal.close().expect("close");
    r
}

fn wal_single(dir: &Path, secs: Duration) -> f64 {
    let (wal, _) = Wal::open(dir, WalOptions::default()).expect("open");
    let rec = vec![0x5au8; RECORD_BYTES];
    let mut records = 0u64;
    let t = Instant::now();
    while t.elapsed() < secs {
        wal.append(&rec).expect("append");
        records += 1;
    }
    let r = records as f64 / t.elapsed().as_secs_f64();
    wal.close().expect("close");
    r
}

fn wal_threads(dir: &Path, secs: Duration) -> (f64, u64) {
    let (wal, _) = Wal::open(dir, WalOptions::default()).expect("open");
    let wal = Arc::new(wal);
    let stop = Arc::new(AtomicBool::new(false));
    let count = Arc::new(AtomicU64::new(0));
    let t = Instant::now();
    let hs: Vec<_> = (0..THREADS)
        .map(|_| {
            let (wal, stop, count) = (wal.clone(), stop.clone(), count.clone());
            std::thread::spawn(move || {
                let rec = vec![0x5au8; RECORD_BYTES];
                while !stop.load(Ordering::Relaxed) {
                    wal.append(&rec).expect("append");
                    count.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    std::thread::sleep(secs);
    stop.store(true, Ordering::Relaxed);
    for h in hs {
        h.join().expect("join");
    }
    let n = count.load(Ordering::Relaxed);
    let r = n as f64 / t.elapsed().as_secs_f64();
    let wal = Arc::into_inner(wal).expect("sole owner");
    wal.close().expect("close");
    (r, n)
}

/// Builds a log of about `mib` MiB (Never durability, then close), then times two opens.
fn recovery_scan(dir: &Path, mib: u64) -> (f64, f64, u64) {
    // No background spare preparation: it would compete with the measured scan.
    let opts = WalOptions {
        durability: gridlog_wal::Durability::Never,
        prepare_spare: false,
        ..WalOptions::default()
    };
    let (wal, _) = Wal::open(dir, opts.clone()).expect("open");
    let rec = vec![0x5au8; RECORD_BYTES];
    let batch: Vec<&[u8]> = (0..BATCH).map(|_| rec.as_slice()).collect();
    let target = mib << 20;
    while (wal.next_seq().get() - 1) * FRAME_BYTES as u64 <= target {
        wal.append_batch(&batch).expect("append");
    }
    wal.close().expect("close");
    drop(wal);
    evict(dir);
    reset_peak_rss();
    let mut rates = Vec::new();
    let mut bytes = 0;
    for _ in 0..2 {
        let t = Instant::now();
        let (wal, report) = Wal::open(dir, opts.clone()).expect("reopen");
        let secs = t.elapsed().as_secs_f64();
        bytes = report.bytes;
        rates.push(report.bytes as f64 / secs / 1e9);
        assert!(wal.read(Seq(1)).is_ok());
        drop(wal);
    }
    (rates[0], rates[1], bytes)
}

/// Drops this log's pages from the page cache (fsync, then `posix_fadvise(DONTNEED)` on each
/// file), so the next open reads from the device: a cold figure that does not disturb other
/// processes' caches. The host may still cache the virtual disk.
fn evict(dir: &Path) {
    for entry in std::fs::read_dir(dir).expect("read_dir") {
        let path = entry.expect("entry").path();
        let f = File::open(&path).expect("open");
        f.sync_all().expect("fsync");
        let _ = rustix::fs::fadvise(&f, 0, None, rustix::fs::Advice::DontNeed);
    }
}

/// The ceiling for the scan: crc32fast alone over the segment files' bytes (read into memory
/// first, not timed), on one thread: as one buffer per segment, and as one hash per 1,048-byte
/// frame (the WAL's frame size for a 1 KiB record). Returns GB/s for each.
fn crc_ceiling(dir: &Path) -> (f64, f64) {
    let (mut bytes, mut whole, mut framed) = (0u64, 0f64, 0f64);
    let mut acc = 0u32;
    for entry in std::fs::read_dir(dir).expect("read_dir") {
        let path = entry.expect("entry").path();
        let Ok(buf) = std::fs::read(&path) else {
            continue;
        };
        let t = Instant::now();
        acc ^= crc32fast::hash(&buf);
        whole += t.elapsed().as_secs_f64();
        let t = Instant::now();
        for frame in buf.chunks(FRAME_BYTES) {
            acc ^= crc32fast::hash(frame);
        }
        framed += t.elapsed().as_secs_f64();
        bytes += buf.len() as u64;
    }
    std::hint::black_box(acc);
    (bytes as f64 / whole / 1e9, bytes as f64 / framed / 1e9)
}

fn main() {
    let secs = Duration::from_secs(env_u64("WAL_RATIO_SECS", 2));
    let scan_mib = env_u64("WAL_RATIO_SCAN_MIB", 1024);
    println!(
        "wal_ratio: {}s per figure; loadavg {}",
        secs.as_secs(),
        probe::loadavg()
    );
    if std::env::var("WAL_RATIO_ONLY").map_or(true, |v| v != "scan") {
        throughput(secs);
    }
    let d = scratch("scan");
    let (cold_ish, warm, bytes) = recovery_scan(&d, scan_mib);
    let rss_scan = peak_rss_mib();
    let (crc_whole, crc_framed) = crc_ceiling(&d);
    println!(
        "recovery scan of {:.0} MiB with CRC verification: cold (files evicted with fadvise DONTNEED) {cold_ish:.2} GB/s (target >= 1.5), warm {warm:.2} GB/s (target >= 10); peak RSS during recovery {rss_scan:.1} MiB",
        bytes as f64 / f64::from(1u32 << 20)
    );
    println!(
        "crc32fast over the same bytes (1 thread, from memory): {crc_whole:.2} GB/s as whole segments, {crc_framed:.2} GB/s as one hash per 1,048-byte frame; recovery scans on up to {} threads here",
        std::thread::available_parallelism()
            .map_or(1, std::num::NonZero::get)
            .min(4)
    );
    let rounds = env_u64("WAL_RATIO_SCAN_PROBES", 0);
    if rounds > 0 {
        scan_probes(&d, rounds);
    }
    let _ = std::fs::remove_dir_all(&d);
}

fn throughput(secs: Duration) {
    let d = scratch("raw-batch");
    let raw_batch = raw_probe(&d, BATCH, secs);
    let _ = std::fs::remove_dir_all(&d);
    let d = scratch("wal-batch");
    reset_peak_rss();
    let wal_batch = wal_batches(&d, secs);
    let rss_append = peak_rss_mib();
    let _ = std::fs::remove_dir_all(&d);
    println!(
        "batch of 100 x 1 KiB, Always: raw probe {raw_batch:.0} rec/s ({:.0} MB/s); wal {wal_batch:.0} rec/s ({:.0} MB/s); ratio {:.2} (target >= 0.85); peak RSS {rss_append:.1} MiB",
        raw_batch * RECORD_BYTES as f64 / 1e6,
        wal_batch * RECORD_BYTES as f64 / 1e6,
        wal_batch / raw_batch
    );

    let d = scratch("raw-single");
    let raw_single = raw_probe(&d, 1, secs);
    let _ = std::fs::remove_dir_all(&d);
    let d = scratch("wal-single");
    let wal_one = wal_single(&d, secs);
    let _ = std::fs::remove_dir_all(&d);
    println!(
        "single 1 KiB record, Always: raw probe {raw_single:.0} fdatasyncs/s; wal {wal_one:.0} rec/s; ratio {:.2}",
        wal_one / raw_single
    );

    let d = scratch("wal-threads");
    let (wal_16, n) = wal_threads(&d, secs);
    let _ = std::fs::remove_dir_all(&d);
    println!(
        "{THREADS} threads x single 1 KiB records, Always: wal {wal_16:.0} rec/s ({n} records); ratio to the raw single-record rate {:.1}x (target >= 10x)",
        wal_16 / raw_single
    );
}

/// One way to read the segments for the scan A/B lines (`WAL_RATIO_SCAN_PROBES=<rounds>`).
/// Every strategy decodes the frames with the WAL's own decoder, segment by segment, on
/// `threads` threads taking segments in turn, as recovery does.
#[derive(Clone, Copy, Debug)]
enum Strategy {
    /// The WAL's own recovery: `Wal::open` (bytes / time of the whole open).
    Recovery,
    /// What recovery did before `pread`: mmap the segment (`MADV_SEQUENTIAL`, `MADV_WILLNEED`),
    /// `MADV_POPULATE_READ` the next 4 MiB window, `MADV_DONTNEED` the windows passed;
    /// `huge` adds `MADV_HUGEPAGE`.
    Mmap { threads: usize, huge: bool },
    /// `pread` into a reused page-aligned buffer of `chunk` bytes after
    /// `posix_fadvise(SEQUENTIAL)`, the first read of each file being the 48-byte segment
    /// header alone; `big_first` makes that first read a whole chunk instead; `willneed` adds
    /// `posix_fadvise(WILLNEED)` on the next chunk before each read.
    Pread {
        threads: usize,
        chunk: usize,
        big_first: bool,
        willneed: bool,
    },
}

/// Warm scans per strategy and round (the first touches the pages a second time after the cold
/// scan, which moves them to the active LRU list; the later ones do not).
const WARM_REPEATS: usize = 3;
/// Bytes of a 4 MiB mmap window.
const MMAP_WINDOW: usize = 4 << 20;
/// Record size limit passed to the decoder (the records here are 1 KiB).
const PROBE_RECORD_MAX: u32 = 1 << 20;

/// Frames of segment `id` in `buf` from the segment header on, with `ready(off)` called before
/// each frame (the mmap strategy's window step); returns (bytes scanned, frames).
fn walk_frames(buf: &[u8], id: u64, mut ready: impl FnMut(usize)) -> (usize, u64) {
    let mut off = gridlog_wal::segment::SEGMENT_HEADER_BYTES;
    let mut n = 0;
    while off < buf.len() {
        ready(off);
        match gridlog_wal::frame::decode(&buf[off..], id, PROBE_RECORD_MAX) {
            gridlog_wal::frame::Decoded::Valid(f) => {
                off += f.total;
                n += 1;
                if f.kind == gridlog_wal::frame::FrameKind::Seal {
                    break;
                }
            }
            _ => break,
        }
    }
    (off, n)
}

/// The mmap strategy on one file.
#[allow(unsafe_code)]
fn mmap_scan(f: &File, huge: bool) -> (usize, u64) {
    use rustix::mm::{Advice, MapFlags, ProtFlags, madvise, mmap, munmap};
    let len = usize::try_from(f.metadata().expect("len").len()).expect("usize");
    // SAFETY: a read-only shared mapping of a file nobody writes while the probe runs (the log
    // is closed); it is unmapped below, after the last use of `buf`.
    let ptr = unsafe {
        mmap(
            std::ptr::null_mut(),
            len,
            ProtFlags::READ,
            MapFlags::SHARED,
            f,
            0,
        )
    }
    .expect("mmap");
    // SAFETY: `ptr` maps `len` readable bytes until the `munmap` below.
    let buf = unsafe { std::slice::from_raw_parts(ptr.cast::<u8>(), len) };
    let advise = |from: usize, to: usize, advice: Advice| {
        let to = to.min(len);
        if from < to {
            // SAFETY: the range lies inside the mapping; advice does not change its contents
            // (`MADV_DONTNEED` on a shared file mapping re-reads the same page-cache bytes).
            let _ = unsafe { madvise(ptr.cast::<u8>().add(from).cast(), to - from, advice) };
        }
    };
    advise(0, len, Advice::Sequential);
    advise(0, len, Advice::WillNeed);
    if huge {
        advise(0, len, Advice::LinuxHugepage);
    }
    let id = gridlog_wal::segment::SegmentHeader::decode(buf)
        .expect("header")
        .segment_id;
    let mut w = 0;
    advise(0, 2 * MMAP_WINDOW, Advice::LinuxPopulateRead);
    let r = walk_frames(buf, id, |off| {
        if off / MMAP_WINDOW != w {
            let now = off / MMAP_WINDOW;
            advise(w * MMAP_WINDOW, now * MMAP_WINDOW, Advice::LinuxDontNeed);
            w = now;
            advise(
                (w + 1) * MMAP_WINDOW,
                (w + 2) * MMAP_WINDOW,
                Advice::LinuxPopulateRead,
            );
        }
    });
    // SAFETY: `buf` is not used after this point.
    unsafe { munmap(ptr, len) }.expect("munmap");
    r
}

/// The pread strategy on one file, through `raw` (reused across files); frames may straddle
/// the chunk ends (the unconsumed tail is moved to the front before the next read).
fn pread_scan(
    f: &File,
    raw: &mut [u8],
    (chunk, big_first, willneed): (usize, bool, bool),
) -> (usize, u64) {
    use std::os::unix::fs::FileExt as _;
    let len = usize::try_from(f.metadata().expect("len").len()).expect("usize");
    let _ = rustix::fs::fadvise(f, 0, None, rustix::fs::Advice::Sequential);
    let pad = raw.as_ptr().align_offset(4096);
    let buf = &mut raw[pad..];
    let mut header = [0u8; gridlog_wal::segment::SEGMENT_HEADER_BYTES];
    if big_first {
        let n = chunk.min(len);
        f.read_exact_at(&mut buf[..n], 0).expect("first chunk");
        header.copy_from_slice(&buf[..gridlog_wal::segment::SEGMENT_HEADER_BYTES]);
    } else {
        f.read_exact_at(&mut header, 0).expect("header");
    }
    let id = gridlog_wal::segment::SegmentHeader::decode(&header)
        .expect("header")
        .segment_id;
    // buf[..hi] holds the file's bytes from `base`; frames are at least 24 bytes and at most
    // 8 KiB here, so 8 KiB buffered past a frame's start is always enough to decode it.
    let mut off = gridlog_wal::segment::SEGMENT_HEADER_BYTES;
    let (mut base, mut hi) = (off, 0usize);
    let mut n = 0;
    loop {
        if base + hi < (off + 8192).min(len) {
            let keep = base + hi - off;
            buf.copy_within(off - base..hi, 0);
            base = off;
            hi = keep;
            let want = chunk.min(len - (base + hi));
            if willneed {
                let _ = rustix::fs::fadvise(
                    f,
                    (base + hi + want) as u64,
                    std::num::NonZeroU64::new(chunk as u64),
                    rustix::fs::Advice::WillNeed,
                );
            }
            f.read_exact_at(&mut buf[hi..hi + want], (base + hi) as u64)
                .expect("read");
            hi += want;
        }
        match gridlog_wal::frame::decode(&buf[off - base..hi], id, PROBE_RECORD_MAX) {
            gridlog_wal::frame::Decoded::Valid(fr) => {
                off += fr.total;
                n += 1;
                if fr.kind == gridlog_wal::frame::FrameKind::Seal {
                    break;
                }
            }
            _ => break,
        }
    }
    (off, n)
}

/// Scans every segment of `dir` with `strategy`; returns (GB/s, frames).
fn probe_scan(dir: &Path, strategy: Strategy) -> (f64, u64) {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("read_dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "wal"))
        .collect();
    files.sort();
    let threads = match strategy {
        Strategy::Recovery => {
            let opts = WalOptions {
                durability: gridlog_wal::Durability::Never,
                prepare_spare: false,
                ..WalOptions::default()
            };
            let t = Instant::now();
            let (wal, report) = Wal::open(dir, opts).expect("reopen");
            let secs = t.elapsed().as_secs_f64();
            drop(wal);
            return (report.bytes as f64 / secs / 1e9, report.next_seq.get() - 1);
        }
        Strategy::Mmap { threads, .. } | Strategy::Pread { threads, .. } => threads,
    };
    let next = AtomicU64::new(0);
    let frames = AtomicU64::new(0);
    let bytes = AtomicU64::new(0);
    let t = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                let mut raw = match strategy {
                    Strategy::Pread { chunk, .. } => vec![0u8; chunk + 8192 + 4096],
                    Strategy::Mmap { .. } | Strategy::Recovery => Vec::new(),
                };
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(path) = files.get(usize::try_from(i).expect("usize")) else {
                        break;
                    };
                    let f = File::open(path).expect("open");
                    let (scanned, n) = match strategy {
                        Strategy::Recovery => unreachable!("timed above"),
                        Strategy::Mmap { huge, .. } => mmap_scan(&f, huge),
                        Strategy::Pread {
                            chunk,
                            big_first,
                            willneed,
                            ..
                        } => pread_scan(&f, &mut raw, (chunk, big_first, willneed)),
                    };
                    frames.fetch_add(n, Ordering::Relaxed);
                    bytes.fetch_add(scanned as u64, Ordering::Relaxed);
                }
            });
        }
    });
    let secs = t.elapsed().as_secs_f64();
    (
        bytes.load(Ordering::Relaxed) as f64 / secs / 1e9,
        frames.load(Ordering::Relaxed),
    )
}

/// The A/B lines: each strategy cold (evicted) then warm, in this process, `rounds` times.
fn scan_probes(dir: &Path, rounds: u64) {
    let cores = std::thread::available_parallelism()
        .map_or(1, std::num::NonZero::get)
        .min(4);
    let pread = |threads, chunk, big_first, willneed| Strategy::Pread {
        threads,
        chunk,
        big_first,
        willneed,
    };
    let strategies = [
        Strategy::Recovery,
        Strategy::Mmap {
            threads: cores,
            huge: false,
        },
        Strategy::Mmap {
            threads: cores,
            huge: true,
        },
        pread(1, 1 << 20, false, false),
        pread(cores, 256 << 10, false, false),
        pread(cores, 1 << 20, false, false),
        pread(cores, 4 << 20, false, false),
        pread(cores, 1 << 20, true, false),
        pread(cores, 1 << 20, false, true),
    ];
    for round in 1..=rounds {
        for strategy in strategies {
            evict(dir);
            let (cold, n) = probe_scan(dir, strategy);
            let warm: Vec<String> = (0..WARM_REPEATS)
                .map(|_| format!("{:.2}", probe_scan(dir, strategy).0))
                .collect();
            println!(
                "scan probe, round {round}: {strategy:?}: cold {cold:.2} GB/s, warm {} GB/s ({n} frames)",
                warm.join(" / ")
            );
        }
    }
}
