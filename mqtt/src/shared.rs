//! What every connection shares (`Send`, behind an `Arc`): the namespace, the MQTT resources,
//! the namespace access keys (development-only authentication) and the clock.

use std::sync::Arc;

use gridlog::{AccessKey, Clock, MqttConfig, Namespace};
use subtle::ConstantTimeEq as _;

use crate::stats::MqttStats;

/// Shared by every connection of one listener.
pub struct Shared {
    /// The engine.
    pub namespace: Namespace,
    /// The namespace access keys a development-mode CONNECT's password is checked against.
    pub access_keys: Vec<AccessKey>,
    /// Whether the development-only authentication (username = authentication name, password =
    /// an access key) is on.
    pub dev_auth: bool,
    /// Wall-clock time (routed events' `time`).
    pub clock: Arc<dyn Clock>,
    /// The counters (`/metrics`).
    pub stats: MqttStats,
}

impl Shared {
    /// The clients, groups, topic spaces, bindings and routing now (the namespace's live
    /// copy: [`Namespace::set_mqtt_config`] changes it; read at each CONNECT and PUBLISH).
    pub fn mqtt(&self) -> Arc<MqttConfig> {
        self.namespace.mqtt_config()
    }

    /// Whether `password` is one of the access keys (compared in constant time per key).
    pub fn is_access_key(&self, password: &[u8]) -> bool {
        self.access_keys.iter().fold(false, |found, key| {
            found | bool::from(key.as_str().as_bytes().ct_eq(password))
        })
    }
}
