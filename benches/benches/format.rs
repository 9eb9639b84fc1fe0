//! Format benchmarks: parse + validate of a 1 KiB structured event and of a batch of 100, and
//! on-disk record encode/decode of a 1 KiB event. Each reports events/s and bytes/s.
//!
//! `cargo bench -p gridlog-benches --bench format -- --warm-up-time 1 --measurement-time 3`

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a benchmark fails loudly on bad setup"
)]

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use gridlog_format::{
    EventRecord, decode_record, encode_record, parse_batch, parse_request, parse_structured,
};

const EVENT_BYTES: usize = 1024;

/// A realistic event of exactly [`EVENT_BYTES`] bytes, shaped like the Python SDK's output.
fn event_json(id: usize) -> String {
    let head = format!(
        r#"{{"id": "{id:08}-6b37-4c2e-9c1a-2f0e8d1c0b7a", "source": "/orders/eu-west", "type": "Contoso.Orders.OrderPlaced", "specversion": "1.0", "time": "2024-01-02T03:04:05.123456Z", "subject": "orders/12345", "myext": "extval", "priority": 3, "datacontenttype": "application/json", "data": {{"orderId": 12345, "amount": 99.50, "currency": "EUR", "lines": [{{"sku": "A-1", "qty": 2}}, {{"sku": "B-7", "qty": 1}}], "note": ""#
    );
    let tail = r#""}}"#;
    let pad = EVENT_BYTES - head.len() - tail.len();
    let json = format!("{head}{}{tail}", "x".repeat(pad));
    assert_eq!(json.len(), EVENT_BYTES);
    json
}

fn parse(c: &mut Criterion) {
    let single = event_json(0);
    let batch = format!(
        "[{}]",
        (0..100).map(event_json).collect::<Vec<_>>().join(", ")
    );
    assert_eq!(parse_batch(batch.as_bytes()).unwrap().len(), 100);

    let mut group = c.benchmark_group("parse");
    group.throughput(Throughput::ElementsAndBytes {
        elements: 1,
        bytes: single.len() as u64,
    });
    group.bench_function("structured_1KiB", |b| {
        b.iter(|| parse_structured(black_box(single.as_bytes())).unwrap());
    });
    group.throughput(Throughput::ElementsAndBytes {
        elements: 100,
        bytes: batch.len() as u64,
    });
    group.bench_function("batch_100x1KiB", |b| {
        let headers = [(
            "content-type",
            &b"application/cloudevents-batch+json; charset=utf-8"[..],
        )];
        b.iter(|| parse_request(headers, black_box(batch.as_bytes())).unwrap());
    });
    group.finish();
}

fn record(c: &mut Criterion) {
    let event = parse_structured(event_json(0).as_bytes()).unwrap();
    let record = EventRecord::from_event(&event);
    let bytes = encode_record(&record);

    let mut group = c.benchmark_group("record");
    group.throughput(Throughput::ElementsAndBytes {
        elements: 1,
        bytes: bytes.len() as u64,
    });
    group.bench_function("encode_1KiB", |b| {
        b.iter(|| encode_record(black_box(&record)));
    });
    group.bench_function("decode_1KiB", |b| {
        b.iter(|| decode_record(black_box(&bytes)).unwrap());
    });
    group.finish();
}

criterion_group!(benches, parse, record);
criterion_main!(benches);
