//! gridlog's server side: the Azure Event Grid namespace REST API ([`http`]), its
//! authentication ([`auth`]), the listener ([`server`]) and the storage trait it runs on
//! ([`backend`], implemented by [`gridlog::Namespace`]) and its `/metrics` exposition
//! ([`metrics`]), push delivery ([`push`]), the web console ([`console`]). The `gridlog` binary and its command-line tools
//! (package `gridlog-cli`) are built on this library; it keeps only serving.

pub mod auth;
pub mod backend;
pub mod client;
pub mod console;
pub mod eventhubs;
pub mod http;
pub mod ids;
pub mod lock;
pub mod metrics;
pub mod push;
pub mod server;
#[cfg(feature = "test-util")]
pub mod testing;
pub mod tls;
