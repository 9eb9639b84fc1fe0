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
        let header_len = u32::try_from(SEGMENT_HEADER_BYTES).unwrap_or(0);
        let fields = [self.log_id, self.segment_id, self.base_seq];
        encode_block(SEGMENT_MAGIC, header_len, fields)
    }

    /// Decodes and checks a header.
    pub fn decode(b: &[u8]) -> Result<SegmentHeader, &'static str> {
        let Some(b) = b.get(..SEGMENT_HEADER_BYTES) else {
            return Err("file shorter than the segment header");
        };
        let header_len = u32::try_from(SEGMENT_HEADER_BYTES).unwrap_or(0);
        let [log_id, segment_id, base_seq] = decode_block(
            b,
            SEGMENT_MAGIC,
            header_len,
            &BlockFaults {
                magic: "bad segment magic",
                checksum: "segment header checksum mismatch",
                version: "unsupported segment format version",
                fields: "bad segment header fields",
            },
        )?;
        if segment_id == 0 || base_seq == 0 {
            return Err("segment id or base seq is 0");
        }
        Ok(SegmentHeader {
            log_id,
            segment_id,
            base_seq,
        })
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
        encode_block(
            META_MAGIC,
            0,
            [self.log_id, self.first_segment_id, self.first_seq],
        )
    }

    /// Decodes and checks the meta file.
    pub fn decode(b: &[u8]) -> Result<Meta, &'static str> {
        if b.len() != META_BYTES {
            return Err("meta file has the wrong length");
        }
        let [log_id, first_segment_id, first_seq] = decode_block(
            b,
            META_MAGIC,
            0,
            &BlockFaults {
                magic: "bad meta magic",
                checksum: "meta checksum mismatch",
                version: "unsupported meta version or bad fields",
                fields: "unsupported meta version or bad fields",
            },
        )?;
        if first_segment_id == 0 || first_seq == 0 {
            return Err("meta low watermark is 0");
        }
        Ok(Meta {
            log_id,
            first_segment_id,
            first_seq,
        })
    }
}

/// Bytes of the layout the segment header and `wal.meta` share.
const BLOCK_BYTES: usize = 48;

const _: () = assert!(SEGMENT_HEADER_BYTES == BLOCK_BYTES && META_BYTES == BLOCK_BYTES);

/// The layout of the segment header and of `wal.meta` (module docs): `magic`, the format
/// version, `word` at 12, the three u64 `fields` at 16, 24 and 32, zero at 40, and the CRC-32
/// of bytes 0..44 at 44.
fn encode_block(magic: [u8; 8], word: u32, fields: [u64; 3]) -> [u8; BLOCK_BYTES] {
    let mut b = [0u8; BLOCK_BYTES];
    b[0..8].copy_from_slice(&magic);
    b[8..12].copy_from_slice(&FORMAT_VERSION.to_le_bytes());
    b[12..16].copy_from_slice(&word.to_le_bytes());
    for (at, field) in [16, 24, 32].into_iter().zip(fields) {
        b[at..at + 8].copy_from_slice(&field.to_le_bytes());
    }
    let crc = crc32fast::hash(&b[0..44]);
    b[44..48].copy_from_slice(&crc.to_le_bytes());
    b
}

/// What [`decode_block`] says when it finds, in this order, a wrong magic, checksum, version,
/// or `word` or zero field.
struct BlockFaults {
    magic: &'static str,
    checksum: &'static str,
    version: &'static str,
    fields: &'static str,
}

/// The three u64 fields of a block [`encode_block`] wrote with `magic` and `word`; `b` holds
/// [`BLOCK_BYTES`] bytes.
fn decode_block(
    b: &[u8],
    magic: [u8; 8],
    word: u32,
    faults: &BlockFaults,
) -> Result<[u64; 3], &'static str> {
    if b[0..8] != magic {
        return Err(faults.magic);
    }
    if crc32fast::hash(&b[0..44]) != u32_at(b, 44) {
        return Err(faults.checksum);
    }
    if u32_at(b, 8) != FORMAT_VERSION {
        return Err(faults.version);
    }
    if u32_at(b, 12) != word || u32_at(b, 40) != 0 {
        return Err(faults.fields);
    }
    Ok([u64_at(b, 16), u64_at(b, 24), u64_at(b, 32)])
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
