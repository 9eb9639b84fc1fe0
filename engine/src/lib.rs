//! gridlog engine: topics, subscriptions, filters and pull delivery on top of `format` and `wal`.
//!
//! Not written yet: this crate currently only re-exports the `format` crate so that
//! downstream crates can name CloudEvents types through `gridlog::format`.

pub use gridlog_format as format;
