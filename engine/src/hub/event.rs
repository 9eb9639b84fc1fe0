//! The `CloudEvent` a hub message becomes in the hub's topic (docs/eventhubs.md, "Mapping to a
//! topic", is the user-facing table; this is the code). Front ends describe each message with
//! [`MessageParts`] (REST: the batch item's `Body`, `UserProperties`, `BrokerProperties`; AMQP:
//! the body, the application properties, and `message-id`, `subject`, `content-type` and the
//! partition key as broker properties); [`Namespace::send_to_hub`](crate::Namespace::send_to_hub)
//! maps them here and appends the events in the same transaction as the partition records.
//!
//! | `CloudEvent` | from |
//! |---|---|
//! | `specversion` | `"1.0"` |
//! | `id` | broker `MessageId`, else a random UUID |
//! | `source` | user property `source`, else `/eventhubs/{hub}` (`/eventhubs/{hub}/publishers/{p}` for a publisher) |
//! | `type` | user property `type`, else [`DEFAULT_TYPE`] |
//! | `subject` | user property `subject`, else broker `Label`, else absent |
//! | `time` | the send's enqueued time (RFC 3339, UTC, milliseconds) |
//! | `datacontenttype` | broker `ContentType`, else absent |
//! | `data` | the body (see below); absent for a `null` body |
//! | `data_base64` | a raw body that is not UTF-8 |
//! | extension attributes | every other user and broker property, and `partitionid` for a send to a partition |
//!
//! Except: a message whose `ContentType` is `application/cloudevents+json` carries a structured
//! `CloudEvent` in its body (a string, an object or raw bytes), which is stored as it is; its
//! properties are not applied.
//!
//! - Body: a JSON string or a UTF-8 raw body is kept as a string, unless `ContentType` is a JSON
//!   media type and the text holds JSON, which then becomes JSON `data` (so filters can look
//!   into `data.*`). Any other JSON value is kept as it is.
//! - `type`, `source`, `subject` user properties (names compared case-insensitively) must be
//!   strings; `id`, `time`, `specversion`, `datacontenttype`, `dataschema` and `data` are
//!   reserved.
//! - Extension names: the property name lower-cased, with every character outside `[a-z0-9]`
//!   dropped (`Alert` → `alert`, `Job-Name` → `jobname`); an empty or over-20-character result,
//!   or two properties with the same result, is refused. Values: strings and booleans as they
//!   are, integers in the 32-bit range as integers, other numbers as their JSON text in a
//!   string, `null` omitted, arrays and objects refused.

use base64::Engine as _;
use serde_json::{Map, Value};

use gridlog_format::limits::ATTRIBUTE_NAME_CHARS_MAX;
use gridlog_format::{Event, FormatError, is_json_media_type, parse_structured};

use crate::namespace::rfc3339_ms;

/// The `type` of an event whose message sets none.
pub const DEFAULT_TYPE: &str = "EventHubs.Message";
/// The media type of a body that is a structured `CloudEvent` (stored as that event).
pub const CLOUDEVENT_MEDIA_TYPE: &str = "application/cloudevents+json";
/// Attribute names gridlog sets itself: reserved for user properties.
const RESERVED: [&str; 6] = [
    "id",
    "time",
    "specversion",
    "datacontenttype",
    "dataschema",
    "data",
];

/// A message body, as the front end received it.
#[derive(Clone, Debug, PartialEq)]
pub enum MessageBody {
    /// A JSON value (the REST batch form's `Body`).
    Json(Value),
    /// Bytes (the REST single form's body, an AMQP message's data).
    Raw(Vec<u8>),
}

/// What a hub message's `CloudEvent` is made of (see the module docs).
#[derive(Clone, Debug, PartialEq)]
pub struct MessageParts {
    /// Its body.
    pub body: MessageBody,
    /// User (application) properties.
    pub user_properties: Map<String, Value>,
    /// Broker properties (`MessageId`, `Label`, `ContentType`, `PartitionKey`, …).
    pub broker_properties: Map<String, Value>,
}

/// Where a message was sent, for its event's `source`, `time` and `partitionid`.
#[derive(Clone, Copy, Debug)]
pub struct EventOrigin<'a> {
    /// The Event Hub's name.
    pub hub: &'a str,
    /// The publisher it was sent as (REST `publishers/{name}`), if any.
    pub publisher: Option<&'a str>,
    /// The partition the sender named, if any.
    pub partition: Option<u32>,
    /// The event's `time`, Unix ms.
    pub time_ms: i64,
}

