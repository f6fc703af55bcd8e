//! Recomputing the audit log: every leaf from its record, every stored subtree, and the root at
//! every signed checkpoint. The first thing that does not match is reported by record number.

use crate::{AppResult, Platform, clock};
use ssj_merkle::{Frontier, Hash, pack_hashes};
use ssj_storage::{Checkpoint, StoredAudit};
use std::fmt;
use std::sync::Arc;

const CHUNK: u64 = 50_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The record concerned, when one can be named.
    pub seq: Option<u64>,
    pub code: &'static str,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}（{}）", self.message, self.code)
    }
}

#[derive(Debug, Clone)]
pub struct VerifyReport {
    /// Records read (the tree size when no problem was found).
    pub records: u64,
    pub root: Hash,
    pub checkpoints_checked: usize,
    pub problem: Option<Problem>,
}

fn problem(seq: Option<u64>, code: &'static str, message: String) -> Option<Problem> {
    Some(Problem { seq, code, message })
}

impl Platform {
    /// Recomputes the whole log, and checks that it holds the checkpoints kept outside the
    /// database (the anchor file and the witness).
    pub async fn verify(&self) -> AppResult<VerifyReport> {
        let mut report = self.verify_from(None).await?;
        if report.problem.is_none()
            && let Some(why) = self.anchor_problem(&self.store.checkpoints().await?)?
        {
            report.problem = problem(None, "AUDIT_ANCHOR_MISMATCH", why);
        }
        Ok(report)
    }

    /// Recomputes what was added after the last checkpoint, starting from that checkpoint's
    /// signed root (cheap enough to run before every new checkpoint).
    pub async fn verify_since_last_checkpoint(&self) -> AppResult<VerifyReport> {
        let last = self.store.checkpoints().await?.pop();
        self.verify_from(last).await
    }

    async fn verify_from(&self, start: Option<Checkpoint>) -> AppResult<VerifyReport> {
        let key = self.public_key();
        let checkpoints = self.store.checkpoints().await?;
        let mut report = VerifyReport {
            records: 0,
            root: self.alg.empty_root(),
            checkpoints_checked: 0,
            problem: None,
        };
        let chain = crate::audit::rotation::check_chain(&checkpoints, &self.rotations().await?);
        let failure = match chain {
            Err((i, why)) => Some(format!(
                "第 {i} 个检查点（{}）{why}",
                clock::format_ms(checkpoints[i - 1].at_ms)
            )),
            Ok(Some(end)) if end != key => Some(format!(
                "检查点的签名密钥不是本平台的密钥：最后签名的是 {}，本平台的是 {}",
                hex::encode(end),
                hex::encode(key)
            )),
            Ok(_) => None,
        };
        if let Some(message) = failure {
            report.problem = problem(None, "CHECKPOINT_SIGNATURE", message);
            return Ok(report);
        }
        let mut frontier = match &start {
            None => Frontier::empty(self.alg),
            Some(c) => {
                let peaks = ssj_merkle::peaks(c.tree_size);
                let nodes = self.store.audit_nodes(&peaks).await?;
                let f = Frontier::from_peaks(
                    self.alg,
                    c.tree_size,
                    peaks.iter().map(|p| nodes[p]).collect(),
                );
                if f.root() != c.root {
                    report.problem = problem(
                        None,
                        "AUDIT_SUBTREE_ALTERED",
                        format!("前 {} 条记录的存储哈希与已签名的检查点不符", c.tree_size),
                    );
                    return Ok(report);
                }
                f
            }
        };
        let size = self.store.audit_size().await?;
        let start_size = frontier.size();
        // Checkpoints still to meet, as plain values (kept simple so the future stays `Send`).
        let pending: Vec<(u64, Hash, i64)> = checkpoints
            .iter()
            .filter(|c| c.tree_size > start_size)
            .map(|c| (c.tree_size, c.root, c.at_ms))
            .collect();
        let mut next_checkpoint = 0usize;
        let mut from = frontier.size();
        let store = Arc::clone(&self.store);
        let fetch = move |a: u64, b: u64| {
            let store = Arc::clone(&store);
            tokio::spawn(async move { store.audit_range(a, b).await })
        };
        let mut next = (from < size).then(|| fetch(from, (from + CHUNK).min(size)));
        while let Some(handle) = next.take() {
            let rows = handle
                .await
                .map_err(|e| crate::AppError::internal(e.to_string()))??;
            let to = (from + CHUNK).min(size);
            if to < size {
                next = Some(fetch(to, (to + CHUNK).min(size)));
            }
            for row in &rows {
                if let Some(p) = check_row(&mut frontier, row) {
                    report.records = frontier.size();
                    report.problem = Some(p);
                    return Ok(report);
                }
                while let Some(&(size, root, at_ms)) = pending
                    .get(next_checkpoint)
                    .filter(|c| c.0 == frontier.size())
                {
                    next_checkpoint += 1;
                    report.checkpoints_checked += 1;
                    if frontier.root() != root {
                        report.records = frontier.size();
                        report.problem = problem(
                            None,
                            "CHECKPOINT_MISMATCH",
                            format!(
                                "前 {size} 条记录与 {} 签发的检查点不符：记录被改动或替换",
                                clock::format_ms(at_ms)
                            ),
                        );
                        return Ok(report);
                    }
                }
            }
            if frontier.size() != to {
                let seq = frontier.size();
                report.records = seq;
                report.problem = problem(
                    Some(seq),
                    "AUDIT_RECORD_MISSING",
                    format!("审计记录 #{seq} 缺失"),
                );
                return Ok(report);
            }
            from = to;
        }
        report.records = frontier.size();
        report.root = frontier.root();
        if let Some(&(size, _, at_ms)) = pending.get(next_checkpoint) {
            let seq = frontier.size();
            report.problem = problem(
                Some(seq),
                "AUDIT_RECORD_MISSING",
                format!(
                    "审计记录 #{seq} 至 #{} 缺失：{} 签发的检查点记录日志有 {size} 条，现在只有 {seq} 条",
                    size - 1,
                    clock::format_ms(at_ms)
                ),
            );
        }
        Ok(report)
    }
}

fn check_row(frontier: &mut Frontier, row: &StoredAudit) -> Option<Problem> {
    let seq = frontier.size();
    if row.record.seq != seq {
        return problem(
            Some(seq),
            "AUDIT_RECORD_MISSING",
            format!("审计记录 #{seq} 缺失"),
        );
    }
    let Ok(bytes) = row.record.canonical_bytes(frontier.alg()) else {
        return problem(
            Some(seq),
            "AUDIT_RECORD_ALTERED",
            format!("审计记录 #{seq} 被篡改：内容不是有效的 JSON"),
        );
    };
    let leaf = frontier.alg().leaf(&bytes);
    if leaf != row.leaf_hash {
        return problem(
            Some(seq),
            "AUDIT_RECORD_ALTERED",
            format!("审计记录 #{seq} 被篡改：内容与其哈希不符"),
        );
    }
    if pack_hashes(&frontier.push(leaf)) != row.closed {
        return problem(
            Some(seq),
            "AUDIT_SUBTREE_ALTERED",
            format!("审计记录 #{seq} 的子树哈希被改动"),
        );
    }
    None
}
