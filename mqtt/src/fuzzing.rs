//! The body of the `mqtt` fuzz target (`fuzz/fuzz_targets/mqtt.rs`), which
//! `mqtt/tests/fuzz_corpus.rs` also replays: the parsing and decisions gridlog owns on top of
//! ntex-mqtt's codec. The first byte picks one:
//!
//! - `0`: a client-group query → [`gridlog::ClientGroupQuery::parse`], evaluated;
//! - `1`: a topic template → [`gridlog::TopicTemplate::parse`], substituted;
//! - `2`: a topic filter, a NUL byte, a topic name → [`crate::topic`]'s rules, matching and
//!   coverage;
//! - `3`: a routed message (flags byte: bit 0 MQTT 5, bit 1 payload format UTF-8; a content
//!   type length byte; the content type; the payload) → [`crate::route::event`].
//!
//! Besides "no panic": a parsed query or template re-parses from its text to the same value; a
//! filter covers itself, and covering a topic (as a filter) means matching it; a routed event
//! is always built and carries the payload intact.

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use gridlog::{
    ClientAttribute, ClientGroupQuery, MqttClient, RouteTopic, RoutingEnrichments, TopicTemplate,
};

use crate::route::{self, Message, V5Properties};
use crate::topic::{covers, matches, topic_filter, topic_name};

/// Runs one input.
pub fn mqtt(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    match mode % 4 {
        0 => query(&String::from_utf8_lossy(rest)),
        1 => template(&String::from_utf8_lossy(rest)),
        2 => topics(rest),
        _ => routed(rest),
    }
}

fn client() -> MqttClient {
    let mut client = MqttClient::new("dev-7");
    "Dev-7".clone_into(&mut client.authentication_name);
    client.attributes = BTreeMap::from([
        (
            "type".to_owned(),
            ClientAttribute::String("sensor".to_owned()),
        ),
        ("floor".to_owned(), ClientAttribute::Integer(3)),
        ("ok".to_owned(), ClientAttribute::Bool(true)),
        (
            "rooms".to_owned(),
            ClientAttribute::Strings(vec!["a/b".to_owned(), "+".to_owned(), "#".to_owned()]),
        ),
    ]);
    client
}

fn query(text: &str) {
    if let Ok(parsed) = ClientGroupQuery::parse(text) {
        let again = ClientGroupQuery::parse(parsed.as_str());
        assert_eq!(again.as_ref(), Ok(&parsed), "a query re-parses to itself");
        let _ = parsed.matches(&client());
    }
}

fn template(text: &str) {
    if let Ok(parsed) = TopicTemplate::parse(text) {
        assert_eq!(TopicTemplate::parse(parsed.as_str()), Ok(parsed.clone()));
        for filter in parsed.substitute(&client()) {
            assert_eq!(
                filter.len(),
                parsed.segments().len(),
                "a substituted value never adds or removes a segment"
            );
        }
    }
}

fn topics(bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    let (filter_text, name_text) = text.split_once('\0').unwrap_or((&text, ""));
    let filter = topic_filter(filter_text);
    if let Ok(filter) = &filter {
        assert!(covers(filter, filter), "a filter covers itself");
    }
    if let (Ok(filter), Ok(segments)) = (&filter, topic_name(name_text)) {
        let as_filter: Vec<gridlog::FilterSegment> = segments
            .iter()
            .map(|s| gridlog::FilterSegment::Literal((*s).to_owned()))
            .collect();
        assert_eq!(
            covers(filter, &as_filter),
            matches(filter, &segments),
            "covering a topic is matching it"
        );
    }
}

fn routed(bytes: &[u8]) {
    let [flags, length, rest @ ..] = bytes else {
        return;
    };
    let split = usize::from(*length).min(rest.len());
    let (content_type, payload) = rest.split_at(split);
    let content_type = String::from_utf8_lossy(content_type);
    let v5 = flags & 1 == 1;
    let message = Message {
        topic: "sensors/s1/t",
        payload,
        v5: v5.then(|| V5Properties {
            utf8_payload: flags & 2 == 2,
            content_type: (!content_type.is_empty()).then_some(&*content_type),
            ..V5Properties::default()
        }),
    };
    let route = RouteTopic {
        resource_id: String::new(),
        namespace: "plant7".to_owned(),
        topic: "telemetry".to_owned(),
    };
    let Ok(event) = route::event(
        &route,
        &RoutingEnrichments::default(),
        &client(),
        &message,
        "00000000-0000-4000-8000-000000000000",
        "2026-12-05T07:00:00.000Z",
    ) else {
        panic!("a routed message always makes an event");
    };
    let Ok(json) = serde_json::from_slice::<serde_json::Value>(event.json()) else {
        panic!("an event is JSON");
    };
    assert_eq!(json["type"], route::EVENT_TYPE);
    if let Some(encoded) = json.get("data_base64").and_then(|v| v.as_str()) {
        assert_eq!(STANDARD.decode(encoded).ok().as_deref(), Some(payload));
    } else {
        let Ok(text) = std::str::from_utf8(payload) else {
            panic!("data for a payload that is not UTF-8");
        };
        match &json["data"] {
            serde_json::Value::String(data) if data == text => {}
            data => assert_eq!(
                serde_json::from_str::<serde_json::Value>(text)
                    .ok()
                    .as_ref(),
                Some(data),
                "data is the payload, parsed"
            ),
        }
    }
}
