//! What the backends store and return.

use ssj_domain::{AuditRecord, DataScope, DivisionCode, Role};
use ssj_merkle::Hash;

#[derive(Debug, Clone, PartialEq)]
pub struct Division {
    pub code: DivisionCode,
    pub name: String,
    pub parent: Option<DivisionCode>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewDepartment {
    pub name: String,
    pub division: DivisionCode,
    pub created_ms: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Department {
    pub id: i64,
    pub name: String,
    pub division: DivisionCode,
    pub active: bool,
    pub created_ms: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub department_id: i64,
    pub role: Role,
    pub scope: DataScope,
    pub password_hash: String,
    pub created_ms: i64,
    /// The password was set by someone other than its holder (generated, or by an
    /// administrator): the holder chooses a new one at first login.
    pub must_change_password: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub department_id: i64,
    pub role: Role,
    pub scope: DataScope,
    pub password_hash: String,
    pub failed_logins: i64,
    pub locked_until_ms: Option<i64>,
    pub active: bool,
    pub created_ms: i64,
    /// When the password was last set, for its expiry.
    pub password_changed_ms: i64,
    pub must_change_password: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    /// Hex SHA-256 of the cookie token: a stolen database gives no usable session.
    pub token_hash: String,
    pub user_id: i64,
    pub csrf_token: String,
    pub created_ms: i64,
    pub last_seen_ms: i64,
}

/// An audit record as stored: the record, its leaf hash, and the hashes of the complete
/// subtrees that appending it closed (levels 1, 2, … packed as 32-byte runs).
#[derive(Debug, Clone, PartialEq)]
pub struct StoredAudit {
    pub record: AuditRecord,
    pub leaf_hash: Hash,
    pub closed: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct HashRow {
    pub seq: u64,
    pub leaf_hash: Hash,
    pub closed: Vec<u8>,
}

/// A signed statement of the log's size and root at a time.
#[derive(Debug, Clone, PartialEq)]
pub struct Checkpoint {
    pub tree_size: u64,
    pub root: Hash,
    pub at_ms: i64,
    pub hash_alg: String,
    pub public_key: Vec<u8>,
    pub signature: Vec<u8>,
}

/// What the 审计日志 page filters on; `None` means no filter.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub action_prefix: Option<String>,
    pub actor: Option<String>,
    pub target: Option<String>,
    /// Restricts to these departments (a data scope); `None` sees all.
    pub departments: Option<Vec<i64>>,
    pub from_ms: Option<i64>,
    pub to_ms: Option<i64>,
    /// Only these actions, exactly (the public records).
    pub actions: Option<Vec<String>>,
    /// Records numbered `from_seq ≤ seq < to_seq`.
    pub from_seq: Option<u64>,
    pub to_seq: Option<u64>,
    /// Oldest first instead of newest first.
    pub oldest_first: bool,
    pub offset: u64,
    pub limit: u64,
}
