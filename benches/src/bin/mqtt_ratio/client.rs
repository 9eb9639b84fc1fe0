//! The one MQTT 3.1.1 client both brokers get: blocking sockets, one writer and one reader
//! thread per publishing connection, `QoS` 1 pipelined within an in-flight window, a
//! subscriber that acknowledges every delivery and records its latency from the send time the
//! publisher wrote into the payload.

use std::io::{BufReader, BufWriter, Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// CONNECT credentials (gridlog's development-only authentication; mosquitto ignores them).
pub struct Credentials {
    /// User name: a client's authentication name.
    pub username: String,
    /// Password: a namespace access key.
    pub password: String,
}

/// Nanoseconds since the first call in this process: the clock payload timestamps use.
pub fn now_nanos() -> u64 {
    static ORIGIN: OnceLock<Instant> = OnceLock::new();
    u64::try_from(ORIGIN.get_or_init(Instant::now).elapsed().as_nanos()).unwrap_or(u64::MAX)
}

fn string(bytes: &[u8], out: &mut Vec<u8>) {
    out.extend_from_slice(&u16::try_from(bytes.len()).unwrap().to_be_bytes());
    out.extend_from_slice(bytes);
}

fn packet(kind: u8, body: &[u8], out: &mut Vec<u8>) {
    out.push(kind);
    let mut length = body.len();
    loop {
        let mut byte = u8::try_from(length % 128).unwrap();
        length /= 128;
        if length > 0 {
            byte |= 0x80;
        }
        out.push(byte);
        if length == 0 {
            break;
        }
    }
    out.extend_from_slice(body);
}

/// Reads one packet: its first byte and body; `None` at the end of the stream.
pub fn read_packet(reader: &mut impl Read) -> Option<(u8, Vec<u8>)> {
    let mut first = [0u8; 1];
    reader.read_exact(&mut first).ok()?;
    let mut length = 0usize;
    let mut shift = 0;
    loop {
        let mut byte = [0u8; 1];
        reader.read_exact(&mut byte).ok()?;
        length |= usize::from(byte[0] & 0x7f) << shift;
        shift += 7;
        if byte[0] & 0x80 == 0 {
            break;
        }
    }
    let mut body = vec![0u8; length];
    reader.read_exact(&mut body).ok()?;
    Some((first[0], body))
}

/// Opens a clean MQTT 3.1.1 session as `client_id`; panics unless CONNACK accepts it.
pub fn connect(addr: &str, client_id: &str, credentials: &Credentials) -> TcpStream {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_nodelay(true).unwrap();
    let mut body = Vec::new();
    string(b"MQTT", &mut body);
    body.push(4);
    body.push(0x02 | 0x80 | 0x40);
    body.extend_from_slice(&60u16.to_be_bytes());
    string(client_id.as_bytes(), &mut body);
    string(credentials.username.as_bytes(), &mut body);
    string(credentials.password.as_bytes(), &mut body);
    let mut out = Vec::new();
    packet(0x10, &body, &mut out);
    stream.write_all(&out).unwrap();
    let (kind, ack) = read_packet(&mut stream).expect("CONNACK");
    assert_eq!(kind, 0x20, "CONNACK expected");
    assert_eq!(ack.get(1), Some(&0), "{client_id} refused: {ack:?}");
    stream
}

fn publish_packet(topic: &str, id: u16, payload: &[u8], out: &mut Vec<u8>) {
    let mut body = Vec::with_capacity(topic.len() + 4 + payload.len());
    string(topic.as_bytes(), &mut body);
    body.extend_from_slice(&id.to_be_bytes());
    body.extend_from_slice(payload);
    packet(0x32, &body, out);
}

/// What a publishing connection does: how long, how fast, how many in flight.
#[derive(Clone, Copy)]
pub struct Load {
    /// Publishing stops after this long (the PUBACKs still in flight are then awaited).
    pub secs: Duration,
    /// Unacknowledged PUBLISH packets at most.
    pub window: usize,
    /// Messages per second for this connection (`None`: as fast as the window allows).
    pub rate: Option<f64>,
    /// Payload bytes (at least 8: the send time).
    pub payload: usize,
}

#[derive(Default)]
struct Window {
    in_flight: usize,
    done: bool,
}

/// Publishes `load` on `topic` over one connection; returns the PUBLISH packets acknowledged.
pub fn publish(
    addr: &str,
    client_id: &str,
    credentials: &Credentials,
    topic: &str,
    load: Load,
) -> u64 {
    let stream = connect(addr, client_id, credentials);
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let window = Arc::new((Mutex::new(Window::default()), Condvar::new()));
    let acked = Arc::new(AtomicU64::new(0));
    let reading = {
        let (window, acked) = (window.clone(), acked.clone());
        std::thread::spawn(move || {
            loop {
                {
                    let state = window.0.lock().unwrap();
                    if state.done && state.in_flight == 0 {
                        return;
                    }
                }
                let Some((kind, _)) = read_packet(&mut reader) else {
                    // After the DISCONNECT below; before it, a failure.
                    assert!(
                        window.0.lock().unwrap().done,
                        "the broker closed a publishing connection"
                    );
                    return;
                };
                assert_eq!(kind & 0xF0, 0x40, "PUBACK expected");
                acked.fetch_add(1, Ordering::Relaxed);
                let mut state = window.0.lock().unwrap();
                state.in_flight -= 1;
                window.1.notify_all();
            }
        })
    };
    let mut writer = BufWriter::with_capacity(256 * 1024, stream);
    let mut payload = vec![b'x'; load.payload.max(8)];
    let start = Instant::now();
    let mut id: u16 = 0;
    let mut sent = 0u64;
    let mut out = Vec::new();
    while start.elapsed() < load.secs {
        if let Some(rate) = load.rate {
            let due = start + Duration::from_secs_f64(sent as f64 / rate);
            if let Some(wait) = due.checked_duration_since(Instant::now()) {
                std::thread::sleep(wait);
            }
        }
        // As many as the window has room for (one when paced), in one write.
        let room = {
            let mut state = window.0.lock().unwrap();
            while state.in_flight >= load.window {
                state = window.1.wait(state).unwrap();
            }
            let room = if load.rate.is_some() {
                1
            } else {
                load.window - state.in_flight
            };
            state.in_flight += room;
            room
        };
        out.clear();
        for _ in 0..room {
            id = id.checked_add(1).unwrap_or(1);
            payload[..8].copy_from_slice(&now_nanos().to_be_bytes());
            publish_packet(topic, id, &payload, &mut out);
        }
        writer.write_all(&out).unwrap();
        writer.flush().unwrap();
        sent += room as u64;
    }
    {
        let mut state = window.0.lock().unwrap();
        state.done = true;
        while state.in_flight > 0 {
            state = window.1.wait(state).unwrap();
        }
    }
    writer.write_all(&[0xE0, 0x00]).unwrap();
    writer.flush().unwrap();
    reading.join().unwrap();
    assert_eq!(acked.load(Ordering::Relaxed), sent);
    sent
}

/// Subscribes as `client_id` to `filter` at `QoS` 1 (granted `QoS` 1, or a panic).
pub fn subscribe(
    addr: &str,
    client_id: &str,
    credentials: &Credentials,
    filter: &str,
) -> Subscriber {
    let mut stream = connect(addr, client_id, credentials);
    let mut body = 1u16.to_be_bytes().to_vec();
    string(filter.as_bytes(), &mut body);
    body.push(1);
    let mut out = Vec::new();
    packet(0x82, &body, &mut out);
    stream.write_all(&out).unwrap();
    let (kind, ack) = read_packet(&mut stream).expect("SUBACK");
    assert_eq!(kind, 0x90, "SUBACK expected");
    assert_eq!(ack.get(2), Some(&1), "subscription refused");
    Subscriber { stream }
}

/// A subscribed connection.
pub struct Subscriber {
    stream: TcpStream,
}

impl Subscriber {
    /// Receives until `expected` messages or `quiet` without one; their latencies (ns).
    pub fn receive(self, expected: u64, quiet: Duration) -> Vec<u64> {
        self.stream.set_read_timeout(Some(quiet)).unwrap();
        let mut writer = self.stream.try_clone().unwrap();
        let mut reader = BufReader::with_capacity(256 * 1024, self.stream);
        let mut latencies = Vec::with_capacity(usize::try_from(expected.min(1 << 20)).unwrap_or(0));
        let mut out = Vec::new();
        while (latencies.len() as u64) < expected {
            let Some((kind, body)) = read_packet(&mut reader) else {
                break;
            };
            let now = now_nanos();
            assert_eq!(kind & 0xF0, 0x30, "PUBLISH expected");
            let topic_len = usize::from(u16::from_be_bytes([body[0], body[1]]));
            let mut at = 2 + topic_len;
            if (kind >> 1) & 0x03 == 1 {
                out.clear();
                packet(0x40, &body[at..at + 2], &mut out);
                writer.write_all(&out).unwrap();
                at += 2;
            }
            let sent = u64::from_be_bytes(body[at..at + 8].try_into().unwrap());
            latencies.push(now.saturating_sub(sent));
        }
        latencies
    }
}
