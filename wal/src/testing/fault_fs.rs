//! [`FaultFs`]: wraps a [`Vfs`] and fails operation number N (every operation counts, reads
//! included) with EIO or ENOSPC, once (transient) or from N on (persistent), as `SQLite`'s
//! `ioerr` tests do.

use std::io;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use crate::vfs::{DirLockGuard, FileHandle, MappedBytes, Vfs, VfsFile};

/// Which error to inject.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultKind {
    /// EIO.
    Eio,
    /// ENOSPC.
    NoSpace,
}

#[derive(Debug)]
struct Counter {
    ops: AtomicU64,
    fail_at: AtomicU64,
    persistent: AtomicBool,
    kind: FaultKind,
    injected: AtomicU64,
    syncs: AtomicU64,
}

impl Counter {
    fn tick(&self, what: &str) -> io::Result<()> {
        let n = self.ops.fetch_add(1, Ordering::SeqCst) + 1;
        let at = self.fail_at.load(Ordering::SeqCst);
        let fire = if self.persistent.load(Ordering::SeqCst) {
            n >= at
        } else {
            n == at
        };
        if fire {
            self.injected.fetch_add(1, Ordering::SeqCst);
            let errno = match self.kind {
                FaultKind::Eio => 5,
                FaultKind::NoSpace => 28,
            };
            let _ = what;
            return Err(io::Error::from_raw_os_error(errno));
        }
        Ok(())
    }
}

/// A fault-injecting wrapper.
#[derive(Debug, Clone)]
pub struct FaultFs {
    inner: Arc<dyn Vfs>,
    counter: Arc<Counter>,
}

impl FaultFs {
    /// Fails operation `fail_at` (1-based; `u64::MAX` = never) of `inner`.
    pub fn new(inner: Arc<dyn Vfs>, fail_at: u64, persistent: bool, kind: FaultKind) -> FaultFs {
        FaultFs {
            inner,
            counter: Arc::new(Counter {
                ops: AtomicU64::new(0),
                fail_at: AtomicU64::new(fail_at),
                persistent: AtomicBool::new(persistent),
                kind,
                injected: AtomicU64::new(0),
                syncs: AtomicU64::new(0),
            }),
        }
    }

    /// Operations counted so far.
    pub fn ops(&self) -> u64 {
        self.counter.ops.load(Ordering::SeqCst)
    }

    /// `sync_data` calls so far.
    pub fn syncs(&self) -> u64 {
        self.counter.syncs.load(Ordering::SeqCst)
    }

    /// Errors injected so far.
    pub fn injected(&self) -> u64 {
        self.counter.injected.load(Ordering::SeqCst)
    }

    /// Fails operation `at` (counted from the start) from now on.
    pub fn arm_at(&self, at: u64) {
        self.counter.fail_at.store(at, Ordering::SeqCst);
    }

    /// Stops injecting.
    pub fn disarm(&self) {
        self.counter.fail_at.store(u64::MAX, Ordering::SeqCst);
        self.counter.persistent.store(false, Ordering::SeqCst);
    }
}

impl Vfs for FaultFs {
    fn create_dir_all(&self, dir: &Path) -> io::Result<()> {
        self.counter.tick("create_dir_all")?;
        self.inner.create_dir_all(dir)
    }

    /// Not a fault point: locking touches no data.
    fn lock_dir(&self, dir: &Path) -> io::Result<DirLockGuard> {
        self.inner.lock_dir(dir)
    }
    fn list(&self, dir: &Path) -> io::Result<Vec<String>> {
        self.counter.tick("list")?;
        self.inner.list(dir)
    }
    fn open(&self, path: &Path) -> io::Result<FileHandle> {
        self.counter.tick("open")?;
        let inner = self.inner.open(path)?;
        Ok(Arc::new(FaultFile {
            inner,
            counter: self.counter.clone(),
        }))
    }
    fn create(&self, path: &Path) -> io::Result<FileHandle> {
        self.counter.tick("create")?;
        let inner = self.inner.create(path)?;
        Ok(Arc::new(FaultFile {
            inner,
            counter: self.counter.clone(),
        }))
    }
    fn remove(&self, path: &Path) -> io::Result<()> {
        self.counter.tick("remove")?;
        self.inner.remove(path)
    }
    fn rename(&self, from: &Path, to: &Path) -> io::Result<()> {
        self.counter.tick("rename")?;
        self.inner.rename(from, to)
    }
    fn sync_dir(&self, dir: &Path) -> io::Result<()> {
        self.counter.tick("sync_dir")?;
        self.inner.sync_dir(dir)
    }
}

#[derive(Debug)]
struct FaultFile {
    inner: FileHandle,
    counter: Arc<Counter>,
}

impl VfsFile for FaultFile {
    fn read_exact_at(&self, buf: &mut [u8], offset: u64) -> io::Result<()> {
        self.counter.tick("read")?;
        self.inner.read_exact_at(buf, offset)
    }
    fn write_all_at(&self, buf: &[u8], offset: u64) -> io::Result<()> {
        self.counter.tick("write")?;
        self.inner.write_all_at(buf, offset)
    }
    fn len(&self) -> io::Result<u64> {
        self.counter.tick("len")?;
        self.inner.len()
    }
    fn allocate(&self, len: u64) -> io::Result<()> {
        self.counter.tick("allocate")?;
        self.inner.allocate(len)
    }
    fn sync_data(&self) -> io::Result<()> {
        self.counter.tick("sync_data")?;
        self.counter.syncs.fetch_add(1, Ordering::SeqCst);
        self.inner.sync_data()
    }
    fn sync_all(&self) -> io::Result<()> {
        self.counter.tick("sync_all")?;
        self.inner.sync_all()
    }
    fn map(&self) -> io::Result<MappedBytes> {
        self.counter.tick("map")?;
        self.inner.map()
    }
    /// Not a fault point: a hint cannot fail.
    fn advise_sequential(&self) {
        self.inner.advise_sequential();
    }
}
