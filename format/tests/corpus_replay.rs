//! Replays the committed fuzz corpus (`fuzz/corpus/<target>/`) through the fuzz target bodies
//! on stable, so every test run exercises what the fuzzer found interesting. A target body
//! panics on a broken invariant; a panic here is a bug.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly by design"
)]

use std::path::PathBuf;

use gridlog_format::fuzzing;

/// Runs `body` on every file of `fuzz/corpus/<target>`, returning how many there were.
fn replay(target: &str, body: fn(&[u8])) -> usize {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/corpus")
        .join(target);
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.is_file())
        .collect();
    paths.sort();
    for path in &paths {
        let input = std::fs::read(path).unwrap();
        let outcome = std::panic::catch_unwind(|| body(&input));
        assert!(
            outcome.is_ok(),
            "fuzz target {target} panicked on {}",
            path.display()
        );
    }
    println!("replayed {} inputs from fuzz/corpus/{target}", paths.len());
    paths.len()
}

#[test]
fn structured_corpus() {
    assert!(replay("structured", fuzzing::structured) >= 20);
}

#[test]
fn binary_corpus() {
    assert!(replay("binary", fuzzing::binary) >= 20);
}

#[test]
fn record_corpus() {
    assert!(replay("record", fuzzing::record) >= 10);
}

/// The corpus must keep exercising both outcomes, or it has rotted into one kind of input.
#[test]
fn corpus_holds_accepted_and_rejected_inputs() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus/structured");
    let (mut accepted, mut rejected) = (0, 0);
    for entry in std::fs::read_dir(dir).unwrap() {
        let input = std::fs::read(entry.unwrap().path()).unwrap();
        let ok = gridlog_format::parse_structured(&input).is_ok()
            || gridlog_format::parse_batch(&input).is_ok();
        if ok {
            accepted += 1;
        } else {
            rejected += 1;
        }
    }
    println!("structured corpus: {accepted} accepted, {rejected} rejected");
    assert!(accepted >= 5 && rejected >= 10);
}
