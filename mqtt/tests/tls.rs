//! MQTTS, MQTT over WebSocket and WSS, and X.509 client-certificate authentication: each
//! validation scheme accepted, and refused with the service's codes (v5 CONNACK 0x86/0x87,
//! 3.1.1 0x04/0x05) for an unknown client, a wrong thumbprint, a disabled client, an untrusted
//! chain, a name that does not match, an expired certificate and no certificate; the
//! alternative authentication name sources; the WebSocket upgrade's path and subprotocol.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests"
)]

mod common;

use std::net::{IpAddr, Ipv4Addr, TcpStream};

use common::pki::{self, Ca};
use common::transport::{self, Identity};
use common::{Broker, Client, Props, Version};
use rcgen::SanType;

const NOT_AUTHORIZED_V5: u8 = 0x87;
const NOT_AUTHORIZED_V3: u8 = 0x05;
const BAD_CREDENTIALS_V5: u8 = 0x86;
const BAD_CREDENTIALS_V3: u8 = 0x04;

/// The namespace: `thumb` (`ThumbprintMatch`, `allowed` upper-cased), a client per chain scheme,
/// `off` (disabled), `devices/#` open to everyone, the client CA, and `sources` as the
/// alternative authentication name sources.
fn config(client_ca: &Ca, allowed: &str, sources: &[&str]) -> String {
    let mut tsc =
        serde_json::json!({"state": "Enabled", "maximumClientSessionsPerAuthenticationName": 5});
    if !sources.is_empty() {
        tsc["clientAuthentication"] =
            serde_json::json!({"alternativeAuthenticationNameSources": sources});
    }
    serde_json::json!({
        "accessKeys": [common::KEY],
        "topicSpacesConfiguration": tsc,
        "caCertificates": [{"name": "clients-ca", "properties": {"encodedCertificate": client_ca.pem}}],
        "clients": [
            {"name": "thumb", "properties": {"clientCertificateAuthentication":
                {"validationScheme": "ThumbprintMatch", "allowedThumbprints": [allowed.to_uppercase()]}}},
            {"name": "subj", "properties": {}},
            {"name": "dns", "properties": {"authenticationName": "dev1.example.com",
                "clientCertificateAuthentication": {"validationScheme": "DnsMatchesAuthenticationName"}}},
            {"name": "uri", "properties": {"authenticationName": "urn:dev:uri1",
                "clientCertificateAuthentication": {"validationScheme": "UriMatchesAuthenticationName"}}},
            {"name": "ip", "properties": {"authenticationName": "10.0.0.7",
                "clientCertificateAuthentication": {"validationScheme": "IpMatchesAuthenticationName"}}},
            {"name": "mail", "properties": {"authenticationName": "dev@example.com",
                "clientCertificateAuthentication": {"validationScheme": "EmailMatchesAuthenticationName"}}},
            {"name": "off", "properties": {"state": "Disabled"}}
        ],
        "topicSpaces": [{"name": "devices", "properties": {"topicTemplates": ["devices/#"]}}],
        "permissionBindings": [
            {"name": "all-pub", "properties": {"clientGroupName": "$all", "topicSpaceName": "devices", "permission": "Publisher"}},
            {"name": "all-sub", "properties": {"clientGroupName": "$all", "topicSpaceName": "devices", "permission": "Subscriber"}}
        ]
    })
    .to_string()
}

struct Setup {
    server_ca: Ca,
    client_ca: Ca,
    thumb: Identity,
    broker: Broker,
}

fn setup(sources: &[&str], dev_auth: bool) -> Setup {
    let server_ca = Ca::new("server CA");
    let client_ca = Ca::new("clients CA");
    let thumb = pki::self_signed("thumb");
    let config = config(&client_ca, &pki::thumbprint(&thumb), sources);
    let broker = Broker::start_tls(&config, dev_auth, Some(server_ca.server()));
    Setup {
        server_ca,
        client_ca,
        thumb,
        broker,
    }
}

