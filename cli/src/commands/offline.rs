//! `gridlog inspect DIR` and `gridlog verify DIR`: offline views of a data directory (no server
//! may hold it).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use gridlog::wal::{RecoveryMode, Seq, Wal, WalOptions};
use gridlog::{IndexKind, IndexRecovery, Namespace, NamespaceOptions, NamespaceStats};

/// Arguments of `gridlog inspect`.
#[derive(Debug, clap::Args)]
pub struct InspectArgs {
    /// The data directory.
    pub dir: PathBuf,
}

/// Arguments of `gridlog verify`.
#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    /// The data directory.
    pub dir: PathBuf,
}

fn check_dir(dir: &Path) -> Result<gridlog_server::lock::DirLock, String> {
    if dir.join("wal").is_dir() {
        gridlog_server::lock::lock_data_dir(dir)
    } else {
        Err(format!(
            "{} is not a gridlog data directory (no wal/)",
            dir.display()
        ))
    }
}

fn open(dir: &Path, index: IndexKind) -> Result<Namespace, String> {
    Namespace::open(
        dir,
        NamespaceOptions {
            index,
            // An offline command reads or changes what it was asked to, nothing else.
            maintenance_interval: None,
            ..NamespaceOptions::default()
        },
    )
    // The directory lock is already held (a running server is reported by the lock), so a
    // failure here is the directory's content.
    .map_err(|e| {
        format!(
            "opening {}: {}: {e} (the directory is damaged; `gridlog verify {}` checks every record and the index)",
            dir.display(),
            e.code(),
            dir.display()
        )
    })
}

/// What opening did about the index, in words.
fn index_text(index: &IndexRecovery) -> String {
    match index {
        IndexRecovery::Created => "created (a new data directory)".to_owned(),
        IndexRecovery::Loaded { covered, replayed } => format!(
            "loaded, covering the log up to record {covered}; {replayed} later record(s) replayed"
        ),
        IndexRecovery::Rebuilt { reason, replayed } => {
            format!("rebuilt from the log ({reason}); {replayed} record(s) replayed")
        }
    }
}

/// `gridlog inspect`.
pub fn inspect(args: &InspectArgs) -> Result<ExitCode, String> {
    let _lock = check_dir(&args.dir)?;
    let ns = open(&args.dir, IndexKind::Sled)?;
    let stats = ns.stats();
    ns.close().map_err(|e| e.to_string())?;
    println!(
        "{}: {} segment(s), {} bytes, seq {}..{}",
        args.dir.display(),
        stats.wal_segments,
        stats.wal_bytes,
        stats.wal_first_seq,
        stats.wal_next_seq
    );
    let publish: u64 = stats.topics.iter().map(|t| t.publish_units).sum();
    let (delivery, settlement) =
        stats
            .topics
            .iter()
            .flat_map(|t| &t.subscriptions)
            .fold((0, 0), |(d, s), sub| {
                (
                    d + sub.meters.delivery_units,
                    s + sub.meters.settlement_units,
                )
            });
    println!(
        "billing units (64 KB): publish {publish}, delivery {delivery}, settlement {settlement}, total {}",
        publish + delivery + settlement
    );
    for topic in &stats.topics {
        println!(
            "topic {}: {} event(s) published, {} bytes, {} publish billing unit(s)",
            topic.name, topic.events, topic.bytes, topic.publish_units
        );
        for sub in &topic.subscriptions {
            let m = &sub.meters;
            println!(
                "  subscription {}: backlog {} ({} locked), delivered {}, acknowledged {}, released {}, rejected {}, renewed {}, dead-lettered {}, dropped {}; billing units: delivery {}, settlement {}",
                sub.name,
                sub.backlog,
                sub.locked,
                m.delivered,
                m.acked,
                m.released,
                m.rejected,
                m.renewed,
                m.dead_lettered,
                m.dropped,
                m.delivery_units,
                m.settlement_units
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The parts of the stats that the index and a rebuild from the log must agree on (the backlog
/// depends on how far each has scanned, so it is left out).
fn comparable(stats: &NamespaceStats) -> String {
    let mut lines: Vec<String> = stats
        .topics
        .iter()
        .flat_map(|topic| {
            let head = format!(
                "topic {} events {} bytes {} publish units {}",
                topic.name, topic.events, topic.bytes, topic.publish_units
            );
            std::iter::once(head).chain(topic.subscriptions.iter().map(move |sub| {
                format!(
                    "sub {}/{} locked {} meters {:?}",
                    topic.name,
                    sub.name,
                    sub.locked,
                    gridlog::SubMeters {
                        expired: 0,
                        ..sub.meters
                    }
                )
            }))
        })
        .collect();
    lines.sort();
    lines.join("\n")
}

/// `gridlog verify`: every frame's checksum (recovery, then a read of every record), and the
/// index against a rebuild from the log. Exit 0 healthy, 1 not.
pub fn verify(args: &VerifyArgs) -> Result<ExitCode, String> {
    let _lock = check_dir(&args.dir)?;
    let mut problems = Vec::new();
    // 1. The log: strict recovery, then read every record back.
    let options = WalOptions {
        recovery: RecoveryMode::TolerateTornTail,
        preallocate: false,
        prepare_spare: false,
        ..WalOptions::default()
    };
    match Wal::open(args.dir.join("wal"), options) {
        Err(error) => problems.push(format!("log: {error}")),
        Ok((wal, report)) => {
            if report.bytes_truncated > 0 {
                println!(
                    "log: {} bytes after the last frame zeroed (a torn tail, or the old frames of a recycled segment; not an error)",
                    report.bytes_truncated
                );
            }
            let mut records = 0_u64;
            let mut bytes = 0_u64;
            let first = wal.first_seq().0;
            let next = wal.next_seq().0;
            for seq in first..next {
                match wal.read(Seq(seq)) {
                    Ok(record) => {
                        records += 1;
                        bytes += record.len() as u64;
                    }
                    Err(error) => problems.push(format!("log: record {seq}: {error}")),
                }
            }
            println!(
                "log: {} segment(s), {records} record(s) ({bytes} bytes) read and checked, seq {first}..{next}",
                report.segments
            );
            if let Err(error) = wal.close() {
                problems.push(format!("log: closing: {error}"));
            }
        }
    }
    // 2. The index against the log.
    if problems.is_empty() {
        let rebuilt = open(&args.dir, IndexKind::Memory).map(|ns| {
            let stats = ns.stats();
            let _ = ns.close();
            stats
        });
        let indexed = open(&args.dir, IndexKind::Sled).map(|ns| {
            let report = index_text(&ns.open_report().index);
            let stats = ns.stats();
            let _ = ns.close();
            (stats, report)
        });
        match (rebuilt, indexed) {
            (Ok(rebuilt), Ok((indexed, report))) => {
                println!("index: {report}");
                if comparable(&rebuilt) == comparable(&indexed) {
                    println!(
                        "state: {} topic(s); index agrees with the log",
                        rebuilt.topics.len()
                    );
                } else {
                    problems.push(format!(
                        "index disagrees with the log:\n--- rebuilt from the log\n{}\n--- from the index\n{}",
                        comparable(&rebuilt),
                        comparable(&indexed)
                    ));
                }
            }
            (Err(error), _) | (_, Err(error)) => problems.push(error),
        }
    }
    if problems.is_empty() {
        println!("{}: healthy", args.dir.display());
        Ok(ExitCode::SUCCESS)
    } else {
        for problem in &problems {
            eprintln!("gridlog: {}: {problem}", args.dir.display());
        }
        Ok(ExitCode::FAILURE)
    }
}
