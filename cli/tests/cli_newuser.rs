//! A new user's first ten minutes (issue #17): one key story for `serve` and every client, one
//! `--durability` syntax, host names for `--listen`, `serve` validating everything before it
//! creates or prints anything, consistent defaults and exit codes, and errors that say what is
//! wrong (invalid JSON data, a malformed lock token, a damaged directory).
#![allow(clippy::expect_used, clippy::unwrap_used, reason = "tests")]

use std::io::{BufRead as _, BufReader, Read as _};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use gridlog_testkit::cli::sigterm;
use gridlog_testkit::gridlog;

/// How long a test waits for one line of `serve`'s standard output.
const LINE_TIMEOUT: Duration = Duration::from_secs(20);
/// Longest run of one command.
const RUN_TIMEOUT: Duration = Duration::from_mins(1);
/// Event Grid's event size limit (structured JSON encoding).
const EVENT_BYTES_MAX: usize = 1_048_576;

/// Runs a command to its end, killed (and the test failed) after [`RUN_TIMEOUT`]: a `serve`
/// that should have refused to start must not hang the test.
fn run(args: &[&str]) -> Output {
    let mut child = gridlog!()
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > RUN_TIMEOUT {
            child.kill().unwrap();
            let output = child.wait_with_output().unwrap();
            panic!(
                "{args:?} still running after {RUN_TIMEOUT:?}: {}",
                text(&output.stdout)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A `serve` process whose standard output is read line by line on a thread (so a missing line
/// fails the test instead of hanging it).
struct Served {
    child: Child,
    lines: mpsc::Receiver<String>,
}

impl Served {
    fn start(mut command: Command) -> Self {
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Self { child, lines }
    }

    fn line(&self) -> String {
        self.lines
            .recv_timeout(LINE_TIMEOUT)
            .expect("a line from serve")
    }

    /// SIGTERM, exit 0, and the standard error.
    fn stop(mut self) -> String {
        sigterm(&self.child);
        let mut stderr = String::new();
        self.child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut stderr)
            .unwrap();
        assert!(self.child.wait().unwrap().success(), "{stderr}");
        stderr
    }
}

fn serve(data: &Path) -> Command {
    let mut command = gridlog!();
    command
        .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(data);
    command
}

/// The address in `serve`'s first line.
fn address(first: &str) -> String {
    assert!(first.contains("listening on http://"), "{first}");
    first
        .split("http://")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap()
        .to_owned()
}

/// `export A=x B=y` → `[(A, x), (B, y)]`.
fn exports(line: &str) -> Vec<(String, String)> {
    let rest = line
        .strip_prefix("export ")
        .unwrap_or_else(|| panic!("{line:?}"));
    rest.split(' ')
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap();
            (name.to_owned(), value.to_owned())
        })
        .collect()
}

#[test]
fn serve_prints_ready_to_paste_exports_that_the_clients_use() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let served = Served::start(serve(&data));
    let addr = address(&served.line());
    let mut export = served.line();
    while !export.starts_with("export ") {
        export = served.line();
    }
    let key = std::fs::read_to_string(data.join("access-key")).unwrap();
    assert_eq!(
        exports(&export),
        [
            ("GRIDLOG_ENDPOINT".to_owned(), format!("http://{addr}")),
            ("GRIDLOG_KEY".to_owned(), key.trim().to_owned()),
        ]
    );
    // Pasted: the CLI reads both variables.
    let published = gridlog!()
        .args(["publish", "--type", "T", "--data", "{\"n\":1}"])
        .envs(exports(&export))
        .output()
        .unwrap();
    assert!(published.status.success(), "{}", text(&published.stderr));
    served.stop();

    // A restart does not show the key again; the export line reads it from its file.
    let served = Served::start(serve(&data));
    let addr = address(&served.line());
    let export = served.line();
    assert_eq!(
        export,
        format!(
            "export GRIDLOG_ENDPOINT=http://{addr} GRIDLOG_KEY=\"$(cat {})\"",
            data.join("access-key").display()
        )
    );
    served.stop();
}

#[test]
fn gridlog_key_overriding_the_stored_key_warns() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let served = Served::start(serve(&data));
    address(&served.line());
    served.stop();
    let mut command = serve(&data);
    command.env("GRIDLOG_KEY", "devkey");
    let served = Served::start(command);
    let addr = address(&served.line());
    assert_eq!(
        served.line(),
        format!("export GRIDLOG_ENDPOINT=http://{addr}")
    );
    let stderr = served.stop();
    assert!(
        stderr.contains("warning: GRIDLOG_KEY is set") && stderr.contains("access-key"),
        "{stderr}"
    );
}

