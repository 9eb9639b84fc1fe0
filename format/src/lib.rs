//! CloudEvents 1.0 model, validation, codecs, limits and on-disk record encoding for gridlog.
//! No I/O: every function here is a pure transformation of bytes and values.
//!
//! # Receiving events
//!
//! [`parse_request`] takes a publish request's headers and body, picks the content mode from
//! `Content-Type` ([`Mode`]), and returns validated [`Event`]s. Each event owns the exact
//! structured-JSON bytes that are stored and later delivered ([`Event::json`]): for structured
//! and batch input, the bytes of the event object exactly as received; for binary mode, a
//! canonical compact encoding. The parsed attributes are available through
//! [`Event::attributes`].
//!
//! ```
//! use gridlog_format::{EventRecord, ExtensionValue, decode_record, encode_record, parse_request};
//!
//! // What the Python SDK sends for `send(CloudEvent(...))`.
//! let body = br#"[{"id": "id-1", "source": "/test/source", "type": "Demo.Created", "specversion": "1.0", "time": "2024-01-02T03:04:05Z", "subject": "sub/1", "data": {"key1": "v1", "n": 5}, "myext": "extval"}]"#;
//! let headers = [("content-type", &b"application/cloudevents-batch+json; charset=utf-8"[..])];
//! let events = parse_request(headers, body)?;
//!
//! let event = &events[0];
//! assert_eq!(event.event_type(), "Demo.Created");
//! assert_eq!(event.time().map(|t| t.unix_micros()), Some(1_704_164_645_000_000));
//! assert_eq!(event.attributes().extension("myext"), Some(&ExtensionValue::String("extval".into())));
//! assert_eq!(event.json(), &body[1..body.len() - 1]); // byte-identical
//! assert_eq!(event.billing_units(), 1);
//!
//! // What the engine stores, and reads back without copying.
//! let stored = encode_record(&EventRecord::from_event(event));
//! let record = decode_record(&stored)?;
//! assert_eq!(record.subject(), Some("sub/1"));
//! assert_eq!(record.json(), event.json());
//! # Ok::<(), gridlog_format::FormatError>(())
//! ```
//!
//! Events built in code go through [`Event::new`], which applies the same validation.
//!
//! `data` is optional, as in CloudEvents and Event Grid's API definition. (Event Grid's live
//! service rejected an event with empty required attributes *and* no data with "'data'
//! attribute is required"; whether it rejects an otherwise valid event without data is
//! unverified, so this crate does not.)
//!
//! # Limits
//!
//! | constant | value | exceeded → |
//! |---|---|---|
//! | [`EVENT_BYTES_MAX`] | 1,048,576 bytes of structured JSON per event | `EventTooLarge` |
//! | [`REQUEST_BYTES_MAX`] | 1,048,576 bytes per request body, checked before parsing | `RequestTooLarge` |
//! | [`EVENTS_PER_REQUEST_MAX`] | 1,000 events per batch (`[]` is valid) | `TooManyEvents` |
//! | [`ATTRIBUTE_NAME_CHARS_MAX`] | 20 characters, `[a-z0-9]` | `InvalidAttributeName` |
//! | [`JSON_DEPTH_MAX`] | 127 levels of arrays/objects in a batch; `data` gets [`DATA_DEPTH_MAX`] = 125 | `InvalidJson` |
//! | [`BILLING_UNIT_BYTES`] | 65,536; [`billing_units`] = `max(1, ceil(bytes / 65536))` | — |
//!
//! Parsing never panics, never recurses on input nesting, and allocates in proportion to the
//! (already size-capped) input only.
//!
//! # Error codes
//!
//! Every failure is a [`FormatError`] with a stable [`code`](FormatError::code), the attribute
//! concerned, and in a batch the zero-based [`index`](FormatError::index) of the event.
//! The server answers 413 when [`is_limit`](FormatError::is_limit) is true, else 400.
//!
//! | code | meaning |
//! |---|---|
//! | `MissingAttribute` | `specversion`, `id`, `source` or `type` is absent or `null` |
//! | `EmptyAttribute` | `specversion`, `id`, `source`, `type`, `subject`, `dataschema` or `datacontenttype` is `""` |
//! | `InvalidSpecVersion` | `specversion` is not `"1.0"` |
//! | `InvalidAttributeName` | a member or `ce-` header name is not `[a-z0-9]{1,20}`, or an extension uses a reserved name |
//! | `InvalidAttributeValue` | wrong JSON type; object/array/fraction/out-of-i32 extension; control character or noncharacter in a String; malformed `datacontenttype`; non-string `data` under a non-JSON `datacontenttype` |
//! | `InvalidTime` | `time` is not RFC 3339 |
//! | `InvalidUri` | `source` is not a URI-reference, `dataschema` not an absolute URI |
//! | `DataConflict` | both `data` and `data_base64` are present |
//! | `InvalidBase64` | `data_base64` is not standard padded base64 |
//! | `InvalidJson` | body not UTF-8 or not JSON, wrong shape (object/array), or `data` too deep, holding a lone UTF-16 surrogate escape (`"\ud800"`), or (binary mode) not JSON |
//! | `DuplicateAttribute` | a member or `ce-` header appears twice |
//! | `InvalidContentType` | unsupported `application/cloudevents*` format or charset, malformed or repeated `Content-Type` |
//! | `InvalidHeader` | undecodable `ce-` header value (bad quoting, bad `%XX`, invalid UTF-8), or `ce-datacontenttype`/`ce-data` present |
//! | `EventTooLarge` | an event's structured JSON exceeds [`EVENT_BYTES_MAX`] (413) |
//! | `RequestTooLarge` | the body exceeds [`REQUEST_BYTES_MAX`] (413) |
//! | `TooManyEvents` | a batch holds more than [`EVENTS_PER_REQUEST_MAX`] events (413) |
//! | `UnsupportedRecordVersion` | a stored record's version byte is not [`RECORD_VERSION`] |
//! | `UnknownRecordKind` | a stored record's kind byte is unknown |
//! | `CorruptRecord` | a stored record is truncated, has trailing bytes or inconsistent fields, or is of another kind than the decoder reads |
//!
//! # On-disk records
//!
//! [`encode_record`] and [`decode_record`] define what the engine stores per event; the bytes
//! are specified in `docs/format.md` §6 and pinned by golden tests.

