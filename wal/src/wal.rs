//! [`Wal`]: the public handle. Thin: each method delegates to the module that owns the concern.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread::JoinHandle;

use parking_lot::{Condvar, Mutex, RwLock};

use crate::commit::interval_syncer;
use crate::error::{Result, WalError};
use crate::frame::{self, FrameKind};
use crate::options::{Durability, WalOptions};
use crate::prepare::Preparer;
use crate::reader::WalIter;
use crate::recovery::recover;
use crate::state::{Shared, SyncState, Writer};
use crate::stats::{Counters, ObservedVfs, WalStats};
use crate::types::{PurgeReport, RecordBytes, RecoveryReport, SegmentInfo, Seq, SeqRange};
use crate::vfs::Vfs;
use crate::vfs_std::StdVfs;

/// A segmented, CRC-framed, group-committed write-ahead log of opaque records.
///
/// `Wal` is `Send + Sync`; every method takes `&self`. Share it with an `Arc`.
#[derive(Debug)]
pub struct Wal {
    shared: Arc<Shared>,
    syncer: Mutex<Option<JoinHandle<()>>>,
    counters: Arc<Counters>,
}

impl Wal {
    /// Opens (recovering) or creates the log in `dir` on the real file system.
    pub fn open(dir: impl AsRef<Path>, opts: WalOptions) -> Result<(Wal, RecoveryReport)> {
        Wal::open_with_vfs(Arc::new(StdVfs), dir, opts)
    }

    /// Opens (recovering) or creates the log in `dir` through `vfs`.
    pub fn open_with_vfs(
        vfs: Arc<dyn Vfs>,
        dir: impl AsRef<Path>,
        opts: WalOptions,
    ) -> Result<(Wal, RecoveryReport)> {
        opts.validate()?;
        let counters = Arc::new(Counters::default());
        let vfs: Arc<dyn Vfs> = Arc::new(ObservedVfs {
            inner: vfs,
            counters: counters.clone(),
        });
        let dir = dir.as_ref().to_path_buf();
        vfs.create_dir_all(&dir)
            .map_err(|e| WalError::io("create_dir_all", &dir, e))?;
        // One open log per directory: taken before recovery reads or truncates anything.
        let dir_lock = vfs.lock_dir(&dir).map_err(|e| match e.kind() {
            std::io::ErrorKind::WouldBlock => WalError::Locked { dir: dir.clone() },
            _ => WalError::io("lock", &dir, e),
        })?;
        let rec = recover(&*vfs, &dir, &opts)?;
        let active = rec
            .segments
            .last()
            .cloned()
            .ok_or_else(|| WalError::corrupt(dir.display().to_string(), 0, "no segment"))?;
        let durability = opts.durability;
        // Recovery left the tail of the active file zero (and synced it): the writer may append
        // anywhere below its length. After a crash inside a chunk extension that space may be
        // unwritten extents or holes (correct, only slower to sync until the next chunk).
        let ready = active
            .file
            .len()
            .map_err(|e| WalError::io("stat", &active.path, e))?
            .max(rec.offset);
        let prep = Arc::new(Preparer::new(
            vfs.clone(),
            dir.clone(),
            &opts,
            ready,
            counters.clone(),
        ));
        let shared = Arc::new(Shared {
            vfs,
            dir,
            log_id: rec.log_id,
            writer: Mutex::new(Writer {
                active,
                offset: rec.offset,
                synced_offset: rec.synced_offset,
                next_seq: rec.next_seq,
                buf: Vec::new(),
                stale_tail: false,
            }),
            segs: RwLock::new(rec.segments),
            pending: Mutex::new(Vec::new()),
            pending_nonempty: AtomicBool::new(false),
            mapped_reads: AtomicU64::new(0),
            written_end: AtomicU64::new(rec.next_seq),
            durable_end: AtomicU64::new(rec.next_seq),
            first_seq: AtomicU64::new(rec.first_seq),
            poisoned: AtomicBool::new(false),
            unsynced_calls: AtomicU64::new(0),
            last_group: AtomicU64::new(0),
            last_sync_nanos: AtomicU64::new(0),
            closed: AtomicBool::new(false),
            sync: Mutex::new(SyncState::default()),
            sync_cv: Condvar::new(),
            prep: prep.clone(),
            stop: Mutex::new(false),
            stop_cv: Condvar::new(),
            dir_lock: Mutex::new(Some(dir_lock)),
            opts,
        });
        let syncer = match durability {
            Durability::Interval(every) => {
                let s = shared.clone();
                Some(
                    std::thread::Builder::new()
                        .name("wal-syncer".into())
                        .spawn(move || interval_syncer(&s, every))
                        .map_err(|e| WalError::io("spawn", "wal-syncer", e))?,
                )
            }
            _ => None,
        };
        prep.start();
        Ok((
            Wal {
                shared,
                syncer: Mutex::new(syncer),
                counters,
            },
            rec.report,
        ))
    }

