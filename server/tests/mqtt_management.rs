//! The management API of the MQTT broker's resources (`/_gridlog/clients`, `clientGroups`,
//! `topicSpaces`, `permissionBindings`): ARM-shaped GET/PUT/DELETE over a real namespace,
//! validated with the whole namespace, the change live in `Namespace::mqtt_config`.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

mod common;

use std::sync::Arc;

use common::{KEY, TestServer};
use gridlog::{Namespace, NamespaceConfig, NamespaceOptions, ResourceState};
use gridlog_server::auth::Authenticator;

const ROUTE: &str = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.EventGrid/namespaces/plant7/topics/telemetry";

fn start() -> (TestServer, Namespace, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let namespace = Namespace::open(dir.path(), NamespaceOptions::default()).unwrap();
    let config = NamespaceConfig::from_json_str(
        &serde_json::json!({
            "topics": [{"name": "telemetry"}],
            "topicSpacesConfiguration": {"state": "Enabled", "routeTopicResourceId": ROUTE},
            "clients": [{"name": "sensor1", "properties": {"attributes": {"type": "sensor"}}}]
        })
        .to_string(),
    )
    .unwrap();
    namespace.apply_config(&config).unwrap();
    namespace.set_mqtt_config(config.mqtt).unwrap();
    let server = TestServer::with_backend(Arc::new(namespace.clone()), Authenticator::new([KEY]));
    (server, namespace, dir)
}

fn call(server: &TestServer, method: &str, path: &str, body: &str) -> common::Reply {
    let auth = format!("SharedAccessKey {KEY}");
    server.call(
        method,
        path,
        &[("Authorization", auth.as_str())],
        Some("application/json"),
        body.as_bytes(),
    )
}

#[test]
fn clients_groups_spaces_and_bindings_round_trip() {
    let (server, namespace, _dir) = start();
    // Listed with defaults spelled out.
    let reply = call(&server, "GET", "/_gridlog/clients", "");
    assert_eq!(reply.status, 200, "{}", reply.text());
    let clients = reply.json()["value"].as_array().unwrap().clone();
    assert_eq!(clients.len(), 1);
    assert_eq!(clients[0]["name"], "sensor1");
    assert_eq!(clients[0]["properties"]["state"], "Enabled");

    // A new client, a group, a space and a binding.
    let reply = call(
        &server,
        "PUT",
        "/_gridlog/clients/sensor2",
        r#"{"properties":{"attributes":{"type":"sensor"},"state":"Disabled"}}"#,
    );
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.json()["properties"]["authenticationName"], "sensor2");
    assert_eq!(reply.json()["properties"]["state"], "Disabled");
    let reply = call(
        &server,
        "PUT",
        "/_gridlog/clientGroups/sensors",
        r#"{"properties":{"query":"attributes.type = 'sensor'"}}"#,
    );
    assert_eq!(reply.status, 200, "{}", reply.text());
    let reply = call(
        &server,
        "PUT",
        "/_gridlog/topicSpaces/own",
        r#"{"properties":{"topicTemplates":["sensors/${client.authenticationName}/#"]}}"#,
    );
    assert_eq!(reply.status, 200, "{}", reply.text());
    let reply = call(
        &server,
        "PUT",
        "/_gridlog/permissionBindings/sensors-pub",
        r#"{"name":"sensors-pub","properties":{"clientGroupName":"sensors","topicSpaceName":"own","permission":"Publisher"}}"#,
    );
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.json()["properties"]["permission"], "Publisher");

    // Live in the namespace (what the broker reads at the next CONNECT).
    let mqtt = namespace.mqtt_config();
    assert_eq!(mqtt.clients.len(), 2);
    let sensor2 = mqtt.client_by_authentication_name("SENSOR2").unwrap();
    assert_eq!(sensor2.state, ResourceState::Disabled);
    assert_eq!(mqtt.permission_bindings.len(), 1);

    // GET one; names of groups are case-insensitive, client names are not.
    let reply = call(&server, "GET", "/_gridlog/clientgroups/SENSORS", "");
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(
        reply.json()["properties"]["query"],
        "attributes.type = 'sensor'"
    );
    assert_eq!(
        call(&server, "GET", "/_gridlog/clients/SENSOR2", "").status,
        404
    );

    // A PUT replaces: sensor2 enabled again.
    let reply = call(
        &server,
        "PUT",
        "/_gridlog/clients/sensor2",
        r#"{"properties":{"attributes":{"type":"sensor"}}}"#,
    );
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(
        namespace
            .mqtt_config()
            .client_by_authentication_name("sensor2")
            .unwrap()
            .state,
        ResourceState::Enabled
    );
    assert_eq!(
        call(&server, "GET", "/_gridlog/clients", "").json()["value"]
            .as_array()
            .unwrap()
            .len(),
        2
    );

    // DELETE: the binding, then the group it used; a missing one is 404.
    assert_eq!(
        call(
            &server,
            "DELETE",
            "/_gridlog/permissionBindings/sensors-pub",
            ""
        )
        .status,
        200
    );
    assert_eq!(
        call(&server, "DELETE", "/_gridlog/clientGroups/sensors", "").status,
        200
    );
    assert_eq!(
        call(&server, "DELETE", "/_gridlog/clientGroups/sensors", "").status,
        404
    );
    assert!(namespace.mqtt_config().permission_bindings.is_empty());
    assert!(namespace.mqtt_config().client_groups.is_empty());
}

