//! The tools over HTTPS: `gridlog publish`, `receive --ack`, `bench` and `top` against
//! `gridlog serve --tls-self-signed`, trusting the development CA it made (`--ca-file`); and
//! without that CA, a one-line refusal naming the unknown CA; and `bench --baseline` /
//! `--handshakes` (the TLS figures) against a plain and an HTTPS server.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::too_many_lines,
    reason = "tests"
)]

use std::path::PathBuf;

use gridlog_testkit::cli::ok;
use gridlog_testkit::gridlog;
use gridlog_testkit::serve::Serving;

const KEY: &str = "https-test-key";

/// `serve --tls-self-signed` on a loopback port: the process, its `https://` endpoint and the
/// development CA.
fn serve_https(dir: &std::path::Path) -> (Serving, String, PathBuf) {
    let data = dir.join("data");
    let (served, endpoint) = serve(&data, &["--tls-self-signed"]);
    assert!(endpoint.starts_with("https://127.0.0.1:"), "{endpoint}");
    let ca = data.join("tls").join("ca.pem");
    assert!(ca.is_file(), "{}", ca.display());
    (served, endpoint, ca)
}

/// `serve` on `data` and a loopback port, with `flags`: the process and its endpoint.
fn serve(data: &std::path::Path, flags: &[&str]) -> (Serving, String) {
    let served = Serving::spawn(
        gridlog!()
            .env("GRIDLOG_KEY", KEY)
            .args(["serve", "--listen", "127.0.0.1:0"])
            .args(flags)
            .arg("--data-dir")
            .arg(data),
    );
    let endpoint = served.endpoint.clone();
    (served, endpoint)
}

#[test]
fn publish_and_receive_ack_over_https_with_the_development_ca() {
    let dir = tempfile::tempdir().unwrap();
    let (_served, endpoint, ca) = serve_https(dir.path());
    let ca = ca.to_str().unwrap();
    let conn = ["--endpoint", &endpoint, "--key", KEY, "--ca-file", ca];

    let out = ok(&gridlog!()
        .args(["publish", "--topic", "default", "--type", "Job.Finished"])
        .args(["--subject", "etl", "--data", "{\"rows\":42}"])
        .args(conn)
        .output()
        .unwrap());
    assert!(out.contains("published 1 event(s)"), "{out}");

    let out = ok(&gridlog!()
        .args(["receive", "--topic", "default", "--subscription", "default"])
        .args(["--max-events", "10", "--ack"])
        .args(conn)
        .output()
        .unwrap());
    let got: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(got.len(), 1, "{out}");
    assert_eq!(got[0]["event"]["data"]["rows"], 42, "{out}");
    assert_eq!(got[0]["event"]["type"], "Job.Finished", "{out}");

    // Acknowledged: settling its token again fails (the lock is gone).
    let token = got[0]["lockToken"].as_str().unwrap();
    let out = gridlog!()
        .args([
            "ack",
            "--topic",
            "default",
            "--subscription",
            "default",
            token,
        ])
        .args(conn)
        .output()
        .unwrap();
    assert!(!out.status.success(), "the event was acknowledged before");

    // Without the CA: refused, in one line that says why.
    let out = gridlog!()
        .args([
            "publish", "--topic", "default", "--type", "X", "--data", "{}",
        ])
        .args(["--endpoint", &endpoint, "--key", KEY])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("tls_unknown_ca"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");

    // Plain HTTP to the HTTPS port is answered 400 TlsRequired, not hung.
    let plain = endpoint.replace("https://", "http://");
    let out = gridlog!()
        .args([
            "publish", "--topic", "default", "--type", "X", "--data", "{}",
        ])
        .args(["--endpoint", &plain, "--key", KEY])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("HTTP 400"), "{err}");
}

