//! Appending to the audit log, signed checkpoints, and inclusion / consistency proofs.

pub mod anchor;
pub mod public;
pub mod rotation;

use crate::{Actor, AppError, AppResult, Platform, clock};
use ed25519_dalek::{Signature, Signer, Verifier, VerifyingKey};
use serde::Serialize;
use ssj_domain::{AuditEntry, AuditRecord, Permission};
use ssj_merkle::{Frontier, Hash, HashAlg, NodeId, to_hex};
use ssj_storage::{AuditFilter, Checkpoint, StoredAudit, Tx};
use std::collections::HashMap;

/// Appends records inside a transaction that changes state. Opening it takes the log's append
/// lock, so the records get consecutive numbers and the tree stays a single line of history.
pub struct Appender {
    frontier: Frontier,
}

impl Appender {
    pub async fn open(tx: &mut dyn Tx, alg: HashAlg) -> AppResult<Appender> {
        let size = tx.lock_audit().await?;
        let peaks = ssj_merkle::peaks(size);
        let nodes = tx.audit_nodes(&peaks).await?;
        let hashes = peaks.iter().map(|p| nodes[p]).collect();
        Ok(Appender {
            frontier: Frontier::from_peaks(alg, size, hashes),
        })
    }

    pub async fn append(
        &mut self,
        tx: &mut dyn Tx,
        entry: AuditEntry,
        at_ms: i64,
    ) -> AppResult<u64> {
        let row = self.seal(entry, at_ms)?;
        let seq = row.record.seq;
        tx.insert_audit(std::slice::from_ref(&row)).await?;
        Ok(seq)
    }

    /// Appends many records with as few statements as the backend allows (imports, bulk changes).
    pub async fn append_many(
        &mut self,
        tx: &mut dyn Tx,
        entries: impl IntoIterator<Item = (AuditEntry, i64)>,
    ) -> AppResult<()> {
        let rows = entries
            .into_iter()
            .map(|(e, at)| self.seal(e, at))
            .collect::<AppResult<Vec<_>>>()?;
        tx.insert_audit(&rows).await?;
        Ok(())
    }

    /// Numbers and hashes a record as the next leaf.
    fn seal(&mut self, entry: AuditEntry, at_ms: i64) -> AppResult<StoredAudit> {
        let mut salt = [0u8; 16];
        getrandom::fill(&mut salt)
            .map_err(|e| AppError::internal(format!("无法取得随机数：{e}")))?;
        let record = AuditRecord {
            seq: self.frontier.size(),
            at_ms,
            entry,
            actor_salt: Some(salt),
        };
        let bytes = record
            .canonical_bytes(self.frontier.alg())
            .map_err(|e| AppError::internal(format!("审计记录无法编码：{e}")))?;
        let leaf_hash = self.frontier.alg().leaf(&bytes);
        let closed = ssj_merkle::pack_hashes(&self.frontier.push(leaf_hash));
        Ok(StoredAudit {
            record,
            leaf_hash,
            closed,
        })
    }

    pub fn size(&self) -> u64 {
        self.frontier.size()
    }
}

/// The text a checkpoint's signature covers, in the spirit of a C2SP signed note.
pub fn checkpoint_message(alg: &str, size: u64, root: &Hash, at_ms: i64) -> String {
    format!(
        "shuangsuiji/audit-log/v1\n{alg}\n{size}\n{}\n{at_ms}\n",
        to_hex(root)
    )
}

pub fn check_signature(c: &Checkpoint, expected_key: &[u8; 32]) -> Result<(), &'static str> {
    if c.public_key.as_slice() != expected_key {
        return Err("签名密钥不是本平台的密钥");
    }
    let key = VerifyingKey::from_bytes(expected_key).map_err(|_| "公钥无效")?;
    let sig = Signature::from_slice(&c.signature).map_err(|_| "签名格式无效")?;
    let msg = checkpoint_message(&c.hash_alg, c.tree_size, &c.root, c.at_ms);
    key.verify(msg.as_bytes(), &sig).map_err(|_| "签名无效")
}

