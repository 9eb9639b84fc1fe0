//! The CloudEvent model: [`CloudEvent`] holds the attributes and data of an event as values;
//! [`Event`] is a *validated* CloudEvent together with its exact structured-JSON bytes.
//!
//! An [`Event`] can only be obtained through validation (the parsers, or [`Event::new`]), so
//! holding one proves that its bytes are a valid CloudEvent within the size limits. The bytes are
//! what gets stored and delivered: for structured and batch input they are the bytes exactly as
//! received; for binary mode and [`Event::new`] they are the canonical encoding written by
//! [`crate::serialize`].

use std::fmt;

use serde_json::value::RawValue;

use crate::billing::billing_units;
use crate::error::FormatError;
use crate::limits::SPEC_VERSION;

/// An RFC 3339 timestamp, kept as received plus its instant in microseconds since the Unix epoch
/// (sub-microsecond digits are truncated towards the past).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Timestamp {
    text: String,
    unix_micros: i64,
}

impl Timestamp {
    /// Parses an RFC 3339 timestamp such as `2024-01-02T03:04:05Z`.
    pub fn parse(text: &str) -> Result<Self, FormatError> {
        crate::time::parse_rfc3339(text).map(|unix_micros| Self {
            text: text.to_owned(),
            unix_micros,
        })
    }

    /// The timestamp exactly as received.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Microseconds since 1970-01-01T00:00:00Z.
    pub fn unix_micros(&self) -> i64 {
        self.unix_micros
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// The value of an extension attribute, typed as its JSON encoding says.
///
/// CloudEvents' Binary, URI, URI-reference and Timestamp types are JSON strings, so they are
/// [`ExtensionValue::String`] here; their meaning is up to the consumer.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ExtensionValue {
    /// A JSON string (also Binary, URI, URI-reference and Timestamp extensions).
    String(String),
    /// A JSON number with only an integer component, in the 32-bit signed range.
    Integer(i32),
    /// `true` or `false`.
    Boolean(bool),
}

impl From<&str> for ExtensionValue {
    fn from(value: &str) -> Self {
        Self::String(value.to_owned())
    }
}

impl From<String> for ExtensionValue {
    fn from(value: String) -> Self {
        Self::String(value)
    }
}

impl From<i32> for ExtensionValue {
    fn from(value: i32) -> Self {
        Self::Integer(value)
    }
}

impl From<bool> for ExtensionValue {
    fn from(value: bool) -> Self {
        Self::Boolean(value)
    }
}

/// The event payload.
#[derive(Debug, Clone, Default)]
pub enum Data {
    /// Neither `data` nor `data_base64` is present.
    #[default]
    Absent,
    /// The `data` member, byte for byte as received (so number formatting survives). This is any
    /// JSON value, including `null`, and a JSON string when `datacontenttype` is not JSON.
    Json(Box<RawValue>),
    /// Binary data, carried as `data_base64` in structured JSON.
    Binary(Vec<u8>),
}

impl Data {
    /// `Data::Json` from JSON text, which must be a single well-formed JSON value.
    pub fn json(text: &str) -> Result<Self, FormatError> {
        crate::validate::parse_json_value(text, "data").map(Self::Json)
    }
}

impl PartialEq for Data {
    /// JSON data compares by its exact text: `1.0` and `1` are different data.
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Self::Absent, Self::Absent) => true,
            (Self::Json(a), Self::Json(b)) => a.get() == b.get(),
            (Self::Binary(a), Self::Binary(b)) => a == b,
            _ => false,
        }
    }
}

impl Eq for Data {}

/// The attributes and data of a CloudEvent 1.0, as plain values.
///
/// `specversion` is not stored: the only valid value is [`SPEC_VERSION`]. Build one with
/// [`CloudEvent::new`] and the public fields, then validate and encode it with [`Event::new`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CloudEvent {
    /// `id`: non-empty; `source` + `id` identify the event.
    pub id: String,
    /// `source`: a non-empty URI-reference.
    pub source: String,
    /// `type`.
    pub event_type: String,
    /// `datacontenttype`: the media type of `data` (RFC 2046).
    pub datacontenttype: Option<String>,
    /// `dataschema`: an absolute URI.
    pub dataschema: Option<String>,
    /// `subject`: non-empty if present.
    pub subject: Option<String>,
    /// `time`.
    pub time: Option<Timestamp>,
    /// Extension attributes in the order they were received (or added).
    pub extensions: Vec<(String, ExtensionValue)>,
    /// The payload.
    pub data: Data,
}

