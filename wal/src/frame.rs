//! Frame encoding and decoding (docs/format.md §4).
//!
//! ```text
//! 0  len    u32  payload length in bytes
//! 4  crc    u32  CRC-32 of: bytes 0..4 and 8..24 of this header, the segment id (u64 LE),
//!                the payload and the zero padding
//! 8  seq    u64  record: its sequence number; seal and marker: the next sequence number
//! 16 floor  u32  sync floor: in-segment offset known durable (fdatasync'ed) when this frame
//!                was written
//! 20 kind   u8   1 record, 2 seal, 3 marker
//! 21 0      [u8; 3]
//! 24 payload, then zero padding to a multiple of 8 bytes
//! ```
//!
//! Frames start at multiples of 8 so that recovery can look for valid frames after a bad one
//! (to learn the durable watermark) by trying every 8th offset instead of every byte.

use crate::error::WalError;

/// Bytes of a frame header.
pub const FRAME_HEADER_BYTES: usize = 24;
/// Frames start at multiples of this.
pub const FRAME_ALIGN: usize = 8;

/// What a frame is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameKind {
    /// A caller's record.
    Record = 1,
    /// The last frame of a sealed segment: `seq` is the successor's base sequence number and
    /// the payload (8 bytes) is the successor's segment id.
    Seal = 2,
    /// Carries the sync floor only (written by `close`): `seq` is the next sequence number.
    Marker = 3,
}

impl FrameKind {
    fn from_u8(b: u8) -> Option<FrameKind> {
        match b {
            1 => Some(FrameKind::Record),
            2 => Some(FrameKind::Seal),
            3 => Some(FrameKind::Marker),
            _ => None,
        }
    }
}

/// Total bytes a frame with `payload_len` payload bytes occupies, padding included.
pub fn frame_bytes(payload_len: usize) -> usize {
    (FRAME_HEADER_BYTES + payload_len).next_multiple_of(FRAME_ALIGN)
}

/// Appends one encoded frame to `out`.
pub fn encode(
    out: &mut Vec<u8>,
    kind: FrameKind,
    segment_id: u64,
    seq: u64,
    floor: u32,
    payload: &[u8],
) {
    let start = out.len();
    debug_assert_eq!(
        start % FRAME_ALIGN,
        0,
        "frames are encoded at aligned buffer offsets"
    );
    let len = off32(payload.len() as u64);
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(&[0; 4]);
    out.extend_from_slice(&seq.to_le_bytes());
    out.extend_from_slice(&floor.to_le_bytes());
    out.extend_from_slice(&[kind as u8, 0, 0, 0]);
    out.extend_from_slice(payload);
    out.resize(start + frame_bytes(payload.len()), 0);
    let crc = checksum(&out[start..], segment_id);
    out[start + 4..start + 8].copy_from_slice(&crc.to_le_bytes());
    debug_assert!(matches!(
        decode(&out[start..], segment_id, u32::MAX),
        Decoded::Valid(f) if f.seq == seq && f.floor == floor && f.kind == kind
    ));
}

/// CRC of a whole frame (header with its crc field skipped, segment id, payload, padding).
fn checksum(frame: &[u8], segment_id: u64) -> u32 {
    let mut h = crc32fast::Hasher::new();
    h.update(&frame[0..4]);
    h.update(&frame[8..FRAME_HEADER_BYTES]);
    h.update(&segment_id.to_le_bytes());
    h.update(&frame[FRAME_HEADER_BYTES..]);
    h.finalize()
}

/// A frame that passed every check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Frame {
    /// Its kind.
    pub kind: FrameKind,
    /// Sequence number (see [`FrameKind`]).
    pub seq: u64,
    /// Sync floor.
    pub floor: u32,
    /// Payload length.
    pub len: u32,
    /// Total length including header and padding.
    pub total: usize,
}

impl Frame {
    /// Payload range relative to the frame start.
    pub fn payload(&self) -> std::ops::Range<usize> {
        FRAME_HEADER_BYTES..FRAME_HEADER_BYTES + self.len as usize
    }
}

/// Result of decoding at one offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decoded {
    /// A complete, checksummed frame.
    Valid(Frame),
    /// The header is all zero bytes (or the buffer ends in zeros): end of written data in a
    /// zero-filled segment. Never a valid frame, since `kind` is never 0.
    Zero,
    /// Anything else: torn, garbled, misdirected or over-long.
    Bad(&'static str),
}

