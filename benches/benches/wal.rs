//! WAL benchmarks (filled in once the core is green).

fn main() {}
