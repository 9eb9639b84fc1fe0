//! The event commands end to end: `publish`, `receive`, `ack`, `release`, `wait`, `inspect`,
//! `verify`, directly on a data directory and against a server; `--help` examples.
#![allow(clippy::expect_used, clippy::unwrap_used, reason = "tests")]

mod common;

use std::io::Write as _;
use std::path::Path;
use std::process::{Output, Stdio};

use gridlog::{Namespace, NamespaceConfig, NamespaceOptions};
use gridlog_testkit::gridlog;

/// Runs `gridlog ARGS` with `stdin` (or nothing) as its standard input.
fn run(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = gridlog!()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin.unwrap_or("").as_bytes()).unwrap();
    drop(input);
    child.wait_with_output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn data_dir(dir: &Path) {
    let ns = Namespace::open(dir, NamespaceOptions::default()).unwrap();
    ns.apply_config(
        &NamespaceConfig::from_json_str(
            r#"{"topics":[{"name":"jobs","eventSubscriptions":[{"name":"nightly"}]}]}"#,
        )
        .unwrap(),
    )
    .unwrap();
    ns.close().unwrap();
}

fn lines(output: &Output) -> Vec<serde_json::Value> {
    text(&output.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn direct_mode_publish_receive_settle_wait_inspect_verify() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    data_dir(&dir);
    let d = dir.to_str().unwrap();
    let sub = [
        "--topic",
        "jobs",
        "--subscription",
        "nightly",
        "--data-dir",
        d,
    ];

    let out = run(
        &[
            "publish",
            "--topic",
            "jobs",
            "--data-dir",
            d,
            r#"{"specversion":"1.0","id":"1","source":"/s","type":"A"}"#,
        ],
        None,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let ndjson = "{\"specversion\":\"1.0\",\"id\":\"2\",\"source\":\"/s\",\"type\":\"B\"}\n{\"specversion\":\"1.0\",\"id\":\"3\",\"source\":\"/s\",\"type\":\"C\"}\n";
    let out = run(
        &["publish", "--topic", "jobs", "--data-dir", d],
        Some(ndjson),
    );
    assert_eq!(text(&out.stdout).trim(), "published 2 event(s) to jobs");

    let mut args = vec!["receive", "--max-events", "2", "--wait", "0s"];
    args.extend(sub);
    let out = run(&args, None);
    let got = lines(&out);
    assert_eq!(got.len(), 2, "{}", text(&out.stderr));
    assert_eq!(got[0]["event"]["id"], "1");
    assert_eq!(got[0]["deliveryCount"], 1);
    let t1 = got[0]["lockToken"].as_str().unwrap().to_owned();
    let t2 = got[1]["lockToken"].as_str().unwrap().to_owned();

    let mut args = vec!["ack"];
    args.extend(sub);
    args.push(&t1);
    assert!(run(&args, None).status.success());
    // Acknowledged twice: non-zero exit, one line on stderr.
    let out = run(&args, None);
    assert!(!out.status.success());
    assert_eq!(
        text(&out.stderr).lines().count(),
        1,
        "{}",
        text(&out.stderr)
    );
    let mut args = vec!["release", "--delay", "0"];
    args.extend(sub);
    args.push(&t2);
    assert!(run(&args, None).status.success());

    // wait: event 3 (type C) matches; event 2 (type B, redelivered) does not and stays.
    let mut args = vec!["wait", "--type", "C", "--timeout", "5s"];
    args.extend(sub);
    let out = run(&args, None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(lines(&out)[0]["id"], "3");
    let mut args = vec!["wait", "--type", "Z", "--timeout", "1s"];
    args.extend(sub);
    let out = run(&args, None);
    assert_eq!(out.status.code(), Some(124));
    assert!(text(&out.stderr).contains("timed out"));
    // Event 2 is still there for others.
    let mut args = vec!["receive", "--wait", "0s", "--ack"];
    args.extend(sub);
    let got = lines(&run(&args, None));
    assert_eq!(got[0]["event"]["id"], "2");

    let out = run(&["inspect", d], None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("topic jobs: 3 event(s) published"),
        "{}",
        text(&out.stdout)
    );
    assert!(
        text(&out.stdout).contains("billing units (64 KB): publish 3,"),
        "{}",
        text(&out.stdout)
    );
    assert!(
        text(&out.stdout).contains("subscription nightly:"),
        "{}",
        text(&out.stdout)
    );
    let out = run(&["verify", d], None);
    assert!(
        out.status.success(),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    assert!(text(&out.stdout).contains("healthy"));
    let out = run(&["verify", tmp.path().to_str().unwrap()], None);
    assert!(!out.status.success());
    assert_eq!(text(&out.stderr).lines().count(), 1);
}

#[test]
fn http_mode_against_a_server() {
    let server = common::TestServer::start();
    let endpoint = format!("http://{}", server.addr);
    let conn = ["--endpoint", endpoint.as_str(), "--key", common::KEY];
    let mut args = vec![
        "publish",
        "--topic",
        "orders",
        "--type",
        "Job.Finished",
        "--subject",
        "etl",
        "--data",
        "{\"rows\":42}",
    ];
    args.extend(conn);
    let out = run(&args, None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let mut args = vec![
        "wait",
        "--topic",
        "orders",
        "--subscription",
        "all",
        "--type",
        "Job.Finished",
        "--subject",
        "etl",
        "--timeout",
        "30s",
    ];
    args.extend(conn);
    let out = run(&args, None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(lines(&out)[0]["data"]["rows"], 42);
    // Wrong key: one line, non-zero.
    let out = run(
        &[
            "receive",
            "--topic",
            "orders",
            "--subscription",
            "all",
            "--endpoint",
            &endpoint,
            "--key",
            "nope",
        ],
        None,
    );
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(err.contains("HTTP 401: Unauthorized"), "{err}");
    assert_eq!(err.lines().count(), 1);
}

#[test]
fn every_command_has_help_with_an_example() {
    for command in [
        "validate", "serve", "publish", "receive", "ack", "release", "reject", "renew", "wait",
        "inspect", "verify",
    ] {
        let out = run(&[command, "--help"], None);
        assert!(out.status.success(), "{command}");
        assert!(
            text(&out.stdout).contains("Example: "),
            "{command}: {}",
            text(&out.stdout)
        );
    }
}