#[test]
fn listen_accepts_a_host_name_and_the_gridlog_listen_variable() {
    let tmp = tempfile::tempdir().unwrap();
    let mut command = gridlog!();
    command
        .args(["serve", "--listen", "localhost:0", "--data-dir"])
        .arg(tmp.path().join("a"));
    let served = Served::start(command);
    let addr = address(&served.line());
    assert!(
        addr.starts_with("127.0.0.1:") || addr.starts_with("[::1]:"),
        "{addr}"
    );
    served.stop();

    let mut command = gridlog!();
    command
        .args(["serve", "--data-dir"])
        .arg(tmp.path().join("b"))
        .env("GRIDLOG_LISTEN", "127.0.0.1:0");
    let served = Served::start(command);
    assert!(address(&served.line()).starts_with("127.0.0.1:"));
    served.stop();
}

#[test]
fn durability_has_one_syntax_for_serve_and_bench() {
    let tmp = tempfile::tempdir().unwrap();
    let bench = run(&["bench", "--events", "200", "--durability", "interval:10ms"]);
    assert!(bench.status.success(), "{}", text(&bench.stderr));
    assert!(text(&bench.stdout).contains("durability interval:10ms"));
    let mut command = serve(&tmp.path().join("data"));
    command.args(["--durability", "interval:10ms"]);
    let served = Served::start(command);
    address(&served.line());
    served.stop();
    // The old bench spelling is gone (one syntax), refused as a usage error.
    let old = run(&["bench", "--events", "10", "--durability", "interval=10ms"]);
    assert_eq!(old.status.code(), Some(2), "{}", text(&old.stderr));
    assert!(
        text(&old.stderr).contains("interval:"),
        "{}",
        text(&old.stderr)
    );
}

#[test]
fn wait_defaults_to_default_and_its_timeout_is_not_a_usage_error() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    // A data directory with topic default / subscription default (publish creates nothing; serve
    // does, so run it once).
    let served = Served::start(serve(&data));
    address(&served.line());
    served.stop();
    let d = data.to_str().unwrap();
    let waited = run(&["wait", "--timeout", "1s", "--data-dir", d]);
    assert_eq!(waited.status.code(), Some(124), "{}", text(&waited.stderr));
    assert!(text(&waited.stderr).contains("timed out"));
    let usage = run(&["wait", "--timeout", "soon", "--data-dir", d]);
    assert_eq!(usage.status.code(), Some(2), "{}", text(&usage.stderr));
    let delay = run(&["release", "--delay", "5", "--data-dir", d, "TOKEN"]);
    assert_eq!(delay.status.code(), Some(2), "{}", text(&delay.stderr));
    assert!(
        text(&delay.stderr).contains("0, 10, 60, 600"),
        "{}",
        text(&delay.stderr)
    );
}

#[test]
fn publish_refuses_invalid_json_data_and_sends_strings_on_purpose() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let served = Served::start(serve(&data));
    address(&served.line());
    served.stop();
    let d = data.to_str().unwrap();
    let bad = run(&["publish", "--type", "T", "--data", "{bad", "--data-dir", d]);
    assert_eq!(bad.status.code(), Some(2), "{}", text(&bad.stderr));
    assert!(
        text(&bad.stderr).contains("not valid JSON"),
        "{}",
        text(&bad.stderr)
    );
    assert!(
        text(&bad.stderr).contains("--data-string"),
        "{}",
        text(&bad.stderr)
    );
    let string = run(&[
        "publish",
        "--type",
        "T",
        "--data-string",
        "{bad",
        "--data-dir",
        d,
    ]);
    assert!(string.status.success(), "{}", text(&string.stderr));
    let got = run(&["receive", "--wait", "0s", "--ack", "--data-dir", d]);
    let line: serde_json::Value = serde_json::from_slice(&got.stdout).unwrap();
    assert_eq!(line["event"]["data"], "{bad");
}