    /// Appends one record under the log's durability policy.
    pub fn append(&self, record: &[u8]) -> Result<Seq> {
        Ok(self
            .append_with(&[record], self.shared.opts.durability)?
            .start)
    }

    /// Appends records as one write (and, under `Always`, one shared sync).
    pub fn append_batch(&self, records: &[&[u8]]) -> Result<SeqRange> {
        self.append_with(records, self.shared.opts.durability)
    }

    /// Appends records with a per-call durability. `Interval` behaves as `Never` for this call
    /// (the background syncer, if the log has one, covers it).
    pub fn append_with(&self, records: &[&[u8]], durability: Durability) -> Result<SeqRange> {
        self.append_reserving(records, durability, 0)
    }

    /// [`Self::append_with`], rolling to a new segment first unless `reserve` bytes stay free in
    /// the active segment after these records (at most a quarter of the segment target).
    ///
    /// For bulk data (the engine's publishes): when the disk is full the roll fails with
    /// [`WalError::NoSpace`] *without* poisoning the log (nothing was written), and appends made
    /// without a reserve (acknowledgements, checkpoints) still fit in the active segment, so the
    /// log keeps settling events and reclaiming space until writes can resume.
    pub fn append_reserving(
        &self,
        records: &[&[u8]],
        durability: Durability,
        reserve: u64,
    ) -> Result<SeqRange> {
        let s = &self.shared;
        s.reap_pending()?;
        let range = s.write_records(records, reserve)?;
        if durability == Durability::Always {
            s.unsynced_calls.fetch_add(1, Ordering::AcqRel);
            s.sync_until(range.end.0)?;
        }
        Ok(range)
    }

    /// Makes everything appended so far durable.
    pub fn sync(&self) -> Result<()> {
        self.shared.sync_written()
    }

    /// Makes every record before `end` (exclusive) durable: a caller that appended up to `end`
    /// waits only for a sync that covers its own records, not for one that also covers what
    /// others appended after it (group commit then needs fewer rounds per caller).
    pub fn sync_to(&self, end: Seq) -> Result<()> {
        self.shared.check_writable()?;
        let end = end.0.min(self.shared.written_end.load(Ordering::Acquire));
        self.shared.sync_until(end)
    }

    /// The sequence number the next append will get.
    pub fn next_seq(&self) -> Seq {
        Seq(self.shared.written_end.load(Ordering::Acquire))
    }

    /// The highest sequence number known durable (`Seq::NONE` if none).
    pub fn durable_seq(&self) -> Seq {
        Seq(self
            .shared
            .durable_end
            .load(Ordering::Acquire)
            .saturating_sub(1))
    }

    /// The oldest sequence number in the log (equals `next_seq` when the log is empty).
    pub fn first_seq(&self) -> Seq {
        Seq(self.shared.first_seq.load(Ordering::Acquire))
    }

    /// Reads one record. Records not yet visible (see [`crate`] docs) are `NotFound`.
    pub fn read(&self, seq: Seq) -> Result<RecordBytes> {
        self.shared.read(seq.0)
    }

    /// Iterates from `seq` (clamped to `first_seq`) to the visible end.
    pub fn iter_from(&self, seq: Seq) -> WalIter {
        let first = self.shared.first_seq.load(Ordering::Acquire);
        WalIter {
            shared: self.shared.clone(),
            next: seq.0.max(first).max(1),
            seg: None,
            done: false,
        }
    }

