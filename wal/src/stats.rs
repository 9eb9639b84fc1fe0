//! What the log has done to the disk: sync counts, a fixed-bucket sync latency histogram, bytes
//! written. No metrics crate here: [`Wal::stats`](crate::Wal::stats) returns a plain
//! [`WalStats`] snapshot and callers export it however they like.
//!
//! The counters are kept by an observing [`Vfs`] wrapper that the log puts around whatever file
//! system it is given ([`ObservedVfs`]), so every `fdatasync`, `fsync` and directory sync is
//! counted and timed (group commit, segment roll, chunk and spare preparation, close), and the append and
//! commit paths carry no extra code. Cost: one `Instant::now()` pair and a few relaxed atomic
//! adds per sync, one atomic add per write.

use std::io;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::vfs::{DirLockGuard, FileHandle, MappedBytes, Vfs, VfsFile};

/// Upper bounds (inclusive, nanoseconds) of the sync latency buckets; a last, unbounded bucket
/// follows. 10 µs to 5 s, about 2.5× apart (the decades Prometheus users expect).
pub const SYNC_LATENCY_BOUNDS_NANOS: [u64; 18] = [
    10_000,
    25_000,
    50_000,
    100_000,
    250_000,
    500_000,
    1_000_000,
    2_500_000,
    5_000_000,
    10_000_000,
    25_000_000,
    50_000_000,
    100_000_000,
    250_000_000,
    500_000_000,
    1_000_000_000,
    2_500_000_000,
    5_000_000_000,
];

/// Number of buckets: one per bound plus the unbounded one.
const BUCKETS: usize = SYNC_LATENCY_BOUNDS_NANOS.len() + 1;

/// Sync latencies in fixed buckets ([`SYNC_LATENCY_BOUNDS_NANOS`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyncHistogram {
    /// Syncs per bucket (not cumulative); `counts[i]` took at most
    /// `SYNC_LATENCY_BOUNDS_NANOS[i]` and more than the previous bound; the last entry counts
    /// the syncs above the last bound.
    pub counts: [u64; BUCKETS],
    /// Sum of all latencies, nanoseconds.
    pub sum_nanos: u64,
}

impl Default for SyncHistogram {
    fn default() -> Self {
        Self {
            counts: [0; BUCKETS],
            sum_nanos: 0,
        }
    }
}

impl SyncHistogram {
    /// The bucket index of a latency.
    pub fn bucket_of(nanos: u64) -> usize {
        SYNC_LATENCY_BOUNDS_NANOS.partition_point(|&bound| bound < nanos)
    }

    /// Syncs counted.
    pub fn count(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// `(upper bound in nanoseconds, syncs at or below it)` for every bounded bucket, cumulative
    /// (the Prometheus `le` form); the total is [`Self::count`].
    pub fn cumulative(&self) -> Vec<(u64, u64)> {
        let mut total = 0;
        SYNC_LATENCY_BOUNDS_NANOS
            .iter()
            .zip(self.counts)
            .map(|(&bound, count)| {
                total += count;
                (bound, total)
            })
            .collect()
    }

    /// The upper bound of the bucket holding the `q` quantile (0.0–1.0), in nanoseconds:
    /// an over-estimate by at most one bucket width. `None` when empty or in the last bucket.
    pub fn quantile_upper_bound(&self, q: f64) -> Option<u64> {
        let count = self.count();
        if count == 0 {
            return None;
        }
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            clippy::cast_precision_loss,
            reason = "a rank within the count"
        )]
        let rank = ((q.clamp(0.0, 1.0) * count as f64).ceil() as u64).max(1);
        self.cumulative()
            .into_iter()
            .find(|&(_, at_or_below)| at_or_below >= rank)
            .map(|(bound, _)| bound)
    }

    /// What `self` counted since `earlier` (a snapshot of the same log).
    #[must_use]
    pub fn since(&self, earlier: &Self) -> Self {
        let mut counts = [0; BUCKETS];
        for (i, c) in counts.iter_mut().enumerate() {
            *c = self.counts[i].saturating_sub(earlier.counts[i]);
        }
        Self {
            counts,
            sum_nanos: self.sum_nanos.saturating_sub(earlier.sum_nanos),
        }
    }
}

