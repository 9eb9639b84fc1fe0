//! [`Namespace::settle_async`]: settlement for callers that must not block.

use super::Namespace;
use super::committer::{Committing, SettleWrite, Write};
use super::delivery::SettleOp;
use super::types::{SettleOutcome, Settlement};

impl Settlement {
    fn op(self) -> SettleOp {
        match self {
            Self::Acknowledge => SettleOp::Ack,
            Self::Release(delay) => SettleOp::Release(delay.duration()),
            Self::Reject => SettleOp::Reject,
            Self::RenewLock => SettleOp::Renew,
        }
    }
}

impl Namespace {
    /// [`acknowledge`](Self::acknowledge), [`release`](Self::release),
    /// [`reject`](Self::reject) or [`renew_locks`](Self::renew_locks) without blocking: the
    /// tokens are authenticated on the caller's thread, then the settlement is queued for the
    /// namespace's committer threads, which decide it under the state lock with every other
    /// write queued so far and sync them together (see `committer.rs`). The future resolves
    /// once the settlement's records are durable (default durability), with the same outcome
    /// the blocking calls return. Dropping the future does not cancel it.
    pub fn settle_async(
        &self,
        topic: &str,
        sub: &str,
        tokens: Vec<String>,
        settlement: Settlement,
    ) -> Committing<SettleOutcome> {
        let refs: Vec<&str> = tokens.iter().map(String::as_str).collect();
        let verified = match self.inner.verify_settlement(&refs) {
            Ok(verified) => verified,
            Err(refused) => return Committing::ready(Err(refused)),
        };
        drop(refs);
        let (reply, committing) = Committing::channel();
        let settle = SettleWrite {
            topic: topic.to_owned(),
            sub: sub.to_owned(),
            tokens,
            verified,
            op: settlement.op(),
        };
        self.inner.committer.submit(
            &self.inner,
            Write::Settle {
                settle: Box::new(settle),
                reply,
            },
        );
        committing
    }
}
