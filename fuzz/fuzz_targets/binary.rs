//! Binary mode: the bytes are `name:value` header lines, an empty line, then the body.
//! The body is `gridlog_format::fuzzing::binary`, which `format/tests/corpus_replay.rs` also runs.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| gridlog_format::fuzzing::binary(data));
