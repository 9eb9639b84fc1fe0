//! Event Hubs messages and their `CloudEvent` mapping (`docs/eventhubs.md` is the user-facing
//! table; this is the code).
//!
//! Two request forms (Azure Event Hubs REST "Send event" and "Send batch events"):
//!
//! - batch, `Content-Type: application/vnd.microsoft.servicebus.json`: a JSON array of
//!   `{"Body": …, "UserProperties": {…}, "BrokerProperties": {…}}` (member names compared
//!   case-insensitively; `Body` required; any other member is a 400);
//! - single: any other content type (the documented one is
//!   `application/atom+xml;type=entry;charset=utf-8`), the body is the message, and the
//!   `BrokerProperties` header, when present, is a JSON object.
//!
//! Each message becomes one `CloudEvent` 1.0:
//!
//! | `CloudEvent` | from |
//! |---|---|
//! | `specversion` | `"1.0"` |
//! | `id` | `BrokerProperties.MessageId`, else a random UUID |
//! | `source` | `UserProperties.source`, else `/eventhubs/{hub}` (`/eventhubs/{hub}/publishers/{p}` on a publisher path) |
//! | `type` | `UserProperties.type`, else [`DEFAULT_TYPE`] |
//! | `subject` | `UserProperties.subject`, else `BrokerProperties.Label`, else absent |
//! | `time` | when gridlog received the request (RFC 3339, UTC, milliseconds) |
//! | `datacontenttype` | `BrokerProperties.ContentType`, else absent |
//! | `data` | `Body` (see below); absent for a `null` body |
//! | `data_base64` | a single-form body that is not UTF-8 |
//! | extension attributes | every other user and broker property, and `partitionid` on a partition path |
//!
//! Except: a message whose `ContentType` is `application/cloudevents+json` carries a structured
//! `CloudEvent` in its body (a string or an object), which is stored as it is; its properties are
//! not applied (gridlog's push delivery to an Event Hubs destination sends such messages, so
//! forwarding from gridlog to gridlog keeps every event intact).
//!
//! - `Body`: a JSON string is kept as a string, unless `ContentType` is a JSON media type and the
//!   string holds JSON, which then becomes JSON `data` (so filters can look into `data.*`). Any
//!   other JSON value is kept as it is. A single-form body is treated like a JSON string.
//! - `type`, `source`, `subject` user properties (names compared case-insensitively) must be
//!   strings; `id`, `time`, `specversion`, `datacontenttype`, `dataschema` and `data` are
//!   reserved (400).
//! - Extension names: the property name lower-cased, with every character outside `[a-z0-9]`
//!   dropped (`Alert` → `alert`, `Job-Name` → `jobname`); an empty or over-20-character result,
//!   or two properties with the same result, is a 400. Values: strings and booleans as they are,
//!   integers in the 32-bit range as integers, other numbers as their JSON text in a string,
//!   `null` omitted, arrays and objects a 400.

use base64::Engine as _;
use serde_json::{Map, Value};

use gridlog::format::limits::EVENTS_PER_REQUEST_MAX;
use gridlog::format::{Event, is_json_media_type, parse_structured};

use crate::http::error::ApiError;

/// The content type of the batch form.
pub const BATCH_CONTENT_TYPE: &str = "application/vnd.microsoft.servicebus.json";
/// A message with this `ContentType` carries a structured `CloudEvent` as its body, stored as
/// that event (what gridlog's push delivery to an Event Hubs destination sends).
pub const CLOUDEVENT_CONTENT_TYPE: &str = "application/cloudevents+json; charset=utf-8";
/// The `type` of an event whose message sets none.
pub const DEFAULT_TYPE: &str = "EventHubs.Message";
/// Attribute names gridlog sets itself: reserved for user properties.
const RESERVED: [&str; 6] = [
    "id",
    "time",
    "specversion",
    "datacontenttype",
    "dataschema",
    "data",
];
/// Longest extension attribute name (`CloudEvents`' recommendation; Event Grid's limit).
const ATTRIBUTE_NAME_CHARS_MAX: usize = gridlog::format::limits::ATTRIBUTE_NAME_CHARS_MAX;

