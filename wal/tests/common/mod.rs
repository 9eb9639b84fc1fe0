//! Shared helpers for the wal integration tests: deterministic record contents and the
//! power-loss harness (workload → every/sampled crash point × outcome → recover → check).
#![allow(
    dead_code,
    clippy::pedantic,
    reason = "each test file uses a subset; test code"
)]

use std::path::Path;
use std::sync::Arc;

use gridlog_wal::testing::{CrashFs, Outcome, Rng, TraceOp};
use gridlog_wal::{Durability, Seq, Wal, WalOptions};

pub const DIR: &str = "/wal";

/// Record sizes cycle through these (0 and sizes spanning sectors included).
pub fn size_of(seq: u64) -> usize {
    [0, 1, 17, 100, 300, 700, 1500, 64][(seq % 8) as usize]
}

/// The content of record `seq` as written in `phase` (0 = workload, 1 = after recovery).
pub fn content(phase: u8, seq: u64) -> Vec<u8> {
    content_ref(phase, seq).map_or_else(|| make_content(phase, seq), <[u8]>::to_vec)
}

fn make_content(phase: u8, seq: u64) -> Vec<u8> {
    (0..size_of(seq))
        .map(|i| (seq.wrapping_mul(131) as usize + i * 7 + usize::from(phase) * 89) as u8)
        .collect()
}

const CACHED: u64 = 4096;

/// Cached contents (debug builds generate bytes slowly).
pub fn content_ref(phase: u8, seq: u64) -> Option<&'static [u8]> {
    static CACHE: std::sync::OnceLock<Vec<Vec<u8>>> = std::sync::OnceLock::new();
    let c = CACHE.get_or_init(|| {
        (0..2 * CACHED)
            .map(|i| make_content(u8::from(i >= CACHED), i % CACHED))
            .collect()
    });
    (seq < CACHED).then(|| c[(u64::from(phase) * CACHED + seq) as usize].as_slice())
}

/// One step of a workload.
#[derive(Debug, Clone)]
pub enum Step {
    /// Append a batch of this many records.
    Append(u64),
    /// `purge_before(next_seq - n)`.
    PurgeBehind(u64),
    /// `close()` then reopen.
    CloseReopen,
}

/// The workload's history, against the op counter of the file system.
#[derive(Debug)]
pub struct Run {
    pub fs: CrashFs,
    /// (end of acknowledged range, op count when the call returned).
    pub acks: Vec<(u64, usize)>,
    /// (purge argument, op count when the call started).
    pub purges: Vec<(u64, usize)>,
    pub opts: WalOptions,
    /// Id of the last segment the workload created (rolls = this - 1).
    pub last_segment_id: u64,
}

pub fn run_workload(opts: &WalOptions, steps: &[Step]) -> Run {
    let fs = CrashFs::new();
    let vfs: Arc<dyn gridlog_wal::Vfs> = Arc::new(fs.clone());
    let (mut wal, _) = Wal::open_with_vfs(vfs.clone(), DIR, opts.clone()).unwrap();
    let mut acks = Vec::new();
    let mut purges = Vec::new();
    for step in steps {
        match *step {
            Step::Append(n) => {
                let start = wal.next_seq().get();
                let recs: Vec<Vec<u8>> = (start..start + n).map(|s| content(0, s)).collect();
                let refs: Vec<&[u8]> = recs.iter().map(Vec::as_slice).collect();
                let r = wal.append_batch(&refs).unwrap();
                assert_eq!(r.start.get(), start);
                acks.push((r.end.get(), fs.ops()));
            }
            Step::PurgeBehind(n) => {
                let s = wal.next_seq().get().saturating_sub(n).max(1);
                purges.push((s, fs.ops()));
                wal.purge_before(Seq(s)).unwrap();
            }
            Step::CloseReopen => {
                wal.close().unwrap();
                drop(wal);
                wal = Wal::open_with_vfs(vfs.clone(), DIR, opts.clone())
                    .unwrap()
                    .0;
            }
        }
    }
    let last_segment_id = wal.segments().last().map_or(0, |s| s.id);
    drop(wal);
    Run {
        fs,
        acks,
        purges,
        opts: opts.clone(),
        last_segment_id,
    }
}

/// What the harness explored.
#[derive(Debug, Default)]
pub struct Stats {
    pub crash_states: u64,
    pub second_crash_states: u64,
    pub second_crash_during_recovery: u64,
    pub opens: u64,
    pub torn_tails: u64,
    pub bytes_truncated: u64,
    pub records_checked: u64,
    pub violations: Vec<String>,
}

impl Stats {
    fn violation(&mut self, what: String) {
        if self.violations.len() < 20 {
            self.violations.push(what);
        } else {
            self.violations.push(String::new());
        }
    }
}

/// Everything the checker knows about what must and may be in the log.
struct Expect {
    /// Every seq below this (and at or above first_seq) must be present.
    required_end: u64,
    /// first_seq may not exceed this.
    first_max: u64,
    /// Content phase boundary: seq >= this was written in phase 1.
    phase1_from: u64,
}

