//! The MQTT broker's resources (clients, client groups, topic spaces, permission bindings,
//! routing), live: the broker reads them at each CONNECT and PUBLISH, the management API
//! replaces them. In memory, like throughput units changed at run time: a restart starts from
//! the configuration file.

use std::sync::Arc;

use super::{Namespace, configure};
use crate::config::NamespaceConfig;
use crate::config::mqtt::MqttConfig;
use crate::error::EngineError;

impl Namespace {
    /// The MQTT resources now (empty until [`set_mqtt_config`](Self::set_mqtt_config)).
    pub fn mqtt_config(&self) -> Arc<MqttConfig> {
        self.inner.mqtt.read().clone()
    }

    /// Replaces the MQTT resources, effective for the next CONNECT and PUBLISH (a connected
    /// session keeps the grants it got at CONNECT).
    ///
    /// # Errors
    ///
    /// A configuration error naming the field when `mqtt` is invalid on its own or with the
    /// namespace (`routeTopicResourceId` must name one of its topics; 10,000 clients per
    /// throughput unit); nothing changes then.
    pub fn set_mqtt_config(&self, mqtt: MqttConfig) -> Result<(), EngineError> {
        let inner = &self.inner;
        // Under the state mutex: no topic change interleaves with the check.
        let st = inner.store.lock_state()?;
        let mut config = configure::current_config(&st, inner.throttle.units());
        config.mqtt = mqtt;
        config.validate()?;
        *inner.mqtt.write() = Arc::new(config.mqtt);
        drop(st);
        Ok(())
    }

    /// `config` with the live MQTT resources, so that a change to topics or throughput units
    /// is validated against them too (the routing topic cannot be deleted, the TUs cannot drop
    /// below what the clients need).
    pub(super) fn with_live_mqtt(&self, mut config: NamespaceConfig) -> NamespaceConfig {
        config.mqtt = MqttConfig::clone(&self.inner.mqtt.read());
        config
    }
}
