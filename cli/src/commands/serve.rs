//! `gridlog serve`: the Event Grid namespace REST API on a data directory.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use gridlog::wal::options::{SEGMENT_BYTES_TARGET_MAX, SEGMENT_BYTES_TARGET_MIN};
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

use super::access_key::{self, KeySource};
use super::serve_amqp;
use super::serve_mqtt;
use super::serve_tls::{self, TlsMode};

/// Arguments of `gridlog serve`.
#[derive(Debug, clap::Args)]
#[allow(
    clippy::struct_excessive_bools,
    reason = "each bool is an independent command-line switch (--no-metrics, --no-console, --no-amqp, …)"
)]
pub struct Args {
    /// Data directory (created if missing).
    #[arg(long, default_value = "./gridlog-data")]
    pub data_dir: PathBuf,
    /// Namespace configuration (ARM-shaped JSON: topics, eventSubscriptions, accessKeys),
    /// applied idempotently at start.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Address to listen on, HOST:PORT (a host name such as localhost resolves). A non-loopback
    /// address requires an access key.
    #[arg(long, env = "GRIDLOG_LISTEN", default_value = DEFAULT_LISTEN, value_parser = super::args::parse_listen)]
    pub listen: SocketAddr,
    /// When a call's records are made durable: `always` (fdatasync before every answer; survives
    /// power loss), `interval:DURATION` (a background sync that often, e.g. interval:50ms; a bare
    /// number is milliseconds; survives a process crash, a power loss may lose the last
    /// interval), or `never` (synced at segment roll and shutdown; survives a process crash only).
    /// See docs/reliability.md.
    #[arg(long, default_value = "always", value_parser = super::args::parse_durability)]
    pub durability: Durability,
    /// Size of a WAL segment file (preallocated in 2 MiB chunks as it fills; the log rolls to a
    /// new one when it is full): 1024 to 1073741824 bytes. Small values suit small disks and
    /// tests.
    #[arg(long, default_value_t = WalOptions::default().segment_bytes_target,
          value_parser = clap::value_parser!(u64).range(SEGMENT_BYTES_TARGET_MIN..=SEGMENT_BYTES_TARGET_MAX))]
    pub segment_bytes: u64,
    /// Serve HTTPS instead of plain HTTP on --listen, with this certificate chain (PEM: the
    /// server's certificate first, then any intermediates). Reloaded without a restart on
    /// SIGHUP and when the files change; a reload that fails keeps the old certificate.
    #[arg(
        long,
        env = "GRIDLOG_TLS_CERT",
        requires = "tls_key",
        conflicts_with = "tls_self_signed"
    )]
    pub tls_cert: Option<PathBuf>,
    /// The private key of --tls-cert (PEM: PKCS#8, RSA or EC; RSA, ECDSA or Ed25519).
    #[arg(long, env = "GRIDLOG_TLS_KEY", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// Serve HTTPS with a development CA and a certificate for localhost, 127.0.0.1 and ::1,
    /// made once in DATA_DIR/tls/ and reused; prints how to trust the CA (ca.pem).
    #[arg(long)]
    pub tls_self_signed: bool,
    /// Do not serve GET /metrics (Prometheus text format; same credentials as the management
    /// API).
    #[arg(long)]
    pub no_metrics: bool,
    /// Do not serve the web console at /_gridlog/console/ (a login page that takes an access
    /// key or SAS token; every figure it shows is an ordinary API call).
    #[arg(long)]
    pub no_console: bool,
    /// Address of the AMQP 1.0 listener the Event Hubs SDKs connect to (plain AMQP; their
    /// emulator connection string: Endpoint=sb://HOST[:PORT];…;UseDevelopmentEmulator=true).
    /// A non-loopback address requires a shared access policy.
    #[arg(long, env = "GRIDLOG_AMQP_LISTEN", default_value = gridlog_amqp::DEFAULT_AMQP_LISTEN,
          value_parser = super::args::parse_listen)]
    pub amqp_listen: SocketAddr,
    /// Address of the AMQPS listener (AMQP over TLS, with the --tls-cert/--tls-self-signed
    /// certificate), served only when TLS is configured: the SDKs' ordinary connection string
    /// (Endpoint=sb://HOST/;…, without UseDevelopmentEmulator) reaches it on 5671.
    #[arg(long, env = "GRIDLOG_AMQPS_LISTEN", default_value = gridlog_amqp::DEFAULT_AMQPS_LISTEN,
          value_parser = super::args::parse_listen)]
    pub amqps_listen: SocketAddr,
    /// Do not serve AMQP nor AMQPS (no --amqp-listen or --amqps-listen port is taken).
    #[arg(long)]
    pub no_amqp: bool,
    /// Address of the MQTT 3.1.1/5 broker (plain TCP). It accepts connections only when the
    /// configuration's topicSpacesConfiguration.state is Enabled.
    #[arg(long, env = "GRIDLOG_MQTT_LISTEN", default_value = gridlog_mqtt::DEFAULT_MQTT_LISTEN,
          value_parser = super::args::parse_listen)]
    pub mqtt_listen: SocketAddr,
    /// Address of the MQTTS listener (MQTT over TLS with the --tls-cert/--tls-self-signed
    /// certificate; client certificates requested, not required: X.509 client authentication
    /// per the client resources and caCertificates), served only when TLS is configured.
    #[arg(long, env = "GRIDLOG_MQTTS_LISTEN", default_value = gridlog_mqtt::DEFAULT_MQTTS_LISTEN,
          value_parser = super::args::parse_listen)]
    pub mqtts_listen: SocketAddr,
    /// Serve MQTT over WebSocket (ws://HOST:PORT/mqtt, subprotocol mqtt) on this address;
    /// without a value 127.0.0.1:8080. Off unless given.
    #[arg(long, env = "GRIDLOG_MQTT_WS_LISTEN", num_args = 0..=1,
          default_missing_value = gridlog_mqtt::DEFAULT_MQTT_WS_LISTEN,
          value_parser = super::args::parse_listen)]
    pub mqtt_ws_listen: Option<SocketAddr>,
    /// Serve MQTT over WebSocket with TLS (wss://HOST:PORT/mqtt; the TLS certificate, client
    /// certificates requested as on MQTTS) on this address; without a value 127.0.0.1:8443.
    /// Off unless given; needs TLS configured.
    #[arg(long, env = "GRIDLOG_MQTT_WSS_LISTEN", num_args = 0..=1,
          default_missing_value = gridlog_mqtt::DEFAULT_MQTT_WSS_LISTEN,
          value_parser = super::args::parse_listen)]
    pub mqtt_wss_listen: Option<SocketAddr>,
    /// Do not serve MQTT (no --mqtt-listen, --mqtts-listen, --mqtt-ws-listen nor
    /// --mqtt-wss-listen port is taken).
    #[arg(long)]
    pub no_mqtt: bool,
    /// Development only: MQTT clients without a client certificate authenticate with username
    /// = a client's authenticationName and password = a namespace access key. Refused unless
    /// every MQTT listener is on a loopback address.
    #[arg(long, env = "GRIDLOG_MQTT_DEV_AUTH")]
    pub mqtt_dev_auth: bool,
}