fn check_open(
    vfs: Arc<dyn gridlog_wal::Vfs>,
    opts: &WalOptions,
    ex: &Expect,
    st: &mut Stats,
    tag: &str,
) -> Option<(Wal, u64, u64)> {
    st.opens += 1;
    let (wal, report) = match Wal::open_with_vfs(vfs, DIR, opts.clone()) {
        Ok(x) => x,
        Err(e) => {
            st.violation(format!("{tag}: open failed: {e}"));
            return None;
        }
    };
    if report.bytes_truncated > 0 {
        st.torn_tails += 1;
        st.bytes_truncated += report.bytes_truncated;
    }
    let first = wal.first_seq().get();
    let next = wal.next_seq().get();
    if first > ex.first_max {
        st.violation(format!(
            "{tag}: first_seq {first} > allowed {}",
            ex.first_max
        ));
    }
    if ex.required_end > first && next < ex.required_end {
        st.violation(format!(
            "{tag}: acknowledged records lost: next_seq {next} < required {}",
            ex.required_end
        ));
    }
    let mut expect_seq = first;
    for item in wal.iter_from(Seq(first)) {
        match item {
            Ok((s, bytes)) => {
                let phase = u8::from(s.get() >= ex.phase1_from);
                if s.get() != expect_seq {
                    st.violation(format!("{tag}: hole: got seq {s}, expected {expect_seq}"));
                    break;
                }
                let same = match content_ref(phase, s.get()) {
                    Some(c) => *bytes == *c,
                    None => *bytes == *content(phase, s.get()),
                };
                if !same {
                    st.violation(format!(
                        "{tag}: seq {s} has wrong bytes (phantom or corruption)"
                    ));
                    break;
                }
                st.records_checked += 1;
                expect_seq += 1;
            }
            Err(e) => {
                st.violation(format!("{tag}: read error at {expect_seq}: {e}"));
                break;
            }
        }
    }
    if expect_seq != next {
        st.violation(format!(
            "{tag}: iterated to {expect_seq}, next_seq is {next}"
        ));
    }
    Some((wal, first, next))
}

/// Crash `run` after `k` operations with `outcome`, then recover and check; then recover again
/// (idempotence), append in phase 1, crash again at a random point (possibly inside recovery)
/// and at `extra` random points of phase 1, recover and check each.
pub fn check_crash_state(
    run: &Run,
    replay: &gridlog_wal::testing::Replay,
    k: usize,
    outcome: Outcome,
    seed: u64,
    extra: usize,
    st: &mut Stats,
) {
    st.crash_states += 1;
    let tag = format!("k={k} outcome={outcome:?} seed={seed}");
    let fs1 = replay.crash(outcome, seed);
    let vfs1: Arc<dyn gridlog_wal::Vfs> = Arc::new(fs1.clone());
    let required_end = run
        .acks
        .iter()
        .filter(|a| a.1 <= k)
        .map(|a| a.0)
        .max()
        .unwrap_or(1);
    let first_max = run
        .purges
        .iter()
        .filter(|p| p.1 < k)
        .map(|p| p.0)
        .max()
        .unwrap_or(1);
    let ex = Expect {
        required_end,
        first_max,
        phase1_from: u64::MAX,
    };
    // Recovery-side opens prepare no spare in the background: their traces stay deterministic
    // (the workload's own trace covers rolls into a spare when the workload enabled it).
    let opts = WalOptions {
        prepare_spare: false,
        ..run.opts.clone()
    };
    let Some((wal, first1, next1)) = check_open(vfs1.clone(), &opts, &ex, st, &tag) else {
        return;
    };
    drop(wal);
    // Recovery is idempotent: recovering the recovered state changes nothing.
    let Some((wal, first2, next2)) = check_open(
        vfs1.clone(),
        &opts,
        &ex,
        st,
        &format!("{tag} (second open)"),
    ) else {
        return;
    };
    if (first1, next1) != (first2, next2) {
        st.violation(format!(
            "{tag}: recovery not idempotent: {first1}..{next1} then {first2}..{next2}"
        ));
    }
    let recovered_ops = fs1.ops();
    // Phase 1: append records of the same sizes (so stale frames would line up) with new bytes.
    let mut acks_b = Vec::new();
    for _ in 0..4 {
        let s = wal.next_seq().get();
        match wal.append(&content(1, s)) {
            Ok(_) => acks_b.push((s + 1, fs1.ops())),
            Err(e) => st.violation(format!("{tag}: phase-1 append failed: {e}")),
        }
    }
    drop(wal);
    let mut rng = Rng::new(seed ^ 0xC0FF_EE00);
    // Second crashes: one anywhere in the recovery + phase-1 trace (often inside recovery),
    // then `extra` more inside phase 1 only (where stale frames past a torn tail would show).
    let total = fs1.ops();
    let mut replay2 = fs1.replay();
    let mut points: Vec<usize> = vec![rng.below(total as u64 + 1) as usize];
    for _ in 0..extra {
        let span = (total - recovered_ops) as u64 + 1;
        points.push(recovered_ops + rng.below(span) as usize);
    }
    points.sort_unstable();
    for (j, k2) in points.into_iter().enumerate() {
        let outcome2 = Outcome::ALL[rng.below(Outcome::ALL.len() as u64) as usize];
        replay2.advance_to(k2);
        let fs2 = replay2.crash(outcome2, seed.wrapping_add(1 + j as u64));
        st.second_crash_states += 1;
        if k2 < recovered_ops {
            st.second_crash_during_recovery += 1;
        }
        let required_b = acks_b
            .iter()
            .filter(|a| a.1 <= k2)
            .map(|a| a.0)
            .max()
            .unwrap_or(0);
        let ex2 = Expect {
            required_end: required_end.max(required_b),
            first_max,
            phase1_from: next1,
        };
        let tag2 = format!("{tag} then k2={k2} outcome2={outcome2:?}");
        let _ = check_open(Arc::new(fs2), &opts, &ex2, st, &tag2);
    }
}

