//! Test helpers: the in-process server and the raw HTTP client (`gridlog_server::testing`).

pub use gridlog_server::testing::*;
