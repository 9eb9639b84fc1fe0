//! A broker over a fresh namespace, and a minimal blocking MQTT 3.1.1/5 client that writes
//! packets byte by byte, so that the tests see the exact reason codes on the wire.

#![allow(dead_code, reason = "each test file uses part of it")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests"
)]
#![allow(clippy::big_endian_bytes, reason = "MQTT integers are big-endian")]

pub mod pki;
pub mod transport;

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::time::Duration;

use gridlog::{AccessKey, Clock, Namespace, NamespaceConfig, NamespaceOptions, SystemClock};
use gridlog_mqtt::{Endpoint, MqttStats, Shared};

/// The access key the development-mode password must match.
pub const KEY: &str = "mqtt-test-key";
/// Routing destination.
pub const ROUTE: &str = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.EventGrid/namespaces/plant7/topics/telemetry";

/// The configuration most tests use: `sensor1` and `sensor2` (type sensor) may publish under
/// `sensors/<their name>/#` and subscribe to `sensors/#`; `viewer` may only subscribe to
/// `sensors/+/temp`; `off` is disabled; up to 5 sessions per authentication name; routing into
/// `telemetry` with enrichments.
pub fn config_json() -> String {
    serde_json::json!({
        "accessKeys": [KEY],
        "topics": [{"name": "telemetry", "eventSubscriptions": [{"name": "all"}]}],
        "topicSpacesConfiguration": {"state": "Enabled", "routeTopicResourceId": ROUTE,
            "maximumClientSessionsPerAuthenticationName": 5,
            "routingEnrichments": {
                "static": [{"key": "site", "valueType": "String", "value": "plant7"}],
                "dynamic": [{"key": "clientname", "value": "${client.authenticationName}"},
                            {"key": "shift", "value": "${mqtt.message.userProperties.shift}"}]}},
        "clients": [
            {"name": "sensor1", "properties": {"attributes": {"type": "sensor"}}},
            {"name": "sensor2", "properties": {"attributes": {"type": "sensor"}}},
            {"name": "viewer", "properties": {"attributes": {"type": "viewer"}}},
            {"name": "off", "properties": {"state": "Disabled", "attributes": {"type": "sensor"}}}
        ],
        "clientGroups": [
            {"name": "sensors", "properties": {"query": "attributes.type = 'sensor'"}},
            {"name": "viewers", "properties": {"query": "attributes.type IN ['viewer']"}}
        ],
        "topicSpaces": [
            {"name": "own", "properties": {"topicTemplates": ["sensors/${client.authenticationName}/#"]}},
            {"name": "all-sensors", "properties": {"topicTemplates": ["sensors/#"]}},
            {"name": "temps", "properties": {"topicTemplates": ["sensors/+/temp"]}}
        ],
        "permissionBindings": [
            {"name": "sensors-pub", "properties": {"clientGroupName": "sensors", "topicSpaceName": "own", "permission": "Publisher"}},
            {"name": "sensors-sub", "properties": {"clientGroupName": "sensors", "topicSpaceName": "all-sensors", "permission": "Subscriber"}},
            {"name": "viewers-sub", "properties": {"clientGroupName": "viewers", "topicSpaceName": "temps", "permission": "Subscriber"}}
        ]
    })
    .to_string()
}

/// A broker on a free loopback port over a namespace in a temporary directory.
pub struct Broker {
    pub namespace: Namespace,
    pub stats: MqttStats,
    pub endpoint: Option<Endpoint>,
    dir: Option<tempfile::TempDir>,
}

impl Broker {
    /// Starts one with `config` and the development-only authentication `dev_auth`.
    pub fn start(config: &str, dev_auth: bool) -> Self {
        Self::start_full(config, dev_auth, Arc::new(SystemClock::new()), None, None)
    }

    /// Starts one with `config`, development-only authentication `dev_auth`, the namespace's
    /// clock `clock` and its data in `dir` (a fresh directory when `None`).
    pub fn start_with(
        config: &str,
        dev_auth: bool,
        clock: Arc<dyn Clock>,
        dir: Option<tempfile::TempDir>,
    ) -> Self {
        Self::start_full(config, dev_auth, clock, dir, None)
    }

