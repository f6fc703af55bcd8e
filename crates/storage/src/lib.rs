//! The storage trait. Each backend (SQLite, PostgreSQL) is its own crate with its own
//! migrations; the application services in `ssj-app` only ever see these traits, so every
//! state change is written as: begin → change rows → append its audit record → commit.

pub mod items;
pub mod objects;
pub mod officers;
pub mod plans;
mod rows;
pub mod tasks;

pub use items::{Item, ItemFilter, ItemStore, ItemTx, ItemVersion, VersionStatus};
pub use objects::{Licence, Object, ObjectChange, ObjectFilter, ObjectSort, ObjectStore, ObjectTx};
pub use officers::{
    Conflict, Leave, Officer, OfficerCounts, OfficerFilter, OfficerStore, OfficerTx,
};
pub use plans::{
    NameMapping, Plan, PlanStore, PlanTaskLink, PlanTx, PlanVersion, VisitConfirmation,
};
pub use rows::*;
pub use tasks::{
    Contribution, Draw, DrawFileName, DrawFiles, DrawPick, DrawScope, DrawStatus, DrawSubstitution,
    KeyBlock, ScopeRows, StoredExport, Task, TaskItem, TaskStatus, TaskStore, TaskTx,
};

use async_trait::async_trait;
use ssj_merkle::{Hash, NodeId};
use std::collections::HashMap;

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("数据库错误：{0}")]
    Backend(String),
    #[error("数据已存在：{0}")]
    Conflict(String),
    #[error("数据库中的数据无效：{0}")]
    Corrupt(String),
    #[error("数据库结构版本过新（{0}），请升级程序")]
    SchemaTooNew(String),
}

pub type Result<T, E = StorageError> = std::result::Result<T, E>;

/// Reads, and the way into a transaction. Implemented once per backend.
#[async_trait]
pub trait Store:
    ItemStore + ObjectStore + OfficerStore + TaskStore + PlanStore + Send + Sync + 'static
{
    /// `sqlite` or `postgres`.
    fn backend(&self) -> &'static str;

    /// Starts a read-write transaction. Writers are serialised by the audit append lock.
    async fn begin(&self) -> Result<Box<dyn Tx>>;

    /// Waits for open connections to finish and closes them (SQLite folds its WAL back in).
    async fn close(&self);

    async fn meta_get(&self, key: &str) -> Result<Option<String>>;

    async fn divisions(&self) -> Result<Vec<Division>>;
    async fn departments(&self) -> Result<Vec<Department>>;
    async fn department(&self, id: i64) -> Result<Option<Department>>;

    async fn users(&self) -> Result<Vec<User>>;
    async fn user(&self, id: i64) -> Result<Option<User>>;
    async fn user_by_name(&self, username: &str) -> Result<Option<User>>;

    async fn session(&self, token_hash: &str) -> Result<Option<Session>>;

    async fn audit_size(&self) -> Result<u64>;
    /// Records with `from <= seq < to`, in order, with their stored hashes (for verification).
    async fn audit_range(&self, from: u64, to: u64) -> Result<Vec<StoredAudit>>;
    async fn audit_search(&self, filter: &AuditFilter) -> Result<(Vec<StoredAudit>, u64)>;
    /// The stored hash rows `(seq, leaf_hash, closed)` of the given leaves.
    async fn audit_hash_rows(&self, seqs: &[u64]) -> Result<Vec<HashRow>>;

    async fn checkpoints(&self) -> Result<Vec<Checkpoint>>;

    /// The stored complete subtrees `ids`, looked up in the rows of the leaves that closed them.
    async fn audit_nodes(&self, ids: &[NodeId]) -> Result<HashMap<NodeId, Hash>> {
        let mut seqs: Vec<u64> = ids.iter().map(|id| id.closing_leaf()).collect();
        seqs.sort_unstable();
        seqs.dedup();
        let rows = self.audit_hash_rows(&seqs).await?;
        nodes_from_rows(ids, &rows)
    }
}

/// One read-write transaction. Dropping it without [`Tx::commit`] rolls everything back.
#[async_trait]
pub trait Tx: ItemTx + ObjectTx + OfficerTx + TaskTx + PlanTx + Send {
    /// Takes the log's append lock for the rest of the transaction and returns the current size.
    async fn lock_audit(&mut self) -> Result<u64>;
    async fn audit_hash_rows(&mut self, seqs: &[u64]) -> Result<Vec<HashRow>>;
    /// Inserts consecutive records (one statement per chunk, not per record).
    async fn insert_audit(&mut self, rows: &[StoredAudit]) -> Result<()>;
    async fn insert_checkpoint(&mut self, c: &Checkpoint) -> Result<()>;

    async fn meta_set(&mut self, key: &str, value: &str) -> Result<()>;

    async fn insert_division(&mut self, d: &Division) -> Result<()>;
    async fn insert_department(&mut self, d: &NewDepartment) -> Result<i64>;
    async fn update_department(&mut self, d: &Department) -> Result<()>;
    /// Every department, read through this transaction: a service holding the write lock
    /// never takes a second connection for it.
    async fn tx_departments(&mut self) -> Result<Vec<Department>>;

    async fn insert_user(&mut self, u: &NewUser) -> Result<i64>;
    async fn update_user(&mut self, u: &User) -> Result<()>;
    async fn user_for_update(&mut self, id: i64) -> Result<Option<User>>;

    async fn insert_session(&mut self, s: &Session) -> Result<()>;
    async fn touch_session(&mut self, token_hash: &str, now_ms: i64) -> Result<()>;
    async fn delete_session(&mut self, token_hash: &str) -> Result<()>;
    async fn delete_user_sessions(&mut self, user_id: i64) -> Result<()>;
    async fn delete_idle_sessions(&mut self, idle_before_ms: i64) -> Result<u64>;

    async fn commit(self: Box<Self>) -> Result<()>;

    async fn audit_nodes(&mut self, ids: &[NodeId]) -> Result<HashMap<NodeId, Hash>> {
        let mut seqs: Vec<u64> = ids.iter().map(|id| id.closing_leaf()).collect();
        seqs.sort_unstable();
        seqs.dedup();
        let rows = self.audit_hash_rows(&seqs).await?;
        nodes_from_rows(ids, &rows)
    }
}

fn nodes_from_rows(ids: &[NodeId], rows: &[HashRow]) -> Result<HashMap<NodeId, Hash>> {
    let by_seq: HashMap<u64, &HashRow> = rows.iter().map(|r| (r.seq, r)).collect();
    let mut out = HashMap::with_capacity(ids.len());
    for id in ids {
        let row = by_seq.get(&id.closing_leaf()).ok_or_else(|| {
            StorageError::Corrupt(format!("审计记录 #{} 缺失", id.closing_leaf()))
        })?;
        let hash = match id.offset_in_closing_leaf() {
            None => Some(row.leaf_hash),
            Some(at) => ssj_merkle::hash_at(&row.closed, at),
        }
        .ok_or_else(|| StorageError::Corrupt(format!("审计记录 #{} 的子树哈希缺失", row.seq)))?;
        out.insert(*id, hash);
    }
    Ok(out)
}
