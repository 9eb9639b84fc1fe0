//! One AMQP connection's state and its two services: the control service (links the client
//! attaches as a receiver, i.e. the endpoint sends: `$cbs`/`$management` reply links and
//! partition receivers) and the publish service (links the client attaches as a sender:
//! requests and events).

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

use ntex_amqp::codec::protocol::{self, Accepted, DeliveryState};
use ntex_amqp::codec::{Decode, Message};
use ntex_amqp::error::LinkError;
use ntex_amqp::{ControlFrame, ControlFrameKind, ReceiverLink, SenderLink, types};

use crate::address::Address;
use crate::conditions;
use crate::guard::{Guarded, GuardedLinks, LinkEnd, TOKEN_CHECK};
use crate::limits::MAX_MESSAGE_SIZE;
use crate::management::{self, Request};
use crate::receiver;
use crate::sender::{self, HubTarget};
use crate::shared::Shared;
use crate::tokens::Tokens;
use crate::{cbs, error::ManagementError};

/// A link on which the endpoint sends responses: the client's receiver on `$cbs` or
/// `$management`.
struct ReplyLink {
    /// `$cbs` or `$management`.
    node: Address,
    /// The link's name (JS names its `$cbs` reply link after the `reply-to` it sends).
    name: String,
    /// The link's target address (what a request's `reply-to` names).
    target: String,
    link: SenderLink,
}

/// A link on which the client sends, known by its name (handles are per session, and JS
/// opens a session per link).
struct InboundLink {
    name: String,
    address: Address,
    /// The address as the client wrote it (for error texts).
    entity: String,
}

/// The state of one connection.
pub struct Conn {
    shared: Arc<Shared>,
    tokens: RefCell<Tokens>,
    replies: RefCell<Vec<ReplyLink>>,
    inbound: RefCell<Vec<InboundLink>>,
    /// The links tokens authorize, detached when their token expires.
    guarded: RefCell<GuardedLinks>,
}

/// The address of an attach's source or target.
pub fn terminus_address(attach: &protocol::Attach, source: bool) -> Option<String> {
    let address = if source {
        attach.0.source.as_ref().and_then(|s| s.address.as_ref())
    } else {
        attach.0.target.as_ref().and_then(|t| t.address.as_ref())
    };
    address.map(ToString::to_string)
}

impl Conn {
    /// A fresh connection over `shared`, with its token check running (it ends with the
    /// connection).
    pub fn new(shared: Arc<Shared>) -> Rc<Self> {
        let conn = Rc::new(Self {
            shared,
            tokens: RefCell::new(Tokens::default()),
            replies: RefCell::new(Vec::new()),
            inbound: RefCell::new(Vec::new()),
            guarded: RefCell::new(GuardedLinks::default()),
        });
        let weak = Rc::downgrade(&conn);
        ntex_rt::spawn(async move {
            loop {
                tokio::time::sleep(TOKEN_CHECK).await;
                let Some(conn) = weak.upgrade() else { break };
                conn.detach_expired();
            }
        });
        conn
    }

    /// Detaches the links no valid token covers any more.
    pub fn detach_expired(&self) {
        if self.guarded.borrow().is_empty() {
            return;
        }
        let expired = {
            let tokens = self.tokens.borrow();
            self.guarded
                .borrow_mut()
                .expired(|path| self.shared.authorized(&tokens, path))
        };
        for link in expired {
            if let LinkEnd::Inbound(_) = link.link {
                self.inbound.borrow_mut().retain(|l| l.name != link.name);
            }
            link.detach_expired();
        }
    }

    /// Guards a link authorized for `address` (when it needs a token).
    fn guard(&self, address: &Address, name: &str, entity: &str, link: LinkEnd) {
        if let Some(path) = address.audience_path() {
            self.guarded.borrow_mut().add(Guarded {
                name: name.to_owned(),
                path,
                entity: entity.to_owned(),
                link,
            });
        }
    }

    /// Is `address` usable with the tokens this connection holds?
    fn authorized(&self, address: &Address) -> bool {
        address
            .audience_path()
            .is_none_or(|path| self.shared.authorized(&self.tokens.borrow(), &path))
    }

