//! The table (terminal and Markdown) and the BENCHMARKS.md section.

use std::fmt::Write as _;
use std::path::Path;

use crate::spec::{Outcome, Phase, System};

/// Markers of the section this tool owns in BENCHMARKS.md; reruns replace what is between them.
pub const BEGIN: &str =
    "<!-- compare:begin (written by benches/compare/run.sh; a rerun replaces this section) -->";
/// See [`BEGIN`].
pub const END: &str = "<!-- compare:end -->";

/// One measured system.
#[derive(Clone, Debug)]
pub struct Measured {
    /// What the worker reported.
    pub outcome: Outcome,
    /// The server's peak RSS (HTTP, NATS).
    pub server_rss_kib: Option<u64>,
}

impl Measured {
    /// The RSS the table shows: the server's if there is one, else the worker's.
    pub fn rss_kib(&self) -> u64 {
        self.server_rss_kib.unwrap_or(self.outcome.worker_rss_kib)
    }
}

/// Everything measured in one run.
#[derive(Debug, Default)]
pub struct Results {
    /// The 1 KiB workload, per system.
    pub table: Vec<(System, Result<Measured, String>)>,
    /// The size sweep: (system, event size, result).
    pub sweep: Vec<(System, usize, Result<Measured, String>)>,
}

impl Results {
    fn get(&self, system: System) -> Option<&Measured> {
        self.table
            .iter()
            .find(|(s, _)| *s == system)
            .and_then(|(_, r)| r.as_ref().ok())
    }
}

/// About the run.
#[derive(Debug)]
pub struct Meta {
    pub when: String,
    pub load_start: String,
    pub load_end: String,
    pub events: u64,
    pub unbatched: u64,
    pub size: usize,
    pub batch: usize,
    pub phase_secs: f64,
    pub quick: bool,
    pub note: String,
    pub chart_note: String,
    pub elapsed_secs: f64,
}

/// The rows of the table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Publish,
    Consume,
    Unbatched,
}

impl Kind {
    const ALL: [Self; 3] = [Self::Publish, Self::Consume, Self::Unbatched];

    fn label(self, batch: usize) -> String {
        match self {
            Self::Publish => format!("durable publish, batches of {batch}"),
            Self::Consume => format!("receive + acknowledge, batches of {batch}"),
            Self::Unbatched => "durable publish, 1 event per call".to_owned(),
        }
    }

    fn phase(self, outcome: &Outcome) -> Option<Phase> {
        match self {
            Self::Publish => Some(outcome.publish),
            Self::Consume => Some(outcome.consume),
            Self::Unbatched => outcome.unbatched,
        }
    }
}

fn rate(results: &Results, system: System, kind: Kind) -> Option<f64> {
    results
        .get(system)
        .and_then(|m| kind.phase(&m.outcome))
        .map(|p| p.events_per_sec())
        .filter(|r| *r > 0.0)
}

fn verdict(ratio: f64, goal: f64) -> &'static str {
    if ratio >= goal { "met" } else { "MISSED" }
}

/// The target text of a row (peers only).
fn target(results: &Results, system: System, kind: Kind) -> String {
    let embedded = rate(results, System::Embedded, kind);
    let http = rate(results, System::Http, kind);
    let own = rate(results, system, kind);
    let Some(own) = own else {
        return String::new();
    };
    let mut parts = Vec::new();
    let batched = kind != Kind::Unbatched;
    match system {
        System::Sqlite if batched => {
            if let Some(e) = embedded {
                parts.push(format!(
                    "embedded ≥ 2×: {:.1}× {}",
                    e / own,
                    verdict(e / own, 2.0)
                ));
            }
        }
        System::Nats => {
            if batched && let Some(e) = embedded {
                parts.push(format!(
                    "embedded ≥ 20×: {:.1}× {}",
                    e / own,
                    verdict(e / own, 20.0)
                ));
            }
            if let Some(h) = http {
                parts.push(format!(
                    "HTTP ahead: {:.1}× {}",
                    h / own,
                    verdict(h / own, 1.0)
                ));
            }
        }
        _ => {}
    }
    parts.join("; ")
}

struct Row {
    cells: Vec<String>,
}

fn mib(kib: u64) -> String {
    format!("{:.0} MiB", kib as f64 / 1024.0)
}

