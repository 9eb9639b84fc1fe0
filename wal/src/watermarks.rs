//! [`Watermarks`]: how far the log is written, how far it is durable, where it starts, and so
//! how far readers may see.

use std::sync::atomic::{AtomicU64, Ordering};

use crate::options::Durability;

/// The log's sequence-number watermarks. Lock-free: every field is an atomic, published with
/// `Release` and read with `Acquire`.
#[derive(Debug)]
pub(crate) struct Watermarks {
    /// One past the last record fully written (page cache).
    written_end: AtomicU64,
    /// One past the last record covered by a successful `fdatasync`.
    durable_end: AtomicU64,
    /// Oldest live sequence number.
    first_seq: AtomicU64,
    /// The log's durability policy, which decides what readers see ([`Self::visible_end`]).
    durability: Durability,
}

impl Watermarks {
    /// Watermarks of a log recovered up to `next_seq` (all of it durable) from `first_seq`.
    pub fn new(next_seq: u64, first_seq: u64, durability: Durability) -> Watermarks {
        Watermarks {
            written_end: AtomicU64::new(next_seq),
            durable_end: AtomicU64::new(next_seq),
            first_seq: AtomicU64::new(first_seq),
            durability,
        }
    }

    /// One past the last record fully written.
    pub fn written_end(&self) -> u64 {
        self.written_end.load(Ordering::Acquire)
    }

    /// Publishes that every record before `end` is written (under the writer lock).
    pub fn set_written_end(&self, end: u64) {
        self.written_end.store(end, Ordering::Release);
    }

    /// One past the last record covered by a successful `fdatasync`.
    pub fn durable_end(&self) -> u64 {
        self.durable_end.load(Ordering::Acquire)
    }

    /// Publishes that every record before `end` is durable (never moves back); returns the
    /// previous durable watermark.
    pub fn advance_durable_end(&self, end: u64) -> u64 {
        self.durable_end.fetch_max(end, Ordering::AcqRel)
    }

    /// Oldest live sequence number.
    pub fn first_seq(&self) -> u64 {
        self.first_seq.load(Ordering::Acquire)
    }

    /// Publishes the new oldest live sequence number (retention, under the writer lock).
    pub fn set_first_seq(&self, seq: u64) {
        self.first_seq.store(seq, Ordering::Release);
    }

    /// One past the last record readers may see: the durable watermark under `Always`, the
    /// written watermark otherwise.
    pub fn visible_end(&self) -> u64 {
        match self.durability {
            Durability::Always => self.durable_end(),
            _ => self.written_end(),
        }
    }
}
