//! One AMQP connection's state and its two services: the control service (links the client
//! attaches as a receiver, i.e. the endpoint sends: `$cbs`/`$management` reply links) and
//! the publish service (links the client attaches as a sender: requests and events).

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

use ntex_amqp::codec::protocol::{self, Accepted, DeliveryState, ErrorCondition, TransferBody};
use ntex_amqp::codec::{Decode, Message};
use ntex_amqp::error::LinkError;
use ntex_amqp::{ControlFrame, ControlFrameKind, ReceiverLink, SenderLink, types};
use ntex_bytes::Bytes;

use crate::address::Address;
use crate::cbs;
use crate::limits::{MAX_MESSAGE_SIZE, REQUEST_LINK_CREDIT};
use crate::shared::Shared;
use crate::tokens::Tokens;

/// A link on which the endpoint sends responses: the client's receiver on `$cbs` or
/// `$management`.
struct ReplyLink {
    /// `$cbs` or `$management`.
    node: Address,
    /// The link's target address (what a request's `reply-to` names).
    target: String,
    link: SenderLink,
}

/// A link on which the client sends.
struct InboundLink {
    handle: u32,
    address: Address,
}

/// The state of one connection.
pub struct Conn {
    shared: Arc<Shared>,
    tokens: RefCell<Tokens>,
    replies: RefCell<Vec<ReplyLink>>,
    inbound: RefCell<Vec<InboundLink>>,
}

fn error(condition: protocol::AmqpError, description: String) -> LinkError {
    LinkError::new(ErrorCondition::AmqpError(condition)).description(description)
}

fn terminus_address(attach: &protocol::Attach, source: bool) -> Option<String> {
    let address = if source {
        attach.0.source.as_ref().and_then(|s| s.address.as_ref())
    } else {
        attach.0.target.as_ref().and_then(|t| t.address.as_ref())
    };
    address.map(ToString::to_string)
}

impl Conn {
    /// A fresh connection over `shared`.
    pub fn new(shared: Arc<Shared>) -> Rc<Self> {
        Rc::new(Self {
            shared,
            tokens: RefCell::new(Tokens::default()),
            replies: RefCell::new(Vec::new()),
            inbound: RefCell::new(Vec::new()),
        })
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
                            target: terminus_address(attach, false).unwrap_or_default(),
                            link: link.clone(),
                        });
                        Ok(())
                    }
                    _ => Err(error(
                        protocol::AmqpError::NotFound,
                        format!("The messaging entity '{source}' could not be found."),
                    )),
                }
            }
            ControlFrameKind::RemoteDetachSender(_, link)
            | ControlFrameKind::LocalDetachSender(_, link) => {
                let id = link.id();
                self.replies.borrow_mut().retain(|r| r.link.id() != id);
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// Publish-side messages: attaches of links the client sends on, and their transfers.
    pub fn publish(&self, message: types::Message) -> Result<(), LinkError> {
        match message {
            types::Message::Attached(attach, link) => self.attach_inbound(&attach, &link),
            types::Message::Transfer(link) => {
                while let Some((mut delivery, transfer)) = link.get_delivery() {
                    let outcome = self.transfer(&link, &transfer);
                    link.set_link_credit(1);
                    match outcome {
                        Ok(()) => delivery.settle(DeliveryState::Accepted(Accepted {})),
                        Err(e) => {
                            delivery.settle(DeliveryState::Rejected(protocol::Rejected {
                                error: Some(e.into()),
                            }));
                        }
                    }
                }
                Ok(())
            }
            types::Message::Detached(link) => {
                let handle = link.handle();
                self.inbound.borrow_mut().retain(|l| l.handle != handle);
                Ok(())
            }
            types::Message::DetachedAll(links) => {
                let mut inbound = self.inbound.borrow_mut();
                for link in links {
                    let handle = link.handle();
                    inbound.retain(|l| l.handle != handle);
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
        let address = Address::parse(&target).map_err(|e| {
            error(
                protocol::AmqpError::NotFound,
                format!("The messaging entity '{target}' could not be found: {e}."),
            )
        })?;
        match &address {
            Address::Cbs | Address::Management => {
                link.set_max_message_size(u64::from(MAX_MESSAGE_SIZE));
                // pyamqp grants itself credit and may overrun ours; ntex detaches a link
                // that sends without credit, so keep plenty granted (topped up per delivery).
                link.set_link_credit(REQUEST_LINK_CREDIT);
            }
            Address::Hub { .. } | Address::ConsumerPartition { .. } => {
                return Err(error(
                    protocol::AmqpError::NotFound,
                    format!("The messaging entity '{target}' could not be found."),
                ));
            }
        }
        self.inbound.borrow_mut().push(InboundLink {
            handle: link.handle(),
            address,
        });
        Ok(())
    }

    fn transfer(
        &self,
        link: &ReceiverLink,
        transfer: &protocol::Transfer,
    ) -> Result<(), LinkError> {
        let handle = link.handle();
        let address = self
            .inbound
            .borrow()
            .iter()
            .find(|l| l.handle == handle)
            .map(|l| l.address.clone())
            .ok_or_else(|| error(protocol::AmqpError::IllegalState, "unknown link".to_owned()))?;
        let request = decode(transfer)?;
        match address {
            Address::Cbs => {
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
            _ => Err(error(
                protocol::AmqpError::NotImplemented,
                "not implemented".to_owned(),
            )),
        }
    }

    /// Sends `reply` on the link `request.reply-to` names, else on the latest `node` link.
    fn reply(&self, node: &Address, request: &Message, reply: Message) {
        let reply_to = request
            .properties()
            .and_then(|p| p.reply_to.as_ref())
            .map(ToString::to_string);
        let replies = self.replies.borrow();
        let link = match &reply_to {
            Some(to) => replies.iter().rev().find(|r| r.target == *to),
            None => replies.iter().rev().find(|r| r.node == *node),
        };
        let Some(link) = link.map(|r| r.link.clone()) else {
            tracing::info!(?reply_to, "no link to reply on");
            return;
        };
        ntex_rt::spawn(async move {
            if let Err(e) = link.transfer(reply).settled().send().await {
                tracing::info!(error = %e, "sending a reply failed");
            }
        });
    }
}

/// The message a transfer carries.
fn decode(transfer: &protocol::Transfer) -> Result<Message, LinkError> {
    let decode_error = |text: &str| error(protocol::AmqpError::DecodeError, text.to_owned());
    match transfer.body() {
        Some(TransferBody::Data(bytes)) => {
            let mut bytes: Bytes = bytes.clone();
            Message::decode(&mut bytes).map_err(|e| decode_error(&e.to_string()))
        }
        Some(TransferBody::Message(message)) => Ok(message.clone()),
        Some(TransferBody::Pages(_)) | None => Err(decode_error("the transfer has no message")),
    }
}
