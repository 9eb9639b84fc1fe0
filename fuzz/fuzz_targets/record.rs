//! On-disk records: the bytes are a record payload for `decode_record`.
//! The body is `gridlog_format::fuzzing::record`, which `format/tests/corpus_replay.rs` also runs.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| gridlog_format::fuzzing::record(data));
