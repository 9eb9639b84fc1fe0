//! The `gridlog` binary: the command-line interface (and, with the server issue, `gridlog serve`).
//!
//! Every command prints errors as one clear line on standard error and exits non-zero.

mod cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    match cli::run(args) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("gridlog: {message}");
            ExitCode::FAILURE
        }
    }
}
