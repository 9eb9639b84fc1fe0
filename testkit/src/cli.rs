//! Running the `gridlog` binary from the CLI crate's tests: [`gridlog!`](crate::gridlog) (the
//! command, isolated from the caller's `GRIDLOG_*` settings), [`ok`] (its output, asserted a
//! success) and [`sigterm`] (a clean stop).

use std::ffi::OsStr;
use std::process::{Child, Command, Output, Stdio};

/// The calling test crate's `gridlog` binary (`env!("CARGO_BIN_EXE_gridlog")`, so only the CLI
/// crate's tests can call it) as a [`command`].
#[macro_export]
macro_rules! gridlog {
    () => {
        $crate::cli::command(::std::env!("CARGO_BIN_EXE_gridlog"))
    };
}

/// `bin` as a command that sees none of the caller's settings the CLI reads (`GRIDLOG_KEY`,
/// `GRIDLOG_ENDPOINT`, `GRIDLOG_LISTEN`, `GRIDLOG_CA_FILE`), logs warnings only, has no
/// standard input, and (for `serve`) listens for AMQP, AMQPS, MQTT and MQTTS on free ports
/// (`GRIDLOG_AMQP_LISTEN=127.0.0.1:0`, `GRIDLOG_AMQPS_LISTEN=127.0.0.1:0`,
/// `GRIDLOG_MQTT_LISTEN=127.0.0.1:0`, `GRIDLOG_MQTTS_LISTEN=127.0.0.1:0`) rather than 5672,
/// 5671, 1883 and 8883, which tests running at once would share; a test sets what it needs on
/// top.
pub fn command(bin: impl AsRef<OsStr>) -> Command {
    let mut command = Command::new(bin);
    command
        .env_remove("GRIDLOG_KEY")
        .env_remove("GRIDLOG_ENDPOINT")
        .env_remove("GRIDLOG_LISTEN")
        .env_remove("GRIDLOG_CA_FILE")
        .env("GRIDLOG_AMQP_LISTEN", "127.0.0.1:0")
        .env("GRIDLOG_AMQPS_LISTEN", "127.0.0.1:0")
        .env("GRIDLOG_MQTT_LISTEN", "127.0.0.1:0")
        .env("GRIDLOG_MQTTS_LISTEN", "127.0.0.1:0")
        .env_remove("GRIDLOG_MQTT_WS_LISTEN")
        .env_remove("GRIDLOG_MQTT_WSS_LISTEN")
        .env("GRIDLOG_LOG", "warn")
        .stdin(Stdio::null());
    command
}

/// The standard output of a run that must have succeeded.
///
/// # Panics
/// If the run failed (with its status and both outputs) or its output is not UTF-8.
pub fn ok(output: &Output) -> String {
    assert!(
        output.status.success(),
        "{:?}\nstdout: {}\nstderr: {}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout.clone()).expect("UTF-8 output")
}

/// Sends SIGTERM to `child` (with `kill(1)`), as a service manager stops a server.
///
/// # Panics
/// If `kill` cannot run or fails.
pub fn sigterm(child: &Child) {
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("run kill");
    assert!(status.success(), "kill -TERM {}: {status}", child.id());
}
