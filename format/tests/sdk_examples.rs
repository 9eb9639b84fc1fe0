//! The publish bodies captured from the real Python and JS SDKs (reference §2.4, §2.5), and the
//! invalid events the reference documents, through `parse_request` with the captured headers.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::doc_markdown,
    reason = "a test fails loudly by design; its docs name the CloudEvents spec"
)]

mod common;

use common::{BATCH, STRUCTURED, assert_error};
use gridlog_format::{Data, Event, ExtensionValue, parse_request, parse_structured};

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/sdk/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Parses `body` as the SDK sent it and checks the captured `Content-Length`.
fn publish(content_type: &[u8], name: &str, content_length: usize) -> (Vec<u8>, Vec<Event>) {
    let body = fixture(name);
    assert_eq!(
        body.len(),
        content_length,
        "fixture {name} is not the captured body"
    );
    let events = parse_request([("content-type", content_type)], &body)
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    (body, events)
}

/// Each event's stored bytes are the exact bytes of its array element: joining them with the
/// separators the SDK used gives back the whole body.
fn assert_byte_identical_batch(body: &[u8], events: &[Event], separator: &str) {
    let mut rebuilt = b"[".to_vec();
    for (i, event) in events.iter().enumerate() {
        if i > 0 {
            rebuilt.extend_from_slice(separator.as_bytes());
        }
        rebuilt.extend_from_slice(event.json());
    }
    rebuilt.push(b']');
    assert_eq!(
        String::from_utf8_lossy(&rebuilt),
        String::from_utf8_lossy(body)
    );
    // And each stored event re-parses to itself.
    for event in events {
        assert_eq!(&parse_structured(event.json()).unwrap(), event);
    }
}

#[test]
fn python_send_single_event() {
    let (body, events) = publish(BATCH, "python-send-single.json", 191);
    assert_eq!(events.len(), 1);
    assert_byte_identical_batch(&body, &events, ", ");
    let event = &events[0];
    assert_eq!(event.id(), "id-1");
    assert_eq!(event.source(), "/test/source");
    assert_eq!(event.event_type(), "Demo.Created");
    assert_eq!(event.specversion(), "1.0");
    assert_eq!(event.subject(), Some("sub/1"));
    let time = event.time().unwrap();
    assert_eq!(time.as_str(), "2024-01-02T03:04:05Z");
    assert_eq!(time.unix_micros(), 1_704_164_645_000_000);
    assert_eq!(event.datacontenttype(), None);
    assert_eq!(
        event.extensions(),
        [(
            "myext".to_owned(),
            ExtensionValue::String("extval".to_owned())
        )]
    );
    let Data::Json(data) = event.data() else {
        panic!("expected JSON data, got {:?}", event.data())
    };
    assert_eq!(
        data.get(),
        r#"{"key1": "v1", "n": 5}"#,
        "data keeps its spacing"
    );
    assert_eq!(event.size(), 189);
    assert_eq!(event.billing_units(), 1);
}

#[test]
fn python_send_list_with_data_base64() {
    let (body, events) = publish(BATCH, "python-send-list.json", 392);
    assert_eq!(events.len(), 2);
    assert_byte_identical_batch(&body, &events, ", ");
    let binary = &events[1];
    assert_eq!(binary.id(), "id-2");
    assert_eq!(binary.event_type(), "Demo.Bin");
    assert_eq!(binary.datacontenttype(), Some("application/octet-stream"));
    assert_eq!(binary.data(), &Data::Binary(b"\x00\x01binary".to_vec()));
    let time = binary.time().unwrap();
    assert_eq!(time.as_str(), "2026-11-23T17:46:50.272736Z");
    assert_eq!(time.unix_micros(), 1_795_456_010_272_736);
    assert!(binary.extensions().is_empty());
}

#[test]
fn python_send_dict() {
    let (body, events) = publish(BATCH, "python-send-dict.json", 82);
    assert_byte_identical_batch(&body, &events, ", ");
    let event = &events[0];
    assert_eq!(event.id(), "id-3");
    assert_eq!(event.time(), None);
    let Data::Json(data) = event.data() else {
        panic!("expected JSON data")
    };
    assert_eq!(data.get(), r#""str""#);
}

#[test]
fn js_send_single_structured() {
    let (body, events) = publish(STRUCTURED, "js-send-single.json", 222);
    assert_eq!(events.len(), 1);
    let event = &events[0];
    assert_eq!(event.json(), body.as_slice(), "byte-identical");
    assert_eq!(
        event.datacontenttype(),
        Some("application/cloudevents+json; charset=utf-8")
    );
    assert_eq!(
        event.time().unwrap().unix_micros(),
        1_704_164_645_000_000,
        "JS sends .000Z"
    );
    let Data::Json(data) = event.data() else {
        panic!("expected JSON data: the content type is */*+json")
    };
    assert_eq!(data.get(), r#"{"key1":"v1","n":5}"#);
}

#[test]
fn js_send_array() {
    let (body, events) = publish(BATCH, "js-send-array.json", 408);
    assert_eq!(events.len(), 2);
    assert_byte_identical_batch(&body, &events, ",");
    assert_eq!(events[1].id(), "8020c8e3-98f6-4dd5-afbe-a45aa0751c8f");
    assert_eq!(events[1].data(), &Data::Binary(vec![0, 1, 98]));
}

#[test]
fn go_empty_attributes_are_rejected() {
    // What the Go SDK sent in the live-service test that got a 400.
    let body = br#"[{"id":"","source":"","specversion":"","type":""}]"#;
    let error = assert_error(
        parse_request([("content-type", BATCH)], body),
        "EmptyAttribute",
        Some("specversion"),
        Some(0),
    );
    assert!(!error.is_limit());
    assert_eq!(
        error.to_string(),
        "event 0: attribute 'specversion' must not be empty"
    );
}

#[test]
fn python_dict_that_is_not_an_event_is_rejected() {
    // `send({"foo":"bar"})` is passed through verbatim by the SDK.
    let error = assert_error(
        parse_request([("content-type", BATCH)], br#"[{"foo": "bar"}]"#),
        "MissingAttribute",
        Some("specversion"),
        Some(0),
    );
    assert_eq!(
        error.to_string(),
        "event 0: required attribute 'specversion' is missing"
    );
}

#[test]
fn upper_case_extension_name_is_rejected() {
    // The Python SDK sends `"myExt"` as-is.
    let body = br#"[{"id": "id-1", "source": "/s", "type": "T", "specversion": "1.0", "myExt": "extval"}]"#;
    assert_error(
        parse_request([("content-type", BATCH)], body),
        "InvalidAttributeName",
        Some("myExt"),
        Some(0),
    );
}

#[test]
fn the_error_names_the_offending_event_in_a_batch() {
    let body = fixture("python-send-list.json");
    let broken = String::from_utf8(body).unwrap().replace(
        r#""data_base64": "AAFiaW5hcnk=""#,
        r#""data_base64": "AAFiaW5hcnk""#,
    );
    assert_error(
        parse_request([("content-type", BATCH)], broken.as_bytes()),
        "InvalidBase64",
        Some("data_base64"),
        Some(1),
    );
}
