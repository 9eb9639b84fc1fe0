//! Lock-token decoding, raw and as edits of freshly minted tokens.
//! The body is `gridlog::fuzzing::lock_token`, which `engine/tests/fuzz_corpus.rs` also runs.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| gridlog::fuzzing::lock_token(data));
