//! The endpoint's limits, as named constants.

/// Largest message, and largest batch transfer, a sender may send (Event Hubs' 1 MB); also the
/// `max-message-size` of every link the endpoint attaches.
pub const MAX_MESSAGE_SIZE: u32 = 1024 * 1024;

/// Largest frame the endpoint accepts (Event Hubs advertises 256 KiB; a larger transfer comes
/// split over several frames).
pub const MAX_FRAME_SIZE: u32 = 256 * 1024;

/// Idle timeout advertised in Open, seconds: peers that asked for heartbeats get one at half of
/// their own value; ours is long because an idle Python producer may send nothing for minutes.
pub const IDLE_TIMEOUT_SECS: u16 = 240;

/// Longest link address or CBS audience accepted (bytes).
pub const MAX_ADDRESS_LEN: usize = 1024;

/// Longest token accepted in a put-token request (bytes).
pub const MAX_TOKEN_LEN: usize = 8 * 1024;

/// Most token audiences one connection may hold at once (a refresh replaces; beyond this the
/// oldest expired ones are dropped first, then the put-token is refused).
pub const MAX_TOKENS_PER_CONNECTION: usize = 256;

/// Longest partition key accepted (bytes; the engine's limit).
pub const MAX_PARTITION_KEY_LEN: usize = 128;

/// Most events in one batch transfer (a 1 MB batch of empty events stays far below).
pub const MAX_BATCH_EVENTS: usize = 100_000;

/// Longest selector filter expression accepted (bytes).
pub const MAX_SELECTOR_LEN: usize = 256;

/// Most receivers without owner level on one partition of one consumer group (Event Hubs' 5).
pub const MAX_RECEIVERS_PER_PARTITION: usize = 5;

/// Most events read from the engine per read (also bounded by the link's credit).
pub const READ_BATCH: usize = 300;

/// How long a receiver waits for a new event before checking its link again (ms).
pub const RECEIVE_POLL_MS: u64 = 1000;

/// How often a connection checks that the tokens its links were authorized by are still valid
/// (ms); a link whose token expired (and was not refreshed) is detached at the next check.
pub const TOKEN_CHECK_MS: u64 = 1000;

/// How long an AMQPS client has for its TLS handshake (seconds).
pub const TLS_HANDSHAKE_SECS: u64 = 10;
