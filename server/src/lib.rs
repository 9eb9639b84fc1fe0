//! gridlog's server side: the Azure Event Grid namespace REST API ([`http`]), its
//! authentication ([`auth`]), the listener ([`server`]) and the storage trait it runs on
//! ([`backend`], implemented by [`gridlog::Namespace`]) and its `/metrics` exposition
//! ([`metrics`]). The `gridlog` binary (CLI) is built on
//! this library.

pub mod auth;
pub mod backend;
pub mod eventhubs;
pub mod http;
pub mod lock;
pub mod metrics;
pub mod push;
pub mod server;
