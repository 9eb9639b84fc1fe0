//! The lock clock's anchor: the offset `wall - since_boot` taken at the first open of a namespace
//! in a boot of the machine, kept in the data directory (`clock.anchor`) so that every later open
//! in the same boot reads lock deadlines on the same, never stepping, clock
//! (`since_boot + offset`; see [`crate::clock`] and docs/reliability.md "Locks and the clock").
//!
//! The file is clock calibration, not event state: the WAL stays the only source of truth. A
//! missing, unreadable or corrupt file, or one from another boot, means "anchor again from the
//! wall clock", which is the wall-clock rule every deadline had before the file existed; it never
//! fails an open. Layout (40 bytes, docs/format.md): magic `GLCKANCH`, version `1` (u32 LE),
//! boot id (16 bytes, the UUID's bytes in order), offset (i64 LE, ms), CRC-32 (IEEE, LE) of the
//! 36 bytes before it. Written as `clock.anchor.tmp`, synced, renamed over `clock.anchor`,
//! and the directory synced, before any record that uses it is appended.

use std::io;
use std::path::Path;

use gridlog_wal::Vfs;

use crate::clock::{BootTime, Clock};

/// The anchor's file name in the data directory (a constant: never a name from user input).
pub const ANCHOR_FILE: &str = "clock.anchor";

/// The temporary name it is written under before the rename.
pub const ANCHOR_TMP_FILE: &str = "clock.anchor.tmp";

/// The file's first 8 bytes.
pub const ANCHOR_MAGIC: [u8; 8] = *b"GLCKANCH";

/// The layout version this code writes and reads.
pub const ANCHOR_VERSION: u32 = 1;

/// The file's length in bytes.
pub const ANCHOR_BYTES: usize = 40;

/// The anchor of one boot: lock-clock time is `since_boot + offset_ms` in that boot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClockAnchor {
    /// The boot it belongs to.
    pub boot_id: [u8; 16],
    /// `wall - since_boot` at the first open in that boot, ms.
    pub offset_ms: i64,
}

impl ClockAnchor {
    /// The anchor for `boot`, taken now from the wall clock `wall_ms`: lock-clock time equals
    /// wall time at this instant.
    pub fn take(boot: BootTime, wall_ms: i64) -> Self {
        Self {
            boot_id: boot.boot_id,
            offset_ms: wall_ms.saturating_sub(millis(boot)),
        }
    }

    /// The lock-clock time of `boot`, Unix ms; `None` if `boot` is another boot's reading.
    pub fn lock_ms(self, boot: BootTime) -> Option<i64> {
        (boot.boot_id == self.boot_id).then(|| millis(boot).saturating_add(self.offset_ms))
    }

    /// The file's bytes.
    pub fn encode(self) -> [u8; ANCHOR_BYTES] {
        let mut bytes = [0_u8; ANCHOR_BYTES];
        bytes[..8].copy_from_slice(&ANCHOR_MAGIC);
        bytes[8..12].copy_from_slice(&ANCHOR_VERSION.to_le_bytes());
        bytes[12..28].copy_from_slice(&self.boot_id);
        bytes[28..36].copy_from_slice(&self.offset_ms.to_le_bytes());
        let crc = crc32fast::hash(&bytes[..CRC_AT]);
        bytes[CRC_AT..].copy_from_slice(&crc.to_le_bytes());
        bytes
    }

    /// Decodes the file's bytes; `Err` says what is wrong with them.
    pub fn decode(bytes: &[u8]) -> Result<Self, String> {
        let bytes: &[u8; ANCHOR_BYTES] = bytes
            .try_into()
            .map_err(|_| format!("{} bytes, not {ANCHOR_BYTES}", bytes.len()))?;
        let (body, crc) = bytes.split_at(CRC_AT);
        if crc32fast::hash(body).to_le_bytes() != crc {
            return Err("checksum mismatch".to_owned());
        }
        if body[..8] != ANCHOR_MAGIC {
            return Err("bad magic".to_owned());
        }
        let version = u32::from_le_bytes(array(&body[8..12]));
        if version != ANCHOR_VERSION {
            return Err(format!("version {version} unknown"));
        }
        Ok(Self {
            boot_id: array(&body[12..28]),
            offset_ms: i64::from_le_bytes(array(&body[28..36])),
        })
    }
}

/// Where the CRC starts (it covers every byte before it).
const CRC_AT: usize = ANCHOR_BYTES - 4;

/// `N` bytes of a slice known to hold exactly `N`.
fn array<const N: usize>(bytes: &[u8]) -> [u8; N] {
    let mut out = [0_u8; N];
    out.copy_from_slice(bytes);
    out
}

fn millis(boot: BootTime) -> i64 {
    i64::try_from(boot.since_boot.as_millis()).unwrap_or(i64::MAX)
}

/// Why a new anchor was taken.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AnchorReason {
    /// A new namespace.
    NewNamespace,
    /// The file is another boot's: the machine rebooted since it was written.
    NewBoot,
    /// No file (a namespace written before anchors existed, or the file was removed).
    Missing,
    /// The file could not be read.
    Unreadable(String),
    /// The file's bytes are damaged (length, checksum, magic or version).
    Corrupt(String),
}

impl AnchorReason {
    /// Whether this is the ordinary course of things (a new namespace or a new boot), not a
    /// lost or damaged file worth a warning.
    pub fn is_expected(&self) -> bool {
        matches!(self, Self::NewNamespace | Self::NewBoot)
    }
}

