//! Structured mode (`application/cloudevents+json`, one object) and batch mode
//! (`application/cloudevents-batch+json`, an array of objects).
//!
//! Each event keeps the exact bytes of its JSON object as received: the single body with the
//! surrounding whitespace trimmed, or the span of one array element. Members are read as
//! `(name, &RawValue)` pairs by a hand-written visitor, so nothing is lost, duplicates are
//! caught, and `data` keeps its bytes (and so its number formatting).
//!
//! Nesting cannot exhaust the stack: `serde_json` skips a `RawValue` iteratively, attribute
//! values are scalars, and the depth of `data` is checked by a linear scan.

use std::borrow::Cow;
use std::cell::Cell;
use std::fmt;

use base64::Engine as _;
use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

use crate::error::{ErrorKind, FormatError};
use crate::event::{CloudEvent, Data, Event, ExtensionValue, Timestamp};
use crate::limits::{EVENTS_PER_REQUEST_MAX, SPEC_VERSION};
use crate::validate;

/// Parses a structured-mode body: one CloudEvent as a JSON object.
///
/// The event's [`json`](Event::json) is `body` without its leading and trailing JSON whitespace.
pub fn parse_structured(body: &[u8]) -> Result<Event, FormatError> {
    validate::check_request_size(body.len())?;
    let text = utf8(body)?;
    let raw = serde_json::from_str::<&RawValue>(text).map_err(|error| invalid_json(&error))?;
    event_from_raw(raw)
}

/// Parses a batch-mode body: a JSON array of up to
/// [`EVENTS_PER_REQUEST_MAX`](crate::EVENTS_PER_REQUEST_MAX) CloudEvent objects. `[]` is valid.
///
/// An error about one event carries its zero-based [`index`](FormatError::index).
pub fn parse_batch(body: &[u8]) -> Result<Vec<Event>, FormatError> {
    validate::check_request_size(body.len())?;
    let text = utf8(body)?;
    if !text.trim_start_matches(is_json_whitespace).starts_with('[') {
        return Err(FormatError::new(
            ErrorKind::InvalidJson,
            "a batch body must be a JSON array of events",
        ));
    }
    let too_many = Cell::new(false);
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let elements = BatchSeed {
        too_many: &too_many,
    }
    .deserialize(&mut deserializer)
    .and_then(|elements| deserializer.end().map(|()| elements));
    let elements = match elements {
        Ok(elements) => elements,
        Err(_) if too_many.get() => {
            return Err(FormatError::new(
                ErrorKind::TooManyEvents,
                format!("a batch may hold at most {EVENTS_PER_REQUEST_MAX} events"),
            ));
        }
        Err(error) => return Err(invalid_json(&error)),
    };
    elements
        .into_iter()
        .enumerate()
        .map(|(index, raw)| event_from_raw(raw).map_err(|error| error.at(index)))
        .collect()
}

fn utf8(body: &[u8]) -> Result<&str, FormatError> {
    std::str::from_utf8(body).map_err(|error| {
        FormatError::new(
            ErrorKind::InvalidJson,
            format!(
                "body is not UTF-8 (invalid byte at offset {})",
                error.valid_up_to()
            ),
        )
    })
}

fn invalid_json(error: &serde_json::Error) -> FormatError {
    FormatError::new(
        ErrorKind::InvalidJson,
        format!("body is not valid JSON: {error}"),
    )
}

fn is_json_whitespace(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
}

/// One event from the raw text of a JSON value (already known to be well-formed JSON).
fn event_from_raw(raw: &RawValue) -> Result<Event, FormatError> {
    let text = raw.get();
    if !text.starts_with('{') {
        return Err(FormatError::new(
            ErrorKind::InvalidJson,
            "an event must be a JSON object",
        ));
    }
    validate::check_event_size(text.len())?;
    let members =
        serde_json::from_str::<Members<'_>>(text).map_err(|error| invalid_json(&error))?;
    let attributes = attributes_from_members(&members.0)?;
    validate::validate(&attributes)?;
    Ok(Event::from_parts(text.into(), attributes))
}

