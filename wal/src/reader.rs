//! Reads: random access by sequence number and iteration.
//!
//! A sealed segment is read through its shared mapping (zero copy); the active segment with
//! positioned reads into an owned buffer. Every read re-verifies the frame (checksum, kind,
//! sequence number, maximum record size), so a bit flip after open is reported, never returned.
//! Readers see only sequence numbers below [`crate::watermarks::Watermarks::visible_end`].

use std::sync::Arc;
use std::sync::atomic::Ordering;

use crate::error::{Result, WalError};
use crate::frame::{self, FRAME_HEADER_BYTES, u32_at};
use crate::live_segment::{LOST, Segment};
use crate::state::Shared;
use crate::types::{RecordBytes, Repr, Seq};

/// Reads one record (`Wal::read`).
pub(crate) fn read(shared: &Shared, seq: u64) -> Result<RecordBytes> {
    let marks = shared.marks();
    if seq == 0 || seq >= marks.visible_end() {
        return Err(WalError::NotFound {
            seq,
            reason: "not yet written or not yet durable",
        });
    }
    if seq < marks.first_seq() {
        return Err(WalError::NotFound {
            seq,
            reason: "purged",
        });
    }
    let seg = shared.segs().segment_for(seq).ok_or(WalError::NotFound {
        seq,
        reason: "purged",
    })?;
    read_in(shared, &seg, seq)
}

/// Reads `seq` from `seg`.
pub(crate) fn read_in(shared: &Shared, seg: &Segment, seq: u64) -> Result<RecordBytes> {
    let max = shared.opts().record_bytes_max;
    // The frame's offset, and the next frame's (which bounds this one, so an active-segment read
    // takes one positioned read instead of two).
    let (off, next_off) = {
        let index = seg.index.read();
        let i = usize::try_from(seq - seg.base).unwrap_or(usize::MAX);
        let off = *index.get(i).ok_or(WalError::NotFound {
            seq,
            reason: "not in segment",
        })?;
        (off, index.get(i + 1).copied())
    };
    if off == LOST {
        return Err(WalError::NotFound {
            seq,
            reason: "lost to corruption (salvaged)",
        });
    }
    let off = off as usize;
    let corrupt = |e: WalError| match e {
        WalError::Corrupt { reason, .. } => WalError::corrupt(seg.name(), off as u64, reason),
        other => other,
    };
    if seg.sealed.load(Ordering::Acquire) {
        let map = seg.mapped()?;
        let bytes: &[u8] = (*map).as_ref();
        let frame_buf = bytes
            .get(off..)
            .ok_or_else(|| WalError::corrupt(seg.name(), off as u64, "offset past end"))?;
        let r = frame::decode_record(frame_buf, seg.id, seq, max).map_err(corrupt)?;
        let range = off + r.start..off + r.end;
        shared
            .segs()
            .note_mapped_read(frame::frame_bytes(r.end - r.start));
        return Ok(RecordBytes(Repr::Mapped(map, range)));
    }
    if let Some(next_off) = next_off.filter(|&next| next != LOST && next as usize > off) {
        // Frames are contiguous: this one is exactly `next_off - off` bytes. Anything else (a
        // wrong length in the header) fails decode's checks below like any corruption.
        let len = next_off as usize - off;
        if len <= frame::frame_bytes(max as usize) {
            let mut buf = vec![0u8; len];
            seg.file
                .read_exact_at(&mut buf, off as u64)
                .map_err(|e| WalError::io("read", &seg.path, e))?;
            let r = frame::decode_record(&buf, seg.id, seq, max).map_err(corrupt)?;
            return Ok(RecordBytes(Repr::Owned(buf, r)));
        }
    }
    let mut header = [0u8; FRAME_HEADER_BYTES];
    seg.file
        .read_exact_at(&mut header, off as u64)
        .map_err(|e| WalError::io("read", &seg.path, e))?;
    let len = u32_at(&header, 0);
    if len > max {
        return Err(WalError::corrupt(
            seg.name(),
            off as u64,
            "record length exceeds record_bytes_max",
        ));
    }
    let mut buf = vec![0u8; frame::frame_bytes(len as usize)];
    buf[..FRAME_HEADER_BYTES].copy_from_slice(&header);
    seg.file
        .read_exact_at(
            &mut buf[FRAME_HEADER_BYTES..],
            (off + FRAME_HEADER_BYTES) as u64,
        )
        .map_err(|e| WalError::io("read", &seg.path, e))?;
    let r = frame::decode_record(&buf, seg.id, seq, max).map_err(corrupt)?;
    Ok(RecordBytes(Repr::Owned(buf, r)))
}

/// Iterator returned by [`crate::Wal::iter_from`]: yields `(seq, bytes)` in order up to the
/// visible watermark as of each step; skips nothing silently (salvage holes and purged records
/// yield an error).
#[derive(Debug)]
pub struct WalIter {
    /// The log.
    shared: Arc<Shared>,
    /// The next sequence number to yield.
    next: u64,
    /// The segment of the last read (the next one is usually in it too).
    seg: Option<Arc<Segment>>,
    /// An error ended the iteration.
    done: bool,
    /// Read up to the written end, records not yet durable included ([`crate::Wal::iter_written_from`]),
    /// instead of the visible end.
    written: bool,
}

impl WalIter {
    /// Iterates from `seq` (clamped to the log's first sequence number) to the visible end, or
    /// with `written` to the written end.
    pub(crate) fn new(shared: Arc<Shared>, seq: u64, written: bool) -> WalIter {
        let first = shared.marks().first_seq();
        WalIter {
            shared,
            next: seq.max(first).max(1),
            seg: None,
            done: false,
            written,
        }
    }

    fn end(&self) -> u64 {
        let marks = self.shared.marks();
        if self.written {
            marks.written_end()
        } else {
            marks.visible_end()
        }
    }
}

impl Iterator for WalIter {
    type Item = Result<(Seq, RecordBytes)>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done || self.next >= self.end() {
            return None;
        }
        let seq = self.next;
        if seq < self.shared.marks().first_seq() && self.seg.as_ref().is_none_or(|s| seq < s.base) {
            self.done = true;
            return Some(Err(WalError::NotFound {
                seq,
                reason: "purged",
            }));
        }
        let fits = self
            .seg
            .as_ref()
            .is_some_and(|s| seq >= s.base && seq < s.end());
        if !fits {
            self.seg = self.shared.segs().segment_for(seq);
        }
        let Some(seg) = self.seg.as_ref() else {
            self.done = true;
            return Some(Err(WalError::NotFound {
                seq,
                reason: "purged",
            }));
        };
        self.next += 1;
        match read_in(&self.shared, seg, seq) {
            Ok(b) => Some(Ok((Seq(seq), b))),
            Err(e) => {
                if !matches!(e, WalError::NotFound { .. }) {
                    self.done = true;
                }
                Some(Err(e))
            }
        }
    }
}