fn rows(results: &Results, meta: &Meta) -> Vec<Row> {
    let mut out = Vec::new();
    for kind in Kind::ALL {
        for (system, measured) in &results.table {
            let system = *system;
            let mut cells = vec![kind.label(meta.batch), system.label().to_owned()];
            match measured {
                Err(e) => {
                    cells.push(format!("failed: {e}"));
                    cells.extend(std::iter::repeat_n(String::new(), 5));
                }
                Ok(m) => {
                    let Some(phase) = kind.phase(&m.outcome) else {
                        continue;
                    };
                    let own = phase.events_per_sec();
                    let star = if phase.capped { "*" } else { "" };
                    cells.push(format!("{own:.0}{star}"));
                    cells.push(format!("{:.1}", phase.mb_per_sec()));
                    cells.push(match m.server_rss_kib {
                        Some(server) => {
                            format!("{} (client {})", mib(server), mib(m.outcome.worker_rss_kib))
                        }
                        None => mib(m.rss_kib()),
                    });
                    cells.push(
                        rate(results, System::Embedded, kind)
                            .map_or_else(String::new, |e| format!("{:.2}×", own / e)),
                    );
                    cells.push(
                        rate(results, System::Physical, kind)
                            .map_or_else(String::new, |p| format!("{:.0}%", own / p * 100.0)),
                    );
                    cells.push(target(results, system, kind));
                }
            }
            out.push(Row { cells });
        }
    }
    if let Some(read) = results
        .get(System::Physical)
        .and_then(|m| m.outcome.seq_read)
    {
        out.push(Row {
            cells: vec![
                "sequential read, cold (fadvise DONTNEED)".to_owned(),
                System::Physical.label().to_owned(),
                format!("{:.0}", read.events_per_sec()),
                format!("{:.1}", read.mb_per_sec()),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
            ],
        });
    }
    out
}

const HEADER: [&str; 8] = [
    "workload",
    "system",
    "events/s",
    "MB/s",
    "peak RSS",
    "× gridlog embedded",
    "% of physical",
    "target (gridlog vs this peer)",
];

fn versions(results: &Results) -> Vec<String> {
    results
        .table
        .iter()
        .filter_map(|(s, r)| {
            r.as_ref()
                .ok()
                .map(|m| format!("{}: {}", s.label(), m.outcome.version))
        })
        .collect()
}

fn any_capped(results: &Results) -> bool {
    results.table.iter().any(|(_, r)| {
        r.as_ref().is_ok_and(|m| {
            m.outcome.publish.capped
                || m.outcome.consume.capped
                || m.outcome.unbatched.is_some_and(|p| p.capped)
        })
    })
}

/// The terminal table.
pub fn text(results: &Results, meta: &Meta) -> String {
    let rows = rows(results, meta);
    let mut widths: Vec<usize> = HEADER.iter().map(|h| h.chars().count()).collect();
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(&row.cells) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: &[String]| {
        let mut s = String::new();
        for (i, (cell, w)) in cells.iter().zip(&widths).enumerate() {
            let pad = w - cell.chars().count();
            if (2..=6).contains(&i) {
                s.push_str(&" ".repeat(pad));
                s.push_str(cell);
            } else {
                s.push_str(cell);
                s.push_str(&" ".repeat(pad));
            }
            s.push_str("  ");
        }
        s.trim_end().to_owned()
    };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} x {} B events, batches of {}; {} unbatched; {}; load average {} at start, {} at end{}",
        meta.events,
        meta.size,
        meta.batch,
        meta.unbatched,
        meta.when,
        meta.load_start,
        meta.load_end,
        if meta.note.is_empty() {
            String::new()
        } else {
            format!("; {}", meta.note)
        }
    );
    let header: Vec<String> = HEADER.iter().map(|h| (*h).to_owned()).collect();
    let _ = writeln!(out, "{}", line(&header));
    let mut last = String::new();
    for row in &rows {
        if row.cells[0] != last && !last.is_empty() {
            out.push('\n');
        }
        last.clone_from(&row.cells[0]);
        let _ = writeln!(out, "{}", line(&row.cells));
    }
    if any_capped(results) {
        let _ = writeln!(
            out,
            "* the phase stopped at the {} s cap; the rate is over the events it did",
            meta.phase_secs
        );
    }
    for v in versions(results) {
        let _ = writeln!(out, "{v}");
    }
    let _ = write!(out, "total time {:.0} s", meta.elapsed_secs);
    out
}

