//! The HTTP router, authentication, query and body parsing: the input is a request as text.
//! The body is `gridlog_server::http::fuzzing::router`, which `server/tests/fuzz_corpus.rs` also
//! runs.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| gridlog_server::http::fuzzing::router(data));
