//! [`Shared`]: the state behind a [`crate::Wal`], made of parts that each own their fields: the
//! writer, the live segments ([`LiveSegments`]), the watermarks ([`Watermarks`]), group commit
//! ([`GroupCommit`]), the lifecycle ([`Lifecycle`]) and the preparer ([`Preparer`]). The
//! operations that span parts are free functions in the files of their concern: append and
//! roll in writer.rs, reads in reader.rs, syncs in commit.rs, retention in retention.rs, close
//! in wal.rs.
//!
//! Lock order (never take them the other way round): `writer` (here) → `prep.files`
//! (prepare.rs) → the live segment list → a segment's `index` → `pending` (both
//! `live_segments.rs`); the spare thread takes only `prep.files`. Group commit's `sync`
//! (commit.rs) is never held while taking `writer`: the sync leader releases it before doing
//! I/O and taking `writer`. The lifecycle's `stop` and `dir_lock` are leaves.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use parking_lot::Mutex;

use crate::commit::GroupCommit;
use crate::error::WalError;
use crate::lifecycle::Lifecycle;
use crate::live_segments::LiveSegments;
use crate::options::WalOptions;
use crate::prepare::Preparer;
use crate::vfs::Vfs;
use crate::watermarks::Watermarks;
use crate::writer::Writer;

/// The shared state of one open log.
#[derive(Debug)]
pub(crate) struct Shared {
    /// The file system (wrapped in the observing `Vfs` of stats.rs).
    vfs: Arc<dyn Vfs>,
    /// The log's directory.
    dir: PathBuf,
    /// The options the log was opened with.
    opts: WalOptions,
    /// The log's identity, in every file header.
    log_id: u64,
    /// Writer-side state; serializes appends, rolls, purges and close.
    writer: Mutex<Writer>,
    /// The live segments and the purged ones waiting for readers.
    segs: LiveSegments,
    /// Written, durable and first sequence numbers.
    marks: Watermarks,
    /// Group-commit coordination.
    commit: GroupCommit,
    /// Closed, poisoned, the syncer's stop signal, the directory lock.
    life: Lifecycle,
    /// Prepares file space ahead of the writer: chunks of the active segment, the spare.
    prep: Arc<Preparer>,
}

/// The parts [`Shared::new`] assembles (all but group commit, which starts idle).
pub(crate) struct Parts {
    /// See [`Shared`]'s fields.
    pub vfs: Arc<dyn Vfs>,
    /// See [`Shared`]'s fields.
    pub dir: PathBuf,
    /// See [`Shared`]'s fields.
    pub opts: WalOptions,
    /// See [`Shared`]'s fields.
    pub log_id: u64,
    /// See [`Shared`]'s fields.
    pub writer: Writer,
    /// See [`Shared`]'s fields.
    pub segs: LiveSegments,
    /// See [`Shared`]'s fields.
    pub marks: Watermarks,
    /// See [`Shared`]'s fields.
    pub life: Lifecycle,
    /// See [`Shared`]'s fields.
    pub prep: Arc<Preparer>,
}

impl Shared {
    /// Assembles the state of a recovered log.
    pub fn new(parts: Parts) -> Shared {
        let Parts {
            vfs,
            dir,
            opts,
            log_id,
            writer,
            segs,
            marks,
            life,
            prep,
        } = parts;
        Shared {
            vfs,
            dir,
            opts,
            log_id,
            writer: Mutex::new(writer),
            segs,
            marks,
            commit: GroupCommit::default(),
            life,
            prep,
        }
    }

    /// The file system.
    pub fn vfs(&self) -> &dyn Vfs {
        &*self.vfs
    }

    /// The log's directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The path of `name` in the log's directory.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// The options the log was opened with.
    pub fn opts(&self) -> &WalOptions {
        &self.opts
    }

    /// The log's identity.
    pub fn log_id(&self) -> u64 {
        self.log_id
    }

    /// The writer lock (the first lock of the order).
    pub fn writer(&self) -> &Mutex<Writer> {
        &self.writer
    }

    /// The live segments.
    pub fn segs(&self) -> &LiveSegments {
        &self.segs
    }

    /// The watermarks.
    pub fn marks(&self) -> &Watermarks {
        &self.marks
    }

    /// Group commit.
    pub fn commit(&self) -> &GroupCommit {
        &self.commit
    }

    /// The lifecycle flags and the directory lock.
    pub fn life(&self) -> &Lifecycle {
        &self.life
    }

    /// The preparer.
    pub fn prep(&self) -> &Preparer {
        &self.prep
    }

    /// Marks the log poisoned and passes the error through.
    pub fn poison(&self, e: WalError) -> WalError {
        self.life.set_poisoned();
        // Wake every group-commit follower so it sees the poison instead of waiting.
        self.commit.wake_all();
        e
    }
}
