//! [`PathError`]: an invalid input located by its field path, the shape both
//! [`ConfigError`](crate::ConfigError) and [`FilterError`](crate::FilterError) share.

/// An invalid input: where (a field path, e.g. `topics[0].name`; empty for the input itself) and
/// what is wrong (`K`, a kind enum). Displays as `path: message`.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{}{kind}", if path.is_empty() { String::new() } else { format!("{path}: ") })]
pub struct PathError<K> {
    /// Where.
    pub path: String,
    /// What is wrong.
    pub kind: K,
}

/// The stable machine code of an error kind (the kinds of [`PathError`]).
pub trait ErrorCode {
    /// Stable machine code.
    fn code(&self) -> &'static str;
}

impl<K: ErrorCode> PathError<K> {
    pub(crate) fn new(path: impl Into<String>, kind: K) -> Self {
        Self {
            path: path.into(),
            kind,
        }
    }

    /// Stable machine code of the kind.
    pub fn code(&self) -> &'static str {
        self.kind.code()
    }
}
