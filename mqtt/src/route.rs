//! Routing: every authorized PUBLISH also becomes a `CloudEvent` appended to the namespace topic
//! named by `topicSpacesConfiguration.routeTopicResourceId` (reference `eventgrid-mqtt.md` §7):
//! `type` `MQTT.EventPublished`, `source` the namespace name, `subject` the topic, the payload
//! as `data` (JSON content, or PFI = 1) or `data_base64`, plus the routing enrichments.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use gridlog::format::{CloudEvent, Data, Event, ExtensionValue, Timestamp, is_json_media_type};
use gridlog::{DynamicValue, MqttClient, RouteTopic, RoutingEnrichments};
use serde_json::Value;

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
    let mut event = CloudEvent::new(id, route.namespace.as_str(), EVENT_TYPE);
    event.subject = Some(message.topic.to_owned());
    event.time = Some(Timestamp::parse(time)?);
    // The enrichment keys are validated extension names (lower-case, not a core attribute);
    // sorted, so the encoding does not depend on the configuration's order.
    event.extensions = enrichments
        .static_values
        .iter()
        .map(|(key, value)| (key.clone(), ExtensionValue::String(value.clone())))
        .chain(
            enrichments
                .dynamic_values
                .iter()
                .map(|(key, value)| (key.clone(), dynamic(value, client, message))),
        )
        .collect();
    event.extensions.sort_by(|a, b| a.0.cmp(&b.0));
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
        let parse = content_type.is_none_or(is_json_media_type);
        let data = match parse.then(|| Data::json(text).ok()).flatten() {
            Some(json) => json,
            // Not JSON (or not declared JSON): the text as a JSON string.
            None => Data::json(&Value::from(text).to_string())?,
        };
        event.datacontenttype = Some(content_type.unwrap_or(JSON).to_owned());
        event.data = data;
    } else {
        event.datacontenttype = Some(content_type.unwrap_or(OCTET_STREAM).to_owned());
        event.data = Data::Binary(message.payload.to_vec());
    }
    // Built from parts: validated and encoded once, never parsed back.
    Event::new(event)
}

fn dynamic(value: &DynamicValue, client: &MqttClient, message: &Message<'_>) -> ExtensionValue {
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
            ExtensionValue::Integer(i32::from(properties.is_some_and(|p| p.utf8_payload)))
        }
    }
}