#![expect(
    clippy::doc_markdown,
    reason = "the docs name the CloudEvents specification, which is prose, not code"
)]

mod billing;
mod binary;
mod error;
mod event;
pub mod limits;
mod mode;
mod record;
mod serialize;
mod structured;
mod time;
mod validate;

#[doc(hidden)]
pub mod fuzzing;

pub use billing::billing_units;
pub use binary::parse_binary;
pub use error::{ErrorKind, FormatError};
pub use event::{CloudEvent, Data, Event, ExtensionValue, Timestamp};
pub use limits::{
    ATTRIBUTE_NAME_CHARS_MAX, BILLING_UNIT_BYTES, DATA_DEPTH_MAX, EVENT_BYTES_MAX,
    EVENTS_PER_REQUEST_MAX, JSON_DEPTH_MAX, REQUEST_BYTES_MAX, SPEC_VERSION,
};
pub use mode::{Mode, parse_request};
pub use record::{
    EmbeddedEventRecord, EventRecord, RECORD_VERSION, RecordKind, decode_record,
    decode_state_record, encode_record, encode_state_record, encode_state_record_into, record_kind,
};
pub use structured::{parse_batch, parse_structured};
pub use validate::is_json_media_type;

/// `serde_json`'s `RawValue`, the type of [`Data::Json`], re-exported so users need not depend
/// on `serde_json` to build JSON data.
pub use serde_json::value::RawValue;
