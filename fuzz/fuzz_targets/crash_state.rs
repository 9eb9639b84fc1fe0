//! Crash states: the input chooses a workload, the power-loss point and its outcome.
//! The body is `gridlog::fuzzing::crash_state`, which `engine/tests/fuzz_corpus.rs` also runs.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| gridlog::fuzzing::crash_state(data));
