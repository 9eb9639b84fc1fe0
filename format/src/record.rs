//! The on-disk record payload the engine stores per event (docs/format.md §6).
//!
//! ```text
//! byte 0   record format version (1)
//! byte 1   record kind (1 = event)
//! 2..      postcard encoding of the kind's body
//! ```
//!
//! An event body holds the few attributes the engine filters on without parsing JSON (`type`,
//! `subject`, `time`), the event's size, and its exact structured-JSON bytes. Decoding is
//! zero-copy: an [`EventRecord`] borrows its strings and JSON from the input, so bytes read from
//! a mapped segment can be delivered without copying or re-encoding.
//!
//! postcard is used only in this file. It is pinned to an exact version because its encoding is
//! our on-disk format; `format/tests/golden.rs` checks the bytes against docs/format.md.

use serde::{Deserialize, Serialize};
use std::ops::Range;

use crate::error::{ErrorKind, FormatError};
use crate::event::Event;
use crate::limits::EVENT_BYTES_MAX;

/// The record format version written by this build, byte 0 of every record.
pub const RECORD_VERSION: u8 = 1;

/// Byte 1 of every record: what the body holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
#[repr(u8)]
pub enum RecordKind {
    /// A published event ([`EventRecord`]).
    Event = 1,
    /// A state-change record of the engine ([`encode_state_record`]): the body is the postcard
    /// encoding of a type the engine defines and documents in docs/format.md.
    State = 2,
}

impl RecordKind {
    /// The kind for byte `value`, if this build knows it.
    pub fn from_byte(value: u8) -> Option<Self> {
        match value {
            1 => Some(Self::Event),
            2 => Some(Self::State),
            _ => None,
        }
    }

    /// The byte written for this kind.
    pub fn as_byte(self) -> u8 {
        self as u8
    }
}

/// The stored form of one event. Built from an [`Event`] or decoded (borrowing) from bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventRecord<'a> {
    event_type: &'a str,
    subject: Option<&'a str>,
    time_unix_micros: Option<i64>,
    json: &'a [u8],
}

impl<'a> EventRecord<'a> {
    /// The record for a validated event, borrowing from it.
    pub fn from_event(event: &'a Event) -> Self {
        Self {
            event_type: event.event_type(),
            subject: event.subject(),
            time_unix_micros: event.time().map(crate::event::Timestamp::unix_micros),
            json: event.json(),
        }
    }

    /// `type`.
    pub fn event_type(&self) -> &'a str {
        self.event_type
    }

    /// `subject`.
    pub fn subject(&self) -> Option<&'a str> {
        self.subject
    }

    /// `time` in microseconds since the Unix epoch.
    pub fn time_unix_micros(&self) -> Option<i64> {
        self.time_unix_micros
    }

    /// The event's structured-JSON bytes, exactly as validated and stored.
    pub fn json(&self) -> &'a [u8] {
        self.json
    }

    /// Size of [`Self::json`] in bytes, at most [`EVENT_BYTES_MAX`].
    pub fn size(&self) -> u32 {
        // An EventRecord is only built from a validated Event or a decoded record, both of
        // which bound the JSON by EVENT_BYTES_MAX, which fits in u32 (checked in limits.rs).
        debug_assert!(self.json.len() <= EVENT_BYTES_MAX);
        u32::try_from(self.json.len()).unwrap_or(u32::MAX)
    }
}

/// The postcard body of an event record, field order as in docs/format.md §6. Frozen: a
/// change is a new [`RECORD_VERSION`].
#[derive(Serialize, Deserialize)]
struct EventBodyV1<'a> {
    #[serde(borrow)]
    event_type: &'a str,
    #[serde(borrow)]
    subject: Option<&'a str>,
    time_unix_micros: Option<i64>,
    size: u32,
    #[serde(borrow)]
    json: Bytes<'a>,
}

/// A borrowed byte string, encoded as postcard bytes (varint length, then the bytes).
struct Bytes<'a>(&'a [u8]);

impl Serialize for Bytes<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bytes(self.0)
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Bytes<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        <&'de [u8]>::deserialize(deserializer).map(Bytes)
    }
}

impl<'a> EventRecord<'a> {
    fn body(&self) -> EventBodyV1<'a> {
        EventBodyV1 {
            event_type: self.event_type,
            subject: self.subject,
            time_unix_micros: self.time_unix_micros,
            size: self.size(),
            json: Bytes(self.json),
        }
    }

    /// Length of [`encode_record`]'s output for this record, without encoding it.
    pub fn encoded_len(&self) -> usize {
        // A counting pass over strings, integers and bytes cannot fail.
        2 + postcard::experimental::serialized_size(&self.body()).unwrap_or(0)
    }
}

