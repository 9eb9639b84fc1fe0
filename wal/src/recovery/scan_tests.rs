//! The chunked frame scan against the whole-file one: [`SegmentReader`] with chunk sizes that
//! make frames straddle every refill (and outgrow the buffer), over segments with every kind of
//! damage; the scan must end where, and with what, a scan over the whole file in memory ends.
//! Randomized: each test prints its seed; `WAL_TEST_SEED=<seed>` replays it.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code")]

use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use super::reader::SegmentReader;
use super::scan::{Scan, scan_frames};
use crate::frame::{self, Decoded, FRAME_HEADER_BYTES, FrameKind, u64_at};
use crate::segment::SEGMENT_HEADER_BYTES;
use crate::testing::Rng;
use crate::vfs::{FileHandle, MappedBytes, VfsFile};

/// A read-only file in memory that counts its reads.
#[derive(Debug)]
struct MemFile {
    data: Vec<u8>,
    reads: AtomicU64,
}

fn unsupported() -> io::Error {
    io::Error::other("read-only test file")
}

impl VfsFile for MemFile {
    fn read_exact_at(&self, buf: &mut [u8], offset: u64) -> io::Result<()> {
        self.reads.fetch_add(1, Ordering::Relaxed);
        let start = usize::try_from(offset).unwrap();
        let src = self
            .data
            .get(start..start + buf.len())
            .ok_or(io::ErrorKind::UnexpectedEof)?;
        buf.copy_from_slice(src);
        Ok(())
    }
    fn write_all_at(&self, _buf: &[u8], _offset: u64) -> io::Result<()> {
        Err(unsupported())
    }
    fn len(&self) -> io::Result<u64> {
        Ok(self.data.len() as u64)
    }
    fn allocate(&self, _len: u64) -> io::Result<()> {
        Err(unsupported())
    }
    fn sync_data(&self) -> io::Result<()> {
        Err(unsupported())
    }
    fn sync_all(&self) -> io::Result<()> {
        Err(unsupported())
    }
    fn map(&self) -> io::Result<MappedBytes> {
        Ok(Arc::new(self.data.clone()))
    }
}

fn mem_file(data: Vec<u8>) -> (Arc<MemFile>, FileHandle) {
    let f = Arc::new(MemFile {
        data,
        reads: AtomicU64::new(0),
    });
    let h: FileHandle = f.clone();
    (f, h)
}

/// The scan as recovery did it before the reader: `decode` on the rest of the whole file.
fn whole_file_scan(scan: &mut Scan, buf: &[u8], id: u64, max: u32) {
    scan.bad = None;
    while scan.end < buf.len() {
        let off = scan.end;
        match frame::decode(&buf[off..], id, max) {
            Decoded::Valid(f) if f.seq == scan.next => {
                scan.max_floor = scan.max_floor.max(u64::from(f.floor));
                scan.end += f.total;
                match f.kind {
                    FrameKind::Record => {
                        scan.index.push(u32::try_from(off).unwrap());
                        scan.next += 1;
                        scan.last_is_marker = false;
                    }
                    FrameKind::Marker => scan.last_is_marker = true,
                    FrameKind::Seal => {
                        scan.seal = Some((f.seq, u64_at(&buf[off..], FRAME_HEADER_BYTES)));
                        return;
                    }
                }
            }
            Decoded::Valid(_) => {
                scan.bad = Some("valid frame with an unexpected sequence number");
                return;
            }
            Decoded::Zero => return,
            Decoded::Bad(r) => {
                scan.bad = Some(r);
                return;
            }
        }
    }
}

type Outcome = (
    Vec<u32>,
    u64,
    usize,
    u64,
    Option<(u64, u64)>,
    bool,
    Option<&'static str>,
);

fn outcome(s: Scan) -> Outcome {
    (
        s.index,
        s.next,
        s.end,
        s.max_floor,
        s.seal,
        s.last_is_marker,
        s.bad,
    )
}

const ID: u64 = 7;
const BASE: u64 = 100;
const MAX: u32 = 200_000;

