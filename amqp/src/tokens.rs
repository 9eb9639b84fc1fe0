//! The audiences one connection holds valid `$cbs` tokens for, with their expiry.

use crate::address::covers;
use crate::error::CbsError;
use crate::limits::MAX_TOKENS_PER_CONNECTION;

/// Audience paths (as [`crate::address::path_of`] gives them) with their token's expiry
/// (unix seconds, exclusive).
#[derive(Debug, Default)]
pub struct Tokens {
    granted: Vec<(String, i64)>,
}

impl Tokens {
    /// Records (or refreshes) a verified token for `audience` valid until `expiry`.
    pub fn put(&mut self, audience: &str, expiry: i64, now_secs: i64) -> Result<(), CbsError> {
        if let Some(slot) = self
            .granted
            .iter_mut()
            .find(|(path, _)| path.eq_ignore_ascii_case(audience))
        {
            slot.1 = expiry;
            return Ok(());
        }
        if self.granted.len() >= MAX_TOKENS_PER_CONNECTION {
            self.granted.retain(|(_, until)| *until > now_secs);
        }
        if self.granted.len() >= MAX_TOKENS_PER_CONNECTION {
            return Err(CbsError::TooManyTokens);
        }
        self.granted.push((audience.to_owned(), expiry));
        Ok(())
    }

    /// Is `path` covered by a token that is still valid at `now_secs`?
    pub fn authorizes(&self, path: &str, now_secs: i64) -> bool {
        self.granted
            .iter()
            .any(|(granted, until)| *until > now_secs && covers(granted, path))
    }

    /// The latest expiry among the tokens covering `path` (for detaching a link when it
    /// passes), if any is valid at `now_secs`.
    pub fn expiry_for(&self, path: &str, now_secs: i64) -> Option<i64> {
        self.granted
            .iter()
            .filter(|(granted, until)| *until > now_secs && covers(granted, path))
            .map(|(_, until)| *until)
            .max()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_authorizes_its_subtree_until_it_expires_and_a_refresh_extends_it() {
        let mut tokens = Tokens::default();
        assert!(!tokens.authorizes("eh1", 100));
        assert_eq!(tokens.put("eh1", 200, 100), Ok(()));
        assert!(tokens.authorizes("eh1", 199));
        assert!(tokens.authorizes("eh1/consumergroups/$default/partitions/0", 150));
        assert!(!tokens.authorizes("eh2", 150));
        assert!(!tokens.authorizes("eh1", 200));
        assert_eq!(tokens.put("EH1", 300, 250), Ok(()));
        assert!(tokens.authorizes("eh1", 250));
        assert_eq!(tokens.expiry_for("eh1/partitions/1", 250), Some(300));
        assert_eq!(tokens.expiry_for("eh1", 300), None);
    }

    #[test]
    fn the_table_is_bounded_and_expired_entries_make_room() {
        let mut tokens = Tokens::default();
        for i in 0..MAX_TOKENS_PER_CONNECTION {
            assert_eq!(tokens.put(&format!("h{i}"), 10, 0), Ok(()));
        }
        assert_eq!(tokens.put("one-more", 10, 0), Err(CbsError::TooManyTokens));
        assert_eq!(tokens.put("one-more", 20, 10), Ok(()));
        assert!(tokens.authorizes("one-more", 10));
        assert!(!tokens.authorizes("h0", 10));
    }
}