    /// [`Broker::start`] with `clock` as the namespace's and the broker's clock.
    pub fn start_with_clock(config: &str, dev_auth: bool, clock: Arc<dyn Clock>) -> Self {
        Self::start_full(config, dev_auth, clock, None, None)
    }

    /// [`Broker::start`] with, when `certificate` is given, MQTTS, WebSocket and WSS ports too
    /// (all on free loopback ports).
    pub fn start_tls(
        config: &str,
        dev_auth: bool,
        certificate: Option<Arc<dyn gridlog_mqtt::ResolvesServerCert>>,
    ) -> Self {
        Self::start_full(
            config,
            dev_auth,
            Arc::new(SystemClock::new()),
            None,
            certificate,
        )
    }

    fn start_full(
        config: &str,
        dev_auth: bool,
        clock: Arc<dyn Clock>,
        dir: Option<tempfile::TempDir>,
        certificate: Option<Arc<dyn gridlog_mqtt::ResolvesServerCert>>,
    ) -> Self {
        let dir = dir.unwrap_or_else(|| tempfile::tempdir().expect("tempdir"));
        let options = NamespaceOptions {
            clock: clock.clone(),
            ..NamespaceOptions::default()
        };
        let namespace = Namespace::open(dir.path(), options).expect("open");
        let config = NamespaceConfig::from_json_str(config).expect("config");
        namespace.apply_config(&config).expect("apply");
        let bind = || TcpListener::bind("127.0.0.1:0").expect("bind");
        let tls = certificate.is_some();
        let listeners = gridlog_mqtt::Listeners {
            mqtt: bind(),
            mqtts: tls.then(bind),
            ws: tls.then(bind),
            wss: tls.then(bind),
            certificate,
        };
        let stats = MqttStats::default();
        namespace
            .set_mqtt_config(config.mqtt.clone())
            .expect("MQTT resources");
        let shared = Shared {
            namespace: namespace.clone(),
            access_keys: config.access_keys.clone(),
            dev_auth,
            clock,
            stats: stats.clone(),
        };
        let endpoint = Endpoint::start_with(listeners, shared).expect("start");
        Self {
            namespace,
            stats,
            endpoint: Some(endpoint),
            dir: Some(dir),
        }
    }

    /// Stops the listener and closes the namespace; returns its data directory (for a restart).
    pub fn stop(mut self) -> tempfile::TempDir {
        if let Some(endpoint) = self.endpoint.take() {
            endpoint.stop();
        }
        self.namespace.close().expect("close");
        self.dir.take().expect("dir")
    }

    /// The bound ports.
    pub fn addresses(&self) -> gridlog_mqtt::Addresses {
        self.endpoint.as_ref().expect("running").addresses()
    }

    pub fn addr(&self) -> SocketAddr {
        self.endpoint.as_ref().expect("running").local_addr()
    }
}

impl Drop for Broker {
    fn drop(&mut self) {
        if let Some(endpoint) = self.endpoint.take() {
            endpoint.stop();
        }
    }
}

/// The protocol version a client speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Version {
    V311,
    V5,
}

/// A received packet: its first byte and body.
#[derive(Debug)]
pub struct Packet {
    pub kind: u8,
    pub body: Vec<u8>,
}

/// A v5 PUBLISH's properties this client can send.
#[derive(Default)]
pub struct Props<'a> {
    pub utf8: bool,
    pub content_type: Option<&'a str>,
    pub user: Vec<(&'a str, &'a str)>,
}

/// CONNECT options beyond the credentials.
#[derive(Clone, Copy, Default)]
pub struct Opts<'a> {
    /// Keep the session: 3.1.1 `cleanSession=0`, v5 Clean Start 0.
    pub keep: bool,
    /// v5 Session Expiry Interval.
    pub expiry: Option<u32>,
    /// Will: topic, payload, flags (`QoS` << 3, retain 0x20).
    pub will: Option<(&'a str, &'a [u8], u8)>,
    /// v5 Will Delay Interval.
    pub will_delay: Option<u32>,
}