    /// Drops every segment whose records are all below `seq` (never the active segment).
    pub fn purge_before(&self, seq: Seq) -> Result<PurgeReport> {
        self.shared.purge_before(seq.0)
    }

    /// The live segments, oldest first.
    pub fn segments(&self) -> Vec<SegmentInfo> {
        self.shared
            .segs
            .read()
            .iter()
            .map(|s| SegmentInfo {
                id: s.id,
                seqs: SeqRange {
                    start: Seq(s.base),
                    end: Seq(s.end()),
                },
                bytes: s.used.load(Ordering::Acquire),
                sealed: s.sealed.load(Ordering::Acquire),
                path: s.path.clone(),
            })
            .collect()
    }

    /// Syncs, writes a close marker whose sync floor covers the whole log (so that after a clean
    /// shutdown any damaged byte is detected as corruption), syncs again, and stops the
    /// background syncer. Later calls return `Closed`. The directory lock is released here
    /// (unless a purged segment still waits for a reader: then when the last reader lets go), so
    /// the log can be reopened while this handle lives. Dropping a `Wal` without `close` is
    /// like a process crash: nothing acknowledged is lost, but no marker is written.
    pub fn close(&self) -> Result<()> {
        let s = &self.shared;
        self.stop_syncer();
        if s.closed.load(Ordering::Acquire) {
            return Ok(());
        }
        {
            let mut w = s.writer.lock();
            let w = &mut *w;
            if s.closed.load(Ordering::Acquire) {
                return Ok(());
            }
            s.check_writable()?;
            // Under the writer lock, so no frame can slip in between: first make everything
            // written durable, then write the marker that claims it. (A marker written before
            // that sync could survive a power loss that drops an earlier unsynced frame, and
            // recovery would then report corruption below the watermark.)
            if let Err(e) = w.active.file.sync_data() {
                return Err(s.poison(WalError::io("sync_data", &w.active.path, e)));
            }
            w.synced_offset = w.offset;
            s.durable_end.fetch_max(w.next_seq, Ordering::AcqRel);
            let mut buf = Vec::new();
            let marker_bytes = frame::frame_bytes(0) as u64;
            let floor = frame::off32(w.offset + marker_bytes);
            frame::encode(
                &mut buf,
                FrameKind::Marker,
                w.active.id,
                w.next_seq,
                floor,
                &[],
            );
            if w.stale_tail {
                // The end mark of a recycled segment (writer.rs).
                buf.extend_from_slice(&[0; frame::FRAME_HEADER_BYTES]);
            }
            let r = w
                .active
                .file
                .write_all_at(&buf, w.offset)
                .and_then(|()| w.active.file.sync_data())
                .map_err(|e| WalError::io("close marker", &w.active.path, e));
            if let Err(e) = r {
                return Err(s.poison(e));
            }
            w.offset += marker_bytes;
            w.synced_offset = w.offset;
            w.active.used.store(w.offset, Ordering::Release);
            s.closed.store(true, Ordering::Release);
        }
        s.reap_pending()?;
        // Closed and nothing left to unlink: another open may have the directory now.
        if !s.pending_nonempty.load(Ordering::Acquire) {
            drop(s.dir_lock.lock().take());
        }
        Ok(())
    }

    fn stop_syncer(&self) {
        *self.shared.stop.lock() = true;
        self.shared.stop_cv.notify_all();
        if let Some(h) = self.syncer.lock().take() {
            let _ = h.join();
        }
        self.shared.prep.stop();
    }

    /// Syncs, writes and segment figures since open (see [`crate::stats`]). Cheap: atomic
    /// loads plus one `fstat` per live segment.
    pub fn stats(&self) -> WalStats {
        let mut stats = self.counters.snapshot();
        let segs = self.shared.segs.read();
        stats.segments = segs.len();
        for seg in segs.iter() {
            let used = seg.used.load(Ordering::Acquire);
            stats.segment_bytes_used += used;
            stats.segment_bytes_on_disk += seg.file.len().unwrap_or(used);
        }
        stats
    }

    /// Is the log poisoned by an earlier write or sync error?
    pub fn is_poisoned(&self) -> bool {
        self.shared.poisoned.load(Ordering::Acquire)
    }
}

impl Drop for Wal {
    fn drop(&mut self) {
        self.stop_syncer();
    }
}
