//! Push delivery: a dispatcher that delivers the events of `"deliveryMode": "Push"`
//! subscriptions to their destination (a webhook, or an Event Hubs REST endpoint such as another
//! gridlog) with Event Grid's retry schedule (`schedule`), instead of waiting for a receive.
//!
//! **Where it lives.** The dispatcher is a set of tokio tasks in the server; the engine does no
//! network I/O. It uses the engine only through [`PushStore`] (implemented by
//! [`gridlog::Namespace`]): `receive_push_async` takes the next events with a lock, exactly as a
//! pull receive does (delivery counts, `maxDeliveryCount`, TTL, dead-lettering, egress throughput
//! units); each attempt then ends in one WAL-recorded settlement:
//!
//! | attempt | settlement |
//! |---|---|
//! | 200–204 | acknowledge |
//! | 400, 401, 403, 404, 413, 414 | reject (dead-lettered now) |
//! | anything else, no answer, timeout | release after the schedule's delay (`release_after`); after the `maxDeliveryCount`-th attempt, at once |
//!
//! So delivery state is the engine's durable state: after a crash (even `kill -9`) an event
//! whose attempt was in flight is still locked, and is attempted again when its lock expires
//! (at-least-once: a receiver may see an event twice, never zero times). An event delivered
//! `maxDeliveryCount` times, or past its TTL, is dead-lettered by the engine at its next
//! receive.
//!
//! - A supervisor task looks for push subscriptions every [`SUPERVISE_INTERVAL`] and runs one
//!   worker per subscription (restarted when its configuration changes, stopped when it is
//!   deleted). A subscription whose destination does not parse gets no worker (logged once per
//!   change); its events wait.
//! - A worker keeps at most [`CONCURRENCY_PER_SUBSCRIPTION`] attempts in flight.
//! - An attempt must be answered within [`ATTEMPT_TIMEOUT`] (shorter than the lock: half the
//!   subscription's lock duration at most).
//! - Time: delays are engine time (the release's visibility is computed by the engine's clock);
//!   the attempt timeout is real time divided by the server's test time scale
//!   (`GRIDLOG_TEST_TIME_SCALE`), so scaled tests keep the timeout inside the lock.

pub mod destination;
pub mod schedule;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use bytes::Bytes;
use gridlog::{DeliveryMode, Namespace, SubscriptionConfig};
use tokio::sync::{Semaphore, watch};

use crate::backend::{BackendError, BoxFuture};
use destination::Destination;
use gridlog::Received;
use schedule::{Attempt, Next};

/// How often the supervisor looks for new, changed or deleted push subscriptions (real time).
pub const SUPERVISE_INTERVAL: Duration = Duration::from_secs(1);
/// Attempts in flight per subscription.
pub const CONCURRENCY_PER_SUBSCRIPTION: usize = 16;
/// Longest wait for a destination's answer (engine time; see the module docs).
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(30);
/// Longest wait of one push receive (engine API bound: at most 120 s).
const RECEIVE_WAIT: Duration = Duration::from_secs(10);
/// Validity of the SAS tokens sent to an Event Hubs destination.
const SAS_VALIDITY_SECS: i64 = 3600;
/// The content type of a structured `CloudEvent` (webhook and namespace topic destinations).
const CLOUDEVENT_CONTENT_TYPE: &str = "application/cloudevents+json; charset=utf-8";
/// Pause after a store error before the worker tries again.
const ERROR_PAUSE: Duration = Duration::from_secs(1);

/// What the dispatcher needs from the store.
pub trait PushStore: Send + Sync + 'static {
    /// Every push subscription: `(topic, subscription)`.
    fn push_subscriptions(&self) -> Vec<(String, SubscriptionConfig)>;
    /// Takes up to `max` events of a push subscription with a lock (waits up to `wait`).
    fn receive_push(
        &self,
        topic: &str,
        sub: &str,
        max: u32,
        wait: Duration,
    ) -> BoxFuture<Result<Vec<Received>, BackendError>>;
    /// Settles one delivery after its attempt.
    fn settle_push(
        &self,
        topic: &str,
        sub: &str,
        token: &str,
        next: Next,
    ) -> Result<bool, BackendError>;
}

impl PushStore for Namespace {
    fn push_subscriptions(&self) -> Vec<(String, SubscriptionConfig)> {
        self.topics()
            .into_iter()
            .flat_map(|topic| {
                let name = topic.config.name;
                topic
                    .config
                    .subscriptions
                    .into_iter()
                    .filter(|s| s.delivery.mode == DeliveryMode::Push)
                    .map(move |s| (name.clone(), s))
            })
            .collect()
    }

