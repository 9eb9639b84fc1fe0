//! AMQP 1.0 type definitions, generated upstream by the crate's `codegen/` from
//! `specification.json` as one `definitions.rs` and split here by concern; see vendor/README.md.
#![allow(unused_assignments, unused_variables, unreachable_patterns)]
use super::*;
use crate::codec::{ListHeader, decode_format_code};
use derive_more::From;

mod delivery_state;
mod error_conditions;
mod performatives;
mod properties;
mod restricted;
mod sasl;
mod sections;
mod terminus;

pub use self::delivery_state::*;
pub use self::error_conditions::*;
pub use self::performatives::*;
pub use self::properties::*;
pub use self::restricted::*;
pub use self::sasl::*;
pub use self::sections::*;
pub use self::terminus::*;
