//! Damaged input: valid bodies with bytes flipped, inserted, deleted or truncated must give an
//! event or an error, never a panic, and whatever is accepted must satisfy the same invariants
//! the fuzz targets check (stored bytes re-parse to the same event; the record round-trips).
//! This is a cheap stable-Rust complement to the cargo-fuzz targets.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly by design"
)]

use gridlog_format::fuzzing;
use proptest::prelude::*;

const SEEDS: [&[u8]; 5] = [
    br#"[{"id": "id-1", "source": "/test/source", "type": "Demo.Created", "specversion": "1.0", "time": "2024-01-02T03:04:05Z", "subject": "sub/1", "data": {"key1": "v1", "n": 5}, "myext": "extval"}]"#,
    br#"{"id":"id-1","source":"/test/source","data":{"key1":"v1","n":5},"type":"Demo.Created","time":"2024-01-02T03:04:05.000Z","specversion":"1.0","datacontenttype":"application/cloudevents+json; charset=utf-8","subject":"sub/1"}"#,
    br#"[{"specversion":"1.0","id":"2","source":"/s","type":"t","data_base64":"AAFi","n":-5,"b":true}]"#,
    b"ce-specversion:1.0\nce-id:1\nce-source:/s\nce-type:t\nce-x:%E2%82%AC\ncontent-type:application/json\n\n{\"a\":[1,2.50]}",
    b"ce-specversion:1.0\nce-id:1\nce-source:/s\nce-type:t\ncontent-type:application/octet-stream\n\n\x00\x01\x02",
];

#[derive(Debug, Clone)]
enum Edit {
    Flip(usize, u8),
    Insert(usize, u8),
    Delete(usize),
    Truncate(usize),
}

fn apply(input: &[u8], edits: &[Edit]) -> Vec<u8> {
    let mut bytes = input.to_vec();
    for edit in edits {
        let len = bytes.len().max(1);
        match *edit {
            Edit::Flip(at, mask) => {
                if let Some(b) = bytes.get_mut(at % len) {
                    *b ^= mask;
                }
            }
            Edit::Insert(at, byte) => bytes.insert(at % (bytes.len() + 1), byte),
            Edit::Delete(at) => {
                if !bytes.is_empty() {
                    bytes.remove(at % len);
                }
            }
            Edit::Truncate(at) => bytes.truncate(at % len),
        }
    }
    bytes
}

fn edit() -> impl Strategy<Value = Edit> {
    // Bytes that matter to the grammars involved.
    let interesting = prop_oneof![
        any::<u8>(),
        proptest::sample::select(b"{}[]\",:\\%\n0-.eE".to_vec()),
    ];
    prop_oneof![
        (any::<usize>(), 1_u8..).prop_map(|(at, mask)| Edit::Flip(at, mask)),
        (any::<usize>(), interesting).prop_map(|(at, byte)| Edit::Insert(at, byte)),
        any::<usize>().prop_map(Edit::Delete),
        any::<usize>().prop_map(Edit::Truncate),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(512)
    ))]

    #[test]
    fn damaged_inputs_never_panic(
        seed in proptest::sample::select(&SEEDS[..]),
        edits in proptest::collection::vec(edit(), 1..4),
    ) {
        let input = apply(seed, &edits);
        fuzzing::structured(&input);
        fuzzing::binary(&input);
        fuzzing::record(&input);
    }
}
