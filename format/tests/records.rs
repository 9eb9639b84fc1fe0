//! The on-disk record codec: round trips, zero-copy decoding, and rejection of every kind of
//! damaged input (truncation at each length, trailing bytes, unknown version or kind,
//! inconsistent size).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly by design"
)]

mod common;

use common::{assert_error, event_with, structured};
use gridlog_format::{
    EVENT_BYTES_MAX, EventRecord, RECORD_VERSION, RecordKind, decode_record, encode_record,
    record_kind,
};

fn full_event() -> gridlog_format::Event {
    structured(&event_with(
        r#","subject":"sub/1","time":"1969-12-31T23:59:59.999999Z","data":{"a":[1,2]}"#,
    ))
    .unwrap()
}

#[test]
fn round_trip_keeps_every_field_and_borrows_from_the_input() {
    for event in [structured(&event_with("")).unwrap(), full_event()] {
        let record = EventRecord::from_event(&event);
        let bytes = encode_record(&record);
        assert_eq!(bytes[0], RECORD_VERSION);
        assert_eq!(bytes[1], RecordKind::Event.as_byte());
        assert_eq!(record_kind(&bytes), Ok(RecordKind::Event));
        let decoded = decode_record(&bytes).unwrap();
        assert_eq!(decoded, record);
        assert_eq!(decoded.event_type(), event.event_type());
        assert_eq!(decoded.subject(), event.subject());
        assert_eq!(
            decoded.time_unix_micros(),
            event.time().map(gridlog_format::Timestamp::unix_micros)
        );
        assert_eq!(decoded.json(), event.json());
        assert_eq!(decoded.size() as usize, event.size());
        // Zero-copy: the JSON is a slice of the record bytes.
        let range = bytes.as_ptr_range();
        assert!(range.contains(&decoded.json().as_ptr()));
        assert!(range.contains(&decoded.event_type().as_ptr()));
    }
}

#[test]
fn negative_time_round_trips() {
    let event = full_event();
    let decoded_time = decode_record(&encode_record(&EventRecord::from_event(&event)))
        .unwrap()
        .time_unix_micros();
    assert_eq!(decoded_time, Some(-1));
}

#[test]
fn every_truncation_is_an_error() {
    let bytes = encode_record(&EventRecord::from_event(&full_event()));
    for len in 0..bytes.len() {
        let error = decode_record(&bytes[..len]).expect_err("truncated record decoded");
        assert_eq!(error.code(), "CorruptRecord", "at length {len}: {error}");
    }
}

#[test]
fn trailing_bytes_are_an_error() {
    let mut bytes = encode_record(&EventRecord::from_event(&full_event()));
    bytes.push(0);
    let error = assert_error(decode_record(&bytes), "CorruptRecord", None, None);
    assert_eq!(error.message(), "event record has 1 trailing bytes");
}

#[test]
fn unknown_versions_and_kinds_are_typed_errors() {
    let good = encode_record(&EventRecord::from_event(&full_event()));
    for version in [0, 2, 255] {
        let mut bytes = good.clone();
        bytes[0] = version;
        assert_error(
            decode_record(&bytes),
            "UnsupportedRecordVersion",
            None,
            None,
        );
        assert_error(record_kind(&bytes), "UnsupportedRecordVersion", None, None);
    }
    for kind in [0, 3, 255] {
        let mut bytes = good.clone();
        bytes[1] = kind;
        assert_error(decode_record(&bytes), "UnknownRecordKind", None, None);
        assert_error(record_kind(&bytes), "UnknownRecordKind", None, None);
    }
    assert_eq!(RecordKind::from_byte(1), Some(RecordKind::Event));
    assert_eq!(RecordKind::from_byte(2), Some(RecordKind::State));
    assert_eq!(RecordKind::from_byte(3), None);
    // A known kind that is not an event is not decoded as one.
    let mut state = good.clone();
    state[1] = RecordKind::State.as_byte();
    let error = assert_error(decode_record(&state), "CorruptRecord", None, None);
    assert_eq!(error.message(), "a state record is not an event record");
}

/// `[1, 1]` followed by a hand-written body.
fn record(body: &[u8]) -> Vec<u8> {
    let mut bytes = vec![1, 1];
    bytes.extend_from_slice(body);
    bytes
}

