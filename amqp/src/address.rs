//! Link addresses and CBS audiences, as the Event Hubs SDKs write them (reference §2.4, §4.1,
//! §5.1): an optional `scheme://authority`, then a path whose segment names (`Partitions`,
//! `ConsumerGroups`) compare case-insensitively.
//!
//! | address                                        | [`Address`]                 |
//! |------------------------------------------------|-----------------------------|
//! | `$cbs`                                         | `Cbs`                       |
//! | `$management`                                  | `Management`                |
//! | `amqps://host/hub`, `hub`, `/hub`              | `Hub { partition: None }`   |
//! | `…/hub/Partitions/3`                           | `Hub { partition: Some(3) }`|
//! | `…/hub/ConsumerGroups/$Default/Partitions/3`   | `ConsumerPartition`         |

use crate::error::AddressError;
use crate::limits::MAX_ADDRESS_LEN;

/// What a link's address names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Address {
    /// The claims-based-security node.
    Cbs,
    /// The management node.
    Management,
    /// A hub, or one of its partitions (sender links).
    Hub {
        /// The hub's name as written.
        hub: String,
        /// The partition id, when the address names one.
        partition: Option<u32>,
    },
    /// A consumer group's view of one partition (receiver links).
    ConsumerPartition {
        /// The hub's name as written.
        hub: String,
        /// The consumer group as written.
        group: String,
        /// The partition id.
        partition: u32,
    },
}

/// The path of an address or audience: without `scheme://authority`, query and fragment, and
/// without leading and trailing `/`. Text without a scheme is a path already.
pub fn path_of(text: &str) -> &str {
    let path = match text.split_once("://") {
        Some((_, rest)) => rest.find('/').map_or("", |slash| &rest[slash..]),
        None => text,
    };
    let path = path.split(['?', '#']).next().unwrap_or_default();
    path.trim_matches('/')
}

fn partition_id(text: &str) -> Result<u32, AddressError> {
    if text.is_empty() || text.len() > 10 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(AddressError::BadPartition);
    }
    text.parse().map_err(|_| AddressError::BadPartition)
}

impl Address {
    /// Parses a link address.
    pub fn parse(text: &str) -> Result<Self, AddressError> {
        if text.len() > MAX_ADDRESS_LEN {
            return Err(AddressError::TooLong);
        }
        let path = path_of(text);
        let segments: Vec<&str> = path.split('/').collect();
        let is = |index: usize, name: &str| segments[index].eq_ignore_ascii_case(name);
        let named = |segment: &str| -> Result<String, AddressError> {
            if segment.is_empty() {
                Err(AddressError::Empty)
            } else {
                Ok(segment.to_owned())
            }
        };
        match segments.len() {
            1 if path == "$cbs" => Ok(Self::Cbs),
            1 if path == "$management" => Ok(Self::Management),
            1 => Ok(Self::Hub {
                hub: named(segments[0])?,
                partition: None,
            }),
            3 if is(1, "Partitions") => Ok(Self::Hub {
                hub: named(segments[0])?,
                partition: Some(partition_id(segments[2])?),
            }),
            5 if is(1, "ConsumerGroups") && is(3, "Partitions") => Ok(Self::ConsumerPartition {
                hub: named(segments[0])?,
                group: named(segments[2])?,
                partition: partition_id(segments[4])?,
            }),
            _ => Err(AddressError::Unknown),
        }
    }

    /// The path a CBS token must cover for a link on this address (`hub`,
    /// `hub/partitions/3`, `hub/consumergroups/g/partitions/3`), lower-cased; `None` for the
    /// `$cbs` and `$management` nodes, which need no token.
    pub fn audience_path(&self) -> Option<String> {
        match self {
            Self::Cbs | Self::Management => None,
            Self::Hub {
                hub,
                partition: None,
            } => Some(hub.to_ascii_lowercase()),
            Self::Hub {
                hub,
                partition: Some(p),
            } => Some(format!("{}/partitions/{p}", hub.to_ascii_lowercase())),
            Self::ConsumerPartition {
                hub,
                group,
                partition,
            } => Some(format!(
                "{}/consumergroups/{}/partitions/{partition}",
                hub.to_ascii_lowercase(),
                group.to_ascii_lowercase()
            )),
        }
    }
}

/// Does a token for audience path `granted` (as [`path_of`] gives it) authorize `wanted`?
/// The REST path's rule: a `/`-segment prefix, case-insensitive; empty is the namespace.
pub use gridlog::sas::covers;

#[cfg(test)]
mod tests {
    use super::*;

    fn hub(name: &str, partition: Option<u32>) -> Address {
        Address::Hub {
            hub: name.to_owned(),
            partition,
        }
    }

    #[test]
    fn parses_what_the_sdks_send() {
        let cases = [
            ("$cbs", Address::Cbs),
            ("$management", Address::Management),
            ("amqps://localhost/eh1", hub("eh1", None)),
            (
                "amqps://localhost:5672/eh1/Partitions/0",
                hub("eh1", Some(0)),
            ),
            ("eh1", hub("eh1", None)),
            ("/eh1/partitions/31", hub("eh1", Some(31))),
            (
                "amqps://localhost/eh1/ConsumerGroups/$Default/Partitions/2",
                Address::ConsumerPartition {
                    hub: "eh1".to_owned(),
                    group: "$Default".to_owned(),
                    partition: 2,
                },
            ),
        ];
        for (text, want) in cases {
            assert_eq!(Address::parse(text), Ok(want), "{text}");
        }
    }

    #[test]
    fn refuses_what_names_nothing() {
        for (text, want) in [
            ("", AddressError::Empty),
            ("amqps://localhost", AddressError::Empty),
            ("eh1/Partitions/", AddressError::Unknown),
            ("eh1/Partitions/-1", AddressError::BadPartition),
            ("eh1/Partitions/99999999999", AddressError::BadPartition),
            ("eh1/Partitions/x", AddressError::BadPartition),
            ("eh1/Other/1", AddressError::Unknown),
            ("eh1/ConsumerGroups/g", AddressError::Unknown),
            ("eh1/ConsumerGroups//Partitions/0", AddressError::Empty),
        ] {
            assert_eq!(Address::parse(text), Err(want), "{text}");
        }
        assert_eq!(
            Address::parse(&"a".repeat(MAX_ADDRESS_LEN + 1)),
            Err(AddressError::TooLong)
        );
    }

    #[test]
    fn audiences_cover_their_subtrees_only() {
        let consumer = Address::parse("eh1/ConsumerGroups/$Default/Partitions/0")
            .ok()
            .and_then(|a| a.audience_path());
        let consumer = consumer.as_deref().unwrap_or_default();
        assert!(covers(path_of("sb://localhost/eh1"), consumer));
        assert!(covers(
            path_of("sb://localhost/eh1/consumergroups/$default"),
            consumer
        ));
        assert!(covers(path_of("sb://localhost/"), consumer));
        assert!(!covers(path_of("sb://localhost/eh"), consumer));
        assert!(!covers(
            path_of("sb://localhost/eh1/consumergroups/other"),
            consumer
        ));
        assert!(!covers(path_of("sb://localhost/eh2"), "eh1"));
    }
}
