//! Content-mode detection from `Content-Type` and dispatch by `parse_request`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::doc_markdown,
    reason = "a test fails loudly by design; its docs name the CloudEvents spec"
)]

mod common;

use common::{assert_error, event_with};
use gridlog_format::{Mode, parse_request};

#[test]
fn modes_from_media_types() {
    for (content_type, mode) in [
        ("application/cloudevents+json", Mode::Structured),
        (
            "application/cloudevents+json; charset=utf-8",
            Mode::Structured,
        ),
        (
            "APPLICATION/CLOUDEVENTS+JSON; CHARSET=UTF-8",
            Mode::Structured,
        ),
        (
            "application/cloudevents+json;charset=\"UTF-8\"",
            Mode::Structured,
        ),
        (" application/cloudevents+json ", Mode::Structured),
        ("application/cloudevents-batch+json", Mode::Batch),
        (
            "application/cloudevents-batch+json; charset=utf-8",
            Mode::Batch,
        ),
        ("Application/CloudEvents-Batch+JSON", Mode::Batch),
        ("application/json", Mode::Binary),
        ("application/octet-stream", Mode::Binary),
        ("text/plain; charset=latin1", Mode::Binary),
    ] {
        assert_eq!(Mode::of(Some(content_type)), Ok(mode), "{content_type}");
    }
    assert_eq!(Mode::of(None), Ok(Mode::Binary));
}

#[test]
fn unsupported_event_formats_and_charsets_are_rejected() {
    for content_type in [
        "application/cloudevents",
        "application/cloudevents+xml",
        "application/cloudevents-batch",
        "application/cloudevents-batch+avro",
        "application/cloudevents+json; charset=latin1",
        "application/cloudevents-batch+json; charset=utf-16",
    ] {
        assert_error(
            Mode::of(Some(content_type)),
            "InvalidContentType",
            None,
            None,
        );
    }
}

#[test]
fn parse_request_uses_the_content_type_header() {
    let event = event_with("");
    let structured = parse_request(
        [("Content-Type", &b"application/cloudevents+json"[..])],
        event.as_bytes(),
    )
    .unwrap();
    assert_eq!(structured.len(), 1);
    let batch = parse_request(
        [("content-type", &b"application/cloudevents-batch+json"[..])],
        format!("[{event},{event}]").as_bytes(),
    )
    .unwrap();
    assert_eq!(batch.len(), 2);
    // A single event sent with the batch media type is not an array.
    assert_error(
        parse_request(
            [("content-type", &b"application/cloudevents-batch+json"[..])],
            event.as_bytes(),
        ),
        "InvalidJson",
        None,
        None,
    );
    // An array sent with the structured media type is not an object.
    assert_error(
        parse_request(
            [("content-type", &b"application/cloudevents+json"[..])],
            format!("[{event}]").as_bytes(),
        ),
        "InvalidJson",
        None,
        None,
    );
}

#[test]
fn content_type_header_problems() {
    let body = event_with("");
    assert_error(
        parse_request(
            [
                ("content-type", &b"application/cloudevents+json"[..]),
                ("Content-Type", b"application/cloudevents+json"),
            ],
            body.as_bytes(),
        ),
        "InvalidContentType",
        None,
        None,
    );
    assert_error(
        parse_request(
            [("content-type", &b"application/\xff"[..])],
            body.as_bytes(),
        ),
        "InvalidContentType",
        None,
        None,
    );
    // Without a Content-Type the request is binary mode, which needs ce- headers.
    assert_error(
        parse_request([], body.as_bytes()),
        "MissingAttribute",
        Some("specversion"),
        None,
    );
}
