//! Test support shared by gridlog's crates (a dev-dependency only; nothing here is linked into
//! a release build).
//!
//! - [`corpus`]: replaying the committed fuzz corpora (`fuzz/corpus/<target>/`) through the fuzz
//!   targets' bodies on stable, and writing generated seeds into them.

pub mod corpus;
