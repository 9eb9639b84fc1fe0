//! Replays the committed `wal_recovery` fuzz corpus (`fuzz/corpus/wal_recovery/`) through the
//! fuzz target's body, on the in-memory file system the fuzzer uses and on the real one, and
//! checks that the seed generator still produces logs recovery accepts.
//!
//! `GRIDLOG_FUZZ_SEEDS=<fuzz/corpus>` writes the generated seeds into `<dir>/wal_recovery/` (how
//! the committed seeds were made: `GRIDLOG_FUZZ_SEEDS=fuzz/corpus cargo test -p gridlog-wal
//! --test fuzz_corpus`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::pedantic,
    missing_docs,
    reason = "test code"
)]

use std::path::{Path, PathBuf};
use std::sync::Arc;

use gridlog_wal::testing::fuzz::{OPT_SALVAGE, encode_dir, options_for, recovery, recovery_on};
use gridlog_wal::testing::{CrashFs, Outcome, Rng};
use gridlog_wal::{StdVfs, Vfs, Wal};

fn corpus() -> Vec<(PathBuf, Vec<u8>)> {
    gridlog_testkit::corpus::inputs(env!("CARGO_MANIFEST_DIR"), "wal_recovery")
}

#[test]
fn wal_recovery_corpus_in_memory_and_on_disk() {
    let inputs = corpus();
    for (path, input) in &inputs {
        let outcome = std::panic::catch_unwind(|| recovery(input));
        assert!(outcome.is_ok(), "in memory: panicked on {}", path.display());
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("wal");
        let outcome = std::panic::catch_unwind(|| recovery_on(Arc::new(StdVfs), &dir, input));
        assert!(outcome.is_ok(), "on disk: panicked on {}", path.display());
        // Nothing escaped the directory.
        let names: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().collect();
        assert_eq!(names.len(), 1, "{}", path.display());
    }
    println!(
        "replayed {} inputs from fuzz/corpus/wal_recovery (in memory and on disk)",
        inputs.len()
    );
    assert!(inputs.len() >= 20);
}

/// Dumps the log directory of `fs` in the fuzz input format.
fn dump(fs: &CrashFs, options: u8) -> Vec<u8> {
    let dir = Path::new("/wal");
    let mut names = fs.list(dir).unwrap();
    names.sort();
    let files: Vec<(String, Vec<u8>)> = names
        .into_iter()
        .map(|name| {
            let bytes = fs.read_file(&dir.join(&name)).unwrap();
            (name, bytes)
        })
        .collect();
    encode_dir(options, &files)
}

/// A log written by the real code: `records` appends of a few sizes, optionally purged and closed.
fn written(records: usize, purge: bool, close: bool) -> CrashFs {
    let fs = CrashFs::new();
    let (wal, _) = Wal::open_with_vfs(Arc::new(fs.clone()), "/wal", options_for(0)).unwrap();
    for i in 0..records {
        let len = [3, 40, 700, 90][i % 4];
        wal.append(&vec![u8::try_from(i % 251).unwrap(); len])
            .unwrap();
    }
    if purge {
        let next = wal.next_seq().get();
        wal.purge_before(gridlog_wal::Seq(next / 2)).unwrap();
    }
    if close {
        wal.close().unwrap();
    }
    fs
}

/// Seeds: healthy logs in several shapes, crash states, and a few classic damages.
fn seeds() -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    out.push(("empty-dir".to_owned(), vec![0]));
    out.push(("empty-dir-salvage".to_owned(), vec![OPT_SALVAGE]));
    for (name, records, purge, close) in [
        ("one-record-closed", 1, false, true),
        ("few-records-open", 5, false, false),
        ("rolled-closed", 24, false, true),
        ("rolled-open", 24, false, false),
        ("rolled-purged", 30, true, false),
        ("rolled-purged-closed", 30, true, true),
    ] {
        let fs = written(records, purge, close);
        out.push((name.to_owned(), dump(&fs, 0)));
        out.push((format!("{name}-salvage"), dump(&fs, OPT_SALVAGE)));
    }
    // Power-loss states of an open log, one per outcome.
    let fs = written(12, false, false);
    for (i, outcome) in Outcome::ALL.iter().enumerate() {
        let crashed = fs.crash(*outcome, 0x5eed + i as u64);
        out.push((format!("crash-{outcome:?}"), dump(&crashed, 0)));
    }
    // Damage: a flipped byte in the middle of each segment, a truncated segment, no meta file.
    let fs = written(24, false, true);
    let dir = Path::new("/wal");
    let mut names = fs.list(dir).unwrap();
    names.sort();
    let mut rng = Rng::new(7);
    for name in names.iter().filter(|n| n.ends_with(".wal")) {
        let mut bytes = fs.read_file(&dir.join(name)).unwrap();
        let at = 48 + rng.below((bytes.len() - 48) as u64) as usize;
        bytes[at] ^= 0x10;
        let damaged = CrashFs::new();
        damaged.create_dir_all(dir).unwrap();
        for other in &names {
            let data = if other == name {
                bytes.clone()
            } else {
                fs.read_file(&dir.join(other)).unwrap()
            };
            damaged
                .create(&dir.join(other))
                .unwrap()
                .write_all_at(&data, 0)
                .unwrap();
        }
        out.push((format!("flipped-{name}"), dump(&damaged, 0)));
        out.push((
            format!("flipped-{name}-salvage"),
            dump(&damaged, OPT_SALVAGE),
        ));
    }
    let mut files: Vec<(String, Vec<u8>)> = names
        .iter()
        .map(|n| (n.clone(), fs.read_file(&dir.join(n)).unwrap()))
        .collect();
    files.retain(|(n, _)| n != "wal.meta");
    out.push(("no-meta".to_owned(), encode_dir(0, &files)));
    if let Some((_, last)) = files.last_mut() {
        last.truncate(last.len() / 2);
    }
    out.push(("no-meta-truncated-tail".to_owned(), encode_dir(0, &files)));
    files.push(("00000000000000000001.wal.tmp".to_owned(), vec![0; 100]));
    files.push(("stray.wal".to_owned(), b"GLWALSEG".to_vec()));
    out.push(("tmp-and-stray-files".to_owned(), encode_dir(0, &files)));
    out
}

