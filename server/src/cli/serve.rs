//! `gridlog serve`: the Event Grid namespace REST API on a data directory.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use gridlog::{
    AnchorReport, BootTime, Clock, Durability, MonotonicTime, Namespace, NamespaceConfig,
    NamespaceOptions, SystemClock, Timestamp, WalOptions,
};

use gridlog_server::auth::Authenticator;
use gridlog_server::backend::DataPlane;
use gridlog_server::eventhubs::EventHubs;
use gridlog_server::http::App;
use gridlog_server::metrics::Metrics;
use gridlog_server::push::{self, PushStore};

/// The default listen address (loopback).
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8765";
/// The topic and subscription created when there is no configuration file.
pub const DEFAULT_TOPIC: &str = "default";
/// See [`DEFAULT_TOPIC`].
pub const DEFAULT_SUBSCRIPTION: &str = "default";
/// Where a generated key is kept, inside the data directory.
pub const KEY_FILE: &str = "access-key";

/// Arguments of `gridlog serve`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Data directory (created if missing).
    #[arg(long, default_value = "./gridlog-data")]
    pub data_dir: PathBuf,
    /// Namespace configuration (ARM-shaped JSON: topics, eventSubscriptions, accessKeys),
    /// applied idempotently at start.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Address to listen on. A non-loopback address requires an access key.
    #[arg(long, default_value = DEFAULT_LISTEN)]
    pub listen: SocketAddr,
    /// When a call's records are made durable: `always` (fdatasync before every answer; survives
    /// power loss), `interval:MS` (a background sync every MS milliseconds; survives a process
    /// crash, a power loss may lose the last interval), or `never` (synced at segment roll and
    /// shutdown; survives a process crash only). See docs/reliability.md.
    #[arg(long, default_value = "always", value_parser = parse_durability)]
    pub durability: Durability,
    /// Size of a WAL segment file (preallocated in 2 MiB chunks as it fills; the log rolls to a
    /// new one when it is full): 1024 to 1073741824 bytes. Small values suit small disks and
    /// tests.
    #[arg(long, default_value_t = WalOptions::default().segment_bytes_target)]
    pub segment_bytes: u64,
    /// Do not serve GET /metrics (Prometheus text format; same credentials as the management
    /// API).
    #[arg(long)]
    pub no_metrics: bool,
}

/// Test-only: run the engine on a scaled clock, `FACTOR@ANCHOR_UNIX_MS` (e.g. `60@1700000000000`):
/// wall time is `anchor + (real_now - anchor) * factor` and monotonic time runs `factor` times
/// faster, so a 60 s lock lasts one real second. The anchor keeps the wall clock continuous
/// across restarts of the same test. Never set it outside tests (docs/reliability.md).
pub const TIME_SCALE_ENV: &str = "GRIDLOG_TEST_TIME_SCALE";

fn parse_durability(text: &str) -> Result<Durability, String> {
    match text {
        "always" => Ok(Durability::Always),
        "never" => Ok(Durability::Never),
        other => match other.strip_prefix("interval:").map(str::parse::<u64>) {
            Some(Ok(ms)) if ms > 0 => Ok(Durability::Interval(Duration::from_millis(ms))),
            _ => Err(format!(
                "expected always, never or interval:MS (MS > 0), not {other:?}"
            )),
        },
    }
}

/// The clock of [`TIME_SCALE_ENV`].
#[derive(Debug)]
struct ScaledClock {
    system: SystemClock,
    factor: u32,
    anchor: i64,
}

impl ScaledClock {
    fn from_env(value: &str) -> Result<Self, String> {
        let parsed = value.split_once('@').and_then(|(factor, anchor)| {
            Some((factor.parse::<u32>().ok()?, anchor.parse::<i64>().ok()?))
        });
        match parsed {
            Some((factor, anchor)) if factor > 0 => Ok(Self {
                system: SystemClock::new(),
                factor,
                anchor,
            }),
            _ => Err(format!(
                "{TIME_SCALE_ENV}: expected FACTOR@ANCHOR_UNIX_MS, not {value:?}"
            )),
        }
    }
}

