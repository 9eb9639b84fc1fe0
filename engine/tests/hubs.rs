//! Event Hubs in the engine: sends land in one partition with consecutive sequence numbers,
//! reads from every position kind, partition keys, properties, restart, index rebuild,
//! retention, throughput units.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly by design"
)]
#![allow(clippy::too_many_lines, reason = "scenario functions")]

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{START_MS, block_on, clock, options};
use gridlog::index::MemoryIndex;
use gridlog::{
    EventPosition, HubEvent, HubMessage, IndexKind, ManualClock, MessageFormat, Namespace,
    NamespaceConfig, PartitionTarget, Timestamp, partition_for_key,
};

/// Hub `jobs` (4 partitions, 1 day, groups `$Default` and `audit`) and hub `one`
/// (1 partition, 1 hour).
fn hubs_config() -> NamespaceConfig {
    NamespaceConfig::from_json_str(
        r#"{"eventHubs":[
          {"name":"jobs","properties":{"partitionCount":4,"messageRetentionInDays":1},
           "consumerGroups":[{"name":"audit"}]},
          {"name":"one","properties":{"partitionCount":1,
           "retentionDescription":{"cleanupPolicy":"Delete","retentionTimeInHours":1}}}]}"#,
    )
    .unwrap()
}

fn open_hubs(dir: &std::path::Path, clock: &Arc<ManualClock>, index: &MemoryIndex) -> Namespace {
    let ns = Namespace::open(dir, options(clock, index)).unwrap();
    ns.apply_config(&hubs_config()).unwrap();
    ns
}

fn message(body: &[u8]) -> HubMessage<'_> {
    HubMessage {
        format: MessageFormat::Amqp,
        bytes: body,
        partition_key: None,
        parts: None,
    }
}

fn bodies(events: &[HubEvent]) -> Vec<String> {
    events
        .iter()
        .map(|event| String::from_utf8(event.bytes.clone()).unwrap())
        .collect()
}

fn read(ns: &Namespace, hub: &str, partition: u32, from: EventPosition) -> Vec<HubEvent> {
    ns.read_partition(hub, "$Default", partition, &from, 1_000)
        .unwrap()
}

#[test]
fn one_send_lands_in_one_partition_with_consecutive_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let clock = clock();
    let ns = open_hubs(dir.path(), &clock, &MemoryIndex::default());
    let batch = [message(b"a"), message(b"b"), message(b"c")];
    let first = ns
        .send_to_hub("jobs", PartitionTarget::Id(2), &batch)
        .unwrap();
    assert_eq!(
        (first.partition, first.first_sequence_number, first.count),
        (2, 0, 3)
    );
    assert_eq!(first.enqueued_time_ms, START_MS);
    let second = ns
        .send_to_hub("jobs", PartitionTarget::Id(2), &[message(b"d")])
        .unwrap();
    assert_eq!(second.first_sequence_number, 3);
    let events = read(&ns, "jobs", 2, EventPosition::Earliest);
    assert_eq!(bodies(&events), ["a", "b", "c", "d"]);
    assert_eq!(
        events.iter().map(|e| e.sequence_number).collect::<Vec<_>>(),
        [0, 1, 2, 3]
    );
    assert!(events.windows(2).all(|w| w[0].offset < w[1].offset));
    let info = ns.partition_info("jobs", 2).unwrap();
    assert_eq!(
        (info.begin_sequence_number, info.last_sequence_number),
        (0, 3)
    );
    assert_eq!(info.last_offset, events[3].offset);
    assert!(!info.is_empty);
    let empty = ns.partition_info("jobs", 0).unwrap();
    assert_eq!(
        (
            empty.last_sequence_number,
            empty.last_offset,
            empty.is_empty
        ),
        (-1, -1, true)
    );
    assert!(read(&ns, "jobs", 0, EventPosition::Earliest).is_empty());
    ns.close().unwrap();
}

