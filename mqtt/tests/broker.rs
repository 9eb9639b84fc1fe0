//! The broker end to end over TCP with a byte-level client: CONNECT decisions and their codes,
//! publish/subscribe with wildcards between clients of both protocol versions, authorization
//! by permission bindings and topic spaces (v5 reason codes, 3.1.1 disconnects and 0x80),
//! refusals of `QoS` 2 and retain, session takeover, and routing into the namespace topic.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]
#![allow(clippy::big_endian_bytes, reason = "MQTT integers are big-endian")]

mod common;

use std::time::Duration;

use common::{Broker, Client, Props, Version, config_json, ids};

const VERSIONS: [Version; 2] = [Version::V311, Version::V5];

#[test]
fn pub_sub_with_wildcards_between_two_clients_in_each_version() {
    let broker = Broker::start(&config_json(), true);
    let mut id = ids("pubsub");
    for version in VERSIONS {
        let mut subscriber = Client::dev(broker.addr(), version, &id(), "sensor2");
        assert_eq!(
            subscriber.subscribe(&["sensors/+/temp", "sensors/sensor1/#"]),
            [1, 1]
        );
        let mut publisher = Client::dev(broker.addr(), version, &id(), "sensor1");
        assert_eq!(
            publisher.publish("sensors/sensor1/temp", b"21.5", 1, &Props::default()),
            Some(0)
        );
        let (topic, payload, qos) = subscriber.receive();
        assert_eq!(
            (topic.as_str(), payload.as_slice(), qos),
            ("sensors/sensor1/temp", &b"21.5"[..], 1)
        );
        assert!(
            subscriber.quiet_for(Duration::from_millis(200)),
            "delivered once per session"
        );
        assert_eq!(
            publisher.publish("sensors/sensor1/hum", b"40", 0, &Props::default()),
            Some(0)
        );
        let (topic, payload, qos) = subscriber.receive();
        assert_eq!(
            (topic.as_str(), payload.as_slice(), qos),
            ("sensors/sensor1/hum", &b"40"[..], 0)
        );
    }
}

#[test]
fn a_v311_publisher_reaches_a_v5_subscriber_and_back() {
    let broker = Broker::start(&config_json(), true);
    let mut v5 = Client::dev(broker.addr(), Version::V5, "mixed-5", "sensor2");
    let mut v3 = Client::dev(broker.addr(), Version::V311, "mixed-3", "sensor1");
    assert_eq!(v5.subscribe(&["sensors/#"]), [1]);
    assert_eq!(v3.subscribe(&["sensors/sensor2/+"]), [1]);
    assert_eq!(
        v3.publish("sensors/sensor1/a", b"from 3", 1, &Props::default()),
        Some(0)
    );
    assert_eq!(v5.receive().1, b"from 3");
    let props = Props {
        user: vec![("shift", "night")],
        ..Props::default()
    };
    assert_eq!(
        v5.publish("sensors/sensor2/b", b"from 5", 1, &props),
        Some(0)
    );
    assert_eq!(v3.receive().1, b"from 5");
}

#[test]
fn v5_unauthorized_publish_gets_puback_not_authorized_and_stays_connected() {
    let broker = Broker::start(&config_json(), true);
    let mut sensor = Client::dev(broker.addr(), Version::V5, "deny-5", "sensor1");
    assert_eq!(
        sensor.publish("sensors/sensor2/temp", b"x", 1, &Props::default()),
        Some(0x87),
        "another sensor's topic"
    );
    let mut viewer = Client::dev(broker.addr(), Version::V5, "deny-5v", "viewer");
    assert_eq!(
        viewer.publish("sensors/sensor1/temp", b"x", 1, &Props::default()),
        Some(0x87)
    );
    assert_eq!(
        sensor.publish("$sys/x", b"x", 1, &Props::default()),
        Some(0x90),
        "reserved"
    );
    assert!(sensor.ping(), "the connection stays open");
    assert_eq!(
        sensor.publish("sensors/sensor1/temp", b"ok", 1, &Props::default()),
        Some(0)
    );
}

