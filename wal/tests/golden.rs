//! Golden bytes: docs/format.md is the specification. This test extracts its fenced
//! ```` ```golden:<name> ```` hex blocks owned by the wal crate and checks that the code produces
//! exactly those bytes for the documented examples (and decodes them back).
//! `WAL_GOLDEN_PRINT=1` prints the blocks the code produces (to update the document on purpose).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::pedantic,
    missing_docs,
    reason = "test code"
)]

use gridlog_testkit::golden::{format_doc, golden_block, to_hex};
use gridlog_wal::frame::{Decoded, FrameKind, decode, encode};
use gridlog_wal::segment::{Meta, SegmentHeader};

const LOG_ID: u64 = 0x0123_4567_89ab_cdef;

fn examples() -> Vec<(&'static str, Vec<u8>)> {
    let mut record = Vec::new();
    encode(&mut record, FrameKind::Record, 1, 1, 48, b"hello");
    let mut seal = Vec::new();
    encode(&mut seal, FrameKind::Seal, 1, 42, 4000, &2u64.to_le_bytes());
    let mut marker = Vec::new();
    encode(&mut marker, FrameKind::Marker, 1, 42, 4024, &[]);
    vec![
        (
            "segment-header-v1",
            SegmentHeader {
                log_id: LOG_ID,
                segment_id: 1,
                base_seq: 1,
            }
            .encode()
            .to_vec(),
        ),
        ("frame-v1", record),
        ("seal-frame-v1", seal),
        ("marker-frame-v1", marker),
        (
            "meta-v1",
            Meta {
                log_id: LOG_ID,
                first_segment_id: 3,
                first_seq: 1001,
            }
            .encode()
            .to_vec(),
        ),
    ]
}

#[test]
fn docs_format_md_matches_the_code() {
    let doc = format_doc();
    let print = std::env::var_os("WAL_GOLDEN_PRINT").is_some();
    let mut checked = 0;
    for (name, bytes) in examples() {
        if print {
            println!("```golden:{name}\n{}\n```", to_hex(&bytes));
            continue;
        }
        let documented = golden_block(&doc, name)
            .unwrap_or_else(|| panic!("docs/format.md has no golden:{name} block"));
        assert_eq!(
            to_hex(&documented),
            to_hex(&bytes),
            "golden:{name} differs from the code"
        );
        checked += 1;
    }
    // The documented bytes decode to the documented values.
    if !print {
        let h = SegmentHeader::decode(&golden_block(&doc, "segment-header-v1").unwrap()).unwrap();
        assert_eq!((h.log_id, h.segment_id, h.base_seq), (LOG_ID, 1, 1));
        let f = golden_block(&doc, "frame-v1").unwrap();
        let Decoded::Valid(fr) = decode(&f, 1, 1024) else {
            panic!("golden frame does not decode")
        };
        assert_eq!(
            (fr.kind, fr.seq, fr.floor, &f[fr.payload()]),
            (FrameKind::Record, 1, 48, &b"hello"[..])
        );
        assert!(
            matches!(decode(&f, 2, 1024), Decoded::Bad(_)),
            "the segment id is part of the checksum"
        );
        let m = Meta::decode(&golden_block(&doc, "meta-v1").unwrap()).unwrap();
        assert_eq!((m.first_segment_id, m.first_seq), (3, 1001));
    }
    println!("golden: {checked} blocks of docs/format.md match the code");
}