#[test]
fn round_robin_spreads_sends_and_keys_choose_their_partition() {
    let dir = tempfile::tempdir().unwrap();
    let clock = clock();
    let ns = open_hubs(dir.path(), &clock, &MemoryIndex::default());
    let partitions: Vec<u32> = (0..8)
        .map(|_| {
            ns.send_to_hub("jobs", PartitionTarget::RoundRobin, &[message(b"x")])
                .unwrap()
                .partition
        })
        .collect();
    assert_eq!(partitions, [0, 1, 2, 3, 0, 1, 2, 3]);
    for key in ["job-1", "job-2", "tenant/ä", ""] {
        let keyed = HubMessage {
            partition_key: Some(key),
            ..message(b"k")
        };
        let receipt = ns
            .send_to_hub("jobs", PartitionTarget::Key(key), &[keyed])
            .unwrap();
        assert_eq!(receipt.partition, partition_for_key(key, 4), "{key}");
        let last = read(
            &ns,
            "jobs",
            receipt.partition,
            EventPosition::SequenceNumber {
                n: receipt.first_sequence_number,
                inclusive: true,
            },
        );
        assert_eq!(last[0].partition_key.as_deref(), Some(key));
    }
    ns.close().unwrap();
}

fn code<T: std::fmt::Debug>(result: Result<T, gridlog::EngineError>) -> &'static str {
    result.unwrap_err().code()
}

#[test]
fn unknown_hub_partition_and_group_are_not_found() {
    let dir = tempfile::tempdir().unwrap();
    let clock = clock();
    let ns = open_hubs(dir.path(), &clock, &MemoryIndex::default());
    assert_eq!(
        code(ns.send_to_hub("nope", PartitionTarget::RoundRobin, &[message(b"x")])),
        "NotFound"
    );
    assert_eq!(
        code(ns.send_to_hub("jobs", PartitionTarget::Id(4), &[message(b"x")])),
        "NotFound"
    );
    assert_eq!(code(ns.partition_info("jobs", 9)), "NotFound");
    assert_eq!(
        code(ns.read_partition("jobs", "nobody", 0, &EventPosition::Earliest, 10)),
        "NotFound"
    );
    // Group names compare case-insensitively; `$Default` is always there.
    ns.read_partition("jobs", "AUDIT", 0, &EventPosition::Earliest, 10)
        .unwrap();
    ns.read_partition("one", "$Default", 0, &EventPosition::Earliest, 10)
        .unwrap();
    let big = vec![0_u8; gridlog::limits::HUB_SEND_BYTES_MAX + 1];
    assert_eq!(
        code(ns.send_to_hub("jobs", PartitionTarget::Id(0), &[message(&big)])),
        "InvalidArgument"
    );
    ns.close().unwrap();
}

#[test]
fn hub_info_reports_the_configuration() {
    let dir = tempfile::tempdir().unwrap();
    let clock = clock();
    let ns = open_hubs(dir.path(), &clock, &MemoryIndex::default());
    let info = ns.hub_info("JOBS").unwrap();
    assert_eq!(info.name, "jobs");
    assert_eq!(info.partition_ids, ["0", "1", "2", "3"]);
    assert_eq!(info.consumer_groups, ["$Default", "audit"]);
    assert_eq!(info.retention_hours, 24);
    assert_eq!(info.created_at_ms, START_MS);
    assert_eq!(ns.hub_info("one").unwrap().retention_hours, 1);
    ns.close().unwrap();
}

