//! Segment file naming and the segment header; the `wal.meta` identity file (docs/format.md §2–§3).
//!
//! Segment header (48 bytes, frames start right after it):
//! ```text
//! 0  magic       b"GLWALSEG"
//! 8  version     u32 = 1
//! 12 header_len  u32 = 48
//! 16 log_id      u64   random identity shared by all files of one log
//! 24 segment_id  u64   1, 2, 3, ... (one more than the predecessor)
//! 32 base_seq    u64   sequence number of the first record in this segment
//! 40 0           u32
//! 44 crc         u32   CRC-32 of bytes 0..44
//! ```
//! `wal.meta` (48 bytes, replaced atomically):
//! ```text
//! 0  magic             b"GLWALMET"
//! 8  version           u32 = 1
//! 12 0                 u32
//! 16 log_id            u64
//! 24 first_segment_id  u64   id of the oldest live segment (low watermark)
//! 32 first_seq         u64   base_seq of that segment
//! 40 0                 u32
//! 44 crc               u32   CRC-32 of bytes 0..44
//! ```

use crate::frame::{u32_at, u64_at};

/// Segment file magic.
pub const SEGMENT_MAGIC: [u8; 8] = *b"GLWALSEG";
/// Meta file magic.
pub const META_MAGIC: [u8; 8] = *b"GLWALMET";
/// Format version written and accepted.
pub const FORMAT_VERSION: u32 = 1;
/// Bytes of the segment header.
pub const SEGMENT_HEADER_BYTES: usize = 48;
/// Bytes of the meta file.
pub const META_BYTES: usize = 48;
/// Name of the meta file.
pub const META_FILE: &str = "wal.meta";
/// Name of the temporary meta file during replacement.
pub const META_TMP_FILE: &str = "wal.meta.tmp";
/// Name of the spare (pre-zeroed, not yet named) next segment file.
pub const SPARE_FILE: &str = "wal.spare.tmp";
/// Suffix of segment files.
pub const SEGMENT_SUFFIX: &str = ".wal";
/// Suffix of segments being created (renamed to `.wal` once complete and synced).
pub const SEGMENT_TMP_SUFFIX: &str = ".wal.tmp";

const _: () = assert!(SEGMENT_HEADER_BYTES.is_multiple_of(crate::frame::FRAME_ALIGN));

/// The fields of a segment header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SegmentHeader {
    /// Identity of the log.
    pub log_id: u64,
    /// Segment id.
    pub segment_id: u64,
    /// First sequence number.
    pub base_seq: u64,
}

impl SegmentHeader {
    /// Encodes the header.
    pub fn encode(&self) -> [u8; SEGMENT_HEADER_BYTES] {
        let mut b = [0u8; SEGMENT_HEADER_BYTES];
        b[0..8].copy_from_slice(&SEGMENT_MAGIC);
        b[8..12].copy_from_slice(&FORMAT_VERSION.to_le_bytes());
        b[12..16].copy_from_slice(
            &u32::try_from(SEGMENT_HEADER_BYTES)
                .unwrap_or(0)
                .to_le_bytes(),
        );
        b[16..24].copy_from_slice(&self.log_id.to_le_bytes());
        b[24..32].copy_from_slice(&self.segment_id.to_le_bytes());
        b[32..40].copy_from_slice(&self.base_seq.to_le_bytes());
        let crc = crc32fast::hash(&b[0..44]);
        b[44..48].copy_from_slice(&crc.to_le_bytes());
        b
    }

    /// Decodes and checks a header.
    pub fn decode(b: &[u8]) -> Result<SegmentHeader, &'static str> {
        let Some(b) = b.get(..SEGMENT_HEADER_BYTES) else {
            return Err("file shorter than the segment header");
        };
        if b[0..8] != SEGMENT_MAGIC {
            return Err("bad segment magic");
        }
        if crc32fast::hash(&b[0..44]) != u32_at(b, 44) {
            return Err("segment header checksum mismatch");
        }
        if u32_at(b, 8) != FORMAT_VERSION {
            return Err("unsupported segment format version");
        }
        if u32_at(b, 12) as usize != SEGMENT_HEADER_BYTES || u32_at(b, 40) != 0 {
            return Err("bad segment header fields");
        }
        let h = SegmentHeader {
            log_id: u64_at(b, 16),
            segment_id: u64_at(b, 24),
            base_seq: u64_at(b, 32),
        };
        if h.segment_id == 0 || h.base_seq == 0 {
            return Err("segment id or base seq is 0");
        }
        Ok(h)
    }
}

