//! Both sides of every limit: event and request size, events per batch, attribute-name length,
//! the 32-bit integer range, and JSON nesting depth.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::doc_markdown,
    reason = "a test fails loudly by design; its docs name the CloudEvents spec"
)]

mod common;

use common::{BATCH, assert_error, batch, binary, binary_headers, event_with, structured};
use gridlog_format::{
    ATTRIBUTE_NAME_CHARS_MAX, CloudEvent, DATA_DEPTH_MAX, Data, EVENT_BYTES_MAX,
    EVENTS_PER_REQUEST_MAX, Event, ExtensionValue, JSON_DEPTH_MAX, REQUEST_BYTES_MAX, parse_batch,
    parse_request, parse_structured,
};

const MINIMAL: &str = r#"{"specversion":"1.0","id":"1","source":"/s","type":"t"}"#;

/// A structured event of exactly `bytes` bytes: the minimal event plus a string `data` padded
/// to length.
fn event_of_size(bytes: usize) -> String {
    let skeleton = event_with(r#","data":"""#);
    let json = event_with(&format!(
        r#","data":"{}""#,
        "x".repeat(bytes - skeleton.len())
    ));
    assert_eq!(json.len(), bytes);
    json
}

#[test]
fn the_constants_are_the_event_grid_numbers() {
    assert_eq!(EVENT_BYTES_MAX, 1_048_576);
    assert_eq!(REQUEST_BYTES_MAX, 1_048_576);
    assert_eq!(EVENTS_PER_REQUEST_MAX, 1_000);
    assert_eq!(ATTRIBUTE_NAME_CHARS_MAX, 20);
    assert_eq!(gridlog_format::BILLING_UNIT_BYTES, 65_536);
}

#[test]
fn structured_event_of_exactly_the_maximum_size_is_accepted() {
    let json = event_of_size(EVENT_BYTES_MAX);
    let event = structured(&json).unwrap();
    assert_eq!(event.size(), EVENT_BYTES_MAX);
    assert_eq!(event.billing_units(), 16);
}

#[test]
fn request_body_one_byte_over_is_rejected_before_parsing() {
    // Valid JSON plus one byte of trailing whitespace: only the size is wrong.
    let body = format!("{} ", event_of_size(REQUEST_BYTES_MAX));
    let error = assert_error(structured(&body), "RequestTooLarge", None, None);
    assert!(error.is_limit());
    // Not even JSON: the size check comes first.
    let junk = vec![b'x'; REQUEST_BYTES_MAX + 1];
    assert_error(parse_structured(&junk), "RequestTooLarge", None, None);
    assert_error(parse_batch(&junk), "RequestTooLarge", None, None);
    assert_error(
        common::binary(&binary_headers(&[]), &junk),
        "RequestTooLarge",
        None,
        None,
    );
    // Exactly at the limit, the body is parsed (and here fails as JSON, not as size).
    let junk = vec![b'x'; REQUEST_BYTES_MAX];
    assert_error(parse_structured(&junk), "InvalidJson", None, None);
}

#[test]
fn batch_of_exactly_the_maximum_size_is_accepted() {
    let inner = event_of_size(REQUEST_BYTES_MAX - 2);
    let events = batch(&format!("[{inner}]")).unwrap();
    assert_eq!(events[0].size(), REQUEST_BYTES_MAX - 2);
    let error = assert_error(batch(&format!("[{inner} ]")), "RequestTooLarge", None, None);
    assert!(error.is_limit());
}

#[test]
fn built_event_of_exactly_the_maximum_size_is_accepted_and_one_byte_over_is_not() {
    let build = |bytes: usize| {
        let skeleton = event_with(r#","data":"""#).len();
        let mut event = CloudEvent::new("1", "/s", "t");
        event.data = Data::json(&format!("\"{}\"", "x".repeat(bytes - skeleton))).unwrap();
        Event::new(event)
    };
    let event = build(EVENT_BYTES_MAX).unwrap();
    assert_eq!(event.size(), EVENT_BYTES_MAX);
    let error = assert_error(build(EVENT_BYTES_MAX + 1), "EventTooLarge", None, None);
    assert!(error.is_limit());
    assert_eq!(
        error.to_string(),
        "event is 1048577 bytes as structured JSON; the maximum is 1048576"
    );
}

#[test]
fn binary_mode_event_size_counts_the_base64_encoding() {
    // The body fits in a request, but as data_base64 it grows by a third. Sizes are tuned
    // through the length of `id`: the event is `skeleton + 17 + 4 * body / 3` bytes, where 17
    // is `,"data_base64":""`.
    let headers_with_id = |id: &str| {
        vec![
            ("ce-specversion", "1.0".to_owned()),
            ("ce-id", id.to_owned()),
            ("ce-source", "/s".to_owned()),
            ("ce-type", "t".to_owned()),
            ("content-type", "application/octet-stream".to_owned()),
        ]
    };
    let parse = |id: &str, body: &[u8]| {
        let headers = headers_with_id(id);
        gridlog_format::parse_binary(headers.iter().map(|(n, v)| (*n, v.as_bytes())), body)
    };
    let skeleton = parse("1", b"").unwrap().size();
    let room = EVENT_BYTES_MAX - skeleton - 17;
    let body = vec![7_u8; room / 4 * 3];
    let id = "1".repeat(1 + room % 4);
    let event = parse(&id, &body).unwrap();
    assert_eq!(event.size(), EVENT_BYTES_MAX);
    assert!(body.len() < REQUEST_BYTES_MAX);
    let error = assert_error(parse(&format!("{id}1"), &body), "EventTooLarge", None, None);
    assert!(error.is_limit());
}

#[test]
fn batch_of_exactly_the_maximum_count_is_accepted() {
    let body = format!("[{}]", vec![MINIMAL; EVENTS_PER_REQUEST_MAX].join(","));
    let events = parse_request([("content-type", BATCH)], body.as_bytes()).unwrap();
    assert_eq!(events.len(), EVENTS_PER_REQUEST_MAX);
}

#[test]
fn batch_one_over_the_maximum_count_is_rejected() {
    let body = format!("[{}]", vec![MINIMAL; EVENTS_PER_REQUEST_MAX + 1].join(","));
    let error = assert_error(
        parse_request([("content-type", BATCH)], body.as_bytes()),
        "TooManyEvents",
        None,
        None,
    );
    assert!(error.is_limit());
    assert_eq!(error.to_string(), "a batch may hold at most 1000 events");
    // Even when the elements are not events, the count is what is reported.
    let body = format!("[{}]", vec!["1"; EVENTS_PER_REQUEST_MAX + 1].join(","));
    assert_error(batch(&body), "TooManyEvents", None, None);
}

#[test]
fn empty_batch_is_valid() {
    assert_eq!(batch("[]").unwrap().len(), 0);
    assert_eq!(batch(" [ ] \n").unwrap().len(), 0);
}

#[test]
fn attribute_name_of_twenty_characters_is_accepted_and_twenty_one_is_not() {
    let name20 = "abcdefghij0123456789";
    let name21 = "abcdefghij0123456789k";
    assert_eq!(name20.len(), ATTRIBUTE_NAME_CHARS_MAX);
    let event = structured(&event_with(&format!(r#","{name20}":"v""#))).unwrap();
    assert_eq!(
        event.attributes().extension(name20),
        Some(&ExtensionValue::String("v".to_owned()))
    );
    assert_error(
        structured(&event_with(&format!(r#","{name21}":"v""#))),
        "InvalidAttributeName",
        Some(name21),
        None,
    );
    // The same in binary mode, where the header adds the `ce-` prefix.
    let h20 = format!("ce-{name20}");
    let h21 = format!("ce-{name21}");
    assert!(binary(&binary_headers(&[(&h20, "v")]), b"").is_ok());
    assert_error(
        binary(&binary_headers(&[(&h21, "v")]), b""),
        "InvalidAttributeName",
        Some(name21),
        None,
    );
}

#[test]
fn integer_extensions_cover_exactly_the_32_bit_range() {
    for (text, value) in [
        ("2147483647", i32::MAX),
        ("-2147483648", i32::MIN),
        ("0", 0),
        ("-0", 0),
    ] {
        let event = structured(&event_with(&format!(r#","n":{text}"#))).unwrap();
        assert_eq!(
            event.attributes().extension("n"),
            Some(&ExtensionValue::Integer(value))
        );
    }
    for text in ["2147483648", "-2147483649", "99999999999999999999"] {
        let error = assert_error(
            structured(&event_with(&format!(r#","n":{text}"#))),
            "InvalidAttributeValue",
            Some("n"),
            None,
        );
        assert!(error.message().contains("32-bit"), "{error}");
    }
}

/// `depth` nested arrays around `1`.
fn nested(depth: usize) -> String {
    format!("{}1{}", "[".repeat(depth), "]".repeat(depth))
}

#[test]
fn data_nesting_depth_boundary_in_every_mode() {
    let ok = nested(DATA_DEPTH_MAX);
    let deep = nested(DATA_DEPTH_MAX + 1);
    let json_headers = binary_headers(&[("content-type", "application/json")]);
    structured(&event_with(&format!(r#","data":{ok}"#))).unwrap();
    batch(&format!("[{}]", event_with(&format!(r#","data":{ok}"#)))).unwrap();
    binary(&json_headers, ok.as_bytes()).unwrap();

    let message = "member 'data' nests 126 levels deep; the maximum is 125";
    let error = assert_error(
        structured(&event_with(&format!(r#","data":{deep}"#))),
        "InvalidJson",
        Some("data"),
        None,
    );
    assert_eq!(error.message(), message);
    let error = assert_error(
        batch(&format!(
            "[{MINIMAL},{}]",
            event_with(&format!(r#","data":{deep}"#))
        )),
        "InvalidJson",
        Some("data"),
        Some(1),
    );
    assert_eq!(error.message(), message);
    let error = assert_error(
        binary(&json_headers, deep.as_bytes()),
        "InvalidJson",
        Some("data"),
        None,
    );
    assert_eq!(error.message(), message);
}

#[test]
fn json_depth_max_is_what_serde_json_can_read_back() {
    // The deepest batch we accept (an event object with the deepest data, inside an array) is
    // exactly JSON_DEPTH_MAX deep, and serde_json can still deserialize it into a Value.
    let deepest = format!(
        "[{}]",
        event_with(&format!(r#","data":{}"#, nested(DATA_DEPTH_MAX)))
    );
    assert!(serde_json::from_str::<serde_json::Value>(&deepest).is_ok());
    assert!(serde_json::from_str::<serde_json::Value>(&nested(JSON_DEPTH_MAX)).is_ok());
    assert!(serde_json::from_str::<serde_json::Value>(&nested(JSON_DEPTH_MAX + 1)).is_err());
}

#[test]
fn deep_nesting_far_beyond_the_limit_does_not_overflow_the_stack() {
    // Half a megabyte of brackets: serde_json skips RawValues iteratively and the depth check
    // is a linear scan, so this is an ordinary error.
    let deep = nested(250_000);
    assert_error(
        structured(&event_with(&format!(r#","data":{deep}"#))),
        "InvalidJson",
        Some("data"),
        None,
    );
    assert_error(
        structured(&event_with(&format!(r#","x":{deep}"#))),
        "InvalidAttributeValue",
        Some("x"),
        None,
    );
    let unbalanced = "[".repeat(REQUEST_BYTES_MAX);
    assert_error(batch(&unbalanced), "InvalidJson", None, None);
}
