//! The broker reads the namespace's live MQTT resources (`Namespace::set_mqtt_config`, what
//! the management API changes): a change applies to the next CONNECT; a connected session
//! keeps the grants it got at its CONNECT.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

mod common;

use common::{Broker, Client, KEY, Props, Version, config_json};
use gridlog::NamespaceConfig;

#[test]
fn a_change_applies_to_the_next_connect() {
    let broker = Broker::start(&config_json(), true);
    let mut before = Client::dev(broker.addr(), Version::V5, "before", "sensor1");
    let (_, code) = Client::connect(broker.addr(), Version::V5, "new", Some("late"), Some(KEY));
    assert_eq!(code, Some(0x87), "no client 'late' yet");

    // sensor1 disabled, a client 'late' added.
    let mut changed: serde_json::Value = serde_json::from_str(&config_json()).unwrap();
    changed["clients"][0]["properties"]["state"] = "Disabled".into();
    changed["clients"].as_array_mut().unwrap().push(
        serde_json::json!({"name": "late", "properties": {"attributes": {"type": "sensor"}}}),
    );
    let changed = NamespaceConfig::from_json_str(&changed.to_string()).unwrap();
    broker.namespace.set_mqtt_config(changed.mqtt).unwrap();

    let (_, code) = Client::connect(
        broker.addr(),
        Version::V5,
        "again",
        Some("sensor1"),
        Some(KEY),
    );
    assert_eq!(code, Some(0x87), "sensor1 is disabled now");
    let mut late = Client::dev(broker.addr(), Version::V5, "new", "late");
    let props = Props::default();
    assert_eq!(late.publish("sensors/late/t", b"1", 1, &props), Some(0));
    // The session connected before keeps its grants.
    assert_eq!(
        before.publish("sensors/sensor1/t", b"1", 1, &props),
        Some(0)
    );
}

#[test]
fn an_invalid_change_is_refused_and_changes_nothing() {
    let broker = Broker::start(&config_json(), true);
    let before = broker.namespace.mqtt_config();
    // Routing into a topic the namespace does not have.
    let mut mqtt = gridlog::MqttConfig::clone(&before);
    let route = mqtt
        .topic_spaces_configuration
        .route_topic
        .as_mut()
        .unwrap();
    route.topic = "missing".to_owned();
    route.resource_id = route
        .resource_id
        .replace("/topics/telemetry", "/topics/missing");
    let error = broker.namespace.set_mqtt_config(mqtt).unwrap_err();
    assert!(
        error.to_string().contains("routeTopicResourceId"),
        "{error}"
    );
    assert_eq!(*broker.namespace.mqtt_config(), *before);
    Client::dev(broker.addr(), Version::V5, "still", "sensor1");
}
