//! What to do after a delivery attempt: Event Grid's retry schedule (reference §7), as a pure
//! function.
//!
//! - Success: status 200–204.
//! - Not retried (dead-lettered at once, through the engine's reject): 400, 401, 403, 404, 413,
//!   414.
//! - Everything else (other statuses, connection refused, timeouts) is retried after the
//!   schedule's delay for this attempt: 10 s after the first failure, 30 s after the second,
//!   1 min after the third, 5 min after the fourth and every later one ("immediately" is the
//!   first attempt itself). A 503 waits at least 30 s, a 408 at least 2 min.
//! - The limits are the engine's: an event whose `maxDeliveryCount`-th attempt failed is
//!   dead-lettered at once with that attempt's result ([`Next::Exhausted`]); one past its TTL
//!   is dead-lettered by the next receive instead of being delivered again.

use std::time::Duration;

/// The delay after the n-th failed attempt (index n - 1); the last one repeats.
pub const RETRY_DELAYS: [Duration; 4] = [
    Duration::from_secs(10),
    Duration::from_secs(30),
    Duration::from_mins(1),
    Duration::from_mins(5),
];
/// Statuses that are not retried.
pub const NO_RETRY_STATUSES: [u16; 6] = [400, 401, 403, 404, 413, 414];
/// Least delay after a 503.
pub const BUSY_DELAY_MIN: Duration = Duration::from_secs(30);
/// Least delay after a 408.
pub const TIMEOUT_STATUS_DELAY_MIN: Duration = Duration::from_mins(2);

/// How an attempt ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Attempt {
    /// The destination answered with this status.
    Status(u16),
    /// No answer: connection refused or reset, a failed TLS handshake, or no answer within the
    /// timeout; the failure's label (`crate::client::ClientError::label`: `connect_failed`,
    /// `tls_unknown_ca`, `timeout`, …).
    Failed(&'static str),
}

impl Attempt {
    /// What the attempt met, as a dead-letter event's `deliveryresult` says it: the status, or
    /// the failure in words with its label (TLS failures name which check failed).
    pub fn result_text(self) -> String {
        match self {
            Self::Status(status) => format!("The destination answered HTTP {status}."),
            Self::Failed(label) => {
                let words = match label {
                    "tls_unknown_ca" => {
                        "TLS handshake failed: the destination's certificate chains to no trusted CA"
                    }
                    "tls_name_mismatch" => {
                        "TLS handshake failed: the destination's certificate is not for its host name"
                    }
                    "tls_expired" => {
                        "TLS handshake failed: the destination's certificate has expired or is not yet valid"
                    }
                    "tls_other" => "TLS handshake failed",
                    "connect_failed" => "The connection to the destination failed",
                    "timeout" => "The destination did not answer within the attempt timeout",
                    _ => "The attempt failed",
                };
                format!("{words} ({label}).")
            }
        }
    }
}

/// What to do next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Next {
    /// Delivered: acknowledge.
    Done,
    /// Dead-letter now (reject).
    DeadLetter,
    /// Release, to be attempted again after this delay.
    Retry(Duration),
    /// The last attempt allowed (`maxDeliveryCount`) failed: dead-letter now ("Maximum delivery
    /// attempts was exceeded."), with this attempt's [`Attempt::result_text`] as the
    /// `deliveryresult`.
    Exhausted(Attempt),
}

/// The decision after attempt number `attempt` (1 for the first) ended as `outcome`.
pub fn next(outcome: Attempt, attempt: u32) -> Next {
    let index = usize::try_from(attempt.saturating_sub(1)).unwrap_or(usize::MAX);
    let delay = RETRY_DELAYS[index.min(RETRY_DELAYS.len() - 1)];
    match outcome {
        Attempt::Status(200..=204) => Next::Done,
        Attempt::Status(status) if NO_RETRY_STATUSES.contains(&status) => Next::DeadLetter,
        Attempt::Status(503) => Next::Retry(delay.max(BUSY_DELAY_MIN)),
        Attempt::Status(408) => Next::Retry(delay.max(TIMEOUT_STATUS_DELAY_MIN)),
        Attempt::Status(_) | Attempt::Failed(_) => Next::Retry(delay),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedule() {
        let s = Duration::from_secs;
        let delays: Vec<Next> = (1..=7).map(|n| next(Attempt::Status(500), n)).collect();
        assert_eq!(
            delays,
            [10, 30, 60, 300, 300, 300, 300].map(|d| Next::Retry(s(d)))
        );
        assert_eq!(
            next(Attempt::Failed("tls_unknown_ca"), 1),
            Next::Retry(s(10))
        );
        assert_eq!(next(Attempt::Status(503), 1), Next::Retry(s(30)));
        assert_eq!(next(Attempt::Status(503), 4), Next::Retry(s(300)));
        assert_eq!(next(Attempt::Status(408), 2), Next::Retry(s(120)));
        assert_eq!(next(Attempt::Status(429), 1), Next::Retry(s(10)));
        for ok in 200..=204 {
            assert_eq!(next(Attempt::Status(ok), 3), Next::Done);
        }
        assert_eq!(next(Attempt::Status(205), 1), Next::Retry(s(10)));
        for status in [400, 401, 403, 404, 413, 414] {
            assert_eq!(next(Attempt::Status(status), 1), Next::DeadLetter);
        }
        assert_eq!(next(Attempt::Status(500), 0), Next::Retry(s(10)));
    }
}