#[test]
fn reads_start_at_every_position_kind() {
    let dir = tempfile::tempdir().unwrap();
    let clock = clock();
    let ns = open_hubs(dir.path(), &clock, &MemoryIndex::default());
    // 300 events in 300 sends, one second apart, interleaved with sends to partition 1 so
    // that a read skips other partitions' records.
    let mut times = Vec::new();
    for n in 0..300 {
        let body = format!("e{n}");
        let receipt = ns
            .send_to_hub("jobs", PartitionTarget::Id(0), &[message(body.as_bytes())])
            .unwrap();
        times.push(receipt.enqueued_time_ms);
        ns.send_to_hub("jobs", PartitionTarget::Id(1), &[message(b"other")])
            .unwrap();
        clock.advance(Duration::from_secs(1));
    }
    let all = read(&ns, "jobs", 0, EventPosition::Earliest);
    assert_eq!(all.len(), 300);
    let seqs = |events: &[HubEvent]| events.iter().map(|e| e.sequence_number).collect::<Vec<_>>();
    let first_of = |from| {
        ns.read_partition("jobs", "$Default", 0, &from, 2)
            .unwrap()
            .first()
            .map(|e| e.sequence_number)
    };
    for n in [0_i64, 1, 127, 128, 129, 200, 298] {
        assert_eq!(
            first_of(EventPosition::SequenceNumber { n, inclusive: true }),
            Some(n)
        );
        assert_eq!(
            first_of(EventPosition::SequenceNumber {
                n,
                inclusive: false
            }),
            Some(n + 1)
        );
        let offset = all[usize::try_from(n).unwrap()].offset;
        assert_eq!(
            first_of(EventPosition::Offset {
                offset,
                inclusive: true
            }),
            Some(n)
        );
        assert_eq!(
            first_of(EventPosition::Offset {
                offset,
                inclusive: false
            }),
            Some(n + 1)
        );
        let ms = times[usize::try_from(n).unwrap()];
        assert_eq!(
            first_of(EventPosition::EnqueuedTime {
                ms,
                inclusive: true
            }),
            Some(n)
        );
        assert_eq!(
            first_of(EventPosition::EnqueuedTime {
                ms,
                inclusive: false
            }),
            Some(n + 1)
        );
    }
    // Past the end, and latest: nothing (yet).
    assert_eq!(
        first_of(EventPosition::SequenceNumber {
            n: 299,
            inclusive: false
        }),
        None
    );
    assert_eq!(first_of(EventPosition::Latest), None);
    // Before the beginning: from the first.
    assert_eq!(
        first_of(EventPosition::SequenceNumber {
            n: -5,
            inclusive: true
        }),
        Some(0)
    );
    assert_eq!(
        first_of(EventPosition::EnqueuedTime {
            ms: 0,
            inclusive: false
        }),
        Some(0)
    );
    // `max` bounds a read; reads continue from the last offset.
    let page = ns
        .read_partition("jobs", "$Default", 0, &EventPosition::Earliest, 100)
        .unwrap();
    let next = ns
        .read_partition(
            "jobs",
            "$Default",
            0,
            &EventPosition::Offset {
                offset: page[99].offset,
                inclusive: false,
            },
            1_000,
        )
        .unwrap();
    assert_eq!(seqs(&page), (0..100).collect::<Vec<_>>());
    assert_eq!(seqs(&next), (100..300).collect::<Vec<_>>());
    ns.close().unwrap();
}

#[test]
fn restart_and_index_rebuild_keep_numbers_offsets_and_times() {
    let dir = tempfile::tempdir().unwrap();
    let clock = clock();
    let index = MemoryIndex::default();
    let ns = open_hubs(dir.path(), &clock, &index);
    for n in 0..200_u32 {
        let body = n.to_string();
        ns.send_to_hub(
            "jobs",
            PartitionTarget::Id(n % 3),
            &[message(body.as_bytes()), message(b"second")],
        )
        .unwrap();
        clock.advance(Duration::from_millis(250));
    }
    let before: Vec<Vec<HubEvent>> = (0..4)
        .map(|p| read(&ns, "jobs", p, EventPosition::Earliest))
        .collect();
    let stats_before = ns.stats().hubs;
    ns.close().unwrap();
    // From the index.
    let ns = Namespace::open(dir.path(), options(&clock, &index)).unwrap();
    let loaded: Vec<Vec<HubEvent>> = (0..4)
        .map(|p| read(&ns, "jobs", p, EventPosition::Earliest))
        .collect();
    assert_eq!(loaded, before);
    assert_eq!(ns.stats().hubs, stats_before);
    ns.close().unwrap();
    // Index gone: rebuilt from the WAL, the same.
    let ns = Namespace::open(
        dir.path(),
        gridlog::NamespaceOptions {
            index: IndexKind::Memory,
            ..options(&clock, &index)
        },
    )
    .unwrap();
    assert!(matches!(
        ns.open_report().index,
        gridlog::IndexRecovery::Rebuilt { .. }
    ));
    assert_eq!(ns.stats().hubs, stats_before);
    let rebuilt: Vec<Vec<HubEvent>> = (0..4)
        .map(|p| read(&ns, "jobs", p, EventPosition::Earliest))
        .collect();
    assert_eq!(rebuilt, before);
    // And numbering continues where it stopped.
    let next = ns
        .send_to_hub("jobs", PartitionTarget::Id(0), &[message(b"after")])
        .unwrap();
    assert_eq!(
        next.first_sequence_number,
        before[0].last().unwrap().sequence_number + 1
    );
    ns.close().unwrap();
}

