//! `gridlog validate`: parse and validate `CloudEvents` files the way a publish request would be.

use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

use gridlog::format::{self, Event, FormatError};

/// Arguments of `gridlog validate`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Files to validate; `-` is standard input.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
}

const STRUCTURED: &str = "application/cloudevents+json; charset=utf-8";
const BATCH: &str = "application/cloudevents-batch+json; charset=utf-8";

/// Validates every file, printing one line per event or error. Exit code 1 if any failed.
pub fn run(args: &Args) -> Result<ExitCode, String> {
    let mut all_valid = true;
    for path in &args.files {
        let name = path.display();
        let body = read(path).map_err(|e| format!("{name}: {e}"))?;
        match validate(&body) {
            Ok(events) => {
                let units: u64 = events.iter().map(Event::billing_units).sum();
                println!(
                    "{name}: {} valid event(s), {units} billing unit(s)",
                    events.len()
                );
                for (index, event) in events.iter().enumerate() {
                    println!(
                        "  [{index}] id={} type={} source={} bytes={} units={}",
                        event.id(),
                        event.event_type(),
                        event.source(),
                        event.size(),
                        event.billing_units()
                    );
                }
            }
            Err(error) => {
                all_valid = false;
                println!("{name}: {}: {error}", error.code());
            }
        }
    }
    Ok(if all_valid {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// A JSON array is a batch, anything else is a single structured-mode event.
fn validate(body: &[u8]) -> Result<Vec<Event>, FormatError> {
    let is_batch = body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[');
    let content_type = if is_batch { BATCH } else { STRUCTURED };
    format::parse_request([("content-type", content_type.as_bytes())], body)
}

fn read(path: &PathBuf) -> std::io::Result<Vec<u8>> {
    let mut body = Vec::new();
    if path.as_os_str() == "-" {
        std::io::stdin().read_to_end(&mut body)?;
    } else {
        body = std::fs::read(path)?;
    }
    Ok(body)
}
