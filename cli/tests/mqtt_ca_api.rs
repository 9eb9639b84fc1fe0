//! A `caCertificates` entry added through the management API (`PUT /_gridlog/caCertificates/…`)
//! is trusted at the broker's next CONNECT over MQTTS, and no longer once it is deleted: the
//! HTTP server and the MQTT broker over one namespace, as `gridlog serve` runs them. Here
//! because this crate is the one that has both front ends (and shares mqtt/tests/common).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test fails loudly by design"
)]

#[path = "../../mqtt/tests/common/mod.rs"]
mod mqtt_client;

use std::sync::Arc;

use gridlog_server::auth::Authenticator;
use gridlog_server::testing::TestServer;
use mqtt_client::pki::Ca;
use mqtt_client::transport::{self, Identity};
use mqtt_client::{Broker, Client, KEY, Version};

const NOT_AUTHORIZED_V5: u8 = 0x87;
const NOT_AUTHORIZED_V3: u8 = 0x05;

/// `device1` is authenticated by a chain to a `caCertificates` entry with its subject's CN;
/// the namespace starts with no CA.
fn config() -> String {
    serde_json::json!({
        "accessKeys": [KEY],
        "topicSpacesConfiguration": {"state": "Enabled", "maximumClientSessionsPerAuthenticationName": 5},
        "clients": [{"name": "device1", "properties": {}}],
        "topicSpaces": [{"name": "devices", "properties": {"topicTemplates": ["devices/#"]}}],
        "permissionBindings": [
            {"name": "all-sub", "properties": {"clientGroupName": "$all", "topicSpaceName": "devices", "permission": "Subscriber"}}
        ]
    })
    .to_string()
}

fn connect(broker: &Broker, server_ca: &Ca, version: Version, identity: &Identity) -> Option<u8> {
    let addr = broker.addresses().mqtts.expect("mqtts");
    let tls = transport::tls(addr, &server_ca.cert, Some(identity.clone())).expect("TLS");
    Client::connect_over(Box::new(tls), version, "d1", Some("device1"), None, None).1
}

fn call(server: &TestServer, method: &str, path: &str, body: &str) -> u16 {
    let auth = format!("SharedAccessKey {KEY}");
    let reply = server.call(
        method,
        path,
        &[("Authorization", auth.as_str())],
        Some("application/json"),
        body.as_bytes(),
    );
    assert!(reply.status < 500, "{method} {path}: {}", reply.text());
    reply.status
}

#[test]
fn a_ca_added_through_the_api_is_trusted_at_the_next_connect_and_not_after_its_delete() {
    let server_ca = Ca::new("server CA");
    let client_ca = Ca::new("clients CA");
    let device = client_ca.leaf("device1", Vec::new());
    let broker = Broker::start_tls(&config(), false, Some(server_ca.server()));
    let server = TestServer::with_backend(
        Arc::new(broker.namespace.clone()),
        Authenticator::new([KEY]),
    );

    // No CA yet: the chain does not validate.
    assert_eq!(
        connect(&broker, &server_ca, Version::V5, &device),
        Some(NOT_AUTHORIZED_V5)
    );

    let body = serde_json::json!({"properties": {"encodedCertificate": client_ca.pem}}).to_string();
    assert_eq!(
        call(&server, "PUT", "/_gridlog/caCertificates/clients-ca", &body),
        200
    );
    assert_eq!(connect(&broker, &server_ca, Version::V5, &device), Some(0));
    assert_eq!(
        connect(&broker, &server_ca, Version::V311, &device),
        Some(0)
    );

    // Another CA's leaf is still refused.
    let other = Ca::new("other CA").leaf("device1", Vec::new());
    assert_eq!(
        connect(&broker, &server_ca, Version::V5, &other),
        Some(NOT_AUTHORIZED_V5)
    );

    assert_eq!(
        call(&server, "DELETE", "/_gridlog/caCertificates/clients-ca", ""),
        200
    );
    assert_eq!(
        connect(&broker, &server_ca, Version::V5, &device),
        Some(NOT_AUTHORIZED_V5)
    );
    assert_eq!(
        connect(&broker, &server_ca, Version::V311, &device),
        Some(NOT_AUTHORIZED_V3)
    );
}