/// (key, `generate_hash_code(key)`, partitions for counts 1, 2, 3, 4, 5, 8, 16, 32), computed by
/// the Python SDK's own function: azure-eventhub 5.15.1,
/// `azure/eventhub/_buffered_producer/_partition_resolver.py`, `generate_hash_code` and
/// `abs(hash % count)`.
const PYTHON_SDK_VECTORS: &[(&str, i16, [u32; 8])] = &[
    ("", 0, [0, 0, 0, 0, 0, 0, 0, 0]),
    ("a", -16220, [0, 0, 1, 0, 0, 4, 4, 4]),
    ("job-1", -16728, [0, 0, 0, 0, 2, 0, 8, 8]),
    ("job-2", -18746, [0, 0, 1, 2, 4, 6, 6, 6]),
    ("tenant/ä", -4229, [0, 1, 1, 3, 1, 3, 11, 27]),
    ("abcdefghijkl", -2373, [0, 1, 0, 3, 2, 3, 11, 27]),
    ("abcdefghijklm", -31855, [0, 1, 2, 1, 0, 1, 1, 17]),
    (
        "partition-key-that-is-longer-than-24-chars",
        -26938,
        [0, 0, 2, 2, 2, 6, 6, 6],
    ),
    ("0", 28433, [0, 1, 2, 1, 3, 1, 1, 17]),
    ("12345678901", -15121, [0, 1, 2, 3, 4, 7, 15, 15]),
    ("日本語キー", 11811, [0, 1, 0, 3, 1, 3, 3, 3]),
    ("batch-status/2024-01-01", 24925, [0, 1, 1, 1, 0, 5, 13, 29]),
];

#[test]
fn partition_keys_hash_as_the_python_sdk_computes() {
    for &(key, hash, partitions) in PYTHON_SDK_VECTORS {
        assert_eq!(gridlog::partition_key_hash(key), hash, "{key:?}");
        for (count, partition) in [1, 2, 3, 4, 5, 8, 16, 32].into_iter().zip(partitions) {
            assert_eq!(
                partition_for_key(key, count),
                partition,
                "{key:?} of {count}"
            );
        }
    }
}

