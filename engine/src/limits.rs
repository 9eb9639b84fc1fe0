//! Every limit the engine's configuration and filters enforce, as named constants with units.
//!
//! Values are Azure Event Grid's (reference `eventgrid-api.md` §3 and §4) unless the doc comment
//! says "gridlog's bound": those bound inputs Azure documents no limit for, so that nothing a
//! caller sends is unbounded. Relationships between limits are checked at compile time at the end
//! of this file.

// ---- Throughput units -----------------------------------------------------------------------

/// Per-TU limits (reference `eventgrid-api.md` §3), enforced by the namespace's token buckets.
pub use crate::throttle::{
    BURST as THROUGHPUT_BURST, EGRESS_BYTES_PER_SEC_PER_TU, EGRESS_EVENTS_PER_SEC_PER_TU,
    HUB_EGRESS_BYTES_PER_SEC_PER_TU, HUB_EGRESS_EVENTS_PER_SEC_PER_TU,
    HUB_INGRESS_BYTES_PER_SEC_PER_TU, HUB_INGRESS_EVENTS_PER_SEC_PER_TU,
    INGRESS_BYTES_PER_SEC_PER_TU, INGRESS_EVENTS_PER_SEC_PER_TU, MQTT_CONNECTS_PER_SEC_PER_TU,
    MQTT_INBOUND_BYTES_PER_SEC_PER_TU, MQTT_INBOUND_MESSAGES_PER_SEC_PER_TU,
    MQTT_OUTBOUND_BYTES_PER_SEC_PER_TU, MQTT_OUTBOUND_MESSAGES_PER_SEC_PER_TU,
};

// ---- Names ----------------------------------------------------------------------------------

/// Shortest topic or event-subscription name, in characters (`[A-Za-z0-9-]`).
pub const RESOURCE_NAME_CHARS_MIN: usize = 3;
/// Longest topic or event-subscription name, in characters (`[A-Za-z0-9-]`).
pub const RESOURCE_NAME_CHARS_MAX: usize = 50;
/// Shortest topic name, in characters.
pub const TOPIC_NAME_CHARS_MIN: usize = RESOURCE_NAME_CHARS_MIN;
/// Longest topic name, in characters.
pub const TOPIC_NAME_CHARS_MAX: usize = RESOURCE_NAME_CHARS_MAX;
/// Shortest event-subscription name, in characters.
pub const SUBSCRIPTION_NAME_CHARS_MIN: usize = RESOURCE_NAME_CHARS_MIN;
/// Longest event-subscription name, in characters.
pub const SUBSCRIPTION_NAME_CHARS_MAX: usize = RESOURCE_NAME_CHARS_MAX;

// ---- Namespace ------------------------------------------------------------------------------

