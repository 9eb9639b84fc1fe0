//! Configuration: topics and subscriptions created, updated, deleted and listed (ARM-shaped
//! [`NamespaceConfig`]); each change is one [`Txn`].

use super::txn::Txn;
use super::{
    ApplyReport, Namespace, SubscriptionInfo, TopicInfo, backlog, not_found_sub, not_found_topic,
};
use crate::config::{
    ConfigError, ConfigErrorKind, EventHubConfig, NamespaceConfig, SubscriptionConfig,
    TopicConfig, hub_to_json_string, subscription_to_json_string, topic_to_json_string,
};
use crate::error::EngineError;
use crate::record::{HubRecord, StateRecord};
use crate::state::NamespaceState;

impl Namespace {
    /// Creates or updates every topic, subscription and Event Hub named in `config`. Idempotent.
    /// Those that exist but are not named are left alone (never deleted); an Event Hub's
    /// partition count can only grow. Access
    /// keys and policies are the server's business and ignored here. `throughputUnits`, when
    /// present, replaces the namespace's (at once); absent, it is left as it is. The MQTT
    /// resources (`config.mqtt`) are not applied here but by
    /// [`set_mqtt_config`](Self::set_mqtt_config); the merged result is validated against the
    /// live ones.
    pub fn apply_config(&self, config: &NamespaceConfig) -> Result<ApplyReport, EngineError> {
        config.validate()?;
        let mut report = ApplyReport::default();
        let inner = &self.inner;
        let mut st = Txn::begin(inner)?;
        // Validate the merged result first, so a failure changes nothing.
        let mut merged = self.with_live_mqtt(current_config(&st, inner.throttle.units()));
        if config.throughput_units.is_some() {
            merged.throughput_units = config.throughput_units;
        }
        for topic in &config.topics {
            merge_topic(&mut merged, topic);
        }
        for (index, hub) in config.event_hubs.iter().enumerate() {
            merge_hub(&st, &mut merged, hub, index)?;
        }
        merged.validate()?;
        inner
            .throttle
            .set_units(merged.throughput_units, inner.store.clock.monotonic());
        let mut records: Vec<Vec<u8>> = Vec::new();
        let mut next_topic = st.next_topic_id;
        let mut next_sub = st.next_sub_id;
        let mut seq = inner.store.wal.next_seq().0;
        for topic in &config.topics {
            let json = topic_to_json_string(&topic_without_subs(topic));
            let existing = st.topic_id(&topic.name);
            let id = existing.unwrap_or_else(|| {
                next_topic += 1;
                next_topic - 1
            });
            if existing.is_some_and(|id| st.topics[&id].config_json == json) {
                report.unchanged += 1;
            } else {
                records.push(
                    StateRecord::TopicPut {
                        id,
                        config_json: &json,
                    }
                    .encode(),
                );
                seq += 1;
                if existing.is_some() {
                    report.topics_updated.push(topic.name.clone());
                } else {
                    report.topics_created.push(topic.name.clone());
                }
            }
            for sub in &topic.subscriptions {
                let json = subscription_to_json_string(sub);
                let existing = st.sub_id(id, &sub.name);
                match existing {
                    Some(sub_id) if st.subs[&sub_id].config_json == json => report.unchanged += 1,
                    Some(sub_id) => {
                        records.push(
                            StateRecord::SubscriptionPut {
                                id: sub_id,
                                topic: id,
                                config_json: &json,
                                start_seq: 0,
                            }
                            .encode(),
                        );
                        seq += 1;
                        report
                            .subscriptions_updated
                            .push(format!("{}/{}", topic.name, sub.name));
                    }
                    None => {
                        let sub_id = next_sub;
                        next_sub += 1;
                        records.push(
                            StateRecord::SubscriptionPut {
                                id: sub_id,
                                topic: id,
                                config_json: &json,
                                start_seq: seq + 1,
                            }
                            .encode(),
                        );
                        seq += 1;
                        report
                            .subscriptions_created
                            .push(format!("{}/{}", topic.name, sub.name));
                    }
                }
            }
        }
        hub_records(&st, &config.event_hubs, &mut report, &mut records);
        if !records.is_empty() {
            st.append_bytes(&records)?;
        }
        if st.subs.values().any(crate::state::SubState::needs_recount) {
            // New filters: the backlog is counted again from the log, read to its written end
            // (records not yet synced included, nobody appends while the lock is held).
            let now = st.now();
            backlog::recount(&inner.store.wal, &mut st, now)?;
        }
        st.commit()?;
        Ok(report)
    }