/// A PUBLISH the server sent, not acknowledged yet.
#[derive(Debug)]
pub struct Delivery {
    pub topic: String,
    pub payload: Vec<u8>,
    pub qos: u8,
    pub dup: bool,
    /// Packet identifier (`QoS` 1).
    pub id: u16,
}

/// A minimal MQTT client (over TCP, TLS or a WebSocket: [`transport::Transport`]).
pub struct Client {
    pub version: Version,
    stream: Box<dyn transport::Transport>,
    next_id: u16,
    /// The CONNACK's body.
    pub connack: Vec<u8>,
}

fn varint(mut value: usize, out: &mut Vec<u8>) {
    loop {
        let mut byte = u8::try_from(value % 128).expect("7 bits");
        value /= 128;
        if value > 0 {
            byte |= 0x80;
        }
        out.push(byte);
        if value == 0 {
            break;
        }
    }
}

fn string(text: &[u8], out: &mut Vec<u8>) {
    out.extend_from_slice(&u16::try_from(text.len()).expect("short").to_be_bytes());
    out.extend_from_slice(text);
}

fn packet(kind: u8, body: &[u8]) -> Vec<u8> {
    let mut out = vec![kind];
    varint(body.len(), &mut out);
    out.extend_from_slice(body);
    out
}

impl Client {
    /// Connects and sends CONNECT; returns the client and the CONNACK code (`None`: the
    /// connection closed without one).
    pub fn connect(
        addr: SocketAddr,
        version: Version,
        client_id: &str,
        username: Option<&str>,
        password: Option<&str>,
    ) -> (Self, Option<u8>) {
        Self::connect_with_will(addr, version, client_id, username, password, None)
    }

    /// [`Client::connect`] with a will message: topic, payload, flags (`QoS` << 3, retain 0x20).
    pub fn connect_with_will(
        addr: SocketAddr,
        version: Version,
        client_id: &str,
        username: Option<&str>,
        password: Option<&str>,
        will: Option<(&str, &[u8], u8)>,
    ) -> (Self, Option<u8>) {
        let opts = Opts {
            will,
            ..Opts::default()
        };
        let (client, ack) = Self::connect_opts(addr, version, client_id, username, password, &opts);
        (client, ack.map(|(code, _)| code))
    }

    /// Connects as `name` (development mode) to a session kept after the connection: 3.1.1
    /// `cleanSession=0`, v5 Clean Start 0 with Session Expiry Interval `expiry`. Returns the
    /// client and Session Present; panics unless accepted.
    pub fn persistent(
        addr: SocketAddr,
        version: Version,
        client_id: &str,
        name: &str,
        expiry: u32,
    ) -> (Self, bool) {
        let opts = Opts {
            keep: true,
            expiry: Some(expiry),
            ..Opts::default()
        };
        let (client, ack) =
            Self::connect_opts(addr, version, client_id, Some(name), Some(KEY), &opts);
        let (code, present) = ack.expect("CONNACK");
        assert_eq!(code, 0, "{name} not accepted");
        (client, present)
    }

    /// Connects with `opts`; returns the client and the CONNACK's code and Session Present
    /// (`None`: the connection closed without one).
    pub fn connect_opts(
        addr: SocketAddr,
        version: Version,
        client_id: &str,
        username: Option<&str>,
        password: Option<&str>,
        opts: &Opts<'_>,
    ) -> (Self, Option<(u8, bool)>) {
        let stream = TcpStream::connect(addr).expect("connect");
        Self::connect_over_opts(
            Box::new(stream),
            version,
            client_id,
            username,
            password,
            opts,
        )
    }

    /// Sends CONNECT over `stream` (TCP, TLS or WebSocket); the client and the CONNACK code
    /// (`None`: the connection closed without one).
    pub fn connect_over(
        stream: Box<dyn transport::Transport>,
        version: Version,
        client_id: &str,
        username: Option<&str>,
        password: Option<&str>,
        will: Option<(&str, &[u8], u8)>,
    ) -> (Self, Option<u8>) {
        let opts = Opts {
            will,
            ..Opts::default()
        };
        let (client, ack) =
            Self::connect_over_opts(stream, version, client_id, username, password, &opts);
        (client, ack.map(|(code, _)| code))
    }