/// Fewest throughput units a namespace may be configured with.
pub const THROUGHPUT_UNITS_MIN: u32 = 1;
/// Most throughput units a namespace may be configured with.
pub const THROUGHPUT_UNITS_MAX: u32 = 40;
/// Namespace topics allowed per throughput unit.
pub const TOPICS_PER_TU_MAX: usize = 100;
/// Topics in a namespace whose `throughputUnits` is absent (unlimited throughput): as many as
/// the largest Azure namespace allows.
pub const TOPICS_PER_NAMESPACE_MAX: usize = TOPICS_PER_TU_MAX * THROUGHPUT_UNITS_MAX as usize;
/// Event subscriptions per topic.
pub const SUBSCRIPTIONS_PER_TOPIC_MAX: usize = 500;
/// Access keys per namespace. gridlog's bound: Azure has exactly two (key1, key2); a few more
/// allow rotation.
pub const ACCESS_KEYS_MAX: usize = 8;
/// Longest access key or shared-access-policy key, in characters. gridlog's bound (Azure keys are
/// 44-character base64 strings).
pub const ACCESS_KEY_CHARS_MAX: usize = 256;
/// Shared access (SAS) policies per namespace, as Event Hubs allows per namespace.
pub const SHARED_ACCESS_POLICIES_MAX: usize = 12;
/// Longest shared-access-policy key name, in characters (Service Bus / Event Hubs rule names).
pub const SHARED_ACCESS_POLICY_NAME_CHARS_MAX: usize = 256;
/// Event Hubs per namespace. gridlog's bound.
pub const EVENT_HUBS_MAX: usize = TOPICS_PER_NAMESPACE_MAX;
/// Longest Event Hub name, in characters (`[A-Za-z0-9._-]`, as Event Hubs allows).
pub const EVENT_HUB_NAME_CHARS_MAX: usize = 256;
/// Fewest partitions of an Event Hub (`partitionCount`).
pub const EVENT_HUB_PARTITIONS_MIN: u32 = 1;
/// Most partitions of an Event Hub (Event Hubs Standard tier).
pub const EVENT_HUB_PARTITIONS_MAX: u32 = 32;
/// Partitions of an Event Hub whose `partitionCount` is absent. gridlog's choice: enough for
/// four parallel consumers on a developer machine (Azure's portal suggests 1–4 for small hubs).
pub const EVENT_HUB_PARTITIONS_DEFAULT: u32 = 4;
/// Shortest Event Hub retention, in hours (`retentionTimeInHours`; `messageRetentionInDays` 1 is
/// 24 h).
pub const EVENT_HUB_RETENTION_HOURS_MIN: u32 = 1;
/// Longest Event Hub retention, in hours (Event Hubs Standard tier: 7 days).
pub const EVENT_HUB_RETENTION_HOURS_MAX: u32 = 168;
/// Event Hub retention when neither `messageRetentionInDays` nor `retentionDescription` says
/// (Azure's default: 1 day).
pub const EVENT_HUB_RETENTION_HOURS_DEFAULT: u32 = 24;
/// Hours in a day.
pub const HOURS_PER_DAY: u32 = 24;
/// Consumer groups per Event Hub, `$Default` included (Event Hubs Standard tier).
pub const CONSUMER_GROUPS_PER_HUB_MAX: usize = 20;
/// Longest consumer group name, in characters.
pub const CONSUMER_GROUP_NAME_CHARS_MAX: usize = 50;
/// The consumer group every Event Hub has.
pub const CONSUMER_GROUP_DEFAULT: &str = "$Default";
/// Events of one partition between two marks of its sparse index: a read from a sequence number
/// or a time starts at the mark at or before it and reads at most this many of the
/// partition's events before the first one it returns; retention reclaims whole blocks of this
/// many events.
pub const HUB_INDEX_STRIDE_EVENTS: i64 = 128;
/// Most events one partition read returns.
pub const HUB_READ_EVENTS_MAX: usize = 1_000;
/// Largest event, and largest batch of events sent in one call, in bytes (Event Hubs: 1 MB).
pub const HUB_SEND_BYTES_MAX: usize = 1_048_576;
/// Longest Event Hubs partition key, in bytes (Event Hubs: 128 characters).
pub const HUB_PARTITION_KEY_BYTES_MAX: usize = 128;

// ---- Topic and delivery ---------------------------------------------------------------------

/// Shortest topic retention (`eventRetentionInDays`), in days.
pub const RETENTION_DAYS_MIN: u32 = 1;
/// Longest topic retention, in days; also the default.
pub const RETENTION_DAYS_MAX: u32 = 7;
/// Default topic retention, in days.
pub const RETENTION_DAYS_DEFAULT: u32 = 7;
/// Seconds in a day.
pub const SECS_PER_DAY: u64 = 86_400;
/// Shortest receive lock (`receiveLockDurationInSeconds`), in seconds; also the default.
pub const LOCK_DURATION_SECS_MIN: u32 = 60;
/// Longest receive lock, in seconds.
pub const LOCK_DURATION_SECS_MAX: u32 = 300;
/// Default receive lock, in seconds.
pub const LOCK_DURATION_SECS_DEFAULT: u32 = 60;
/// Fewest delivery attempts (`maxDeliveryCount`).
pub const MAX_DELIVERY_COUNT_MIN: u32 = 1;
/// Most delivery attempts; also the default.
pub const MAX_DELIVERY_COUNT_MAX: u32 = 10;
/// Default delivery attempts.
pub const MAX_DELIVERY_COUNT_DEFAULT: u32 = 10;
/// Shortest event time-to-live (`eventTimeToLive`, `PT1M`), in seconds. The longest is the
/// topic's retention; the default is `min(7 days, retention)`, i.e. the retention.
pub const EVENT_TTL_SECS_MIN: u64 = 60;
/// Longest ISO 8601 duration text accepted, in bytes. gridlog's bound.
pub const DURATION_TEXT_BYTES_MAX: usize = 64;

