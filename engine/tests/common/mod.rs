//! Shared helpers for the namespace tests.

#![allow(dead_code, reason = "each test binary uses a subset")]

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use gridlog::format::{Event, parse_structured};
use gridlog::index::MemoryIndex;
use gridlog::wal::Vfs;
use gridlog::{
    Durability, IndexKind, ManualClock, Namespace, NamespaceConfig, NamespaceOptions, Timestamp,
    WalOptions,
};

/// Wall-clock start of every manual clock.
pub const START_MS: i64 = 1_700_000_000_000;

/// A manual clock at [`START_MS`].
pub fn clock() -> Arc<ManualClock> {
    Arc::new(ManualClock::new(Timestamp::from_unix_millis(START_MS)))
}

/// Small WAL segments, no preallocation: fast tests.
pub fn wal_options() -> WalOptions {
    WalOptions {
        segment_bytes_target: 64 << 10,
        preallocate: false,
        prepare_spare: false,
        ..WalOptions::default()
    }
}

/// Options with a manual clock and a shared memory index.
pub fn options(clock: &Arc<ManualClock>, index: &MemoryIndex) -> NamespaceOptions {
    NamespaceOptions {
        durability: Durability::Always,
        wal: wal_options(),
        clock: clock.clone(),
        index: IndexKind::Custom(Arc::new(index.clone())),
        vfs: None,
        maintenance_interval: None,
    }
}

/// Options on a simulated file system.
pub fn vfs_options(
    clock: &Arc<ManualClock>,
    index: &MemoryIndex,
    vfs: Arc<dyn Vfs>,
) -> NamespaceOptions {
    NamespaceOptions {
        vfs: Some(vfs),
        ..options(clock, index)
    }
}

/// A structured event.
pub fn event(id: &str, event_type: &str) -> Event {
    let json = format!(
        r#"{{"specversion":"1.0","id":"{id}","source":"/test","type":"{event_type}","subject":"s/{id}","data":{{"n":1,"id":"{id}"}}}}"#
    );
    parse_structured(json.as_bytes()).unwrap()
}

/// `orders` (subscriptions `all`: lock 60 s, 3 deliveries, TTL 1 h, dead letters to
/// `orders-dlq`; `plain`: defaults, no dead-letter topic) and `orders-dlq` (subscription `dead`).
pub fn config() -> NamespaceConfig {
    NamespaceConfig::from_json_str(
        r#"{"topics":[
        {"name":"orders","properties":{"eventRetentionInDays":1},"eventSubscriptions":[
          {"name":"all","properties":{"deliveryConfiguration":{"deliveryMode":"Queue","queue":{
            "receiveLockDurationInSeconds":60,"maxDeliveryCount":3,"eventTimeToLive":"PT1H",
            "deadLetterTopic":"orders-dlq"}}}},
          {"name":"plain","properties":{"deliveryConfiguration":{"deliveryMode":"Queue","queue":{
            "receiveLockDurationInSeconds":60,"maxDeliveryCount":2,"eventTimeToLive":"PT1H"}}}}]},
        {"name":"orders-dlq","eventSubscriptions":[{"name":"dead"}]}]}"#,
    )
    .unwrap()
}

/// Opens a namespace in `dir` with `config` applied.
pub fn open(dir: &Path, clock: &Arc<ManualClock>, index: &MemoryIndex) -> Namespace {
    let ns = Namespace::open(dir, options(clock, index)).unwrap();
    ns.apply_config(&config()).unwrap();
    ns
}

/// The `id` member of a received event's JSON.
pub fn id_of(json: &[u8]) -> String {
    let value: serde_json::Value = serde_json::from_slice(json).unwrap();
    value["id"].as_str().unwrap().to_owned()
}

/// No waiting.
pub const NOW: Duration = Duration::ZERO;

/// Seed from `var`; without it, `default` (CI replays the same cases every run), or under
/// `GRIDLOG_LONG=1` (the long tier, `scripts/soak`) a fresh one, so each long run explores new
/// cases. Printed either way.
pub fn seed(var: &str, default: u64) -> u64 {
    let seed = std::env::var(var)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            if std::env::var("GRIDLOG_LONG").is_ok_and(|v| v == "1") {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .ok()
                    .and_then(|since| u64::try_from(since.as_nanos()).ok())
                    .unwrap_or(default)
            } else {
                default
            }
        });
    eprintln!("{var}={seed} (set {var} to replay)");
    seed
}

/// A minimal executor: block on a future with a thread-parking waker.
pub fn block_on<F: std::future::Future>(future: F) -> F::Output {
    use std::task::{Context, Poll, Wake, Waker};
    struct Unpark(std::thread::Thread);
    impl Wake for Unpark {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
    }
    let waker = Waker::from(Arc::new(Unpark(std::thread::current())));
    let mut cx = Context::from_waker(&waker);
    let mut future = std::pin::pin!(future);
    loop {
        if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
        std::thread::park();
    }
}

/// Options of a kill -9 child (`kill9.rs`, `hub_kill9.rs`): real durability and file system;
/// `sled`: the sled index (open costs ~200 ms in a debug build, so only some children use it);
/// otherwise an in-memory index, so open rebuilds from the WAL (or, for a later sled child,
/// replays forward from a stale sled index).
pub fn kill_child_options(sled: bool) -> NamespaceOptions {
    NamespaceOptions {
        wal: wal_options(),
        index: if sled {
            IndexKind::Sled
        } else {
            IndexKind::Memory
        },
        ..NamespaceOptions::default()
    }
}
