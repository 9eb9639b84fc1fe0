//! `gridlog serve` as a process: defaults, refusal to expose an unauthenticated server, SIGTERM.
#![allow(clippy::expect_used, clippy::unwrap_used, reason = "tests")]

use std::io::{BufRead, BufReader};
use std::process::Stdio;

use gridlog_testkit::cli::sigterm;
use gridlog_testkit::gridlog;

#[test]
fn non_loopback_without_a_key_refuses_to_start() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("ns.json");
    std::fs::write(&config, r#"{"topics":[{"name":"orders"}]}"#).unwrap();
    let output = gridlog!()
        .args(["serve", "--listen", "0.0.0.0:0", "--config"])
        .arg(&config)
        .arg("--data-dir")
        .arg(dir.path().join("data"))
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("refusing to listen on 0.0.0.0:0 without an access key"),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
}

#[test]
fn the_development_mqtt_authentication_is_refused_off_loopback() {
    let dir = tempfile::tempdir().unwrap();
    let output = gridlog!()
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--mqtt-listen",
            "0.0.0.0:0",
        ])
        .arg("--mqtt-dev-auth")
        .arg("--data-dir")
        .arg(dir.path().join("data"))
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(
            "refusing the development-only MQTT authentication (--mqtt-dev-auth) on 0.0.0.0:0"
        ),
        "{stderr}"
    );
    assert!(
        !dir.path().join("data").exists(),
        "refused before anything is created"
    );
    // Every MQTT listener counts: a WebSocket one off loopback too.
    let output = gridlog!()
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--mqtt-ws-listen",
            "0.0.0.0:0",
        ])
        .arg("--mqtt-dev-auth")
        .arg("--data-dir")
        .arg(dir.path().join("data"))
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("(--mqtt-dev-auth) on 0.0.0.0:0"),
        "{stderr}"
    );
    // WSS needs TLS.
    let output = gridlog!()
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--mqtt-wss-listen",
            "127.0.0.1:0",
        ])
        .arg("--data-dir")
        .arg(dir.path().join("data"))
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("--mqtt-wss-listen needs TLS"), "{stderr}");
    assert!(!dir.path().join("data").exists());
    let served = gridlog!()
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--no-mqtt",
            "--mqtt-listen",
            "0.0.0.0:0",
        ])
        .arg("--mqtt-dev-auth")
        .arg("--data-dir")
        .arg(dir.path().join("data"))
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut served = served;
    let mut lines = BufReader::new(served.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    assert!(first.contains("listening on "), "{first}");
    sigterm(&served);
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    assert!(served.wait().unwrap().success());
    assert!(
        !rest.iter().any(|line| line.contains("MQTT")),
        "--no-mqtt: {rest:?}"
    );
}

#[test]
fn defaults_generate_a_key_once_and_sigterm_exits_zero() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let start = || {
        let mut child = gridlog!()
            .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
            .arg(&data)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        // The first line says where; the lines up to the `export …` line say how to reach it.
        let mut seen = Vec::new();
        loop {
            let line = lines.next().expect("a line").unwrap();
            let done = line.starts_with("export ");
            seen.push(line);
            if done {
                break;
            }
        }
        (child, seen)
    };
    let (child, lines) = start();
    assert!(lines[0].contains("listening on http://"), "{lines:?}");
    assert!(lines[0].contains("topics: default"), "{lines:?}");
    assert!(lines[1].contains("generated an access key"), "{lines:?}");
    let key = std::fs::read_to_string(data.join("access-key")).unwrap();
    assert!(
        lines[2].ends_with(&format!(" GRIDLOG_KEY={key}")),
        "{lines:?}"
    );
    let term = |child: std::process::Child| {
        sigterm(&child);
        let output = child.wait_with_output().unwrap();
        assert!(output.status.success(), "{:?}", output.status);
    };
    term(child);
    // Second start: the same key, not printed again (the export line reads its file).
    let (child, lines) = start();
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(!lines[1].contains(&key), "{lines:?}");
    assert!(lines[1].contains("$(cat "), "{lines:?}");
    term(child);
}