// ---- Filters --------------------------------------------------------------------------------

/// Advanced filters per event subscription.
pub const FILTERS_MAX: usize = 25;
/// Filter values across all advanced filters of one subscription (see `filter` for how values
/// are counted).
pub const FILTER_VALUES_TOTAL_MAX: usize = 25;
/// Longest string filter value, in characters (Unicode scalar values).
pub const FILTER_STRING_VALUE_CHARS_MAX: usize = 512;
/// Longest filter key, in characters. gridlog's bound.
pub const FILTER_KEY_CHARS_MAX: usize = 256;
/// Most segments in a dotted `data.` filter key, `data` included. gridlog's bound.
pub const FILTER_KEY_SEGMENTS_MAX: usize = 16;
/// Longest attribute-name filter key, in characters, as event attribute names are.
pub const FILTER_ATTRIBUTE_NAME_CHARS_MAX: usize = 20;
/// Entries in `includedEventTypes`. gridlog's bound.
pub const INCLUDED_EVENT_TYPES_MAX: usize = 100;
/// Longest entry of `includedEventTypes`, in characters. gridlog's bound, equal to the string
/// filter value limit.
pub const INCLUDED_EVENT_TYPE_CHARS_MAX: usize = FILTER_STRING_VALUE_CHARS_MAX;

// ---- Lock tokens ----------------------------------------------------------------------------

/// Length of the per-namespace lock-token secret, in bytes.
pub const TOKEN_SECRET_BYTES: usize = 32;

// ---- Storage ---------------------------------------------------------------------------------

/// Bytes a publish leaves free in the active WAL segment (the WAL clamps it to a quarter of the
/// segment size): when the disk is full and the next segment cannot be created, publishes fail
/// (`NoSpace`, HTTP 507) while acknowledgements, releases, rejects, renewals, receives and the
/// checkpoint that lets reclamation free segments still fit (docs/reliability.md).
pub const PUBLISH_SEGMENT_RESERVE_BYTES: u64 = 64 * 1024;

// ---- Peek and re-publish (the console's reads) --------------------------------------------

/// Most events one peek returns (a receive's maximum too).
pub const PEEK_EVENTS_MAX: usize = 100;
/// Log records one topic peek reads before it returns a page (possibly short, with the position
/// to continue from): bounds the time of a peek over a log with few of the topic's events.
/// Read without the namespace's lock.
pub const PEEK_TOPIC_SCAN_RECORDS_MAX: usize = 16_384;
/// Log records one subscription peek reads, under the namespace's lock (as a receive's scan is
/// bounded), before it returns a page with the position to continue from.
pub const PEEK_SUBSCRIPTION_SCAN_RECORDS_MAX: usize = 4_096;
/// Most dead-letter events one re-publish call takes.
pub const REPUBLISH_EVENTS_MAX: usize = 1_000;

// ---- MQTT broker resources (reference `eventgrid-mqtt.md` §2, §6, §7.3) -----------------------

