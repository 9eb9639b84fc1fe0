//! The `gridlog` binary: `gridlog serve` (the Event Grid namespace REST API) and the
//! command-line interface.
//!
//! Every command prints errors as one clear line on standard error and exits non-zero.

mod commands;

use std::process::ExitCode;

use clap::Parser;

/// mimalloc rather than glibc malloc: the front ends allocate a request's buffers on their
/// listener threads and the committer threads free them; see `cli/Cargo.toml`.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let args = commands::Cli::parse();
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("GRIDLOG_LOG").unwrap_or_else(|_| {
                tracing_subscriber::EnvFilter::new(commands::default_log_filter(&args))
            }),
        )
        .init();
    match commands::run(args) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("gridlog: {message}");
            ExitCode::FAILURE
        }
    }
}