/// A segment: header, frames of mixed sizes (some larger than the reader's chunk and slack),
/// then one kind of damage or ending, chosen by `rng`.
fn segment(rng: &mut Rng) -> Vec<u8> {
    let mut out = vec![0u8; SEGMENT_HEADER_BYTES];
    rng.fill(&mut out);
    let mut seq = BASE;
    let frames = rng.below(60);
    for _ in 0..frames {
        let len = match rng.below(10) {
            0 => 5_000 + rng.below(20_000),
            1 => 66_000 + rng.below(100_000),
            _ => rng.below(3_000),
        };
        let mut payload = vec![0u8; usize::try_from(len).unwrap()];
        rng.fill(&mut payload);
        let floor = u32::try_from(rng.below(out.len() as u64 + 1)).unwrap();
        if rng.below(15) == 0 {
            frame::encode(&mut out, FrameKind::Marker, ID, seq, floor, &[]);
        } else {
            frame::encode(&mut out, FrameKind::Record, ID, seq, floor, &payload);
            seq += 1;
        }
    }
    let frame_start = out.len();
    match rng.below(9) {
        0 => {}
        1 => frame::encode(
            &mut out,
            FrameKind::Seal,
            ID,
            seq,
            0,
            &(ID + 1).to_le_bytes(),
        ),
        2 => {
            // A frame of another segment (recycled file).
            frame::encode(&mut out, FrameKind::Record, ID - 1, seq, 0, &[1; 100]);
        }
        3 => {
            // A frame with the wrong sequence number.
            frame::encode(&mut out, FrameKind::Record, ID, seq + 5, 0, &[2; 300]);
        }
        4 => {
            // A torn frame: cut short at the end of the file.
            frame::encode(&mut out, FrameKind::Record, ID, seq, 0, &[3; 9_000]);
            let cut = frame_start + usize::try_from(rng.below(9_000)).unwrap();
            out.truncate(cut);
        }
        5 => {
            // A header claiming more than the record limit.
            frame::encode(&mut out, FrameKind::Record, ID, seq, 0, &[4; 64]);
            out[frame_start..frame_start + 4].copy_from_slice(&(MAX + 1).to_le_bytes());
        }
        6 if out.len() > SEGMENT_HEADER_BYTES => {
            // A flipped byte anywhere after the segment header.
            let span = (out.len() - SEGMENT_HEADER_BYTES) as u64;
            let at = SEGMENT_HEADER_BYTES + usize::try_from(rng.below(span)).unwrap();
            out[at] ^= 1 << rng.below(8);
        }
        7 => {
            // Garbage (a torn write of random bytes).
            let mut junk = vec![0u8; usize::try_from(rng.below(5_000)).unwrap()];
            rng.fill(&mut junk);
            out.extend_from_slice(&junk);
        }
        _ => {
            // A valid frame whose length runs past the end of the file.
            frame::encode(&mut out, FrameKind::Record, ID, seq, 0, &vec![5; 50_000]);
            out.truncate(frame_start + FRAME_HEADER_BYTES + 10);
        }
    }
    // The zero-filled rest of a preallocated segment, sometimes none.
    let zeros =
        usize::try_from(rng.below(3)).unwrap() * usize::try_from(rng.below(40_000)).unwrap();
    out.resize(out.len() + zeros, 0);
    out
}

/// Page multiples from one page to a few (every refill straddles frames) and the real chunk.
fn chunk(rng: &mut Rng) -> usize {
    match rng.below(5) {
        0 => super::reader::SCAN_CHUNK_BYTES,
        n => 4096 * usize::try_from(n).unwrap(),
    }
}