    fn receive_push(
        &self,
        topic: &str,
        sub: &str,
        max: u32,
        wait: Duration,
    ) -> BoxFuture<Result<Vec<Received>, BackendError>> {
        let got = self.receive_push_async(topic, sub, max, wait);
        Box::pin(async move { Ok(got.await?) })
    }

    fn settle_push(
        &self,
        topic: &str,
        sub: &str,
        token: &str,
        next: Next,
    ) -> Result<bool, BackendError> {
        let outcome = match next {
            Next::Done => self.acknowledge(topic, sub, &[token])?,
            Next::DeadLetter => self.reject(topic, sub, &[token])?,
            Next::Retry(delay) => self.release_after(topic, sub, &[token], delay)?,
            Next::Exhausted(attempt) => {
                self.dead_letter_exhausted(topic, sub, &[token], &attempt.result_text())?
            }
        };
        Ok(outcome.failed.is_empty())
    }
}

/// Dispatcher settings.
#[derive(Clone, Debug)]
pub struct PushOptions {
    /// Engine time runs this many times faster than real time (1 outside tests).
    pub time_scale: u32,
    /// Where attempts are counted by outcome (`/metrics`), if anywhere.
    pub attempts: Option<PushAttempts>,
}

impl Default for PushOptions {
    fn default() -> Self {
        Self {
            time_scale: 1,
            attempts: None,
        }
    }
}

/// The labels of [`PushAttempts`].
#[derive(Clone, Debug, Hash, PartialEq, Eq, prometheus_client::encoding::EncodeLabelSet)]
pub struct PushAttemptLabels {
    /// The topic.
    pub topic: String,
    /// The push subscription.
    pub subscription: String,
    /// `2xx`, `4xx`, `5xx` (the status class), or the failure (`connect_failed`, `timeout`,
    /// `tls_unknown_ca`, `tls_name_mismatch`, `tls_expired`, `tls_other`, `http_error`).
    pub outcome: &'static str,
}

/// Push attempts by subscription and outcome (`gridlog_push_attempts_total`).
pub type PushAttempts = prometheus_client::metrics::family::Family<
    PushAttemptLabels,
    prometheus_client::metrics::counter::Counter,
>;

/// The outcome label of an attempt.
fn outcome_label(attempt: Attempt) -> &'static str {
    match attempt {
        Attempt::Status(200..=299) => "2xx",
        Attempt::Status(300..=399) => "3xx",
        Attempt::Status(400..=499) => "4xx",
        Attempt::Status(_) => "5xx",
        Attempt::Failed(label) => label,
    }
}

/// Runs the dispatcher until `shutdown` turns true (then takes no new events; attempts in flight
/// finish or are abandoned with the runtime, their events redelivered after their locks expire).
pub async fn run(
    store: Arc<dyn PushStore>,
    options: PushOptions,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut workers: HashMap<(String, String), (SubscriptionConfig, tokio::task::JoinHandle<()>)> =
        HashMap::new();
    loop {
        let found = store.push_subscriptions();
        let mut seen = Vec::with_capacity(found.len());
        for (topic, config) in found {
            let key = (topic.clone(), config.name.clone());
            seen.push(key.clone());
            if workers
                .get(&key)
                .is_some_and(|(running, handle)| *running == config && !handle.is_finished())
            {
                continue;
            }
            if let Some((_, old)) = workers.remove(&key) {
                old.abort();
            }
            let destination = match Destination::from_config(
                config.delivery.push_destination.as_ref(),
            ) {
                Ok(destination) => destination,
                Err(error) => {
                    tracing::error!(topic = %topic, subscription = %config.name, %error, "push subscription not delivered");
                    let idle = tokio::spawn(std::future::pending());
                    workers.insert(key, (config, idle));
                    continue;
                }
            };
            tracing::info!(topic = %topic, subscription = %config.name, ?destination, "push delivery started");
            let worker = Worker {
                attempter: Attempter {
                    store: store.clone(),
                    topic,
                    subscription: config.name.clone(),
                    destination: Arc::new(destination),
                    timeout: attempt_timeout(&config, &options),
                    attempts: options.attempts.clone(),
                    max_delivery_count: config.delivery.max_delivery_count,
                },
                shutdown: shutdown.clone(),
            };
            workers.insert(key, (config, tokio::spawn(worker.run())));
        }
        workers.retain(|key, (_, handle)| {
            let keep = seen.contains(key);
            if !keep {
                handle.abort();
            }
            keep
        });
        tokio::select! {
            () = tokio::time::sleep(SUPERVISE_INTERVAL) => {}
            _ = shutdown.wait_for(|down| *down) => break,
        }
    }
    for (_, (_, handle)) in workers {
        handle.abort();
    }
}