    /// Control frames: attaches of links the endpoint sends on, and their detaches.
    pub fn control(&self, frame: &ControlFrame) -> Result<(), LinkError> {
        match frame.kind() {
            ControlFrameKind::AttachSender(attach, _, link) => {
                let source = terminus_address(attach, true).unwrap_or_default();
                match Address::parse(&source) {
                    Ok(node @ (Address::Cbs | Address::Management)) => {
                        link.set_max_message_size(MAX_MESSAGE_SIZE);
                        self.replies.borrow_mut().push(ReplyLink {
                            node,
                            name: attach.0.name.to_string(),
                            target: terminus_address(attach, false).unwrap_or_default(),
                            link: link.clone(),
                        });
                        Ok(())
                    }
                    Ok(
                        ref address @ Address::ConsumerPartition {
                            ref hub,
                            ref group,
                            partition,
                        },
                    ) => {
                        if !self.authorized(address) {
                            return Err(conditions::unauthorized(&source));
                        }
                        let plan =
                            receiver::plan(&self.shared, attach, (hub, group, partition), &source)?;
                        let ownership = receiver::register(&self.shared, &plan)?;
                        link.set_max_message_size(MAX_MESSAGE_SIZE);
                        self.guard(
                            address,
                            &attach.0.name,
                            &source,
                            LinkEnd::Outbound(link.clone()),
                        );
                        ntex_rt::spawn(receiver::run(
                            self.shared.clone(),
                            link.clone(),
                            plan,
                            ownership,
                        ));
                        Ok(())
                    }
                    _ => Err(conditions::not_found(&source)),
                }
            }
            ControlFrameKind::RemoteDetachSender(_, link)
            | ControlFrameKind::LocalDetachSender(_, link) => {
                // Handles are per session; names tell links apart.
                let name = link.name();
                self.replies.borrow_mut().retain(|r| *name != r.name);
                self.guarded.borrow_mut().remove(name, true);
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// Publish-side messages: attaches of links the client sends on, and their transfers.
    pub async fn publish(&self, message: types::Message) -> Result<(), LinkError> {
        match message {
            types::Message::Attached(attach, link) => self.attach_inbound(&attach, &link),
            types::Message::Transfer(link) => {
                while let Some((mut delivery, transfer)) = link.get_delivery() {
                    let outcome = self.transfer(&link, &transfer).await;
                    link.set_link_credit(1);
                    match outcome {
                        Ok(()) => delivery.settle(DeliveryState::Accepted(Accepted {})),
                        Err(e) => {
                            tracing::info!(error = ?e, "transfer rejected");
                            delivery.settle(DeliveryState::Rejected(protocol::Rejected {
                                error: Some(e.into()),
                            }));
                        }
                    }
                }
                Ok(())
            }
            types::Message::Detached(link) => {
                let name = link.name();
                self.inbound.borrow_mut().retain(|l| *name != l.name);
                self.guarded.borrow_mut().remove(name, false);
                Ok(())
            }
            types::Message::DetachedAll(links) => {
                let mut inbound = self.inbound.borrow_mut();
                let mut guarded = self.guarded.borrow_mut();
                for link in links {
                    let name = link.name();
                    inbound.retain(|l| *name != l.name);
                    guarded.remove(name, false);
                }
                Ok(())
            }
        }
    }

    fn attach_inbound(
        &self,
        attach: &protocol::Attach,
        link: &ReceiverLink,
    ) -> Result<(), LinkError> {
        let target = terminus_address(attach, false).unwrap_or_default();
        let address = Address::parse(&target).map_err(|_| conditions::not_found(&target))?;
        link.set_max_message_size(u64::from(MAX_MESSAGE_SIZE));
        // Credit: ntex grants 50 once the attach is answered (a flow sent before the answer
        // would name a handle the client does not know yet: rhea fails on it), and every
        // delivery gives one back (`publish`), so a client never runs out between its sends.
        match &address {
            Address::Cbs | Address::Management => {}
            Address::Hub { hub, partition } => {
                if !self.authorized(&address) {
                    return Err(conditions::unauthorized(&target));
                }
                let hub_target = HubTarget {
                    hub: hub.clone(),
                    partition: *partition,
                };
                sender::check(&self.shared.namespace, &hub_target, &target)?;
                self.guard(
                    &address,
                    link.name(),
                    &target,
                    LinkEnd::Inbound(link.clone()),
                );
            }
            Address::ConsumerPartition { .. } => return Err(conditions::not_found(&target)),
        }
        self.inbound.borrow_mut().push(InboundLink {
            name: link.name().to_string(),
            address,
            entity: target,
        });
        Ok(())
    }

    async fn transfer(
        &self,
        link: &ReceiverLink,
        transfer: &protocol::Transfer,
    ) -> Result<(), LinkError> {
        let name = link.name();
        let (address, entity) = self
            .inbound
            .borrow()
            .iter()
            .find(|l| *name == l.name)
            .map(|l| (l.address.clone(), l.entity.clone()))
            .ok_or_else(|| {
                conditions::amqp(protocol::AmqpError::IllegalState, "unknown link".to_owned())
            })?;
        let payload = sender::payload(transfer)?;
        match address {
            Address::Hub { hub, partition } => {
                let format = transfer.message_format().unwrap_or(0);
                let target = HubTarget { hub, partition };
                sender::send(
                    self.shared.namespace.clone(),
                    target,
                    entity,
                    format,
                    payload,
                )
                .await
            }
            Address::Cbs => {
                let request = decode(payload)?;
                let now = self.shared.now_secs();
                let outcome = cbs::put_token(
                    &request,
                    &self.shared.sas,
                    &mut self.tokens.borrow_mut(),
                    now,
                );
                if let Err(e) = outcome {
                    tracing::info!(error = %e, "put-token refused");
                }
                let reply = cbs::put_token_response(&request, outcome.as_deref().map_err(|e| *e));
                self.reply(&Address::Cbs, &request, reply);
                Ok(())
            }
            Address::Management => {
                let request = decode(payload)?;
                let outcome = self.management(&request);
                let reply = management::reply(&request, outcome);
                self.reply(&Address::Management, &request, reply);
                Ok(())
            }
            Address::ConsumerPartition { .. } => Err(conditions::not_found(&entity)),
        }
    }

    fn management(
        &self,
        request: &Message,
    ) -> Result<ntex_amqp::codec::types::Variant, ManagementError> {
        let parsed = Request::parse(request)?;
        let hub = parsed.hub().to_ascii_lowercase();
        let mut authorized = self.shared.authorized(&self.tokens.borrow(), &hub);
        if !authorized && let Some(token) = cbs::app_text(request, "security_token") {
            authorized = self
                .shared
                .sas
                .check_token(token, &format!("/{hub}"), self.shared.now_secs())
                .is_ok();
        }
        if !authorized {
            return Err(ManagementError::Unauthorized);
        }
        management::answer(&self.shared.namespace, &parsed)
    }

    /// Sends `reply` on the link `request.reply-to` names (by target address, else by link
    /// name), else on the latest `node` link.
    fn reply(&self, node: &Address, request: &Message, reply: Message) {
        let reply_to = request
            .properties()
            .and_then(|p| p.reply_to.as_ref())
            .map(ToString::to_string);
        let replies = self.replies.borrow();
        let named = reply_to.as_ref().and_then(|to| {
            let rev = || replies.iter().rev();
            rev()
                .find(|r| r.target == *to)
                .or_else(|| rev().find(|r| r.name == *to))
        });
        let link = named.or_else(|| replies.iter().rev().find(|r| r.node == *node));
        let Some(link) = link.map(|r| r.link.clone()) else {
            tracing::info!(?reply_to, "no link to reply on");
            return;
        };
        tracing::debug!(?reply_to, link = %link.name(), "replying");
        ntex_rt::spawn(async move {
            match link.transfer(reply).settled().format(0).send().await {
                Ok(_) => tracing::debug!("reply sent"),
                Err(e) => tracing::info!(error = %e, "sending a reply failed"),
            }
        });
    }
}

/// The request message a transfer carries.
fn decode(mut payload: ntex_bytes::Bytes) -> Result<Message, LinkError> {
    Message::decode(&mut payload)
        .map_err(|e| conditions::amqp(protocol::AmqpError::DecodeError, e.to_string()))
}
