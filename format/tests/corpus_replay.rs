//! Replays the committed fuzz corpus (`fuzz/corpus/<target>/`) through the fuzz target bodies
//! on stable, so every test run exercises what the fuzzer found interesting. A target body
//! panics on a broken invariant; a panic here is a bug.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly by design"
)]

use gridlog_format::fuzzing;

fn replay(target: &str, body: fn(&[u8])) -> usize {
    gridlog_testkit::corpus::replay(env!("CARGO_MANIFEST_DIR"), target, body)
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
    let (mut accepted, mut rejected) = (0, 0);
    for (_, input) in gridlog_testkit::corpus::inputs(env!("CARGO_MANIFEST_DIR"), "structured") {
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
