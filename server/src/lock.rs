//! One process per data directory: `gridlog serve` and the CLI's direct mode hold an exclusive
//! advisory lock on `<dir>/gridlog.lock` while they have the directory open, so a CLI command
//! cannot append to a log that a running server is writing. (The WAL below also refuses a second
//! open of its directory; this lock covers the whole data directory and gives the CLI a message
//! that says what to do.)

use std::fs::{File, OpenOptions, TryLockError};
use std::path::Path;

/// The lock file's name inside the data directory.
pub const LOCK_FILE: &str = "gridlog.lock";

/// Holds the lock until dropped (or the process exits).
#[derive(Debug)]
pub struct DirLock {
    _file: File,
}

/// Takes the exclusive lock on `dir` (which must exist), or says who probably holds it.
pub fn lock_data_dir(dir: &Path) -> Result<DirLock, String> {
    let path = dir.join(LOCK_FILE);
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    match file.try_lock() {
        Ok(()) => Ok(DirLock { _file: file }),
        Err(TryLockError::WouldBlock) => Err(format!(
            "{} is in use by another gridlog process (a running server? then use --endpoint)",
            dir.display()
        )),
        Err(TryLockError::Error(e)) => Err(format!("locking {}: {e}", path.display())),
    }
}
