//! What every connection shares: the namespace, the SAS policies and the clock.

use std::sync::Arc;

use gridlog::Clock;
use gridlog::sas::ServiceBusSas;

/// Shared by every connection of one listener.
pub struct Shared {
    /// The `sharedAccessPolicies` tokens are checked against.
    pub sas: ServiceBusSas,
    /// Wall-clock time (token expiry).
    pub clock: Arc<dyn Clock>,
}

impl Shared {
    /// The current unix time in seconds.
    pub fn now_secs(&self) -> i64 {
        self.clock.now().unix_millis().div_euclid(1000)
    }
}