#[derive(Debug, Clone, Serialize)]
pub struct InclusionProof {
    pub hash_alg: &'static str,
    pub seq: u64,
    pub tree_size: u64,
    pub leaf_hash: String,
    pub proof: Vec<String>,
    pub root: String,
    /// The record's canonical bytes as text: anyone can hash them and follow the proof.
    pub record: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ConsistencyProof {
    pub hash_alg: &'static str,
    pub from_size: u64,
    pub to_size: u64,
    pub from_root: String,
    pub to_root: String,
    pub proof: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CheckpointView {
    pub tree_size: u64,
    pub root: String,
    pub at_ms: i64,
    pub at: String,
    pub hash_alg: String,
    pub public_key: String,
    pub signature: String,
}

impl From<&Checkpoint> for CheckpointView {
    fn from(c: &Checkpoint) -> CheckpointView {
        CheckpointView {
            tree_size: c.tree_size,
            root: to_hex(&c.root),
            at_ms: c.at_ms,
            at: clock::rfc3339_ms(c.at_ms),
            hash_alg: c.hash_alg.clone(),
            public_key: hex::encode(&c.public_key),
            signature: hex::encode(&c.signature),
        }
    }
}

impl Platform {
    /// Signs the log as it stands, after checking every record added since the last checkpoint
    /// and that the log extends the checkpoints kept outside the database. Returns `None` when
    /// nothing was added since.
    pub async fn checkpoint(&self) -> AppResult<Option<Checkpoint>> {
        let stored = self.store.checkpoints().await?;
        if let Some(why) = self.anchor_problem(&stored)? {
            return Err(AppError::new(
                crate::ErrorKind::Internal,
                "AUDIT_ANCHOR_MISMATCH",
                format!("审计日志与库外保存的检查点不一致，拒绝签发检查点：{why}"),
            ));
        }
        let last = stored.last();
        let size = self.store.audit_size().await?;
        if size == 0 || last.map(|c| c.tree_size) == Some(size) {
            // A database signed before anchors existed: its newest checkpoint starts the file.
            if let (Some(a), Some(c)) = (&self.anchors, last)
                && self::anchor::read(&a.primary)?.is_empty()
            {
                self.anchor(c)?;
            }
            return Ok(None);
        }
        let report = self.verify_since_last_checkpoint().await?;
        if let Some(problem) = report.problem {
            return Err(AppError::new(
                crate::ErrorKind::Internal,
                "AUDIT_TAMPERED",
                format!("审计日志校验未通过，拒绝签发检查点：{problem}"),
            ));
        }
        let c = self.sign(report.records, report.root);
        let mut tx = self.store.begin().await?;
        tx.insert_checkpoint(&c).await?;
        tx.commit().await?;
        // After the commit: an anchor never names a checkpoint the database lacks.
        self.anchor(&c)?;
        Ok(Some(c))
    }

    pub(crate) fn sign(&self, tree_size: u64, root: Hash) -> Checkpoint {
        let at_ms = clock::now_ms();
        let msg = checkpoint_message(self.alg.name(), tree_size, &root, at_ms);
        Checkpoint {
            tree_size,
            root,
            at_ms,
            hash_alg: self.alg.name().to_string(),
            public_key: self.public_key().to_vec(),
            signature: self.signer.sign(msg.as_bytes()).to_bytes().to_vec(),
        }
    }

    pub(crate) fn anchor(&self, c: &Checkpoint) -> AppResult<()> {
        if let Some(a) = &self.anchors
            && let Some(why) = a.append(c)?
        {
            tracing::error!(%why, "the audit witness could not be written");
        }
        Ok(())
    }

    /// Why the database's checkpoints do not include the newest checkpoint of an anchor file.
    pub(crate) fn anchor_problem(&self, stored: &[Checkpoint]) -> AppResult<Option<String>> {
        let Some(a) = &self.anchors else {
            return Ok(None);
        };
        for path in a.files() {
            if let Some(newest) = self::anchor::read(path)?.last()
                && let Some(why) = self::anchor::disagreement(path, newest, stored)
            {
                return Ok(Some(why));
            }
        }
        Ok(None)
    }

    pub async fn latest_checkpoint(&self) -> AppResult<Option<Checkpoint>> {
        Ok(self.store.checkpoints().await?.pop())
    }

    async fn root_at(&self, size: u64) -> AppResult<Hash> {
        if size == 0 {
            return Ok(self.alg.empty_root());
        }
        let nodes = self
            .store
            .audit_nodes(&ssj_merkle::needed_nodes(&[(0, size)]))
            .await?;
        resolve(self.alg, &[(0, size)], &nodes).map(|v| v[0])
    }

    /// Proves record `seq` is in the tree of `size` records (default: the latest checkpoint).
    pub async fn inclusion_proof(&self, seq: u64, size: Option<u64>) -> AppResult<InclusionProof> {
        let size = self.proof_size(size).await?;
        if seq >= size {
            return Err(AppError::invalid(
                "PROOF_RANGE",
                format!("记录 #{seq} 不在规模为 {size} 的日志中（可先签发检查点）"),
            ));
        }
        let rows = self.store.audit_range(seq, seq + 1).await?;
        let row = rows.first().ok_or_else(|| {
            AppError::not_found("AUDIT_NOT_FOUND", format!("审计记录 #{seq} 不存在"))
        })?;
        let ranges = ssj_merkle::inclusion_proof_ranges(seq, size);
        let mut needed = ssj_merkle::needed_nodes(&ranges);
        needed.extend(ssj_merkle::needed_nodes(&[(0, size)]));
        let nodes = self.store.audit_nodes(&needed).await?;
        let proof = resolve(self.alg, &ranges, &nodes)?;
        let root = resolve(self.alg, &[(0, size)], &nodes)?[0];
        let record = row
            .record
            .canonical_bytes(self.alg)
            .map(|b| String::from_utf8_lossy(&b).into_owned());
        Ok(InclusionProof {
            hash_alg: self.alg.name(),
            seq,
            tree_size: size,
            leaf_hash: to_hex(&row.leaf_hash),
            proof: proof.iter().map(to_hex).collect(),
            root: to_hex(&root),
            record: record.unwrap_or_else(|_| "（记录内容已损坏）".into()),
        })
    }