/// A message body.
#[derive(Clone, Debug, PartialEq)]
pub enum Body {
    /// The batch form's `Body` value.
    Json(Value),
    /// The single form's raw body.
    Raw(Vec<u8>),
}

/// One Event Hubs message.
#[derive(Clone, Debug, PartialEq)]
pub struct Message {
    /// Its body.
    pub body: Body,
    /// `UserProperties`.
    pub user_properties: Map<String, Value>,
    /// `BrokerProperties`.
    pub broker_properties: Map<String, Value>,
}

fn bad(code: &'static str, message: impl Into<String>) -> ApiError {
    ApiError::BadRequest {
        code,
        message: message.into(),
    }
}

fn object(value: Value, what: &str) -> Result<Map<String, Value>, ApiError> {
    match value {
        Value::Object(map) => Ok(map),
        Value::Null => Ok(Map::new()),
        _ => Err(bad(
            "InvalidProperties",
            format!("{what} must be a JSON object"),
        )),
    }
}

/// Is `content_type` the batch form's?
pub fn is_batch_content_type(content_type: &str) -> bool {
    content_type
        .split(';')
        .next()
        .is_some_and(|media| media.trim().eq_ignore_ascii_case(BATCH_CONTENT_TYPE))
}

/// Parses the batch form: a JSON array of at most 1,000 messages.
pub fn parse_batch(body: &[u8]) -> Result<Vec<Message>, ApiError> {
    let value: Value = serde_json::from_slice(body).map_err(|error| {
        bad(
            "InvalidJson",
            format!("the batch body is not valid JSON: {error}"),
        )
    })?;
    let Value::Array(items) = value else {
        return Err(bad(
            "InvalidBody",
            "the batch body must be a JSON array of {\"Body\": ...} objects",
        ));
    };
    if items.len() > EVENTS_PER_REQUEST_MAX {
        return Err(ApiError::PayloadTooLarge {
            message: format!(
                "TooManyEvents: at most {EVENTS_PER_REQUEST_MAX} messages per request, got {}",
                items.len()
            ),
        });
    }
    items
        .into_iter()
        .enumerate()
        .map(|(index, item)| {
            let Value::Object(members) = item else {
                return Err(bad(
                    "InvalidBody",
                    format!("message {index}: must be a JSON object"),
                ));
            };
            let mut message = Message {
                body: Body::Json(Value::Null),
                user_properties: Map::new(),
                broker_properties: Map::new(),
            };
            let mut has_body = false;
            for (name, value) in members {
                match name.to_ascii_lowercase().as_str() {
                    "body" => {
                        message.body = Body::Json(value);
                        has_body = true;
                    }
                    "userproperties" => {
                        message.user_properties =
                            object(value, &format!("message {index}: UserProperties"))?;
                    }
                    "brokerproperties" => {
                        message.broker_properties =
                            object(value, &format!("message {index}: BrokerProperties"))?;
                    }
                    _ => {
                        return Err(bad(
                            "InvalidBody",
                            format!(
                                "message {index}: unknown member '{name}' (expected Body, UserProperties, BrokerProperties)"
                            ),
                        ));
                    }
                }
            }
            if !has_body {
                return Err(bad(
                    "MissingBody",
                    format!("message {index}: 'Body' is required"),
                ));
            }
            Ok(message)
        })
        .collect()
}

/// Parses the single form: the raw body, and the `BrokerProperties` header when present.
pub fn parse_single(body: &[u8], broker_properties: Option<&[u8]>) -> Result<Message, ApiError> {
    let broker_properties = match broker_properties {
        None => Map::new(),
        Some(header) => object(
            serde_json::from_slice(header).map_err(|error| {
                bad(
                    "InvalidProperties",
                    format!("the BrokerProperties header is not valid JSON: {error}"),
                )
            })?,
            "the BrokerProperties header",
        )?,
    };
    Ok(Message {
        body: Body::Raw(body.to_vec()),
        user_properties: Map::new(),
        broker_properties,
    })
}

