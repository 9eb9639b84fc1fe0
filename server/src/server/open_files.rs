//! The open-file limit: each connection is a file descriptor, and the common soft limit (1,024)
//! is far below what the connection budget ([`super::connections`]) lets the server hold.

use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};

/// Never ask for more than Linux's default `fs.nr_open` (a higher soft limit is refused).
const OPEN_FILES_CEILING: u64 = 1 << 20;

/// Raises the soft `RLIMIT_NOFILE` to the hard limit (at most [`OPEN_FILES_CEILING`]) if it is
/// lower; returns the soft limit in force afterwards (`None`: unlimited).
pub fn raise_open_files_limit() -> Option<u64> {
    let limit = getrlimit(Resource::Nofile);
    let wanted = limit
        .maximum
        .unwrap_or(OPEN_FILES_CEILING)
        .min(OPEN_FILES_CEILING);
    match limit.current {
        Some(current) if current < wanted => {
            let raised = Rlimit {
                current: Some(wanted),
                maximum: limit.maximum,
            };
            match setrlimit(Resource::Nofile, raised) {
                Ok(()) => Some(wanted),
                Err(error) => {
                    tracing::warn!(%error, current, wanted, "could not raise the open-file limit");
                    Some(current)
                }
            }
        }
        current => current,
    }
}