#[test]
fn v5_properties_over_the_service_caps_are_refused() {
    let broker = Broker::start(&config_json(), true);
    let mut client = Client::dev(broker.addr(), Version::V5, "caps", "sensor1");
    let long = format!("text/{}", "x".repeat(252));
    let content_type = Props {
        content_type: Some(&long),
        ..Props::default()
    };
    assert_eq!(
        client.publish("sensors/sensor1/t", b"x", 1, &content_type),
        Some(0x83)
    );
    let big = "v".repeat(20_000);
    let user = Props {
        user: vec![("a", &big), ("b", &big)],
        ..Props::default()
    };
    assert_eq!(
        client.publish("sensors/sensor1/t", b"x", 1, &user),
        Some(0x83)
    );
    let fits = Props {
        content_type: Some(&long[..256]),
        utf8: true,
        user: vec![("a", &big)],
    };
    assert_eq!(client.publish("sensors/sensor1/t", b"x", 1, &fits), Some(0));
    let got = broker
        .namespace
        .receive("telemetry", "all", 10, Duration::from_secs(5))
        .expect("receive");
    assert_eq!(got.len(), 1, "only the publish within the caps is routed");
    let event: serde_json::Value = serde_json::from_slice(got[0].json()).expect("json");
    assert_eq!(event["datacontenttype"].as_str().map(str::len), Some(256));
    assert_eq!(
        event["data"], "x",
        "text under a non-JSON content type is a string"
    );
}

#[test]
fn v311_unauthorized_publish_closes_the_connection() {
    let broker = Broker::start(&config_json(), true);
    let mut sensor = Client::dev(broker.addr(), Version::V311, "deny-3", "sensor1");
    assert_eq!(
        sensor.publish("sensors/sensor2/temp", b"x", 1, &Props::default()),
        None
    );
    let mut again = Client::dev(broker.addr(), Version::V311, "deny-3b", "sensor1");
    assert_eq!(
        again.publish("sensors/sensor2/temp", b"x", 0, &Props::default()),
        Some(0)
    );
    assert!(again.read().is_none(), "a QoS 0 publish closes it too");
}

#[test]
fn subscriptions_are_authorized_per_filter() {
    let broker = Broker::start(&config_json(), true);
    let mut v5 = Client::dev(broker.addr(), Version::V5, "sub-5", "viewer");
    assert_eq!(
        v5.subscribe(&[
            "sensors/+/temp",
            "sensors/sensor1/temp",
            "sensors/#",
            "sensors/+/hum",
            "$share/g/sensors/+/temp",
            "$sys/x",
        ]),
        [1, 1, 0x87, 0x87, 0x9E, 0x8F]
    );
    let mut v3 = Client::dev(broker.addr(), Version::V311, "sub-3", "viewer");
    assert_eq!(
        v3.subscribe(&["sensors/+/temp", "sensors/#", "$share/g/x"]),
        [1, 0x80, 0x80]
    );
    assert!(v3.ping(), "a refused filter keeps the connection");
    let mut sensor = Client::dev(broker.addr(), Version::V5, "sub-pub", "sensor1");
    assert_eq!(
        sensor.publish("sensors/sensor1/hum", b"h", 1, &Props::default()),
        Some(0)
    );
    assert_eq!(
        sensor.publish("sensors/sensor1/temp", b"t", 1, &Props::default()),
        Some(0)
    );
    assert_eq!(v5.receive().1, b"t", "only what it was granted");
    assert_eq!(v3.receive().1, b"t");
}

#[test]
fn a_malformed_filter_is_a_protocol_error() {
    let broker = Broker::start(&config_json(), true);
    let mut client = Client::dev(broker.addr(), Version::V5, "malformed", "viewer");
    client
        .raw_write(&[0x82, 11, 0, 1, 0, 0, 5, b'a', b'/', b'#', b'/', b'b', 1])
        .ok();
    let reply = client.read();
    assert!(
        reply
            .as_ref()
            .is_none_or(|p| p.kind == 0xE0 && p.body.first() == Some(&0x82)),
        "'#' not last: DISCONNECT 0x82 (MQTT-4.7.1), got {reply:?}"
    );
}