#[test]
fn generated_seeds_recover_and_hold_the_contract() {
    let seeds = seeds();
    let mut opened = 0;
    for (name, input) in &seeds {
        let outcome = std::panic::catch_unwind(|| recovery(input));
        assert!(outcome.is_ok(), "seed {name} panicked");
        let fs = CrashFs::new();
        let (options, files) = gridlog_wal::testing::fuzz::decode_dir(input);
        fs.create_dir_all(Path::new("/wal")).unwrap();
        for (file, bytes) in &files {
            fs.create(&Path::new("/wal").join(file))
                .unwrap()
                .write_all_at(bytes, 0)
                .unwrap();
        }
        if Wal::open_with_vfs(Arc::new(fs), "/wal", options_for(options)).is_ok() {
            opened += 1;
        }
    }
    println!(
        "{} generated seeds replayed, {opened} open, {} refused",
        seeds.len(),
        seeds.len() - opened
    );
    // Healthy logs and power-loss states must open; the damaged ones exercise refusal.
    assert!(opened >= 20, "{opened}");
    assert!(opened < seeds.len(), "no seed exercises a refusal");
    let named: Vec<(String, Vec<u8>)> = seeds
        .iter()
        .map(|(name, input)| (format!("{name}.bin"), input.clone()))
        .collect();
    gridlog_testkit::corpus::write_seeds("wal_recovery", &named);
}

/// Regression (found by the `wal_recovery` fuzzer): salvage skipped a frame that ran past the
/// end of the file and ended the segment at the last non-zero byte, an unaligned offset; the
/// next acknowledged append went there, and the following recovery (which looks for frames at
/// aligned offsets only) lost it without reporting it.
#[test]
fn salvage_ends_a_damaged_segment_at_a_frame_boundary() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/corpus/wal_recovery/regression-salvage-unaligned-end.bin");
    let input = std::fs::read(path).unwrap();
    let (options, files) = gridlog_wal::testing::fuzz::decode_dir(&input);
    let fs = CrashFs::new();
    let dir = Path::new("/wal");
    fs.create_dir_all(dir).unwrap();
    for (name, bytes) in &files {
        fs.create(&dir.join(name))
            .unwrap()
            .write_all_at(bytes, 0)
            .unwrap();
    }
    let (wal, report) =
        Wal::open_with_vfs(Arc::new(fs.clone()), dir, options_for(options)).unwrap();
    assert!(!report.lost.is_empty(), "the input is damaged: {report:?}");
    let seq = wal.append(b"after salvage").unwrap();
    drop(wal);
    let (wal, _) = Wal::open_with_vfs(Arc::new(fs), dir, options_for(options)).unwrap();
    assert_eq!(wal.read(seq).unwrap().as_ref(), b"after salvage");
}

/// Regression (found by the `wal_recovery` fuzzer): salvage skipped damage in the last segment
/// and then met a seal frame with no successor; recovery opened the log anyway, the next
/// acknowledged append went after the seal, and the following recovery stopped at the seal and
/// zeroed the append. A sealed last segment is now refused wherever the seal is met.
#[test]
fn salvage_refuses_a_last_segment_sealed_after_damage() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/corpus/wal_recovery/regression-seal-after-salvage.bin");
    let input = std::fs::read(path).unwrap();
    let (options, files) = gridlog_wal::testing::fuzz::decode_dir(&input);
    let fs = CrashFs::new();
    let dir = Path::new("/wal");
    fs.create_dir_all(dir).unwrap();
    for (name, bytes) in &files {
        fs.create(&dir.join(name))
            .unwrap()
            .write_all_at(bytes, 0)
            .unwrap();
    }
    match Wal::open_with_vfs(Arc::new(fs), dir, options_for(options)) {
        Err(gridlog_wal::WalError::Corrupt { reason, .. }) => {
            assert!(reason.contains("SealedWithoutSuccessor"), "{reason}");
        }
        Err(other) => panic!("unexpected error: {other}"),
        Ok(_) => panic!("a last segment sealed after damage was accepted"),
    }
}

/// Regression (found by the `wal_recovery` fuzzer): salvage filled its per-record index across a
/// sequence gap taken from a forged segment name, asking for terabytes and aborting. A gap larger
/// than the segment could hold is now refused as corruption.
#[test]
fn salvage_refuses_a_gap_the_segment_cannot_hold() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/corpus/wal_recovery/regression-huge-salvage-gap.bin");
    let input = std::fs::read(path).unwrap();
    let (options, files) = gridlog_wal::testing::fuzz::decode_dir(&input);
    let fs = CrashFs::new();
    let dir = Path::new("/wal");
    fs.create_dir_all(dir).unwrap();
    for (name, bytes) in &files {
        fs.create(&dir.join(name))
            .unwrap()
            .write_all_at(bytes, 0)
            .unwrap();
    }
    assert!(matches!(
        Wal::open_with_vfs(Arc::new(fs), dir, options_for(options)),
        Err(gridlog_wal::WalError::Corrupt { .. })
    ));
}
