//! Helpers shared by the ratio bench binaries (`wal_ratio`, `engine_ratio`): scratch
//! directories, the raw preallocated-file probes, peak-RSS and disk-usage readings.
//! Included with `#[path]` by each binary (the benches crate has no library).

#![allow(
    dead_code,
    reason = "each binary uses a different subset of these helpers"
)]

use std::fs::{File, OpenOptions};
use std::io::Write as _;
use std::os::unix::fs::{FileExt, MetadataExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Bytes of a 1 KiB record in a WAL frame (24-byte header + payload, 8-aligned).
pub const WAL_FRAME_BYTES: usize = 24 + 1024;
/// The probe file: preallocated, zero-filled and synced, like a WAL segment.
pub const PROBE_FILE_BYTES: u64 = 64 << 20;

pub fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

/// A fresh directory under `$<env_dir>` (default: the system temp dir).
pub fn scratch(env_dir: &str, tag: &str, name: &str) -> PathBuf {
    let base = std::env::var_os(env_dir).map_or_else(std::env::temp_dir, PathBuf::from);
    let p = base.join(format!("gridlog-{tag}-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&p);
    std::fs::create_dir_all(&p).expect("create scratch dir");
    p
}

/// A preallocated, zero-filled, synced file, as the WAL prepares its segments.
pub fn probe_file(dir: &Path) -> File {
    let f = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(true)
        .open(dir.join("probe"))
        .expect("probe file");
    let zeros = vec![0u8; 1 << 20];
    let mut off = 0;
    while off < PROBE_FILE_BYTES {
        f.write_all_at(&zeros, off).expect("zero-fill");
        off += zeros.len() as u64;
    }
    f.sync_all().expect("sync");
    f
}

/// Raw loop over a preallocated file: each step writes the buffers of `writes` in turn (one
/// `pwrite` + one `fdatasync` each), wrapping around the file; `events_per_step` events are
/// counted per step. Runs for `secs`; returns events/s.
pub fn raw_loop(dir: &Path, writes: &[usize], events_per_step: usize, secs: Duration) -> f64 {
    let f = probe_file(dir);
    let bufs: Vec<Vec<u8>> = writes.iter().map(|&n| vec![0x5au8; n]).collect();
    let (mut off, mut events) = (0u64, 0u64);
    let t = Instant::now();
    while t.elapsed() < secs {
        for buf in &bufs {
            if off + buf.len() as u64 > PROBE_FILE_BYTES {
                off = 0;
            }
            f.write_all_at(buf, off).expect("write");
            f.sync_data().expect("fdatasync");
            off += buf.len() as u64;
        }
        events += events_per_step as u64;
    }
    let _ = std::fs::remove_file(dir.join("probe"));
    events as f64 / t.elapsed().as_secs_f64()
}

/// Raw publish probe: `per_sync` 1 KiB WAL frames per write + fdatasync. Returns records/s.
pub fn raw_probe(dir: &Path, per_sync: usize, secs: Duration) -> f64 {
    raw_loop(dir, &[WAL_FRAME_BYTES * per_sync], per_sync, secs)
}

/// The publish probe into fresh space, as an append-only log must write: the same
/// `pwrite` + `fdatasync` per `per_sync` frames, but sequentially into a new file whose space is
/// prepared (allocated, zero-filled, synced) `chunk` bytes at a time inside the timed loop,
/// never reused. Informational: it prices the preallocation the rewrite probe
/// ([`raw_probe`]) leaves out (each byte reaches the device twice, once as a zero). Returns
/// events/s.
pub fn raw_fresh_probe(dir: &Path, per_sync: usize, chunk: u64, secs: Duration) -> f64 {
    let path = dir.join("fresh-probe");
    let f = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(true)
        .open(&path)
        .expect("fresh probe file");
    let buf = vec![0x5au8; WAL_FRAME_BYTES * per_sync];
    let zeros = vec![0u8; 1 << 20];
    let (mut off, mut prepared, mut events) = (0u64, 0u64, 0u64);
    let t = Instant::now();
    while t.elapsed() < secs {
        while off + buf.len() as u64 > prepared {
            let mut z = prepared;
            while z < prepared + chunk {
                f.write_all_at(&zeros, z).expect("zero-fill");
                z += zeros.len() as u64;
            }
            f.sync_all().expect("sync");
            prepared += chunk;
        }
        f.write_all_at(&buf, off).expect("write");
        f.sync_data().expect("fdatasync");
        off += buf.len() as u64;
        events += per_sync as u64;
    }
    let rate = events as f64 / t.elapsed().as_secs_f64();
    drop(f);
    let _ = std::fs::remove_file(path);
    rate
}

/// A `/proc/self/status` field in MiB (`VmHWM`, `VmRSS`, `RssAnon`, ...).
pub fn status_mib(field: &str) -> f64 {
    let s = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    s.lines()
        .find(|l| l.starts_with(field) && l[field.len()..].starts_with(':'))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// Peak resident set (`VmHWM`) in MiB: anonymous memory plus touched file-backed mappings.
pub fn peak_rss_mib() -> f64 {
    status_mib("VmHWM")
}

/// Resets `VmHWM` (Linux: writing 5 to `clear_refs`), so each phase reports its own peak.
pub fn reset_peak_rss() {
    if let Ok(mut f) = OpenOptions::new().write(true).open("/proc/self/clear_refs") {
        let _ = f.write_all(b"5");
    }
}

/// (allocated bytes, apparent bytes) of every file under `dir`.
pub fn disk_usage(dir: &Path) -> (u64, u64) {
    let (mut allocated, mut apparent) = (0, 0);
    let Ok(entries) = std::fs::read_dir(dir) else {
        return (0, 0);
    };
    for entry in entries.flatten() {
        let Ok(meta) = entry.metadata() else { continue };
        if meta.is_dir() {
            let (a, b) = disk_usage(&entry.path());
            allocated += a;
            apparent += b;
        } else {
            allocated += meta.blocks() * 512;
            apparent += meta.len();
        }
    }
    (allocated, apparent)
}

/// The load average line, for the header of a run.
pub fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .unwrap_or_default()
        .trim()
        .to_owned()
}
