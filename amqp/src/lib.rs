//! The AMQP 1.0 endpoint of gridlog: what the Event Hubs SDKs (Python `azure-eventhub`, JS
//! `@azure/event-hubs`) connect to with
//! `Endpoint=sb://localhost;SharedAccessKeyName=…;SharedAccessKey=…;UseDevelopmentEmulator=true`.
//!
//! Built on `ntex-amqp` (framing, performatives, sessions, links, SASL; see docs/eventhubs.md
//! for why it and not fe2o3-amqp) over the engine's facade only. What it serves and the wire
//! details the SDKs depend on are in docs/eventhubs.md.
//!
//! - [`listener`]: the thread, the accept loop, the per-connection services.
//! - [`sasl`]: the handshake (ANONYMOUS, MSSBCBS, PLAIN).
//! - [`connection`]: one connection's links and their dispatch.
//! - [`cbs`]: `$cbs` put-token; [`tokens`]: the audiences a connection holds tokens for;
//!   [`guard`]: the links they authorize, detached when their token expires.
//! - [`address`]: link addresses and audiences.
//! - [`sender`]: sender links; [`parts`]: what an event's `CloudEvent` is made of, for a hub
//!   mapped to a topic.

pub mod address;
pub mod batch;
pub mod cbs;
pub mod conditions;
pub mod connection;
pub mod deliver;
pub mod error;
#[cfg(feature = "fuzzing")]
pub mod fuzzing;
pub mod guard;
pub mod limits;
pub mod listener;
pub mod management;
pub mod owners;
pub mod parts;
pub mod receiver;
pub mod sasl;
pub mod sections;
pub mod selector;
pub mod sender;
pub mod shared;
pub mod tokens;

pub use error::{AddressError, CbsError, ListenerError, ManagementError, MessageError};
pub use listener::{Endpoint, TlsListener};
pub use shared::Shared;

/// The default AMQP listen address (loopback, the port the SDKs use in emulator mode).
pub const DEFAULT_AMQP_LISTEN: &str = "127.0.0.1:5672";
/// The default AMQPS listen address (loopback, the port the SDKs use with TLS).
pub const DEFAULT_AMQPS_LISTEN: &str = "127.0.0.1:5671";
