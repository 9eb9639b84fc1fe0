//! The engine's error type, [`EngineError`]: one enum for the crate, each variant with a stable
//! machine code. The storage core adds its variants (I/O, corruption, unknown topic, …) here.

use crate::config::ConfigError;
use crate::filter::FilterError;
use crate::token::TokenError;

/// Everything the engine's public API can fail with. Neither `Clone` nor `PartialEq`: the storage
/// core's I/O variants will carry `std::io::Error`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EngineError {
    /// An invalid namespace configuration (field path and reason inside).
    #[error("invalid configuration: {0}")]
    Config(#[from] ConfigError),
    /// An invalid `filtersConfiguration` given on its own (field path and reason inside).
    #[error("invalid filter: {0}")]
    Filter(#[from] FilterError),
    /// A lock token that is not one this namespace minted.
    #[error(transparent)]
    Token(#[from] TokenError),
}

impl EngineError {
    /// Stable machine code of the variant: `InvalidConfiguration`, `InvalidFilter` or
    /// `InvalidLockToken`. [`detail_code`](Self::detail_code) says which rule was broken.
    pub const fn code(&self) -> &'static str {
        match self {
            Self::Config(_) => "InvalidConfiguration",
            Self::Filter(_) => "InvalidFilter",
            Self::Token(_) => "InvalidLockToken",
        }
    }

    /// Stable machine code of the specific cause, e.g. `ConfigOutOfRange`,
    /// `FilterUnknownOperator`, `TokenBadMac`.
    pub fn detail_code(&self) -> &'static str {
        match self {
            Self::Config(error) => error.code(),
            Self::Filter(error) => error.code(),
            Self::Token(error) => error.code(),
        }
    }
}
