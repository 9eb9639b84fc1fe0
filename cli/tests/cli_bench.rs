//! `gridlog bench` and `gridlog top` as processes: a tiny bench on the embedded engine and
//! against a spawned server (JSON and CSV parse, counts match), and `top --once` on that server.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::too_many_lines,
    reason = "tests"
)]

use gridlog_testkit::cli::ok;
use gridlog_testkit::gridlog;
use gridlog_testkit::serve::Serving;

const KEY: &str = "bench-test-key";

fn check_counts(report: &serde_json::Value, events: u64) {
    assert_eq!(report["published"], events, "{report}");
    assert_eq!(report["received"], events, "{report}");
    assert_eq!(report["acknowledged"], events, "{report}");
    assert_eq!(report["published_bytes"], events * 512, "{report}");
    assert!(report["publish"]["events_per_sec"].as_f64().unwrap() > 0.0);
    assert!(report["tu_equivalent"].as_u64().unwrap() >= 1);
    assert_eq!(
        report["end_to_end_latency_ms"]["count"], events,
        "every received event carried its publish time: {report}"
    );
    let p50 = report["publish"]["latency_ms"]["p50"].as_f64().unwrap();
    let max = report["publish"]["latency_ms"]["max"].as_f64().unwrap();
    assert!(0.0 < p50 && p50 <= max, "{report}");
}

#[test]
fn embedded_bench_reports_json_and_csv_with_matching_counts() {
    let dir = tempfile::tempdir().unwrap();
    let out = ok(&gridlog!()
        .args([
            "bench",
            "--events",
            "300",
            "--batch",
            "25",
            "--event-bytes",
            "512",
            "--json",
        ])
        .arg("--data-dir")
        .arg(dir.path().join("data"))
        .output()
        .unwrap());
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    check_counts(&report, 300);
    assert!(
        report["wal_syncs"].as_u64().unwrap() > 0,
        "durability always syncs: {report}"
    );
    assert!(report["target"].as_str().unwrap().starts_with("embedded"));

    let csv = ok(&gridlog!()
        .args([
            "bench",
            "--events",
            "200",
            "--batch",
            "50",
            "--event-bytes",
            "512",
            "--csv",
            "--durability",
            "never",
            "--consumers",
            "1",
        ])
        .output()
        .unwrap());
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 2, "{csv}");
    let header: Vec<&str> = lines[0].split(',').collect();
    let row: Vec<&str> = lines[1]
        .rsplitn(header.len(), ',')
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    assert_eq!(header.len(), row.len(), "{csv}");
    let field = |name: &str| row[header.iter().position(|h| *h == name).unwrap()];
    assert_eq!(field("published"), "200");
    assert_eq!(field("acknowledged"), "200");
    println!(
        "embedded: {} events/s published (debug build)",
        report["publish"]["events_per_sec"]
    );
}

#[test]
fn embedded_bench_at_one_tu_is_throttled_and_find_max_tu_reports_steps() {
    let out = ok(&gridlog!()
        .args([
            "bench",
            "--tus",
            "1",
            "--duration",
            "2s",
            "--event-bytes",
            "65536",
            "--batch",
            "8",
            "--json",
        ])
        .output()
        .unwrap());
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    let published = report["published"].as_u64().unwrap();
    let rate = report["publish"]["mb_per_sec"].as_f64().unwrap();
    // 1 TU: 1 MB/s plus a one-second burst: 3 MB (48 events of 64 KiB) in 2 s, plus at most
    // one batch of 8 accepted just before the deadline.
    assert!(
        published <= 56,
        "{published} accepted at 1 TU in 2 s: {report}"
    );
    assert!(
        report["throttled"]["publish"].as_u64().unwrap() > 0,
        "publishers offered more than 1 TU: {report}"
    );
    assert_eq!(report["acknowledged"], published);
    println!("1 TU: {published} events of 64 KiB accepted in 2 s ({rate:.2} MB/s)");

    let out = ok(&gridlog!()
        .args([
            "bench",
            "--find-max-tu",
            "--duration",
            "1s",
            "--event-bytes",
            "512",
            "--json",
        ])
        .output()
        .unwrap());
    let found: serde_json::Value = serde_json::from_str(&out).unwrap();
    let steps = found["steps"].as_array().unwrap();
    assert!(!steps.is_empty(), "{found}");
    let best = steps
        .iter()
        .filter(|s| s["sustained"].as_bool().unwrap())
        .map(|s| s["tus"].as_u64().unwrap())
        .max()
        .unwrap_or(0);
    assert_eq!(found["max_tu"], best, "{found}");
    let resource = found["limited_by"]["resource"].as_str().unwrap();
    assert!(
        ["fsync", "cpu", "network", "concurrency"].contains(&resource),
        "{found}"
    );
    for step in steps {
        assert_eq!(step["run"]["config"]["tus"], step["tus"], "{step}");
    }
    println!(
        "find-max-tu (debug build, loaded machine): {best} TU over {} steps, limited by {resource}",
        steps.len()
    );
}