#[test]
fn inconsistent_or_malformed_bodies_are_errors() {
    // type "t", no subject, no time, size 2, json "{}".
    assert!(decode_record(&record(b"\x01t\x00\x00\x02\x02{}")).is_ok());
    // Size field disagrees with the JSON length.
    let error = assert_error(
        decode_record(&record(b"\x01t\x00\x00\x03\x02{}")),
        "CorruptRecord",
        None,
        None,
    );
    assert_eq!(
        error.message(),
        "event record size field is 3 but its JSON is 2 bytes"
    );
    for body in [
        &b"\x01t\x02\x00\x02\x02{}"[..],            // option tag 2
        b"\x01\xff\x00\x00\x02\x02{}",              // type is not UTF-8
        b"\x05t\x00\x00\x02\x02{}",                 // type length runs past the end
        b"\x01t\x00\x00\x02\xff\xff\xff\xff\x0f{}", // JSON length 2^32 - 1
        b"\x01t\x00\x00\xff\xff\xff\xff\xff\x02{}", // size varint overflows u32
    ] {
        assert_error(decode_record(&record(body)), "CorruptRecord", None, None);
    }
}

#[test]
fn json_larger_than_an_event_can_be_is_rejected() {
    let too_big = EVENT_BYTES_MAX + 1;
    let mut body = b"\x01t\x00\x00".to_vec();
    for value in [too_big, too_big] {
        // LEB128 varint, as postcard writes it.
        let mut v = value;
        while v >= 0x80 {
            body.push(u8::try_from(v & 0x7f).unwrap() | 0x80);
            v >>= 7;
        }
        body.push(u8::try_from(v).unwrap());
    }
    body.resize(body.len() + too_big, b' ');
    let error = assert_error(decode_record(&record(&body)), "CorruptRecord", None, None);
    assert!(error.message().contains("1048576"), "{error}");
}

/// LEB128, as postcard writes a byte string's length: computed here independently of postcard.
fn varint(mut n: usize) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let byte = u8::try_from(n & 0x7f).unwrap();
        n >>= 7;
        if n == 0 {
            out.push(byte);
            return out;
        }
        out.push(byte | 0x80);
    }
}

/// `EmbeddedEventRecord` serializes as exactly the byte string of `encode_record`'s output
/// (varint length, then the record), at lengths whose varint takes 1, 2 and 3 bytes, with and
/// without the optional attributes; and `encoded_len` is that record's length.
#[test]
fn an_embedded_record_is_the_byte_string_of_the_encoded_record() {
    let mut events = vec![structured(&event_with("")).unwrap(), full_event()];
    for data_len in [0, 50, 120, 200, 16_000, 20_000, 600_000] {
        events.push(
            structured(&event_with(&format!(
                r#","subject":"s","data":"{}""#,
                "x".repeat(data_len)
            )))
            .unwrap(),
        );
    }
    let mut lengths = std::collections::BTreeSet::new();
    for event in &events {
        let record = EventRecord::from_event(event);
        let plain = encode_record(&record);
        assert_eq!(record.encoded_len(), plain.len());
        lengths.insert(varint(plain.len()).len());
        let mut expected = varint(plain.len());
        expected.extend_from_slice(&plain);
        let embedded =
            gridlog_format::encode_state_record(&gridlog_format::EmbeddedEventRecord::new(&record));
        // encode_state_record prefixes [RECORD_VERSION, RecordKind::State].
        assert_eq!(embedded[2..], expected[..]);
    }
    assert_eq!(lengths.into_iter().collect::<Vec<_>>(), [1, 2, 3]);
}

/// `encode_state_record_into` appends: records encoded one after another into one buffer (the
/// publish path's batch buffer) lie at the returned ranges, each byte for byte what
/// `encode_state_record` gives alone, and nothing before them is touched.
#[test]
fn state_records_appended_into_one_buffer_equal_their_own_encodings() {
    let bodies: Vec<(u32, String, Vec<u8>)> = vec![
        (0, String::new(), vec![]),
        (7, "orders".into(), vec![1, 2, 3]),
        (u32::MAX, "x".repeat(300), vec![0xab; 2000]),
    ];
    let mut buf = vec![0xee; 5];
    let mut ranges = Vec::new();
    for body in &bodies {
        ranges.push(gridlog_format::encode_state_record_into(body, &mut buf));
    }
    assert_eq!(buf[..5], [0xee; 5]);
    assert_eq!(ranges[0].start, 5);
    for (body, range) in bodies.iter().zip(&ranges) {
        assert_eq!(
            buf[range.clone()],
            gridlog_format::encode_state_record(body)[..]
        );
    }
    assert_eq!(ranges.last().map(|r| r.end), Some(buf.len()));
}