#[test]
fn bench_and_top_over_https() {
    let dir = tempfile::tempdir().unwrap();
    let (_served, endpoint, ca) = serve_https(dir.path());
    let ca = ca.to_str().unwrap();
    let conn = ["--endpoint", &endpoint, "--key", KEY, "--ca-file", ca];
    let out = ok(&gridlog!()
        .args([
            "bench",
            "--events",
            "200",
            "--batch",
            "20",
            "--event-bytes",
            "512",
        ])
        .args(["--consumers", "2", "--json"])
        .args(conn)
        .output()
        .unwrap());
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["published"], 200, "{report}");
    assert_eq!(report["acknowledged"], 200, "{report}");
    assert!(
        report["wal_syncs"].as_u64().unwrap() > 0,
        "read from the server's /metrics over HTTPS: {report}"
    );
    let top = ok(&gridlog!()
        .args(["top", "--once", "--interval", "100ms"])
        .args(conn)
        .output()
        .unwrap());
    assert!(top.contains("gridlog top: https://"), "{top}");

    // The TLS figures: HTTPS as a share of plain HTTP in the same run, and handshake rates.
    let (_plain, baseline) = serve(&dir.path().join("plain"), &[]);
    let out = ok(&gridlog!()
        .args([
            "bench",
            "--events",
            "100",
            "--batch",
            "20",
            "--event-bytes",
            "512",
        ])
        .args(["--baseline", &baseline])
        .args(conn)
        .output()
        .unwrap());
    assert!(out.contains("HTTPS ÷ HTTP: publish "), "{out}");
    assert_eq!(out.matches("\nhttps ").count(), 2, "{out}");
    let out = ok(&gridlog!()
        .args(["bench", "--handshakes", "--duration", "300ms", "--json"])
        .args(["--baseline", &baseline])
        .args(conn)
        .output()
        .unwrap());
    let figures: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(
        figures["full_handshakes_per_sec"].as_f64().unwrap() > 0.0,
        "{figures}"
    );
    assert!(
        figures["plain_http_connections_per_sec"].as_f64().unwrap() > 0.0,
        "{figures}"
    );
    assert!(
        figures["resumed_connections"].as_u64().unwrap() > 0,
        "the default client resumes sessions: {figures}"
    );
    // Handshakes of a plain endpoint are refused.
    let out = gridlog!()
        .args(["bench", "--handshakes", "--endpoint", &baseline])
        .output()
        .unwrap();
    assert!(!out.status.success());
}

/// The configuration file's `tls` member serves HTTPS as the flags do (issue #19: "the config
/// file can carry the same"), with relative certificate paths read beside the file; the flags
/// win over it.
#[test]
fn the_configuration_file_carries_the_tls_settings() {
    let dir = tempfile::tempdir().unwrap();
    // A certificate made by a first, self-signed start, then named by a config beside it.
    let (first, _, _) = serve_https(dir.path());
    drop(first);
    let tls = dir.path().join("data").join("tls");
    let config_dir = dir.path().join("conf");
    std::fs::create_dir_all(&config_dir).unwrap();
    for name in ["server.pem", "server-key.pem"] {
        let from = std::fs::read_dir(&tls)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.file_name().is_some_and(|n| n == name))
            .unwrap_or_else(|| panic!("no {name} in {}", tls.display()));
        std::fs::copy(from, config_dir.join(name)).unwrap();
    }
    let topics = r#""topics":[{"name":"orders","eventSubscriptions":[{"name":"all"}]}]"#;
    let files = config_dir.join("files.json");
    std::fs::write(
        &files,
        format!(
            r#"{{"accessKeys":["{KEY}"],"tls":{{"certificateFile":"server.pem","keyFile":"server-key.pem"}},{topics}}}"#
        ),
    )
    .unwrap();
    let config = files.to_str().unwrap();
    let (_a, endpoint) = serve(&dir.path().join("a"), &["--config", config]);
    assert!(endpoint.starts_with("https://"), "{endpoint}");
    let self_signed = config_dir.join("dev.json");
    std::fs::write(
        &self_signed,
        format!(r#"{{"accessKeys":["{KEY}"],"tls":{{"selfSigned":true}},{topics}}}"#),
    )
    .unwrap();
    let data = dir.path().join("b");
    let (_b, endpoint) = serve(&data, &["--config", self_signed.to_str().unwrap()]);
    assert!(endpoint.starts_with("https://"), "{endpoint}");
    assert!(data.join("tls").join("ca.pem").is_file());
}
