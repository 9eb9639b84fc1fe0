//! Command-line parsing and dispatch: one file per command.
#![allow(
    clippy::doc_markdown,
    reason = "doc comments here are --help text, shown verbatim"
)]

mod serve;
mod validate;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// gridlog: an embedded, durable event store with Azure Event Grid namespace-topic semantics.
#[derive(Debug, Parser)]
#[command(name = "gridlog", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Validate `CloudEvents` files exactly as a publish would, and show size and billing units.
    ///
    /// Each FILE holds one event in structured mode (a JSON object) or a batch (a JSON array).
    /// `-` reads standard input. Exits 1 if any file is invalid.
    ///
    /// Example: gridlog validate examples/events/python-sdk-batch.json
    Validate(validate::Args),
    /// Serve the Azure Event Grid namespace REST API on a data directory.
    ///
    /// With no --config, the namespace gets topic `default` with subscription `default`, and a
    /// generated access key is printed once (kept in DATA_DIR/access-key) unless GRIDLOG_KEY is
    /// set. Stop with Ctrl-C or SIGTERM: waiting receives are answered, the log is synced, exit 0.
    ///
    /// Example: GRIDLOG_KEY=devkey gridlog serve --data-dir ./gridlog-data --listen 127.0.0.1:8765
    Serve(serve::Args),
}

/// The log filter when GRIDLOG_LOG is not set: request logs for `serve`, warnings otherwise.
pub fn default_log_filter(cli: &Cli) -> &'static str {
    match cli.command {
        Command::Serve(_) => "info",
        Command::Validate(_) => "warn",
    }
}

/// Runs the parsed command line.
pub fn run(cli: Cli) -> Result<ExitCode, String> {
    match cli.command {
        Command::Validate(args) => validate::run(&args),
        Command::Serve(args) => serve::run(&args),
    }
}