impl Clock for ScaledClock {
    fn now(&self) -> Timestamp {
        let real = self.system.now().unix_millis();
        let scaled = real
            .saturating_sub(self.anchor)
            .saturating_mul(i64::from(self.factor));
        Timestamp::from_unix_millis(self.anchor.saturating_add(scaled))
    }

    fn monotonic(&self) -> MonotonicTime {
        MonotonicTime::from_since_origin(
            self.system
                .monotonic()
                .since_origin()
                .saturating_mul(self.factor),
        )
    }

    /// The boot clock runs `factor` times faster too, so the lock clock (boot clock plus the
    /// namespace's anchor) keeps pace with the scaled wall clock, and stays exact across
    /// restarts in one boot.
    fn boot(&self) -> Option<BootTime> {
        self.system.boot().map(|boot| BootTime {
            since_boot: boot.since_boot.saturating_mul(self.factor),
            ..boot
        })
    }
}

/// Logs what open did about the lock clock (docs/reliability.md "Locks and the clock"): a warning
/// when lock deadlines written earlier in this boot could not be read exactly.
fn log_lock_clock(report: &AnchorReport) {
    match report {
        AnchorReport::Reused { offset_ms } => {
            tracing::info!(offset_ms, "lock clock: this boot's anchor reused");
        }
        AnchorReport::Anchored { reason } if reason.is_expected() => {
            tracing::info!(%reason, "lock clock: anchored on the wall clock");
        }
        AnchorReport::Anchored { reason } => {
            tracing::warn!(%reason, "lock clock: anchored again on the wall clock; deadlines of earlier runs are re-derived from it");
        }
        AnchorReport::Unpersisted { reason, error } => {
            tracing::warn!(%reason, %error, "lock clock: anchor not persisted; the next start in this boot anchors again");
        }
        AnchorReport::NoBootClock => {
            tracing::warn!(
                "lock clock: no boot clock; lock deadlines follow the wall clock across restarts"
            );
        }
    }
}

fn default_config() -> Result<NamespaceConfig, String> {
    NamespaceConfig::from_json_str(&format!(
        r#"{{"topics":[{{"name":"{DEFAULT_TOPIC}","eventSubscriptions":[{{"name":"{DEFAULT_SUBSCRIPTION}"}}]}}]}}"#
    ))
    .map_err(|e| e.to_string())
}

/// The key kept in the data directory, created (and printed once) if missing.
fn generated_key(dir: &Path) -> Result<String, String> {
    let path = dir.join(KEY_FILE);
    match std::fs::read_to_string(&path) {
        Ok(key) if !key.trim().is_empty() => {
            eprintln!("gridlog: using the access key in {}", path.display());
            return Ok(key.trim().to_owned());
        }
        _ => {}
    }
    let mut bytes = [0_u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| format!("no randomness for a key: {e}"))?;
    let key = base64::engine::general_purpose::STANDARD.encode(bytes);
    write_private(&path, &key).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    println!(
        "gridlog: generated access key (shown once; kept in {}): {key}",
        path.display()
    );
    Ok(key)
}

fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(contents.as_bytes())?;
    file.sync_all()
}

/// The push dispatcher's options: the test time scale, so its attempt timeout stays inside the
/// (scaled) lock.
fn push_options() -> push::PushOptions {
    let time_scale = std::env::var(TIME_SCALE_ENV)
        .ok()
        .and_then(|value| ScaledClock::from_env(&value).ok())
        .map_or(1, |clock| clock.factor);
    push::PushOptions { time_scale }
}

/// The engine options of `serve`: its flags, and the test-only scaled clock of [`TIME_SCALE_ENV`].
fn namespace_options(args: &Args) -> Result<NamespaceOptions, String> {
    let mut options = NamespaceOptions {
        durability: args.durability,
        wal: WalOptions {
            segment_bytes_target: args.segment_bytes,
            ..WalOptions::default()
        },
        ..NamespaceOptions::default()
    };
    if let Ok(value) = std::env::var(TIME_SCALE_ENV) {
        let clock = ScaledClock::from_env(&value)?;
        eprintln!(
            "gridlog: warning: {TIME_SCALE_ENV} is set: time runs {}x faster (tests only)",
            clock.factor
        );
        options.clock = Arc::new(clock);
    }
    Ok(options)
}

