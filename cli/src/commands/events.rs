//! `gridlog publish`, `receive`, `ack`, `release`, `reject`, `renew` and `wait`.

use std::io::Read as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use serde_json::Value;

use gridlog::ReleaseDelay;

use super::client::{Client, Connection, Got, Op};

/// Arguments of `gridlog publish`.
#[derive(Debug, clap::Args)]
pub struct PublishArgs {
    /// Topic to publish to.
    #[arg(long, default_value = "default")]
    pub topic: String,
    /// Events as JSON: each argument one CloudEvent object or an array of them.
    pub events: Vec<String>,
    /// Read events from a file (`-` = standard input): a JSON object, a JSON array, or NDJSON
    /// (one object per line). With no events, no --file and no --type, standard input is read.
    #[arg(long, short)]
    pub file: Option<PathBuf>,
    /// Build one event with this type (with --source, --subject, --data, --id).
    #[arg(long = "type")]
    pub event_type: Option<String>,
    /// Source of the built event.
    #[arg(long, default_value = "/gridlog/cli")]
    pub source: String,
    /// Subject of the built event.
    #[arg(long)]
    pub subject: Option<String>,
    /// Data of the built event, as JSON (e.g. '{"rows":42}', '"text"', 42); text that is not
    /// valid JSON is refused (exit 2): use --data-string for text.
    #[arg(long, value_parser = super::args::parse_json, conflicts_with = "data_string")]
    pub data: Option<Value>,
    /// Data of the built event, as a JSON string taken verbatim (no JSON parsing).
    #[arg(long)]
    pub data_string: Option<String>,
    /// Id of the built event (default: a random one).
    #[arg(long)]
    pub id: Option<String>,
    #[command(flatten)]
    pub connection: Connection,
}

/// Arguments of `gridlog receive`.
#[derive(Debug, clap::Args)]
pub struct ReceiveArgs {
    /// Topic.
    #[arg(long, default_value = "default")]
    pub topic: String,
    /// Event subscription.
    #[arg(long, default_value = "default")]
    pub subscription: String,
    /// Most events to receive (1–100).
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=100))]
    pub max_events: u32,
    /// Longest wait for the first event (over HTTP: 10–120 s).
    #[arg(long, default_value = "10s", value_parser = parse_duration)]
    pub wait: Duration,
    /// Acknowledge the events at once.
    #[arg(long)]
    pub ack: bool,
    #[command(flatten)]
    pub connection: Connection,
}

/// Arguments of `gridlog ack|release|reject|renew`.
#[derive(Debug, clap::Args)]
pub struct SettleArgs {
    /// Topic.
    #[arg(long, default_value = "default")]
    pub topic: String,
    /// Event subscription.
    #[arg(long, default_value = "default")]
    pub subscription: String,
    /// Lock tokens, as printed by `gridlog receive`.
    #[arg(required = true)]
    pub tokens: Vec<String>,
    #[command(flatten)]
    pub connection: Connection,
}

/// Arguments of `gridlog release`.
#[derive(Debug, clap::Args)]
pub struct ReleaseArgs {
    /// Redeliver after this many seconds: 0, 10, 60, 600 or 3600.
    #[arg(long, default_value = "0", value_parser = super::args::parse_release_delay)]
    pub delay: ReleaseDelay,
    #[command(flatten)]
    pub settle: SettleArgs,
}

/// Arguments of `gridlog wait`.
#[derive(Debug, clap::Args)]
pub struct WaitArgs {
    /// Topic.
    #[arg(long, default_value = "default")]
    pub topic: String,
    /// Event subscription.
    #[arg(long, default_value = "default")]
    pub subscription: String,
    /// Only an event of this type matches.
    #[arg(long = "type")]
    pub event_type: Option<String>,
    /// Only an event with this subject matches.
    #[arg(long)]
    pub subject: Option<String>,
    /// Give up after this long (e.g. 90s, 15m, 2h; a bare number is seconds). Default: forever.
    #[arg(long, value_parser = parse_duration)]
    pub timeout: Option<Duration>,
    #[command(flatten)]
    pub connection: Connection,
}

