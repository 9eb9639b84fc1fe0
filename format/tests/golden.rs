//! The record encoding is pinned by docs/format.md §6: every ```` ```golden:NAME ```` hex block
//! in the record sections must be exactly what `encode_record` produces for the event in the
//! ```` ```json event:NAME ```` block next to it, and must decode back to that event's fields.
//! Changing the encoding, or the document, without the other breaks this test.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly by design"
)]

use gridlog_format::{EventRecord, decode_record, encode_record, parse_structured};
use gridlog_testkit::golden::{fenced_blocks, format_doc_section, parse_hex, to_hex};

const BEGIN: &str = "<!-- BEGIN record sections";
const END: &str = "<!-- END record sections -->";

#[test]
fn docs_golden_blocks_match_the_encoder() {
    let sections = format_doc_section(BEGIN, END);
    let goldens = fenced_blocks(&sections, "golden:");
    let events = fenced_blocks(&sections, "json event:");
    assert!(
        goldens.len() >= 2,
        "docs/format.md §6 must hold at least two golden blocks"
    );
    for (name, hex) in &goldens {
        let (_, json) = events
            .iter()
            .find(|(event_name, _)| event_name == name)
            .unwrap_or_else(|| panic!("no ```json event:{name} block for golden:{name}"));
        let event = parse_structured(json.as_bytes())
            .unwrap_or_else(|e| panic!("event:{name} is not a valid event: {e}"));
        assert_eq!(
            event.json_str(),
            json.trim(),
            "event:{name} must be compact, one line"
        );
        let encoded = encode_record(&EventRecord::from_event(&event));
        assert_eq!(
            to_hex(&encoded),
            hex.trim(),
            "golden:{name} differs from the encoder; the encoder gives:\n{}",
            to_hex(&encoded)
        );
        let expected = parse_hex(hex);
        assert_eq!(encoded, expected);
        let decoded = decode_record(&expected).unwrap();
        assert_eq!(decoded, EventRecord::from_event(&event));
        assert_eq!(decoded.event_type(), event.event_type());
        assert_eq!(decoded.subject(), event.subject());
        assert_eq!(
            decoded.time_unix_micros(),
            event.time().map(gridlog_format::Timestamp::unix_micros)
        );
        assert_eq!(decoded.json(), json.trim().as_bytes());
    }
}
