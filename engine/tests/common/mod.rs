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

/// A random Event Hubs send to hub `jobs` (`hub_kill9.rs`, `hub_crash.rs`): the messages `ids`
/// (each its own body) to a random one of `partitions`, by one of `keys` partition keys, or
/// round-robin. Returns, read back from the partition, where each landed: (id, (partition,
/// sequence number, offset)).
pub fn random_hub_send(
    ns: &Namespace,
    rng: &mut gridlog::wal::testing::Rng,
    ids: &[String],
    keys: u64,
    partitions: u32,
) -> Vec<(String, (u32, i64, i64))> {
    use gridlog::{EventPosition, HubMessage, MessageFormat, PartitionTarget};
    let key = format!("key-{}", rng.below(keys));
    let target = match rng.below(3) {
        0 => PartitionTarget::Id(u32::try_from(rng.below(u64::from(partitions))).unwrap()),
        1 => PartitionTarget::Key(&key),
        _ => PartitionTarget::RoundRobin,
    };
    let messages: Vec<HubMessage<'_>> = ids
        .iter()
        .map(|id| HubMessage {
            format: MessageFormat::Amqp,
            bytes: id.as_bytes(),
            partition_key: None,
            parts: None,
        })
        .collect();
    let receipt = ns.send_to_hub("jobs", target, &messages).unwrap();
    let back = ns
        .read_partition(
            "jobs",
            "$Default",
            receipt.partition,
            &EventPosition::SequenceNumber {
                n: receipt.first_sequence_number,
                inclusive: true,
            },
            ids.len(),
        )
        .unwrap();
    assert_eq!(back.len(), ids.len());
    ids.iter()
        .zip(&back)
        .map(|(id, event)| {
            assert_eq!(event.bytes, id.as_bytes());
            (
                id.clone(),
                (receipt.partition, event.sequence_number, event.offset),
            )
        })
        .collect()
}

/// Every crash state of the workload `fs` recorded (`restart.rs`, `hub_crash.rs`): a power loss
/// at each file-system op of `bounds` (the acknowledged operations' starts and ends) and at
/// every third op, each with every [`Outcome`](gridlog::wal::testing::Outcome). Calls
/// `check(crashed file system, op k, ops in all, what)`; returns how many states it checked.
pub fn for_each_crash_state(
    fs: &gridlog::wal::testing::CrashFs,
    bounds: impl IntoIterator<Item = usize>,
    seed: u64,
    mut check: impl FnMut(gridlog::wal::testing::CrashFs, usize, String),
) -> usize {
    use gridlog::wal::testing::Outcome;
    let mut replay = fs.replay();
    let total = replay.len();
    let mut points: std::collections::BTreeSet<usize> = bounds.into_iter().collect();
    points.extend((0..=total).step_by(3));
    let mut states = 0;
    for k in points {
        replay.advance_to(k.min(total));
        for (i, outcome) in Outcome::ALL.iter().enumerate() {
            let crashed = replay.crash(*outcome, seed ^ (k as u64) ^ i as u64);
            check(crashed, k, format!("crash at op {k}/{total} {outcome:?}"));
            states += 1;
        }
    }
    states
}

/// A kill -9 child (`kill9.rs`, `hub_kill9.rs`): this test binary re-executed on one test, its
/// stdout read by a thread that notes when the child printed `@O` (its namespace is open).
pub struct KillChild {
    child: std::process::Child,
    reader: std::thread::JoinHandle<String>,
    opened: std::sync::mpsc::Receiver<std::time::Instant>,
    spawned: std::time::Instant,
}

impl KillChild {
    /// Starts `command` (stdout and stderr piped here).
    pub fn spawn(command: &mut std::process::Command) -> Self {
        use std::io::BufRead as _;
        use std::process::Stdio;
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (opened_tx, opened) = std::sync::mpsc::channel();
        let spawned = std::time::Instant::now();
        let reader = std::thread::spawn(move || {
            let mut text = String::new();
            let mut lines = std::io::BufReader::new(stdout);
            let mut line = String::new();
            while lines.read_line(&mut line).unwrap_or(0) > 0 {
                if line.trim_end().ends_with("@O") {
                    let _ = opened_tx.send(std::time::Instant::now());
                }
                text.push_str(&line);
                line.clear();
            }
            text
        });
        Self {
            child,
            reader,
            opened,
            spawned,
        }
    }

    /// How long the child took to open, waiting up to `timeout` for it.
    pub fn open_time(&self, timeout: Duration) -> Option<Duration> {
        let opened = self.opened.recv_timeout(timeout).ok()?;
        Some(opened.duration_since(self.spawned))
    }

    /// SIGKILLs the child (`what` names the cycle in failures, which are the child's panics
    /// and its ending on its own). Returns its complete stdout lines (the last one may be cut
    /// by the kill) and whether it had opened its namespace.
    pub fn kill(mut self, what: &str) -> (String, bool) {
        use std::io::Read as _;
        self.child.kill().unwrap();
        let status = self.child.wait().unwrap();
        let text = self.reader.join().unwrap();
        let mut errors = String::new();
        self.child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut errors)
            .unwrap();
        assert!(
            !errors.contains("panicked"),
            "{what}: the child failed:\n{errors}"
        );
        assert!(!status.success(), "{what}: child ended on its own");
        let opened = text.contains("@O");
        let complete = text.rsplit_once('\n').map_or("", |(head, _)| head);
        (complete.to_owned(), opened)
    }
}