impl Setup {
    /// CONNECT over MQTTS presenting `identity`.
    fn mqtts(
        &self,
        version: Version,
        id: &str,
        username: Option<&str>,
        identity: Option<Identity>,
    ) -> (Client, Option<u8>) {
        let addr = self.broker.addresses().mqtts.expect("mqtts");
        let tls = transport::tls(addr, &self.server_ca.cert, identity).expect("TLS handshake");
        Client::connect_over(Box::new(tls), version, id, username, None, None)
    }

    fn code(
        &self,
        version: Version,
        id: &str,
        username: Option<&str>,
        identity: Option<Identity>,
    ) -> Option<u8> {
        self.mqtts(version, id, username, identity).1
    }
}

#[test]
fn thumbprint_match_authenticates_over_mqtts_in_both_versions_and_they_exchange_messages() {
    let setup = setup(&[], false);
    let (mut subscriber, code) = setup.mqtts(
        Version::V5,
        "t-sub",
        Some("thumb"),
        Some(setup.thumb.clone()),
    );
    assert_eq!(code, Some(0));
    assert_eq!(subscriber.subscribe(&["devices/#"]), vec![1]);
    let (mut publisher, code) = setup.mqtts(
        Version::V311,
        "t-pub",
        Some("THUMB"),
        Some(setup.thumb.clone()),
    );
    assert_eq!(code, Some(0), "authentication names are case-insensitive");
    assert_eq!(
        publisher.publish("devices/t/temp", b"21.5", 1, &Props::default()),
        Some(0)
    );
    let (topic, payload, _) = subscriber.receive();
    assert_eq!(
        (topic.as_str(), payload.as_slice()),
        ("devices/t/temp", &b"21.5"[..])
    );
}

#[test]
fn refusals_carry_the_services_codes_in_both_versions() {
    let setup = setup(&[], false);
    let other = pki::self_signed("thumb");
    for (version, not_authorized, bad_credentials) in [
        (Version::V5, NOT_AUTHORIZED_V5, BAD_CREDENTIALS_V5),
        (Version::V311, NOT_AUTHORIZED_V3, BAD_CREDENTIALS_V3),
    ] {
        // Wrong thumbprint (same subject, another key).
        assert_eq!(
            setup.code(version, "r1", Some("thumb"), Some(other.clone())),
            Some(not_authorized)
        );
        // Unknown client.
        assert_eq!(
            setup.code(version, "r2", Some("nobody"), Some(setup.thumb.clone())),
            Some(not_authorized)
        );
        // Disabled client, with a certificate that would otherwise match.
        let off = setup.client_ca.leaf("off", Vec::new());
        assert_eq!(
            setup.code(version, "r3", Some("off"), Some(off)),
            Some(not_authorized)
        );
        // No certificate (the development mode is off).
        assert_eq!(
            setup.code(version, "r4", Some("thumb"), None),
            Some(not_authorized)
        );
        // No username, and no alternative name sources configured.
        assert_eq!(
            setup.code(version, "r5", None, Some(setup.thumb.clone())),
            Some(bad_credentials)
        );
    }
    // Every refusal was counted, none accepted.
    let stats = setup.broker.stats.snapshot();
    assert_eq!(stats.connects[0], 0, "{stats:?}");
}

