//! Every limit the format enforces, as a named constant with its unit in the name.
//!
//! The Event Grid numbers come from the namespace quotas page (reference §3). The relationships
//! between the constants are checked at compile time below, so changing one limit cannot
//! silently break an assumption another part of the crate makes.

/// Largest structured-JSON encoding of one event, in bytes (Event Grid: "1 MB").
pub const EVENT_BYTES_MAX: usize = 1_048_576;

/// Largest request body, in bytes, checked before any parsing (Event Grid: "1 MB").
pub const REQUEST_BYTES_MAX: usize = 1_048_576;

/// Most events one publish request may carry.
pub const EVENTS_PER_REQUEST_MAX: usize = 1_000;

/// Size of one billing unit, in bytes: events over 64 KiB are charged per 64 KiB increment.
pub const BILLING_UNIT_BYTES: u64 = 65_536;

/// Longest attribute name, in characters (Event Grid makes CloudEvents' SHOULD a MUST).
pub const ATTRIBUTE_NAME_CHARS_MAX: usize = 20;

/// Deepest nesting of JSON arrays and objects in any document the crate accepts or produces,
/// counting the outermost value as depth 1.
///
/// This equals the depth `serde_json` itself can deserialize (its recursion limit is 128 frames,
/// of which the innermost value uses the last), so every stored event can be read back into a
/// `serde_json::Value` by a consumer, even wrapped in a batch array.
pub const JSON_DEPTH_MAX: usize = 127;

/// Deepest nesting allowed inside `data`: two levels below [`JSON_DEPTH_MAX`], one for the
/// event object and one for a batch array around it.
pub const DATA_DEPTH_MAX: usize = JSON_DEPTH_MAX - 2;

/// The only `specversion` accepted.
pub const SPEC_VERSION: &str = "1.0";

// A single event must fit in a request, or no request could carry it.
const _: () = assert!(EVENT_BYTES_MAX <= REQUEST_BYTES_MAX);
// The record's `size` field is a u32.
const _: () = assert!(EVENT_BYTES_MAX <= u32::MAX as usize);
// A billing unit is never larger than the largest event.
const _: () = assert!(BILLING_UNIT_BYTES <= EVENT_BYTES_MAX as u64);
// A full batch of minimal events (about 60 bytes each) must fit in one request.
const _: () = assert!(EVENTS_PER_REQUEST_MAX * 64 <= REQUEST_BYTES_MAX);
const _: () = assert!(DATA_DEPTH_MAX >= 1 && JSON_DEPTH_MAX <= 128);
