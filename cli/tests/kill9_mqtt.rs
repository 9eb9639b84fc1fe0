//! kill -9 of `gridlog serve` under a persistent MQTT session (issue 21): a subscriber keeps a
//! session (3.1.1 `cleanSession=0` or MQTT 5 Session Expiry Interval, chosen at random) with a
//! `QoS` 1 subscription, another client publishes `QoS` 1 messages (each acknowledged with a
//! PUBACK), the subscriber acknowledges what it gets (in order, up to a random point) and is
//! sometimes away, and the server is killed with SIGKILL at a random point of each cycle, then
//! restarted on the same data directory.
//!
//! Checked on every reconnect and at the end:
//! - Session Present is 1 (the session survived every kill);
//! - no delivery of a payload that was never published;
//! - a message delivered before (to this session) comes again only with DUP=1, so every
//!   message reaches the subscriber exactly once with DUP=0;
//! - at the end (no more kills, everything acknowledged): every message whose PUBLISH was
//!   acknowledged with a PUBACK was delivered.
//!
//! Cycles: `GRIDLOG_KILL9_MQTT_CYCLES` (default 12). Seed: `GRIDLOG_KILL9_MQTT_SEED` (printed).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::too_many_lines,
    reason = "a test fails loudly by design"
)]

#[path = "../../mqtt/tests/common/mod.rs"]
mod mqtt_client;

use std::collections::BTreeSet;
use std::io::{BufRead as _, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use gridlog_testkit::rng::Rng;
use mqtt_client::{Client, KEY, Props, Version, config_json};

const SESSION: &str = "kill9-subscriber";
const HOUR: u32 = 3_600;
/// Most messages published and not yet acknowledged (the queue's bound is 100).
const QUEUE_BOUND: usize = 90;

/// `gridlog serve` on `data` with the MQTT broker in development mode; returns the child and
/// the broker's address.
fn serve(data: &Path, config: &Path) -> (Child, SocketAddr) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_gridlog"))
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--amqp-listen",
            "127.0.0.1:0",
            "--mqtt-listen",
            "127.0.0.1:0",
            "--mqtt-dev-auth",
            "--segment-bytes",
            "4194304",
            "--data-dir",
        ])
        .arg(data)
        .arg("--config")
        .arg(config)
        .env("GRIDLOG_KEY", KEY)
        .env("GRIDLOG_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn gridlog serve");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let addr = loop {
        let line = lines
            .next()
            .expect("gridlog serve ended before its MQTT line")
            .expect("stdout");
        if let Some(rest) = line.split("mqtt://").nth(1) {
            break rest
                .split_whitespace()
                .next()
                .expect("address")
                .trim_end_matches(':')
                .parse()
                .expect("MQTT address");
        }
    };
    std::thread::spawn(move || lines.for_each(drop));
    (child, addr)
}

fn kill9(mut child: Child) {
    child.kill().expect("SIGKILL");
    child.wait().expect("wait");
}

/// What the subscriber saw.
#[derive(Default)]
struct Seen {
    /// Payloads delivered at least once.
    delivered: BTreeSet<String>,
    /// Deliveries (by payload) the subscriber acknowledged.
    acknowledged: BTreeSet<String>,
    /// Deliveries of a message delivered before (each with DUP=1).
    redelivered: usize,
}

impl Seen {
    /// Checks one delivery against everything seen and published so far.
    fn check(&mut self, delivery: &mqtt_client::Delivery, all_published: &BTreeSet<String>) {
        let payload = String::from_utf8(delivery.payload.clone()).expect("utf-8");
        assert!(
            all_published.contains(&payload),
            "{payload:?} was never all_published"
        );
        assert_eq!(delivery.qos, 1, "{payload:?}");
        if self.delivered.contains(&payload) {
            self.redelivered += 1;
            assert!(
                delivery.dup,
                "{payload:?} delivered again without DUP=1 (acknowledged before: {})",
                self.acknowledged.contains(&payload)
            );
        } else {
            self.delivered.insert(payload);
        }
    }
}