#[test]
fn keys_never_reach_the_logs() {
    use std::io::{Read as _, Write as _};
    let dir = tempfile::tempdir().unwrap();
    let mut child = gridlog!()
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(dir.path().join("data"))
        .env("GRIDLOG_KEY", "SECRET-KEY-123")
        .env("GRIDLOG_LOG", "trace")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    let addr = line
        .split("http://")
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned();
    for request in [
        "POST /topics/default:publish?api-version=2024-06-01&aeg-sas-key=SECRET-KEY-123 HTTP/1.1\r\nHost: x\r\nContent-Type: application/cloudevents-batch+json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n[]",
        "POST /topics/default:publish?api-version=2024-06-01 HTTP/1.1\r\nHost: x\r\nAuthorization: SharedAccessKey SECRET-KEY-123\r\nContent-Type: application/cloudevents-batch+json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n[]",
        "POST /topics/default:publish?api-version=2024-06-01 HTTP/1.1\r\nHost: x\r\naeg-sas-key: SECRET-KEY-124\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
    ] {
        let mut stream = std::net::TcpStream::connect(&addr).unwrap();
        stream.write_all(request.as_bytes()).unwrap();
        let mut reply = String::new();
        stream.read_to_string(&mut reply).unwrap();
        assert!(
            reply.starts_with("HTTP/1.1 200") || reply.starts_with("HTTP/1.1 401"),
            "{reply}"
        );
    }
    sigterm(&child);
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success());
    let logs = String::from_utf8_lossy(&output.stderr);
    assert!(logs.contains("answered"), "{logs}");
    assert!(!logs.contains("SECRET-KEY-12"), "{logs}");
}

#[test]
fn a_served_directory_is_not_opened_twice() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut child = gridlog!()
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(&data)
        .env("GRIDLOG_KEY", "k")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert!(line.contains("listening"), "{line}");
    let d = data.to_str().unwrap();
    for args in [
        vec!["publish", "--data-dir", d, "--type", "T"],
        vec!["inspect", d],
        vec!["verify", d],
        vec!["serve", "--listen", "127.0.0.1:0", "--data-dir", d],
    ] {
        let output = gridlog!().args(&args).output().unwrap();
        assert!(!output.status.success(), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains("is in use by another gridlog process"),
            "{args:?}: {stderr}"
        );
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
    }
    sigterm(&child);
    assert!(child.wait().unwrap().success());
    // Free again once the server is gone.
    let output = gridlog!().args(["inspect", d]).output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A server outlives the readers of its standard output: with stdout a pipe nobody reads any
/// more (`gridlog serve | head -1`, a supervisor gone), it kept serving only until it printed
/// its next line, then panicked on the broken pipe (found as a flaky failure of
/// `a_served_directory_is_not_opened_twice`, whose reader stops after the first line).
#[test]
fn a_closed_stdout_does_not_stop_the_server() {
    use std::io::{Read as _, Write as _};
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let listen = format!("127.0.0.1:{port}");
    let mut child = gridlog!()
        .args(["serve", "--listen", &listen, "--data-dir"])
        .arg(dir.path().join("data"))
        .env("GRIDLOG_KEY", "k")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Nobody will read: every line the server prints meets a broken pipe.
    drop(child.stdout.take());
    let started = std::time::Instant::now();
    let health = loop {
        if let Ok(mut stream) = std::net::TcpStream::connect(&listen) {
            stream
                .write_all(b"GET /_gridlog/health HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
                .unwrap();
            let mut answer = String::new();
            let _ = stream.read_to_string(&mut answer);
            break answer;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(30),
            "the server never listened"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    assert!(health.starts_with("HTTP/1.1 200"), "{health}");
    sigterm(&child);
    let status = child.wait().unwrap();
    let mut stderr = String::new();
    let _ = child.stderr.take().unwrap().read_to_string(&mut stderr);
    assert!(status.success(), "{status}: {stderr}");
}
