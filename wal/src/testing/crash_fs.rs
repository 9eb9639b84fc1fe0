//! [`CrashFs`]: an in-memory file system that records every mutating operation and can produce
//! the state a power loss at any point could leave, after `SQLite`'s `test6.c`.
//!
//! Model: each file (inode) has its durable bytes and a list of writes and size changes made
//! since its last `sync_data`/`sync_all`; the directory has its durable entries and the creates,
//! renames and unlinks made since the last `sync_dir`. At a crash, the durable state survives and
//! each pending operation is applied, dropped, torn or garbled according to an [`Outcome`]:
//! writes at 512-byte sector granularity, directory operations whole (each kept or dropped, in
//! order). Reads always see the live state.
//!
//! Assumption (as `SQLite`'s default "powersafe overwrite"): a torn or garbled write damages
//! only the bytes it was writing, never durable bytes elsewhere in the same sector.

use std::collections::{BTreeMap, BTreeSet};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use parking_lot::Mutex;

use super::rng::Rng;
use crate::vfs::{DirLockGuard, FileHandle, MappedBytes, Vfs, VfsFile};

/// Sector size of the tear model.
pub const SECTOR_BYTES: u64 = 512;

/// What happens to unsynced operations at a crash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Every pending write and directory operation lands.
    KeepAll,
    /// None lands.
    DropAll,
    /// Writes are lost but the file sizes they implied persist (zeros), directory ops random.
    ZeroExtend,
    /// Each 512-byte sector of each pending write lands or not; directory ops random.
    TornSectors,
    /// Each sector lands, is lost, or is filled with garbage; directory ops random.
    GarbleSectors,
    /// Each pending write independently gets one of the fates above.
    Mixed,
}

impl Outcome {
    /// All outcomes.
    pub const ALL: [Outcome; 6] = [
        Outcome::KeepAll,
        Outcome::DropAll,
        Outcome::ZeroExtend,
        Outcome::TornSectors,
        Outcome::GarbleSectors,
        Outcome::Mixed,
    ];
}

#[derive(Debug, Clone)]
enum Pending {
    Write { off: u64, data: Vec<u8> },
    Extend(u64),
}

#[derive(Debug, Clone, Default)]
struct Node {
    live: Vec<u8>,
    durable: Vec<u8>,
    pending: Vec<Pending>,
}

#[derive(Debug, Clone)]
enum DirOp {
    Link(PathBuf, usize),
    Unlink(PathBuf),
    Rename(PathBuf, PathBuf),
}

#[derive(Debug, Clone)]
enum Op {
    Create(PathBuf),
    Write(usize, u64, Vec<u8>),
    Extend(usize, u64),
    Sync(usize),
    Remove(PathBuf),
    Rename(PathBuf, PathBuf),
    SyncDir,
}

/// One recorded mutating operation, as [`CrashFs::trace`] lists them (crash point `k` is the
/// state after the first `k`). Files are numbered by creation (renames keep the number).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TraceOp {
    /// A file was created (or truncated by `create`) under this path.
    Create(PathBuf),
    /// `len` bytes written at `offset` of file `file`.
    Write {
        /// File number.
        file: usize,
        /// Where.
        offset: u64,
        /// How many bytes.
        len: u64,
    },
    /// `allocate`: file `file` extended to at least `len` bytes.
    Extend {
        /// File number.
        file: usize,
        /// The length asked for.
        len: u64,
    },
    /// `sync_data` or `sync_all` of file `file`.
    Sync(usize),
    /// An unlink.
    Remove(PathBuf),
    /// A rename.
    Rename(PathBuf, PathBuf),
    /// A directory sync.
    SyncDir,
}

impl From<&Op> for TraceOp {
    fn from(op: &Op) -> TraceOp {
        match op {
            Op::Create(p) => TraceOp::Create(p.clone()),
            Op::Write(file, offset, data) => TraceOp::Write {
                file: *file,
                offset: *offset,
                len: data.len() as u64,
            },
            Op::Extend(file, len) => TraceOp::Extend {
                file: *file,
                len: *len,
            },
            Op::Sync(file) => TraceOp::Sync(*file),
            Op::Remove(p) => TraceOp::Remove(p.clone()),
            Op::Rename(a, b) => TraceOp::Rename(a.clone(), b.clone()),
            Op::SyncDir => TraceOp::SyncDir,
        }
    }
}