#[test]
fn retention_reclaims_whole_index_blocks_by_time_and_lets_the_wal_go() {
    let dir = tempfile::tempdir().unwrap();
    let clock = clock();
    let index = MemoryIndex::default();
    let ns = open_hubs(dir.path(), &clock, &index);
    let body = vec![b'x'; 1_000];
    // Hub `one` keeps 1 hour: 300 events (2 index blocks and some) in the first half hour,
    // 100 more in the second.
    for n in 0..400 {
        ns.send_to_hub("one", PartitionTarget::Id(0), &[message(&body)])
            .unwrap();
        clock.advance(Duration::from_secs(if n < 300 { 6 } else { 18 }));
    }
    let report = ns.run_maintenance().unwrap();
    assert_eq!(report.hub_events_expired, 0);
    let first_segments = ns.stats().wal_segments;
    // 70 minutes after the start: the events of the first 10 minutes are past retention;
    // only whole blocks of 128 whose successors are past it go: block 0 (events 0-127,
    // enqueued up to minute 12.7) is not all past, so nothing goes yet.
    clock.set_wall(Timestamp::from_unix_millis(START_MS + 70 * 60_000));
    assert_eq!(ns.run_maintenance().unwrap().hub_events_expired, 0);
    // At 84 minutes, events up to minute 24 are past: block 0 ends before event 128 (minute
    // 12.8), block 1 before event 256 (minute 25.6): block 0 goes.
    clock.set_wall(Timestamp::from_unix_millis(START_MS + 84 * 60_000));
    assert_eq!(ns.run_maintenance().unwrap().hub_events_expired, 128);
    let info = ns.partition_info("one", 0).unwrap();
    assert_eq!(
        (info.begin_sequence_number, info.last_sequence_number),
        (128, 399)
    );
    let events = read(&ns, "one", 0, EventPosition::Earliest);
    assert_eq!(events.first().unwrap().sequence_number, 128);
    assert_eq!(events.len(), 272);
    // Reading from a reclaimed sequence number starts at the first retained event.
    assert_eq!(
        read(
            &ns,
            "one",
            0,
            EventPosition::SequenceNumber {
                n: 5,
                inclusive: true
            }
        )[0]
        .sequence_number,
        128
    );
    // Far later: everything goes, the partition is empty, numbering continues, and the WAL
    // segments that held the events are purged.
    clock.set_wall(Timestamp::from_unix_millis(START_MS + 10 * 60 * 60_000));
    assert_eq!(ns.run_maintenance().unwrap().hub_events_expired, 272);
    let info = ns.partition_info("one", 0).unwrap();
    assert!(info.is_empty);
    assert_eq!(
        (info.begin_sequence_number, info.last_sequence_number),
        (400, 399)
    );
    assert!(read(&ns, "one", 0, EventPosition::Earliest).is_empty());
    ns.run_maintenance().unwrap();
    assert!(
        ns.stats().wal_segments < first_segments,
        "{} segments, {first_segments} before",
        ns.stats().wal_segments
    );
    let next = ns
        .send_to_hub("one", PartitionTarget::Id(0), &[message(b"new")])
        .unwrap();
    assert_eq!(next.first_sequence_number, 400);
    assert_eq!(
        bodies(&read(&ns, "one", 0, EventPosition::Earliest)),
        ["new"]
    );
    let stats_before = ns.stats().hubs;
    ns.close().unwrap();
    // After the purge the index (and the checkpoint behind it) carry the partitions.
    for index_kind in [
        IndexKind::Custom(Arc::new(index.clone())),
        IndexKind::Memory,
    ] {
        let ns = Namespace::open(
            dir.path(),
            gridlog::NamespaceOptions {
                index: index_kind,
                ..options(&clock, &index)
            },
        )
        .unwrap();
        assert_eq!(ns.stats().hubs, stats_before);
        assert_eq!(
            bodies(&read(&ns, "one", 0, EventPosition::Earliest)),
            ["new"]
        );
        ns.close().unwrap();
    }
}

#[test]
fn retained_hub_events_hold_the_wal_purge_back() {
    let dir = tempfile::tempdir().unwrap();
    let clock = clock();
    let ns = open_hubs(dir.path(), &clock, &MemoryIndex::default());
    let body = vec![b'y'; 2_000];
    for _ in 0..200 {
        ns.send_to_hub("jobs", PartitionTarget::Id(3), &[message(&body)])
            .unwrap();
    }
    // Nothing else in the namespace needs the log: without the hub's floor, every sealed
    // segment could go.
    for _ in 0..10 {
        ns.run_maintenance().unwrap();
    }
    assert_eq!(read(&ns, "jobs", 3, EventPosition::Earliest).len(), 200);
    assert!(ns.stats().wal_first_seq <= 3);
    ns.close().unwrap();
}

