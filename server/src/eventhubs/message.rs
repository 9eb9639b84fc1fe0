//! Event Hubs REST messages: the two request forms (Azure Event Hubs REST "Send event" and
//! "Send batch events"), parsed into the engine's [`MessageParts`], whose `CloudEvent` mapping is
//! the engine's (`gridlog::hub`, docs/eventhubs.md):
//!
//! - batch, `Content-Type: application/vnd.microsoft.servicebus.json`: a JSON array of
//!   `{"Body": …, "UserProperties": {…}, "BrokerProperties": {…}}` (member names compared
//!   case-insensitively; `Body` required; any other member is a 400);
//! - single: any other content type (the documented one is
//!   `application/atom+xml;type=entry;charset=utf-8`), the body is the message, and the
//!   `BrokerProperties` header, when present, is a JSON object.
//!
//! A message whose event is refused by the mapping is a 400 (`InvalidProperties`, or the event
//! validation's code), or a 413 over a size limit ([`event_error`]).

use serde_json::{Map, Value};

use gridlog::HubEventError;
use gridlog::format::limits::EVENTS_PER_REQUEST_MAX;
/// A message body and a message, as the engine maps them.
pub use gridlog::{MessageBody as Body, MessageParts as Message};

use crate::http::error::ApiError;

/// The content type of the batch form.
pub const BATCH_CONTENT_TYPE: &str = "application/vnd.microsoft.servicebus.json";
/// A message with this `ContentType` carries a structured `CloudEvent` as its body, stored as
/// that event (what gridlog's push delivery to an Event Hubs destination sends).
pub const CLOUDEVENT_CONTENT_TYPE: &str = "application/cloudevents+json; charset=utf-8";

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

/// The 400 or 413 for message `index`, whose `CloudEvent` the mapping refused.
pub fn event_error(error: &HubEventError, index: usize) -> ApiError {
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
    use gridlog::EventOrigin;

    use super::*;

    fn origin() -> EventOrigin<'static> {
        EventOrigin {
            hub: "batch-status",
            publisher: None,
            partition: None,
            time_ms: 0,
        }
    }

    #[test]
    fn documented_batch() {
        let body = br#"[{"Body":"Message1","UserProperties":{"Alert":"Strong Wind"}},{"Body":"Message2"}]"#;
        let messages = parse_batch(body).unwrap();
        assert_eq!(messages.len(), 2);
        assert_eq!(messages[0].body, Body::Json(Value::from("Message1")));
        assert_eq!(messages[0].user_properties["Alert"], "Strong Wind");
        assert!(messages[1].user_properties.is_empty());
        let event = messages[0].to_event(origin(), || "gen-0".into()).unwrap();
        let event: Value = serde_json::from_slice(event.json()).unwrap();
        assert_eq!(event["alert"], "Strong Wind");
        assert_eq!(event["data"], "Message1");
    }

    #[test]
    fn single_form() {
        let message = parse_single(
            b"hello",
            Some(br#"{"Label":"M1","TimeToLive":60,"MessageId":7}"#),
        )
        .unwrap();
        assert_eq!(message.body, Body::Raw(b"hello".to_vec()));
        assert_eq!(message.broker_properties["Label"], "M1");
        assert!(parse_single(b"x", Some(b"[1]")).is_err());
        assert!(parse_single(b"x", Some(b"{")).is_err());
    }

    #[test]
    fn refusals() {
        let code = |body: &[u8]| -> String {
            let result = parse_batch(body).and_then(|messages| {
                messages
                    .iter()
                    .enumerate()
                    .map(|(i, m)| {
                        m.to_event(origin(), || "id".into())
                            .map_err(|error| event_error(&error, i))
                    })
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