/// A snapshot of [`Wal::stats`](crate::Wal::stats). Counters count since the log was opened.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WalStats {
    /// `fdatasync` calls on segment files (group commits, rolls, chunk preparation, close).
    pub data_syncs: u64,
    /// `fsync` calls on files (new segments, the spare, `wal.meta`).
    pub file_syncs: u64,
    /// `fsync` calls on the directory (segment creation and removal).
    pub dir_syncs: u64,
    /// Latency of every sync above.
    pub sync_latency: SyncHistogram,
    /// Positioned writes (one per append batch, plus headers, seals, zero-fill).
    pub writes: u64,
    /// Bytes written by them.
    pub bytes_written: u64,
    /// Live segments.
    pub segments: usize,
    /// Bytes used in them (headers and frames).
    pub segment_bytes_used: u64,
    /// Their file sizes (the space prepared ahead of the writer included).
    pub segment_bytes_on_disk: u64,
    /// Purged segment files turned into the spare instead of being unlinked
    /// (`WalOptions::recycle_segments`): each saves a roll the zero-fill of a new segment.
    pub segments_recycled: u64,
}

impl WalStats {
    /// All syncs.
    pub fn syncs(&self) -> u64 {
        self.data_syncs + self.file_syncs + self.dir_syncs
    }
}

/// The live counters behind [`WalStats`].
#[derive(Debug)]
pub(crate) struct Counters {
    data_syncs: AtomicU64,
    file_syncs: AtomicU64,
    dir_syncs: AtomicU64,
    buckets: [AtomicU64; BUCKETS],
    sync_nanos: AtomicU64,
    writes: AtomicU64,
    bytes_written: AtomicU64,
    recycled: AtomicU64,
}

impl Default for Counters {
    fn default() -> Self {
        Self {
            data_syncs: AtomicU64::new(0),
            file_syncs: AtomicU64::new(0),
            dir_syncs: AtomicU64::new(0),
            buckets: std::array::from_fn(|_| AtomicU64::new(0)),
            sync_nanos: AtomicU64::new(0),
            writes: AtomicU64::new(0),
            bytes_written: AtomicU64::new(0),
            recycled: AtomicU64::new(0),
        }
    }
}

#[derive(Clone, Copy)]
enum SyncKind {
    Data,
    File,
    Dir,
}

impl Counters {
    fn timed_sync(&self, kind: SyncKind, f: impl FnOnce() -> io::Result<()>) -> io::Result<()> {
        let t0 = Instant::now();
        let result = f();
        self.record_sync(kind, t0.elapsed());
        result
    }

    fn record_sync(&self, kind: SyncKind, elapsed: Duration) {
        let nanos = u64::try_from(elapsed.as_nanos()).unwrap_or(u64::MAX);
        let counter = match kind {
            SyncKind::Data => &self.data_syncs,
            SyncKind::File => &self.file_syncs,
            SyncKind::Dir => &self.dir_syncs,
        };
        counter.fetch_add(1, Ordering::Relaxed);
        self.buckets[SyncHistogram::bucket_of(nanos)].fetch_add(1, Ordering::Relaxed);
        self.sync_nanos.fetch_add(nanos, Ordering::Relaxed);
    }

    /// A purged segment file became the spare.
    pub(crate) fn note_recycled(&self) {
        self.recycled.fetch_add(1, Ordering::Relaxed);
    }

    /// The counters, with the segment figures left at zero (the log fills them in).
    pub(crate) fn snapshot(&self) -> WalStats {
        let load = |a: &AtomicU64| a.load(Ordering::Relaxed);
        WalStats {
            data_syncs: load(&self.data_syncs),
            file_syncs: load(&self.file_syncs),
            dir_syncs: load(&self.dir_syncs),
            sync_latency: SyncHistogram {
                counts: std::array::from_fn(|i| load(&self.buckets[i])),
                sum_nanos: load(&self.sync_nanos),
            },
            writes: load(&self.writes),
            bytes_written: load(&self.bytes_written),
            segments_recycled: load(&self.recycled),
            ..WalStats::default()
        }
    }
}

/// A [`Vfs`] that counts and times what passes through it, then forwards to `inner`.
#[derive(Debug)]
pub(crate) struct ObservedVfs {
    pub inner: Arc<dyn Vfs>,
    pub counters: Arc<Counters>,
}

#[derive(Debug)]
struct ObservedFile {
    inner: FileHandle,
    counters: Arc<Counters>,
}

impl ObservedVfs {
    fn wrap(&self, inner: FileHandle) -> FileHandle {
        Arc::new(ObservedFile {
            inner,
            counters: self.counters.clone(),
        })
    }
}

impl Vfs for ObservedVfs {
    fn create_dir_all(&self, dir: &Path) -> io::Result<()> {
        self.inner.create_dir_all(dir)
    }

    fn list(&self, dir: &Path) -> io::Result<Vec<String>> {
        self.inner.list(dir)
    }