#[derive(Debug, Clone, Default)]
struct Model {
    nodes: Vec<Node>,
    live_dir: BTreeMap<PathBuf, usize>,
    durable_dir: BTreeMap<PathBuf, usize>,
    pending_dir: Vec<DirOp>,
    dirs: BTreeSet<PathBuf>,
}

fn not_found(p: &Path) -> io::Error {
    io::Error::new(
        io::ErrorKind::NotFound,
        format!("{} not found", p.display()),
    )
}

impl Model {
    fn apply(&mut self, op: &Op) -> io::Result<()> {
        match op {
            Op::Create(p) => {
                let id = self.nodes.len();
                self.nodes.push(Node::default());
                self.live_dir.insert(p.clone(), id);
                self.pending_dir.push(DirOp::Link(p.clone(), id));
            }
            Op::Write(id, off, data) => {
                let n = &mut self.nodes[*id];
                let end = usize::try_from(*off).unwrap_or(usize::MAX) + data.len();
                if n.live.len() < end {
                    n.live.resize(end, 0);
                }
                n.live[end - data.len()..end].copy_from_slice(data);
                n.pending.push(Pending::Write {
                    off: *off,
                    data: data.clone(),
                });
            }
            Op::Extend(id, len) => {
                let n = &mut self.nodes[*id];
                let len = usize::try_from(*len).unwrap_or(usize::MAX);
                if n.live.len() < len {
                    n.live.resize(len, 0);
                }
                n.pending.push(Pending::Extend(len as u64));
            }
            Op::Sync(id) => {
                let n = &mut self.nodes[*id];
                n.durable.clone_from(&n.live);
                n.pending.clear();
            }
            Op::Remove(p) => {
                self.live_dir.remove(p).ok_or_else(|| not_found(p))?;
                self.pending_dir.push(DirOp::Unlink(p.clone()));
            }
            Op::Rename(from, to) => {
                let id = self.live_dir.remove(from).ok_or_else(|| not_found(from))?;
                self.live_dir.insert(to.clone(), id);
                self.pending_dir
                    .push(DirOp::Rename(from.clone(), to.clone()));
            }
            Op::SyncDir => {
                self.durable_dir.clone_from(&self.live_dir);
                self.pending_dir.clear();
            }
        }
        Ok(())
    }

    /// The state after a power loss now.
    fn crash(&self, outcome: Outcome, rng: &mut Rng) -> Model {
        let mut dir = self.durable_dir.clone();
        for op in &self.pending_dir {
            let keep = match outcome {
                Outcome::KeepAll => true,
                Outcome::DropAll => false,
                _ => rng.coin(),
            };
            if !keep {
                continue;
            }
            match op {
                DirOp::Link(p, id) => {
                    dir.insert(p.clone(), *id);
                }
                DirOp::Unlink(p) => {
                    dir.remove(p);
                }
                DirOp::Rename(from, to) => {
                    if let Some(id) = dir.remove(from) {
                        dir.insert(to.clone(), id);
                    }
                }
            }
        }
        let live: BTreeSet<usize> = dir.values().copied().collect();
        let mut nodes = Vec::with_capacity(self.nodes.len());
        for (id, n) in self.nodes.iter().enumerate() {
            if !live.contains(&id) {
                // Unreachable after the crash (unlinked or never linked): keep the slot only.
                nodes.push(Node::default());
                continue;
            }
            let mut data = n.durable.clone();
            for p in &n.pending {
                let fate = match outcome {
                    Outcome::Mixed => Outcome::ALL[usize::try_from(rng.below(5)).unwrap_or(0)],
                    o => o,
                };
                match p {
                    Pending::Extend(len) => {
                        let len = usize::try_from(*len).unwrap_or(0);
                        if fate != Outcome::DropAll && data.len() < len {
                            data.resize(len, 0);
                        }
                    }
                    Pending::Write { off, data: w } => apply_write(&mut data, *off, w, fate, rng),
                }
            }
            nodes.push(Node {
                live: data.clone(),
                durable: data,
                pending: Vec::new(),
            });
        }
        Model {
            nodes,
            live_dir: dir.clone(),
            durable_dir: dir,
            pending_dir: Vec::new(),
            dirs: self.dirs.clone(),
        }
    }
}

