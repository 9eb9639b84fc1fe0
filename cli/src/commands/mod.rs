//! Command-line parsing and dispatch: one file per command.
#![allow(
    clippy::doc_markdown,
    reason = "doc comments here are --help text, shown verbatim"
)]

mod access_key;
mod args;
mod bench;
mod client;
mod events;
mod exposition;
mod http_session;
mod offline;
mod serve;
mod serve_amqp;
mod serve_mqtt;
mod serve_tls;
mod top;
mod validate;

use std::process::ExitCode;

// Exit codes: 0 success, 1 the operation failed (main), 2 a usage error (clap, including every
// value refused by a `value_parser`), and EXIT_TIMEOUT.
/// Exit code of `gridlog wait` when its --timeout passes with no matching event.
pub const EXIT_TIMEOUT: u8 = 124;

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
    /// Publish events to a topic (a server with --endpoint, or the data directory directly).
    ///
    /// Events come from arguments (JSON objects or arrays), --file (JSON, JSON array or NDJSON;
    /// `-` is standard input), --type/--data (one event built for you), or standard input.
    ///
    /// Example: gridlog publish --topic default --type Job.Finished --subject etl --data '{"rows":42}'
    Publish(events::PublishArgs),
    /// Receive events: one JSON line each, {"lockToken","deliveryCount","event"}.
    ///
    /// Example: gridlog receive --endpoint "$GRIDLOG_ENDPOINT" --key "$GRIDLOG_KEY" --topic default --subscription default --max-events 10 --ack
    Receive(events::ReceiveArgs),
    /// Acknowledge received events by lock token (they are done).
    ///
    /// Example: gridlog ack --topic default --subscription default TOKEN1 TOKEN2
    Ack(events::SettleArgs),
    /// Release received events by lock token (redelivered, after --delay seconds).
    ///
    /// Example: gridlog release --delay 60 --topic default --subscription default TOKEN
    Release(events::ReleaseArgs),
    /// Reject received events by lock token (dead-lettered, or dropped without a dead-letter topic).
    ///
    /// Example: gridlog reject --topic default --subscription default TOKEN
    Reject(events::SettleArgs),
    /// Renew the locks of received events by lock token.
    ///
    /// Example: gridlog renew --topic default --subscription default TOKEN
    Renew(events::SettleArgs),
    /// Block until a matching event arrives, acknowledge it, print it and exit 0; exit 124 on timeout.
    ///
    /// Non-matching events are left for other consumers (released when the wait ends). Over HTTP
    /// each poll waits at least 10 s, so a timeout may be exceeded by up to 10 s.
    ///
    /// Exit codes: 0 matched, 1 error, 2 usage error, 124 timed out (as timeout(1)).
    ///
    /// Example: gridlog wait --topic jobs --subscription nightly --type Job.Finished --subject etl --timeout 2h
    Wait(events::WaitArgs),
    /// Show a data directory offline: topics, subscriptions (backlog, locked, dead-lettered), segments, bytes.
    ///
    /// Example: gridlog inspect ./gridlog-data
    Inspect(offline::InspectArgs),
    /// Check a data directory offline: every record's checksum, and the index against the log.
    ///
    /// Exits 0 when healthy, 1 otherwise.
    ///
    /// Example: gridlog verify ./gridlog-data
    Verify(offline::VerifyArgs),
    /// Live view of a server: per-topic and per-subscription rates and backlog, WAL syncs.
    ///
    /// Reads the server's /metrics every --interval (the access key is needed when the server
    /// has one). --once or --iterations N print that many views and exit.
    ///
    /// Example: gridlog top --endpoint "$GRIDLOG_ENDPOINT" --key "$GRIDLOG_KEY"
    Top(top::Args),
    /// Load the embedded engine or a server; report events/s, MB/s, latency, TU-equivalent.
    ///
    /// Publishers publish batches of generated events while consumers receive and acknowledge
    /// them, for --duration or --events. --find-max-tu steps the namespace's throughput units
    /// up and reports the highest setting this machine sustains, and what limits it.
    ///
    /// Example: gridlog bench --event-bytes 1024 --batch 100 --publishers 4 --consumers 2 --duration 10s
    Bench(bench::Args),
}

/// The log filter when GRIDLOG_LOG is not set: request logs for `serve`, warnings otherwise.
pub fn default_log_filter(cli: &Cli) -> &'static str {
    match cli.command {
        Command::Serve(_) => "info",
        _ => "warn",
    }
}

/// Runs the parsed command line.
pub fn run(cli: Cli) -> Result<ExitCode, String> {
    match cli.command {
        Command::Validate(args) => validate::run(&args),
        Command::Serve(args) => serve::run(&args),
        Command::Publish(args) => events::publish(&args),
        Command::Receive(args) => events::receive(&args),
        Command::Ack(args) => events::settle(&args, client::Op::Ack),
        Command::Release(args) => events::release(&args),
        Command::Reject(args) => events::settle(&args, client::Op::Reject),
        Command::Renew(args) => events::settle(&args, client::Op::Renew),
        Command::Wait(args) => events::wait(&args),
        Command::Inspect(args) => offline::inspect(&args),
        Command::Verify(args) => offline::verify(&args),
        Command::Top(args) => top::run(&args),
        Command::Bench(args) => bench::run(&args),
    }
}