/// Why a message makes no `CloudEvent`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HubEventError {
    /// A property that cannot be an attribute (bad name, reserved, wrong type, duplicate).
    #[error("{0}")]
    Properties(String),
    /// The resulting event is not a valid `CloudEvent` (or too large).
    #[error("{0}")]
    Event(#[from] FormatError),
}

impl HubEventError {
    /// Stable machine code: `InvalidProperties`, or the event validation's code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Properties(_) => "InvalidProperties",
            Self::Event(error) => error.code(),
        }
    }

    /// Is this a size limit (HTTP 413)?
    pub fn is_limit(&self) -> bool {
        matches!(self, Self::Event(error) if error.is_limit())
    }
}

fn bad(message: String) -> HubEventError {
    HubEventError::Properties(message)
}

/// `Job-Name` → `jobname`; `None` when the result is not a valid attribute name.
fn extension_name(name: &str) -> Option<String> {
    let normalized: String = name
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    (!normalized.is_empty() && normalized.len() <= ATTRIBUTE_NAME_CHARS_MAX).then_some(normalized)
}

fn extension_value(value: &Value, name: &str) -> Result<Option<Value>, HubEventError> {
    Ok(match value {
        Value::Null => None,
        Value::String(_) | Value::Bool(_) => Some(value.clone()),
        Value::Number(n) => match n.as_i64().and_then(|i| i32::try_from(i).ok()) {
            Some(i) => Some(Value::from(i)),
            None => Some(Value::String(n.to_string())),
        },
        Value::Array(_) | Value::Object(_) => {
            return Err(bad(format!(
                "property '{name}': arrays and objects cannot be CloudEvent attributes; use a string"
            )));
        }
    })
}

fn string_property(value: &Value, name: &str) -> Result<Option<String>, HubEventError> {
    match value {
        Value::Null => Ok(None),
        Value::String(s) => Ok(Some(s.clone())),
        _ => Err(bad(format!("property '{name}' must be a string"))),
    }
}

/// The attributes a message's properties set.
#[derive(Default)]
struct Attributes {
    id: Option<String>,
    source: Option<String>,
    event_type: Option<String>,
    subject: Option<String>,
    label: Option<String>,
    content_type: Option<String>,
    extensions: Map<String, Value>,
}

impl Attributes {
    fn add_extension(&mut self, name: &str, value: &Value) -> Result<(), HubEventError> {
        let Some(ext) = extension_name(name) else {
            return Err(bad(format!(
                "property '{name}' has no CloudEvent attribute name: keep 1-{ATTRIBUTE_NAME_CHARS_MAX} letters or digits"
            )));
        };
        if RESERVED.contains(&ext.as_str()) || ["type", "source", "subject"].contains(&ext.as_str())
        {
            return Err(bad(format!(
                "property '{name}' names the reserved attribute '{ext}'"
            )));
        }
        if let Some(value) = extension_value(value, name)?
            && self.extensions.insert(ext.clone(), value).is_some()
        {
            return Err(bad(format!("two properties map to the attribute '{ext}'")));
        }
        Ok(())
    }

    fn collect(parts: &MessageParts, origin: EventOrigin<'_>) -> Result<Self, HubEventError> {
        let mut out = Self::default();
        for (name, value) in &parts.user_properties {
            match name.to_ascii_lowercase().as_str() {
                "type" => out.event_type = string_property(value, name)?,
                "source" => out.source = string_property(value, name)?,
                "subject" => out.subject = string_property(value, name)?,
                _ => out.add_extension(name, value)?,
            }
        }
        for (name, value) in &parts.broker_properties {
            match name.as_str() {
                "MessageId" => {
                    out.id = match value {
                        Value::Number(n) => Some(n.to_string()),
                        other => string_property(other, name)?,
                    };
                }
                "Label" => out.label = string_property(value, name)?,
                "ContentType" => out.content_type = string_property(value, name)?,
                _ => out.add_extension(name, value)?,
            }
        }
        if let Some(partition) = origin.partition {
            out.add_extension("partitionid", &Value::from(partition.to_string()))?;
        }
        Ok(out)
    }
}

/// `(data, data_base64)` for a body; `json`: the message's content type is JSON.
fn body_data(body: &MessageBody, json: bool) -> (Option<Value>, Option<String>) {
    let text_data = |text: &str| -> Value {
        if json && let Ok(parsed) = serde_json::from_str::<Value>(text) {
            return parsed;
        }
        Value::String(text.to_owned())
    };
    match body {
        MessageBody::Json(Value::Null) => (None, None),
        MessageBody::Json(Value::String(text)) => (Some(text_data(text)), None),
        MessageBody::Json(other) => (Some(other.clone()), None),
        MessageBody::Raw(bytes) => match std::str::from_utf8(bytes) {
            Ok(text) => (Some(text_data(text)), None),
            Err(_) => (
                None,
                Some(base64::engine::general_purpose::STANDARD.encode(bytes)),
            ),
        },
    }
}

