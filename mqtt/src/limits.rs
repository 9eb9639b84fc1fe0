//! The protocol-shape limits the broker enforces, as the service states them (reference
//! `eventgrid-mqtt.md` §5, §6) unless the doc comment says "gridlog's bound".

pub use gridlog::limits::{MQTT_TOPIC_BYTES_MAX, MQTT_TOPIC_SEGMENTS_MAX};

/// Largest MQTT packet, in bytes (advertised as Maximum Packet Size; larger packets end the
/// connection).
pub const MAX_PACKET_BYTES: u32 = 512 * 1024;
/// Longest keep-alive a client gets, in seconds (MQTT 5: returned as Server Keep Alive when the
/// client asks for more or for none).
pub const KEEP_ALIVE_SECS_MAX: u16 = 1_160;
/// Topic aliases a client may set up (client to server only).
pub const TOPIC_ALIASES_MAX: u16 = 10;
/// Topic filters one SUBSCRIBE may carry; the rest are refused (quota exceeded).
pub const FILTERS_PER_SUBSCRIBE_MAX: usize = 10;
/// Subscriptions one session may hold.
pub const SUBSCRIPTIONS_PER_SESSION_MAX: usize = 50;
/// gridlog's bound: `QoS` 1 publishes a client may have unacknowledged towards the broker
/// (advertised as Receive Maximum; the service's "inbound in-flight" figure is 1,000 but
/// unexplained, and each in-flight message may hold a whole packet in memory).
pub const INBOUND_IN_FLIGHT_MAX: u16 = 100;
/// gridlog's bound: `QoS` 1 messages the broker has unacknowledged towards one client.
pub const OUTBOUND_IN_FLIGHT_MAX: u16 = 100;
/// `QoS` 1 messages one session may have waiting for the client's PUBACK (sent or held back by
/// its Receive Maximum); one more ends the session (the service's session queue limit,
/// `SessionOverflow`; v5: DISCONNECT 0x97).
pub const SESSION_QUEUE_MESSAGES_MAX: usize = 100;
/// SUBSCRIBE and UNSUBSCRIBE requests (packets) the namespace takes per second, not scaled by
/// throughput units (reference §6: "200/s per namespace"); over it: v5 SUBACK 0x97 per filter
/// (UNSUBACK 0x80), 3.1.1 SUBACK 0x80 per filter (UNSUBSCRIBE: the connection is closed).
/// Enforced when the namespace has throughput units, as every rate.
pub const SUBSCRIBE_REQUESTS_PER_SEC: u64 = 200;
/// SUBSCRIBE and UNSUBSCRIBE requests one session may send per second (reference §6: "5/s per
/// session"); over it as [`SUBSCRIBE_REQUESTS_PER_SEC`].
pub const SESSION_SUBSCRIBE_REQUESTS_PER_SEC: u64 = 5;
/// Messages the broker sends to one session per second (reference §6, "Outbound publishes per
/// session"); over it a `QoS` 0 delivery is dropped and a `QoS` 1 delivery waits in its
/// session's queue, in order, as over the namespace's outbound rate.
pub const SESSION_OUTBOUND_MESSAGES_PER_SEC: u64 = 100;
/// Payload bytes the broker sends to one session per second (1 MB, reference §6).
pub const SESSION_OUTBOUND_BYTES_PER_SEC: u64 = 1_048_576;
/// gridlog's bound: seconds a new connection has to send CONNECT.
pub const CONNECT_TIMEOUT_SECS: u16 = 10;
/// Longest v5 content type, in bytes.
pub const CONTENT_TYPE_BYTES_MAX: usize = 256;
/// Longest v5 response topic, in bytes.
pub const RESPONSE_TOPIC_BYTES_MAX: usize = 256;
/// Longest v5 correlation data, in bytes.
pub const CORRELATION_DATA_BYTES_MAX: usize = 256;
/// Total size of a v5 PUBLISH's user properties (names and values), in bytes.
pub const USER_PROPERTIES_BYTES_MAX: usize = 32 * 1024;
/// Longest client identifier (session name), in characters.
pub const CLIENT_ID_CHARS_MAX: usize = 128;
/// gridlog's bound: seconds a new MQTTS or WSS connection has for its TLS handshake, and a
/// WebSocket connection for its HTTP upgrade.
pub const HANDSHAKE_SECS: u64 = 10;
/// gridlog's bound: bytes read from the broker's side of a bridged connection (TLS, WebSocket)
/// at once; over WebSocket, the largest binary message the broker sends.
pub const BRIDGE_CHUNK_BYTES: usize = 16 * 1024;
/// gridlog's bound: largest WebSocket message (and frame) a client may send: a whole MQTT
/// packet, with room for its fixed header.
pub const WS_MESSAGE_BYTES_MAX: usize = MAX_PACKET_BYTES as usize + 8;
/// The WebSocket path MQTT is served on (the service's `wss://…:443/mqtt`).
pub const WS_PATH: &str = "/mqtt";

const _: () = assert!(TOPIC_ALIASES_MAX > 0);
const _: () = assert!(FILTERS_PER_SUBSCRIBE_MAX <= SUBSCRIPTIONS_PER_SESSION_MAX);
