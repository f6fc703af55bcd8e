//! The seed (spec §2): every participant commits to a contribution before anyone reveals, so
//! no one — the platform included — can choose a seed after seeing the others.

use crate::error::DrawError;
use crate::hash::{sha256, sha256_hex};

/// The 32 raw bytes every ticket is hashed from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Seed(pub [u8; 32]);

impl Seed {
    pub fn hex(&self) -> String {
        hex::encode(self.0)
    }
}

/// `hex(SHA-256("SSJ-COMMIT/1" 0x00 contribution))`.
pub fn commitment(contribution: &str) -> String {
    let mut message = b"SSJ-COMMIT/1\0".to_vec();
    message.extend_from_slice(contribution.as_bytes());
    sha256_hex(&message)
}

/// Checks each reveal against its commitment, in commitment order.
pub fn check_reveals(commitments: &[String], reveals: &[String]) -> Result<(), DrawError> {
    if commitments.len() != reveals.len() {
        return Err(DrawError::RevealCount(commitments.len(), reveals.len()));
    }
    for (i, (c, r)) in commitments.iter().zip(reveals).enumerate() {
        // Exactly the lowercase hex the spec fixes: "ABC…" is not the published commitment
        // (spec §6); the platform lowercases a commitment when it is entered.
        if *c != commitment(r) {
            return Err(DrawError::RevealMismatch { index: i + 1 });
        }
    }
    Ok(())
}

/// `SHA-256("SSJ-SEED/1" 0x00 task_id 0x00 candidate_digest 0x00 reveal_1 … 0x00 reveal_n)`.
pub fn derive_seed(task_id: &str, candidate_digest: &str, reveals: &[String]) -> Seed {
    let mut message = b"SSJ-SEED/1".to_vec();
    for part in [task_id, candidate_digest]
        .into_iter()
        .chain(reveals.iter().map(String::as_str))
    {
        message.push(0);
        message.extend_from_slice(part.as_bytes());
    }
    Seed(sha256(&message))
}