/// Does `parts` carry a structured `CloudEvent` (its `ContentType`)?
fn carries_event(parts: &MessageParts) -> bool {
    parts
        .broker_properties
        .get("ContentType")
        .and_then(Value::as_str)
        .and_then(|ct| ct.split(';').next())
        .is_some_and(|media| media.trim().eq_ignore_ascii_case(CLOUDEVENT_MEDIA_TYPE))
}

impl MessageParts {
    /// The `CloudEvent` of this message (see the module docs), validated like any published
    /// event; `new_id` is called when the message has no `MessageId`.
    pub fn to_event(
        &self,
        origin: EventOrigin<'_>,
        new_id: impl FnOnce() -> String,
    ) -> Result<Event, HubEventError> {
        if carries_event(self) {
            let bytes = match &self.body {
                MessageBody::Json(Value::String(text)) => text.clone().into_bytes(),
                MessageBody::Json(other) => other.to_string().into_bytes(),
                MessageBody::Raw(bytes) => bytes.clone(),
            };
            return Ok(parse_structured(&bytes)?);
        }
        let Attributes {
            id,
            source,
            event_type,
            subject,
            label,
            content_type,
            extensions,
        } = Attributes::collect(self, origin)?;
        let (data, data_base64) = body_data(
            &self.body,
            content_type.as_deref().is_some_and(is_json_media_type),
        );
        let default_source = match origin.publisher {
            Some(publisher) => format!("/eventhubs/{}/publishers/{publisher}", origin.hub),
            None => format!("/eventhubs/{}", origin.hub),
        };
        let mut event = Map::new();
        event.insert("specversion".into(), Value::from("1.0"));
        event.insert("id".into(), Value::from(id.unwrap_or_else(new_id)));
        event.insert(
            "source".into(),
            Value::from(source.unwrap_or(default_source)),
        );
        event.insert(
            "type".into(),
            Value::from(event_type.unwrap_or_else(|| DEFAULT_TYPE.to_owned())),
        );
        if let Some(subject) = subject.or(label) {
            event.insert("subject".into(), Value::from(subject));
        }
        event.insert("time".into(), Value::from(rfc3339_ms(origin.time_ms)));
        if let Some(content_type) = content_type {
            event.insert("datacontenttype".into(), Value::from(content_type));
        }
        event.extend(extensions);
        if let Some(data) = data {
            event.insert("data".into(), data);
        }
        if let Some(data_base64) = data_base64 {
            event.insert("data_base64".into(), Value::from(data_base64));
        }
        // Serializing a `serde_json::Map` of `Value`s cannot fail.
        let bytes = serde_json::to_vec(&Value::Object(event)).unwrap_or_default();
        Ok(parse_structured(&bytes)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-01-02T03:04:05.678Z.
    const TIME_MS: i64 = 1_767_323_045_678;
    const TIME: &str = "2026-01-02T03:04:05.678Z";

    fn origin() -> EventOrigin<'static> {
        EventOrigin {
            hub: "batch-status",
            publisher: None,
            partition: None,
            time_ms: TIME_MS,
        }
    }

    fn parts(body: MessageBody, user: Value, broker: Value) -> MessageParts {
        let map = |value: Value| match value {
            Value::Object(map) => map,
            _ => Map::new(),
        };
        MessageParts {
            body,
            user_properties: map(user),
            broker_properties: map(broker),
        }
    }

    fn json(event: &Event) -> Value {
        serde_json::from_slice(event.json()).unwrap()
    }

    fn code(message: &MessageParts) -> &'static str {
        match message.to_event(origin(), || "id".into()) {
            Ok(_) => "ok",
            Err(error) => error.code(),
        }
    }

    #[test]
    fn documented_message() {
        let message = parts(
            MessageBody::Json(Value::from("Message1")),
            serde_json::json!({"Alert": "Strong Wind"}),
            Value::Null,
        );
        assert_eq!(
            json(&message.to_event(origin(), || "gen-0".into()).unwrap()),
            serde_json::json!({"specversion":"1.0","id":"gen-0","source":"/eventhubs/batch-status",
                "type":DEFAULT_TYPE,"time":TIME,"alert":"Strong Wind","data":"Message1"})
        );
    }