/// Crash points inside chunk extensions of `trace`: after the `allocate` that extends a file
/// past its first chunk, up to and including the state just before the next sync of that file
/// (zeros written or not, torn or not, size change kept or lost). Returns (extensions, points).
pub fn extension_crash_points(trace: &[TraceOp]) -> (usize, Vec<usize>) {
    let mut seen = std::collections::BTreeSet::new();
    let mut points = std::collections::BTreeSet::new();
    let mut extensions = 0;
    for (i, op) in trace.iter().enumerate() {
        if let TraceOp::Extend { file, .. } = *op
            && !seen.insert(file)
        {
            extensions += 1;
            let end = trace[i + 1..]
                .iter()
                .position(|o| *o == TraceOp::Sync(file))
                .map_or(trace.len(), |p| i + 1 + p);
            points.extend(i + 1..=end);
        }
    }
    (extensions, points.into_iter().collect())
}

/// Every crash point of `run` × every outcome.
pub fn exhaustive(run: &Run, seed: u64, st: &mut Stats) {
    let mut replay = run.fs.replay();
    let n = replay.len();
    for k in 0..=n {
        replay.advance_to(k);
        for (i, &o) in Outcome::ALL.iter().enumerate() {
            let s = seed ^ ((k as u64) << 8) ^ i as u64;
            check_crash_state(run, &replay, k, o, s, 3, st);
        }
    }
}

/// `samples` crash states at random points and outcomes.
pub fn sampled(run: &Run, samples: usize, seed: u64, st: &mut Stats) {
    let mut rng = Rng::new(seed);
    let mut replay = run.fs.replay();
    let n = replay.len();
    let mut points: Vec<(usize, Outcome, u64)> = (0..samples)
        .map(|_| {
            (
                rng.below(n as u64 + 1) as usize,
                Outcome::ALL[rng.below(Outcome::ALL.len() as u64) as usize],
                rng.next_u64(),
            )
        })
        .collect();
    points.sort_by_key(|p| p.0);
    for (k, o, s) in points {
        replay.advance_to(k);
        check_crash_state(run, &replay, k, o, s, 0, st);
    }
}

pub fn small_workload() -> Vec<Step> {
    use Step::{Append, CloseReopen, PurgeBehind};
    vec![
        Append(1),
        Append(3),
        Append(1),
        Append(8),
        Append(1),
        Append(2),
        Append(1),
        Append(5),
        PurgeBehind(6),
        Append(1),
        Append(4),
        CloseReopen,
        Append(1),
        Append(6),
        Append(1),
    ]
}

pub fn small_opts() -> WalOptions {
    WalOptions {
        segment_bytes_target: 4096,
        // Segments are prepared in 4 chunks: the trace holds chunk extensions.
        preallocate_chunk_bytes: 1024,
        durability: Durability::Always,
        // Deterministic traces: no background spare preparation.
        prepare_spare: false,
        ..WalOptions::default()
    }
}

pub fn print_stats(name: &str, seed: u64, run: &Run, st: &Stats) {
    println!(
        "{name}: seed={seed} trace_ops={} acked_calls={} segments_created={} purges={} crash_states={} second_crash_states={} (during recovery: {}) opens={} torn_tails_truncated={} bytes_truncated={} records_checked={} violations={}",
        run.fs.ops(),
        run.acks.len(),
        run.last_segment_id,
        run.purges.len(),
        st.crash_states,
        st.second_crash_states,
        st.second_crash_during_recovery,
        st.opens,
        st.torn_tails,
        st.bytes_truncated,
        st.records_checked,
        st.violations.len()
    );
    for v in st.violations.iter().take(5) {
        println!("  violation: {v}");
    }
}

pub fn segment_path(base: u64) -> std::path::PathBuf {
    Path::new(DIR).join(format!("{base:020}.wal"))
}
