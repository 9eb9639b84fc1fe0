//! The fuzz-corpus replay harness: every test run feeds what the fuzzers found interesting
//! through the targets' bodies (which panic on a broken invariant), and the generated seeds can
//! be written back with `GRIDLOG_FUZZ_SEEDS=<fuzz/corpus>`.

use std::path::{Path, PathBuf};

/// The environment variable naming the corpus root that generated seeds are written into.
pub const SEEDS_ENV: &str = "GRIDLOG_FUZZ_SEEDS";

/// `fuzz/corpus/<target>` of the workspace, from a crate's `CARGO_MANIFEST_DIR` (every crate
/// sits one level below the workspace root).
pub fn dir(manifest_dir: &str, target: &str) -> PathBuf {
    Path::new(manifest_dir).join("../fuzz/corpus").join(target)
}

/// Every input of `fuzz/corpus/<target>`, sorted by path.
///
/// # Panics
/// If the directory or a file cannot be read: a missing corpus is a broken checkout.
pub fn inputs(manifest_dir: &str, target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = dir(manifest_dir, target);
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| {
            entry
                .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
                .path()
        })
        .filter(|path| path.is_file())
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            (path, bytes)
        })
        .collect()
}

/// Runs `body` on every input of `fuzz/corpus/<target>` and returns how many there were.
///
/// # Panics
/// If `body` panics on an input (naming it), or the corpus cannot be read.
pub fn replay(manifest_dir: &str, target: &str, body: impl Fn(&[u8])) -> usize {
    let inputs = inputs(manifest_dir, target);
    for (path, input) in &inputs {
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| body(input)));
        assert!(
            outcome.is_ok(),
            "fuzz target {target} panicked on {}",
            path.display()
        );
    }
    println!("replayed {} inputs from fuzz/corpus/{target}", inputs.len());
    inputs.len()
}

/// Runs `check` on every generated seed, naming the seed if it panics, and returns its answers.
///
/// # Panics
/// If `check` panics on a seed.
pub fn run_seeds<T>(seeds: &[(String, Vec<u8>)], check: impl Fn(&[u8]) -> T) -> Vec<T> {
    seeds
        .iter()
        .map(|(name, seed)| {
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| check(seed)))
                .unwrap_or_else(|_| panic!("seed {name} panicked"))
        })
        .collect()
}

/// With [`SEEDS_ENV`] set to a corpus root, writes `seeds` (file name, bytes) into
/// `<root>/<target>/`; otherwise does nothing.
///
/// # Panics
/// If the files cannot be written.
pub fn write_seeds(target: &str, seeds: &[(String, Vec<u8>)]) {
    let Ok(root) = std::env::var(SEEDS_ENV) else {
        return;
    };
    let dir = PathBuf::from(root).join(target);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for (name, bytes) in seeds {
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
    println!("wrote {} seeds to {}", seeds.len(), dir.display());
}