    /// Sends CONNECT with `opts` over `stream`; the client and the CONNACK's code and Session
    /// Present (`None`: the connection closed without one).
    pub fn connect_over_opts(
        stream: Box<dyn transport::Transport>,
        version: Version,
        client_id: &str,
        username: Option<&str>,
        password: Option<&str>,
        opts: &Opts<'_>,
    ) -> (Self, Option<(u8, bool)>) {
        let will = opts.will;
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .expect("timeout");
        let mut client = Self {
            version,
            stream,
            next_id: 1,
            connack: Vec::new(),
        };
        let mut body = Vec::new();
        string(b"MQTT", &mut body);
        body.push(if version == Version::V5 { 5 } else { 4 });
        let mut flags = if opts.keep { 0x00 } else { 0x02 };
        if username.is_some() {
            flags |= 0x80;
        }
        if password.is_some() {
            flags |= 0x40;
        }
        if let Some((_, _, will_flags)) = will {
            flags |= 0x04 | will_flags;
        }
        body.push(flags);
        body.extend_from_slice(&60u16.to_be_bytes());
        if version == Version::V5 {
            if let Some(expiry) = opts.expiry {
                body.push(5);
                body.push(0x11);
                body.extend_from_slice(&expiry.to_be_bytes());
            } else {
                body.push(0);
            }
        }
        string(client_id.as_bytes(), &mut body);
        if let Some((topic, payload, _)) = will {
            if version == Version::V5 {
                if let Some(delay) = opts.will_delay {
                    body.push(5);
                    body.push(0x18);
                    body.extend_from_slice(&delay.to_be_bytes());
                } else {
                    body.push(0);
                }
            }
            string(topic.as_bytes(), &mut body);
            string(payload, &mut body);
        }
        if let Some(username) = username {
            string(username.as_bytes(), &mut body);
        }
        if let Some(password) = password {
            string(password.as_bytes(), &mut body);
        }
        client.send(&packet(0x10, &body));
        let ack = client.read().map(|ack| {
            assert_eq!(ack.kind, 0x20, "CONNACK expected, got {ack:?}");
            (ack.body[1], ack.body[0] & 0x01 == 1, ack.body)
        });
        let ack = ack.map(|(code, present, body)| {
            client.connack = body;
            (code, present)
        });
        (client, ack)
    }

    /// Connects in development mode as `name` with the right key; panics unless accepted.
    pub fn dev(addr: SocketAddr, version: Version, client_id: &str, name: &str) -> Self {
        let (client, code) = Self::connect(addr, version, client_id, Some(name), Some(KEY));
        assert_eq!(code, Some(0), "{name} not accepted");
        client
    }