    fn open(&self, path: &Path) -> io::Result<FileHandle> {
        self.inner.open(path).map(|f| self.wrap(f))
    }

    fn create(&self, path: &Path) -> io::Result<FileHandle> {
        self.inner.create(path).map(|f| self.wrap(f))
    }

    fn remove(&self, path: &Path) -> io::Result<()> {
        self.inner.remove(path)
    }

    fn rename(&self, from: &Path, to: &Path) -> io::Result<()> {
        self.inner.rename(from, to)
    }

    fn sync_dir(&self, dir: &Path) -> io::Result<()> {
        self.counters
            .timed_sync(SyncKind::Dir, || self.inner.sync_dir(dir))
    }

    fn lock_dir(&self, dir: &Path) -> io::Result<DirLockGuard> {
        self.inner.lock_dir(dir)
    }
}

impl VfsFile for ObservedFile {
    fn read_exact_at(&self, buf: &mut [u8], offset: u64) -> io::Result<()> {
        self.inner.read_exact_at(buf, offset)
    }

    fn write_all_at(&self, buf: &[u8], offset: u64) -> io::Result<()> {
        self.inner.write_all_at(buf, offset)?;
        self.counters.writes.fetch_add(1, Ordering::Relaxed);
        self.counters
            .bytes_written
            .fetch_add(buf.len() as u64, Ordering::Relaxed);
        Ok(())
    }

    fn len(&self) -> io::Result<u64> {
        self.inner.len()
    }

    fn is_empty(&self) -> io::Result<bool> {
        self.inner.is_empty()
    }

    fn allocate(&self, len: u64) -> io::Result<()> {
        self.inner.allocate(len)
    }

    fn sync_data(&self) -> io::Result<()> {
        self.counters
            .timed_sync(SyncKind::Data, || self.inner.sync_data())
    }

    fn sync_all(&self) -> io::Result<()> {
        self.counters
            .timed_sync(SyncKind::File, || self.inner.sync_all())
    }

    fn write_back(&self, offset: u64, len: u64) -> io::Result<()> {
        self.inner.write_back(offset, len)
    }

    fn map(&self) -> io::Result<MappedBytes> {
        self.inner.map()
    }

    fn advise_sequential(&self) {
        self.inner.advise_sequential();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_inclusive_upper_bounds() {
        assert_eq!(SyncHistogram::bucket_of(0), 0);
        assert_eq!(SyncHistogram::bucket_of(10_000), 0);
        assert_eq!(SyncHistogram::bucket_of(10_001), 1);
        assert_eq!(SyncHistogram::bucket_of(1_000_000), 6);
        assert_eq!(SyncHistogram::bucket_of(5_000_000_000), BUCKETS - 2);
        assert_eq!(SyncHistogram::bucket_of(u64::MAX), BUCKETS - 1);
        assert!(SYNC_LATENCY_BOUNDS_NANOS.is_sorted());
    }

    #[test]
    fn counters_record_kinds_latency_and_quantiles() {
        let c = Counters::default();
        c.record_sync(SyncKind::Data, Duration::from_micros(80));
        c.record_sync(SyncKind::Data, Duration::from_micros(90));
        c.record_sync(SyncKind::File, Duration::from_millis(3));
        c.record_sync(SyncKind::Dir, Duration::from_secs(9));
        let s = c.snapshot();
        assert_eq!((s.data_syncs, s.file_syncs, s.dir_syncs), (2, 1, 1));
        assert_eq!(s.syncs(), 4);
        assert_eq!(s.sync_latency.count(), 4);
        assert_eq!(s.sync_latency.sum_nanos, 9_003_170_000);
        assert_eq!(
            s.sync_latency.counts[3], 2,
            "80 and 90 µs fall in (50, 100] µs"
        );
        assert_eq!(s.sync_latency.quantile_upper_bound(0.5), Some(100_000));
        assert_eq!(s.sync_latency.quantile_upper_bound(0.75), Some(5_000_000));
        assert_eq!(
            s.sync_latency.quantile_upper_bound(1.0),
            None,
            "overflow bucket"
        );
        let cumulative = s.sync_latency.cumulative();
        assert_eq!(cumulative.last(), Some(&(5_000_000_000, 3)));
        let later = {
            c.record_sync(SyncKind::Data, Duration::from_micros(20));
            c.snapshot()
        };
        let delta = later.sync_latency.since(&s.sync_latency);
        assert_eq!(delta.count(), 1);
        assert_eq!(delta.counts[1], 1);
        assert_eq!(delta.sum_nanos, 20_000);
    }
}
