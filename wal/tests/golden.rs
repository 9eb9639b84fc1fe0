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

fn to_hex(bytes: &[u8]) -> String {
    bytes
        .chunks(16)
        .map(|c| {
            c.iter()
                .map(|b| format!("{b:02x}"))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The hex block named `golden:<name>` in the document, as bytes.
fn block(doc: &str, name: &str) -> Option<Vec<u8>> {
    let fence = format!("```golden:{name}\n");
    let start = doc.find(&fence)? + fence.len();
    let end = start + doc[start..].find("```")?;
    let mut out = Vec::new();
    for line in doc[start..end].lines() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let bytes: Vec<&str> = line.split(' ').collect();
        assert!(
            bytes.len() <= 16,
            "golden:{name}: more than 16 bytes on a line"
        );
        for b in bytes {
            assert!(
                b.len() == 2 && b == b.to_lowercase(),
                "golden:{name}: bad hex byte {b:?}"
            );
            out.push(u8::from_str_radix(b, 16).unwrap());
        }
    }
    Some(out)
}

#[test]
fn docs_format_md_matches_the_code() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/format.md");
    let doc = std::fs::read_to_string(path).unwrap();
    let print = std::env::var_os("WAL_GOLDEN_PRINT").is_some();
    let mut checked = 0;
    for (name, bytes) in examples() {
        if print {
            println!("```golden:{name}\n{}\n```", to_hex(&bytes));
            continue;
        }
        let documented = block(&doc, name)
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
        let h = SegmentHeader::decode(&block(&doc, "segment-header-v1").unwrap()).unwrap();
        assert_eq!((h.log_id, h.segment_id, h.base_seq), (LOG_ID, 1, 1));
        let f = block(&doc, "frame-v1").unwrap();
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
        let m = Meta::decode(&block(&doc, "meta-v1").unwrap()).unwrap();
        assert_eq!((m.first_segment_id, m.first_seq), (3, 1001));
    }
    println!("golden: {checked} blocks of docs/format.md match the code");
}
