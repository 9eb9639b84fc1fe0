//! WAL benchmarks: durable append of a batch of 100 × 1 KiB, a single 1 KiB record, 16 threads
//! appending single records (group commit), and the recovery scan of a 256 MiB log. For the
//! ratios to raw fdatasync probes that issue 3 targets, run the `wal_ratio` binary.
//!
//! `cargo bench -p gridlog-benches --bench wal -- --warm-up-time 1 --measurement-time 3`

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::cast_possible_truncation,
    reason = "a benchmark fails loudly on bad setup"
)]

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use gridlog_wal::{Durability, Wal, WalOptions};

const RECORD_BYTES: usize = 1024;
const THREADS: u64 = 16;

fn scratch(name: &str) -> PathBuf {
    let p = std::env::temp_dir().join(format!("gridlog-wal-bench-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&p);
    p
}

fn append(c: &mut Criterion) {
    let rec = vec![0x5au8; RECORD_BYTES];
    let batch: Vec<&[u8]> = (0..100).map(|_| rec.as_slice()).collect();
    let dir = scratch("append");
    let (wal, _) = Wal::open(&dir, WalOptions::default()).unwrap();
    let mut g = c.benchmark_group("wal_append_always");
    g.sample_size(20);
    g.throughput(Throughput::Elements(100));
    g.bench_function("batch_100x1KiB", |b| {
        b.iter(|| wal.append_batch(&batch).unwrap());
    });
    g.throughput(Throughput::Elements(1));
    g.bench_function("single_1KiB", |b| b.iter(|| wal.append(&rec).unwrap()));
    g.throughput(Throughput::Elements(THREADS));
    let wal = Arc::new(wal);
    g.bench_function("16_threads_single_1KiB", |b| {
        b.iter_custom(|iters| {
            let t = Instant::now();
            let hs: Vec<_> = (0..THREADS)
                .map(|_| {
                    let wal = wal.clone();
                    std::thread::spawn(move || {
                        let rec = vec![0x5au8; RECORD_BYTES];
                        for _ in 0..iters {
                            wal.append(&rec).unwrap();
                        }
                    })
                })
                .collect();
            for h in hs {
                h.join().unwrap();
            }
            t.elapsed()
        });
    });
    g.finish();
    drop(wal);
    let _ = std::fs::remove_dir_all(&dir);
}

fn recovery(c: &mut Criterion) {
    let dir = scratch("recovery");
    let opts = WalOptions {
        durability: Durability::Never,
        prepare_spare: false,
        ..WalOptions::default()
    };
    let (wal, _) = Wal::open(&dir, opts.clone()).unwrap();
    let rec = vec![0x5au8; RECORD_BYTES];
    let batch: Vec<&[u8]> = (0..100).map(|_| rec.as_slice()).collect();
    let log_bytes: u64 = 256 << 20;
    while (wal.next_seq().get() - 1) * (RECORD_BYTES as u64 + 24) < log_bytes {
        wal.append_batch(&batch).unwrap();
    }
    wal.close().unwrap();
    drop(wal);
    let mut g = c.benchmark_group("wal_recovery");
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(5));
    g.throughput(Throughput::Bytes(log_bytes));
    g.bench_function("scan_256MiB_warm", |b| {
        b.iter(|| Wal::open(&dir, opts.clone()).unwrap());
    });
    g.finish();
    let _ = std::fs::remove_dir_all(&dir);
}

criterion_group!(benches, append, recovery);
criterion_main!(benches);