/// Runs the server until SIGINT/SIGTERM; exit code 0 after a clean drain and close.
pub fn run(args: &Args) -> Result<ExitCode, String> {
    let file_config = match &args.config {
        Some(path) => {
            let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
            Some(
                NamespaceConfig::from_json_slice(&bytes)
                    .map_err(|e| format!("{}: {}: {e}", path.display(), e.code()))?,
            )
        }
        None => None,
    };
    std::fs::create_dir_all(&args.data_dir)
        .map_err(|e| format!("{}: {e}", args.data_dir.display()))?;
    let _lock = gridlog_server::lock::lock_data_dir(&args.data_dir)?;
    let mut keys: Vec<String> = file_config
        .iter()
        .flat_map(|c| c.access_keys.iter().map(|k| k.as_str().to_owned()))
        .collect();
    if let Ok(key) = std::env::var("GRIDLOG_KEY")
        && !key.trim().is_empty()
    {
        keys.push(key.trim().to_owned());
    }
    if keys.is_empty() && file_config.is_none() {
        keys.push(generated_key(&args.data_dir)?);
    }
    let loopback = args.listen.ip().is_loopback();
    if keys.is_empty() {
        if !loopback {
            return Err(format!(
                "refusing to listen on {} without an access key: set accessKeys in the config or GRIDLOG_KEY",
                args.listen
            ));
        }
        eprintln!(
            "gridlog: warning: no access key configured; requests are not authenticated (loopback only)"
        );
    }

    let options = namespace_options(args)?;
    let namespace = Namespace::open(&args.data_dir, options)
        .map_err(|e| format!("opening {}: {e}", args.data_dir.display()))?;
    log_lock_clock(&namespace.open_report().clock);
    let hubs = file_config
        .as_ref()
        .map_or_else(EventHubs::default, EventHubs::from_config);
    let config = match file_config {
        Some(config) => Some(config),
        None if namespace.topics().is_empty() => Some(default_config()?),
        None => None,
    };
    if let Some(config) = &config {
        let report = namespace
            .apply_config(config)
            .map_err(|e| format!("applying the configuration: {}: {e}", e.code()))?;
        tracing::info!(?report, "configuration applied");
    }

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("gridlog-http")
        .build()
        .map_err(|e| format!("starting the runtime: {e}"))?;
    let push_store: Arc<dyn PushStore> = Arc::new(namespace.clone());
    let backend: Arc<dyn DataPlane> = Arc::new(namespace);
    let result = runtime.block_on(async {
        let listener = gridlog_server::server::bind(args.listen)
            .map_err(|e| format!("cannot listen on {}: {e}", args.listen))?;
        let local = listener.local_addr().map_err(|e| e.to_string())?;
        let signal = gridlog_server::server::termination_signal()
            .map_err(|e| format!("installing signal handlers: {e}"))?;
        let (tx, rx) = tokio::sync::watch::channel(false);
        let mut app = App::new(
            backend.clone(),
            Authenticator::new(keys.iter().map(String::as_str)),
            rx.clone(),
        )
        .with_event_hubs(hubs);
        if !args.no_metrics {
            app = app.with_metrics(Arc::new(Metrics::new(backend.clone())));
        }
        let app = Arc::new(app);
        let topics: Vec<String> = backend.topics().into_iter().map(|t| t.name).collect();
        println!(
            "gridlog: listening on http://{local} (data dir {}, topics: {})",
            args.data_dir.display(),
            if topics.is_empty() {
                "none".to_owned()
            } else {
                topics.join(", ")
            }
        );
        tokio::spawn(push::run(push_store, push_options(), rx.clone()));
        gridlog_server::server::serve(listener, app, tx, signal).await;
        Ok::<(), String>(())
    });
    runtime.shutdown_timeout(Duration::from_secs(2));
    let closed = backend.close();
    result?;
    closed.map_err(|e| format!("closing the data directory: {e}"))?;
    eprintln!("gridlog: stopped; the log is synced");
    Ok(ExitCode::SUCCESS)
}
