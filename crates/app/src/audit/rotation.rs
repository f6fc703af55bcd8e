//! Rotating the checkpoint signing key. The old key endorses the new one in a public record of
//! the log (`audit.key_rotated`), signs a checkpoint that covers that record, and the new key
//! then signs the same tree. Old checkpoints stay verifiable under the old key; a checkpoint
//! the old key signs after the new key's first one is refused (docs/audit-log.md, "密钥轮换").

use crate::{Actor, AppError, AppResult, ErrorKind, Platform, clock, keys};
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde::Deserialize;
use ssj_storage::{AuditFilter, Checkpoint};
use std::path::Path;

pub const ROTATION_ACTION: &str = "audit.key_rotated";

/// The text the old key signs to endorse the new one.
pub fn endorsement_message(alg: &str, old: &[u8], new: &[u8]) -> String {
    format!(
        "shuangsuiji/audit-key-rotation/v1\n{alg}\n{}\n{}\n",
        hex::encode(old),
        hex::encode(new)
    )
}

/// A rotation as the log records it (the record's `after`).
#[derive(Debug, Clone, Deserialize)]
pub struct Rotation {
    #[serde(skip)]
    pub seq: u64,
    pub old_public_key: String,
    pub new_public_key: String,
    pub endorsement: String,
}

impl Rotation {
    fn endorsed(&self, alg: &str) -> bool {
        let (Ok(old), Ok(new), Ok(sig)) = (
            hex::decode(&self.old_public_key),
            hex::decode(&self.new_public_key),
            hex::decode(&self.endorsement),
        ) else {
            return false;
        };
        let Ok(old_arr) = <[u8; 32]>::try_from(old.as_slice()) else {
            return false;
        };
        let (Ok(key), Ok(sig)) = (
            VerifyingKey::from_bytes(&old_arr),
            Signature::from_slice(&sig),
        ) else {
            return false;
        };
        key.verify(endorsement_message(alg, &old, &new).as_bytes(), &sig)
            .is_ok()
    }
}

/// Checks every checkpoint's signature along the chain of keys: the first checkpoint's key,
/// then each key a rotation record endorses once a checkpoint of the old key covers that record.
/// Returns the key the chain ends with, or the 1-based number of the first checkpoint that fails
/// and why.
pub fn check_chain(
    checkpoints: &[Checkpoint],
    rotations: &[Rotation],
) -> Result<Option<Vec<u8>>, (usize, String)> {
    let mut current: Option<Vec<u8>> = None;
    // The largest tree the current key has signed: a rotation it covers may take effect.
    let mut covered = 0u64;
    for (i, c) in checkpoints.iter().enumerate() {
        let key = match &current {
            None => c.public_key.clone(),
            Some(k) if *k == c.public_key => k.clone(),
            Some(k) => {
                let hex_old = hex::encode(k);
                let hex_new = hex::encode(&c.public_key);
                let endorsed = rotations.iter().any(|r| {
                    r.old_public_key == hex_old
                        && r.new_public_key == hex_new
                        && r.seq < covered
                        && r.endorsed(&c.hash_alg)
                });
                if !endorsed {
                    return Err((
                        i + 1,
                        "由另一把密钥签名，而日志中没有经原密钥签名认可的轮换记录（或是已轮换掉的旧密钥）"
                            .into(),
                    ));
                }
                covered = 0;
                c.public_key.clone()
            }
        };
        let arr: [u8; 32] = key
            .as_slice()
            .try_into()
            .map_err(|_| (i + 1, "公钥长度无效".to_string()))?;
        super::check_signature(c, &arr).map_err(|why| (i + 1, why.to_string()))?;
        covered = covered.max(c.tree_size);
        current = Some(key);
    }
    Ok(current)
}

impl Platform {
    /// The rotations recorded in the log, oldest first.
    pub async fn rotations(&self) -> AppResult<Vec<Rotation>> {
        let filter = AuditFilter {
            actions: Some(vec![ROTATION_ACTION.into()]),
            oldest_first: true,
            limit: u32::MAX as u64,
            ..Default::default()
        };
        let (rows, _) = self.store.audit_search(&filter).await?;
        Ok(rows
            .into_iter()
            .filter_map(|r| {
                let mut rot: Rotation =
                    serde_json::from_str(r.record.entry.after.as_deref()?).ok()?;
                rot.seq = r.record.seq;
                Some(rot)
            })
            .collect())
    }