/// Longest client resource name, in characters (`[-A-Za-z0-9:._]`).
pub const MQTT_CLIENT_NAME_CHARS_MAX: usize = 128;
/// Longest client authentication name, in characters.
pub const MQTT_AUTHENTICATION_NAME_CHARS_MAX: usize = 128;
/// Registered clients per throughput unit (no `throughputUnits`: the most TUs).
pub const MQTT_CLIENTS_PER_TU_MAX: usize = 10_000;
/// Connected MQTT sessions per throughput unit (no `throughputUnits`: the most TUs).
pub const MQTT_SESSIONS_PER_TU_MAX: usize = 10_000;
/// MQTT PUBLISH packets one session may send per second (the service's 2025 figure; 100 in
/// 2023), enforced when the namespace has throughput units.
pub const MQTT_SESSION_INBOUND_MESSAGES_PER_SEC: u64 = 1_000;
/// MQTT payload bytes one session may publish per second (1 MB), enforced when the namespace
/// has throughput units.
pub const MQTT_SESSION_INBOUND_BYTES_PER_SEC: u64 = 1_048_576;
/// A client's attributes, as JSON, are shorter than this many bytes.
pub const MQTT_ATTRIBUTES_BYTES_MAX: usize = 4_096;
/// Most `allowedThumbprints` of a `ThumbprintMatch` client.
pub const MQTT_ALLOWED_THUMBPRINTS_MAX: usize = 2;
/// Client groups per namespace, not counting the built-in `$all`.
pub const MQTT_CLIENT_GROUPS_MAX: usize = 10;
/// Topic spaces per namespace.
pub const MQTT_TOPIC_SPACES_MAX: usize = 10;
/// Topic templates per topic space.
pub const MQTT_TOPIC_TEMPLATES_PER_SPACE_MAX: usize = 10;
/// Permission bindings per namespace.
pub const MQTT_PERMISSION_BINDINGS_MAX: usize = 100;
/// Longest topic name or filter (and topic template), in bytes.
pub const MQTT_TOPIC_BYTES_MAX: usize = 256;
/// Most `/`-separated segments of a topic name or filter (and topic template).
pub const MQTT_TOPIC_SEGMENTS_MAX: usize = 8;
/// gridlog's bound: longest client-group query, in bytes.
pub const MQTT_QUERY_CHARS_MAX: usize = 1_024;
/// gridlog's bound: deepest parenthesis nesting in a client-group query.
pub const MQTT_QUERY_DEPTH_MAX: usize = 16;
/// gridlog's bound: most filters one topic template stands for when array-valued attributes
/// multiply its substitutions (beyond: they grant nothing).
pub const MQTT_TEMPLATE_SUBSTITUTIONS_MAX: usize = 64;
/// `maximumSessionExpiryInHours`: default.
pub const MQTT_SESSION_EXPIRY_HOURS_DEFAULT: u32 = 1;
/// `maximumSessionExpiryInHours`: most.
pub const MQTT_SESSION_EXPIRY_HOURS_MAX: u32 = 8;
/// `maximumClientSessionsPerAuthenticationName`: default.
pub const MQTT_SESSIONS_PER_AUTHENTICATION_NAME_DEFAULT: u32 = 1;
/// `maximumClientSessionsPerAuthenticationName`: most.
pub const MQTT_SESSIONS_PER_AUTHENTICATION_NAME_MAX: u32 = 100;
/// `QoS` 1 messages a persistent session may hold unacknowledged (queued while offline, or in
/// flight); one more ends the session (the service's `SessionOverflow`).
pub const MQTT_SESSION_QUEUE_MESSAGES_MAX: usize = 100;
/// Bytes (topics, payloads, properties) a persistent session's queue may hold; a message that
/// would go beyond ends the session (the service's "1 MB").
pub const MQTT_SESSION_QUEUE_BYTES_MAX: u64 = 1024 * 1024;
/// Longest Will Delay Interval, seconds (longer ones are clamped).
pub const MQTT_WILL_DELAY_SECS_MAX: u32 = 300;
/// Routing enrichments (static and dynamic together) per namespace.
pub const MQTT_ENRICHMENTS_MAX: usize = 10;
/// Longest routing enrichment key, in characters (`[a-z0-9]`).
pub const MQTT_ENRICHMENT_KEY_CHARS_MAX: usize = 20;
/// Longest static routing enrichment value, in characters.
pub const MQTT_ENRICHMENT_VALUE_CHARS_MAX: usize = 128;
/// `caCertificates` per namespace.
pub const MQTT_CA_CERTIFICATES_MAX: usize = 10;
/// gridlog's bound: longest `encodedCertificate`, in characters (a CA certificate in PEM is a
/// few KiB; this leaves room for RSA-8192 and long extensions).
pub const MQTT_ENCODED_CERTIFICATE_CHARS_MAX: usize = 65_536;