#[test]
fn publish_sends_one_event_of_exactly_the_limit() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let served = Served::start(serve(&data));
    address(&served.line());
    served.stop();
    let head = r#"{"specversion":"1.0","id":"big","source":"/s","type":"T","data":""#;
    let tail = r#""}"#;
    let filler = "x".repeat(EVENT_BYTES_MAX - head.len() - tail.len());
    let event = format!("{head}{filler}{tail}");
    assert_eq!(event.len(), EVENT_BYTES_MAX);
    let file = tmp.path().join("big.json");
    std::fs::write(&file, &event).unwrap();
    let f = file.to_str().unwrap();
    let validated = run(&["validate", f]);
    assert!(validated.status.success(), "{}", text(&validated.stdout));
    let published = run(&["publish", "-f", f, "--data-dir", data.to_str().unwrap()]);
    assert!(published.status.success(), "{}", text(&published.stderr));
}

#[test]
fn serve_validates_everything_before_creating_or_printing_anything() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let d = data.to_str().unwrap();
    // A port in use.
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().to_string();
    let busy = run(&["serve", "--listen", &port, "--data-dir", d]);
    assert_eq!(busy.status.code(), Some(1));
    assert!(text(&busy.stderr).contains(&format!("cannot listen on {port}")));
    assert!(busy.stdout.is_empty(), "{}", text(&busy.stdout));
    assert!(!data.exists());
    // A bad segment size: a usage error naming the flag, not the engine's field.
    let segment = run(&["serve", "--segment-bytes", "5", "--data-dir", d]);
    assert_eq!(segment.status.code(), Some(2));
    let stderr = text(&segment.stderr);
    assert!(stderr.contains("--segment-bytes"), "{stderr}");
    assert!(!stderr.contains("segment_bytes_target"), "{stderr}");
    assert!(!data.exists());
    // A data directory that is a file.
    std::fs::write(&data, "not a directory").unwrap();
    let file = run(&["serve", "--listen", "127.0.0.1:0", "--data-dir", d]);
    assert_eq!(file.status.code(), Some(1));
    let stderr = text(&file.stderr);
    assert!(stderr.contains("is a file, not a directory"), "{stderr}");
    assert!(file.stdout.is_empty());
    std::fs::remove_file(&data).unwrap();
    // A damaged directory: no key generated or printed.
    std::fs::create_dir_all(&data).unwrap();
    std::fs::write(data.join("index"), "not the index directory").unwrap();
    let damaged = run(&["serve", "--listen", "127.0.0.1:0", "--data-dir", d]);
    assert_eq!(damaged.status.code(), Some(1), "{}", text(&damaged.stderr));
    assert!(damaged.stdout.is_empty(), "{}", text(&damaged.stdout));
    assert!(
        text(&damaged.stderr).contains("damaged"),
        "{}",
        text(&damaged.stderr)
    );
    assert!(!data.join("access-key").exists());
}

#[test]
fn a_config_that_is_not_an_object_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let config = tmp.path().join("ns.json");
    std::fs::write(&config, "[]").unwrap();
    let output = run(&[
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--config",
        config.to_str().unwrap(),
        "--data-dir",
        tmp.path().join("data").to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = text(&output.stderr);
    assert!(stderr.contains("must be a JSON object"), "{stderr}");
    assert!(!tmp.path().join("data").exists());
}

/// A data directory with one event published, closed.
fn published_dir(data: &Path) {
    let served = Served::start(serve(data));
    address(&served.line());
    served.stop();
    let published = run(&[
        "publish",
        "--type",
        "T",
        "--data-dir",
        data.to_str().unwrap(),
    ]);
    assert!(published.status.success(), "{}", text(&published.stderr));
}

#[test]
fn inspect_and_verify_speak_plainly() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    published_dir(&data);
    let d = data.to_str().unwrap();
    let verified = run(&["verify", d]);
    assert!(verified.status.success(), "{}", text(&verified.stderr));
    let stdout = text(&verified.stdout);
    assert!(
        !stdout.contains('{') && !stdout.contains("Loaded"),
        "{stdout}"
    );
    assert!(stdout.contains("index: "), "{stdout}");
    let acked = run(&["ack", "--data-dir", d, "garbage"]);
    assert_eq!(acked.status.code(), Some(1));
    let stderr = text(&acked.stderr);
    assert!(stderr.contains("malformed"), "{stderr}");
    assert!(!stderr.contains("expired"), "{stderr}");
    // Damage the index: inspect says the directory is damaged, not that a server holds it.
    let index = data.join("index");
    std::fs::remove_dir_all(&index).unwrap();
    std::fs::write(&index, "garbage").unwrap();
    let inspected = run(&["inspect", d]);
    assert_eq!(inspected.status.code(), Some(1));
    let stderr = text(&inspected.stderr);
    assert!(!stderr.contains("server holding it"), "{stderr}");
    assert!(stderr.contains("gridlog verify"), "{stderr}");
}
