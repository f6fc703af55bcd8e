//! What anyone may read of the log without a login, in the manner of Certificate Transparency:
//! every signed checkpoint, consistency proofs (hashes only), and the records that are public by
//! nature with their inclusion proofs. Every other record stays inside: only its hash is public.

use super::{InclusionProof, resolve};
use crate::{AppError, AppResult, Platform};
use serde::Serialize;
use ssj_domain::{AuditRecord, PUBLIC_ACTIONS, is_public_action};
use ssj_merkle::to_hex;
use ssj_storage::AuditFilter;

/// The most records one page of [`Platform::public_records`] holds.
pub const PUBLIC_PAGE_MAX: u64 = 500;

#[derive(Debug, Clone, Serialize)]
pub struct PublicRecord {
    pub seq: u64,
    /// The record's canonical bytes (format 2) as text: hash them to get `leaf_hash`.
    pub record: String,
    pub leaf_hash: String,
    /// The inclusion proof in the tree of `tree_size` records, nearest the leaf first.
    pub proof: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PublicRecords {
    pub hash_alg: &'static str,
    /// The size of the latest signed checkpoint, which every proof here is against.
    pub tree_size: u64,
    pub root: String,
    pub records: Vec<PublicRecord>,
    /// Where the next page starts (`from_seq`), if there is one.
    pub next_from_seq: Option<u64>,
}

/// Whether a record may be published whole: a public action, written in format 2 (format 1
/// names the login of who acted, which is never published).
pub fn publishable(r: &AuditRecord) -> bool {
    r.actor_salt.is_some() && is_public_action(&r.entry.action)
}

impl Platform {
    /// The public records from `from_seq` on, oldest first, each with its inclusion proof in the
    /// tree of the latest signed checkpoint (records after it are not yet provable).
    pub async fn public_records(&self, from_seq: u64, limit: u64) -> AppResult<PublicRecords> {
        let latest = self.latest_checkpoint().await?;
        let tree_size = latest.as_ref().map_or(0, |c| c.tree_size);
        let limit = limit.clamp(1, PUBLIC_PAGE_MAX);
        let filter = AuditFilter {
            actions: Some(PUBLIC_ACTIONS.iter().map(|a| a.to_string()).collect()),
            from_seq: Some(from_seq),
            to_seq: Some(tree_size),
            oldest_first: true,
            limit: limit + 1,
            ..Default::default()
        };
        let (mut rows, _) = self.store.audit_search(&filter).await?;
        let next_from_seq = (rows.len() as u64 > limit).then(|| rows[limit as usize].record.seq);
        rows.truncate(limit as usize);
        rows.retain(|r| publishable(&r.record));
        let ranges: Vec<Vec<(u64, u64)>> = rows
            .iter()
            .map(|r| ssj_merkle::inclusion_proof_ranges(r.record.seq, tree_size))
            .collect();
        let nodes = self
            .store
            .audit_nodes(&ssj_merkle::needed_nodes(&ranges.concat()))
            .await?;
        let mut records = Vec::with_capacity(rows.len());
        for (r, ranges) in rows.iter().zip(&ranges) {
            let bytes = r.record.canonical_bytes(self.alg).map_err(|e| {
                AppError::internal(format!("审计记录 #{} 无法编码：{e}", r.record.seq))
            })?;
            records.push(PublicRecord {
                seq: r.record.seq,
                record: String::from_utf8_lossy(&bytes).into_owned(),
                leaf_hash: to_hex(&r.leaf_hash),
                proof: resolve(self.alg, ranges, &nodes)?
                    .iter()
                    .map(to_hex)
                    .collect(),
            });
        }
        Ok(PublicRecords {
            hash_alg: self.alg.name(),
            tree_size,
            root: latest.map(|c| to_hex(&c.root)).unwrap_or_default(),
            records,
            next_from_seq,
        })
    }

    /// The inclusion proof of a public record, for anyone; any other record is refused as if
    /// it were absent from the public view (only its hash is public).
    pub async fn public_inclusion(&self, seq: u64, size: Option<u64>) -> AppResult<InclusionProof> {
        let row = self.store.audit_range(seq, seq + 1).await?.pop();
        if !row.is_some_and(|r| publishable(&r.record)) {
            return Err(AppError::not_found(
                "AUDIT_NOT_PUBLIC",
                format!("审计记录 #{seq} 不是公开记录：它的内容不公开，只有哈希在日志树中"),
            ));
        }
        self.inclusion_proof(seq, size).await
    }
}

/// The name of the log in every checkpoint message (docs/audit-log.md).
pub const LOG_NAME: &str = "shuangsuiji/audit-log/v1";

impl Platform {
    /// Every signed checkpoint, oldest first, with its signature: `/api/v1/audit/checkpoints`.
    pub async fn public_checkpoints(&self) -> AppResult<serde_json::Value> {
        let checkpoints: Vec<super::CheckpointView> = self
            .checkpoints()
            .await?
            .iter()
            .map(super::CheckpointView::from)
            .collect();
        Ok(serde_json::json!({
            "log": LOG_NAME,
            "hash_alg": self.alg.name(),
            "public_key": hex::encode(self.public_key()),
            "checkpoints": checkpoints,
        }))
    }

    /// What the public API serves, as files: `checkpoints.json`, `records.json` (every public
    /// record, with proofs against the latest checkpoint) and `consistency/A-B.json` for each two
    /// successive checkpoint sizes A < B.
    pub async fn public_audit_files(&self) -> AppResult<Vec<(String, Vec<u8>)>> {
        let mut files = vec![(
            "checkpoints.json".to_string(),
            json_file(&self.public_checkpoints().await?),
        )];
        let mut all = self.public_records(0, PUBLIC_PAGE_MAX).await?;
        while let Some(from) = all.next_from_seq {
            let page = self.public_records(from, PUBLIC_PAGE_MAX).await?;
            all.records.extend(page.records);
            all.next_from_seq = page.next_from_seq;
        }
        files.push(("records.json".to_string(), json_file(&all)));
        let mut sizes: Vec<u64> = self
            .checkpoints()
            .await?
            .iter()
            .map(|c| c.tree_size)
            .collect();
        sizes.dedup();
        for w in sizes.windows(2) {
            if w[0] > 0 && w[0] < w[1] {
                let proof = self.consistency_proof(w[0], Some(w[1])).await?;
                files.push((
                    format!("consistency/{}-{}.json", w[0], w[1]),
                    json_file(&proof),
                ));
            }
        }
        Ok(files)
    }
}

/// A value as the pretty JSON bytes a published file holds.
fn json_file<T: Serialize>(v: &T) -> Vec<u8> {
    let mut b = serde_json::to_vec_pretty(v).expect("plain data");
    b.push(b'\n');
    b
}
