//! A `gridlog serve` child process for the bench binaries that measure the served paths
//! (`amqp_ratio`, `http_ratio`), and a minimal HTTP/1.1 response reader for their clients.
//! Included with `#[path]` by each binary (the benches crate has no library).

#![allow(
    dead_code,
    reason = "each binary uses a different subset of these helpers"
)]

use std::io::{BufRead, BufReader, Read};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// `--gridlog PATH`'s default: `$GRIDLOG_BIN`, else the workspace's release build.
pub fn default_gridlog() -> PathBuf {
    std::env::var_os("GRIDLOG_BIN").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/release/gridlog"),
        PathBuf::from,
    )
}

/// A child process, stopped (SIGTERM) and reaped when dropped.
pub struct Killed(pub Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = Command::new("kill").arg(self.0.id().to_string()).status();
        let _ = self.0.wait();
    }
}

/// A `gridlog serve` on loopback (HTTP, MQTT and, unless `extra` has `--no-amqp`, AMQP on
/// ephemeral ports), no keys, its defaults otherwise (durability `always`), with `config` as
/// its namespace configuration and `extra` arguments. Stopped when dropped.
pub struct Server {
    pub process: Killed,
    /// `host:port` of the HTTP listener.
    pub http: String,
    /// `host:port` of the AMQP listener, if it runs.
    pub amqp: Option<String>,
    /// `host:port` of the MQTT listener.
    pub mqtt: String,
}

impl Server {
    pub fn start(gridlog: &Path, dir: &Path, config: &str, extra: &[&str]) -> Self {
        let config_path = dir.join("namespace.json");
        std::fs::write(&config_path, config).expect("write the namespace config");
        let mut child = Command::new(gridlog)
            .args(["serve", "--data-dir"])
            .arg(dir.join("data"))
            .arg("--config")
            .arg(&config_path)
            .args(["--listen", "127.0.0.1:0", "--mqtt-listen", "127.0.0.1:0"])
            .args(if extra.contains(&"--no-amqp") {
                &[][..]
            } else {
                &["--amqp-listen", "127.0.0.1:0"][..]
            })
            .args(extra)
            .env("GRIDLOG_LOG", "warn")
            .env_remove("GRIDLOG_KEY")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "starting {}: {e} (build it with --release)",
                    gridlog.display()
                )
            });
        let mut lines = BufReader::new(child.stdout.take().expect("piped stdout")).lines();
        let (mut http, mut amqp, mut mqtt) = (None, None, None);
        let address = |rest: &str| {
            rest.split_whitespace()
                .next()
                .map(|a| a.trim_end_matches(':').to_owned())
        };
        // The MQTT line is the last of the addresses `serve` prints.
        for line in lines.by_ref().take(30) {
            let line = line.expect("the server's stdout");
            if let Some(rest) = line.split("listening on http://").nth(1) {
                http = address(rest);
            }
            if let Some(rest) = line.split("amqp://").nth(1) {
                amqp = address(rest);
            }
            if let Some(rest) = line.split("mqtt://").nth(1) {
                mqtt = address(rest);
                break;
            }
        }
        // Keep draining stdout so the server never blocks on it.
        std::thread::spawn(move || lines.for_each(drop));
        Self {
            process: Killed(child),
            http: http.expect("no HTTP address printed"),
            amqp,
            mqtt: mqtt.expect("no MQTT address printed"),
        }
    }

    /// The server process's peak RSS (`VmHWM`), MiB.
    pub fn peak_rss_mib(&self) -> f64 {
        std::fs::read_to_string(format!("/proc/{}/status", self.process.0.id()))
            .ok()
            .and_then(|status| {
                status
                    .lines()
                    .find(|l| l.starts_with("VmHWM:"))
                    .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
            })
            .map_or(0.0, |kib| kib / 1024.0)
    }
}

/// Reads one HTTP/1.1 response (status line, headers, `Content-Length` body) into `body`;
/// returns its status.
pub fn read_response(reader: &mut BufReader<TcpStream>, body: &mut Vec<u8>) -> u16 {
    let mut status = String::new();
    reader.read_line(&mut status).expect("status line");
    let code = status
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or_else(|| panic!("bad status line {status:?}"));
    let mut length = 0usize;
    let mut line = String::new();
    loop {
        line.clear();
        reader.read_line(&mut line).expect("header line");
        if line == "\r\n" || line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().expect("content-length");
        }
    }
    body.resize(length, 0);
    reader.read_exact(body).expect("body");
    code
}