/// `30`, `30s`, `15m`, `2h`, `1d`, `500ms`.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    let (number, unit) = text.split_at(digits);
    let n: u64 = number
        .parse()
        .map_err(|_| format!("'{text}' is not a duration (e.g. 30s, 15m, 2h)"))?;
    let secs = match unit {
        "ms" => return Ok(Duration::from_millis(n)),
        "" | "s" => n,
        "m" => n * 60,
        "h" => n * 3600,
        "d" => n * 86_400,
        _ => {
            return Err(format!(
                "'{text}': unknown unit '{unit}' (use ms, s, m, h or d)"
            ));
        }
    };
    Ok(Duration::from_secs(secs))
}

fn random_id() -> String {
    let mut bytes = [0_u8; 16];
    let _ = getrandom::fill(&mut bytes);
    bytes.iter().fold(String::new(), |mut s, b| {
        use std::fmt::Write as _;
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// JSON text → events: an object, an array, or NDJSON.
fn events_from_text(text: &str, origin: &str) -> Result<Vec<Value>, String> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Ok(Vec::new());
    }
    match serde_json::from_str::<Value>(trimmed) {
        Ok(Value::Array(items)) => Ok(items),
        Ok(object @ Value::Object(_)) => Ok(vec![object]),
        Ok(_) => Err(format!("{origin}: expected a JSON object or array")),
        Err(_) => trimmed
            .lines()
            .enumerate()
            .filter(|(_, line)| !line.trim().is_empty())
            .map(|(n, line)| {
                serde_json::from_str::<Value>(line)
                    .map_err(|e| format!("{origin}: line {}: not JSON: {e}", n + 1))
            })
            .collect(),
    }
}

fn read_input(path: &PathBuf) -> Result<String, String> {
    if path.as_os_str() == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| format!("standard input: {e}"))?;
        Ok(text)
    } else {
        std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
    }
}

/// `gridlog publish`.
pub fn publish(args: &PublishArgs) -> Result<ExitCode, String> {
    let mut events = Vec::new();
    for (n, arg) in args.events.iter().enumerate() {
        events.extend(events_from_text(arg, &format!("argument {}", n + 1))?);
    }
    if let Some(file) = &args.file {
        events.extend(events_from_text(
            &read_input(file)?,
            &file.display().to_string(),
        )?);
    }
    if let Some(event_type) = &args.event_type {
        let mut event = serde_json::json!({
            "specversion": "1.0",
            "id": args.id.clone().unwrap_or_else(random_id),
            "source": args.source,
            "type": event_type,
            "time": gridlog::rfc3339_ms(
                i64::try_from(
                    std::time::SystemTime::now()
                        .duration_since(std::time::UNIX_EPOCH)
                        .map_or(0, |d| d.as_millis()),
                )
                .unwrap_or(0),
            ),
        });
        if let Some(subject) = &args.subject {
            event["subject"] = Value::from(subject.as_str());
        }
        if let Some(data) = &args.data {
            event["data"] = data.clone();
        }
        if let Some(text) = &args.data_string {
            event["data"] = Value::from(text.as_str());
        }
        events.push(event);
    }
    if args.events.is_empty() && args.file.is_none() && args.event_type.is_none() {
        events.extend(events_from_text(
            &read_input(&PathBuf::from("-"))?,
            "standard input",
        )?);
    }
    if events.is_empty() {
        return Err("no events to publish".to_owned());
    }
    let client = Client::open(&args.connection)?;
    let count = client.publish(&args.topic, &events)?;
    client.close()?;
    println!("published {count} event(s) to {}", args.topic);
    Ok(ExitCode::SUCCESS)
}

fn print_got(got: &Got) {
    println!(
        "{}",
        serde_json::json!({"lockToken": got.lock_token, "deliveryCount": got.delivery_count, "event": got.event})
    );
}

