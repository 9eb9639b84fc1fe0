//! `serve` over TLS (`gridlog_server::tls`): HTTPS with a private CA, plain HTTP on the TLS port,
//! the load errors, and certificate reload (by the file poll and by SIGHUP) with a client that
//! keeps connecting throughout: no connection fails, and the ones after the swap see the new
//! certificate.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use gridlog_server::testing::TestServer;
use gridlog_server::tls::self_signed::{server_params, write_atomically};
use gridlog_server::tls::x509::CertInfo;
use gridlog_server::tls::{CertResolver, TlsAcceptor, TlsError, TlsFiles};
use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair, KeyUsagePurpose};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, ServerName};
use time::OffsetDateTime;

struct Ca {
    issuer: Issuer<'static, KeyPair>,
    pem: String,
}

fn new_ca() -> Ca {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let mut params = CertificateParams::default();
    let mut name = rcgen::DistinguishedName::new();
    name.push(
        rcgen::DnType::CommonName,
        format!("test CA {}", NEXT.fetch_add(1, Ordering::Relaxed)),
    );
    params.distinguished_name = name;
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign];
    let key = KeyPair::generate().unwrap();
    let pem = params.self_signed(&key).unwrap().pem();
    Ca {
        issuer: Issuer::new(params, key),
        pem,
    }
}

/// A localhost certificate signed by `ca`, valid from `from` to `to` days from now:
/// `(cert PEM, key PEM)`.
fn leaf(ca: &Ca, from: i64, to: i64) -> (String, String) {
    let now = OffsetDateTime::now_utc();
    let key = KeyPair::generate().unwrap();
    let params = server_params(
        &["localhost", "127.0.0.1"],
        now + time::Duration::days(from),
        now + time::Duration::days(to),
    )
    .unwrap();
    let cert = params.signed_by(&key, &ca.issuer).unwrap();
    (cert.pem(), key.serialize_pem())
}

fn write(files: &TlsFiles, (cert, key): &(String, String)) {
    write_atomically(&files.cert, cert, false).unwrap();
    write_atomically(&files.key, key, true).unwrap();
}

fn files(dir: &Path) -> TlsFiles {
    TlsFiles {
        cert: dir.join("server.pem"),
        key: dir.join("server-key.pem"),
    }
}

fn client_config(ca_pem: &str) -> Arc<rustls::ClientConfig> {
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(CertificateDer::from_pem_slice(ca_pem.as_bytes()).unwrap())
        .unwrap();
    let mut config = rustls::ClientConfig::builder_with_provider(gridlog_server::tls::provider())
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    // Every connection a full handshake: a resumed session does not present the certificate.
    config.resumption = rustls::client::Resumption::disabled();
    Arc::new(config)
}

/// One HTTPS `GET /_gridlog/health` on a new connection: the status line and the serial of
/// the certificate the server presented.
fn get_health(
    addr: SocketAddr,
    config: &Arc<rustls::ClientConfig>,
) -> std::io::Result<(String, String)> {
    let name = ServerName::try_from("localhost").unwrap();
    let conn =
        rustls::ClientConnection::new(config.clone(), name).map_err(std::io::Error::other)?;
    let tcp = TcpStream::connect(addr)?;
    tcp.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut tls = rustls::StreamOwned::new(conn, tcp);
    tls.write_all(
        b"GET /_gridlog/health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
    )?;
    let mut answer = Vec::new();
    match tls.read_to_end(&mut answer) {
        Ok(_) => {}
        // The server closes without close_notify after `Connection: close`; the answer is whole.
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof && !answer.is_empty() => {}
        Err(e) => return Err(e),
    }
    let serial = tls
        .conn
        .peer_certificates()
        .and_then(|certs| certs.first())
        .and_then(|cert| CertInfo::parse(cert))
        .map(|info| info.serial_hex())
        .unwrap_or_default();
    let text = String::from_utf8_lossy(&answer);
    Ok((text.lines().next().unwrap_or_default().to_owned(), serial))
}

fn serial_of(cert_pem: &str) -> String {
    CertInfo::parse(&CertificateDer::from_pem_slice(cert_pem.as_bytes()).unwrap())
        .unwrap()
        .serial_hex()
}

fn start(files: &TlsFiles) -> (TestServer, Arc<CertResolver>) {
    let resolver = Arc::new(CertResolver::load(files.clone()).unwrap());
    let server = TestServer::start_tls(TlsAcceptor::new(resolver.clone()).unwrap());
    (server, resolver)
}