#[test]
fn chain_schemes_match_their_field_and_need_the_namespace_ca() {
    let setup = setup(&[], false);
    let ca = &setup.client_ca;
    let cases: [(&str, Identity); 5] = [
        ("subj", ca.leaf("subj", Vec::new())),
        (
            "dev1.example.com",
            ca.leaf(
                "x",
                vec![SanType::DnsName("DEV1.example.com".try_into().unwrap())],
            ),
        ),
        (
            "urn:dev:uri1",
            ca.leaf("x", vec![SanType::URI("urn:dev:uri1".try_into().unwrap())]),
        ),
        (
            "10.0.0.7",
            ca.leaf(
                "x",
                vec![SanType::IpAddress(IpAddr::V4(Ipv4Addr::new(10, 0, 0, 7)))],
            ),
        ),
        (
            "dev@example.com",
            ca.leaf(
                "x",
                vec![SanType::Rfc822Name("dev@example.com".try_into().unwrap())],
            ),
        ),
    ];
    for (n, (name, identity)) in cases.into_iter().enumerate() {
        assert_eq!(
            setup.code(Version::V5, &format!("c{n}"), Some(name), Some(identity)),
            Some(0),
            "{name}"
        );
    }
    // The field does not match the authentication name.
    let wrong = [
        ("subj", ca.leaf("other", Vec::new())),
        (
            "dev1.example.com",
            ca.leaf(
                "dev1.example.com",
                vec![SanType::DnsName("dev2.example.com".try_into().unwrap())],
            ),
        ),
        (
            "10.0.0.7",
            ca.leaf(
                "x",
                vec![SanType::IpAddress(IpAddr::V4(Ipv4Addr::new(10, 0, 0, 8)))],
            ),
        ),
    ];
    for (name, identity) in wrong {
        assert_eq!(
            setup.code(Version::V5, "w", Some(name), Some(identity)),
            Some(NOT_AUTHORIZED_V5),
            "{name}"
        );
    }
    // Signed by a CA the namespace does not have.
    let stranger = Ca::new("clients CA").leaf("subj", Vec::new());
    assert_eq!(
        setup.code(Version::V5, "u", Some("subj"), Some(stranger)),
        Some(NOT_AUTHORIZED_V5)
    );
    assert_eq!(
        setup.code(
            Version::V311,
            "u",
            Some("subj"),
            Some(Ca::new("x").leaf("subj", Vec::new()))
        ),
        Some(NOT_AUTHORIZED_V3)
    );
    // Self-signed with the right subject: no chain.
    assert_eq!(
        setup.code(
            Version::V5,
            "s",
            Some("subj"),
            Some(pki::self_signed("subj"))
        ),
        Some(NOT_AUTHORIZED_V5)
    );
    // Expired.
    assert_eq!(
        setup.code(
            Version::V5,
            "e",
            Some("subj"),
            Some(ca.expired_leaf("subj"))
        ),
        Some(NOT_AUTHORIZED_V5)
    );
}

#[test]
fn alternative_sources_name_the_client_in_their_order_when_there_is_no_username() {
    let setup = setup(&["ClientCertificateDns", "ClientCertificateSubject"], false);
    let ca = &setup.client_ca;
    // DNS first: the SAN names the client `dns`.
    let dns = ca.leaf(
        "subj",
        vec![SanType::DnsName("dev1.example.com".try_into().unwrap())],
    );
    assert_eq!(setup.code(Version::V5, "a1", None, Some(dns)), Some(0));
    // No DNS SAN: the subject's CN names `subj`.
    assert_eq!(
        setup.code(Version::V311, "a2", None, Some(ca.leaf("subj", Vec::new()))),
        Some(0)
    );
    // Nothing names a client.
    assert_eq!(
        setup.code(Version::V5, "a3", None, Some(ca.leaf("ghost", Vec::new()))),
        Some(NOT_AUTHORIZED_V5)
    );
    // A username still wins over the sources.
    assert_eq!(
        setup.code(Version::V5, "a4", Some("thumb"), Some(setup.thumb.clone())),
        Some(0)
    );
}