/// `gridlog receive`: one JSON line per event.
pub fn receive(args: &ReceiveArgs) -> Result<ExitCode, String> {
    let client = Client::open(&args.connection)?;
    let got = client.receive(&args.topic, &args.subscription, args.max_events, args.wait)?;
    for event in &got {
        print_got(event);
    }
    if args.ack && !got.is_empty() {
        let tokens: Vec<String> = got.iter().map(|g| g.lock_token.clone()).collect();
        let result = client.settle(&args.topic, &args.subscription, Op::Ack, &tokens)?;
        report_failures(&result)?;
    }
    client.close()?;
    if got.is_empty() {
        eprintln!("gridlog: no events");
    }
    Ok(ExitCode::SUCCESS)
}

fn report_failures(result: &Value) -> Result<(), String> {
    let failed = result["failedLockTokens"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    if failed.is_empty() {
        return Ok(());
    }
    let list: Vec<String> = failed
        .iter()
        .map(|f| {
            format!(
                "{} ({}: {})",
                f["lockToken"].as_str().unwrap_or("?"),
                f["error"]["code"].as_str().unwrap_or("?"),
                f["error"]["message"].as_str().unwrap_or("?")
            )
        })
        .collect();
    Err(format!(
        "{} token(s) failed: {}",
        failed.len(),
        list.join(", ")
    ))
}

/// `gridlog ack|release|reject|renew`.
pub fn settle(args: &SettleArgs, op: Op) -> Result<ExitCode, String> {
    let client = Client::open(&args.connection)?;
    let result = client.settle(&args.topic, &args.subscription, op, &args.tokens)?;
    client.close()?;
    println!("{result}");
    report_failures(&result)?;
    Ok(ExitCode::SUCCESS)
}

/// `gridlog release`.
pub fn release(args: &ReleaseArgs) -> Result<ExitCode, String> {
    settle(&args.settle, Op::Release(args.delay))
}

fn matches(args: &WaitArgs, event: &Value) -> bool {
    args.event_type
        .as_deref()
        .is_none_or(|t| event["type"].as_str() == Some(t))
        && args
            .subject
            .as_deref()
            .is_none_or(|s| event["subject"].as_str() == Some(s))
}

/// `gridlog wait`: exit 0 with the event printed, [`super::EXIT_TIMEOUT`] on timeout.
pub fn wait(args: &WaitArgs) -> Result<ExitCode, String> {
    let client = Client::open(&args.connection)?;
    let started = Instant::now();
    // Non-matching events stay locked by us while we wait (so they are not redelivered to us in
    // a loop) and are released when we are done.
    let mut held: Vec<String> = Vec::new();
    let outcome = loop {
        let remaining = match args.timeout {
            Some(timeout) => match timeout.checked_sub(started.elapsed()) {
                Some(left) if !left.is_zero() => left,
                _ => break None,
            },
            None => Duration::from_mins(1),
        };
        let got = match client.receive(
            &args.topic,
            &args.subscription,
            10,
            remaining.min(Duration::from_mins(1)),
        ) {
            Ok(got) => got,
            Err(error) => {
                release_held(&client, args, &held);
                return Err(error);
            }
        };
        let mut found = None;
        for event in got {
            if found.is_none() && matches(args, &event.event) {
                found = Some(event);
            } else {
                held.push(event.lock_token);
            }
        }
        if let Some(event) = found {
            let result = client.settle(
                &args.topic,
                &args.subscription,
                Op::Ack,
                std::slice::from_ref(&event.lock_token),
            );
            release_held(&client, args, &held);
            report_failures(&result?)?;
            break Some(event);
        }
    };
    #[expect(clippy::single_match_else, reason = "found or timed out, side by side")]
    match outcome {
        Some(event) => {
            client.close()?;
            println!("{}", event.event);
            Ok(ExitCode::SUCCESS)
        }
        None => {
            release_held(&client, args, &held);
            client.close()?;
            eprintln!(
                "gridlog: timed out after {:?} waiting for an event on {}/{}",
                args.timeout.unwrap_or_default(),
                args.topic,
                args.subscription
            );
            Ok(ExitCode::from(super::EXIT_TIMEOUT))
        }
    }
}

fn release_held(client: &Client, args: &WaitArgs, held: &[String]) {
    if !held.is_empty() {
        let _ = client.settle(
            &args.topic,
            &args.subscription,
            Op::Release(ReleaseDelay::Zero),
            held,
        );
    }
}
