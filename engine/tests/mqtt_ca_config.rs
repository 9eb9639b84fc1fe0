//! The MQTT broker's `caCertificates` and `topicSpacesConfiguration.clientAuthentication` in
//! the namespace configuration: the accepted encodings of a CA certificate (PEM with or
//! without line breaks, base64 of the PEM, base64 of the DER), the refusals (not a
//! certificate, not a CA, two certificates, too many, duplicate names), the alternative
//! authentication name sources, and the ARM round trip.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests"
)]

use base64::Engine as _;
use gridlog::config::ConfigErrorKind;
use gridlog::{AlternativeNameSource, NamespaceConfig};
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair};
use serde_json::{Value, json};

/// A self-signed certificate, PEM and DER; a CA if `ca`.
fn certificate(ca: bool) -> (String, Vec<u8>) {
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params
        .distinguished_name
        .push(DnType::CommonName, "test CA");
    if ca {
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    }
    let cert = params.self_signed(&KeyPair::generate().unwrap()).unwrap();
    (cert.pem(), cert.der().to_vec())
}

fn config(cas: Value, sources: Option<Value>) -> Value {
    let mut tsc = json!({"state": "Enabled"});
    if let Some(sources) = sources {
        tsc["clientAuthentication"] = json!({"alternativeAuthenticationNameSources": sources});
    }
    let mut config = json!({"topicSpacesConfiguration": tsc});
    config["caCertificates"] = cas;
    config
}

fn ca(name: &str, encoded: &str) -> Value {
    json!({"name": name, "properties": {"description": "d", "encodedCertificate": encoded,
        "issueTimeInUtc": "2026-01-01T00:00:00Z", "provisioningState": "Succeeded"}})
}

fn parse(config: &Value) -> NamespaceConfig {
    NamespaceConfig::from_json_str(&config.to_string()).unwrap_or_else(|e| panic!("{config}: {e}"))
}

fn error(config: &Value) -> (String, ConfigErrorKind) {
    match NamespaceConfig::from_json_str(&config.to_string()) {
        Ok(parsed) => panic!("accepted {config}: {parsed:?}"),
        Err(error) => (error.path, error.kind),
    }
}

#[test]
fn a_ca_certificate_is_accepted_in_each_encoding_and_kept_as_der() {
    let (pem, der) = certificate(true);
    let b64 = base64::engine::general_purpose::STANDARD;
    let one_line: String = pem.lines().collect();
    let encodings = [
        pem.clone(),
        one_line,
        b64.encode(pem.as_bytes()),
        b64.encode(&der),
    ];
    for (index, encoded) in encodings.iter().enumerate() {
        let parsed = parse(&config(json!([ca(&format!("ca-{index}"), encoded)]), None));
        let only = &parsed.mqtt.ca_certificates[0];
        assert_eq!(only.der, der, "encoding {index}");
        assert_eq!(only.encoded_certificate, *encoded);
        assert_eq!(only.description.as_deref(), Some("d"));
    }
}

#[test]
fn what_is_not_one_ca_certificate_is_refused_at_its_path() {
    let (leaf_pem, _) = certificate(false);
    let (ca_pem, _) = certificate(true);
    let cases = [
        ("not base64 at all!".to_owned(), "neither PEM nor base64"),
        (
            base64::engine::general_purpose::STANDARD.encode(b"hello"),
            "not an X.509 certificate",
        ),
        (leaf_pem, "not a CA certificate"),
        (format!("{ca_pem}{ca_pem}"), "one certificate only"),
        (
            "-----BEGIN CERTIFICATE-----\nMIIB".to_owned(),
            "END CERTIFICATE",
        ),
        (String::new(), "empty"),
    ];
    for (encoded, reason) in cases {
        let (path, kind) = error(&config(json!([ca("ca-1", &encoded)]), None));
        assert_eq!(path, "caCertificates[0].properties.encodedCertificate");
        match kind {
            ConfigErrorKind::InvalidCertificate { reason: got } => {
                assert!(got.contains(reason), "{got:?} should say {reason:?}");
            }
            other => panic!("{other:?}"),
        }
    }
    let (path, kind) = error(&json!({"caCertificates": [{"name": "ca-1", "properties": {}}]}));
    assert_eq!(
        (path.as_str(), kind),
        (
            "caCertificates[0].properties.encodedCertificate",
            ConfigErrorKind::Required
        )
    );
}

#[test]
fn ca_names_and_counts_follow_the_service() {
    let (pem, _) = certificate(true);
    let (path, _) = error(&config(json!([ca("x", &pem)]), None));
    assert_eq!(path, "caCertificates[0].name");
    let (path, kind) = error(&config(json!([ca("ca-1", &pem), ca("CA-1", &pem)]), None));
    assert_eq!(path, "caCertificates[1].name");
    assert!(
        matches!(kind, ConfigErrorKind::DuplicateName { .. }),
        "{kind:?}"
    );
    let eleven: Vec<Value> = (0..11).map(|i| ca(&format!("ca-{i}"), &pem)).collect();
    let (path, kind) = error(&config(Value::Array(eleven), None));
    assert_eq!(path, "caCertificates");
    assert_eq!(kind, ConfigErrorKind::TooMany { max: 10, got: 11 });
}

#[test]
fn alternative_sources_parse_in_order_and_refuse_unknown_and_repeated_ones() {
    let parsed = parse(&config(
        json!([]),
        Some(json!(["ClientCertificateDns", "clientcertificatesubject"])),
    ));
    assert_eq!(
        parsed
            .mqtt
            .topic_spaces_configuration
            .alternative_authentication_name_sources,
        [
            AlternativeNameSource::ClientCertificateDns,
            AlternativeNameSource::ClientCertificateSubject
        ]
    );
    let (path, _) = error(&config(
        json!([]),
        Some(json!(["ClientCertificateDns", "Thumbprint"])),
    ));
    assert_eq!(
        path,
        "topicSpacesConfiguration.clientAuthentication.alternativeAuthenticationNameSources[1]"
    );
    let (path, _) = error(&config(
        json!([]),
        Some(json!(["ClientCertificateIp", "ClientCertificateIp"])),
    ));
    assert_eq!(
        path,
        "topicSpacesConfiguration.clientAuthentication.alternativeAuthenticationNameSources[1]"
    );
    // Custom JWT and webhook authentication are not supported: refused, not ignored.
    let unsupported = json!({"topicSpacesConfiguration": {"clientAuthentication": {"webhookAuthentication": {}}}});
    assert!(NamespaceConfig::from_json_str(&unsupported.to_string()).is_err());
}

#[test]
fn the_arm_round_trip_keeps_cas_and_sources() {
    let (pem, _) = certificate(true);
    let parsed = parse(&config(
        json!([ca("ca-1", &pem)]),
        Some(json!(["ClientCertificateEmail", "ClientCertificateUri"])),
    ));
    let again = parse(&parsed.to_json());
    assert_eq!(parsed, again);
    assert_eq!(again.mqtt.ca_certificates.len(), 1);
}
