//! Test doubles for the I/O boundary (feature `test-util`): [`CrashFs`], an in-memory file
//! system that can produce every state a power loss could leave, and [`FaultFs`], which fails
//! the N-th operation. Usable from other crates' tests too.

mod crash_fs;
mod fault_fs;
pub mod fuzz;
mod rng;

pub use crash_fs::{CrashFs, Outcome, Replay, TraceOp};
pub use fault_fs::{FaultFs, FaultKind};
pub use rng::Rng;