/// Where the messages of one request were sent.
#[derive(Clone, Copy, Debug)]
pub struct Origin<'a> {
    /// The Event Hub name from the path.
    pub hub: &'a str,
    /// `("publishers" | "partitions", name)` when the path names one.
    pub target: Option<(&'a str, &'a str)>,
    /// The request's receive time, RFC 3339.
    pub time: &'a str,
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

fn extension_value(value: Value, name: &str) -> Result<Option<Value>, ApiError> {
    Ok(match value {
        Value::Null => None,
        Value::String(_) | Value::Bool(_) => Some(value),
        Value::Number(ref n) => match n.as_i64().and_then(|i| i32::try_from(i).ok()) {
            Some(i) => Some(Value::from(i)),
            None => Some(Value::String(n.to_string())),
        },
        Value::Array(_) | Value::Object(_) => {
            return Err(bad(
                "InvalidProperties",
                format!(
                    "property '{name}': arrays and objects cannot be CloudEvent attributes; use a string"
                ),
            ));
        }
    })
}

fn string_property(value: Value, name: &str) -> Result<Option<String>, ApiError> {
    match value {
        Value::Null => Ok(None),
        Value::String(s) => Ok(Some(s)),
        _ => Err(bad(
            "InvalidProperties",
            format!("property '{name}' must be a string"),
        )),
    }
}

/// A random UUID (version 4 layout) for a message without `MessageId`.
pub fn random_id() -> String {
    crate::ids::random_uuid()
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
    fn add_extension(&mut self, name: &str, value: Value) -> Result<(), ApiError> {
        let Some(ext) = extension_name(name) else {
            return Err(bad(
                "InvalidProperties",
                format!(
                    "property '{name}' has no CloudEvent attribute name: keep 1-{ATTRIBUTE_NAME_CHARS_MAX} letters or digits"
                ),
            ));
        };
        if RESERVED.contains(&ext.as_str()) || ["type", "source", "subject"].contains(&ext.as_str())
        {
            return Err(bad(
                "InvalidProperties",
                format!("property '{name}' names the reserved attribute '{ext}'"),
            ));
        }
        if let Some(value) = extension_value(value, name)?
            && self.extensions.insert(ext.clone(), value).is_some()
        {
            return Err(bad(
                "InvalidProperties",
                format!("two properties map to the attribute '{ext}'"),
            ));
        }
        Ok(())
    }

    fn collect(
        user_properties: Map<String, Value>,
        broker_properties: Map<String, Value>,
        origin: Origin<'_>,
    ) -> Result<Self, ApiError> {
        let mut out = Self::default();
        for (name, value) in user_properties {
            match name.to_ascii_lowercase().as_str() {
                "type" => out.event_type = string_property(value, &name)?,
                "source" => out.source = string_property(value, &name)?,
                "subject" => out.subject = string_property(value, &name)?,
                _ => out.add_extension(&name, value)?,
            }
        }
        for (name, value) in broker_properties {
            match name.as_str() {
                "MessageId" => {
                    out.id = match value {
                        Value::Number(n) => Some(n.to_string()),
                        other => string_property(other, &name)?,
                    };
                }
                "Label" => out.label = string_property(value, &name)?,
                "ContentType" => out.content_type = string_property(value, &name)?,
                _ => out.add_extension(&name, value)?,
            }
        }
        if let Some(("partitions", partition)) = origin.target {
            out.add_extension("partitionid", Value::from(partition))?;
        }
        Ok(out)
    }
}

/// `(data, data_base64)` for a body; `json`: the message's content type is JSON.
fn body_data(body: Body, json: bool) -> (Option<Value>, Option<String>) {
    let text_data = |text: String| -> Value {
        if json && let Ok(parsed) = serde_json::from_str::<Value>(&text) {
            return parsed;
        }
        Value::String(text)
    };
    match body {
        Body::Json(Value::Null) => (None, None),
        Body::Json(Value::String(text)) => (Some(text_data(text)), None),
        Body::Json(other) => (Some(other), None),
        Body::Raw(bytes) => match String::from_utf8(bytes) {
            Ok(text) => (Some(text_data(text)), None),
            Err(error) => (
                None,
                Some(base64::engine::general_purpose::STANDARD.encode(error.into_bytes())),
            ),
        },
    }
}