/// [`ATTEMPT_TIMEOUT`], at most half the lock, in real time.
fn attempt_timeout(config: &SubscriptionConfig, options: &PushOptions) -> Duration {
    ATTEMPT_TIMEOUT.min(config.delivery.lock_duration / 2) / options.time_scale.max(1)
}

/// One push subscription's loop: takes events and hands each to a copy of its [`Attempter`].
struct Worker {
    attempter: Attempter,
    shutdown: watch::Receiver<bool>,
}

impl Worker {
    async fn run(mut self) {
        let permits = Arc::new(Semaphore::new(CONCURRENCY_PER_SUBSCRIPTION));
        loop {
            // Wait for a free slot, then take as many events as there are free slots.
            let Ok(first) = permits.clone().acquire_owned().await else {
                return;
            };
            let free = u32::try_from(permits.available_permits() + 1).unwrap_or(1);
            let receive = self.attempter.store.receive_push(
                &self.attempter.topic,
                &self.attempter.subscription,
                free,
                RECEIVE_WAIT,
            );
            let got = tokio::select! {
                biased;
                _ = self.shutdown.wait_for(|down| *down) => return,
                got = receive => got,
            };
            let deliveries = match got {
                Ok(deliveries) => deliveries,
                Err(BackendError::Throttled {
                    retry_after_secs, ..
                }) => {
                    tokio::time::sleep(Duration::from_secs(retry_after_secs.max(1))).await;
                    continue;
                }
                Err(BackendError::NotFound(_) | BackendError::Unavailable(_)) => return,
                Err(error) => {
                    tracing::warn!(topic = %self.attempter.topic, subscription = %self.attempter.subscription, %error, "push receive failed");
                    tokio::time::sleep(ERROR_PAUSE).await;
                    continue;
                }
            };
            let mut first = Some(first);
            for delivery in deliveries {
                let permit = match first.take() {
                    Some(permit) => permit,
                    None => match permits.clone().acquire_owned().await {
                        Ok(permit) => permit,
                        Err(_) => return,
                    },
                };
                let attempt = self.attempter.clone();
                tokio::spawn(async move {
                    attempt.deliver(delivery).await;
                    drop(permit);
                });
            }
        }
    }
}

/// Attempts one delivery and settles it.
#[derive(Clone)]
struct Attempter {
    store: Arc<dyn PushStore>,
    topic: String,
    subscription: String,
    destination: Arc<Destination>,
    timeout: Duration,
    max_delivery_count: u32,
    attempts: Option<PushAttempts>,
}

impl Attempter {
    async fn deliver(self, delivery: Received) {
        let outcome = self.send(&delivery).await;
        if let Some(attempts) = &self.attempts {
            attempts
                .get_or_create(&PushAttemptLabels {
                    topic: self.topic.clone(),
                    subscription: self.subscription.clone(),
                    outcome: outcome_label(outcome),
                })
                .inc();
        }
        let next = match schedule::next(outcome, delivery.delivery_count) {
            // The last attempt failed: dead-letter it now ("Maximum delivery attempts was
            // exceeded."), naming what this attempt met in its `deliveryresult`.
            Next::Retry(_) if delivery.delivery_count >= self.max_delivery_count => {
                Next::Exhausted(outcome)
            }
            next => next,
        };
        tracing::info!(
            topic = %self.topic,
            subscription = %self.subscription,
            attempt = delivery.delivery_count,
            ?outcome,
            ?next,
            "push attempt"
        );
        let store = self.store.clone();
        let (topic, subscription) = (self.topic.clone(), self.subscription.clone());
        let token = delivery.lock_token;
        let settled = tokio::task::spawn_blocking(move || {
            store.settle_push(&topic, &subscription, &token, next)
        })
        .await;
        match settled {
            Ok(Ok(true)) => {}
            Ok(Ok(false)) => tracing::warn!(
                topic = %self.topic,
                subscription = %self.subscription,
                "push settlement found the lock gone (expired during the attempt); the event is redelivered"
            ),
            Ok(Err(error)) => {
                tracing::warn!(topic = %self.topic, subscription = %self.subscription, %error, "push settlement failed");
            }
            Err(error) => tracing::warn!(%error, "push settlement task failed"),
        }
    }

