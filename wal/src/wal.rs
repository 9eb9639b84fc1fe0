//! [`Wal`]: the public handle. Thin: each method delegates to the module that owns the concern.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::thread::JoinHandle;

use parking_lot::Mutex;

use crate::commit::{interval_syncer, sync_until, sync_written};
use crate::error::{Result, WalError};
use crate::frame::{self, FrameKind};
use crate::lifecycle::Lifecycle;
use crate::live_segments::LiveSegments;
use crate::options::{Durability, WalOptions};
use crate::prepare::Preparer;
use crate::reader::{self, WalIter};
use crate::recovery::recover;
use crate::retention::{purge_before, reap_pending};
use crate::state::{Parts, Shared};
use crate::stats::{Counters, ObservedVfs, WalStats};
use crate::types::{PurgeReport, RecordBytes, RecoveryReport, SegmentInfo, Seq, SeqRange};
use crate::vfs::Vfs;
use crate::vfs_std::StdVfs;
use crate::watermarks::Watermarks;
use crate::writer::{Writer, write_records};

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
        let shared = Arc::new(Shared::new(Parts {
            vfs,
            dir,
            log_id: rec.log_id,
            writer: Writer {
                active,
                offset: rec.offset,
                synced_offset: rec.synced_offset,
                next_seq: rec.next_seq,
                buf: Vec::new(),
                stale_tail: false,
            },
            segs: LiveSegments::new(rec.segments),
            marks: Watermarks::new(rec.next_seq, rec.first_seq, durability),
            life: Lifecycle::new(dir_lock),
            prep: prep.clone(),
            opts,
        }));
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
            .append_with(&[record], self.shared.opts().durability)?
            .start)
    }

    /// Appends records as one write (and, under `Always`, one shared sync).
    pub fn append_batch(&self, records: &[&[u8]]) -> Result<SeqRange> {
        self.append_with(records, self.shared.opts().durability)
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
        reap_pending(s)?;
        let range = write_records(s, records, reserve)?;
        if durability == Durability::Always {
            s.commit().note_append();
            sync_until(s, range.end.0)?;
        }
        Ok(range)
    }

    /// Makes everything appended so far durable.
    pub fn sync(&self) -> Result<()> {
        sync_written(&self.shared)
    }

    /// Makes every record before `end` (exclusive) durable: a caller that appended up to `end`
    /// waits only for a sync that covers its own records, not for one that also covers what
    /// others appended after it (group commit then needs fewer rounds per caller).
    pub fn sync_to(&self, end: Seq) -> Result<()> {
        self.shared.life().check_writable()?;
        let end = end.0.min(self.shared.marks().written_end());
        sync_until(&self.shared, end)
    }

    /// The sequence number the next append will get.
    pub fn next_seq(&self) -> Seq {
        Seq(self.shared.marks().written_end())
    }

    /// The highest sequence number known durable (`Seq::NONE` if none).
    pub fn durable_seq(&self) -> Seq {
        Seq(self.shared.marks().durable_end().saturating_sub(1))
    }

    /// The oldest sequence number in the log (equals `next_seq` when the log is empty).
    pub fn first_seq(&self) -> Seq {
        Seq(self.shared.marks().first_seq())
    }

    /// Reads one record. Records not yet visible (see [`crate`] docs) are `NotFound`.
    pub fn read(&self, seq: Seq) -> Result<RecordBytes> {
        reader::read(&self.shared, seq.0)
    }

    /// Iterates from `seq` (clamped to `first_seq`) to the visible end.
    pub fn iter_from(&self, seq: Seq) -> WalIter {
        WalIter::new(self.shared.clone(), seq.0, false)
    }

    /// Iterates from `seq` (clamped to `first_seq`) to the **written** end: records appended but
    /// not yet covered by a sync included. For rebuilding derived state from the log's tail under
    /// the caller's own serialization of appends (the engine recounts a subscription's backlog
    /// under its state lock without waiting for a sync there); what it returns must not be handed
    /// to a consumer before it is durable.
    pub fn iter_written_from(&self, seq: Seq) -> WalIter {
        WalIter::new(self.shared.clone(), seq.0, true)
    }

    /// Drops every segment whose records are all below `seq` (never the active segment).
    pub fn purge_before(&self, seq: Seq) -> Result<PurgeReport> {
        purge_before(&self.shared, seq.0)
    }

    /// The live segments, oldest first.
    pub fn segments(&self) -> Vec<SegmentInfo> {
        self.shared.segs().infos()
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
        if s.life().is_closed() {
            return Ok(());
        }
        {
            let mut w = s.writer().lock();
            let w = &mut *w;
            if s.life().is_closed() {
                return Ok(());
            }
            s.life().check_writable()?;
            // Under the writer lock, so no frame can slip in between: first make everything
            // written durable, then write the marker that claims it. (A marker written before
            // that sync could survive a power loss that drops an earlier unsynced frame, and
            // recovery would then report corruption below the watermark.)
            if let Err(e) = w.active.file.sync_data() {
                return Err(s.poison(WalError::io("sync_data", &w.active.path, e)));
            }
            w.synced_offset = w.offset;
            s.marks().advance_durable_end(w.next_seq);
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
            s.life().set_closed();
        }
        reap_pending(s)?;
        // Closed and nothing left to unlink: another open may have the directory now.
        if !s.segs().has_pending() {
            s.life().release_dir_lock();
        }
        Ok(())
    }

    fn stop_syncer(&self) {
        self.shared.life().request_stop();
        if let Some(h) = self.syncer.lock().take() {
            let _ = h.join();
        }
        self.shared.prep().stop();
    }

    /// Syncs, writes and segment figures since open (see [`crate::stats`]). Cheap: atomic
    /// loads plus one `fstat` per live segment.
    pub fn stats(&self) -> WalStats {
        let mut stats = self.counters.snapshot();
        self.shared.segs().fill_stats(&mut stats);
        stats
    }

    /// Is the log poisoned by an earlier write or sync error?
    pub fn is_poisoned(&self) -> bool {
        self.shared.life().is_poisoned()
    }
}

impl Drop for Wal {
    fn drop(&mut self) {
        self.stop_syncer();
    }
}
