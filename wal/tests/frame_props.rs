//! Property tests of the byte codecs: frames and headers round-trip, and decoding arbitrary or
//! mutated bytes never panics and never accepts a changed frame. Recovery of a segment file
//! made of arbitrary bytes never panics (it fails with `Corrupt` or opens a consistent log).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::pedantic,
    missing_docs,
    reason = "test code"
)]

use std::sync::Arc;

use gridlog_wal::frame::{Decoded, FrameKind, decode, encode, frame_bytes};
use gridlog_wal::segment::{Meta, SegmentHeader};
use gridlog_wal::testing::CrashFs;
use gridlog_wal::{Seq, Vfs, Wal, WalError, WalOptions};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn frames_round_trip(payload in proptest::collection::vec(any::<u8>(), 0..600), seg in 1u64..u64::MAX, seq in 1u64..u64::MAX, floor: u32) {
        let mut buf = Vec::new();
        encode(&mut buf, FrameKind::Record, seg, seq, floor, &payload);
        prop_assert_eq!(buf.len(), frame_bytes(payload.len()));
        prop_assert_eq!(buf.len() % 8, 0);
        let Decoded::Valid(f) = decode(&buf, seg, 1 << 20) else { panic!("valid frame rejected") };
        prop_assert_eq!((f.seq, f.floor, &buf[f.payload()]), (seq, floor, payload.as_slice()));
        // Any single-bit flip anywhere in the frame is rejected.
        let bit = (seq as usize) % (buf.len() * 8);
        let mut bad = buf.clone();
        bad[bit / 8] ^= 1 << (bit % 8);
        prop_assert!(!matches!(decode(&bad, seg, 1 << 20), Decoded::Valid(_)));
        // The frame is bound to its segment.
        prop_assert!(!matches!(decode(&buf, seg ^ 1, 1 << 20), Decoded::Valid(_)));
    }

    #[test]
    fn decoding_arbitrary_bytes_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..200), seg: u64, max in 0u32..1000) {
        let _ = decode(&bytes, seg, max);
        let _ = SegmentHeader::decode(&bytes);
        let _ = Meta::decode(&bytes);
    }

    #[test]
    fn headers_round_trip(log_id: u64, id in 1u64..u64::MAX, base in 1u64..u64::MAX) {
        let h = SegmentHeader { log_id, segment_id: id, base_seq: base };
        prop_assert_eq!(SegmentHeader::decode(&h.encode()).unwrap(), h);
        let m = Meta { log_id, first_segment_id: id, first_seq: base };
        prop_assert_eq!(Meta::decode(&m.encode()).unwrap(), m);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// A real segment with random bytes spliced in at a random place: recovery either refuses
    /// (`Corrupt`) or opens a log whose records are exactly a prefix of what was written.
    #[test]
    fn recovery_of_mangled_segments_never_panics(at in 48usize..4096, junk in proptest::collection::vec(any::<u8>(), 1..300)) {
        let fs = CrashFs::new();
        let opts = WalOptions { segment_bytes_target: 4096, prepare_spare: false, ..WalOptions::default() };
        let vfs: Arc<dyn Vfs> = Arc::new(fs.clone());
        let (wal, _) = Wal::open_with_vfs(vfs.clone(), "/w", opts.clone()).unwrap();
        let recs: Vec<Vec<u8>> = (0..12u8).map(|i| vec![i; 20 + usize::from(i) * 13]).collect();
        for r in &recs {
            wal.append(r).unwrap();
        }
        let path = std::path::Path::new("/w").join(format!("{:020}.wal", wal.segments()[0].seqs.start.get()));
        drop(wal);
        let mut bytes = fs.read_file(&path).unwrap();
        let end = (at + junk.len()).min(bytes.len());
        bytes[at..end].copy_from_slice(&junk[..end - at]);
        fs.write_file(&path, &bytes);
        match Wal::open_with_vfs(vfs, "/w", opts) {
            Ok((wal, _)) => {
                for s in 1..wal.next_seq().get() {
                    let got = wal.read(Seq(s)).unwrap();
                    prop_assert_eq!(&*got, recs[(s - 1) as usize].as_slice());
                }
            }
            Err(WalError::Corrupt { .. }) => {}
            Err(e) => panic!("unexpected error {e}"),
        }
    }
}
