//! Identifiers the server makes up: message and request ids (the engine's [`random_uuid`]).

pub use gridlog::random_uuid;