#[test]
fn http_bench_against_a_spawned_server_and_top_once() {
    let dir = tempfile::tempdir().unwrap();
    let served = Serving::spawn(
        gridlog!()
            .env("GRIDLOG_KEY", KEY)
            .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
            .arg(dir.path().join("data")),
    );
    let endpoint = served.endpoint.clone();
    let out = ok(&gridlog!()
        .args([
            "bench",
            "--events",
            "300",
            "--batch",
            "30",
            "--event-bytes",
            "512",
            "--json",
            "--consumers",
            "3",
            "--endpoint",
            &endpoint,
            "--key",
            KEY,
        ])
        .output()
        .unwrap());
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    check_counts(&report, 300);
    assert!(
        report["round_trips_per_sec"].as_f64().unwrap() > 0.0,
        "{report}"
    );
    assert!(
        report["wal_syncs"].as_u64().unwrap() > 0,
        "read from the server's /metrics: {report}"
    );

    // The run's topic is gone; the server's default topic is still there.
    let top = ok(&gridlog!()
        .args([
            "top",
            "--once",
            "--interval",
            "200ms",
            "--endpoint",
            &endpoint,
            "--key",
            KEY,
        ])
        .output()
        .unwrap());
    assert!(top.contains("gridlog top"), "{top}");
    assert!(top.contains("default"), "{top}");
    assert!(
        !top.contains("bench-"),
        "the bench deletes its topic: {top}"
    );
    let frames = ok(&gridlog!()
        .args([
            "top",
            "--iterations",
            "2",
            "--interval",
            "100ms",
            "--endpoint",
            &endpoint,
            "--key",
            KEY,
        ])
        .output()
        .unwrap());
    assert_eq!(frames.matches("gridlog top:").count(), 2, "{frames}");

    // Throughput units set through the management API for the run, restored afterwards.
    let out = ok(&gridlog!()
        .args([
            "bench",
            "--tus",
            "1",
            "--duration",
            "2s",
            "--event-bytes",
            "65536",
            "--batch",
            "8",
            "--json",
            "--endpoint",
            &endpoint,
            "--key",
            KEY,
        ])
        .output()
        .unwrap());
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(
        report["throttled"]["publish"].as_u64().unwrap() > 0,
        "429s at 1 TU: {report}"
    );
    assert!(report["published"].as_u64().unwrap() <= 56, "{report}");
    assert_eq!(report["acknowledged"], report["published"]);
    let namespace = ok(&gridlog!()
        .args([
            "top",
            "--once",
            "--interval",
            "100ms",
            "--endpoint",
            &endpoint,
            "--key",
            KEY,
        ])
        .output()
        .unwrap());
    assert!(
        namespace.contains("throughput units: unlimited"),
        "restored: {namespace}"
    );

    let refused = gridlog!()
        .args(["top", "--once", "--endpoint", &endpoint])
        .output()
        .unwrap();
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("401"),
        "{refused:?}"
    );
    drop(served);
}