    /// Writes raw bytes (for packets this client has no method for).
    pub fn raw_write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.stream.write_all(bytes).map(|()| bytes.len())
    }

    fn send(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).expect("write");
    }

    /// The next packet; `None` when the server closed the connection.
    pub fn read(&mut self) -> Option<Packet> {
        let mut first = [0u8; 1];
        match self.stream.read_exact(&mut first) {
            Ok(()) => {}
            Err(e)
                if matches!(
                    e.kind(),
                    ErrorKind::UnexpectedEof | ErrorKind::ConnectionReset
                ) =>
            {
                return None;
            }
            Err(e) => panic!("read: {e}"),
        }
        let mut length = 0usize;
        let mut shift = 0;
        loop {
            let mut byte = [0u8; 1];
            self.stream.read_exact(&mut byte).ok()?;
            length |= usize::from(byte[0] & 0x7f) << shift;
            shift += 7;
            if byte[0] & 0x80 == 0 {
                break;
            }
        }
        let mut body = vec![0u8; length];
        self.stream.read_exact(&mut body).ok()?;
        Some(Packet {
            kind: first[0],
            body,
        })
    }

    /// SUBSCRIBE to `filters` at `QoS` 1; returns the SUBACK codes.
    pub fn subscribe(&mut self, filters: &[&str]) -> Vec<u8> {
        let id = self.id();
        let mut body = id.to_be_bytes().to_vec();
        if self.version == Version::V5 {
            body.push(0);
        }
        for filter in filters {
            string(filter.as_bytes(), &mut body);
            body.push(1);
        }
        self.send(&packet(0x82, &body));
        let ack = self.read().expect("SUBACK");
        assert_eq!(ack.kind, 0x90, "{ack:?}");
        assert_eq!(ack.body[..2], id.to_be_bytes());
        let codes = if self.version == Version::V5 {
            let properties = usize::from(ack.body[2]);
            &ack.body[3 + properties..]
        } else {
            &ack.body[2..]
        };
        codes.to_vec()
    }

    /// UNSUBSCRIBE from `filters`; returns the v5 UNSUBACK codes (none for 3.1.1), `None` if
    /// the connection closed first.
    pub fn unsubscribe(&mut self, filters: &[&str]) -> Option<Vec<u8>> {
        let id = self.id();
        let mut body = id.to_be_bytes().to_vec();
        if self.version == Version::V5 {
            body.push(0);
        }
        for filter in filters {
            string(filter.as_bytes(), &mut body);
        }
        self.send(&packet(0xA2, &body));
        let ack = self.read()?;
        assert_eq!(ack.kind, 0xB0, "{ack:?}");
        assert_eq!(ack.body[..2], id.to_be_bytes());
        Some(if self.version == Version::V5 {
            let properties = usize::from(ack.body[2]);
            ack.body[3 + properties..].to_vec()
        } else {
            Vec::new()
        })
    }

    /// PUBLISH at `qos` (0 or 1; 2 to test the refusal); for `QoS` 1 returns the PUBACK reason
    /// (0 when the v5 PUBACK has none, and for 3.1.1); `None` if the connection closed first.
    pub fn publish(
        &mut self,
        topic: &str,
        payload: &[u8],
        qos: u8,
        props: &Props<'_>,
    ) -> Option<u8> {
        let id = self.id();
        let mut body = Vec::new();
        string(topic.as_bytes(), &mut body);
        if qos > 0 {
            body.extend_from_slice(&id.to_be_bytes());
        }
        if self.version == Version::V5 {
            let mut properties = Vec::new();
            if props.utf8 {
                properties.extend_from_slice(&[0x01, 0x01]);
            }
            if let Some(content_type) = props.content_type {
                properties.push(0x03);
                string(content_type.as_bytes(), &mut properties);
            }
            for (name, value) in &props.user {
                properties.push(0x26);
                string(name.as_bytes(), &mut properties);
                string(value.as_bytes(), &mut properties);
            }
            varint(properties.len(), &mut body);
            body.extend_from_slice(&properties);
        }
        body.extend_from_slice(payload);
        self.send(&packet(0x30 | (qos << 1), &body));
        if qos == 0 {
            return Some(0);
        }
        let ack = self.read()?;
        if ack.kind == 0xE0 {
            return None;
        }
        assert_eq!(ack.kind, 0x40, "PUBACK expected, got {ack:?}");
        assert_eq!(ack.body[..2], id.to_be_bytes());
        Some(ack.body.get(2).copied().unwrap_or(0))
    }

    /// The next PUBLISH the server sends (acknowledged if `QoS` 1): its topic and payload.
    pub fn receive(&mut self) -> (String, Vec<u8>, u8) {
        let delivery = self.delivery();
        if delivery.qos > 0 {
            self.puback(delivery.id);
        }
        (delivery.topic, delivery.payload, delivery.qos)
    }

    /// The next PUBLISH if one starts arriving within `wait` (not acknowledged); `None` when
    /// nothing does or the connection closed.
    pub fn next_delivery(&mut self, wait: Duration) -> Option<Delivery> {
        self.data_within(wait).then(|| self.delivery())
    }

    /// The next PUBLISH the server sends, not acknowledged (see [`Client::puback`]).
    pub fn delivery(&mut self) -> Delivery {
        let packet = self.read().expect("PUBLISH");
        assert_eq!(packet.kind & 0xF0, 0x30, "PUBLISH expected, got {packet:?}");
        let qos = (packet.kind >> 1) & 0x03;
        let dup = packet.kind & 0x08 != 0;
        let body = &packet.body;
        let topic_len = usize::from(u16::from_be_bytes([body[0], body[1]]));
        let topic = String::from_utf8(body[2..2 + topic_len].to_vec()).expect("utf-8");
        let mut at = 2 + topic_len;
        let mut id = 0;
        if qos > 0 {
            id = u16::from_be_bytes([body[at], body[at + 1]]);
            at += 2;
        }
        if self.version == Version::V5 {
            let mut length = 0usize;
            let mut shift = 0;
            loop {
                let byte = body[at];
                at += 1;
                length |= usize::from(byte & 0x7f) << shift;
                shift += 7;
                if byte & 0x80 == 0 {
                    break;
                }
            }
            at += length;
        }
        Delivery {
            topic,
            payload: body[at..].to_vec(),
            qos,
            dup,
            id,
        }
    }

    /// The v5 CONNACK's Session Expiry Interval, if it has one (properties read in order:
    /// this client's CONNACKs carry only fixed-size ones before it or none).
    pub fn connack_session_expiry(&self) -> Option<u32> {
        let body = &self.connack;
        let mut at = 3;
        let end = 3 + usize::from(*body.get(2)?);
        while at < end {
            let id = body[at];
            at += 1;
            match id {
                0x11 => {
                    return Some(u32::from_be_bytes([
                        body[at],
                        body[at + 1],
                        body[at + 2],
                        body[at + 3],
                    ]));
                }
                0x13 | 0x21 | 0x22 => at += 2,
                0x24 | 0x25 | 0x28 | 0x29 | 0x2A => at += 1,
                0x27 => at += 4,
                _ => return None,
            }
        }
        None
    }

    /// Acknowledges `QoS` 1 delivery `id`.
    pub fn puback(&mut self, id: u16) {
        self.send(&packet_bytes(0x40, &id.to_be_bytes()));
    }

    /// Whether nothing arrives within `wait`.
    pub fn quiet_for(&mut self, wait: Duration) -> bool {
        self.stream.set_read_timeout(Some(wait)).expect("timeout");
        let mut byte = [0u8; 1];
        let quiet = matches!(
            self.stream.read(&mut byte),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut)
        );
        self.stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .expect("timeout");
        quiet
    }

    /// Whether something arrives within `wait` (nothing is consumed; `false` also when the
    /// server closed the connection).
    pub fn data_within(&mut self, wait: Duration) -> bool {
        self.stream.set_read_timeout(Some(wait)).expect("timeout");
        let mut byte = [0u8; 1];
        let data = matches!(self.stream.peek(&mut byte), Ok(1));
        self.stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .expect("timeout");
        data
    }

    /// Closes the TCP connection without a DISCONNECT (an abnormal end: the will is published).
    pub fn drop_connection(self) {
        self.stream.shutdown();
    }

    /// Sends DISCONNECT (v5: with `reason`) and waits for the server to close.
    pub fn disconnect(mut self, reason: u8) {
        if self.version == Version::V5 {
            self.send(&[0xE0, 1, reason]);
        } else {
            self.send(&[0xE0, 0]);
        }
        while self.read().is_some() {}
    }

    /// PINGREQ; whether PINGRESP came back.
    pub fn ping(&mut self) -> bool {
        self.send(&[0xC0, 0x00]);
        self.read().is_some_and(|p| p.kind == 0xD0)
    }

    fn id(&mut self) -> u16 {
        let id = self.next_id;
        self.next_id += 1;
        id
    }
}

fn packet_bytes(kind: u8, body: &[u8]) -> Vec<u8> {
    packet(kind, body)
}

/// Client id per test, so that runs never share a session name.
pub fn ids(prefix: &str) -> impl FnMut() -> String {
    let mut n = 0;
    let prefix = prefix.to_owned();
    move || {
        n += 1;
        format!("{prefix}-{n}")
    }
}

/// `AccessKey` re-exported for tests that build `Shared` themselves.
pub fn key() -> AccessKey {
    AccessKey::new(KEY)
}
