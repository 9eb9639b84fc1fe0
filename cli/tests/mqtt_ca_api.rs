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

/// Records the CA hints of the server's certificate request; presents no certificate.
#[derive(Debug, Default)]
struct Hints(std::sync::Mutex<Vec<Vec<u8>>>);

impl rustls::client::ResolvesClientCert for Hints {
    fn resolve(
        &self,
        root_hint_subjects: &[&[u8]],
        _schemes: &[rustls::SignatureScheme],
    ) -> Option<Arc<rustls::sign::CertifiedKey>> {
        *self.0.lock().unwrap() = root_hint_subjects.iter().map(|s| s.to_vec()).collect();
        None
    }

    fn has_certs(&self) -> bool {
        true
    }
}

/// The CA hints the MQTTS handshake sends now.
fn hints(broker: &Broker, server_ca: &Ca) -> Vec<Vec<u8>> {
    let mut roots = rustls::RootCertStore::empty();
    roots.add(server_ca.cert.clone()).unwrap();
    let recorder = Arc::new(Hints::default());
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots)
    .with_client_cert_resolver(recorder.clone());
    let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
    let mut connection = rustls::ClientConnection::new(Arc::new(config), name).unwrap();
    let mut tcp = std::net::TcpStream::connect(broker.addresses().mqtts.unwrap()).unwrap();
    while connection.is_handshaking() {
        connection.complete_io(&mut tcp).unwrap();
    }
    recorder.0.lock().unwrap().clone()
}

#[test]
fn the_tls_ca_hints_follow_the_ca_certificates_of_the_management_api() {
    let server_ca = Ca::new("server CA");
    let client_ca = Ca::new("clients CA");
    let broker = Broker::start_tls(&config(), false, Some(server_ca.server()));
    let server = TestServer::with_backend(
        Arc::new(broker.namespace.clone()),
        Authenticator::new([KEY]),
    );
    assert!(hints(&broker, &server_ca).is_empty());
    let body = serde_json::json!({"properties": {"encodedCertificate": client_ca.pem}}).to_string();
    assert_eq!(
        call(&server, "PUT", "/_gridlog/caCertificates/clients-ca", &body),
        200
    );
    let after = hints(&broker, &server_ca);
    assert_eq!(after.len(), 1);
    assert!(
        after[0].windows(10).any(|w| w == b"clients CA"),
        "the hint is the CA's subject"
    );
    assert_eq!(
        call(&server, "DELETE", "/_gridlog/caCertificates/clients-ca", ""),
        200
    );
    assert!(hints(&broker, &server_ca).is_empty());
}