/// Test-only: run the engine on a scaled clock, `FACTOR@ANCHOR_UNIX_MS` (e.g. `60@1700000000000`):
/// wall time is `anchor + (real_now - anchor) * factor` and monotonic time runs `factor` times
/// faster, so a 60 s lock lasts one real second. The anchor keeps the wall clock continuous
/// across restarts of the same test. Never set it outside tests (docs/reliability.md).
pub const TIME_SCALE_ENV: &str = "GRIDLOG_TEST_TIME_SCALE";

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

/// The push dispatcher's options: the test time scale, so its attempt timeout stays inside the
/// (scaled) lock.
fn push_options(attempts: Option<push::PushAttempts>) -> push::PushOptions {
    let time_scale = std::env::var(TIME_SCALE_ENV)
        .ok()
        .and_then(|value| ScaledClock::from_env(&value).ok())
        .map_or(1, |clock| clock.factor);
    push::PushOptions {
        time_scale,
        attempts,
    }
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

/// Reads `--config`, refusing anything but a valid namespace configuration object.
fn file_config(args: &Args) -> Result<Option<NamespaceConfig>, String> {
    let Some(path) = &args.config else {
        return Ok(None);
    };
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    NamespaceConfig::from_json_slice(&bytes)
        .map(Some)
        .map_err(|e| format!("{}: {}: {e}", path.display(), e.code()))
}

/// A data directory path that exists but is not a directory is refused in plain words.
fn check_data_dir(dir: &Path) -> Result<(), String> {
    match std::fs::metadata(dir) {
        Ok(meta) if !meta.is_dir() => Err(format!(
            "the data directory {} is a file, not a directory: give --data-dir a directory (it is created if missing)",
            dir.display()
        )),
        _ => Ok(()),
    }
}

/// Binds the listening socket (before anything is created on disk or printed).
/// Each connection is a file descriptor: the server may hold as many as the hard limit allows
/// (the connection budget keeps thousands idle under attack). Logs the figure.
fn raise_open_files() {
    let limit = gridlog_server::server::open_files::raise_open_files_limit();
    tracing::info!(
        limit = limit.map_or_else(|| "unlimited".to_owned(), |n| n.to_string()),
        "open-file limit"
    );
}

fn bind(addr: SocketAddr) -> Result<std::net::TcpListener, String> {
    gridlog_server::server::bind(addr).map_err(|e| format!("cannot listen on {addr}: {e}"))
}

/// Where the key comes from, once the data directory is open: `GRIDLOG_KEY` (warning when it
/// hides a stored key), the stored or a newly generated key (no `--config`), the config's keys,
/// or none (a warning: loopback only).
fn key_source(
    args: &Args,
    env_key: Option<&str>,
    has_config: bool,
    keys: &mut Vec<String>,
) -> Result<KeySource, String> {
    let source = match (env_key, has_config) {
        (Some(key), _) => {
            access_key::warn_if_env_overrides(&args.data_dir, key);
            KeySource::Env
        }
        (None, false) => {
            let (key, source) = access_key::stored_or_generated(&args.data_dir)?;
            keys.push(key);
            source
        }
        (None, true) if keys.is_empty() => KeySource::None,
        (None, true) => KeySource::Config,
    };
    if keys.is_empty() {
        eprintln!(
            "gridlog: warning: no access key configured; requests are not authenticated (loopback only)"
        );
    }
    Ok(source)
}

/// Prints what `serve` serves: the `listening on` line (the first line, the one scripts and
/// tests parse: `listening on http://ADDR`, or https://), the certificate, and the exports.
fn announce(
    args: &Args,
    local: SocketAddr,
    backend: &Arc<dyn DataPlane>,
    tls: Option<&serve_tls::Loaded>,
    source: &KeySource,
) {
    let scheme = if tls.is_some() { "https" } else { "http" };
    let topics: Vec<String> = backend.topics().into_iter().map(|t| t.name).collect();
    let mut lines = vec![format!(
        "gridlog: listening on {scheme}://{local} (data dir {}, topics: {})",
        args.data_dir.display(),
        if topics.is_empty() {
            "none".to_owned()
        } else {
            topics.join(", ")
        }
    )];
    lines.extend(tls.iter().flat_map(|tls| tls.lines(local.port())));
    lines.extend(access_key::export_lines(scheme, local, source));
    // One write, so a reader that reads the first line and closes the pipe does not make a
    // later line's write fail; a closed standard output is not an error for a server.
    let mut text = lines.join("\n");
    text.push('\n');
    let mut stdout = std::io::stdout().lock();
    let _ = std::io::Write::write_all(&mut stdout, text.as_bytes());
    let _ = std::io::Write::flush(&mut stdout);
    if !args.no_console {
        tracing::info!(
            "web console at {scheme}://{local}{}/ (sign in with the access key; --no-console turns it off)",
            gridlog_server::console::CONSOLE_PATH
        );
    }
}

/// The API `serve` answers with: its keys and Event Hubs policies, `/metrics` and the web
/// console unless `--no-metrics` / `--no-console`.
fn build_app(
    args: &Args,
    backend: &Arc<dyn DataPlane>,
    keys: &[String],
    hubs: EventHubs,
    shutdown: tokio::sync::watch::Receiver<bool>,
    metrics: Option<&Arc<Metrics>>,
) -> App {
    let mut app = App::new(
        backend.clone(),
        Authenticator::new(keys.iter().map(String::as_str)),
        shutdown,
    )
    .with_event_hubs(hubs);
    if !args.no_console {
        app = app.with_console();
    }
    if let Some(metrics) = metrics {
        app = app.with_metrics(metrics.clone());
    }
    app
}

/// The access keys of the config and `GRIDLOG_KEY` (also returned alone); refuses a
/// non-loopback listener with a config but no key.
fn access_keys(
    args: &Args,
    file_config: Option<&NamespaceConfig>,
) -> Result<(Vec<String>, Option<String>), String> {
    let mut keys: Vec<String> = file_config
        .iter()
        .flat_map(|c| c.access_keys.iter().map(|k| k.as_str().to_owned()))
        .collect();
    let env_key = access_key::env_key();
    keys.extend(env_key.clone());
    let loopback = args.listen.ip().is_loopback();
    if keys.is_empty() && file_config.is_some() && !loopback {
        return Err(format!(
            "refusing to listen on {} without an access key: set accessKeys in the config or GRIDLOG_KEY",
            args.listen
        ));
    }
    Ok((keys, env_key))
}

/// Runs the server until SIGINT/SIGTERM; exit code 0 after a clean drain and close.
///
/// Everything that can be refused is checked before anything is created or printed: the
/// options, the configuration, the key requirement, the data directory's path, the listening
/// port, then the directory's contents (opened before a key is generated in it).
pub fn run(args: &Args) -> Result<ExitCode, String> {
    let file_config = file_config(args)?;
    let options = namespace_options(args)?;
    let clock = options.clock.clone();
    let (mut keys, env_key) = access_keys(args, file_config.as_ref())?;
    check_data_dir(&args.data_dir)?;
    let tls_mode = TlsMode::from_args(args, file_config.as_ref());
    // Given certificate files are checked before the port is taken or anything is made.
    let mut tls = serve_tls::load_given(&tls_mode).map_err(|e| e.to_string())?;
    let hubs = file_config
        .as_ref()
        .map_or_else(EventHubs::default, EventHubs::from_config);
    let std_listener = bind(args.listen)?;
    let amqp_bound = serve_amqp::bind(args, tls_mode != TlsMode::Off, hubs.sas())?;
    let mqtt_pending = serve_mqtt::bind(args, file_config.as_ref(), tls_mode != TlsMode::Off)?;
    raise_open_files();

    std::fs::create_dir_all(&args.data_dir).map_err(|e| {
        format!(
            "creating the data directory {}: {e}",
            args.data_dir.display()
        )
    })?;
    let _lock = gridlog_server::lock::lock_data_dir(&args.data_dir)?;
    let namespace = Namespace::open(&args.data_dir, options).map_err(|e| {
        format!(
            "opening {}: {}: {e} (the directory is damaged or not a gridlog data directory; `gridlog verify {}` checks it)",
            args.data_dir.display(),
            e.code(),
            args.data_dir.display()
        )
    })?;
    let source = key_source(args, env_key.as_deref(), file_config.is_some(), &mut keys)?;
    if tls.is_none() {
        tls = serve_tls::load(&tls_mode, &args.data_dir).map_err(|e| e.to_string())?;
    }
    log_lock_clock(&namespace.open_report().clock);
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
    let mqtt = serve_mqtt::start(mqtt_pending, tls.as_ref(), &namespace, &keys, clock.clone())?;
    let amqp = serve_amqp::start(amqp_bound, tls.as_ref(), &namespace, hubs.sas(), clock)?;
    let push_store: Arc<dyn PushStore> = Arc::new(namespace.clone());
    let backend: Arc<dyn DataPlane> = Arc::new(namespace);
    let result = runtime.block_on(async {
        let listener = tokio::net::TcpListener::from_std(std_listener)
            .map_err(|e| format!("cannot listen on {}: {e}", args.listen))?;
        let local = listener.local_addr().map_err(|e| e.to_string())?;
        let signal = gridlog_server::server::termination_signal()
            .map_err(|e| format!("installing signal handlers: {e}"))?;
        let (tx, rx) = tokio::sync::watch::channel(false);
        let metrics = serve_mqtt::metrics(args.no_metrics, &backend, mqtt.as_ref());
        let app = Arc::new(build_app(
            args,
            &backend,
            &keys,
            hubs,
            rx.clone(),
            metrics.as_ref(),
        ));
        // Before the first line is printed: a SIGHUP sent once it is seen reloads.
        let acceptor = serve_tls::start(tls.as_ref(), &rx).map_err(|e| e.to_string())?;
        announce(args, local, &backend, tls.as_ref(), &source);
        if let Some(amqp) = &amqp {
            serve_amqp::announce(amqp);
        }
        serve_mqtt::announce(mqtt.as_ref(), args.mqtt_dev_auth);
        tokio::spawn(push::run(
            push_store,
            push_options(metrics.as_ref().map(|m| m.push_attempts())),
            rx.clone(),
        ));
        match acceptor {
            Some(acceptor) => {
                gridlog_server::server::serve_tls(listener, app, tx, signal, acceptor).await;
            }
            None => gridlog_server::server::serve(listener, app, tx, signal).await,
        }
        Ok::<(), String>(())
    });
    runtime.shutdown_timeout(Duration::from_secs(2));
    // Stops the AMQP and MQTT listeners (their `Drop`: no more connections, threads joined).
    drop((amqp, mqtt));
    let closed = backend.close();
    result?;
    closed.map_err(|e| format!("closing the data directory: {e}"))?;
    eprintln!("gridlog: stopped; the log is synced");
    Ok(ExitCode::SUCCESS)
}
