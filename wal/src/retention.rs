//! Retention: dropping whole segments below a sequence number.
//!
//! Order: (1) write the new low watermark to `wal.meta` (atomic replace, durable), (2) remove
//! the segments from the live list, (3) unlink each file no reader holds, or, for one of them,
//! recycle it: rename it to `wal.spare.tmp` ([`crate::prepare::Preparer::offer`]: recycling on,
//! no spare waiting or being prepared, file exactly one segment target long), (4) `fsync` the
//! directory. Files still held (an iterator or a `RecordBytes` keeps a segment or its mapping)
//! wait on a pending list and are unlinked (or recycled) by a later `purge_before`, append or
//! `close` once the last reader lets go; `Drop` does no I/O. A held file is never recycled:
//! the next roll overwrites a recycled file, and a reader's mapping must keep its bytes.
//!
//! Crash safety of recycling: the rename comes after `wal.meta` is durable, so the file is
//! dead by the rules whatever name a crash leaves it under: below the low watermark under its
//! old name (`PurgedSegmentLeft`: unlinked by recovery), or `wal.spare.tmp`
//! (`LeftoverTmpFile`: unlinked). After a crash, files below the low watermark are unlinked by
//! recovery.

use crate::error::{Result, WalError};
use crate::live_segments::Disposal;
use crate::segment::Meta;
use crate::state::Shared;
use crate::types::{PurgeReport, Seq};
use crate::writer::write_meta;

/// Drops every segment whose records are all below `seq` (`Wal::purge_before`).
pub(crate) fn purge_before(shared: &Shared, seq: u64) -> Result<PurgeReport> {
    let w = shared.writer().lock();
    shared.life().check_writable()?;
    let segs = shared.segs();
    let marks = shared.marks();
    // A segment may go when its successor starts at or below `seq`; never the active one.
    let purge = segs.purgeable(seq);
    let mut report = PurgeReport {
        first_seq: Seq(marks.first_seq()),
        ..PurgeReport::default()
    };
    if purge.is_empty() {
        drop(w);
        reap_pending(shared)?;
        return Ok(report);
    }
    let first = segs.nth(purge.len());
    let meta = Meta {
        log_id: shared.log_id(),
        first_segment_id: first.id,
        first_seq: first.base,
    };
    write_meta(shared.vfs(), shared.dir(), &meta).map_err(|e| shared.poison(e))?;
    failpoint!("wal::retention::after_meta_before_unlink");
    segs.purge_prefix(purge.len());
    shared.prep().note_purge();
    marks.set_first_seq(first.base);
    drop(w);
    report.segments_purged = purge.len();
    report.first_seq = Seq(first.base);
    segs.defer(purge);
    let (unlinked, recycled, deferred) = reap_pending_counts(shared)?;
    report.files_unlinked = unlinked;
    report.files_recycled = recycled;
    report.files_deferred = deferred;
    Ok(report)
}

/// Unlinks pending files that no reader holds.
pub(crate) fn reap_pending(shared: &Shared) -> Result<()> {
    if shared.segs().has_pending() {
        reap_pending_counts(shared)?;
    }
    Ok(())
}

/// Unlinks (or recycles) pending files that no reader holds; returns (unlinked, recycled,
/// still deferred).
fn reap_pending_counts(shared: &Shared) -> Result<(usize, usize, usize)> {
    let prep = shared.prep();
    let vfs = shared.vfs();
    let dir = shared.dir();
    // Lock order: `prep.files` before `pending`. A closing log recycles nothing (a spare is
    // removed at the next open anyway).
    let mut files = (prep.recycles() && !shared.life().is_closed()).then(|| prep.files());
    let reaped = shared.segs().reap(|seg| {
        if let Some(files) = files.as_deref_mut()
            && prep.offer(files, &seg.file, &seg.path)?
        {
            return Ok(Disposal::Recycled);
        }
        vfs.remove(&seg.path)
            .map_err(|e| WalError::io("remove", &seg.path, e))?;
        Ok(Disposal::Unlinked)
    });
    drop(files);
    if reaped.unlinked + reaped.recycled > 0 {
        failpoint!("wal::retention::after_unlink_before_dir_sync");
        vfs.sync_dir(dir)
            .map_err(|e| WalError::io("sync_dir", dir, e))?;
    }
    match reaped.error {
        Some(e) => Err(e),
        None => Ok((reaped.unlinked, reaped.recycled, reaped.deferred)),
    }
}
