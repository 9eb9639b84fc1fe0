//! Fuzz target bodies, shared by the cargo-fuzz targets in `fuzz/` and by the stable
//! `tests/corpus_replay.rs`, so the committed corpus runs in every CI.
//!
//! Each function must not panic on any input; it also checks the invariants every accepted
//! event must satisfy (re-parsing its stored bytes gives the same event; the record round-trips).

use crate::{Event, EventRecord, decode_record, encode_record, parse_request, parse_structured};

/// Feeds `data` as a body to [`parse_request`] under the batch and the structured media type.
pub fn structured(data: &[u8]) {
    for content_type in [
        &b"application/cloudevents-batch+json; charset=utf-8"[..],
        &b"application/cloudevents+json"[..],
    ] {
        if let Ok(events) = parse_request([("content-type", content_type)], data) {
            events.iter().for_each(check_event);
        }
    }
}

/// Interprets `data` as an HTTP-like message, `name:value` header lines, an empty line, then
/// the body, and feeds it to [`parse_request`] (binary mode unless the headers say otherwise).
pub fn binary(data: &[u8]) {
    let (head, body) = match data.windows(2).position(|w| w == b"\n\n") {
        Some(at) => (&data[..at], &data[at + 2..]),
        None => (data, &[][..]),
    };
    let headers: Vec<(&str, &[u8])> = head
        .split(|&b| b == b'\n')
        .filter_map(|line| {
            let colon = line.iter().position(|&b| b == b':')?;
            let name = std::str::from_utf8(&line[..colon]).ok()?;
            Some((name, &line[colon + 1..]))
        })
        .collect();
    if let Ok(events) = parse_request(headers, body) {
        events.iter().for_each(check_event);
    }
}

/// Feeds `data` to [`decode_record`]; a decoded record must survive encode and decode.
/// (postcard accepts over-long varints, so re-encoding need not reproduce `data` exactly.)
pub fn record(data: &[u8]) {
    if let Ok(record) = decode_record(data) {
        let encoded = encode_record(&record);
        assert_eq!(
            decode_record(&encoded).ok(),
            Some(record),
            "record did not round-trip"
        );
    }
}

fn check_event(event: &Event) {
    let reparsed = parse_structured(event.json()).unwrap_or_else(|error| {
        panic!("stored bytes of an accepted event do not re-parse: {error}")
    });
    assert_eq!(&reparsed, event, "re-parsing changed the event");
    let encoded = encode_record(&EventRecord::from_event(event));
    let decoded = decode_record(&encoded)
        .unwrap_or_else(|error| panic!("a fresh record does not decode: {error}"));
    assert_eq!(decoded, EventRecord::from_event(event));
}
