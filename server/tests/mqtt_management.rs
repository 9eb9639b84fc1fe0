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

/// A self-signed certificate named `cn`: a CA when `ca`.
fn certificate(cn: &str, ca: bool) -> String {
    let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    if ca {
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    }
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, cn);
    let key = rcgen::KeyPair::generate().unwrap();
    params.self_signed(&key).unwrap().pem()
}

fn ca_body(pem: &str) -> String {
    serde_json::json!({"properties": {"encodedCertificate": pem, "description": "test CA"}})
        .to_string()
}

#[test]
fn ca_certificates_are_created_read_listed_replaced_and_deleted() {
    let (server, namespace, _dir) = start();
    assert_eq!(
        call(&server, "GET", "/_gridlog/caCertificates", "").json()["value"],
        serde_json::json!([])
    );
    let first = certificate("first CA", true);
    let reply = call(
        &server,
        "PUT",
        "/_gridlog/caCertificates/ca-1",
        &ca_body(&first),
    );
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.json()["name"], "ca-1");
    assert_eq!(
        reply.json()["properties"]["encodedCertificate"],
        first.as_str()
    );
    assert_eq!(reply.json()["properties"]["description"], "test CA");
    let cas = &namespace.mqtt_config().ca_certificates;
    assert_eq!(cas.len(), 1);
    assert_eq!(cas[0].name, "ca-1");

    // GET one (names case-insensitive) and the list.
    let reply = call(&server, "GET", "/_gridlog/cacertificates/CA-1", "");
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(
        reply.json()["properties"]["encodedCertificate"],
        first.as_str()
    );
    let second = certificate("second CA", true);
    let reply = call(
        &server,
        "PUT",
        "/_gridlog/caCertificates/ca-2",
        &ca_body(&second),
    );
    assert_eq!(reply.status, 200, "{}", reply.text());
    let reply = call(&server, "GET", "/_gridlog/caCertificates", "");
    let names: Vec<_> = reply.json()["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|ca| ca["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names, ["ca-1", "ca-2"]);

    // A PUT replaces: ca-1 now holds the third certificate.
    let third = certificate("third CA", true);
    let reply = call(
        &server,
        "PUT",
        "/_gridlog/caCertificates/ca-1",
        &ca_body(&third),
    );
    assert_eq!(reply.status, 200, "{}", reply.text());
    let mqtt = namespace.mqtt_config();
    assert_eq!(mqtt.ca_certificates.len(), 2);
    let ca_1 = mqtt
        .ca_certificates
        .iter()
        .find(|ca| ca.name == "ca-1")
        .unwrap();
    assert_eq!(ca_1.encoded_certificate, third);

    // DELETE, then 404.
    let reply = call(&server, "DELETE", "/_gridlog/caCertificates/ca-1", "");
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(
        call(&server, "GET", "/_gridlog/caCertificates/ca-1", "").status,
        404
    );
    assert_eq!(
        call(&server, "DELETE", "/_gridlog/caCertificates/ca-1", "").status,
        404
    );
    let names: Vec<_> = namespace
        .mqtt_config()
        .ca_certificates
        .iter()
        .map(|ca| ca.name.clone())
        .collect();
    assert_eq!(names, ["ca-2"]);
}

#[test]
fn ca_certificate_refusals_name_the_field_and_change_nothing() {
    let (server, namespace, _dir) = start();
    let refused = |path: &str, body: &str, field: &str, why: &str| {
        let reply = call(&server, "PUT", path, body);
        assert_eq!(reply.status, 400, "{path}: {}", reply.text());
        let text = reply.text();
        assert!(
            text.contains(field) && text.contains(why),
            "{path}: {field} / {why} not in {text}"
        );
    };
    // Not a CA.
    refused(
        "/_gridlog/caCertificates/leaf",
        &ca_body(&certificate("a leaf", false)),
        "caCertificates[0].properties.encodedCertificate",
        "not a CA",
    );
    // Neither PEM nor base64.
    refused(
        "/_gridlog/caCertificates/garbage",
        &ca_body("this is not base64!"),
        "caCertificates[0].properties.encodedCertificate",
        "base64",
    );
    // A bad name (3–50 of [A-Za-z0-9-]).
    let good = certificate("good CA", true);
    refused(
        "/_gridlog/caCertificates/ca_1",
        &ca_body(&good),
        "caCertificates[0].name",
        "ca_1",
    );
    refused(
        "/_gridlog/caCertificates/ab",
        &ca_body(&good),
        "caCertificates[0].name",
        "ab",
    );
    assert!(namespace.mqtt_config().ca_certificates.is_empty());

    // Ten are accepted, the eleventh is refused.
    for index in 0..10 {
        let pem = certificate(&format!("CA {index}"), true);
        let reply = call(
            &server,
            "PUT",
            &format!("/_gridlog/caCertificates/ca-{index}"),
            &ca_body(&pem),
        );
        assert_eq!(reply.status, 200, "ca-{index}: {}", reply.text());
    }
    refused(
        "/_gridlog/caCertificates/ca-10",
        &ca_body(&good),
        "caCertificates",
        "10",
    );
    assert_eq!(namespace.mqtt_config().ca_certificates.len(), 10);
}

#[test]
fn ca_certificates_need_the_namespace_credential() {
    let (server, namespace, _dir) = start();
    let body = ca_body(&certificate("a CA", true));
    for (method, path, body) in [
        ("GET", "/_gridlog/caCertificates", ""),
        ("GET", "/_gridlog/caCertificates/ca-1", ""),
        ("PUT", "/_gridlog/caCertificates/ca-1", body.as_str()),
        ("DELETE", "/_gridlog/caCertificates/ca-1", ""),
    ] {
        let reply = server.call(method, path, &[], Some("application/json"), body.as_bytes());
        assert_eq!(reply.status, 401, "{method} {path}: {}", reply.text());
        let wrong = "SharedAccessKey not-the-key";
        let reply = server.call(
            method,
            path,
            &[("Authorization", wrong)],
            Some("application/json"),
            body.as_bytes(),
        );
        assert_eq!(reply.status, 401, "{method} {path}: {}", reply.text());
    }
    assert!(namespace.mqtt_config().ca_certificates.is_empty());
    let reply = call(&server, "POST", "/_gridlog/caCertificates/ca-1", &body);
    assert_eq!(reply.status, 405, "{}", reply.text());
}