    /// Creates or updates a topic (its `subscriptions` are put too; unnamed ones are kept).
    pub fn put_topic(&self, topic: TopicConfig) -> Result<ApplyReport, EngineError> {
        self.apply_config(&NamespaceConfig {
            access_keys: Vec::new(),
            throughput_units: None,
            shared_access_policies: Vec::new(),
            event_hubs: Vec::new(),
            tls: None,
            topics: vec![topic],
            mqtt: crate::MqttConfig::default(),
        })
    }

    /// Deletes a topic and its subscriptions. Refused (configuration error) while another
    /// topic's subscription dead-letters into it, or while the MQTT broker routes into it.
    pub fn delete_topic(&self, name: &str) -> Result<(), EngineError> {
        let mut st = Txn::begin(&self.inner)?;
        let id = st.topic_id(name).ok_or_else(|| not_found_topic(name))?;
        let mut merged = self.with_live_mqtt(current_config(&st, None));
        merged
            .topics
            .retain(|topic| !topic.name.eq_ignore_ascii_case(name));
        merged.validate()?;
        st.append(&[StateRecord::TopicDeleted { id }])?;
        st.commit()
    }

    /// The topic named `name`, with its subscriptions.
    pub fn topic(&self, name: &str) -> Option<TopicInfo> {
        let st = self.inner.store.state.lock();
        let id = st.topic_id(name)?;
        Some(topic_info(&st, id))
    }

    /// Every topic.
    pub fn topics(&self) -> Vec<TopicInfo> {
        let st = self.inner.store.state.lock();
        st.topics.keys().map(|id| topic_info(&st, *id)).collect()
    }

    /// Creates or updates a subscription of `topic`. A new subscription sees only events
    /// published after this call.
    pub fn put_subscription(
        &self,
        topic: &str,
        subscription: SubscriptionConfig,
    ) -> Result<ApplyReport, EngineError> {
        let mut topic_config = {
            let st = self.inner.store.state.lock();
            let id = st.topic_id(topic).ok_or_else(|| not_found_topic(topic))?;
            st.topics[&id].config.clone()
        };
        topic_config.subscriptions = vec![subscription];
        self.put_topic(topic_config)
    }

    /// Deletes a subscription (its in-flight state is gone; its tokens fail).
    pub fn delete_subscription(&self, topic: &str, name: &str) -> Result<(), EngineError> {
        let mut st = Txn::begin(&self.inner)?;
        let topic_id = st.topic_id(topic).ok_or_else(|| not_found_topic(topic))?;
        let id = st
            .sub_id(topic_id, name)
            .ok_or_else(|| not_found_sub(topic, name))?;
        st.append(&[StateRecord::SubscriptionDeleted { id }])?;
        st.commit()
    }

    /// One subscription.
    pub fn subscription(&self, topic: &str, name: &str) -> Option<SubscriptionInfo> {
        let st = self.inner.store.state.lock();
        let topic_id = st.topic_id(topic)?;
        let id = st.sub_id(topic_id, name)?;
        Some(sub_info(&st, id))
    }

    /// The subscriptions of `topic`.
    pub fn subscriptions(&self, topic: &str) -> Result<Vec<SubscriptionInfo>, EngineError> {
        let st = self.inner.store.state.lock();
        let topic_id = st.topic_id(topic).ok_or_else(|| not_found_topic(topic))?;
        Ok(st
            .subs
            .values()
            .filter(|sub| sub.topic == topic_id)
            .map(|sub| sub_info(&st, sub.id))
            .collect())
    }
}

fn topic_without_subs(topic: &TopicConfig) -> TopicConfig {
    TopicConfig {
        name: topic.name.clone(),
        retention_days: topic.retention_days,
        subscriptions: Vec::new(),
    }
}

