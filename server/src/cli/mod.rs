//! Command-line parsing and dispatch: one file per command.

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
}

/// Runs the parsed command line.
pub fn run(cli: Cli) -> Result<ExitCode, String> {
    match cli.command {
        Command::Validate(args) => validate::run(&args),
    }
}
