//! What every connection shares: the namespace, the SAS policies and the clock.

use std::sync::Arc;

use gridlog::sas::ServiceBusSas;

use crate::owners::Owners;
use gridlog::{Clock, Namespace};

/// Shared by every connection of one listener.
pub struct Shared {
    /// The engine.
    pub namespace: Namespace,
    /// The `sharedAccessPolicies` tokens are checked against.
    pub sas: ServiceBusSas,
    /// Wall-clock time (token expiry).
    pub clock: Arc<dyn Clock>,
    /// The partition receivers and their owner levels.
    pub owners: Arc<Owners>,
}

impl Shared {
    /// What the listener of `namespace` shares, checking tokens against `sas`.
    pub fn new(namespace: Namespace, sas: ServiceBusSas, clock: Arc<dyn Clock>) -> Self {
        Self {
            namespace,
            sas,
            clock,
            owners: Arc::new(Owners::default()),
        }
    }

    /// The current unix time in seconds.
    pub fn now_secs(&self) -> i64 {
        self.clock.now().unix_millis().div_euclid(1000)
    }

    /// May a connection holding `tokens` use `path` (an audience path)? Always, when no
    /// policy is configured (loopback serving without keys).
    pub fn authorized(&self, tokens: &crate::tokens::Tokens, path: &str) -> bool {
        self.sas.is_empty() || tokens.authorizes(path, self.now_secs())
    }
}