/// Maps the members of an event object onto the model, checking what only the JSON form shows:
/// duplicates, JSON types, required members, `specversion`, and `data` vs `data_base64`.
fn attributes_from_members(members: &[(Key<'_>, &RawValue)]) -> Result<CloudEvent, FormatError> {
    if let Some(name) = validate::first_duplicate(members.iter().map(|(key, _)| key.0.as_ref())) {
        return Err(validate::duplicate(name));
    }
    let mut specversion = None;
    let mut id = None;
    let mut source = None;
    let mut event_type = None;
    let mut event = CloudEvent::new("", "", "");
    let mut time = None;
    let mut data = None;
    let mut data_base64 = None;
    for (key, value) in members {
        let name = key.0.as_ref();
        match name {
            "specversion" => specversion = string_member(name, value)?,
            "id" => id = string_member(name, value)?,
            "source" => source = string_member(name, value)?,
            "type" => event_type = string_member(name, value)?,
            "datacontenttype" => event.datacontenttype = string_member(name, value)?,
            "dataschema" => event.dataschema = string_member(name, value)?,
            "subject" => event.subject = string_member(name, value)?,
            "time" => time = string_member(name, value)?,
            "data" => data = Some(*value),
            "data_base64" => data_base64 = Some(*value),
            _ => {
                validate::attribute_name(name)?;
                if let Some(value) = extension_value(name, value)? {
                    event.extensions.push((name.to_owned(), value));
                }
            }
        }
    }
    match specversion.as_deref() {
        None => return Err(missing("specversion")),
        Some(SPEC_VERSION) => {}
        Some("") => return Err(empty("specversion")),
        Some(other) => {
            return Err(FormatError::attr(
                ErrorKind::InvalidSpecVersion,
                "specversion",
                format!(
                    "attribute 'specversion' is {other:?}; only \"{SPEC_VERSION}\" is supported"
                ),
            ));
        }
    }
    event.id = id.ok_or_else(|| missing("id"))?;
    event.source = source.ok_or_else(|| missing("source"))?;
    event.event_type = event_type.ok_or_else(|| missing("type"))?;
    event.time = time.as_deref().map(Timestamp::parse).transpose()?;
    event.data = match (data, data_base64) {
        (Some(_), Some(_)) => {
            return Err(FormatError::attr(
                ErrorKind::DataConflict,
                "data_base64",
                "members 'data' and 'data_base64' are mutually exclusive",
            ));
        }
        (Some(data), None) => Data::Json(data.to_owned()),
        (None, Some(encoded)) => match string_member("data_base64", encoded)? {
            None => Data::Absent,
            Some(encoded) => Data::Binary(decode_base64(&encoded)?),
        },
        (None, None) => Data::Absent,
    };
    Ok(event)
}

/// A string-typed member: `null` means unset; anything but a string is an error.
fn string_member(name: &str, value: &RawValue) -> Result<Option<String>, FormatError> {
    match value.get().as_bytes().first() {
        Some(b'n') => Ok(None),
        Some(b'"') => serde_json::from_str::<String>(value.get())
            .map(Some)
            .map_err(|error| {
                FormatError::attr(
                    ErrorKind::InvalidAttributeValue,
                    name,
                    format!("attribute '{name}' is not a valid string: {error}"),
                )
            }),
        _ => Err(FormatError::attr(
            ErrorKind::InvalidAttributeValue,
            name,
            format!("attribute '{name}' must be a JSON string"),
        )),
    }
}

/// An extension value: string, boolean or 32-bit integer; `null` means unset.
fn extension_value(name: &str, value: &RawValue) -> Result<Option<ExtensionValue>, FormatError> {
    let text = value.get();
    let invalid = |what: &str| {
        FormatError::attr(
            ErrorKind::InvalidAttributeValue,
            name,
            format!("extension attribute '{name}' {what}"),
        )
    };
    match text.as_bytes().first() {
        Some(b'n') => Ok(None),
        Some(b't') => Ok(Some(ExtensionValue::Boolean(true))),
        Some(b'f') => Ok(Some(ExtensionValue::Boolean(false))),
        Some(b'"') => string_member(name, value).map(|s| s.map(ExtensionValue::String)),
        Some(b'{') => Err(invalid(
            "is an object; it must be a string, integer or boolean",
        )),
        Some(b'[') => Err(invalid(
            "is an array; it must be a string, integer or boolean",
        )),
        _ if text.contains(['.', 'e', 'E']) => Err(invalid(
            "is a number with a fraction or exponent; CloudEvents integers have only an integer component",
        )),
        _ => text
            .parse::<i32>()
            .map(|n| Some(ExtensionValue::Integer(n)))
            .map_err(|_| {
                invalid("is outside the 32-bit signed integer range -2147483648..=2147483647")
            }),
    }
}

pub(crate) fn decode_base64(encoded: &str) -> Result<Vec<u8>, FormatError> {
    base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .map_err(|error| {
            FormatError::attr(
                ErrorKind::InvalidBase64,
                "data_base64",
                format!("member 'data_base64' is not valid base64 (RFC 4648, padded): {error}"),
            )
        })
}

fn missing(name: &str) -> FormatError {
    FormatError::attr(
        ErrorKind::MissingAttribute,
        name,
        format!("required attribute '{name}' is missing"),
    )
}

fn empty(name: &str) -> FormatError {
    FormatError::attr(
        ErrorKind::EmptyAttribute,
        name,
        format!("attribute '{name}' must not be empty"),
    )
}

/// A member name, borrowed from the input unless it contained escapes.
struct Key<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a member name")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}

/// All members of a JSON object in order, duplicates included.
struct Members<'a>(Vec<(Key<'a>, &'a RawValue)>);

impl<'de> Deserialize<'de> for Members<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct MembersVisitor;
        impl<'de> Visitor<'de> for MembersVisitor {
            type Value = Members<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut members = Vec::new();
                while let Some(entry) = map.next_entry::<Key<'de>, &'de RawValue>()? {
                    members.push(entry);
                }
                Ok(Members(members))
            }
        }
        deserializer.deserialize_map(MembersVisitor)
    }
}

/// The elements of a batch array, stopping at one past the event limit so an oversized batch
/// costs no more than the limit.
struct BatchSeed<'f> {
    too_many: &'f Cell<bool>,
}

impl<'de> DeserializeSeed<'de> for BatchSeed<'_> {
    type Value = Vec<&'de RawValue>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for BatchSeed<'_> {
    type Value = Vec<&'de RawValue>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON array of events")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut elements = Vec::new();
        while let Some(element) = seq.next_element::<&'de RawValue>()? {
            if elements.len() == EVENTS_PER_REQUEST_MAX {
                self.too_many.set(true);
                return Err(de::Error::custom("too many events"));
            }
            elements.push(element);
        }
        Ok(elements)
    }
}