fn apply_write(data: &mut Vec<u8>, off: u64, w: &[u8], fate: Outcome, rng: &mut Rng) {
    let start = usize::try_from(off).unwrap_or(usize::MAX);
    let end = start + w.len();
    match fate {
        Outcome::KeepAll => {
            if data.len() < end {
                data.resize(end, 0);
            }
            data[start..end].copy_from_slice(w);
        }
        Outcome::DropAll => {}
        Outcome::ZeroExtend => {
            if data.len() < end {
                data.resize(end, 0);
            }
        }
        Outcome::TornSectors | Outcome::GarbleSectors | Outcome::Mixed => {
            let sector = usize::try_from(SECTOR_BYTES).unwrap_or(512);
            let mut s = start - start % sector;
            while s < end {
                let a = s.max(start);
                let b = (s + sector).min(end);
                let choice = if fate == Outcome::TornSectors {
                    rng.below(2)
                } else {
                    rng.below(3)
                };
                match choice {
                    0 => {}
                    1 => {
                        if data.len() < b {
                            data.resize(b, 0);
                        }
                        data[a..b].copy_from_slice(&w[a - start..b - start]);
                    }
                    _ => {
                        // Garbage over the written part of the sector. Bytes outside the write
                        // keep their old value: we assume powersafe overwrite (SQLite's PSOW
                        // default), i.e. writing a sector never damages bytes nobody wrote.
                        if data.len() < b {
                            data.resize(b, 0);
                        }
                        rng.fill(&mut data[a..b]);
                    }
                }
                s += sector;
            }
        }
    }
}

#[derive(Debug, Default)]
struct State {
    model: Model,
    /// The model when this file system was created (the starting point for [`Replay`]).
    initial: Model,
    trace: Vec<Op>,
}

/// The crash-simulating in-memory file system. Cheap to clone (shared state).
#[derive(Debug, Clone, Default)]
pub struct CrashFs {
    state: Arc<Mutex<State>>,
    /// Directories whose lock is held (process state: a crashed image starts with none).
    locks: Arc<Mutex<BTreeSet<PathBuf>>>,
}

/// A held [`CrashFs`] directory lock.
#[derive(Debug)]
struct CrashDirLock {
    locks: Arc<Mutex<BTreeSet<PathBuf>>>,
    dir: PathBuf,
}

impl Drop for CrashDirLock {
    fn drop(&mut self) {
        self.locks.lock().remove(&self.dir);
    }
}

impl CrashFs {
    /// An empty file system.
    pub fn new() -> CrashFs {
        CrashFs::default()
    }

    fn from_model(model: Model) -> CrashFs {
        CrashFs {
            state: Arc::new(Mutex::new(State {
                initial: model.clone(),
                model,
                trace: Vec::new(),
            })),
            locks: Arc::default(),
        }
    }

    /// Number of mutating operations recorded so far (crash points are `0..=ops()`).
    pub fn ops(&self) -> usize {
        self.state.lock().trace.len()
    }

    /// The state a power loss right now would leave.
    #[must_use]
    pub fn crash(&self, outcome: Outcome, seed: u64) -> CrashFs {
        let st = self.state.lock();
        CrashFs::from_model(st.model.crash(outcome, &mut Rng::new(seed)))
    }

    /// The recorded operations, in order (to pick crash points of interest).
    pub fn trace(&self) -> Vec<TraceOp> {
        self.state.lock().trace.iter().map(TraceOp::from).collect()
    }

    /// A cursor that replays the recorded operations, to crash at any earlier point.
    pub fn replay(&self) -> Replay {
        let st = self.state.lock();
        Replay {
            model: st.initial.clone(),
            trace: st.trace.clone(),
            at: 0,
        }
    }

    /// The live bytes of `path` (for assertions).
    pub fn read_file(&self, path: &Path) -> Option<Vec<u8>> {
        let st = self.state.lock();
        st.model
            .live_dir
            .get(path)
            .map(|&id| st.model.nodes[id].live.clone())
    }

    /// Overwrites the live and durable bytes of `path` (test surgery; not traced).
    pub fn write_file(&self, path: &Path, bytes: &[u8]) {
        let mut st = self.state.lock();
        if let Some(&id) = st.model.live_dir.get(path) {
            let n = &mut st.model.nodes[id];
            n.live = bytes.to_vec();
            n.durable = bytes.to_vec();
        }
    }

    fn record(&self, op: Op) -> io::Result<()> {
        let mut st = self.state.lock();
        st.model.apply(&op)?;
        st.trace.push(op);
        Ok(())
    }
}

/// Replays a [`CrashFs`] trace forward; crash at any point with [`Replay::crash`].
#[derive(Debug)]
pub struct Replay {
    model: Model,
    trace: Vec<Op>,
    at: usize,
}

