//! The MQTT broker endpoint of gridlog (issue 21): MQTT 3.1.1 and 5 on
//! ntex-mqtt, with the namespace's MQTT resources (clients, client groups, topic spaces,
//! permission bindings; `gridlog::MqttConfig`) deciding who may connect, publish and
//! subscribe, live delivery between connected clients, and every authorized publish routed as
//! a `CloudEvent` into the namespace topic `topicSpacesConfiguration.routeTopicResourceId`
//! names, durably before its PUBACK.
//!
//! Transports: plain TCP, TLS (MQTTS), WebSocket and WebSocket over TLS ([`Listeners`]).
//! Authentication: X.509 client certificates over TLS as the service does it (thumbprint, or a
//! chain to the namespace's `caCertificates` with the subject or a SAN matching the
//! authentication name), and the development-only mode (username = a client's
//! `authenticationName`, password = a namespace access key) for clients without a certificate,
//! on only when [`Shared::dev_auth`] says so; `gridlog serve` refuses it on a non-loopback
//! listener. See docs/mqtt.md for what is and is not supported, and why these crates.
//!
//! Files: `listener.rs` (the thread and the accept loop), `bridge.rs` and `ws.rs` (MQTTS, WS and
//! WSS connections bridged to it), `tls.rs` (the TLS configuration), `peer.rs` (a connection's
//! transport and certificate), `authenticate.rs`, `certificate.rs` and `trust.rs` (certificate
//! authentication), `broker.rs` (sessions, delivery),
//! `persistent.rs` (persistent sessions: the engine calls, resend, wills, the sweep), `acks.rs`
//! (their PUBACKs to the engine, batched),
//! `session.rs` (one session's grants and subscriptions), `connect.rs` (the CONNECT
//! decision), `v3.rs` and `v5.rs` (the protocol versions' handlers and reason codes),
//! `publish.rs` (authorize, throttle, route, deliver), `throttle.rs` (throughput units), `route.rs` (the routed event), `topic.rs` (topic
//! and filter rules, matching, coverage), `limits.rs`, `error.rs`.

mod acks;
mod authenticate;
mod bridge;
mod broker;
pub mod certificate;
mod connect;
pub mod error;
#[cfg(feature = "fuzzing")]
pub mod fuzzing;
pub mod limits;
mod listener;
mod peer;
mod persistent;
mod publish;
mod relay;
pub mod route;
mod session;
mod shared;
pub mod stats;
mod throttle;
pub mod tls;
pub mod topic;
mod trust;
mod v3;
mod v5;
mod ws;

pub use authenticate::CertificateFailure;
pub use error::{ListenerError, ServiceError, SessionStoreError, TopicError};
pub use listener::{Addresses, Endpoint, Listeners};
/// What [`Listeners::certificate`] holds: rustls' server-certificate resolver.
pub use rustls::server::ResolvesServerCert;
pub use shared::Shared;
pub use stats::{MqttStats, MqttStatsSnapshot};

/// `gridlog serve`'s default MQTT listener address (plain TCP, loopback).
pub const DEFAULT_MQTT_LISTEN: &str = "127.0.0.1:1883";
/// `gridlog serve`'s default MQTTS listener address (with TLS configured; the service's port).
pub const DEFAULT_MQTTS_LISTEN: &str = "127.0.0.1:8883";
/// `gridlog serve`'s default MQTT-over-WebSocket listener address (plain; loopback).
pub const DEFAULT_MQTT_WS_LISTEN: &str = "127.0.0.1:8080";
/// `gridlog serve`'s default MQTT-over-WebSocket-with-TLS listener address (with TLS
/// configured; the service uses 443).
pub const DEFAULT_MQTT_WSS_LISTEN: &str = "127.0.0.1:8443";
