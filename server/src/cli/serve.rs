//! `gridlog serve`: the Event Grid namespace REST API on a data directory.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use gridlog::{Namespace, NamespaceConfig, NamespaceOptions};

use gridlog_server::auth::Authenticator;
use gridlog_server::backend::DataPlane;
use gridlog_server::http::App;

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

    let namespace = Namespace::open(
        &args.data_dir,
        NamespaceOptions {
            maintenance_interval: Some(Duration::from_secs(1)),
            ..NamespaceOptions::default()
        },
    )
    .map_err(|e| format!("opening {}: {e}", args.data_dir.display()))?;
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
    let backend: Arc<dyn DataPlane> = Arc::new(namespace);
    let result = runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(args.listen)
            .await
            .map_err(|e| format!("cannot listen on {}: {e}", args.listen))?;
        let local = listener.local_addr().map_err(|e| e.to_string())?;
        let signal = gridlog_server::server::termination_signal()
            .map_err(|e| format!("installing signal handlers: {e}"))?;
        let (tx, rx) = tokio::sync::watch::channel(false);
        let app = Arc::new(App::new(
            backend.clone(),
            Authenticator::new(keys.iter().map(String::as_str)),
            rx,
        ));
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
