//! What an AMQP event's `CloudEvent` is made of, for a hub mapped to a topic (the engine maps
//! [`MessageParts`] to the event; docs/eventhubs.md, "Mapping to a topic"):
//!
//! - body: the `data` sections' bytes (the SDKs send one), or an `amqp-value` string, binary or
//!   other scalar; no body is a `null` body;
//! - user properties: the application properties (strings, booleans, numbers; uuids and
//!   timestamps as text; `null` omitted by the mapping);
//! - broker properties: `message-id` as `MessageId`, `subject` as `Label`, `content-type` as
//!   `ContentType`, `correlation-id` as `CorrelationId`, and the transfer's partition key as
//!   `PartitionKey`.
//!
//! A list, map, array or described value where an attribute or the body is expected cannot be
//! mapped: the transfer is refused ([`MessageError::Unmappable`]).

use gridlog::{MessageBody, MessageParts};
use ntex_amqp::codec::protocol::{MessageId, Section};
use ntex_amqp::codec::types::Variant;
use ntex_bytes::Bytes;
use serde_json::{Map, Value};

use crate::error::MessageError;
use crate::sections::sections;

fn number(value: f64) -> Value {
    serde_json::Number::from_f64(value).map_or(Value::Null, Value::Number)
}

/// The JSON of a scalar AMQP value; `None` for compound and described values.
fn scalar(value: &Variant) -> Option<Value> {
    Some(match value {
        Variant::Null => Value::Null,
        Variant::Boolean(b) => Value::from(*b),
        Variant::Ubyte(n) => Value::from(*n),
        Variant::Ushort(n) => Value::from(*n),
        Variant::Uint(n) => Value::from(*n),
        Variant::Ulong(n) => Value::from(*n),
        Variant::Byte(n) => Value::from(*n),
        Variant::Short(n) => Value::from(*n),
        Variant::Int(n) => Value::from(*n),
        Variant::Long(n) => Value::from(*n),
        Variant::Float(n) => number(f64::from(n.0)),
        Variant::Double(n) => number(n.0),
        Variant::Char(c) => Value::from(c.to_string()),
        Variant::Timestamp(t) => Value::from(gridlog::rfc3339_ms(t.timestamp_millis())),
        Variant::Uuid(u) => Value::from(u.to_string()),
        Variant::String(s) => Value::from(s.as_str()),
        Variant::Symbol(s) => Value::from(s.as_str()),
        _ => return None,
    })
}

fn message_id(id: &MessageId) -> Value {
    match id {
        MessageId::Ulong(n) => Value::from(*n),
        MessageId::Uuid(u) => Value::from(u.to_string()),
        MessageId::String(s) => Value::from(s.as_str()),
        MessageId::Binary(bytes) => Value::from(bytes.iter().fold(String::new(), |mut hex, b| {
            use std::fmt::Write as _;
            let _ = write!(hex, "{b:02x}");
            hex
        })),
    }
}

/// The parts of one encoded event; `partition_key` is its transfer's.
pub fn message_parts(
    event: &Bytes,
    partition_key: Option<&str>,
) -> Result<MessageParts, MessageError> {
    let mut data: Option<Vec<u8>> = None;
    let mut value: Option<MessageBody> = None;
    let mut user_properties = Map::new();
    let mut broker_properties = Map::new();
    for raw in sections(event)? {
        match raw.section {
            Section::Data(bytes) => data.get_or_insert_with(Vec::new).extend_from_slice(&bytes),
            Section::AmqpValue(Variant::Binary(bytes)) => {
                value = Some(MessageBody::Raw(bytes.to_vec()));
            }
            Section::AmqpValue(other) => {
                let json = scalar(&other).ok_or_else(|| {
                    MessageError::Unmappable("the amqp-value body is not a scalar".to_owned())
                })?;
                value = Some(MessageBody::Json(json));
            }
            Section::AmqpSequence(_) => {
                return Err(MessageError::Unmappable(
                    "an amqp-sequence body has no CloudEvent data".to_owned(),
                ));
            }
            Section::ApplicationProperties(map) => {
                for (name, property) in &map.0 {
                    let json = scalar(property).ok_or_else(|| {
                        MessageError::Unmappable(format!(
                            "application property '{}' is not a scalar",
                            name.as_str()
                        ))
                    })?;
                    user_properties.insert(name.as_str().to_owned(), json);
                }
            }
            Section::Properties(properties) => {
                if let Some(id) = &properties.message_id {
                    broker_properties.insert("MessageId".to_owned(), message_id(id));
                }
                if let Some(id) = &properties.correlation_id {
                    broker_properties.insert("CorrelationId".to_owned(), message_id(id));
                }
                if let Some(subject) = &properties.subject {
                    broker_properties.insert("Label".to_owned(), Value::from(subject.as_str()));
                }
                if let Some(content_type) = &properties.content_type {
                    broker_properties
                        .insert("ContentType".to_owned(), Value::from(content_type.as_str()));
                }
            }
            _ => {}
        }
    }
    if let Some(key) = partition_key {
        broker_properties.insert("PartitionKey".to_owned(), Value::from(key));
    }
    Ok(MessageParts {
        body: data
            .map(MessageBody::Raw)
            .or(value)
            .unwrap_or(MessageBody::Json(Value::Null)),
        user_properties,
        broker_properties,
    })
}

#[cfg(test)]
mod tests {
    use ntex_amqp::codec::types::{List, Symbol};
    use ntex_amqp::codec::{Encode, Message};
    use ntex_bytes::BytePages;

    use super::*;

    fn encode(message: &Message) -> Bytes {
        let mut pages = BytePages::default();
        message.encode(&mut pages);
        pages.freeze()
    }

    #[test]
    fn sdk_message_parts() {
        let mut message = Message::with_body(Bytes::from_static(b"{\"rows\":42}"));
        message.set_properties(|properties| {
            properties.message_id = Some(MessageId::String("m-1".into()));
            properties.subject = Some("etl/extract".into());
            properties.content_type = Some(Symbol::from("application/json"));
        });
        message.set_app_property("job", Variant::from("extract".to_owned()));
        message.set_app_property("attempt", Variant::Int(3));
        message.set_app_property("ok", Variant::Boolean(true));
        let parts = message_parts(&encode(&message), Some("k1")).unwrap();
        assert_eq!(parts.body, MessageBody::Raw(b"{\"rows\":42}".to_vec()));
        assert_eq!(
            Value::Object(parts.user_properties),
            serde_json::json!({"job":"extract","attempt":3,"ok":true})
        );
        assert_eq!(
            Value::Object(parts.broker_properties),
            serde_json::json!({"MessageId":"m-1","Label":"etl/extract",
                "ContentType":"application/json","PartitionKey":"k1"})
        );
        let mut value = Message::default();
        value.set_value(Variant::from("text".to_owned()));
        let parts = message_parts(&encode(&value), None).unwrap();
        assert_eq!(parts.body, MessageBody::Json(Value::from("text")));
    }

    #[test]
    fn compound_properties_are_refused() {
        let mut message = Message::with_body(Bytes::from_static(b"x"));
        message.set_app_property("list", Variant::List(List(vec![Variant::Int(1)])));
        assert!(matches!(
            message_parts(&encode(&message), None),
            Err(MessageError::Unmappable(_))
        ));
        let empty = message_parts(&encode(&Message::default()), None).unwrap();
        assert_eq!(empty.body, MessageBody::Json(Value::Null));
    }
}
