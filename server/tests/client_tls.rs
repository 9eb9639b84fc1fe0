//! The outgoing client (`gridlog_server::client`) against TLS servers with a private CA: the CA
//! file makes it succeed, and each verification failure is classified (unknown CA, name
//! mismatch, expired certificate).
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use gridlog_server::client::{ClientError, HttpClient, TlsFailure, Url};
use gridlog_server::tls::self_signed::server_params;
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose};
use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use time::OffsetDateTime;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

struct Ca {
    issuer: Issuer<'static, KeyPair>,
    pem: String,
}

fn new_ca(name: &str) -> Ca {
    let mut params = CertificateParams::default();
    params.distinguished_name.push(DnType::CommonName, name);
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign];
    let key = KeyPair::generate().unwrap();
    let pem = params.self_signed(&key).unwrap().pem();
    Ca {
        issuer: Issuer::new(params, key),
        pem,
    }
}

/// A TLS server on loopback presenting a certificate for `names` valid `from`..`to` days from
/// now, answering every request `204`; its port.
async fn serve(ca: &Ca, names: &[&str], from: i64, to: i64) -> u16 {
    let now = OffsetDateTime::now_utc();
    let key = KeyPair::generate().unwrap();
    let cert = server_params(
        names,
        now + time::Duration::days(from),
        now + time::Duration::days(to),
    )
    .unwrap()
    .signed_by(&key, &ca.issuer)
    .unwrap();
    let config = rustls::ServerConfig::builder_with_provider(gridlog_server::tls::provider())
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![CertificateDer::from(cert.der().to_vec())],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
        )
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        loop {
            let (stream, _) = listener.accept().await.unwrap();
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(stream).await else {
                    return;
                };
                let mut buf = vec![0u8; 4096];
                let _ = tls.read(&mut buf).await;
                let _ = tls
                    .write_all(b"HTTP/1.1 204 No Content\r\nconnection: close\r\n\r\n")
                    .await;
                let _ = tls.shutdown().await;
            });
        }
    });
    port
}

async fn post(url: &str, ca_file: Option<&std::path::Path>) -> Result<u16, ClientError> {
    let url = Url::parse(url).unwrap();
    let client = HttpClient::for_url(&url, ca_file).unwrap();
    client
        .post(
            &url,
            "text/plain",
            &[],
            Bytes::from_static(b"x"),
            Duration::from_secs(10),
        )
        .await
}

#[tokio::test]
async fn private_ca_succeeds_and_failures_are_classified() {
    let dir = tempfile::tempdir().unwrap();
    let ca = new_ca("client test CA");
    let ca_file = dir.path().join("ca.pem");
    std::fs::write(&ca_file, &ca.pem).unwrap();
    let good = serve(&ca, &["localhost", "127.0.0.1"], -1, 30).await;
    assert_eq!(
        post(&format!("https://localhost:{good}/x"), Some(&ca_file))
            .await
            .unwrap(),
        204
    );
    assert_eq!(
        post(&format!("https://127.0.0.1:{good}/x"), Some(&ca_file))
            .await
            .unwrap(),
        204
    );

    let kind = |r: Result<u16, ClientError>| match r {
        Err(ClientError::Tls { kind, .. }) => kind,
        other => panic!("expected a TLS failure, got {other:?}"),
    };
    // Without the CA file: the system roots do not know the private CA.
    let err = post(&format!("https://127.0.0.1:{good}/x"), None).await;
    assert_eq!(kind(err), TlsFailure::UnknownCa);
    // A certificate for other names.
    let other = serve(&ca, &["example.invalid"], -1, 30).await;
    let err = post(&format!("https://127.0.0.1:{other}/x"), Some(&ca_file)).await;
    assert_eq!(kind(err), TlsFailure::NameMismatch);
    // An expired certificate.
    let expired = serve(&ca, &["localhost", "127.0.0.1"], -30, -1).await;
    let err = post(&format!("https://127.0.0.1:{expired}/x"), Some(&ca_file)).await;
    let message = err.as_ref().unwrap_err().to_string();
    assert_eq!(kind(err), TlsFailure::Expired, "{message}");
    assert!(message.contains("tls_expired"), "{message}");
    // A missing CA file is a configuration error, not a silent fallback.
    let url = Url::parse("https://127.0.0.1:1/").unwrap();
    assert!(matches!(
        HttpClient::for_url(&url, Some(&dir.path().join("missing.pem"))),
        Err(ClientError::CaFile { .. })
    ));
}

#[tokio::test]
async fn connections_report_resumed_sessions_unless_resumption_is_off() {
    let dir = tempfile::tempdir().unwrap();
    let ca = new_ca("resumption test CA");
    let ca_file = dir.path().join("ca.pem");
    std::fs::write(&ca_file, &ca.pem).unwrap();
    let port = serve(&ca, &["127.0.0.1"], -1, 30).await;
    let url = Url::parse(&format!("https://127.0.0.1:{port}/x")).unwrap();
    let client = HttpClient::for_url(&url, Some(&ca_file)).unwrap();
    let exchange = |client: HttpClient| {
        let url = url.clone();
        async move {
            let (mut connection, resumed) = client.connect_reporting(&url).await.unwrap();
            let request =
                gridlog_server::client::request(&url, &hyper::Method::GET, "/x", &[], Bytes::new())
                    .unwrap();
            assert_eq!(connection.send(request).await.unwrap().status, 204);
            resumed
        }
    };
    assert_eq!(exchange(client.clone()).await, Some(false), "first: full");
    assert_eq!(exchange(client.clone()).await, Some(true), "then resumed");
    let full = client.without_resumption();
    assert_eq!(exchange(full.clone()).await, Some(false));
    assert_eq!(exchange(full).await, Some(false), "never resumed");
}