/// An event record serialized in place as the byte string `encode_record` would produce
/// (postcard bytes: varint length, then `[RECORD_VERSION, RecordKind::Event, body]`), without
/// building that byte string first. For embedding an event record in a state record in one pass
/// (the publish path); the engine checks the equality in debug builds, and
/// `format/tests/record_embed.rs` pins it. Meaningful for postcard only (this crate's one
/// on-disk encoding): other serializers would not see a byte string.
pub struct EmbeddedEventRecord<'r, 'a> {
    record: &'r EventRecord<'a>,
    /// `record.encoded_len()`, counted once.
    len: usize,
}

impl<'r, 'a> EmbeddedEventRecord<'r, 'a> {
    /// Wraps `record`, counting its encoded length once.
    pub fn new(record: &'r EventRecord<'a>) -> Self {
        Self {
            record,
            len: record.encoded_len(),
        }
    }

    /// The length of the embedded byte string (`encode_record(record).len()`): the embedding
    /// ends with exactly these bytes.
    pub fn encoded_len(&self) -> usize {
        self.len
    }
}

impl Serialize for EmbeddedEventRecord<'_, '_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeTuple as _;
        // postcard: a u64 is a varint and a u8 one raw byte, so (len, version, kind, body)
        // is byte for byte `serialize_bytes(&encode_record(record))`.
        let mut tuple = serializer.serialize_tuple(4)?;
        tuple.serialize_element(&(self.len as u64))?;
        tuple.serialize_element(&RECORD_VERSION)?;
        tuple.serialize_element(&RecordKind::Event.as_byte())?;
        tuple.serialize_element(&self.record.body())?;
        tuple.end()
    }
}

/// Encodes `record` as `[RECORD_VERSION, RecordKind::Event, postcard body]`.
pub fn encode_record(record: &EventRecord<'_>) -> Vec<u8> {
    let body = record.body();
    let mut out: Vec<u8> = Vec::with_capacity(record.json.len() + record.event_type.len() + 32);
    out.push(RECORD_VERSION);
    out.push(RecordKind::Event.as_byte());
    #[expect(
        clippy::expect_used,
        reason = "postcard serialization of strings, integers and bytes into a Vec cannot fail"
    )]
    postcard::serialize_with_flavor(&body, AppendVec(&mut out))
        .expect("postcard encodes EventBodyV1 into a Vec");
    // Paired with decode: what is written must read back as the same record.
    debug_assert_eq!(decode_record(&out).ok().as_ref(), Some(record));
    out
}

/// Reads the version and kind bytes of a record, rejecting versions and kinds this build does
/// not know.
pub fn record_kind(bytes: &[u8]) -> Result<RecordKind, FormatError> {
    let [version, kind, ..] = *bytes else {
        return Err(corrupt(format!(
            "record is {} bytes, shorter than its 2-byte header",
            bytes.len()
        )));
    };
    if version != RECORD_VERSION {
        return Err(FormatError::new(
            ErrorKind::UnsupportedRecordVersion,
            format!(
                "record format version {version} is not supported (this build reads {RECORD_VERSION})"
            ),
        ));
    }
    RecordKind::from_byte(kind).ok_or_else(|| {
        FormatError::new(
            ErrorKind::UnknownRecordKind,
            format!("record kind {kind} is unknown"),
        )
    })
}

/// Decodes an event record, borrowing from `bytes`. Total: any input gives a record or an
/// error, never a panic; lengths are bounded by the input and by [`EVENT_BYTES_MAX`], and
/// trailing bytes are an error.
pub fn decode_record(bytes: &[u8]) -> Result<EventRecord<'_>, FormatError> {
    match record_kind(bytes)? {
        RecordKind::Event => {}
        RecordKind::State => return Err(corrupt("a state record is not an event record".into())),
    }
    let body = bytes.get(2..).unwrap_or_default();
    let (decoded, rest) = postcard::take_from_bytes::<EventBodyV1<'_>>(body)
        .map_err(|error| corrupt(format!("event record body does not decode: {error}")))?;
    if !rest.is_empty() {
        return Err(corrupt(format!(
            "event record has {} trailing bytes",
            rest.len()
        )));
    }
    let json = decoded.json.0;
    if json.len() > EVENT_BYTES_MAX {
        return Err(corrupt(format!(
            "event record holds {} bytes of JSON; the maximum is {EVENT_BYTES_MAX}",
            json.len()
        )));
    }
    if usize::try_from(decoded.size).ok() != Some(json.len()) {
        return Err(corrupt(format!(
            "event record size field is {} but its JSON is {} bytes",
            decoded.size,
            json.len()
        )));
    }
    Ok(EventRecord {
        event_type: decoded.event_type,
        subject: decoded.subject,
        time_unix_micros: decoded.time_unix_micros,
        json,
    })
}

/// Encodes an engine state-change record as `[RECORD_VERSION, RecordKind::State, postcard
/// body]`. The engine owns the body type; this function is the only place it is encoded, so the
/// encoding stays postcard behind one door.
pub fn encode_state_record<T: Serialize>(body: &T) -> Vec<u8> {
    // Sized exactly (a counting pass is far cheaper than growing the Vec through reallocations
    // for a 1 KiB publish record).
    let body_len = postcard::experimental::serialized_size(body).unwrap_or(64);
    let mut out: Vec<u8> = Vec::with_capacity(2 + body_len);
    encode_state_record_into(body, &mut out);
    out
}