    #[test]
    fn context_from_properties() {
        let message = parts(
            MessageBody::Json(Value::from(r#"{"job":"extract","rows":42}"#)),
            serde_json::json!({"Type":"Job.Finished","Source":"/jobs/etl","Job-Name":"extract",
                "Attempt":3,"Big":5_000_000_000_i64,"Ok":true,"Gone":null,"Ratio":0.5}),
            serde_json::json!({"MessageId":"m-1","Label":"etl/extract",
                "ContentType":"application/json","PartitionKey":"p1"}),
        );
        let event = json(&message.to_event(origin(), || unreachable!()).unwrap());
        assert_eq!(
            event,
            serde_json::json!({"specversion":"1.0","id":"m-1","source":"/jobs/etl","type":"Job.Finished",
                "subject":"etl/extract","time":TIME,"datacontenttype":"application/json",
                "jobname":"extract","attempt":3,"big":"5000000000","ok":true,"ratio":"0.5","partitionkey":"p1",
                "data":{"job":"extract","rows":42}})
        );
    }

    #[test]
    fn raw_bodies_publishers_and_partitions() {
        let message = parts(
            MessageBody::Raw(b"hello".to_vec()),
            Value::Null,
            serde_json::json!({"Label":"M1","TimeToLive":60,"MessageId":7}),
        );
        let publisher = EventOrigin {
            publisher: Some("dev-1"),
            hub: "h",
            ..origin()
        };
        let event = json(&message.to_event(publisher, || unreachable!()).unwrap());
        assert_eq!(event["id"], "7");
        assert_eq!(event["subject"], "M1");
        assert_eq!(event["timetolive"], 60);
        assert_eq!(event["source"], "/eventhubs/h/publishers/dev-1");
        assert_eq!(event["data"], "hello");

        let binary = parts(
            MessageBody::Raw(vec![0xff, 0x00, 0x01]),
            Value::Null,
            Value::Null,
        );
        let partition = EventOrigin {
            partition: Some(3),
            ..origin()
        };
        let event = json(&binary.to_event(partition, || "x".into()).unwrap());
        assert_eq!(event["data_base64"], "/wAB");
        assert_eq!(event["partitionid"], "3");
        assert_eq!(event.get("data"), None);
    }

    #[test]
    fn structured_events_are_kept() {
        let stored = br#"{"specversion":"1.0","id":"e1","source":"/s","type":"T","data":{"a":1}}"#;
        for body in [
            MessageBody::Raw(stored.to_vec()),
            MessageBody::Json(Value::from(std::str::from_utf8(stored).unwrap())),
        ] {
            let message = parts(
                body,
                serde_json::json!({"ignored": "x"}),
                serde_json::json!({"ContentType": "application/cloudevents+json; charset=utf-8"}),
            );
            let event = message.to_event(origin(), || unreachable!()).unwrap();
            assert_eq!(event.json(), stored.as_slice());
        }
    }

    #[test]
    fn refusals() {
        let user = |value: Value| parts(MessageBody::Json(Value::from(1)), value, Value::Null);
        assert_eq!(code(&user(serde_json::json!({"ok": "x"}))), "ok");
        assert_eq!(code(&user(serde_json::json!({"id": "x"}))), "InvalidProperties");
        assert_eq!(
            code(&user(serde_json::json!({"a-b": "x", "A_B": "y"}))),
            "InvalidProperties"
        );
        assert_eq!(code(&user(serde_json::json!({"---": "x"}))), "InvalidProperties");
        assert_eq!(code(&user(serde_json::json!({"a": [1]}))), "InvalidProperties");
        assert_eq!(code(&user(serde_json::json!({"type": 5}))), "InvalidProperties");
        assert_eq!(
            code(&user(serde_json::json!({"abcdefghijklmnopqrstu": 1}))),
            "InvalidProperties"
        );
        // A message whose event would exceed 1 MB is refused by the CloudEvent validation.
        let big = parts(
            MessageBody::Json(Value::from("x".repeat(1_048_576))),
            Value::Null,
            Value::Null,
        );
        let error = big.to_event(origin(), || "id".into()).unwrap_err();
        assert!(error.is_limit(), "{error}");
        let not_an_event = parts(
            MessageBody::Raw(b"{}".to_vec()),
            Value::Null,
            serde_json::json!({"ContentType": CLOUDEVENT_MEDIA_TYPE}),
        );
        assert!(!not_an_event.to_event(origin(), || "id".into()).unwrap_err().is_limit());
    }
}
