//! Clients that misbehave get a clean refusal and the broker carries on: garbage instead of
//! CONNECT, no CONNECT at all, an oversized packet, a flood of subscriptions, a second CONNECT.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use common::{Broker, Client, Props, Version, config_json};
use gridlog_mqtt::limits::{CONNECT_TIMEOUT_SECS, MAX_PACKET_BYTES, SUBSCRIPTIONS_PER_SESSION_MAX};

/// Reads until the server closes the connection; what it sent before.
fn until_closed(stream: &mut TcpStream, wait: Duration) -> Vec<u8> {
    stream.set_read_timeout(Some(wait)).unwrap();
    let mut all = Vec::new();
    let mut buf = [0u8; 256];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => return all,
            Ok(n) => all.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return all,
            Err(e) => panic!("the connection stayed open: {e}"),
        }
    }
}

/// The broker still serves a well-behaved client.
fn still_serves(broker: &Broker) {
    let mut client = Client::dev(broker.addr(), Version::V5, "after", "sensor1");
    assert!(client.ping());
}

#[test]
fn garbage_instead_of_connect_is_closed() {
    let broker = Broker::start(&config_json(), true);
    for garbage in [
        &b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"[..],
        &[0x10, 0xff, 0xff, 0xff, 0xff, 0x7f][..],
        &[0x30, 0x02, 0x00, 0x00][..],
        &[0x10, 0x04, 0x00, 0x04, b'M', b'Q'][..],
    ] {
        let mut stream = TcpStream::connect(broker.addr()).unwrap();
        stream.write_all(garbage).unwrap();
        let reply = until_closed(&mut stream, Duration::from_secs(10));
        assert!(
            reply.is_empty() || reply[0] == 0x20 || reply[0] == 0xE0,
            "{garbage:?}: {reply:?}"
        );
    }
    still_serves(&broker);
}

#[test]
fn a_client_that_never_sends_connect_is_closed() {
    let broker = Broker::start(&config_json(), true);
    let mut stream = TcpStream::connect(broker.addr()).unwrap();
    let started = Instant::now();
    let reply = until_closed(&mut stream, Duration::from_secs(30));
    assert!(reply.is_empty(), "{reply:?}");
    let waited = started.elapsed();
    assert!(
        waited <= Duration::from_secs(u64::from(CONNECT_TIMEOUT_SECS) + 5),
        "closed after {waited:?}"
    );
    still_serves(&broker);
}

#[test]
fn an_oversized_publish_ends_the_connection_and_is_not_routed() {
    let broker = Broker::start(&config_json(), true);
    for version in [Version::V311, Version::V5] {
        let mut client = Client::dev(broker.addr(), version, "big", "sensor1");
        let payload = vec![b'x'; usize::try_from(MAX_PACKET_BYTES).unwrap()];
        let reply = client.publish("sensors/sensor1/t", &payload, 1, &Props::default());
        assert_eq!(reply, None, "{version:?}: the connection ends");
    }
    let got = broker
        .namespace
        .receive("telemetry", "all", 10, Duration::from_millis(300))
        .unwrap();
    assert!(got.is_empty());
    still_serves(&broker);
}

#[test]
fn a_flood_of_subscriptions_is_capped_per_session() {
    let broker = Broker::start(&config_json(), true);
    let mut client = Client::dev(broker.addr(), Version::V5, "flood", "sensor1");
    let mut codes = Vec::new();
    for batch in 0..6 {
        let filters: Vec<String> = (0..10).map(|i| format!("sensors/b{batch}/f{i}")).collect();
        let filters: Vec<&str> = filters.iter().map(String::as_str).collect();
        codes.extend(client.subscribe(&filters));
    }
    assert_eq!(codes.len(), 60);
    assert!(
        codes[..SUBSCRIPTIONS_PER_SESSION_MAX]
            .iter()
            .all(|&c| c == 1)
    );
    assert!(
        codes[SUBSCRIPTIONS_PER_SESSION_MAX..]
            .iter()
            .all(|&c| c == 0x97),
        "{codes:?}"
    );
    assert_eq!(
        client.subscribe(&["sensors/b0/f0"]),
        [1],
        "re-subscribing replaces, within the cap"
    );
    assert!(client.ping());
}

/// ntex-mqtt drops a second CONNECT on a connection (MQTT-3.1.0-2 asks for a disconnect;
/// docs/mqtt.md lists the difference): what matters is that it changes nothing, above all not
/// the identity the connection was authenticated with.
#[test]
fn a_second_connect_cannot_change_the_identity() {
    let broker = Broker::start(&config_json(), true);
    for version in [Version::V5, Version::V311] {
        let mut client = Client::dev(broker.addr(), version, "twice", "sensor1");
        let level = if version == Version::V5 { 5 } else { 4 };
        // CONNECT with username sensor2 and the key, client id "y".
        let mut connect = vec![0x10, 0, 0, 4, b'M', b'Q', b'T', b'T', level, 0xC2, 0, 60];
        if version == Version::V5 {
            connect.push(0);
        }
        connect.extend_from_slice(&[0, 1, b'y', 0, 7]);
        connect.extend_from_slice(b"sensor2");
        connect.extend_from_slice(&[0, u8::try_from(common::KEY.len()).unwrap()]);
        connect.extend_from_slice(common::KEY.as_bytes());
        connect[1] = u8::try_from(connect.len() - 2).unwrap();
        client.raw_write(&connect).unwrap();
        if version == Version::V5 {
            assert_eq!(
                client.publish("sensors/sensor2/t", b"x", 1, &Props::default()),
                Some(0x87),
                "still sensor1"
            );
        }
        assert_eq!(
            client.publish("sensors/sensor1/t", b"x", 1, &Props::default()),
            Some(0)
        );
    }
    still_serves(&broker);
}
