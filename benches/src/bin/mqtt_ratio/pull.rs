//! The routed messages read back the way an Event Grid consumer reads them: receive (up to 100
//! per call) and acknowledge over HTTP, from the routing topic's pull subscription.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::brokers::{KEY, SUBSCRIPTION, TOPIC};

const API: &str = "api-version=2024-06-01";
/// Events per receive call (the service's most).
const MAX_EVENTS: usize = 100;

/// One keep-alive HTTP/1.1 connection.
struct Http {
    host: String,
    writer: TcpStream,
    reader: BufReader<TcpStream>,
}

impl Http {
    fn open(host: &str) -> Self {
        let stream = TcpStream::connect(host).unwrap();
        stream.set_nodelay(true).unwrap();
        Self {
            host: host.to_owned(),
            writer: stream.try_clone().unwrap(),
            reader: BufReader::new(stream),
        }
    }

    /// POSTs `body` to `path`; the status and the response body.
    fn post(&mut self, path: &str, body: &[u8]) -> (u16, Vec<u8>) {
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: {}\r\naeg-sas-key: {KEY}\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            self.host,
            body.len()
        );
        self.writer.write_all(head.as_bytes()).unwrap();
        self.writer.write_all(body).unwrap();
        let mut status = String::new();
        self.reader.read_line(&mut status).unwrap();
        let code = status.split_whitespace().nth(1).unwrap().parse().unwrap();
        let mut length = 0usize;
        loop {
            let mut line = String::new();
            self.reader.read_line(&mut line).unwrap();
            if line == "\r\n" || line.is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse().unwrap();
            }
        }
        let mut response = vec![0; length];
        self.reader.read_exact(&mut response).unwrap();
        (code, response)
    }
}

/// `consumers` connections receive and acknowledge until `expected` events have been
/// acknowledged; events/s (from the start until the last acknowledgement).
pub fn drain(http: &str, consumers: usize, expected: u64) -> f64 {
    let acked = Arc::new(AtomicU64::new(0));
    let finished = Arc::new(std::sync::Mutex::new(None::<Instant>));
    let start = Instant::now();
    let threads: Vec<_> = (0..consumers)
        .map(|_| {
            let (http, acked, finished) = (http.to_owned(), acked.clone(), finished.clone());
            std::thread::spawn(move || {
                let mut connection = Http::open(&http);
                let receive = format!(
                    "/topics/{TOPIC}/eventsubscriptions/{SUBSCRIPTION}:receive?{API}&maxEvents={MAX_EVENTS}&maxWaitTime=10"
                );
                let acknowledge =
                    format!("/topics/{TOPIC}/eventsubscriptions/{SUBSCRIPTION}:acknowledge?{API}");
                while acked.load(Ordering::Relaxed) < expected {
                    let (status, body) = connection.post(&receive, b"");
                    assert_eq!(status, 200, "receive: {}", String::from_utf8_lossy(&body));
                    let received: serde_json::Value = serde_json::from_slice(&body).unwrap();
                    let tokens: Vec<&str> = received["value"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|item| item["brokerProperties"]["lockToken"].as_str().unwrap())
                        .collect();
                    if tokens.is_empty() {
                        continue;
                    }
                    let request = serde_json::json!({ "lockTokens": tokens }).to_string();
                    let (status, body) = connection.post(&acknowledge, request.as_bytes());
                    assert_eq!(status, 200, "acknowledge: {}", String::from_utf8_lossy(&body));
                    let outcome: serde_json::Value = serde_json::from_slice(&body).unwrap();
                    let succeeded = outcome["succeededLockTokens"].as_array().unwrap().len();
                    assert_eq!(succeeded, tokens.len(), "acknowledge refused: {outcome}");
                    let total = acked.fetch_add(succeeded as u64, Ordering::Relaxed)
                        + succeeded as u64;
                    if total >= expected {
                        finished.lock().unwrap().get_or_insert_with(Instant::now);
                    }
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    let total = acked.load(Ordering::Relaxed);
    assert_eq!(
        total, expected,
        "every acknowledged MQTT message is routed, once"
    );
    let end = finished.lock().unwrap().unwrap_or_else(Instant::now);
    let elapsed = end.duration_since(start).max(Duration::from_micros(1));
    total as f64 / elapsed.as_secs_f64()
}
