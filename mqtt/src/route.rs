//! Routing: every authorized PUBLISH also becomes a `CloudEvent` appended to the namespace topic
//! named by `topicSpacesConfiguration.routeTopicResourceId` (reference `eventgrid-mqtt.md` §7):
//! `type` `MQTT.EventPublished`, `source` the namespace name, `subject` the topic, the payload
//! as `data` (JSON content, or PFI = 1) or `data_base64`, plus the routing enrichments.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use gridlog::format::{Event, is_json_media_type, parse_structured};
use gridlog::{DynamicValue, MqttClient, RouteTopic, RoutingEnrichments};
use serde_json::{Map, Value};

/// The routed events' `type`.
pub const EVENT_TYPE: &str = "MQTT.EventPublished";
/// The content type whose payload is carried as JSON `data`.
const JSON_UTF8: &str = "application/json; charset=utf-8";
/// `datacontenttype` of a `data_base64` payload without a v5 content type.
const OCTET_STREAM: &str = "application/octet-stream";
/// `datacontenttype` of a JSON `data` payload without a v5 content type.
const JSON: &str = "application/json";

/// What routing needs of one PUBLISH.
pub struct Message<'a> {
    /// The topic name (after alias resolution).
    pub topic: &'a str,
    /// The payload.
    pub payload: &'a [u8],
    /// MQTT 5 properties; `None` for an MQTT 3.1.1 message.
    pub v5: Option<V5Properties<'a>>,
}

/// The MQTT 5 properties routing reads.
#[derive(Default)]
pub struct V5Properties<'a> {
    /// Payload Format Indicator (`true`: UTF-8 text).
    pub utf8_payload: bool,
    /// Content Type.
    pub content_type: Option<&'a str>,
    /// User properties, in order (duplicates allowed).
    pub user_properties: Vec<(&'a str, &'a str)>,
    /// Response Topic.
    pub response_topic: Option<&'a str>,
    /// Correlation Data.
    pub correlation_data: Option<&'a [u8]>,
}

/// The event for `message` published by `client`, received at `time` (RFC 3339) with `id`.
/// A v5 Content Type that is not a media type (`type/subtype`) is replaced by the default, so
/// that the message is still routed.
pub fn event(
    route: &RouteTopic,
    enrichments: &RoutingEnrichments,
    client: &MqttClient,
    message: &Message<'_>,
    id: &str,
    time: &str,
) -> Result<Event, gridlog::format::FormatError> {
    let content_type = message.v5.as_ref().and_then(|p| p.content_type);
    let built = build(route, enrichments, client, message, content_type, id, time);
    match built {
        Err(_) if content_type.is_some() => {
            build(route, enrichments, client, message, None, id, time)
        }
        built => built,
    }
}

fn build(
    route: &RouteTopic,
    enrichments: &RoutingEnrichments,
    client: &MqttClient,
    message: &Message<'_>,
    content_type: Option<&str>,
    id: &str,
    time: &str,
) -> Result<Event, gridlog::format::FormatError> {
    let mut event = Map::new();
    event.insert("specversion".into(), "1.0".into());
    event.insert("id".into(), id.into());
    event.insert("time".into(), time.into());
    event.insert("type".into(), EVENT_TYPE.into());
    event.insert("source".into(), route.namespace.as_str().into());
    event.insert("subject".into(), message.topic.into());
    for (key, value) in &enrichments.static_values {
        event.insert(key.clone(), value.as_str().into());
    }
    for (key, value) in &enrichments.dynamic_values {
        event.insert(key.clone(), dynamic(value, client, message));
    }
    let properties = message.v5.as_ref();
    let as_json = properties.is_some_and(|p| {
        p.utf8_payload
            || p.content_type
                .is_some_and(|t| t.eq_ignore_ascii_case(JSON_UTF8))
    });
    let text = as_json
        .then(|| std::str::from_utf8(message.payload).ok())
        .flatten();
    if let Some(text) = text {
        // Under a content type that is not JSON (e.g. `text/plain` with PFI = 1), `data` is
        // the text as a JSON string, as CloudEvents require.
        let parse = content_type.is_none_or(is_json_media_type);
        let data = parse
            .then(|| serde_json::from_str::<Value>(text).ok())
            .flatten()
            .unwrap_or_else(|| Value::from(text));
        event.insert(
            "datacontenttype".into(),
            content_type.unwrap_or(JSON).into(),
        );
        event.insert("data".into(), data);
    } else {
        event.insert(
            "datacontenttype".into(),
            content_type.unwrap_or(OCTET_STREAM).into(),
        );
        event.insert(
            "data_base64".into(),
            STANDARD.encode(message.payload).into(),
        );
    }
    parse_structured(Value::Object(event).to_string().as_bytes())
}

fn dynamic(value: &DynamicValue, client: &MqttClient, message: &Message<'_>) -> Value {
    let properties = message.v5.as_ref();
    match value {
        DynamicValue::AuthenticationName => client.authentication_name.as_str().into(),
        DynamicValue::Attribute(key) => client
            .attributes
            .get(key)
            .map_or_else(String::new, gridlog::ClientAttribute::to_text)
            .into(),
        DynamicValue::UserProperty(key) => properties
            .map(|p| {
                p.user_properties
                    .iter()
                    .filter(|(name, _)| name == key)
                    .map(|(_, value)| *value)
                    .collect::<Vec<_>>()
                    .join(",")
            })
            .unwrap_or_default()
            .into(),
        DynamicValue::TopicName => message.topic.into(),
        DynamicValue::ResponseTopic => properties
            .and_then(|p| p.response_topic)
            .unwrap_or_default()
            .into(),
        DynamicValue::CorrelationData => properties
            .and_then(|p| p.correlation_data)
            .map(|data| STANDARD.encode(data))
            .unwrap_or_default()
            .into(),
        DynamicValue::PayloadFormatIndicator => {
            Value::from(u8::from(properties.is_some_and(|p| p.utf8_payload)))
        }
    }
}

/// A fresh random event id (a version 4 UUID); `None` if the system has no randomness.
pub fn event_id() -> Option<String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).ok()?;
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex = bytes.iter().fold(String::new(), |mut hex, byte| {
        use std::fmt::Write as _;
        let _ = write!(hex, "{byte:02x}");
        hex
    });
    Some(format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    ))
}