    /// Replaces the signing key in `data_dir` by a new one (see the module text). Run it with
    /// the server stopped: a server still holding the old key would sign checkpoints that
    /// every verifier then refuses. Returns the old key's last checkpoint and the new key's first.
    pub async fn rotate_key(
        &self,
        data_dir: &Path,
        reason: &str,
    ) -> AppResult<(Checkpoint, Checkpoint)> {
        self.checkpoint().await?;
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed)
            .map_err(|e| AppError::internal(format!("无法取得随机数：{e}")))?;
        let new = SigningKey::from_bytes(&seed);
        let (old_pub, new_pub) = (self.public_key(), new.verifying_key().to_bytes());
        let endorsement = self
            .signer
            .sign(endorsement_message(self.alg.name(), &old_pub, &new_pub).as_bytes());
        let now = clock::now_ms();
        let mut tx = self.store.begin().await?;
        let mut log = super::Appender::open(&mut *tx, self.alg).await?;
        let mut e = Actor::command_line().entry(ROTATION_ACTION, "audit_key", hex::encode(new_pub));
        e.after = Some(ssj_domain::audit::snapshot(&serde_json::json!({
            "old_public_key": hex::encode(old_pub),
            "new_public_key": hex::encode(new_pub),
            "endorsement": hex::encode(endorsement.to_bytes()),
        })));
        e.reason = Some(reason.to_string()).filter(|r| !r.trim().is_empty());
        log.append(&mut *tx, e, now).await?;
        tx.commit().await?;
        let last_old = self
            .checkpoint()
            .await?
            .ok_or_else(|| AppError::internal("轮换记录写入后未能签发原密钥的检查点"))?;
        keys::install(data_dir, &new)?;
        let msg_at = clock::now_ms().max(last_old.at_ms + 1);
        let msg =
            super::checkpoint_message(self.alg.name(), last_old.tree_size, &last_old.root, msg_at);
        let first_new = Checkpoint {
            tree_size: last_old.tree_size,
            root: last_old.root,
            at_ms: msg_at,
            hash_alg: self.alg.name().to_string(),
            public_key: new_pub.to_vec(),
            signature: new.sign(msg.as_bytes()).to_bytes().to_vec(),
        };
        let mut tx = self.store.begin().await?;
        tx.insert_checkpoint(&first_new).await?;
        tx.commit().await.map_err(|e| {
            AppError::new(
                ErrorKind::Internal,
                "KEY_ROTATION_INCOMPLETE",
                format!(
                    "新密钥已写入数据目录，但其首个检查点未能保存：{e}；请再次运行 audit checkpoint"
                ),
            )
        })?;
        self.anchor(&first_new)?;
        Ok((last_old, first_new))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(b: u8) -> SigningKey {
        SigningKey::from_bytes(&[b; 32])
    }

    fn signed(k: &SigningKey, size: u64, at_ms: i64) -> Checkpoint {
        let root = [size as u8; 32];
        let msg = super::super::checkpoint_message("sha256", size, &root, at_ms);
        Checkpoint {
            tree_size: size,
            root,
            at_ms,
            hash_alg: "sha256".into(),
            public_key: k.verifying_key().to_bytes().to_vec(),
            signature: k.sign(msg.as_bytes()).to_bytes().to_vec(),
        }
    }

    fn rotation(old: &SigningKey, new: &SigningKey, seq: u64) -> Rotation {
        let (o, n) = (
            old.verifying_key().to_bytes(),
            new.verifying_key().to_bytes(),
        );
        Rotation {
            seq,
            old_public_key: hex::encode(o),
            new_public_key: hex::encode(n),
            endorsement: hex::encode(
                old.sign(endorsement_message("sha256", &o, &n).as_bytes())
                    .to_bytes(),
            ),
        }
    }

    #[test]
    fn a_rotation_covered_by_the_old_key_hands_over_and_retires_it() {
        let (a, b) = (key(1), key(2));
        let r = rotation(&a, &b, 4);
        let cps = [
            signed(&a, 3, 1),
            signed(&a, 5, 2),
            signed(&b, 5, 3),
            signed(&b, 9, 4),
        ];
        let end = check_chain(&cps, std::slice::from_ref(&r)).unwrap();
        assert_eq!(end.unwrap(), b.verifying_key().to_bytes().to_vec());

        // The retired key signing again (a thief still holding it) is refused.
        let mut late = cps.to_vec();
        late.push(signed(&a, 12, 5));
        assert_eq!(
            check_chain(&late, std::slice::from_ref(&r)).unwrap_err().0,
            5
        );
    }

    #[test]
    fn a_new_key_without_a_covered_endorsed_rotation_is_refused() {
        let (a, b, c) = (key(1), key(2), key(3));
        let cps = [signed(&a, 3, 1), signed(&a, 5, 2), signed(&b, 5, 3)];
        // No rotation at all.
        assert_eq!(check_chain(&cps, &[]).unwrap_err().0, 3);
        // A rotation the old key did not sign (endorsed by another key).
        let mut forged = rotation(&c, &b, 4);
        forged.old_public_key = hex::encode(a.verifying_key().to_bytes());
        assert_eq!(check_chain(&cps, &[forged]).unwrap_err().0, 3);
        // A rotation recorded after the old key's last checkpoint: not covered by it.
        assert_eq!(check_chain(&cps, &[rotation(&a, &b, 5)]).unwrap_err().0, 3);
        // A valid signature is still required of the new key.
        let mut bad = cps.to_vec();
        bad[2].signature[0] ^= 1;
        assert_eq!(check_chain(&bad, &[rotation(&a, &b, 4)]).unwrap_err().0, 3);
    }
}