#[test]
fn https_with_a_private_ca_and_plain_http_is_told_to_use_https() {
    let dir = tempfile::tempdir().unwrap();
    let ca = new_ca();
    let files = files(dir.path());
    let pair = leaf(&ca, -1, 30);
    write(&files, &pair);
    let (mut server, _) = start(&files);
    let (status, serial) = get_health(server.addr, &client_config(&ca.pem)).unwrap();
    assert_eq!(status, "HTTP/1.1 200 OK");
    assert_eq!(serial, serial_of(&pair.0));
    // A client that does not trust the CA fails its handshake.
    let other = new_ca();
    let err = get_health(server.addr, &client_config(&other.pem)).unwrap_err();
    assert!(err.to_string().contains("UnknownIssuer"), "{err}");
    // Plain HTTP on the TLS port: a 400 with the JSON error, then closed.
    let reply = server.request(b"GET /_gridlog/health HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_eq!(reply.status, 400, "{reply:?}");
    assert!(
        String::from_utf8_lossy(&reply.body).contains("TlsRequired"),
        "{reply:?}"
    );
    assert!(
        String::from_utf8_lossy(&reply.body).contains("https://"),
        "{reply:?}"
    );
    server.shutdown();
}

#[test]
fn load_errors_are_typed() {
    let dir = tempfile::tempdir().unwrap();
    let ca = new_ca();
    let files = files(dir.path());
    let now = OffsetDateTime::now_utc();
    assert!(matches!(files.load(now), Err(TlsError::Read { .. })));
    // A key that is not the certificate's.
    let (cert, _) = leaf(&ca, -1, 30);
    let (_, other_key) = leaf(&ca, -1, 30);
    write(&files, &(cert, other_key));
    let err = files.load(now).unwrap_err();
    assert!(matches!(err, TlsError::KeyMismatch { .. }), "{err}");
    assert!(err.to_string().contains("does not match"), "{err}");
    // Expired, and not yet valid.
    write(&files, &leaf(&ca, -30, -1));
    let err = files.load(now).unwrap_err();
    assert!(matches!(err, TlsError::Expired { .. }), "{err}");
    assert!(err.to_string().contains("expired"), "{err}");
    write(&files, &leaf(&ca, 2, 30));
    assert!(matches!(files.load(now), Err(TlsError::NotYetValid { .. })));
    // Not PEM certificates at all.
    std::fs::write(&files.cert, "hello").unwrap();
    assert!(matches!(
        files.load(now),
        Err(TlsError::NoCertificate { .. })
    ));
    // Valid, expiring soon: loads (serve warns).
    let pair = leaf(&ca, -1, 3);
    write(&files, &pair);
    let loaded = files.load(now).unwrap();
    assert!(loaded.days_left(now) < gridlog_server::tls::EXPIRY_WARNING_DAYS);
}

/// Connects in a loop (a new TLS connection each time) until stopped; every failure is kept.
struct Prober {
    stop: Arc<AtomicBool>,
    seen: Arc<Mutex<Vec<String>>>,
    thread: std::thread::JoinHandle<(usize, Vec<String>)>,
}

impl Prober {
    fn start(addr: SocketAddr, config: Arc<rustls::ClientConfig>) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let (s, v) = (stop.clone(), seen.clone());
        let thread = std::thread::spawn(move || {
            let (mut ok, mut failures) = (0, Vec::new());
            while !s.load(Ordering::Relaxed) {
                match get_health(addr, &config) {
                    Ok((status, serial)) if status.contains("200") => {
                        ok += 1;
                        let mut seen = v.lock().unwrap();
                        if seen.last() != Some(&serial) {
                            seen.push(serial);
                        }
                    }
                    Ok((status, _)) => failures.push(status),
                    Err(e) => failures.push(e.to_string()),
                }
            }
            (ok, failures)
        });
        Self { stop, seen, thread }
    }

    fn wait_for(&self, serial: &str) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while self.seen.lock().unwrap().last().map(String::as_str) != Some(serial) {
            assert!(
                Instant::now() < deadline,
                "never saw {serial}: {:?}",
                self.seen.lock().unwrap()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn finish(self) -> (usize, Vec<String>, Vec<String>) {
        self.stop.store(true, Ordering::Relaxed);
        let (ok, failures) = self.thread.join().unwrap();
        let seen = self.seen.lock().unwrap().clone();
        (ok, failures, seen)
    }
}

#[test]
fn reload_on_file_change_and_sighup_without_refusing_a_connection() {
    let dir = tempfile::tempdir().unwrap();
    let ca = new_ca();
    let files = files(dir.path());
    let first = leaf(&ca, -1, 30);
    write(&files, &first);
    let (mut server, resolver) = start(&files);
    // The reload watcher, as `serve` runs it.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let watcher = {
        let _guard = runtime.enter();
        gridlog_server::tls::resolver::watch(resolver.clone(), stop_rx).unwrap()
    };
    let watcher = std::thread::spawn(move || runtime.block_on(watcher));

    let prober = Prober::start(server.addr, client_config(&ca.pem));
    prober.wait_for(&serial_of(&first.0));
    // 1. The files are replaced: the poll notices (within RELOAD_POLL_INTERVAL).
    let second = leaf(&ca, -1, 30);
    write(&files, &second);
    prober.wait_for(&serial_of(&second.0));
    // 2. A broken replacement (mismatched key) is refused and the old certificate stays.
    let (third_cert, _) = leaf(&ca, -1, 30);
    write(&files, &(third_cert, first.1.clone()));
    assert!(matches!(
        resolver.reload(),
        Err(TlsError::KeyMismatch { .. })
    ));
    assert_eq!(resolver.info().serial_hex(), serial_of(&second.0));
    // 3. Replaced again, then SIGHUP (the poll may get there first; either reloads).
    let fourth = leaf(&ca, -1, 30);
    write(&files, &fourth);
    rustix::process::kill_process(rustix::process::getpid(), rustix::process::Signal::HUP).unwrap();
    prober.wait_for(&serial_of(&fourth.0));

    let (ok, failures, seen) = prober.finish();
    println!("reload: {ok} HTTPS connections, certificates seen in order: {seen:?}");
    assert!(
        failures.is_empty(),
        "connections failed during the swaps: {failures:?}"
    );
    assert_eq!(
        seen,
        [
            serial_of(&first.0),
            serial_of(&second.0),
            serial_of(&fourth.0)
        ],
        "only whole, valid certificates were ever served"
    );
    stop_tx.send(true).unwrap();
    watcher.join().unwrap();
    server.shutdown();
}
