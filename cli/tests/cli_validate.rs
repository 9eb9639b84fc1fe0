//! `gridlog validate` end to end: the binary, real files, exit codes and output lines.
#![allow(clippy::expect_used, reason = "test helpers panic on setup failure")]

use std::path::PathBuf;

use gridlog_testkit::gridlog;

fn example(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../examples/events")
        .join(name)
}

/// Runs `gridlog ARGS`: whether it succeeded, and its standard output.
fn run(args: &[&std::ffi::OsStr]) -> (bool, String) {
    let output = gridlog!().args(args).output().expect("run gridlog");
    (
        output.status.success(),
        String::from_utf8(output.stdout).expect("utf-8 output"),
    )
}

#[test]
fn valid_sdk_captures_are_accepted_with_sizes_and_units() {
    let file = example("python-sdk-batch.json");
    let (ok, out) = run(&["validate".as_ref(), file.as_os_str()]);
    assert!(ok, "{out}");
    assert!(out.contains("2 valid event(s), 2 billing unit(s)"), "{out}");
    assert!(
        out.contains("[0] id=id-1 type=Demo.Created source=/test/source bytes=189 units=1"),
        "{out}"
    );
}

#[test]
fn an_invalid_batch_fails_with_code_and_index() {
    let file = example("invalid.json");
    let (ok, out) = run(&["validate".as_ref(), file.as_os_str()]);
    assert!(!ok);
    assert!(
        out.contains("EmptyAttribute: event 1: attribute 'specversion' must not be empty"),
        "{out}"
    );
}

#[test]
fn a_missing_file_is_one_clear_error() {
    let output = gridlog!()
        .args(["validate", "/nonexistent/gridlog-file.json"])
        .output()
        .expect("run gridlog");
    assert!(!output.status.success());
    let err = String::from_utf8_lossy(&output.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("gridlog: /nonexistent/gridlog-file.json:"),
        "{err}"
    );
}