impl Replay {
    /// Number of operations in the trace.
    pub fn len(&self) -> usize {
        self.trace.len()
    }

    /// True if the trace is empty.
    pub fn is_empty(&self) -> bool {
        self.trace.is_empty()
    }

    /// Applies operations until `k` of them have been applied (`k` must not go backwards).
    pub fn advance_to(&mut self, k: usize) {
        assert!(
            k >= self.at && k <= self.trace.len(),
            "replay goes forward only"
        );
        while self.at < k {
            // Every op succeeded when it was recorded, so it succeeds again.
            let _ = self.model.apply(&self.trace[self.at]);
            self.at += 1;
        }
    }

    /// The state a power loss after the applied operations could leave.
    #[must_use]
    pub fn crash(&self, outcome: Outcome, seed: u64) -> CrashFs {
        CrashFs::from_model(self.model.crash(outcome, &mut Rng::new(seed)))
    }
}

impl Vfs for CrashFs {
    fn create_dir_all(&self, dir: &Path) -> io::Result<()> {
        self.state.lock().model.dirs.insert(dir.to_path_buf());
        Ok(())
    }

    fn lock_dir(&self, dir: &Path) -> io::Result<DirLockGuard> {
        if !self.locks.lock().insert(dir.to_path_buf()) {
            return Err(io::ErrorKind::WouldBlock.into());
        }
        Ok(Box::new(CrashDirLock {
            locks: Arc::clone(&self.locks),
            dir: dir.to_path_buf(),
        }))
    }

    fn list(&self, dir: &Path) -> io::Result<Vec<String>> {
        let st = self.state.lock();
        Ok(st
            .model
            .live_dir
            .keys()
            .filter(|p| p.parent() == Some(dir))
            .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            .collect())
    }

    fn open(&self, path: &Path) -> io::Result<FileHandle> {
        let id = *self
            .state
            .lock()
            .model
            .live_dir
            .get(path)
            .ok_or_else(|| not_found(path))?;
        Ok(Arc::new(CrashFile {
            fs: self.clone(),
            id,
        }))
    }

    fn create(&self, path: &Path) -> io::Result<FileHandle> {
        let id = {
            let mut st = self.state.lock();
            let op = Op::Create(path.to_path_buf());
            st.model.apply(&op)?;
            st.trace.push(op);
            st.model.nodes.len() - 1
        };
        Ok(Arc::new(CrashFile {
            fs: self.clone(),
            id,
        }))
    }

    fn remove(&self, path: &Path) -> io::Result<()> {
        self.record(Op::Remove(path.to_path_buf()))
    }

    fn rename(&self, from: &Path, to: &Path) -> io::Result<()> {
        self.record(Op::Rename(from.to_path_buf(), to.to_path_buf()))
    }

    fn sync_dir(&self, _dir: &Path) -> io::Result<()> {
        self.record(Op::SyncDir)
    }
}

#[derive(Debug)]
struct CrashFile {
    fs: CrashFs,
    id: usize,
}

impl VfsFile for CrashFile {
    fn read_exact_at(&self, buf: &mut [u8], offset: u64) -> io::Result<()> {
        let st = self.fs.state.lock();
        let data = &st.model.nodes[self.id].live;
        let start = usize::try_from(offset).unwrap_or(usize::MAX);
        let src = data
            .get(start..start.saturating_add(buf.len()))
            .ok_or(io::ErrorKind::UnexpectedEof)?;
        buf.copy_from_slice(src);
        Ok(())
    }

    fn write_all_at(&self, buf: &[u8], offset: u64) -> io::Result<()> {
        self.fs.record(Op::Write(self.id, offset, buf.to_vec()))
    }

    fn len(&self) -> io::Result<u64> {
        Ok(self.fs.state.lock().model.nodes[self.id].live.len() as u64)
    }

    fn allocate(&self, len: u64) -> io::Result<()> {
        self.fs.record(Op::Extend(self.id, len))
    }

    fn sync_data(&self) -> io::Result<()> {
        self.fs.record(Op::Sync(self.id))
    }

    fn sync_all(&self) -> io::Result<()> {
        self.fs.record(Op::Sync(self.id))
    }

    fn map(&self) -> io::Result<MappedBytes> {
        Ok(Arc::new(
            self.fs.state.lock().model.nodes[self.id].live.clone(),
        ))
    }
}