// ---- Relationships --------------------------------------------------------------------------

const _: () = assert!(RESOURCE_NAME_CHARS_MIN <= RESOURCE_NAME_CHARS_MAX);
const _: () = assert!(PEEK_EVENTS_MAX <= PEEK_SUBSCRIPTION_SCAN_RECORDS_MAX);
const _: () = assert!(REPUBLISH_EVENTS_MAX <= gridlog_format::limits::EVENTS_PER_REQUEST_MAX);
const _: () = assert!(THROUGHPUT_UNITS_MIN <= THROUGHPUT_UNITS_MAX);
const _: () = assert!(RETENTION_DAYS_MIN <= RETENTION_DAYS_DEFAULT);
const _: () = assert!(RETENTION_DAYS_DEFAULT <= RETENTION_DAYS_MAX);
const _: () = assert!(LOCK_DURATION_SECS_MIN <= LOCK_DURATION_SECS_DEFAULT);
const _: () = assert!(LOCK_DURATION_SECS_DEFAULT <= LOCK_DURATION_SECS_MAX);
const _: () = assert!(MAX_DELIVERY_COUNT_MIN <= MAX_DELIVERY_COUNT_DEFAULT);
const _: () = assert!(MAX_DELIVERY_COUNT_DEFAULT <= MAX_DELIVERY_COUNT_MAX);
// The shortest TTL fits in the shortest retention, so every retention admits a valid TTL, and the
// default lock fits in the shortest TTL.
const _: () = assert!(EVENT_TTL_SECS_MIN <= RETENTION_DAYS_MIN as u64 * SECS_PER_DAY);
const _: () = assert!(LOCK_DURATION_SECS_DEFAULT as u64 <= EVENT_TTL_SECS_MIN);
// The longest lock fits in the shortest retention, so the default TTL (= retention) is never
// shorter than any valid lock.
const _: () = assert!(LOCK_DURATION_SECS_MAX as u64 <= RETENTION_DAYS_MIN as u64 * SECS_PER_DAY);
const _: () = assert!(FILTER_ATTRIBUTE_NAME_CHARS_MAX <= FILTER_KEY_CHARS_MAX);
const _: () = assert!(EVENT_HUB_PARTITIONS_MIN <= EVENT_HUB_PARTITIONS_DEFAULT);
const _: () = assert!(EVENT_HUB_PARTITIONS_DEFAULT <= EVENT_HUB_PARTITIONS_MAX);
const _: () = assert!(EVENT_HUB_RETENTION_HOURS_MIN <= EVENT_HUB_RETENTION_HOURS_DEFAULT);
const _: () = assert!(EVENT_HUB_RETENTION_HOURS_DEFAULT <= EVENT_HUB_RETENTION_HOURS_MAX);
const _: () = assert!(EVENT_HUB_RETENTION_HOURS_MAX == RETENTION_DAYS_MAX * HOURS_PER_DAY);
const _: () = assert!(HUB_INDEX_STRIDE_EVENTS > 0);
const _: () = assert!(MQTT_SESSION_EXPIRY_HOURS_DEFAULT <= MQTT_SESSION_EXPIRY_HOURS_MAX);
const _: () = assert!(
    MQTT_SESSIONS_PER_AUTHENTICATION_NAME_DEFAULT <= MQTT_SESSIONS_PER_AUTHENTICATION_NAME_MAX
);
