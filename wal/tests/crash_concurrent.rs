//! Simulated power loss under concurrency: 4 threads append (`Always`, single records and
//! small batches) into tiny segments, with a purge and a close racing them, on `CrashFs`; then
//! sampled crash points × outcomes of the recorded trace are recovered and checked: every
//! acknowledged record is present with its bytes, the log is a prefix without holes, every
//! record is one some thread wrote (self-describing payloads), and open never fails.
//! Seed: `WAL_TEST_SEED`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::pedantic,
    missing_docs,
    reason = "test code"
)]

use std::sync::{Arc, Mutex};

use gridlog_wal::testing::{CrashFs, Outcome, Rng};
use gridlog_wal::{Durability, Seq, Vfs, Wal, WalOptions};

const DIR: &str = "/wal";

/// (seq, bytes, op count when acknowledged)
type Ack = (u64, Vec<u8>, usize);

fn body(th: u64, i: u64) -> Vec<u8> {
    let mut v = format!("{th}:{i}:").into_bytes();
    let n = ((th * 131 + i * 17) % 700) as usize;
    v.extend((0..n).map(|j| (th as usize * 7 + i as usize * 3 + j) as u8));
    v
}

fn valid(b: &[u8]) -> bool {
    let s = String::from_utf8_lossy(b);
    let mut it = s.split(':');
    match (
        it.next().and_then(|x| x.parse().ok()),
        it.next().and_then(|x| x.parse().ok()),
    ) {
        (Some(th), Some(i)) => b == body(th, i).as_slice(),
        _ => false,
    }
}

#[test]
fn sampled_crash_states_of_concurrent_appenders() {
    let seed = Rng::env_seed(3);
    let samples: usize = std::env::var("WAL_CRASH_SAMPLES_CONCURRENT")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3000);
    let fs = CrashFs::new();
    let opts = WalOptions {
        segment_bytes_target: 8192,
        // Chunk extensions by the appenders, the spare thread racing them.
        preallocate_chunk_bytes: 2048,
        durability: Durability::Always,
        ..WalOptions::default()
    };
    let (wal, _) = Wal::open_with_vfs(Arc::new(fs.clone()), DIR, opts.clone()).unwrap();
    let wal = Arc::new(wal);
    let acks: Arc<Mutex<Vec<Ack>>> = Arc::default();
    let hs: Vec<_> = (0..4u64)
        .map(|th| {
            let (wal, acks, fs) = (wal.clone(), acks.clone(), fs.clone());
            std::thread::spawn(move || {
                for i in 0..40u64 {
                    if i % 9 == 8 {
                        let recs: Vec<Vec<u8>> =
                            (0..3).map(|k| body(th, 1000 + i * 3 + k)).collect();
                        let refs: Vec<&[u8]> = recs.iter().map(Vec::as_slice).collect();
                        if let Ok(r) = wal.append_batch(&refs) {
                            let op = fs.ops();
                            let mut a = acks.lock().unwrap();
                            for (k, s) in (r.start.get()..r.end.get()).enumerate() {
                                a.push((s, recs[k].clone(), op));
                            }
                        }
                    } else {
                        let b = body(th, i);
                        if let Ok(s) = wal.append(&b) {
                            let op = fs.ops();
                            acks.lock().unwrap().push((s.get(), b, op));
                        }
                    }
                    if th == 0 && i == 25 {
                        let cut = wal.next_seq().get().saturating_sub(30).max(1);
                        wal.purge_before(Seq(cut)).unwrap();
                    }
                }
            })
        })
        .collect();
    for h in hs {
        h.join().unwrap();
    }
    let wal = Arc::into_inner(wal).unwrap();
    wal.close().unwrap();
    drop(wal);
    let acks = Arc::into_inner(acks).unwrap().into_inner().unwrap();
    let mut replay = fs.replay();
    let n = replay.len();
    let mut rng = Rng::new(seed);
    let mut points: Vec<(usize, Outcome, u64)> = (0..samples)
        .map(|_| {
            (
                rng.below(n as u64 + 1) as usize,
                Outcome::ALL[rng.below(6) as usize],
                rng.next_u64(),
            )
        })
        .collect();
    points.sort_by_key(|p| p.0);
    let opts = WalOptions {
        prepare_spare: false,
        ..opts
    };
    let (mut checked, mut violations) = (0u64, Vec::new());
    for (k, outcome, s) in points {
        replay.advance_to(k);
        let crashed = replay.crash(outcome, s);
        let tag = format!("k={k} outcome={outcome:?} seed={s}");
        let (wal, _) =
            match Wal::open_with_vfs(Arc::new(crashed) as Arc<dyn Vfs>, DIR, opts.clone()) {
                Ok(x) => x,
                Err(e) => {
                    violations.push(format!("{tag}: open failed: {e}"));
                    continue;
                }
            };
        let (first, next) = (wal.first_seq().get(), wal.next_seq().get());
        for (seq, bytes, op) in &acks {
            if *op <= k && *seq >= first {
                match wal.read(Seq(*seq)) {
                    Ok(b) if *b == **bytes => {}
                    Ok(_) => violations.push(format!("{tag}: acknowledged {seq} has other bytes")),
                    Err(e) => violations.push(format!(
                        "{tag}: acknowledged {seq} lost: {e} (log {first}..{next})"
                    )),
                }
            }
        }
        for (expect, item) in (first..).zip(wal.iter_from(Seq(first))) {
            match item {
                Ok((s, b)) if s.get() == expect && valid(&b) => checked += 1,
                Ok((s, _)) => {
                    violations.push(format!("{tag}: bad record or hole at {s}"));
                    break;
                }
                Err(e) => {
                    violations.push(format!("{tag}: read error: {e}"));
                    break;
                }
            }
        }
    }
    println!(
        "power-loss with 4 concurrent appenders: seed={seed} trace_ops={n} acknowledged={} crash_states={samples} records_checked={checked} violations={}",
        acks.len(),
        violations.len()
    );
    for v in violations.iter().take(5) {
        println!("  violation: {v}");
    }
    assert!(violations.is_empty());
}