    async fn send(&self, delivery: &Received) -> Attempt {
        // Attempts before this one (Event Grid's aeg-delivery-count).
        let previous = delivery.delivery_count.saturating_sub(1).to_string();
        let target = self.destination.target();
        let (content_type, headers, body) = match &*self.destination {
            Destination::WebHook { .. } => (
                CLOUDEVENT_CONTENT_TYPE,
                vec![
                    ("aeg-subscription-name", self.subscription.clone()),
                    ("aeg-delivery-count", previous),
                ],
                delivery.json().to_vec(),
            ),
            Destination::EventHub {
                resource,
                key_name,
                key,
                ..
            } => (
                crate::eventhubs::message::BATCH_CONTENT_TYPE,
                vec![("authorization", sas_token(resource, key_name, key))],
                event_hubs_body(delivery.json(), &self.subscription, &previous),
            ),
            Destination::NamespaceTopic { credential, .. } => (
                CLOUDEVENT_CONTENT_TYPE,
                vec![("authorization", credential.authorization())],
                delivery.json().to_vec(),
            ),
        };
        let answer = target
            .client
            .post(
                &target.url,
                content_type,
                &headers,
                Bytes::from(body),
                self.timeout,
            )
            .await;
        match answer {
            Ok(status) => Attempt::Status(status),
            Err(error) => {
                tracing::warn!(
                    topic = %self.topic,
                    subscription = %self.subscription,
                    url = %target.url,
                    attempt = delivery.delivery_count,
                    failure = error.label(),
                    %error,
                    "push attempt failed"
                );
                Attempt::Failed(error.label())
            }
        }
    }
}

/// The send-batch body for one event: the structured `CloudEvent` as the message body, with
/// `ContentType: application/cloudevents+json` (which a receiving gridlog stores as that very
/// event) and Event Grid's `aeg-*` delivery properties.
pub fn event_hubs_body(event_json: &[u8], subscription: &str, previous_attempts: &str) -> Vec<u8> {
    let body = String::from_utf8_lossy(event_json);
    serde_json::json!([{
        "Body": body,
        "UserProperties": {
            "aeg-subscription-name": subscription,
            "aeg-delivery-count": previous_attempts,
        },
        "BrokerProperties": {"ContentType": crate::eventhubs::message::CLOUDEVENT_CONTENT_TYPE},
    }])
    .to_string()
    .into_bytes()
}

/// A Service Bus SAS token for `resource`, valid for an hour.
pub fn sas_token(resource: &str, key_name: &str, key: &str) -> String {
    let encode = |s: &str| {
        percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    let expiry = now.saturating_add(SAS_VALIDITY_SECS);
    let sr = encode(resource);
    let signature = base64::engine::general_purpose::STANDARD.encode(crate::auth::hmac_sha256(
        key.as_bytes(),
        format!("{sr}\n{expiry}").as_bytes(),
    ));
    format!(
        "SharedAccessSignature sr={sr}&sig={}&se={expiry}&skn={}",
        encode(&signature),
        encode(key_name)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sas_tokens_verify() {
        let token = sas_token("http://127.0.0.1:1/hub", "send", "k");
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_secs()).unwrap())
            .unwrap();
        let sas = crate::eventhubs::ServiceBusSas::new([("send", "k")]);
        assert!(sas.check(Some(&token), "/hub/messages", now).is_ok());
        assert!(sas.check(Some(&token), "/other/messages", now).is_err());
    }

    #[test]
    fn event_hubs_body_round_trips_as_the_event() {
        let event = br#"{"specversion":"1.0","id":"e1","source":"/s","type":"T","data":{"a":1}}"#;
        let body = event_hubs_body(event, "sub", "0");
        let messages = crate::eventhubs::message::parse_batch(&body).unwrap();
        let origin = gridlog::EventOrigin {
            hub: "h",
            publisher: None,
            partition: None,
            time_ms: 0,
        };
        let stored = messages[0].to_event(origin, || unreachable!()).unwrap();
        assert_eq!(stored.json(), event.as_slice());
    }

    #[test]
    fn timeout_stays_inside_the_lock() {
        let mut config = SubscriptionConfig {
            name: "s".into(),
            delivery: gridlog::NamespaceConfig::from_json_str(
                r#"{"topics":[{"name":"ttt","eventSubscriptions":[{"name":"sss"}]}]}"#,
            )
            .unwrap()
            .topics[0]
                .subscriptions[0]
                .delivery
                .clone(),
            filters: gridlog::FiltersConfig::default(),
        };
        config.delivery.lock_duration = Duration::from_mins(1);
        assert_eq!(
            attempt_timeout(&config, &PushOptions::default()),
            Duration::from_secs(30)
        );
        assert_eq!(
            attempt_timeout(
                &config,
                &PushOptions {
                    time_scale: 60,
                    attempts: None
                }
            ),
            Duration::from_millis(500)
        );
    }
}