/// The fields of `wal.meta`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Meta {
    /// Identity of the log.
    pub log_id: u64,
    /// Oldest live segment.
    pub first_segment_id: u64,
    /// Its base sequence number: everything below was purged.
    pub first_seq: u64,
}

impl Meta {
    /// Encodes the meta file.
    pub fn encode(&self) -> [u8; META_BYTES] {
        let mut b = [0u8; META_BYTES];
        b[0..8].copy_from_slice(&META_MAGIC);
        b[8..12].copy_from_slice(&FORMAT_VERSION.to_le_bytes());
        b[16..24].copy_from_slice(&self.log_id.to_le_bytes());
        b[24..32].copy_from_slice(&self.first_segment_id.to_le_bytes());
        b[32..40].copy_from_slice(&self.first_seq.to_le_bytes());
        let crc = crc32fast::hash(&b[0..44]);
        b[44..48].copy_from_slice(&crc.to_le_bytes());
        b
    }

    /// Decodes and checks the meta file.
    pub fn decode(b: &[u8]) -> Result<Meta, &'static str> {
        if b.len() != META_BYTES {
            return Err("meta file has the wrong length");
        }
        if b[0..8] != META_MAGIC {
            return Err("bad meta magic");
        }
        if crc32fast::hash(&b[0..44]) != u32_at(b, 44) {
            return Err("meta checksum mismatch");
        }
        if u32_at(b, 8) != FORMAT_VERSION || u32_at(b, 12) != 0 || u32_at(b, 40) != 0 {
            return Err("unsupported meta version or bad fields");
        }
        let m = Meta {
            log_id: u64_at(b, 16),
            first_segment_id: u64_at(b, 24),
            first_seq: u64_at(b, 32),
        };
        if m.first_segment_id == 0 || m.first_seq == 0 {
            return Err("meta low watermark is 0");
        }
        Ok(m)
    }
}

/// File name of the segment whose first sequence number is `base_seq`.
pub fn segment_file_name(base_seq: u64) -> String {
    format!("{base_seq:020}{SEGMENT_SUFFIX}")
}

/// What a directory entry is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DirEntry {
    /// `{base_seq:020}.wal`.
    Segment(u64),
    /// `{base_seq:020}.wal.tmp`: a segment whose creation did not finish.
    SegmentTmp,
    /// `wal.meta`.
    Meta,
    /// `wal.meta.tmp` or `wal.spare.tmp`.
    MetaTmp,
    /// A name ending in `.wal` that is not a valid segment name: an error.
    StrayWal,
    /// Anything else: ignored.
    Other,
}

/// Classifies a directory entry name.
pub fn classify(name: &str) -> DirEntry {
    if name == META_FILE {
        return DirEntry::Meta;
    }
    if name == META_TMP_FILE || name == SPARE_FILE {
        return DirEntry::MetaTmp;
    }
    if let Some(stem) = name.strip_suffix(SEGMENT_TMP_SUFFIX) {
        return if parse_base(stem).is_some() {
            DirEntry::SegmentTmp
        } else {
            DirEntry::StrayWal
        };
    }
    if let Some(stem) = name.strip_suffix(SEGMENT_SUFFIX) {
        return match parse_base(stem) {
            Some(b) => DirEntry::Segment(b),
            None => DirEntry::StrayWal,
        };
    }
    DirEntry::Other
}

fn parse_base(stem: &str) -> Option<u64> {
    if stem.len() != 20 || !stem.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    stem.parse().ok().filter(|&b| b > 0)
}