    /// Proves the log of `from` records is a prefix of the log of `to` records.
    pub async fn consistency_proof(
        &self,
        from: u64,
        to: Option<u64>,
    ) -> AppResult<ConsistencyProof> {
        let to = self.proof_size(to).await?;
        if from == 0 || from > to {
            return Err(AppError::invalid(
                "PROOF_RANGE",
                format!("规模须满足 0 < {from} ≤ {to}"),
            ));
        }
        let ranges = ssj_merkle::consistency_proof_ranges(from, to);
        let mut needed = ssj_merkle::needed_nodes(&ranges);
        needed.extend(ssj_merkle::needed_nodes(&[(0, from), (0, to)]));
        let nodes = self.store.audit_nodes(&needed).await?;
        let proof = resolve(self.alg, &ranges, &nodes)?;
        let roots = resolve(self.alg, &[(0, from), (0, to)], &nodes)?;
        Ok(ConsistencyProof {
            hash_alg: self.alg.name(),
            from_size: from,
            to_size: to,
            from_root: to_hex(&roots[0]),
            to_root: to_hex(&roots[1]),
            proof: proof.iter().map(to_hex).collect(),
        })
    }

    async fn proof_size(&self, size: Option<u64>) -> AppResult<u64> {
        let current = self.store.audit_size().await?;
        let size = match size {
            Some(s) => s,
            None => self
                .latest_checkpoint()
                .await?
                .map(|c| c.tree_size)
                .unwrap_or(current),
        };
        if size > current {
            return Err(AppError::invalid(
                "PROOF_RANGE",
                format!("日志目前只有 {current} 条记录"),
            ));
        }
        Ok(size)
    }

    /// The root of the log at `size`, from stored subtrees (for the checkpoint page).
    pub async fn root_hex_at(&self, size: u64) -> AppResult<String> {
        self.root_at(size).await.map(|h| to_hex(&h))
    }
}

fn resolve(
    alg: HashAlg,
    ranges: &[(u64, u64)],
    nodes: &HashMap<NodeId, Hash>,
) -> AppResult<Vec<Hash>> {
    ranges
        .iter()
        .map(|r| {
            ssj_merkle::range_hash(alg, *r, nodes)
                .ok_or_else(|| AppError::internal("审计日志的子树哈希缺失"))
        })
        .collect()
}

impl Platform {
    /// How many records the log holds (public).
    pub async fn audit_size(&self) -> AppResult<u64> {
        Ok(self.store.audit_size().await?)
    }

    /// Every signed checkpoint, oldest first (public).
    pub async fn checkpoints(&self) -> AppResult<Vec<Checkpoint>> {
        Ok(self.store.checkpoints().await?)
    }

    /// A page of the log as the actor may see it: records filed under departments of the
    /// actor's scope only; asking for a department outside it is refused.
    pub async fn audit_page(
        &self,
        actor: &Actor,
        mut filter: AuditFilter,
    ) -> AppResult<(Vec<StoredAudit>, u64)> {
        actor.require(Permission::ViewAuditLog)?;
        if let Some(visible) = self.visible_departments(actor).await? {
            filter.departments = match filter.departments.take() {
                None => Some(visible),
                Some(asked) if asked.iter().all(|d| visible.contains(d)) => Some(asked),
                Some(_) => return Err(AppError::forbidden("该部门不在您的数据范围内")),
            };
        }
        Ok(self.store.audit_search(&filter).await?)
    }

    /// One record, if the actor's scope covers the department it is filed under.
    pub async fn audit_record(&self, actor: &Actor, seq: u64) -> AppResult<StoredAudit> {
        actor.require(Permission::ViewAuditLog)?;
        let r = self
            .store
            .audit_range(seq, seq + 1)
            .await?
            .pop()
            .ok_or_else(|| {
                AppError::not_found("AUDIT_NOT_FOUND", format!("审计记录 #{seq} 不存在"))
            })?;
        if let Some(v) = self.visible_departments(actor).await?
            && !r.record.entry.department_id.is_some_and(|d| v.contains(&d))
        {
            return Err(AppError::forbidden("该记录不在您的数据范围内"));
        }
        Ok(r)
    }

    /// Whether the database answers, and which backend it is (the health check).
    pub async fn health(&self) -> AppResult<(&'static str, u64)> {
        Ok((self.store.backend(), self.store.audit_size().await?))
    }
}