/// The namespace's topics and subscriptions as a configuration (for validation).
pub(super) fn current_config(
    st: &NamespaceState,
    throughput_units: Option<u32>,
) -> NamespaceConfig {
    NamespaceConfig {
        access_keys: Vec::new(),
        throughput_units,
        shared_access_policies: Vec::new(),
        event_hubs: st
            .hubs
            .by_id
            .values()
            .map(|hub| hub.config.clone())
            .collect(),
        tls: None,
        topics: st
            .topics
            .keys()
            .map(|id| topic_info(st, *id).config)
            .collect(),
        mqtt: crate::MqttConfig::default(),
    }
}

/// Appends to `records` a `HubPut` for each of `hubs` that is new or changed, in order.
fn hub_records(
    st: &Txn<'_>,
    hubs: &[EventHubConfig],
    report: &mut ApplyReport,
    records: &mut Vec<Vec<u8>>,
) {
    let mut new_id = st.hubs.next_id;
    for hub in hubs {
        let json = hub_to_json_string(hub);
        let existing = st.hubs.id(&hub.name).map(|id| &st.hubs.by_id[&id]);
        let (id, created_at_ms) = match existing {
            Some(state) if state.config_json == json => {
                report.unchanged += 1;
                continue;
            }
            Some(state) => {
                report.hubs_updated.push(hub.name.clone());
                (state.id, state.created_at_ms)
            }
            None => {
                new_id += 1;
                report.hubs_created.push(hub.name.clone());
                (new_id - 1, st.now().wall_ms)
            }
        };
        records.push(
            StateRecord::Hub(HubRecord::Put {
                id,
                config_json: &json,
                created_at_ms,
            })
            .encode(),
        );
    }
}

/// Puts `hub` (`eventHubs[index]` of the configuration applied) into `merged`, refusing a
/// partition count below the hub's current one (partitions are never removed: their events and
/// numbering would be lost).
fn merge_hub(
    st: &NamespaceState,
    merged: &mut NamespaceConfig,
    hub: &EventHubConfig,
    index: usize,
) -> Result<(), ConfigError> {
    if let Some(state) = st.hubs.id(&hub.name).map(|id| &st.hubs.by_id[&id])
        && hub.partition_count < state.config.partition_count
    {
        return Err(ConfigError::new(
            format!("eventHubs[{index}].properties.partitionCount"),
            ConfigErrorKind::NotAllowed {
                reason: "an Event Hub's partition count can only grow",
            },
        ));
    }
    match merged
        .event_hubs
        .iter_mut()
        .find(|existing| existing.name.eq_ignore_ascii_case(&hub.name))
    {
        Some(slot) => *slot = hub.clone(),
        None => merged.event_hubs.push(hub.clone()),
    }
    Ok(())
}

fn merge_topic(merged: &mut NamespaceConfig, topic: &TopicConfig) {
    let existing = merged
        .topics
        .iter_mut()
        .find(|t| t.name.eq_ignore_ascii_case(&topic.name));
    match existing {
        Some(existing) => {
            existing.retention_days = topic.retention_days;
            existing.name.clone_from(&topic.name);
            for sub in &topic.subscriptions {
                match existing
                    .subscriptions
                    .iter_mut()
                    .find(|s| s.name.eq_ignore_ascii_case(&sub.name))
                {
                    Some(slot) => *slot = sub.clone(),
                    None => existing.subscriptions.push(sub.clone()),
                }
            }
        }
        None => merged.topics.push(topic.clone()),
    }
}

pub(super) fn topic_info(st: &NamespaceState, id: u32) -> TopicInfo {
    let topic = &st.topics[&id];
    let mut config = topic.config.clone();
    config.subscriptions = st
        .subs
        .values()
        .filter(|sub| sub.topic == id)
        .map(|sub| sub.config.clone())
        .collect();
    TopicInfo {
        config,
        meters: topic.meters,
    }
}

fn sub_info(st: &NamespaceState, id: u64) -> SubscriptionInfo {
    let sub = &st.subs[&id];
    SubscriptionInfo {
        topic: st.topics[&sub.topic].config.name.clone(),
        config: sub.config.clone(),
        start_seq: sub.start_seq,
    }
}
