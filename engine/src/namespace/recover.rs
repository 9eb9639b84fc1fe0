//! Recovery on open: the state from the index when it is valid, else rebuilt from the WAL.

use gridlog_wal::{Seq, Wal};

use super::{IndexRecovery, crc};
use crate::error::EngineError;
use crate::index::{IndexCheckpoint, StateIndex};
use crate::record::{self, StateRecord};
use crate::state::{NamespaceState, Now, Snapshot};

/// Rebuilds the state: from the index if it is valid, else from the WAL.
pub(super) fn recover_state(
    wal: &Wal,
    index: &dyn StateIndex,
    now: Now,
    created: bool,
) -> Result<(NamespaceState, IndexRecovery), EngineError> {
    let loaded = if created {
        Err("new namespace".to_owned())
    } else {
        load_index(wal, index, now)
    };
    let (mut state, from, mut base, covered, reason) = match loaded {
        Ok(state) => {
            let covered = state.applied_seq;
            (state, covered + 1, true, Some(covered), String::new())
        }
        Err(reason) => {
            // Whatever is there is useless (or another namespace's): forget it before rebuilding.
            index.clear()?;
            (
                NamespaceState::new(),
                wal.first_seq().0,
                false,
                None,
                reason,
            )
        }
    };
    let mut replayed = 0_u64;
    for item in wal.iter_from(Seq(from)) {
        let (seq, bytes) = item?;
        let rec = record::decode(seq.0, &bytes)?;
        replayed += 1;
        if !base {
            // Before the first complete base (the `Created` record or a whole checkpoint),
            // records are covered by that base and skipped.
            match &rec {
                StateRecord::Created { .. } => base = true,
                StateRecord::Checkpoint { .. } => {
                    state.apply(seq.0, &rec, now)?;
                    base = state.secret.is_some();
                    continue;
                }
                _ => continue,
            }
        }
        state.apply(seq.0, &rec, now)?;
    }
    // A new namespace's first record (its `Created`) is appended once it is open.
    if state.secret.is_none() && !created {
        return Err(EngineError::Corrupt {
            seq: wal.first_seq().0,
            reason: "the WAL holds neither a Created record nor a complete checkpoint".to_owned(),
        });
    }
    let recovery = match covered {
        _ if created => IndexRecovery::Created,
        Some(covered) => IndexRecovery::Loaded { covered, replayed },
        None => IndexRecovery::Rebuilt { reason, replayed },
    };
    Ok((state, recovery))
}

/// The state from the index, if the index is present, decodable, not ahead of the WAL, and
/// its fingerprint matches the WAL record it claims to cover. `Err` says why not.
fn load_index(wal: &Wal, index: &dyn StateIndex, now: Now) -> Result<NamespaceState, String> {
    let blob = index
        .load()
        .map_err(|e| format!("index unreadable: {e}"))?
        .ok_or_else(|| "index missing".to_owned())?;
    let checkpoint: IndexCheckpoint =
        gridlog_format::decode_state_record(&blob).map_err(|e| format!("index corrupt: {e}"))?;
    // Peak memory of an open is this function's: let each encoded copy go once decoded.
    drop(blob);
    if checkpoint.version != 1 {
        return Err(format!("index version {} unknown", checkpoint.version));
    }
    let next = wal.next_seq().0;
    if checkpoint.covered_seq >= next {
        return Err(format!(
            "index ahead of the WAL (covers {}, WAL ends at {})",
            checkpoint.covered_seq,
            next.saturating_sub(1)
        ));
    }
    if checkpoint.covered_seq < wal.first_seq().0 {
        return Err(format!(
            "index older than the retained WAL (covers {}, WAL starts at {})",
            checkpoint.covered_seq,
            wal.first_seq().0
        ));
    }
    let bytes = wal
        .read(Seq(checkpoint.covered_seq))
        .map_err(|e| format!("index position unreadable: {e}"))?;
    if crc(&bytes) != checkpoint.fingerprint {
        return Err("index fingerprint does not match the WAL".to_owned());
    }
    if crc(&checkpoint.snapshot) != checkpoint.snapshot_crc {
        return Err("index snapshot checksum mismatch".to_owned());
    }
    let snapshot = Snapshot::decode(&checkpoint.snapshot)
        .map_err(|e| format!("index snapshot corrupt: {e}"))?;
    let secret = snapshot.secret.ok_or("index snapshot has no secret")?;
    if crc(&secret) != checkpoint.identity {
        return Err("index identity does not match its snapshot".to_owned());
    }
    // The namespace identity: the first retained record names the secret when it is `Created`.
    if let Ok(first) = wal.read(wal.first_seq())
        && let Ok(StateRecord::Created {
            secret: wal_secret, ..
        }) = record::decode(wal.first_seq().0, &first)
        && wal_secret != secret
    {
        return Err("index belongs to another namespace".to_owned());
    }
    let covered = checkpoint.covered_seq;
    drop(checkpoint);
    let mut state = NamespaceState::new();
    state.restore(&snapshot, now)?;
    state.applied_seq = covered;
    Ok(state)
}
