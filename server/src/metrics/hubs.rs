//! The Event Hubs series of `/metrics`, per hub and partition, from `Namespace::stats().hubs`:
//! events and bytes sent (counters), and the partition's begin and last sequence numbers, last
//! enqueued time, retained events and index marks (gauges).

use prometheus_client::encoding::{DescriptorEncoder, EncodeMetric as _};
use prometheus_client::metrics::MetricType;
use prometheus_client::metrics::counter::ConstCounter;
use prometheus_client::metrics::gauge::ConstGauge;

use gridlog::{HubStats, PartitionStats};

/// A per-partition counter: name, help, how to read it.
type PartitionCounter = (&'static str, &'static str, fn(&PartitionStats) -> u64);

/// A per-partition gauge: name, help, how to read it.
type PartitionField = (&'static str, &'static str, fn(&PartitionStats) -> i64);

const COUNTERS: [PartitionCounter; 2] = [
    (
        "hub_events",
        "Events sent to the Event Hub partition (REST and AMQP) since the hub was created; durable",
        |p| p.events,
    ),
    (
        "hub_bytes",
        "Bytes of the messages sent to the Event Hub partition since the hub was created; durable",
        |p| p.bytes,
    ),
];

const GAUGES: [PartitionField; 5] = [
    (
        "hub_begin_sequence_number",
        "Sequence number of the partition's first retained event (its next one when it is empty)",
        |p| p.begin_sequence_number,
    ),
    (
        "hub_last_sequence_number",
        "Sequence number of the partition's last event (-1: none ever sent)",
        |p| p.last_sequence_number,
    ),
    (
        "hub_last_enqueued_time_ms",
        "Enqueued time of the partition's last event, Unix milliseconds (0: none ever sent)",
        |p| p.last_enqueued_time_ms,
    ),
    (
        "hub_retained_events",
        "Events the partition retains (removed by retention in whole index blocks)",
        |p| i64::try_from(p.retained_events).unwrap_or(i64::MAX),
    ),
    (
        "hub_index_marks",
        "Marks of the partition's sparse index held in memory",
        |p| i64::try_from(p.index_marks).unwrap_or(i64::MAX),
    ),
];

/// Encodes the Event Hubs series of `hubs`.
pub(super) fn encode_hubs(
    hubs: &[HubStats],
    encoder: &mut DescriptorEncoder,
) -> Result<(), std::fmt::Error> {
    let partitions = || {
        hubs.iter().flat_map(|hub| {
            hub.partitions.iter().map(move |partition| {
                (
                    [
                        ("hub", hub.name.as_str()),
                        ("partition", partition.id.as_str()),
                    ],
                    partition,
                )
            })
        })
    };
    for (name, help, read) in COUNTERS {
        let mut metric = encoder.encode_descriptor(name, help, None, MetricType::Counter)?;
        for (labels, partition) in partitions() {
            ConstCounter::new(read(partition)).encode(metric.encode_family(&labels)?)?;
        }
    }
    for (name, help, read) in GAUGES {
        let mut metric = encoder.encode_descriptor(name, help, None, MetricType::Gauge)?;
        for (labels, partition) in partitions() {
            ConstGauge::new(read(partition)).encode(metric.encode_family(&labels)?)?;
        }
    }
    Ok(())
}
