//! [`Mutant`]: deliberate bugs, planted by tests to prove that the crash harness catches them
//! (`tests/crash_harness_bites.rs`). Public only with the `mutants` feature, which the crate's
//! own tests enable (its dev-dependency on itself); without it no option can plant one
//! ([`crate::WalOptions`] has no `mutant` field) and the checks compile to nothing.

/// Deliberate bugs for harness self-tests. Never set outside tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mutant {
    /// Correct behaviour.
    #[default]
    None,
    /// Skip the directory fsync after creating (renaming) a segment.
    SkipDirSync,
    /// Accept a torn tail without zeroing it.
    SkipTailTruncation,
    /// Acknowledge `Always` appends without syncing.
    SkipSync,
}