#[test]
fn too_many_filters_in_one_subscribe_are_refused_beyond_ten() {
    let broker = Broker::start(&config_json(), true);
    let mut client = Client::dev(broker.addr(), Version::V5, "many", "sensor1");
    let filters: Vec<String> = (0..12).map(|i| format!("sensors/s{i}")).collect();
    let filters: Vec<&str> = filters.iter().map(String::as_str).collect();
    let codes = client.subscribe(&filters);
    assert_eq!(codes[..10], [1; 10]);
    assert_eq!(codes[10..], [0x97, 0x97]);
}

/// A refused CONNECT: username, password, client id, the v5 code, the 3.1.1 code.
type Refused<'a> = (Option<&'a str>, Option<&'a str>, &'a str, u8, u8);

#[test]
fn connect_refusals_carry_the_documented_codes() {
    let broker = Broker::start(&config_json(), true);
    let addr = broker.addr();
    // (username, password, client id) → (v5, 3.1.1)
    let cases: [Refused<'_>; 6] = [
        (Some("sensor1"), Some("wrong"), "c1", 0x86, 0x04),
        (Some("nobody"), Some(common::KEY), "c2", 0x87, 0x05),
        (Some("off"), Some(common::KEY), "c3", 0x87, 0x05),
        (None, None, "c4", 0x86, 0x04),
        (Some("sensor1"), None, "c5", 0x86, 0x04),
        (Some("sensor1"), Some(common::KEY), "", 0x85, 0x02),
    ];
    for (username, password, client_id, v5_code, v3_code) in cases {
        let (_, code) = Client::connect(addr, Version::V5, client_id, username, password);
        assert_eq!(code, Some(v5_code), "v5 {username:?} {client_id:?}");
        let (_, code) = Client::connect(addr, Version::V311, client_id, username, password);
        assert_eq!(code, Some(v3_code), "3.1.1 {username:?} {client_id:?}");
    }
    let (_, code) = Client::connect(
        addr,
        Version::V5,
        "case",
        Some("SENSOR1"),
        Some(common::KEY),
    );
    assert_eq!(
        code,
        Some(0),
        "authentication names are looked up case-insensitively"
    );
}

#[test]
fn without_the_development_mode_nobody_authenticates() {
    let broker = Broker::start(&config_json(), false);
    let (_, code) = Client::connect(
        broker.addr(),
        Version::V5,
        "x",
        Some("sensor1"),
        Some(common::KEY),
    );
    assert_eq!(code, Some(0x87));
    let (_, code) = Client::connect(
        broker.addr(),
        Version::V311,
        "x",
        Some("sensor1"),
        Some(common::KEY),
    );
    assert_eq!(code, Some(0x05));
}