#[test]
fn invalid_changes_are_refused_with_the_field_and_change_nothing() {
    let (server, namespace, _dir) = start();
    // A binding naming a group that does not exist.
    let reply = call(
        &server,
        "PUT",
        "/_gridlog/permissionBindings/binding-one",
        r#"{"properties":{"clientGroupName":"nobody","topicSpaceName":"none","permission":"Publisher"}}"#,
    );
    assert_eq!(reply.status, 400, "{}", reply.text());
    assert!(
        reply.text().contains("permissionBindings[0]") && reply.text().contains("nobody"),
        "{}",
        reply.text()
    );
    // A template breaking the rules.
    let reply = call(
        &server,
        "PUT",
        "/_gridlog/topicSpaces/bad",
        r#"{"properties":{"topicTemplates":["$sys/#"]}}"#,
    );
    assert_eq!(reply.status, 400, "{}", reply.text());
    // A name in the body that is not the path's.
    let reply = call(
        &server,
        "PUT",
        "/_gridlog/clients/a",
        r#"{"name":"b","properties":{}}"#,
    );
    assert_eq!(reply.status, 400, "{}", reply.text());
    // A group in use cannot go.
    for (path, body) in [
        (
            "/_gridlog/clientGroups/sensors",
            r#"{"properties":{"query":"attributes.type = 'sensor'"}}"#,
        ),
        (
            "/_gridlog/topicSpaces/all",
            r##"{"properties":{"topicTemplates":["#"]}}"##,
        ),
        (
            "/_gridlog/permissionBindings/binding-two",
            r#"{"properties":{"clientGroupName":"sensors","topicSpaceName":"all","permission":"Subscriber"}}"#,
        ),
    ] {
        let reply = call(&server, "PUT", path, body);
        assert_eq!(reply.status, 200, "{path}: {}", reply.text());
    }
    let reply = call(&server, "DELETE", "/_gridlog/clientGroups/sensors", "");
    assert_eq!(reply.status, 400, "{}", reply.text());
    assert_eq!(namespace.mqtt_config().client_groups.len(), 1);
    assert_eq!(namespace.mqtt_config().clients.len(), 1);
    // The routing topic cannot be deleted while the broker routes into it.
    let reply = call(&server, "DELETE", "/_gridlog/topics/telemetry", "");
    assert_eq!(reply.status, 400, "{}", reply.text());
    assert!(namespace.topic("telemetry").is_some());
}

#[test]
fn methods_and_credentials() {
    let (server, _namespace, _dir) = start();
    assert_eq!(
        server
            .call("GET", "/_gridlog/clients", &[], None, b"")
            .status,
        401
    );
    let reply = call(&server, "PUT", "/_gridlog/clients", "{}");
    assert_eq!(reply.status, 405, "{}", reply.text());
    let reply = call(&server, "POST", "/_gridlog/clients/sensor1", "{}");
    assert_eq!(reply.status, 405, "{}", reply.text());
}

#[test]
fn the_broker_settings_are_read_and_replaced() {
    let (server, namespace, _dir) = start();
    let reply = call(&server, "GET", "/_gridlog/topicSpacesConfiguration", "");
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.json()["state"], "Enabled");
    assert_eq!(reply.json()["routeTopicResourceId"], ROUTE);
    assert_eq!(
        reply.json()["maximumClientSessionsPerAuthenticationName"],
        1
    );

    let body = serde_json::json!({
        "state": "Disabled",
        "routeTopicResourceId": ROUTE,
        "maximumClientSessionsPerAuthenticationName": 3
    })
    .to_string();
    let reply = call(&server, "PUT", "/_gridlog/topicspacesconfiguration", &body);
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.json()["state"], "Disabled");
    let settings = &namespace.mqtt_config().topic_spaces_configuration;
    assert_eq!(settings.state, ResourceState::Disabled);
    assert_eq!(settings.maximum_client_sessions_per_authentication_name, 3);

    // Routing into a topic the namespace does not have: refused, nothing changed.
    let missing = ROUTE.replace("/topics/telemetry", "/topics/missing");
    let body = serde_json::json!({"state": "Enabled", "routeTopicResourceId": missing}).to_string();
    let reply = call(&server, "PUT", "/_gridlog/topicSpacesConfiguration", &body);
    assert_eq!(reply.status, 400, "{}", reply.text());
    assert!(
        reply.text().contains("routeTopicResourceId"),
        "{}",
        reply.text()
    );
    let reply = call(
        &server,
        "PUT",
        "/_gridlog/topicSpacesConfiguration",
        r#"{"nope": 1}"#,
    );
    assert_eq!(reply.status, 400, "{}", reply.text());
    assert_eq!(
        namespace.mqtt_config().topic_spaces_configuration.state,
        ResourceState::Disabled
    );
    let reply = call(&server, "DELETE", "/_gridlog/topicSpacesConfiguration", "");
    assert_eq!(reply.status, 405, "{}", reply.text());
}
