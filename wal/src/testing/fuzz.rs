//! The body of the `wal_recovery` fuzz target (`fuzz/fuzz_targets/wal_recovery.rs`), shared with
//! the stable corpus replay in `wal/tests/fuzz_corpus.rs`.
//!
//! The input is a whole log directory: an options byte, then files, each
//! `[name length: u8][name][data length: u32 LE][data]` (see [`encode_dir`]). The files are
//! written into a directory and the log is opened. Opening must return an error or a log, never
//! panic or hang; an opened log must read every record it claims, take an append, and reopen
//! to the same records (recovery is idempotent).

use std::path::Path;
use std::sync::Arc;

use super::CrashFs;
use crate::options::{Durability, RecoveryMode, WalOptions};
use crate::types::Seq;
use crate::vfs::Vfs;
use crate::{Wal, WalError};

/// Most files taken from one input.
pub const FILES_MAX: usize = 8;
/// Largest record the fuzzed log accepts (bounds memory per input).
pub const RECORD_BYTES_MAX: u32 = 64 << 10;
/// Most records read back from one opened log (bounds time per input).
const RECORDS_READ_MAX: usize = 4096;

/// Options byte bit 0: salvage instead of tolerating a torn tail only.
pub const OPT_SALVAGE: u8 = 1;

/// Serialises a directory (options byte and `(name, bytes)` files) in the input format.
pub fn encode_dir(options: u8, files: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut out = vec![options];
    for (name, data) in files {
        let name = &name.as_bytes()[..name.len().min(255)];
        out.push(u8::try_from(name.len()).unwrap_or(u8::MAX));
        out.extend_from_slice(name);
        let len = u32::try_from(data.len()).unwrap_or(u32::MAX);
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&data[..len as usize]);
    }
    out
}

/// Parses the input format: the options byte and the files with a usable name (plain
/// `[A-Za-z0-9._-]`, not `.` or `..`; later duplicates replace earlier ones). Truncated
/// entries take whatever bytes remain.
pub fn decode_dir(data: &[u8]) -> (u8, Vec<(String, Vec<u8>)>) {
    let Some((&options, mut rest)) = data.split_first() else {
        return (0, Vec::new());
    };
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    while files.len() < FILES_MAX {
        let Some((&name_len, after)) = rest.split_first() else {
            break;
        };
        let name_len = usize::from(name_len).min(after.len());
        let (name, after) = after.split_at(name_len);
        let len_bytes = after.len().min(4);
        let mut len = [0_u8; 4];
        len[..len_bytes].copy_from_slice(&after[..len_bytes]);
        let after = &after[len_bytes..];
        let len = usize::try_from(u32::from_le_bytes(len))
            .unwrap_or(usize::MAX)
            .min(after.len());
        let (bytes, after) = after.split_at(len);
        rest = after;
        let Ok(name) = std::str::from_utf8(name) else {
            continue;
        };
        let plain = !name.is_empty()
            && name != "."
            && name != ".."
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'_' || b == b'-');
        if !plain {
            continue;
        }
        files.retain(|(existing, _)| existing != name);
        files.push((name.to_owned(), bytes.to_vec()));
    }
    (options, files)
}

/// The log options the fuzzed directory is opened with.
pub fn options_for(options: u8) -> WalOptions {
    WalOptions {
        segment_bytes_target: 4096,
        durability: Durability::Always,
        record_bytes_max: RECORD_BYTES_MAX,
        recovery: if options & OPT_SALVAGE == 0 {
            RecoveryMode::TolerateTornTail
        } else {
            RecoveryMode::Salvage
        },
        preallocate: false,
        prepare_spare: false,
        ..WalOptions::default()
    }
}

/// The fuzz target: the input's directory on an in-memory [`CrashFs`].
pub fn recovery(data: &[u8]) {
    let fs = CrashFs::new();
    recovery_on(Arc::new(fs), Path::new("/wal"), data);
}

/// Writes the input's files into `dir` through `vfs` and checks the recovery contract there
/// (the corpus replay also runs it on the real file system).
pub fn recovery_on(vfs: Arc<dyn Vfs>, dir: &Path, data: &[u8]) {
    let (options, files) = decode_dir(data);
    let setup = || -> std::io::Result<()> {
        vfs.create_dir_all(dir)?;
        for (name, bytes) in &files {
            let file = vfs.create(&dir.join(name))?;
            file.write_all_at(bytes, 0)?;
            file.sync_all()?;
        }
        vfs.sync_dir(dir)
    };
    if let Err(error) = setup() {
        panic!("writing the fuzzed directory failed: {error}");
    }
    let opts = options_for(options);
    let Ok((wal, report)) = Wal::open_with_vfs(vfs.clone(), dir, opts.clone()) else {
        return; // refusing to open is a valid answer to arbitrary bytes
    };
    assert_eq!(
        wal.next_seq(),
        report.next_seq,
        "the report's next seq is the log's"
    );
    let before = read_all(&wal, &report.lost);
    // The log must take a write after recovery.
    let appended = match wal.append(b"after recovery") {
        Ok(seq) => Some(seq),
        Err(WalError::InvalidArgument(_) | WalError::Corrupt { .. }) => None, // e.g. seq space exhausted
        Err(error) => panic!("append after a successful recovery failed: {error}"),
    };
    if let Some(seq) = appended {
        let got = wal
            .read(seq)
            .unwrap_or_else(|error| panic!("read {seq:?}: {error}"));
        assert_eq!(got.as_ref(), b"after recovery");
    }
    drop(wal); // a process crash: no close marker
    let (again, report_again) = Wal::open_with_vfs(vfs, dir, opts)
        .unwrap_or_else(|error| panic!("a recovered log does not reopen: {error}"));
    let after = read_all(&again, &report_again.lost);
    // Everything readable before is readable again, byte for byte, and the append survived.
    for (seq, bytes) in &before {
        if let Some((_, now)) = after.iter().find(|(s, _)| s == seq) {
            assert_eq!(now, bytes, "record {seq} changed across a reopen");
        } else {
            panic!("record {seq} was readable after recovery but not after a reopen");
        }
    }
    if let Some(seq) = appended {
        assert!(
            after
                .iter()
                .any(|(s, b)| *s == seq.get() && b == b"after recovery"),
            "the acknowledged append {seq:?} was lost across a reopen"
        );
    }
}

/// Reads records from the first seq towards the visible end (at most [`RECORDS_READ_MAX`]
/// steps); a
/// record may only be missing if the report lists it as lost.
fn read_all(wal: &Wal, lost: &[crate::SeqRange]) -> Vec<(u64, Vec<u8>)> {
    let mut out = Vec::new();
    let first = wal.first_seq();
    for item in wal.iter_from(first).take(RECORDS_READ_MAX) {
        match item {
            Ok((seq, bytes)) => {
                assert!(
                    bytes.as_ref().len() <= RECORD_BYTES_MAX as usize,
                    "record {seq:?} is larger than the limit"
                );
                out.push((seq.get(), bytes.as_ref().to_vec()));
            }
            Err(WalError::NotFound { seq, .. }) => {
                assert!(
                    lost.iter().any(|range| range.contains(Seq(seq))),
                    "record {seq} is missing but not reported lost"
                );
            }
            Err(error) => panic!("reading a recovered log failed: {error}"),
        }
    }
    out
}