#[test]
fn a_disabled_broker_refuses_connections() {
    let config = config_json().replace(r#""state":"Enabled""#, r#""state":"Disabled""#);
    assert!(config.contains("Disabled"));
    let broker = Broker::start(&config, true);
    let (_, code) = Client::connect(
        broker.addr(),
        Version::V5,
        "x",
        Some("sensor1"),
        Some(common::KEY),
    );
    assert_eq!(code, Some(0x88));
    let (_, code) = Client::connect(
        broker.addr(),
        Version::V311,
        "x",
        Some("sensor1"),
        Some(common::KEY),
    );
    assert_eq!(code, Some(0x03));
}

/// A v5 PUBLISH (packet id 1) of `x` to `sensors/sensor1/t` with `flags` (the `QoS` and retain
/// bits).
fn v5_publish_bytes(flags: u8) -> Vec<u8> {
    let mut body = vec![0, 17];
    body.extend_from_slice(b"sensors/sensor1/t");
    body.extend_from_slice(&[0, 1, 0, b'x']);
    let mut bytes = vec![0x30 | flags, u8::try_from(body.len()).expect("short")];
    bytes.extend_from_slice(&body);
    bytes
}

#[test]
fn qos2_and_retain_are_refused() {
    let broker = Broker::start(&config_json(), true);
    let mut v3 = Client::dev(broker.addr(), Version::V311, "q2-3", "sensor1");
    assert_eq!(
        v3.publish("sensors/sensor1/t", b"x", 2, &Props::default()),
        None,
        "3.1.1: QoS 2 ends the connection"
    );
    for (flags, code, what) in [(0x04, 0x9B, "QoS 2"), (0x03, 0x9A, "retain")] {
        let mut v5 = Client::dev(broker.addr(), Version::V5, what, "sensor1");
        v5.raw_write(&v5_publish_bytes(flags)).expect("write");
        let reply = v5.read();
        assert!(
            reply
                .as_ref()
                .is_some_and(|p| p.kind == 0xE0 && p.body.first() == Some(&code)),
            "{what}: DISCONNECT {code:#x} expected, got {reply:?}"
        );
        assert!(v5.read().is_none(), "{what}: then closed");
    }
}

#[test]
fn a_second_connection_takes_the_session_over() {
    let broker = Broker::start(&config_json(), true);
    let mut first = Client::dev(broker.addr(), Version::V5, "same", "sensor1");
    let _second = Client::dev(broker.addr(), Version::V5, "same", "sensor1");
    let reply = first.read();
    assert!(
        reply
            .as_ref()
            .is_none_or(|p| p.kind == 0xE0 && p.body.first() == Some(&0x8E)),
        "DISCONNECT 0x8E or close, got {reply:?}"
    );
    let (_, code) = Client::connect(
        broker.addr(),
        Version::V5,
        "same",
        Some("sensor2"),
        Some(common::KEY),
    );
    assert_eq!(
        code,
        Some(0x87),
        "another authentication name may not take it"
    );
}

#[test]
fn a_subscriber_that_never_acknowledges_overflows_and_is_disconnected() {
    let broker = Broker::start(&config_json(), true);
    let mut slow = Client::dev(broker.addr(), Version::V5, "slow", "sensor2");
    assert_eq!(slow.subscribe(&["sensors/#"]), [1]);
    let mut publisher = Client::dev(broker.addr(), Version::V5, "fast", "sensor1");
    for n in 0..=gridlog_mqtt::limits::SESSION_QUEUE_MESSAGES_MAX {
        let payload = n.to_string();
        assert_eq!(
            publisher.publish(
                "sensors/sensor1/t",
                payload.as_bytes(),
                1,
                &Props::default()
            ),
            Some(0),
            "the publisher is never held back by a slow subscriber"
        );
    }
    let mut delivered = 0;
    let end = loop {
        match slow.read() {
            Some(packet) if packet.kind & 0xF0 == 0x30 => delivered += 1,
            other => break other,
        }
    };
    assert_eq!(delivered, gridlog_mqtt::limits::SESSION_QUEUE_MESSAGES_MAX);
    assert!(
        end.as_ref()
            .is_some_and(|p| p.kind == 0xE0 && p.body.first() == Some(&0x97)),
        "DISCONNECT 0x97 expected, got {end:?}"
    );
}

#[test]
fn sessions_per_authentication_name_are_capped() {
    let config = config_json().replace(
        r#""maximumClientSessionsPerAuthenticationName":5"#,
        r#""maximumClientSessionsPerAuthenticationName":1"#,
    );
    assert!(config.contains(r#"AuthenticationName":1"#));
    let broker = Broker::start(&config, true);
    let _first = Client::dev(broker.addr(), Version::V5, "one", "sensor1");
    let (_, code) = Client::connect(
        broker.addr(),
        Version::V5,
        "two",
        Some("sensor1"),
        Some(common::KEY),
    );
    assert_eq!(code, Some(0x97));
}

#[test]
fn routed_messages_become_cloud_events_in_the_route_topic() {
    let broker = Broker::start(&config_json(), true);
    let mut v5 = Client::dev(broker.addr(), Version::V5, "route-5", "sensor1");
    let props = Props {
        content_type: Some("application/json; charset=utf-8"),
        user: vec![("shift", "night"), ("shift", "late")],
        ..Props::default()
    };
    assert_eq!(
        v5.publish("sensors/sensor1/t", br#"{"t": 21.5}"#, 1, &props),
        Some(0)
    );
    let text = Props {
        utf8: true,
        ..Props::default()
    };
    assert_eq!(
        v5.publish("sensors/sensor1/t", b"not json", 1, &text),
        Some(0)
    );
    let odd = Props {
        utf8: true,
        content_type: Some("not a media type"),
        ..Props::default()
    };
    assert_eq!(v5.publish("sensors/sensor1/t", b"[1]", 1, &odd), Some(0));
    let plain = Props {
        utf8: true,
        content_type: Some("text/plain"),
        ..Props::default()
    };
    assert_eq!(
        v5.publish("sensors/sensor1/t", b"{\"a\": 1}", 1, &plain),
        Some(0)
    );
    drop(v5);
    let mut v3 = Client::dev(broker.addr(), Version::V311, "route-3", "sensor2");
    assert_eq!(
        v3.publish("sensors/sensor2/bin", &[0, 159, 255], 1, &Props::default()),
        Some(0)
    );
    let got = broker
        .namespace
        .receive("telemetry", "all", 10, Duration::from_secs(5))
        .expect("receive");
    assert_eq!(got.len(), 5, "each publish is stored before its PUBACK");
    let events: Vec<serde_json::Value> = got
        .iter()
        .map(|r| serde_json::from_slice(r.json()).expect("json"))
        .collect();
    for event in &events {
        assert_eq!(event["type"], "MQTT.EventPublished");
        assert_eq!(event["source"], "plant7");
        assert_eq!(event["specversion"], "1.0");
        assert_eq!(event["site"], "plant7");
        assert_eq!(event["id"].as_str().map(str::len), Some(36));
    }
    assert_eq!(events[0]["subject"], "sensors/sensor1/t");
    assert_eq!(events[0]["data"], serde_json::json!({"t": 21.5}));
    assert_eq!(
        events[0]["datacontenttype"],
        "application/json; charset=utf-8"
    );
    assert_eq!(events[0]["clientname"], "sensor1");
    assert_eq!(events[0]["shift"], "night,late");
    assert_eq!(events[1]["data"], "not json");
    assert_eq!(events[1]["shift"], "");
    assert_eq!(events[2]["data"], serde_json::json!([1]));
    assert_eq!(
        events[2]["datacontenttype"], "application/json",
        "replaced by the default"
    );
    assert_eq!(events[3]["data"], "{\"a\": 1}");
    assert_eq!(events[3]["datacontenttype"], "text/plain");
    assert_eq!(events[4]["subject"], "sensors/sensor2/bin");
    assert_eq!(events[4]["data_base64"], "AJ//");
    assert_eq!(events[4]["datacontenttype"], "application/octet-stream");
    assert_eq!(events[4]["clientname"], "sensor2");
    assert!(events[4].get("data").is_none());
}

#[test]
fn refused_publishes_are_not_routed() {
    let broker = Broker::start(&config_json(), true);
    let mut v5 = Client::dev(broker.addr(), Version::V5, "no-route", "sensor1");
    assert_eq!(
        v5.publish("sensors/sensor2/t", b"x", 1, &Props::default()),
        Some(0x87)
    );
    let got = broker
        .namespace
        .receive("telemetry", "all", 10, Duration::from_millis(300))
        .expect("receive");
    assert!(got.is_empty());
}

#[test]
fn the_counters_follow_what_happened() {
    use gridlog_mqtt::stats::{CONNECT_OUTCOMES, PUBLISH_OUTCOMES, SUBSCRIBE_OUTCOMES};
    let broker = Broker::start(&config_json(), true);
    let count = |names: &[&str], values: &[u64], name: &str| {
        values[names.iter().position(|n| *n == name).expect("an outcome")]
    };
    let mut viewer = Client::dev(broker.addr(), Version::V5, "count-v", "viewer");
    let (_, refused) = Client::connect(
        broker.addr(),
        Version::V5,
        "count-x",
        Some("sensor1"),
        Some("wrong"),
    );
    assert_eq!(refused, Some(0x86));
    assert_eq!(
        viewer.subscribe(&["sensors/+/temp", "sensors/#"]),
        [1, 0x87]
    );
    let mut sensor = Client::dev(broker.addr(), Version::V5, "count-s", "sensor1");
    assert_eq!(
        sensor.publish("sensors/sensor1/temp", b"12345", 1, &Props::default()),
        Some(0)
    );
    assert_eq!(
        sensor.publish("sensors/sensor2/temp", b"x", 1, &Props::default()),
        Some(0x87)
    );
    assert_eq!(viewer.receive().1, b"12345");
    let stats = broker.stats.snapshot();
    assert_eq!(stats.sessions, 2);
    assert_eq!(count(&CONNECT_OUTCOMES, &stats.connects, "accepted"), 2);
    assert_eq!(
        count(&CONNECT_OUTCOMES, &stats.connects, "bad_credentials"),
        1
    );
    assert_eq!(count(&PUBLISH_OUTCOMES, &stats.publishes, "accepted"), 1);
    assert_eq!(
        count(&PUBLISH_OUTCOMES, &stats.publishes, "not_authorized"),
        1
    );
    assert_eq!(stats.publish_bytes, 5);
    assert_eq!(stats.deliveries, [0, 1]);
    assert_eq!(
        count(&SUBSCRIBE_OUTCOMES, &stats.subscriptions, "granted"),
        1
    );
    assert_eq!(
        count(&SUBSCRIBE_OUTCOMES, &stats.subscriptions, "not_authorized"),
        1
    );
    assert_eq!(stats.overflows, 0);
}

#[test]
fn a_will_is_published_when_the_connection_ends_without_disconnect() {
    let broker = Broker::start(&config_json(), true);
    let mut watcher = Client::dev(broker.addr(), Version::V5, "will-watch", "sensor2");
    assert_eq!(watcher.subscribe(&["sensors/#"]), [1]);
    let connect = |version, id: &str, topic: &str, payload: &[u8]| {
        let (client, code) = Client::connect_with_will(
            broker.addr(),
            version,
            id,
            Some("sensor1"),
            Some(common::KEY),
            Some((topic, payload, 1 << 3)),
        );
        assert_eq!(code, Some(0), "{id}");
        client
    };
    for version in VERSIONS {
        connect(version, "w-drop", "sensors/sensor1/status", b"gone").drop_connection();
        let (topic, payload, qos) = watcher.receive();
        assert_eq!(
            (topic.as_str(), payload.as_slice(), qos),
            ("sensors/sensor1/status", &b"gone"[..], 1),
            "{version:?}"
        );
        connect(version, "w-clean", "sensors/sensor1/status", b"clean").disconnect(0);
        assert!(
            watcher.quiet_for(Duration::from_millis(300)),
            "{version:?}: no will"
        );
    }
    connect(Version::V5, "w-ask", "sensors/sensor1/status", b"asked").disconnect(0x04);
    assert_eq!(
        watcher.receive().1,
        b"asked",
        "DISCONNECT 0x04 asks for the will"
    );
    connect(Version::V5, "w-deny", "sensors/sensor2/status", b"x").drop_connection();
    assert!(
        watcher.quiet_for(Duration::from_millis(300)),
        "an unauthorized will is dropped"
    );
    let got = broker
        .namespace
        .receive("telemetry", "all", 10, Duration::from_secs(5))
        .expect("receive");
    let payloads: Vec<serde_json::Value> = got
        .iter()
        .map(|r| serde_json::from_slice::<serde_json::Value>(r.json()).expect("json"))
        .map(|event| event["data_base64"].clone())
        .collect();
    assert_eq!(
        payloads,
        ["Z29uZQ==", "Z29uZQ==", "YXNrZWQ="],
        "wills are routed too"
    );
    for (flags, code) in [(0x20 | (1 << 3), 0x9A), (2 << 3, 0x9B)] {
        let (_, reply) = Client::connect_with_will(
            broker.addr(),
            Version::V5,
            "w-bad",
            Some("sensor1"),
            Some(common::KEY),
            Some(("sensors/sensor1/status", b"x", flags)),
        );
        assert_eq!(reply, Some(code));
    }
}