#[test]
fn chunked_scan_equals_whole_file_scan() {
    let seed = Rng::env_seed(0x5CA1_AB1E);
    println!("chunked_scan_equals_whole_file_scan: seed {seed} (replay: WAL_TEST_SEED={seed})");
    let mut rng = Rng::new(seed);
    // One reader for every case, as a scan thread reuses it across segments.
    let mut src = SegmentReader::new(chunk(&mut rng));
    for case in 0..400 {
        let data = segment(&mut rng);
        if rng.below(4) == 0 {
            src = SegmentReader::new(chunk(&mut rng));
        }
        let (mem, file) = mem_file(data.clone());
        let mut expected = Scan {
            next: BASE,
            end: SEGMENT_HEADER_BYTES,
            ..Scan::default()
        };
        whole_file_scan(&mut expected, &data, ID, MAX);
        let mut got = Scan {
            next: BASE,
            end: SEGMENT_HEADER_BYTES,
            ..Scan::default()
        };
        src.open(file).unwrap();
        scan_frames(&mut got, &mut src, ID, MAX).unwrap();
        let (exp_end, got_end) = (expected.end, got.end);
        assert_eq!(
            outcome(got),
            outcome(expected),
            "seed {seed}, case {case}: {} bytes, ended at {got_end} instead of {exp_end}",
            data.len()
        );
        assert!(
            mem.reads.load(Ordering::Relaxed) <= (data.len() / 4096 + 1) as u64,
            "seed {seed}, case {case}: more reads than pages"
        );
    }
}

#[test]
fn reader_returns_the_requested_bytes_at_any_offset() {
    let seed = Rng::env_seed(0x00FF_5E70);
    println!(
        "reader_returns_the_requested_bytes_at_any_offset: seed {seed} (replay: WAL_TEST_SEED={seed})"
    );
    let mut rng = Rng::new(seed);
    for case in 0..200 {
        let mut data = vec![0u8; usize::try_from(rng.below(300_000)).unwrap()];
        rng.fill(&mut data);
        let mut src = SegmentReader::new(chunk(&mut rng));
        let (_, file) = mem_file(data.clone());
        src.open(file).unwrap();
        assert_eq!(src.len(), data.len());
        let mut off = 0usize;
        for _ in 0..100 {
            // Mostly forward, sometimes back or far ahead, as the scan and its callers move.
            off = match rng.below(6) {
                0 => usize::try_from(rng.below(data.len() as u64 + 10)).unwrap(),
                _ => off + usize::try_from(rng.below(5_000)).unwrap(),
            };
            let need = usize::try_from(match rng.below(8) {
                0 => rng.below(150_000),
                _ => rng.below(2_000),
            })
            .unwrap();
            let got = src.bytes(off, need).unwrap();
            let rest = data.get(off..).unwrap_or(&[]);
            assert!(
                got.len() >= need.min(rest.len()),
                "seed {seed}, case {case}: {} bytes at {off}, {need} needed",
                got.len()
            );
            assert_eq!(
                got,
                &rest[..got.len()],
                "seed {seed}, case {case}: bytes at {off}"
            );
        }
    }
}

#[test]
fn reader_reports_a_failed_read_and_recovers_on_the_next_file() {
    #[derive(Debug)]
    struct Failing;
    impl VfsFile for Failing {
        fn read_exact_at(&self, _buf: &mut [u8], _offset: u64) -> io::Result<()> {
            Err(io::Error::from_raw_os_error(5))
        }
        fn write_all_at(&self, _buf: &[u8], _offset: u64) -> io::Result<()> {
            Err(unsupported())
        }
        fn len(&self) -> io::Result<u64> {
            Ok(10_000)
        }
        fn allocate(&self, _len: u64) -> io::Result<()> {
            Err(unsupported())
        }
        fn sync_data(&self) -> io::Result<()> {
            Err(unsupported())
        }
        fn sync_all(&self) -> io::Result<()> {
            Err(unsupported())
        }
        fn map(&self) -> io::Result<MappedBytes> {
            Err(unsupported())
        }
    }
    let mut src = SegmentReader::new(4096);
    src.open(Arc::new(Failing)).unwrap();
    let e = src.bytes(0, 10).unwrap_err();
    assert_eq!(e.raw_os_error(), Some(5));
    let (_, file) = mem_file((0..=255u8).cycle().take(9_000).collect());
    src.open(file).unwrap();
    assert_eq!(&src.bytes(4_000, 200).unwrap()[..3], &[160, 161, 162]);
}
