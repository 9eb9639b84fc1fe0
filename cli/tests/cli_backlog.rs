//! `gridlog inspect` prints each subscription's exact backlog (issue #17, item 12): events
//! waiting, never-delivered ones included, not an upper bound of records not yet scanned.
#![allow(clippy::expect_used, clippy::unwrap_used, reason = "tests")]

use std::path::Path;
use std::time::Duration;

use gridlog::format::parse_structured;
use gridlog::{Namespace, NamespaceConfig, NamespaceOptions};
use gridlog_testkit::gridlog;

fn inspect(dir: &Path) -> String {
    let out = gridlog!()
        .args(["inspect", dir.to_str().unwrap()])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

fn backlog_line<'a>(stdout: &'a str, sub: &str) -> &'a str {
    let prefix = format!("  subscription {sub}: ");
    stdout
        .lines()
        .find(|line| line.starts_with(&prefix))
        .unwrap_or_else(|| panic!("no line for {sub} in:\n{stdout}"))
}

#[test]
fn inspect_prints_the_exact_backlog() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let ns = Namespace::open(&dir, NamespaceOptions::default()).unwrap();
    ns.apply_config(
        &NamespaceConfig::from_json_str(
            r#"{"topics":[{"name":"jobs","eventSubscriptions":[{"name":"nightly"},
            {"name":"only-b","properties":{"filtersConfiguration":{"includedEventTypes":["B"]}}}]}]}"#,
        )
        .unwrap(),
    )
    .unwrap();
    let events: Vec<_> = ["A", "B", "C", "D"]
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let json = format!(r#"{{"specversion":"1.0","id":"{i}","source":"/s","type":"{t}"}}"#);
            parse_structured(json.as_bytes()).unwrap()
        })
        .collect();
    ns.publish("jobs", &events).unwrap();
    ns.close().unwrap();
    drop(ns);
    // 4 pending events, none delivered yet.
    let stdout = inspect(&dir);
    assert!(
        backlog_line(&stdout, "nightly")
            .starts_with("  subscription nightly: backlog 4 (0 locked),"),
        "{stdout}"
    );
    assert!(
        backlog_line(&stdout, "only-b").starts_with("  subscription only-b: backlog 1 (0 locked),"),
        "{stdout}"
    );
    assert!(!stdout.contains("not yet scanned"), "{stdout}");

    // One locked, one acknowledged: 3 waiting, 1 of them locked.
    let ns = Namespace::open(&dir, NamespaceOptions::default()).unwrap();
    let got = ns.receive("jobs", "nightly", 2, Duration::ZERO).unwrap();
    ns.acknowledge("jobs", "nightly", &[got[0].lock_token.as_str()])
        .unwrap();
    ns.close().unwrap();
    drop(ns);
    let stdout = inspect(&dir);
    assert!(
        backlog_line(&stdout, "nightly")
            .starts_with("  subscription nightly: backlog 3 (1 locked),"),
        "{stdout}"
    );
}