/// Decodes the frame at the start of `buf` (which runs to the end of the segment).
pub fn decode(buf: &[u8], segment_id: u64, record_bytes_max: u32) -> Decoded {
    let Some(h) = buf.get(..FRAME_HEADER_BYTES) else {
        return if buf.iter().all(|&b| b == 0) {
            Decoded::Zero
        } else {
            Decoded::Bad("truncated header")
        };
    };
    if h.iter().all(|&b| b == 0) {
        return Decoded::Zero;
    }
    let len = u32_at(h, 0);
    let crc = u32_at(h, 4);
    let seq = u64_at(h, 8);
    let floor = u32_at(h, 16);
    let Some(kind) = FrameKind::from_u8(h[20]) else {
        return Decoded::Bad("unknown frame kind");
    };
    if h[21..24] != [0, 0, 0] {
        return Decoded::Bad("reserved bytes not zero");
    }
    let len_ok = match kind {
        FrameKind::Record => len <= record_bytes_max,
        FrameKind::Seal => len == 8,
        FrameKind::Marker => len == 0,
    };
    if !len_ok {
        return Decoded::Bad("length out of range");
    }
    let total = frame_bytes(len as usize);
    let Some(frame) = buf.get(..total) else {
        return Decoded::Bad("frame runs past end of file");
    };
    if checksum(frame, segment_id) != crc {
        return Decoded::Bad("checksum mismatch");
    }
    if seq == 0 {
        return Decoded::Bad("sequence number 0");
    }
    Decoded::Valid(Frame {
        kind,
        seq,
        floor,
        len,
        total,
    })
}

/// How many bytes from a frame's start [`decode`] needs to see to decide, given at least the
/// header's first 4 bytes in `head` (fewer: [`FRAME_HEADER_BYTES`]). A scan reading a segment
/// in pieces passes `decode` at least this many bytes, or all that remain of the segment, and
/// gets the same answer as from the whole segment: a length above every kind's limit is
/// refused before the payload is looked at.
pub fn bytes_needed(head: &[u8], record_bytes_max: u32) -> usize {
    if head.len() < 4 {
        return FRAME_HEADER_BYTES;
    }
    // The largest length any kind accepts: a record's limit, or a seal's 8 bytes.
    let limit = record_bytes_max.max(8);
    frame_bytes(u32_at(head, 0).min(limit) as usize)
}

/// Decodes and returns the payload of a record frame, checking that it is `seq`.
pub fn decode_record(
    buf: &[u8],
    segment_id: u64,
    seq: u64,
    record_bytes_max: u32,
) -> Result<std::ops::Range<usize>, WalError> {
    match decode(buf, segment_id, record_bytes_max) {
        Decoded::Valid(f) if f.kind == FrameKind::Record && f.seq == seq => Ok(f.payload()),
        Decoded::Valid(_) => Err(WalError::corrupt(
            format!("segment {segment_id}"),
            0,
            format!("frame for seq {seq} holds another frame"),
        )),
        Decoded::Zero => Err(WalError::corrupt(
            format!("segment {segment_id}"),
            0,
            format!("frame for seq {seq} is zero"),
        )),
        Decoded::Bad(r) => Err(WalError::corrupt(
            format!("segment {segment_id}"),
            0,
            format!("frame for seq {seq}: {r}"),
        )),
    }
}

/// Converts a segment offset or length to the `u32` stored on disk. Segment sizes and record
/// sizes are validated (options.rs) so that this always fits; a violation is a bug.
pub(crate) fn off32(x: u64) -> u32 {
    assert!(
        u32::try_from(x).is_ok(),
        "segment offset {x} exceeds u32 (options.rs invariant)"
    );
    u32::try_from(x).unwrap_or(u32::MAX)
}

pub(crate) fn u32_at(b: &[u8], at: usize) -> u32 {
    let mut a = [0u8; 4];
    a.copy_from_slice(&b[at..at + 4]);
    u32::from_le_bytes(a)
}

pub(crate) fn u64_at(b: &[u8], at: usize) -> u64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[at..at + 8]);
    u64::from_le_bytes(a)
}
