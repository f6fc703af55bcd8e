//! Row decoding: every value read back is parsed into its domain type, so a corrupt row is an
//! error here and never a wrong value later.

use sqlx::Row;
use sqlx::sqlite::SqliteRow;
use ssj_domain::{AuditEntry, AuditRecord, DataScope, DivisionCode, Role};
use ssj_merkle::Hash;
use ssj_storage::*;

pub(crate) const USER_SELECT_ALL: &str = "SELECT id, username, display_name, department_id, role, \
     scope, password_hash, failed_logins, locked_until_ms, active, created_ms FROM app_user ORDER BY id";
pub(crate) const USER_BY_ID: &str = "SELECT id, username, display_name, department_id, role, \
     scope, password_hash, failed_logins, locked_until_ms, active, created_ms FROM app_user WHERE id = ?";
pub(crate) const USER_BY_NAME: &str = "SELECT id, username, display_name, department_id, role, \
     scope, password_hash, failed_logins, locked_until_ms, active, created_ms FROM app_user \
     WHERE username = ?";

fn corrupt(what: impl std::fmt::Display) -> StorageError {
    StorageError::Corrupt(what.to_string())
}

fn get<'r, T: sqlx::Decode<'r, sqlx::Sqlite> + sqlx::Type<sqlx::Sqlite>>(
    r: &'r SqliteRow,
    col: &str,
) -> Result<T> {
    r.try_get(col).map_err(|e| corrupt(format!("{col}: {e}")))
}

fn code(s: String) -> Result<DivisionCode> {
    DivisionCode::parse(&s).map_err(corrupt)
}

fn hash(bytes: Vec<u8>) -> Result<Hash> {
    bytes
        .try_into()
        .map_err(|_| corrupt("哈希长度不是 32 字节"))
}

pub(crate) fn division(r: &SqliteRow) -> Result<Division> {
    Ok(Division {
        code: code(get(r, "code")?)?,
        name: get(r, "name")?,
        parent: get::<Option<String>>(r, "parent")?.map(code).transpose()?,
    })
}

pub(crate) fn department(r: &SqliteRow) -> Result<Department> {
    Ok(Department {
        id: get(r, "id")?,
        name: get(r, "name")?,
        division: code(get(r, "division")?)?,
        active: get(r, "active")?,
        created_ms: get(r, "created_ms")?,
    })
}

pub(crate) fn user(r: &SqliteRow) -> Result<User> {
    Ok(User {
        id: get(r, "id")?,
        username: get(r, "username")?,
        display_name: get(r, "display_name")?,
        department_id: get(r, "department_id")?,
        role: Role::parse(&get::<String>(r, "role")?).map_err(corrupt)?,
        scope: DataScope::parse(&get::<String>(r, "scope")?).map_err(corrupt)?,
        password_hash: get(r, "password_hash")?,
        failed_logins: get(r, "failed_logins")?,
        locked_until_ms: get(r, "locked_until_ms")?,
        active: get(r, "active")?,
        created_ms: get(r, "created_ms")?,
    })
}

pub(crate) fn session(r: &SqliteRow) -> Result<Session> {
    Ok(Session {
        token_hash: get(r, "token_hash")?,
        user_id: get(r, "user_id")?,
        csrf_token: get(r, "csrf_token")?,
        created_ms: get(r, "created_ms")?,
        last_seen_ms: get(r, "last_seen_ms")?,
    })
}

pub(crate) fn stored_audit(r: &SqliteRow) -> Result<StoredAudit> {
    Ok(StoredAudit {
        record: AuditRecord {
            seq: get::<i64>(r, "seq")? as u64,
            at_ms: get(r, "at_ms")?,
            entry: AuditEntry {
                actor_id: get(r, "actor_id")?,
                actor_name: get(r, "actor")?,
                department_id: get(r, "department_id")?,
                action: get(r, "action")?,
                target_type: get(r, "target_type")?,
                target_id: get(r, "target_id")?,
                before: get(r, "before_json")?,
                after: get(r, "after_json")?,
                reason: get(r, "reason")?,
            },
        },
        leaf_hash: hash(get(r, "leaf_hash")?)?,
        closed: get(r, "closed")?,
    })
}

pub(crate) fn hash_row(r: &SqliteRow) -> Result<HashRow> {
    Ok(HashRow {
        seq: get::<i64>(r, "seq")? as u64,
        leaf_hash: hash(get(r, "leaf_hash")?)?,
        closed: get(r, "closed")?,
    })
}

pub(crate) fn checkpoint(r: &SqliteRow) -> Result<Checkpoint> {
    Ok(Checkpoint {
        tree_size: get::<i64>(r, "tree_size")? as u64,
        root: hash(get(r, "root")?)?,
        at_ms: get(r, "at_ms")?,
        hash_alg: get(r, "hash_alg")?,
        public_key: get(r, "public_key")?,
        signature: get(r, "signature")?,
    })
}
