//! The links a connection's `$cbs` tokens authorize: sender links to a hub or partition and
//! partition receivers. Once a second ([`TOKEN_CHECK_MS`]) the connection checks them against
//! its tokens, and a link no valid token covers any more (its token expired and no refreshed
//! one arrived) is detached with `amqp:unauthorized-access`, as Event Hubs does.

use ntex_amqp::{ReceiverLink, SenderLink};

use crate::conditions;
use crate::limits::TOKEN_CHECK_MS;

/// The interval of the token check.
pub const TOKEN_CHECK: std::time::Duration = std::time::Duration::from_millis(TOKEN_CHECK_MS);

/// One end of a guarded link.
#[derive(Clone)]
pub enum LinkEnd {
    /// A link the client sends on (to a hub or partition).
    Inbound(ReceiverLink),
    /// A link the endpoint sends on (a partition receiver).
    Outbound(SenderLink),
}

/// A link authorized by a token, with the audience path it needs.
pub struct Guarded {
    /// The link's name (unique per direction on a connection, as the SDKs name links).
    pub name: String,
    /// The audience path a token must cover.
    pub path: String,
    /// The address as the client wrote it (for the error text).
    pub entity: String,
    /// The link.
    pub link: LinkEnd,
}

impl Guarded {
    fn is_outbound(&self) -> bool {
        matches!(self.link, LinkEnd::Outbound(_))
    }

    /// Detaches the link with `amqp:unauthorized-access` (the detach is sent in the background).
    pub fn detach_expired(self) {
        tracing::info!(link = %self.name, entity = %self.entity, "token expired: detaching the link");
        let error = conditions::amqp(
            ntex_amqp::codec::protocol::AmqpError::UnauthorizedAccess,
            format!(
                "The token authorizing '{}' expired: put a refreshed token on $cbs before it does.",
                self.entity
            ),
        );
        match self.link {
            LinkEnd::Inbound(link) => {
                ntex_rt::spawn(async move {
                    let _ = link.close_with_error(error).await;
                });
            }
            LinkEnd::Outbound(link) => {
                ntex_rt::spawn(async move {
                    let _ = link.close_with_error(error).await;
                });
            }
        }
    }
}

/// A connection's guarded links.
#[derive(Default)]
pub struct GuardedLinks {
    links: Vec<Guarded>,
}

impl GuardedLinks {
    /// Guards `link`.
    pub fn add(&mut self, link: Guarded) {
        self.links.push(link);
    }

    /// Forgets the link named `name` (detached), on the endpoint's sending side (`outbound`)
    /// or receiving side.
    pub fn remove(&mut self, name: &str, outbound: bool) {
        self.links
            .retain(|l| !(l.name == name && l.is_outbound() == outbound));
    }

    /// Takes out the links `authorized` no longer holds for.
    pub fn expired(&mut self, authorized: impl Fn(&str) -> bool) -> Vec<Guarded> {
        let (keep, expired) = std::mem::take(&mut self.links)
            .into_iter()
            .partition(|l| authorized(&l.path));
        self.links = keep;
        expired
    }

    /// How many links are guarded.
    pub fn len(&self) -> usize {
        self.links.len()
    }

    /// None are.
    pub fn is_empty(&self) -> bool {
        self.links.is_empty()
    }
}
