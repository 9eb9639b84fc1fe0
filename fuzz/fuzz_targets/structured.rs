//! Structured and batch mode: the bytes are a request body, parsed under both event media types.
//! The body is `gridlog_format::fuzzing::structured`, which `format/tests/corpus_replay.rs` also runs.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| gridlog_format::fuzzing::structured(data));