#[test]
fn websocket_carries_mqtt_on_path_mqtt_with_the_mqtt_subprotocol() {
    let setup = setup(&[], true);
    let plain_addr = setup.broker.addresses().ws.expect("ws");
    let url = format!("ws://{plain_addr}/mqtt");
    let (ws, chosen) =
        transport::websocket(TcpStream::connect(plain_addr).unwrap(), &url, Some("mqtt")).unwrap();
    assert_eq!(chosen.as_deref(), Some("mqtt"));
    // Plain WebSocket: no certificate, the development mode authenticates.
    let (mut subscriber, code) = Client::connect_over(
        Box::new(ws),
        Version::V5,
        "ws-sub",
        Some("subj"),
        Some(common::KEY),
        None,
    );
    assert_eq!(code, Some(0));
    assert_eq!(subscriber.subscribe(&["devices/+/temp"]), vec![1]);
    // WSS with a client certificate.
    let secure_addr = setup.broker.addresses().wss.expect("wss");
    let tls = transport::tls(
        secure_addr,
        &setup.server_ca.cert,
        Some(setup.thumb.clone()),
    )
    .unwrap();
    let (wss, chosen) = transport::websocket(
        tls,
        &format!("wss://localhost:{}/mqtt", secure_addr.port()),
        Some("mqttv3.1, mqtt"),
    )
    .unwrap();
    assert_eq!(chosen.as_deref(), Some("mqtt"));
    let (mut publisher, code) = Client::connect_over(
        Box::new(wss),
        Version::V311,
        "wss-pub",
        Some("thumb"),
        None,
        None,
    );
    assert_eq!(code, Some(0));
    assert_eq!(
        publisher.publish("devices/w/temp", &[7; 3000], 1, &Props::default()),
        Some(0)
    );
    let (topic, payload, qos) = subscriber.receive();
    assert_eq!(
        (topic.as_str(), payload.len(), qos),
        ("devices/w/temp", 3000, 1)
    );
    // WSS refusals carry the same codes as MQTTS.
    let tls = transport::tls(
        secure_addr,
        &setup.server_ca.cert,
        Some(pki::self_signed("thumb")),
    )
    .unwrap();
    let (wss, _) = transport::websocket(
        tls,
        &format!("wss://localhost:{}/mqtt", secure_addr.port()),
        Some("mqtt"),
    )
    .unwrap();
    let (_, code) = Client::connect_over(
        Box::new(wss),
        Version::V5,
        "wss-bad",
        Some("thumb"),
        None,
        None,
    );
    assert_eq!(code, Some(NOT_AUTHORIZED_V5));
}

#[test]
fn websocket_upgrade_is_refused_off_path_and_for_other_subprotocols() {
    let setup = setup(&[], true);
    let addr = setup.broker.addresses().ws.expect("ws");
    let status = |path: &str, protocols: Option<&str>| match transport::websocket(
        TcpStream::connect(addr).unwrap(),
        &format!("ws://{addr}{path}"),
        protocols,
    ) {
        Ok(_) => 101,
        Err(tungstenite::Error::Http(response)) => response.status().as_u16(),
        Err(e) => panic!("{e}"),
    };
    assert_eq!(status("/", Some("mqtt")), 404);
    assert_eq!(status("/mqtt/x", Some("mqtt")), 404);
    assert_eq!(status("/mqtt", Some("stomp")), 400);
    assert_eq!(
        status("/mqtt", None),
        101,
        "no subprotocol offered: accepted without one"
    );
    // The broker carries on.
    let ws = transport::websocket(
        TcpStream::connect(addr).unwrap(),
        &format!("ws://{addr}/mqtt"),
        Some("mqtt"),
    )
    .unwrap()
    .0;
    let (mut client, code) = Client::connect_over(
        Box::new(ws),
        Version::V5,
        "after",
        Some("subj"),
        Some(common::KEY),
        None,
    );
    assert_eq!(code, Some(0));
    assert!(client.ping());
}

#[test]
fn a_tls_client_without_a_certificate_may_use_the_development_mode() {
    let setup = setup(&[], true);
    let addr = setup.broker.addresses().mqtts.expect("mqtts");
    let tls = transport::tls(addr, &setup.server_ca.cert, None).unwrap();
    let (_, code) = Client::connect_over(
        Box::new(tls),
        Version::V5,
        "d1",
        Some("subj"),
        Some(common::KEY),
        None,
    );
    assert_eq!(code, Some(0));
    // A certificate, once presented, decides: a wrong one is refused even with the key.
    let tls = transport::tls(addr, &setup.server_ca.cert, Some(pki::self_signed("thumb"))).unwrap();
    let (_, code) = Client::connect_over(
        Box::new(tls),
        Version::V5,
        "d2",
        Some("thumb"),
        Some(common::KEY),
        None,
    );
    assert_eq!(code, Some(NOT_AUTHORIZED_V5));
}