#[test]
fn wait_partition_wakes_on_a_send_and_times_out() {
    let dir = tempfile::tempdir().unwrap();
    let ns = Namespace::open(
        dir.path(),
        gridlog::NamespaceOptions {
            wal: common::wal_options(),
            index: IndexKind::Memory,
            ..gridlog::NamespaceOptions::default()
        },
    )
    .unwrap();
    ns.apply_config(&hubs_config()).unwrap();
    // Already there: at once.
    ns.send_to_hub("jobs", PartitionTarget::Id(1), &[message(b"a")])
        .unwrap();
    assert!(block_on(ns.wait_partition("jobs", 1, -1, Duration::from_secs(30))).unwrap());
    let sender = {
        let ns = ns.clone();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(200));
            // Another partition does not end the wait; this one does.
            ns.send_to_hub("jobs", PartitionTarget::Id(2), &[message(b"b")])
                .unwrap();
            std::thread::sleep(Duration::from_millis(100));
            ns.send_to_hub("jobs", PartitionTarget::Id(1), &[message(b"c")])
                .unwrap();
        })
    };
    let start = std::time::Instant::now();
    assert!(block_on(ns.wait_partition("jobs", 1, 0, Duration::from_secs(30))).unwrap());
    assert!(start.elapsed() >= Duration::from_millis(300));
    sender.join().unwrap();
    let events = read(
        &ns,
        "jobs",
        1,
        EventPosition::SequenceNumber {
            n: 0,
            inclusive: false,
        },
    );
    assert_eq!(bodies(&events), ["c"]);
    let start = std::time::Instant::now();
    assert!(!block_on(ns.wait_partition("jobs", 1, 1, Duration::from_millis(300))).unwrap());
    assert!(start.elapsed() >= Duration::from_millis(300));
    assert_eq!(
        code(block_on(ns.wait_partition("nope", 0, 0, Duration::ZERO))),
        "NotFound"
    );
    ns.close().unwrap();
    assert_eq!(
        code(block_on(ns.wait_partition(
            "jobs",
            1,
            5,
            Duration::from_secs(30)
        ))),
        "Closed"
    );
}

#[test]
fn throughput_units_limit_hub_sends_and_reads() {
    let dir = tempfile::tempdir().unwrap();
    let clock = clock();
    let ns = open_hubs(dir.path(), &clock, &MemoryIndex::default());
    ns.set_throughput_units(Some(1)).unwrap();
    // 1 TU: 1,000 events per second in.
    let batch: Vec<HubMessage<'_>> = (0..500).map(|_| message(b"e")).collect();
    for _ in 0..2 {
        ns.send_to_hub("jobs", PartitionTarget::Id(0), &batch)
            .unwrap();
    }
    let refused = ns
        .send_to_hub("jobs", PartitionTarget::Id(0), &[message(b"x")])
        .unwrap_err();
    assert!(
        matches!(
            refused,
            gridlog::EngineError::Throttled {
                direction: gridlog::Direction::HubIngress,
                ..
            }
        ),
        "{refused:?}"
    );
    assert_eq!(ns.stats().throttle.throttled_hub_sends, 1);
    // Topics have their own buckets: hub traffic does not throttle Event Grid publishes.
    assert_eq!(ns.stats().throttle.throttled_publishes, 0);
    // Out: 4,096 events per second: four full reads, then refused until the bucket refills.
    for _ in 0..4 {
        assert_eq!(
            ns.read_partition("jobs", "$Default", 0, &EventPosition::Earliest, 1_000)
                .unwrap()
                .len(),
            1_000
        );
    }
    let fifth = ns
        .read_partition("jobs", "$Default", 0, &EventPosition::Earliest, 1_000)
        .unwrap();
    assert_eq!(fifth.len(), 96);
    let refused = ns
        .read_partition("jobs", "$Default", 0, &EventPosition::Earliest, 1_000)
        .unwrap_err();
    assert!(
        matches!(
            refused,
            gridlog::EngineError::Throttled {
                direction: gridlog::Direction::HubEgress,
                ..
            }
        ),
        "{refused:?}"
    );
    clock.advance(Duration::from_secs(1));
    ns.send_to_hub("jobs", PartitionTarget::Id(0), &[message(b"x")])
        .unwrap();
    assert_eq!(ns.stats().throttle.throttled_hub_reads, 1);
    ns.close().unwrap();
}