/// The BENCHMARKS.md section, markers included.
pub fn markdown(results: &Results, meta: &Meta) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{BEGIN}");
    let _ = writeln!(
        out,
        "## Side by side: physical limit, gridlog, NATS JetStream, SQLite\n\n\
         Command (from a clean clone; installs nats-server into a venv, ~10 min on a quiet \
         machine): `benches/compare/run.sh`. Method and caveats: `benches/compare/README.md`.\n"
    );
    let _ = writeln!(
        out,
        "Run of {}: {} × {} B events published durably in batches of {}, then received and \
         acknowledged in batches of {}; then {} published one per durable call. Load average {} \
         at start, {} at end (2 vCPU).{}{}\n",
        meta.when,
        meta.events,
        meta.size,
        meta.batch,
        meta.batch,
        meta.unbatched,
        meta.load_start,
        meta.load_end,
        if meta.note.is_empty() {
            String::new()
        } else {
            format!(" **{}**", meta.note)
        },
        if meta.quick {
            " (`--quick` smoke run: too small to quote.)"
        } else {
            ""
        }
    );
    let _ = writeln!(out, "| {} |", HEADER.join(" | "));
    let _ = writeln!(
        out,
        "|{}",
        HEADER
            .iter()
            .enumerate()
            .map(|(i, _)| if (2..=6).contains(&i) {
                "---:|"
            } else {
                "---|"
            })
            .collect::<String>()
    );
    for row in rows(results, meta) {
        let cells: Vec<String> = row.cells.iter().map(|c| c.replace('|', "\\|")).collect();
        let _ = writeln!(out, "| {} |", cells.join(" | "));
    }
    out.push('\n');
    if any_capped(results) {
        let _ = writeln!(
            out,
            "\\* the phase stopped at the {} s cap; the rate is over the events it did.\n",
            meta.phase_secs
        );
    }
    let _ = writeln!(
        out,
        "MB = 10^6 bytes of event JSON. Peak RSS is `VmHWM` of the server process for the served \
         systems (client in brackets) and of the child process running the system otherwise. \
         Targets (issue 6, all at power-safe durability): gridlog embedded ≥ 2× SQLite FULL and \
         ≥ 20× NATS JetStream on durable batched publish and on receive + acknowledge; gridlog \
         over HTTP ahead of NATS JetStream on every row.\n"
    );
    for v in versions(results) {
        let _ = writeln!(out, "- {v}");
    }
    if !results.sweep.is_empty() {
        let _ = writeln!(
            out,
            "\n![durable throughput vs event size](benches/compare/throughput.png)\n\n\
             Chart: MB/s against event size (256 B, 1 KiB, 4 KiB, 64 KiB, 1 MB; batches of 100, \
             or fewer so that a batch stays under 1 MB: 15 at 64 KiB, 1 at 1 MB; {}).",
            meta.chart_note
        );
        let failed: Vec<String> = results
            .sweep
            .iter()
            .filter_map(|(s, size, r)| {
                r.as_ref()
                    .err()
                    .map(|e| format!("{} at {size} B: {e}", s.label()))
            })
            .collect();
        for f in failed {
            let _ = writeln!(out, "- failed: {f}");
        }
    }
    let _ = write!(out, "{END}");
    out
}

/// Replaces the marked section of `path` (or appends it).
pub fn update_markdown(path: &Path, section: &str) -> Result<(), String> {
    let old = match std::fs::read_to_string(path) {
        Ok(s) => s,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(format!("{}: {e}", path.display())),
    };
    let new = match (old.find(BEGIN), old.find(END)) {
        (Some(begin), Some(end)) if end > begin => {
            // The section holds exactly one `## ` heading, its own: anything else between the
            // markers was written by hand and would be lost (it happened once).
            let headings = old[begin..end].matches("\n## ").count();
            if headings != 1 {
                return Err(format!(
                    "{}: {headings} `## ` headings between the compare markers (expected only this \
                     tool's own): move hand-written sections out of the marked section first",
                    path.display()
                ));
            }
            format!("{}{section}{}", &old[..begin], &old[end + END.len()..])
        }
        _ => {
            let sep = if old.is_empty() || old.ends_with("\n\n") {
                ""
            } else if old.ends_with('\n') {
                "\n"
            } else {
                "\n\n"
            };
            format!("{old}{sep}{section}\n")
        }
    };
    std::fs::write(path, new).map_err(|e| format!("{}: {e}", path.display()))
}