/// The `CloudEvent` for `message` (see the module docs), validated like any published event.
/// `index` numbers the message in its request for error messages; `new_id` is called when the
/// message has no `MessageId`.
pub fn to_event(
    message: Message,
    origin: Origin<'_>,
    index: usize,
    new_id: impl FnOnce() -> String,
) -> Result<Event, ApiError> {
    let at = |error: ApiError| match error {
        ApiError::BadRequest { code, message } => ApiError::BadRequest {
            code,
            message: format!("message {index}: {message}"),
        },
        other => other,
    };
    let carries_event = message
        .broker_properties
        .get("ContentType")
        .and_then(Value::as_str)
        .and_then(|ct| ct.split(';').next())
        .is_some_and(|media| {
            media
                .trim()
                .eq_ignore_ascii_case("application/cloudevents+json")
        });
    if carries_event {
        let bytes = match message.body {
            Body::Json(Value::String(text)) => text.into_bytes(),
            Body::Json(other) => other.to_string().into_bytes(),
            Body::Raw(bytes) => bytes,
        };
        return parse_structured(&bytes).map_err(|error| format_error(&error, index));
    }
    let attributes =
        Attributes::collect(message.user_properties, message.broker_properties, origin)
            .map_err(at)?;
    let Attributes {
        id,
        source,
        event_type,
        subject,
        label,
        content_type,
        extensions,
    } = attributes;
    let (data, data_base64) = body_data(
        message.body,
        content_type.as_deref().is_some_and(is_json_media_type),
    );
    let default_source = match origin.target {
        Some(("publishers", publisher)) => {
            format!("/eventhubs/{}/publishers/{publisher}", origin.hub)
        }
        _ => format!("/eventhubs/{}", origin.hub),
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
    event.insert("time".into(), Value::from(origin.time));
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
    let bytes =
        serde_json::to_vec(&Value::Object(event)).map_err(|error| ApiError::BadRequest {
            code: "InvalidBody",
            message: format!("message {index}: {error}"),
        })?;
    parse_structured(&bytes).map_err(|error| format_error(&error, index))
}

fn format_error(error: &gridlog::format::FormatError, index: usize) -> ApiError {
    if error.is_limit() {
        ApiError::PayloadTooLarge {
            message: format!("message {index}: {}: {error}", error.code()),
        }
    } else {
        ApiError::BadRequest {
            code: error.code(),
            message: format!("message {index}: {error}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TIME: &str = "2026-01-02T03:04:05.678Z";

    fn origin() -> Origin<'static> {
        Origin {
            hub: "batch-status",
            target: None,
            time: TIME,
        }
    }

    fn json(event: &Event) -> Value {
        serde_json::from_slice(event.json()).unwrap()
    }

    #[test]
    fn documented_batch() {
        let body = br#"[{"Body":"Message1","UserProperties":{"Alert":"Strong Wind"}},{"Body":"Message2"}]"#;
        let messages = parse_batch(body).unwrap();
        assert_eq!(messages.len(), 2);
        let events: Vec<Value> = messages
            .into_iter()
            .enumerate()
            .map(|(i, m)| json(&to_event(m, origin(), i, || format!("gen-{i}")).unwrap()))
            .collect();
        assert_eq!(
            events[0],
            serde_json::json!({"specversion":"1.0","id":"gen-0","source":"/eventhubs/batch-status",
                "type":DEFAULT_TYPE,"time":TIME,"alert":"Strong Wind","data":"Message1"})
        );
        assert_eq!(events[1]["data"], "Message2");
        assert_eq!(events[1].get("alert"), None);
    }

    #[test]
    fn context_from_properties() {
        let body = br#"[{"Body":"{\"job\":\"extract\",\"rows\":42}",
            "UserProperties":{"Type":"Job.Finished","Source":"/jobs/etl","Job-Name":"extract","Attempt":3,"Big":5000000000,"Ok":true,"Gone":null,"Ratio":0.5},
            "BrokerProperties":{"MessageId":"m-1","Label":"etl/extract","ContentType":"application/json","PartitionKey":"p1"}}]"#;
        let message = parse_batch(body).unwrap().remove(0);
        let event = json(&to_event(message, origin(), 0, || unreachable!()).unwrap());
        assert_eq!(
            event,
            serde_json::json!({"specversion":"1.0","id":"m-1","source":"/jobs/etl","type":"Job.Finished",
                "subject":"etl/extract","time":TIME,"datacontenttype":"application/json",
                "jobname":"extract","attempt":3,"big":"5000000000","ok":true,"ratio":"0.5","partitionkey":"p1",
                "data":{"job":"extract","rows":42}})
        );
    }

    #[test]
    fn single_form() {
        let message = parse_single(
            b"hello",
            Some(br#"{"Label":"M1","TimeToLive":60,"MessageId":7}"#),
        )
        .unwrap();
        let event = json(
            &to_event(
                message,
                Origin {
                    hub: "h",
                    target: Some(("publishers", "dev-1")),
                    time: TIME,
                },
                0,
                || unreachable!(),
            )
            .unwrap(),
        );
        assert_eq!(event["id"], "7");
        assert_eq!(event["subject"], "M1");
        assert_eq!(event["timetolive"], 60);
        assert_eq!(event["source"], "/eventhubs/h/publishers/dev-1");
        assert_eq!(event["data"], "hello");

        let binary = parse_single(&[0xff, 0x00, 0x01], None).unwrap();
        let event = json(
            &to_event(
                binary,
                Origin {
                    hub: "h",
                    target: Some(("partitions", "3")),
                    time: TIME,
                },
                0,
                || "x".into(),
            )
            .unwrap(),
        );
        assert_eq!(event["data_base64"], "/wAB");
        assert_eq!(event["partitionid"], "3");
        assert_eq!(event.get("data"), None);
    }

    #[test]
    fn refusals() {
        let code = |body: &[u8]| -> String {
            let result = parse_batch(body).and_then(|messages| {
                messages
                    .into_iter()
                    .enumerate()
                    .map(|(i, m)| to_event(m, origin(), i, || "id".into()))
                    .collect::<Result<Vec<_>, _>>()
            });
            match result {
                Ok(_) => "ok".into(),
                Err(error) => error.status().1.to_owned(),
            }
        };
        assert_eq!(code(b"[]"), "ok");
        assert_eq!(code(b"{}"), "InvalidBody");
        assert_eq!(code(b"[1]"), "InvalidBody");
        assert_eq!(code(b"[{\"Body\":1,\"Extra\":2}]"), "InvalidBody");
        assert_eq!(code(b"[{\"UserProperties\":{}}]"), "MissingBody");
        assert_eq!(code(b"not json"), "InvalidJson");
        assert_eq!(
            code(br#"[{"Body":1,"UserProperties":{"id":"x"}}]"#),
            "InvalidProperties"
        );
        assert_eq!(
            code(br#"[{"Body":1,"UserProperties":{"a-b":"x","A_B":"y"}}]"#),
            "InvalidProperties"
        );
        assert_eq!(
            code(br#"[{"Body":1,"UserProperties":{"---":"x"}}]"#),
            "InvalidProperties"
        );
        assert_eq!(
            code(br#"[{"Body":1,"UserProperties":{"a":[1]}}]"#),
            "InvalidProperties"
        );
        assert_eq!(
            code(br#"[{"Body":1,"UserProperties":{"type":5}}]"#),
            "InvalidProperties"
        );
        assert_eq!(
            code(br#"[{"Body":1,"UserProperties":{"abcdefghijklmnopqrstu":1}}]"#),
            "InvalidProperties"
        );
        assert_eq!(
            code(br#"[{"Body":1,"UserProperties":[]}]"#),
            "InvalidProperties"
        );
        let many = format!("[{}]", vec![r#"{"Body":1}"#; 1001].join(","));
        assert_eq!(code(many.as_bytes()), "PayloadTooLarge");
        // A message whose event would exceed 1 MB is refused by the CloudEvent validation.
        let big = format!(r#"[{{"Body":"{}"}}]"#, "x".repeat(1_048_576));
        assert_eq!(code(big.as_bytes()), "PayloadTooLarge");
    }
}
