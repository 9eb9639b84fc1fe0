//! Bad input on the wire: garbage, oversized and truncated frames, unknown performatives and
//! links to unknown entities get a closed connection or an AMQP error, never a panic, and the
//! listener keeps serving (a fresh SASL handshake still succeeds afterwards).
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]
#![allow(clippy::big_endian_bytes, reason = "AMQP frame headers are big-endian")]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::time::Duration;

use gridlog::sas::ServiceBusSas;
use gridlog::{Namespace, NamespaceConfig, NamespaceOptions, SystemClock};
use gridlog_amqp::{Endpoint, Shared};

const SASL_HEADER: &[u8] = b"AMQP\x03\x01\x00\x00";
const AMQP_HEADER: &[u8] = b"AMQP\x00\x01\x00\x00";

fn endpoint(dir: &std::path::Path) -> Endpoint {
    let namespace = Namespace::open(dir, NamespaceOptions::default()).unwrap();
    let config = NamespaceConfig::from_json_str(
        r#"{"eventHubs": [{"name": "eh1", "properties": {"partitionCount": 2}}]}"#,
    )
    .unwrap();
    namespace.apply_config(&config).unwrap();
    let sas = ServiceBusSas::new([("root", "key")]);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    Endpoint::start(
        listener,
        Shared::new(namespace, sas, Arc::new(SystemClock::new())),
    )
    .unwrap()
}

/// Sends `bytes` and reads until the server closes or 3 s pass; returns what it answered.
fn exchange(endpoint: &Endpoint, bytes: &[u8]) -> Vec<u8> {
    let mut stream = TcpStream::connect(endpoint.local_addr()).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(3)))
        .unwrap();
    let _ = stream.write_all(bytes);
    let mut answer = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => answer.extend_from_slice(&buf[..n]),
        }
    }
    answer
}

/// A frame: size, doff 2, type, channel, body.
fn frame(kind: u8, channel: u16, body: &[u8]) -> Vec<u8> {
    let size = u32::try_from(8 + body.len()).unwrap();
    let mut out = size.to_be_bytes().to_vec();
    out.extend_from_slice(&[2, kind]);
    out.extend_from_slice(&channel.to_be_bytes());
    out.extend_from_slice(body);
    out
}

/// The SASL handshake still works: header echoed, then a sasl-mechanisms frame offering
/// ANONYMOUS.
fn assert_serving(endpoint: &Endpoint) {
    let mut stream = TcpStream::connect(endpoint.local_addr()).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    stream.write_all(SASL_HEADER).unwrap();
    let mut answer = vec![0u8; 8];
    stream.read_exact(&mut answer).unwrap();
    assert_eq!(answer, SASL_HEADER);
    let mut size = [0u8; 4];
    stream.read_exact(&mut size).unwrap();
    let mut rest = vec![0u8; usize::try_from(u32::from_be_bytes(size)).unwrap() - 4];
    stream.read_exact(&mut rest).unwrap();
    assert!(
        rest.windows(9).any(|w| w == b"ANONYMOUS"),
        "no ANONYMOUS in {rest:02x?}"
    );
}

#[test]
fn garbage_on_the_wire_closes_the_connection_and_the_listener_keeps_serving() {
    let dir = tempfile::tempdir().unwrap();
    let endpoint = endpoint(dir.path());
    assert_serving(&endpoint);
    let open = {
        // open(container-id="c"), all other fields null, as a list8.
        let mut body = vec![0x00, 0x53, 0x10, 0xc0, 0x04, 0x01, 0xa1, 0x01, b'c'];
        body[4] = u8::try_from(body.len() - 5).unwrap();
        frame(0, 0, &body)
    };
    let mut cases: Vec<(&str, Vec<u8>)> = vec![
        ("not amqp", b"GET / HTTP/1.1\r\n\r\n".to_vec()),
        ("tls header", b"AMQP\x02\x01\x00\x00".to_vec()),
        ("unknown version", b"AMQP\x00\x02\x00\x00".to_vec()),
        ("random bytes", (0u8..=255).rev().collect()),
    ];
    let mut after_header = |name: &'static str, tail: Vec<u8>| {
        let mut bytes = AMQP_HEADER.to_vec();
        bytes.extend_from_slice(&tail);
        cases.push((name, bytes));
    };
    after_header(
        "frame claiming 4 GiB",
        vec![0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0],
    );
    after_header(
        "frame shorter than its header",
        vec![0, 0, 0, 4, 2, 0, 0, 0],
    );
    after_header("doff below 2", vec![0, 0, 0, 8, 1, 0, 0, 0]);
    after_header(
        "unknown performative",
        frame(0, 0, &[0x00, 0x53, 0x55, 0x45]),
    );
    after_header(
        "list with a negative size",
        frame(0, 0, &[0x00, 0x53, 0x10, 0xc0, 0x00, 0x01]),
    );
    after_header(
        "truncated open",
        frame(0, 0, &[0x00, 0x53, 0x10, 0xc0, 0x10, 0x05, 0xa1]),
    );
    let mut attach_unknown = open.clone();
    // begin(next-outgoing-id=0, incoming-window=10, outgoing-window=10) on channel 0 …
    attach_unknown.extend(frame(
        0,
        0,
        &[
            0x00, 0x53, 0x11, 0xc0, 0x07, 0x04, 0x40, 0x43, 0x52, 0x0a, 0x52, 0x0a,
        ],
    ));
    // … then attach(name="l", handle=0, role=sender, target="nope/x/y") to an unknown entity.
    let mut attach = vec![
        0x00, 0x53, 0x12, 0xc0, 0x00, 0x07, 0xa1, 0x01, b'l', 0x43, 0x42, 0x40, 0x40, 0x40,
    ];
    attach.extend_from_slice(&[0x00, 0x53, 0x29, 0xc0, 0x0b, 0x01, 0xa1, 0x08]);
    attach.extend_from_slice(b"nope/x/y");
    attach[4] = u8::try_from(attach.len() - 5).unwrap();
    attach_unknown.extend(frame(0, 0, &attach));
    after_header("attach to an unknown entity", attach_unknown);
    after_header("transfer on no link", {
        let mut bytes = open;
        bytes.extend(frame(
            0,
            0,
            &[0x00, 0x53, 0x14, 0xc0, 0x03, 0x02, 0x52, 0x07, 0x43],
        ));
        bytes
    });
    for (name, bytes) in cases {
        let answer = exchange(&endpoint, &bytes);
        println!("{name}: {} bytes answered", answer.len());
        if name == "attach to an unknown entity" {
            assert!(
                answer.windows(14).any(|w| w == b"amqp:not-found"),
                "{name}: no amqp:not-found in {answer:02x?}"
            );
        }
        assert_serving(&endpoint);
    }
    endpoint.stop();
}