impl std::fmt::Display for AnchorReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NewNamespace => f.write_str("new namespace"),
            Self::NewBoot => f.write_str("new boot"),
            Self::Missing => write!(f, "{ANCHOR_FILE} missing"),
            Self::Unreadable(error) => write!(f, "{ANCHOR_FILE} unreadable: {error}"),
            Self::Corrupt(reason) => write!(f, "{ANCHOR_FILE} corrupt: {reason}"),
        }
    }
}

/// What open did about the lock clock (in [`crate::OpenReport`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AnchorReport {
    /// The anchor of this boot was found and is used: lock deadlines written in this boot are
    /// exact across the restart.
    Reused {
        /// Its offset, ms.
        offset_ms: i64,
    },
    /// A new anchor was taken from the wall clock and persisted. Deadlines written before it
    /// are re-derived against the wall clock (clamped).
    Anchored {
        /// Why: a new namespace, a new boot, or a missing, unreadable or corrupt file.
        reason: AnchorReason,
    },
    /// A new anchor was taken but could not be persisted (for example a full disk): it is used
    /// by this process, and the next open in this boot will anchor again from the wall clock.
    Unpersisted {
        /// Why it was taken.
        reason: AnchorReason,
        /// The write's error.
        error: String,
    },
    /// The clock has no boot reading: lock deadlines are on the wall clock.
    NoBootClock,
}

/// Finds the anchor of the current boot in `dir`, or takes and persists a new one.
pub(crate) fn establish(
    vfs: &dyn Vfs,
    dir: &Path,
    clock: &dyn Clock,
    created: bool,
) -> (Option<ClockAnchor>, AnchorReport) {
    let Some(boot) = clock.boot() else {
        return (None, AnchorReport::NoBootClock);
    };
    let reason = if created {
        AnchorReason::NewNamespace
    } else {
        match read(vfs, &dir.join(ANCHOR_FILE)) {
            Ok(anchor) if anchor.boot_id == boot.boot_id => {
                return (
                    Some(anchor),
                    AnchorReport::Reused {
                        offset_ms: anchor.offset_ms,
                    },
                );
            }
            Ok(_) => AnchorReason::NewBoot,
            Err(reason) => reason,
        }
    };
    let anchor = ClockAnchor::take(boot, clock.now().unix_millis());
    let report = match write(vfs, dir, anchor) {
        Ok(()) => AnchorReport::Anchored { reason },
        Err(error) => AnchorReport::Unpersisted {
            reason,
            error: error.to_string(),
        },
    };
    (Some(anchor), report)
}

fn read(vfs: &dyn Vfs, path: &Path) -> Result<ClockAnchor, AnchorReason> {
    let unreadable = |error: io::Error| AnchorReason::Unreadable(error.to_string());
    let file = vfs.open(path).map_err(|error| match error.kind() {
        io::ErrorKind::NotFound => AnchorReason::Missing,
        _ => unreadable(error),
    })?;
    let len = file.len().map_err(unreadable)?;
    if len != ANCHOR_BYTES as u64 {
        return Err(AnchorReason::Corrupt(format!(
            "{len} bytes, not {ANCHOR_BYTES}"
        )));
    }
    let mut bytes = [0_u8; ANCHOR_BYTES];
    file.read_exact_at(&mut bytes, 0).map_err(unreadable)?;
    ClockAnchor::decode(&bytes).map_err(AnchorReason::Corrupt)
}

fn write(vfs: &dyn Vfs, dir: &Path, anchor: ClockAnchor) -> io::Result<()> {
    let tmp = dir.join(ANCHOR_TMP_FILE);
    let file = vfs.create(&tmp)?;
    file.write_all_at(&anchor.encode(), 0)?;
    file.sync_all()?;
    drop(file);
    vfs.rename(&tmp, &dir.join(ANCHOR_FILE))?;
    vfs.sync_dir(dir)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::{ANCHOR_BYTES, ClockAnchor};
    use crate::clock::BootTime;

    #[test]
    fn lock_time_is_boot_time_plus_the_offset_of_its_own_boot_only() {
        let boot = |boot_id, secs| BootTime {
            boot_id,
            since_boot: Duration::from_secs(secs),
        };
        let anchor = ClockAnchor::take(boot([1; 16], 100), 1_700_000_000_000);
        assert_eq!(anchor.offset_ms, 1_700_000_000_000 - 100_000);
        assert_eq!(anchor.lock_ms(boot([1; 16], 100)), Some(1_700_000_000_000));
        assert_eq!(anchor.lock_ms(boot([1; 16], 160)), Some(1_700_000_060_000));
        assert_eq!(anchor.lock_ms(boot([2; 16], 160)), None);
    }

    #[test]
    fn every_damaged_byte_and_length_is_refused() {
        let anchor = ClockAnchor {
            boot_id: *b"0123456789abcdef",
            offset_ms: -5,
        };
        let bytes = anchor.encode();
        assert_eq!(ClockAnchor::decode(&bytes), Ok(anchor));
        for at in 0..ANCHOR_BYTES {
            for bit in 0..8 {
                let mut damaged = bytes;
                damaged[at] ^= 1 << bit;
                assert!(
                    ClockAnchor::decode(&damaged).is_err(),
                    "byte {at} bit {bit}"
                );
            }
        }
        assert!(ClockAnchor::decode(&bytes[..ANCHOR_BYTES - 1]).is_err());
        assert!(ClockAnchor::decode(&[bytes.as_slice(), &[0]].concat()).is_err());
        assert!(ClockAnchor::decode(&[]).is_err());
    }
}
