//! A `gridlog serve` child process for tests that run the binary: started on a free loopback
//! port over a fresh data directory, its address read from its first line, killed on drop.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// The topics most server tests use: `orders` with subscriptions `all` and `other`.
pub const ORDERS_CONFIG: &str =
    r#"{"topics":[{"name":"orders","eventSubscriptions":[{"name":"all"},{"name":"other"}]}]}"#;

/// A running `gridlog serve`.
pub struct Served {
    /// The process.
    pub child: Child,
    /// Where it listens (`http://ADDR`).
    pub addr: SocketAddr,
    root: tempfile::TempDir,
}

impl Served {
    /// Starts `bin serve --listen 127.0.0.1:0 --data-dir ROOT/data`, with `--config` holding
    /// `config` when given, `key` as `GRIDLOG_KEY`, `GRIDLOG_LOG=warn`, and `extra` arguments;
    /// returns once it has printed its address.
    ///
    /// # Panics
    /// If it cannot start or prints no address.
    pub fn start(bin: &Path, config: Option<&str>, key: &str, extra: &[&str]) -> Self {
        let root = tempfile::tempdir().expect("tempdir");
        let mut command = Command::new(bin);
        command
            .args([
                "serve",
                "--amqp-listen",
                "127.0.0.1:0",
                "--mqtt-listen",
                "127.0.0.1:0",
                "--listen",
                "127.0.0.1:0",
                "--data-dir",
            ])
            .arg(root.path().join("data"));
        if let Some(config) = config {
            let path = root.path().join("ns.json");
            std::fs::write(&path, config).expect("config");
            command.arg("--config").arg(path);
        }
        command
            .args(extra)
            .env("GRIDLOG_KEY", key)
            .env("GRIDLOG_LOG", "warn");
        let (child, endpoint) = spawn_serve(&mut command);
        let addr = endpoint
            .strip_prefix("http://")
            .and_then(|addr| addr.parse().ok())
            .unwrap_or_else(|| panic!("no http address in {endpoint:?}"));
        Self { child, addr, root }
    }

    /// The temporary root (the data directory is `data/` in it, the config `ns.json`).
    pub fn root(&self) -> &Path {
        self.root.path()
    }

    /// Every path under the root, config and data directory included.
    pub fn tree(&self) -> BTreeSet<PathBuf> {
        fn walk(dir: &Path, out: &mut BTreeSet<PathBuf>) {
            let Ok(entries) = std::fs::read_dir(dir) else {
                return;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                if path.is_dir() {
                    walk(&path, out);
                }
                out.insert(path);
            }
        }
        let mut out = BTreeSet::new();
        walk(self.root.path(), &mut out);
        out
    }

    /// `VmRSS` and `VmHWM` (peak) of the process, in KiB (0 when unreadable).
    pub fn rss_kib(&self) -> (u64, u64) {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .unwrap_or_default();
        let field = |name: &str| {
            status
                .lines()
                .find(|l| l.starts_with(name))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
                .unwrap_or(0)
        };
        (field("VmRSS:"), field("VmHWM:"))
    }

    /// Open file descriptors of the process (0 when unreadable).
    pub fn fds(&self) -> usize {
        std::fs::read_dir(format!("/proc/{}/fd", self.child.id())).map_or(0, Iterator::count)
    }

    /// Is the process still running?
    pub fn alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}

/// A `gridlog serve` child process started from the caller's command (killed on drop), and the
/// endpoint it listens on.
pub struct Serving {
    child: Child,
    /// Where it listens: `http://ADDR` or `https://ADDR`.
    pub endpoint: String,
}

impl Serving {
    /// Spawns `command` (a `gridlog serve …`) and waits for the line naming its endpoint.
    ///
    /// # Panics
    /// If it cannot start or prints no endpoint.
    pub fn spawn(command: &mut Command) -> Self {
        let (child, endpoint) = spawn_serve(command);
        Self { child, endpoint }
    }
}

impl Drop for Serving {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Spawns `command` (a `gridlog serve …`) with its standard output piped and its standard error
/// dropped; returns the child and the endpoint of its `listening on ENDPOINT` line, and keeps
/// reading (and dropping) what it prints after, so that it never blocks on a full pipe.
fn spawn_serve(command: &mut Command) -> (Child, String) {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn gridlog serve");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let endpoint = loop {
        let line = lines
            .next()
            .expect("gridlog serve ended before printing its address")
            .expect("stdout");
        if let Some(rest) = line.split("listening on ").nth(1) {
            break rest
                .split_whitespace()
                .next()
                .unwrap_or_else(|| panic!("no address in {line:?}"))
                .to_owned();
        }
    };
    std::thread::spawn(move || lines.for_each(drop));
    (child, endpoint)
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
