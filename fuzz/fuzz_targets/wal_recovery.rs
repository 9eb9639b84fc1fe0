//! WAL recovery from arbitrary bytes: the input is a whole log directory (files and their bytes).
//! The body is `gridlog_wal::testing::fuzz::recovery`, which `wal/tests/fuzz_corpus.rs` also runs.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| gridlog_wal::testing::fuzz::recovery(data));