#[test]
fn a_persistent_session_keeps_every_acknowledged_publish_across_kill_9() {
    let seed = std::env::var("GRIDLOG_KILL9_MQTT_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            let mut bytes = [0u8; 8];
            getrandom::fill(&mut bytes).expect("random");
            u64::from_le_bytes(bytes) | 1
        });
    let cycles: u32 = std::env::var("GRIDLOG_KILL9_MQTT_CYCLES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(12);
    println!("kill9_mqtt: seed {seed} (GRIDLOG_KILL9_MQTT_SEED), {cycles} cycles");
    let mut rng = Rng::new(seed);
    let root = tempfile::tempdir().expect("tempdir");
    let config = root.path().join("ns.json");
    std::fs::write(&config, config_json()).expect("config");
    let data = root.path().join("data");
    let version = if rng.chance(50) {
        Version::V5
    } else {
        Version::V311
    };
    println!("kill9_mqtt: subscriber speaks {version:?}");

    // Every payload a PUBLISH carried (PUBACKed or not), and those PUBACKed.
    let mut all_published: BTreeSet<String> = BTreeSet::new();
    let mut acked_by_broker: BTreeSet<String> = BTreeSet::new();
    let mut history = Seen::default();
    let mut next = 0u32;
    let mut first = true;
    for cycle in 0..cycles {
        let (child, addr) = serve(&data, &config);
        let (mut subscriber, present) = Client::persistent(addr, version, SESSION, "sensor1", HOUR);
        assert_eq!(present, !first, "cycle {cycle}: Session Present");
        if first {
            assert_eq!(subscriber.subscribe(&["sensors/sensor2/#"]), [1]);
            first = false;
        }
        let mut subscriber = Some(subscriber);
        let mut publisher =
            Client::dev(addr, Version::V5, &format!("kill9-pub-{cycle}"), "sensor2");
        let steps = 4 + rng.below(8);
        let kill_at = rng.below(steps + 1);
        // PUBACKs go in the order of the deliveries (MQTT-4.6.0-2): once the subscriber holds
        // one back, it holds back the rest on this connection.
        let mut holding = false;
        for step in 0..steps {
            if step == kill_at {
                break;
            }
            match rng.below(10) {
                // Publish one or a few (keeping the session's queue, at most what was published
                // and not acknowledged, below the overflow at 100).
                0..=5 if all_published.len() - history.acknowledged.len() < QUEUE_BOUND => {
                    for _ in 0..=rng.below(3) {
                        let payload = format!("m{next}");
                        next += 1;
                        all_published.insert(payload.clone());
                        let ack = publisher.publish(
                            "sensors/sensor2/data",
                            payload.as_bytes(),
                            1,
                            &Props::default(),
                        );
                        assert_eq!(ack, Some(0), "PUBLISH {payload}");
                        acked_by_broker.insert(payload);
                    }
                }
                // Read what has come, acknowledging some of it.
                6..=8 if subscriber.is_some() => {
                    let subscriber = subscriber.as_mut().expect("online");
                    while let Some(delivery) = subscriber.next_delivery(Duration::from_millis(200))
                    {
                        history.check(&delivery, &all_published);
                        let payload = String::from_utf8(delivery.payload.clone()).unwrap();
                        holding |= rng.chance(20);
                        if !holding {
                            subscriber.puback(delivery.id);
                            history.acknowledged.insert(payload);
                        }
                    }
                }
                // Go away (the session stays), or come back.
                _ => {
                    if let Some(gone) = subscriber.take() {
                        gone.drop_connection();
                    } else {
                        let (again, present) =
                            Client::persistent(addr, version, SESSION, "sensor1", HOUR);
                        assert!(present, "cycle {cycle}: back while the server runs");
                        subscriber = Some(again);
                        holding = false;
                    }
                }
            }
        }
        println!(
            "kill9_mqtt: cycle {cycle}: {} all_published, {} delivered, killed after {kill_at} of {steps} steps",
            all_published.len(),
            history.delivered.len()
        );
        kill9(child);
        drop(subscriber);
        drop(publisher);
    }

    // The end: no more kills; the subscriber drains and acknowledges everything.
    let (child, addr) = serve(&data, &config);
    let (mut subscriber, present) = Client::persistent(addr, version, SESSION, "sensor1", HOUR);
    assert!(present || first, "the session survived");
    while let Some(delivery) = subscriber.next_delivery(Duration::from_secs(1)) {
        history.check(&delivery, &all_published);
        subscriber.puback(delivery.id);
    }
    let lost: Vec<&String> = acked_by_broker.difference(&history.delivered).collect();
    assert!(
        lost.is_empty(),
        "PUBACKed but never delivered (seed {seed}): {lost:?}"
    );
    println!(
        "kill9_mqtt: {} PUBACKed, all delivered; {} deliveries acknowledged before a kill, {} \
         delivered again with DUP=1",
        acked_by_broker.len(),
        history.acknowledged.len(),
        history.redelivered
    );
    subscriber.disconnect(0);
    kill9(child);
}
