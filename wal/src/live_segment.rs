//! [`Segment`]: one live segment file, its in-memory index and its mapping once sealed.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64};
use std::sync::{Arc, OnceLock};

use parking_lot::RwLock;

use crate::error::{Result, WalError};
use crate::vfs::{FileHandle, MappedBytes};

/// Index sentinel for a sequence number lost in salvage.
pub(crate) const LOST: u32 = u32::MAX;

/// One live segment.
pub(crate) struct Segment {
    /// Segment id (from its header).
    pub id: u64,
    /// Sequence number of its first record.
    pub base: u64,
    /// Path of the segment file.
    pub path: PathBuf,
    /// The open segment file.
    pub file: FileHandle,
    /// In-segment offset of the frame of `base + i`; `LOST` for salvage holes.
    /// Memory cost: 4 bytes per record (0.4% of a log of 1 KiB records).
    pub index: RwLock<Vec<u32>>,
    /// Set once the seal frame is durable; from then on the file is immutable and mapped.
    pub sealed: AtomicBool,
    /// Bytes used (header + frames), for `segments()`.
    pub used: AtomicU64,
    /// The mapping of the sealed file, created on first read ([`Segment::mapped`]).
    pub map: OnceLock<MappedBytes>,
}

impl std::fmt::Debug for Segment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Segment")
            .field("id", &self.id)
            .field("base", &self.base)
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl Segment {
    /// A live segment whose frames start at the in-segment offsets of `index`.
    pub fn new(
        id: u64,
        base: u64,
        path: PathBuf,
        file: FileHandle,
        index: Vec<u32>,
        used: u64,
    ) -> Segment {
        Segment {
            id,
            base,
            path,
            file,
            index: RwLock::new(index),
            sealed: AtomicBool::new(false),
            used: AtomicU64::new(used),
            map: OnceLock::new(),
        }
    }

    /// The file name of the segment (for error messages).
    pub fn name(&self) -> String {
        self.path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    }

    /// One past the last sequence number written in this segment.
    pub fn end(&self) -> u64 {
        self.base + self.index.read().len() as u64
    }

    /// Is some reader holding this segment or its mapping?
    pub fn is_held(self: &Arc<Self>) -> bool {
        Arc::strong_count(self) > 1 || self.map.get().is_some_and(|m| Arc::strong_count(m) > 1)
    }

    /// The mapping of a sealed segment, created on first use.
    pub fn mapped(&self) -> Result<MappedBytes> {
        if let Some(m) = self.map.get() {
            return Ok(m.clone());
        }
        let m = self
            .file
            .map()
            .map_err(|e| WalError::io("mmap", &self.path, e))?;
        Ok(self.map.get_or_init(|| m).clone())
    }
}