/// [`encode_state_record`], appended to `out` (for many records in one buffer: the publish
/// path encodes a batch without an allocation per record). Returns where the record lies in
/// `out`. The caller sizes `out`; growing it is correct, only slower.
pub fn encode_state_record_into<T: Serialize>(body: &T, out: &mut Vec<u8>) -> Range<usize> {
    let start = out.len();
    out.push(RECORD_VERSION);
    out.push(RecordKind::State.as_byte());
    #[expect(
        clippy::expect_used,
        reason = "the engine's state bodies are plain integers, strings, bytes and enums, which \
                  postcard always encodes into a Vec"
    )]
    postcard::serialize_with_flavor(body, AppendVec(out))
        .expect("postcard encodes a state body into a Vec");
    start..out.len()
}

/// A postcard output that appends to a borrowed `Vec` with `extend_from_slice` (a `memcpy` for
/// an event's JSON; postcard's own `to_extend` pushes a byte at a time through an iterator,
/// 7% of publish CPU). The bytes are those of `postcard::to_extend`.
struct AppendVec<'a>(&'a mut Vec<u8>);

impl postcard::ser_flavors::Flavor for AppendVec<'_> {
    type Output = ();

    fn try_push(&mut self, data: u8) -> postcard::Result<()> {
        self.0.push(data);
        Ok(())
    }

    fn try_extend(&mut self, data: &[u8]) -> postcard::Result<()> {
        self.0.extend_from_slice(data);
        Ok(())
    }

    fn finalize(self) -> postcard::Result<()> {
        Ok(())
    }
}

/// Decodes an engine state-change record, borrowing from `bytes`. Total: any input gives a
/// body or an error (wrong version or kind, truncated body, trailing bytes), never a panic.
pub fn decode_state_record<'de, T: Deserialize<'de>>(bytes: &'de [u8]) -> Result<T, FormatError> {
    match record_kind(bytes)? {
        RecordKind::State => {}
        RecordKind::Event => return Err(corrupt("an event record is not a state record".into())),
    }
    let body = bytes.get(2..).unwrap_or_default();
    let (decoded, rest) = postcard::take_from_bytes::<T>(body)
        .map_err(|error| corrupt(format!("state record body does not decode: {error}")))?;
    if !rest.is_empty() {
        return Err(corrupt(format!(
            "state record has {} trailing bytes",
            rest.len()
        )));
    }
    Ok(decoded)
}

fn corrupt(message: String) -> FormatError {
    FormatError::new(ErrorKind::CorruptRecord, message)
}

#[cfg(test)]
mod tests {
    use serde::{Deserialize, Serialize};

    use super::{decode_record, decode_state_record, encode_state_record};
    use crate::ErrorKind;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    enum Body<'a> {
        Ack { subscription: u64, seq: u64 },
        Named(#[serde(borrow)] &'a str),
    }

    #[test]
    fn state_records_round_trip_and_are_framed_by_version_and_kind() {
        let bytes = encode_state_record(&Body::Ack {
            subscription: 3,
            seq: 300,
        });
        // version 1, kind 2 (state), variant 0, varint 3, varint 300 = 0xac 0x02.
        assert_eq!(bytes, [1, 2, 0, 3, 0xac, 0x02]);
        let back: Body<'_> = decode_state_record(&bytes).unwrap();
        assert_eq!(
            back,
            Body::Ack {
                subscription: 3,
                seq: 300
            }
        );
        let named = encode_state_record(&Body::Named("orders"));
        assert_eq!(
            decode_state_record::<Body<'_>>(&named).unwrap(),
            Body::Named("orders")
        );
    }

    #[test]
    fn state_and_event_records_are_not_confused_and_damage_is_typed() {
        let bytes = encode_state_record(&Body::Named("x"));
        assert_eq!(
            decode_record(&bytes).unwrap_err().kind(),
            ErrorKind::CorruptRecord
        );
        let mut trailing = bytes.clone();
        trailing.push(0);
        assert_eq!(
            decode_state_record::<Body<'_>>(&trailing)
                .unwrap_err()
                .kind(),
            ErrorKind::CorruptRecord
        );
        assert_eq!(
            decode_state_record::<Body<'_>>(&bytes[..bytes.len() - 1])
                .unwrap_err()
                .kind(),
            ErrorKind::CorruptRecord
        );
        assert_eq!(
            decode_state_record::<Body<'_>>(&[9, 2, 0])
                .unwrap_err()
                .kind(),
            ErrorKind::UnsupportedRecordVersion
        );
        assert_eq!(
            decode_state_record::<Body<'_>>(&[1, 7, 0])
                .unwrap_err()
                .kind(),
            ErrorKind::UnknownRecordKind
        );
    }
}
