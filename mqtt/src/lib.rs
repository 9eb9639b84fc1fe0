//! The MQTT broker endpoint of gridlog (issue 21, first phase): MQTT 3.1.1 and 5 over TCP on
//! ntex-mqtt, with the namespace's MQTT resources (clients, client groups, topic spaces,
//! permission bindings; `gridlog::MqttConfig`) deciding who may connect, publish and
//! subscribe, live delivery between connected clients, and every authorized publish routed as
//! a `CloudEvent` into the namespace topic `topicSpacesConfiguration.routeTopicResourceId`
//! names, durably before its PUBACK.
//!
//! Authentication, for now, is the development-only mode (username = a client's
//! `authenticationName`, password = a namespace access key), on only when
//! [`Shared::dev_auth`] says so; `gridlog serve` refuses it on a non-loopback listener. See
//! docs/mqtt.md for what is and is not supported, and why ntex-mqtt.
//!
//! Files: `listener.rs` (the thread and the accept loop), `broker.rs` (sessions, delivery),
//! `session.rs` (one session's grants and subscriptions), `connect.rs` (the CONNECT
//! decision), `v3.rs` and `v5.rs` (the protocol versions' handlers and reason codes),
//! `publish.rs` (authorize, throttle, route, deliver), `throttle.rs` (throughput units), `route.rs` (the routed event), `topic.rs` (topic
//! and filter rules, matching, coverage), `limits.rs`, `error.rs`.

mod broker;
mod connect;
pub mod error;
#[cfg(feature = "fuzzing")]
pub mod fuzzing;
pub mod limits;
mod listener;
mod publish;
pub mod route;
mod session;
mod shared;
pub mod stats;
mod throttle;
pub mod topic;
mod v3;
mod v5;

pub use error::{ListenerError, ServiceError, TopicError};
pub use listener::Endpoint;
pub use shared::Shared;
pub use stats::{MqttStats, MqttStatsSnapshot};

/// `gridlog serve`'s default MQTT listener address (plain TCP, loopback).
pub const DEFAULT_MQTT_LISTEN: &str = "127.0.0.1:1883";