impl CloudEvent {
    /// An event with the required attributes and nothing else.
    pub fn new(
        id: impl Into<String>,
        source: impl Into<String>,
        event_type: impl Into<String>,
    ) -> Self {
        Self {
            id: id.into(),
            source: source.into(),
            event_type: event_type.into(),
            datacontenttype: None,
            dataschema: None,
            subject: None,
            time: None,
            extensions: Vec::new(),
            data: Data::Absent,
        }
    }

    /// Always [`SPEC_VERSION`], `"1.0"`.
    pub fn specversion(&self) -> &'static str {
        SPEC_VERSION
    }

    /// The value of extension `name`, if present.
    pub fn extension(&self, name: &str) -> Option<&ExtensionValue> {
        self.extensions
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value)
    }
}

/// A validated CloudEvent and its exact structured-JSON encoding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    json: Box<str>,
    attributes: CloudEvent,
}

impl Event {
    /// Validates `attributes` and encodes them as canonical compact structured JSON.
    ///
    /// Fails like the parsers do, including [`ErrorKind::EventTooLarge`](crate::ErrorKind) when
    /// the encoding exceeds [`EVENT_BYTES_MAX`](crate::EVENT_BYTES_MAX).
    pub fn new(attributes: CloudEvent) -> Result<Self, FormatError> {
        crate::validate::validate(&attributes)?;
        let json = crate::serialize::to_structured_json(&attributes);
        crate::validate::check_event_size(json.len())?;
        let event = Self {
            json: json.into_boxed_str(),
            attributes,
        };
        // Paired with the parser: the canonical encoding reads back as the same event.
        debug_assert_eq!(crate::parse_structured(event.json()).as_ref(), Ok(&event));
        Ok(event)
    }

    /// Pairs already-validated attributes with the bytes they were parsed from.
    pub(crate) fn from_parts(json: Box<str>, attributes: CloudEvent) -> Self {
        Self { json, attributes }
    }

    /// The structured-JSON bytes to store and deliver.
    pub fn json(&self) -> &[u8] {
        self.json.as_bytes()
    }

    /// [`Self::json`] as text (it is always UTF-8).
    pub fn json_str(&self) -> &str {
        &self.json
    }

    /// The parsed attributes and data.
    pub fn attributes(&self) -> &CloudEvent {
        &self.attributes
    }

    /// Consumes the event, returning its attributes.
    pub fn into_attributes(self) -> CloudEvent {
        self.attributes
    }

    /// `id`.
    pub fn id(&self) -> &str {
        &self.attributes.id
    }

    /// `source`.
    pub fn source(&self) -> &str {
        &self.attributes.source
    }

    /// `specversion`, always `"1.0"`.
    pub fn specversion(&self) -> &'static str {
        SPEC_VERSION
    }

    /// `type`.
    pub fn event_type(&self) -> &str {
        &self.attributes.event_type
    }

    /// `subject`.
    pub fn subject(&self) -> Option<&str> {
        self.attributes.subject.as_deref()
    }

    /// `time`.
    pub fn time(&self) -> Option<&Timestamp> {
        self.attributes.time.as_ref()
    }

    /// `datacontenttype`.
    pub fn datacontenttype(&self) -> Option<&str> {
        self.attributes.datacontenttype.as_deref()
    }

    /// `dataschema`.
    pub fn dataschema(&self) -> Option<&str> {
        self.attributes.dataschema.as_deref()
    }

    /// Extension attributes in received order.
    pub fn extensions(&self) -> &[(String, ExtensionValue)] {
        &self.attributes.extensions
    }

    /// The payload.
    pub fn data(&self) -> &Data {
        &self.attributes.data
    }

    /// Size of the structured-JSON encoding in bytes; the size limits and billing use this.
    pub fn size(&self) -> usize {
        self.json.len()
    }

    /// Billing units this event costs, from [`Self::size`].
    pub fn billing_units(&self) -> u64 {
        billing_units(self.json.len() as u64)
    }
}
