//! Test support shared by gridlog's crates (a dev-dependency only; nothing here is linked into
//! a release build).
//!
//! - [`cli`]: the `gridlog` binary as a test runs it ([`gridlog!`]) and its checked output.
//! - [`golden`]: the golden blocks of docs/format.md (the byte-level specification).
//! - [`corpus`]: replaying the committed fuzz corpora (`fuzz/corpus/<target>/`) through the fuzz
//!   targets' bodies on stable, and writing generated seeds into them.
//! - [`http`]: a raw HTTP/1.1 client (every byte the test's) and the parsed [`http::Reply`].
//! - [`rng`]: a deterministic generator for randomized tests, replayable from its seed.
//! - [`serve`]: a `gridlog serve` child process on a free port ([`serve::Served`]), or from the
//!   test's own command ([`serve::Serving`]).

#![allow(
    clippy::expect_used,
    reason = "test support: a failed setup is a failed test"
)]

pub mod cli;
pub mod corpus;
pub mod golden;
pub mod http;
pub mod rng;
pub mod serve;
