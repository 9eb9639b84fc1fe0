//! The state index: a persisted checkpoint of derived state (subscriptions' cursors, in-flight
//! events and locks, metadata) plus the WAL position it covers, so an open replays only the WAL
//! tail. It is derived state: whatever is wrong with it, the WAL rebuilds it (docs/delivery.md §5).
//!
//! The engine stores one opaque blob ([`IndexCheckpoint`] encoded); backends only keep bytes.
//! sled is used only in this module.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use parking_lot::Mutex;
use serde::{Deserialize, Serialize};

mod error;

pub use error::IndexError;

/// Where the derived-state checkpoint is kept.
pub trait StateIndex: Send + Sync + std::fmt::Debug {
    /// The stored blob, if any. An error means the index is unreadable (corrupt).
    fn load(&self) -> Result<Option<Vec<u8>>, IndexError>;
    /// Replaces the stored blob, durably.
    fn store(&self, blob: &[u8]) -> Result<(), IndexError>;
    /// Forgets the stored blob, durably.
    fn clear(&self) -> Result<(), IndexError>;
    /// Flushes and releases the backend (its files stay); later calls fail with
    /// [`IndexError::Closed`]. Closing twice is harmless.
    fn close(&self) -> Result<(), IndexError>;
}

/// What the engine stores in the index.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexCheckpoint {
    /// Layout version of this blob (1).
    pub version: u32,
    /// The WAL seq the snapshot covers (every record ≤ it is applied).
    pub covered_seq: u64,
    /// CRC-32 of the WAL record at `covered_seq` (detects a different or rewritten log).
    pub fingerprint: u32,
    /// The namespace secret's CRC-32 (identity of the namespace the WAL belongs to).
    pub identity: u32,
    /// `Snapshot::encode`: self-describing by its version byte (docs/format.md §6b.1), so this
    /// blob's `version` stays 1.
    pub snapshot: Vec<u8>,
    /// CRC-32 of `snapshot` (the backend's own checks are not relied upon).
    pub snapshot_crc: u32,
}

/// An index kept in memory only (every open rebuilds from the WAL). Cloning shares the storage,
/// so tests can reopen a namespace with the same memory index.
#[derive(Clone, Debug, Default)]
pub struct MemoryIndex {
    blob: Arc<Mutex<Option<Vec<u8>>>>,
}

impl StateIndex for MemoryIndex {
    fn load(&self) -> Result<Option<Vec<u8>>, IndexError> {
        Ok(self.blob.lock().clone())
    }

    fn store(&self, blob: &[u8]) -> Result<(), IndexError> {
        *self.blob.lock() = Some(blob.to_vec());
        Ok(())
    }

    fn clear(&self) -> Result<(), IndexError> {
        *self.blob.lock() = None;
        Ok(())
    }

    /// The memory stays (clones share it, so a test can reopen a namespace over it).
    fn close(&self) -> Result<(), IndexError> {
        Ok(())
    }
}

const CHECKPOINT_KEY: &[u8] = b"checkpoint";
/// sled's page cache: the index holds one blob, read once per open.
const SLED_CACHE_BYTES: u64 = 1 << 20;

/// The sled-backed index (sled 0.34.7) in its own directory.
#[derive(Debug)]
pub struct SledIndex {
    dir: PathBuf,
    db: Mutex<Option<sled::Db>>,
}

impl SledIndex {
    /// Opens (or creates) the index in `dir`. A directory sled cannot open is reported as an
    /// error: the caller discards it ([`SledIndex::recreate`]) and rebuilds from the WAL.
    pub fn open(dir: &Path) -> Result<Self, IndexError> {
        let db = open_sled(dir)?;
        Ok(Self {
            dir: dir.to_path_buf(),
            db: Mutex::new(Some(db)),
        })
    }

    /// Deletes whatever is in `dir` and opens a fresh, empty index there.
    pub fn recreate(dir: &Path) -> Result<Self, IndexError> {
        match std::fs::remove_dir_all(dir) {
            Ok(()) => {}
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
            Err(source) => {
                return Err(IndexError::Remove {
                    path: dir.to_path_buf(),
                    source,
                });
            }
        }
        Self::open(dir)
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

fn sled_error(operation: &'static str) -> impl FnOnce(sled::Error) -> IndexError {
    move |source| IndexError::Sled { operation, source }
}

/// Runs a sled call, containing a panic (sled 0.34 may panic on some damaged files rather than
/// return an error: a damaged index must not take the process down, it is rebuilt from the WAL).
fn contained<T>(
    operation: &'static str,
    call: impl FnOnce() -> sled::Result<T>,
) -> Result<T, IndexError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(call))
        .map_err(|_| IndexError::Panicked { operation })?
        .map_err(sled_error(operation))
}

fn open_sled(dir: &Path) -> Result<sled::Db, IndexError> {
    let config = sled::Config::new()
        .path(dir)
        .cache_capacity(SLED_CACHE_BYTES)
        .mode(sled::Mode::LowSpace);
    contained("open", move || config.open())
}

impl StateIndex for SledIndex {
    fn load(&self) -> Result<Option<Vec<u8>>, IndexError> {
        let guard = self.db.lock();
        let db = guard.as_ref().ok_or(IndexError::Closed)?;
        let got = contained("get", || db.get(CHECKPOINT_KEY))?;
        Ok(got.map(|value| value.to_vec()))
    }

    fn store(&self, blob: &[u8]) -> Result<(), IndexError> {
        let guard = self.db.lock();
        let db = guard.as_ref().ok_or(IndexError::Closed)?;
        db.insert(CHECKPOINT_KEY, blob)
            .map_err(sled_error("insert"))?;
        failpoint!("engine::index::sled_after_insert_before_flush");
        db.flush().map_err(sled_error("flush"))?;
        Ok(())
    }

    fn clear(&self) -> Result<(), IndexError> {
        let guard = self.db.lock();
        let db = guard.as_ref().ok_or(IndexError::Closed)?;
        db.remove(CHECKPOINT_KEY).map_err(sled_error("remove"))?;
        db.flush().map_err(sled_error("flush"))?;
        Ok(())
    }

    fn close(&self) -> Result<(), IndexError> {
        if let Some(db) = self.db.lock().take() {
            db.flush().map_err(sled_error("flush"))?;
        }
        Ok(())
    }
}
