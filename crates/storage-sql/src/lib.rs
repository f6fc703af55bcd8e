//! The SQL both backends share. sqlx accepts `$1`-style placeholders on SQLite as on
//! PostgreSQL, so one text serves both; [`sql_backend!`] expands it inside each backend crate
//! with that backend's types. A backend provides only what really differs:
//!
//! - `async fn begin_tx(&self) -> Result<sqlx::Transaction<'static, DB>>` on its store,
//! - `async fn read_audit_range(&self, from: u64, to: u64) -> Result<Vec<StoredAudit>>`,
//! - `async fn take_append_lock(&mut self) -> Result<()>` on its transaction type,
//! - `insert_objects_bulk`, `build_index` and `after_bulk_load` on its transaction type (see
//!   [`sql_objects!`]),
//! - `async fn read_scope(&self, scope: &DrawScope) -> Result<ScopeRows>` on its store (a
//!   draw's candidates; [`scope_sql`] gives the query),
//! - `async fn insert_draw_picks(&mut self, picks: &[DrawPick]) -> Result<()>` on its
//!   transaction type (hundreds of thousands of rows for a province),
//!
//! and its own connection set-up and migrations.

mod items;
mod objects;
pub mod packed;
mod scope;

pub use scope::{like_escape, scope_sql};

/// For the expanded macros: a fast hash for counting objects into tally cells.
#[doc(hidden)]
pub use foldhash;
#[doc(hidden)]
pub use zstd;
mod officers;
mod plans;
mod tasks;

/// Expands the shared row decoders, queries, and the `Store` / `Tx` implementations.
/// `crate::object_queries` names, on purpose, the module [`sql_objects!`] expands in the same
/// backend crate (the tally a transaction writes at commit).
#[macro_export]
#[allow(clippy::crate_in_macro_def)]
macro_rules! sql_backend {
    (db: $db:ty, row: $row:ty, store: $store:ident, tx: $tx:ident, name: $name:literal) => {
        /// Maps sqlx errors to storage errors; a unique-key violation is a conflict.
        pub(crate) fn backend(e: sqlx::Error) -> ssj_storage::StorageError {
            if let sqlx::Error::Database(db) = &e
                && db.is_unique_violation()
            {
                return ssj_storage::StorageError::Conflict(db.message().to_string());
            }
            ssj_storage::StorageError::Backend(e.to_string())
        }

        /// A read-write transaction of this backend.
        pub struct $tx {
            pub(crate) tx: sqlx::Transaction<'static, $db>,
            /// Objects added in this transaction, per tally cell, written once at commit: a
            /// load of millions touches each cell once, not once per batch.
            pub(crate) pending_tally: std::collections::HashMap<crate::object_queries::Cell, i64>,
        }

        pub(crate) const AUDIT_INSERT_CHUNK: usize = 1000;

        pub(crate) const AUDIT_COLUMNS: &str = "seq, at_ms, actor_id, actor, department_id, action, \
            target_type, target_id, before_json, after_json, reason, leaf_hash, closed, actor_salt";

        /// Row decoding: every value read back is parsed into its domain type, so a corrupt
        /// row is an error here and never a wrong value later.
        pub(crate) mod rows {
            use sqlx::Row;
            use ssj_domain::{AuditEntry, AuditRecord, DataScope, DivisionCode, Role};
            use ssj_merkle::Hash;
            use ssj_storage::*;

            pub const USER_SELECT_ALL: &str = "SELECT id, username, display_name, department_id, role, \
                 scope, password_hash, failed_logins, locked_until_ms, active, created_ms, \
                 password_changed_ms, must_change_password FROM app_user ORDER BY id";
            pub const USER_BY_ID: &str = "SELECT id, username, display_name, department_id, role, \
                 scope, password_hash, failed_logins, locked_until_ms, active, created_ms, \
                 password_changed_ms, must_change_password FROM app_user WHERE id = $1";
            pub const USER_BY_NAME: &str = "SELECT id, username, display_name, department_id, role, \
                 scope, password_hash, failed_logins, locked_until_ms, active, created_ms, \
                 password_changed_ms, must_change_password FROM app_user \
                 WHERE username = $1";

            fn corrupt(what: impl std::fmt::Display) -> StorageError {
                StorageError::Corrupt(what.to_string())
            }

            fn get<'r, T: sqlx::Decode<'r, $db> + sqlx::Type<$db>>(
                r: &'r $row,
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

            pub fn division(r: &$row) -> Result<Division> {
                Ok(Division {
                    code: code(get(r, "code")?)?,
                    name: get(r, "name")?,
                    parent: get::<Option<String>>(r, "parent")?.map(code).transpose()?,
                })
            }

            pub fn department(r: &$row) -> Result<Department> {
                Ok(Department {
                    id: get(r, "id")?,
                    name: get(r, "name")?,
                    division: code(get(r, "division")?)?,
                    active: get(r, "active")?,
                    created_ms: get(r, "created_ms")?,
                })
            }

            pub fn user(r: &$row) -> Result<User> {
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
                    password_changed_ms: get(r, "password_changed_ms")?,
                    must_change_password: get(r, "must_change_password")?,
                })
            }

            pub fn session(r: &$row) -> Result<Session> {
                Ok(Session {
                    token_hash: get(r, "token_hash")?,
                    user_id: get(r, "user_id")?,
                    csrf_token: get(r, "csrf_token")?,
                    created_ms: get(r, "created_ms")?,
                    last_seen_ms: get(r, "last_seen_ms")?,
                })
            }

            pub fn stored_audit(r: &$row) -> Result<StoredAudit> {
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
                        actor_salt: salt(get(r, "actor_salt")?)?,
                    },
                    leaf_hash: hash(get(r, "leaf_hash")?)?,
                    closed: get(r, "closed")?,
                })
            }

            fn salt(v: Option<Vec<u8>>) -> Result<Option<[u8; 16]>> {
                v.map(|b| {
                    b.try_into()
                        .map_err(|_| StorageError::Corrupt("审计记录的盐值不是 16 字节".into()))
                })
                .transpose()
            }

            pub fn hash_row(r: &$row) -> Result<HashRow> {
                Ok(HashRow {
                    seq: get::<i64>(r, "seq")? as u64,
                    leaf_hash: hash(get(r, "leaf_hash")?)?,
                    closed: get(r, "closed")?,
                })
            }

            pub fn checkpoint(r: &$row) -> Result<Checkpoint> {
                Ok(Checkpoint {
                    tree_size: get::<i64>(r, "tree_size")? as u64,
                    root: hash(get(r, "root")?)?,
                    at_ms: get(r, "at_ms")?,
                    hash_alg: get(r, "hash_alg")?,
                    public_key: get(r, "public_key")?,
                    signature: get(r, "signature")?,
                })
            }
        }

        /// Reads `[from, to)` of the log through sqlx (backends may read faster their own way).
        pub(crate) async fn sql_audit_range<'e, E>(exec: E, from: u64, to: u64) -> ssj_storage::Result<Vec<ssj_storage::StoredAudit>>
        where
            E: sqlx::Executor<'e, Database = $db>,
        {
            let sql = format!("SELECT {AUDIT_COLUMNS} FROM audit_log WHERE seq >= $1 AND seq < $2 ORDER BY seq");
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(from as i64)
                .bind(to as i64)
                .fetch_all(exec)
                .await
                .map_err(backend)?;
            rows.iter().map(rows::stored_audit).collect()
        }

        mod queries {
            use super::{backend, AUDIT_COLUMNS, AUDIT_INSERT_CHUNK, $store, $tx};
            use super::rows::*;
            use ssj_storage::*;

            #[async_trait::async_trait]
            impl ssj_storage::Store for $store {
                fn backend(&self) -> &'static str {
                    $name
                }

                async fn begin(&self) -> Result<Box<dyn Tx>> {
                    let tx = self.begin_tx().await?;
                    Ok(Box::new($tx { tx, pending_tally: Default::default() }))
                }

                async fn close(&self) {
                    self.pool.close().await;
                }

                async fn meta_get(&self, key: &str) -> Result<Option<String>> {
                    sqlx::query_scalar("SELECT value FROM meta WHERE key = $1")
                        .bind(key)
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(backend)
                }

                async fn divisions(&self) -> Result<Vec<Division>> {
                    let rows = sqlx::query("SELECT code, name, parent FROM division ORDER BY code")
                        .fetch_all(&self.pool)
                        .await
                        .map_err(backend)?;
                    rows.iter().map(division).collect()
                }

                async fn departments(&self) -> Result<Vec<Department>> {
                    let rows = sqlx::query(
                        "SELECT id, name, division, active, created_ms FROM department ORDER BY division, id",
                    )
                    .fetch_all(&self.pool)
                    .await
                    .map_err(backend)?;
                    rows.iter().map(department).collect()
                }

                async fn department(&self, id: i64) -> Result<Option<Department>> {
                    sqlx::query("SELECT id, name, division, active, created_ms FROM department WHERE id = $1")
                        .bind(id)
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(backend)?
                        .as_ref()
                        .map(department)
                        .transpose()
                }

                async fn users(&self) -> Result<Vec<User>> {
                    let rows = sqlx::query(USER_SELECT_ALL)
                        .fetch_all(&self.pool)
                        .await
                        .map_err(backend)?;
                    rows.iter().map(user).collect()
                }

                async fn user(&self, id: i64) -> Result<Option<User>> {
                    sqlx::query(USER_BY_ID)
                        .bind(id)
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(backend)?
                        .as_ref()
                        .map(user)
                        .transpose()
                }

                async fn user_by_name(&self, username: &str) -> Result<Option<User>> {
                    sqlx::query(USER_BY_NAME)
                        .bind(username)
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(backend)?
                        .as_ref()
                        .map(user)
                        .transpose()
                }

                async fn session(&self, token_hash: &str) -> Result<Option<Session>> {
                    sqlx::query(
                        "SELECT token_hash, user_id, csrf_token, created_ms, last_seen_ms FROM session \
                         WHERE token_hash = $1",
                    )
                    .bind(token_hash)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(backend)?
                    .as_ref()
                    .map(session)
                    .transpose()
                }

                async fn audit_size(&self) -> Result<u64> {
                    let n: Option<i64> = sqlx::query_scalar("SELECT MAX(seq) + 1 FROM audit_log")
                        .fetch_one(&self.pool)
                        .await
                        .map_err(backend)?;
                    Ok(n.unwrap_or(0) as u64)
                }

                async fn audit_range(&self, from: u64, to: u64) -> Result<Vec<StoredAudit>> {
                    self.read_audit_range(from, to).await
                }

                async fn audit_search(&self, f: &AuditFilter) -> Result<(Vec<StoredAudit>, u64)> {
                    let mut count = sqlx::QueryBuilder::<$db>::new("SELECT COUNT(*) FROM audit_log WHERE 1=1");
                    push_audit_filter(&mut count, f);
                    let total: i64 = count
                        .build_query_scalar()
                        .fetch_one(&self.pool)
                        .await
                        .map_err(backend)?;
                    let mut q =
                        sqlx::QueryBuilder::<$db>::new(format!("SELECT {AUDIT_COLUMNS} FROM audit_log WHERE 1=1"));
                    push_audit_filter(&mut q, f);
                    q.push(if f.oldest_first { " ORDER BY seq LIMIT " } else { " ORDER BY seq DESC LIMIT " })
                        .push_bind(f.limit as i64);
                    q.push(" OFFSET ").push_bind(f.offset as i64);
                    let rows = q.build().fetch_all(&self.pool).await.map_err(backend)?;
                    let records = rows.iter().map(stored_audit).collect::<Result<_>>()?;
                    Ok((records, total as u64))
                }

                async fn audit_hash_rows(&self, seqs: &[u64]) -> Result<Vec<HashRow>> {
                    hash_rows(&self.pool, seqs).await
                }

                async fn checkpoints(&self) -> Result<Vec<Checkpoint>> {
                    let rows = sqlx::query(
                        "SELECT tree_size, root, at_ms, hash_alg, public_key, signature FROM audit_checkpoint \
                         ORDER BY at_ms, tree_size",
                    )
                    .fetch_all(&self.pool)
                    .await
                    .map_err(backend)?;
                    rows.iter().map(checkpoint).collect()
                }
            }

            fn push_audit_filter(q: &mut sqlx::QueryBuilder<$db>, f: &AuditFilter) {
                if let Some(a) = &f.action_prefix {
                    q.push(" AND substr(action, 1, length(")
                        .push_bind(a.clone());
                    q.push(")) = ").push_bind(a.clone());
                }
                if let Some(a) = &f.actor {
                    q.push(" AND actor = ").push_bind(a.clone());
                }
                if let Some(t) = &f.target {
                    q.push(" AND (target_type || ':' || target_id) = ")
                        .push_bind(t.clone());
                }
                if let Some(ds) = &f.departments {
                    q.push(" AND department_id IN (");
                    let mut sep = q.separated(", ");
                    sep.push_bind(-1i64);
                    for d in ds {
                        sep.push_bind(*d);
                    }
                    q.push(")");
                }
                if let Some(t) = f.from_ms {
                    q.push(" AND at_ms >= ").push_bind(t);
                }
                if let Some(t) = f.to_ms {
                    q.push(" AND at_ms < ").push_bind(t);
                }
                if let Some(actions) = &f.actions {
                    q.push(" AND action IN (");
                    let mut sep = q.separated(", ");
                    sep.push_bind(String::new());
                    for a in actions {
                        sep.push_bind(a.clone());
                    }
                    q.push(")");
                }
                if let Some(s) = f.from_seq {
                    q.push(" AND seq >= ").push_bind(s as i64);
                }
                if let Some(s) = f.to_seq {
                    q.push(" AND seq < ").push_bind(s as i64);
                }
            }

            async fn hash_rows<'e, E>(exec: E, seqs: &[u64]) -> Result<Vec<HashRow>>
            where
                E: sqlx::Executor<'e, Database = $db>,
            {
                if seqs.is_empty() {
                    return Ok(Vec::new());
                }
                let mut q =
                    sqlx::QueryBuilder::<$db>::new("SELECT seq, leaf_hash, closed FROM audit_log WHERE seq IN (");
                let mut sep = q.separated(", ");
                for s in seqs {
                    sep.push_bind(*s as i64);
                }
                q.push(")");
                let rows = q.build().fetch_all(exec).await.map_err(backend)?;
                rows.iter().map(hash_row).collect()
            }



            #[async_trait::async_trait]
            impl ssj_storage::Tx for $tx {
                async fn lock_audit(&mut self) -> Result<u64> {
                    self.take_append_lock().await?;
                    let n: Option<i64> = sqlx::query_scalar("SELECT MAX(seq) + 1 FROM audit_log")
                        .fetch_one(&mut *self.tx)
                        .await
                        .map_err(backend)?;
                    Ok(n.unwrap_or(0) as u64)
                }

                async fn audit_hash_rows(&mut self, seqs: &[u64]) -> Result<Vec<HashRow>> {
                    hash_rows(&mut *self.tx, seqs).await
                }

                async fn insert_audit(&mut self, rows: &[StoredAudit]) -> Result<()> {
                    // Multi-row INSERTs: one statement per 1,000 records, well under the bind-variable limit.
                    for chunk in rows.chunks(AUDIT_INSERT_CHUNK) {
                        let mut q =
                            sqlx::QueryBuilder::<$db>::new(format!("INSERT INTO audit_log ({AUDIT_COLUMNS}) "));
                        q.push_values(chunk, |mut b, row| {
                            let (r, e) = (&row.record, &row.record.entry);
                            b.push_bind(r.seq as i64)
                                .push_bind(r.at_ms)
                                .push_bind(e.actor_id)
                                .push_bind(e.actor_name.clone())
                                .push_bind(e.department_id)
                                .push_bind(e.action.clone())
                                .push_bind(e.target_type.clone())
                                .push_bind(e.target_id.clone())
                                .push_bind(e.before.clone())
                                .push_bind(e.after.clone())
                                .push_bind(e.reason.clone())
                                .push_bind(row.leaf_hash.to_vec())
                                .push_bind(row.closed.clone())
                                .push_bind(r.actor_salt.map(|s| s.to_vec()));
                        });
                        q.build().execute(&mut *self.tx).await.map_err(backend)?;
                    }
                    Ok(())
                }

                async fn insert_checkpoint(&mut self, c: &Checkpoint) -> Result<()> {
                    sqlx::query(
                        "INSERT INTO audit_checkpoint (tree_size, root, at_ms, hash_alg, public_key, signature) \
                         VALUES ($1, $2, $3, $4, $5, $6)",
                    )
                    .bind(c.tree_size as i64)
                    .bind(&c.root[..])
                    .bind(c.at_ms)
                    .bind(&c.hash_alg)
                    .bind(&c.public_key)
                    .bind(&c.signature)
                    .execute(&mut *self.tx)
                    .await
                    .map_err(backend)?;
                    Ok(())
                }

                async fn meta_set(&mut self, key: &str, value: &str) -> Result<()> {
                    sqlx::query(
                        "INSERT INTO meta (key, value) VALUES ($1, $2) \
                         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    )
                    .bind(key)
                    .bind(value)
                    .execute(&mut *self.tx)
                    .await
                    .map_err(backend)?;
                    Ok(())
                }

                async fn insert_division(&mut self, d: &Division) -> Result<()> {
                    sqlx::query("INSERT INTO division (code, name, parent) VALUES ($1, $2, $3)")
                        .bind(d.code.as_str())
                        .bind(&d.name)
                        .bind(d.parent.as_ref().map(|p| p.as_str()))
                        .execute(&mut *self.tx)
                        .await
                        .map_err(backend)?;
                    Ok(())
                }

                async fn insert_department(&mut self, d: &NewDepartment) -> Result<i64> {
                    sqlx::query_scalar(
                        "INSERT INTO department (name, division, created_ms) VALUES ($1, $2, $3) RETURNING id",
                    )
                    .bind(&d.name)
                    .bind(d.division.as_str())
                    .bind(d.created_ms)
                    .fetch_one(&mut *self.tx)
                    .await
                    .map_err(backend)
                }

                async fn tx_departments(&mut self) -> Result<Vec<Department>> {
                    let rows = sqlx::query(
                        "SELECT id, name, division, active, created_ms FROM department ORDER BY division, id",
                    )
                    .fetch_all(&mut *self.tx)
                    .await
                    .map_err(backend)?;
                    rows.iter().map(department).collect()
                }

                async fn update_department(&mut self, d: &Department) -> Result<()> {
                    sqlx::query("UPDATE department SET name = $1, division = $2, active = $3 WHERE id = $4")
                        .bind(&d.name)
                        .bind(d.division.as_str())
                        .bind(d.active)
                        .bind(d.id)
                        .execute(&mut *self.tx)
                        .await
                        .map_err(backend)?;
                    Ok(())
                }

                async fn insert_user(&mut self, u: &NewUser) -> Result<i64> {
                    sqlx::query_scalar(
                        "INSERT INTO app_user (username, display_name, department_id, role, scope, \
                         password_hash, created_ms, password_changed_ms, must_change_password) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8) RETURNING id",
                    )
                    .bind(&u.username)
                    .bind(&u.display_name)
                    .bind(u.department_id)
                    .bind(u.role.key())
                    .bind(u.scope.key())
                    .bind(&u.password_hash)
                    .bind(u.created_ms)
                    .bind(u.must_change_password)
                    .fetch_one(&mut *self.tx)
                    .await
                    .map_err(backend)
                }

                async fn update_user(&mut self, u: &User) -> Result<()> {
                    sqlx::query(
                        "UPDATE app_user SET display_name = $1, department_id = $2, role = $3, scope = $4, \
                         password_hash = $5, failed_logins = $6, locked_until_ms = $7, active = $8, \
                         password_changed_ms = $9, must_change_password = $10 WHERE id = $11",
                    )
                    .bind(&u.display_name)
                    .bind(u.department_id)
                    .bind(u.role.key())
                    .bind(u.scope.key())
                    .bind(&u.password_hash)
                    .bind(u.failed_logins)
                    .bind(u.locked_until_ms)
                    .bind(u.active)
                    .bind(u.password_changed_ms)
                    .bind(u.must_change_password)
                    .bind(u.id)
                    .execute(&mut *self.tx)
                    .await
                    .map_err(backend)?;
                    Ok(())
                }

                async fn user_for_update(&mut self, id: i64) -> Result<Option<User>> {
                    sqlx::query(USER_BY_ID)
                        .bind(id)
                        .fetch_optional(&mut *self.tx)
                        .await
                        .map_err(backend)?
                        .as_ref()
                        .map(user)
                        .transpose()
                }

                async fn insert_session(&mut self, s: &Session) -> Result<()> {
                    sqlx::query(
                        "INSERT INTO session (token_hash, user_id, csrf_token, created_ms, last_seen_ms) \
                         VALUES ($1, $2, $3, $4, $5)",
                    )
                    .bind(&s.token_hash)
                    .bind(s.user_id)
                    .bind(&s.csrf_token)
                    .bind(s.created_ms)
                    .bind(s.last_seen_ms)
                    .execute(&mut *self.tx)
                    .await
                    .map_err(backend)?;
                    Ok(())
                }

                async fn touch_session(&mut self, token_hash: &str, now_ms: i64) -> Result<()> {
                    sqlx::query("UPDATE session SET last_seen_ms = $1 WHERE token_hash = $2")
                        .bind(now_ms)
                        .bind(token_hash)
                        .execute(&mut *self.tx)
                        .await
                        .map_err(backend)?;
                    Ok(())
                }

                async fn delete_session(&mut self, token_hash: &str) -> Result<()> {
                    sqlx::query("DELETE FROM session WHERE token_hash = $1")
                        .bind(token_hash)
                        .execute(&mut *self.tx)
                        .await
                        .map_err(backend)?;
                    Ok(())
                }

                async fn delete_user_sessions(&mut self, user_id: i64) -> Result<()> {
                    sqlx::query("DELETE FROM session WHERE user_id = $1")
                        .bind(user_id)
                        .execute(&mut *self.tx)
                        .await
                        .map_err(backend)?;
                    Ok(())
                }

                async fn delete_idle_sessions(&mut self, idle_before_ms: i64) -> Result<u64> {
                    sqlx::query("DELETE FROM session WHERE last_seen_ms < $1")
                        .bind(idle_before_ms)
                        .execute(&mut *self.tx)
                        .await
                        .map(|r| r.rows_affected())
                        .map_err(backend)
                }

                async fn commit(self: Box<Self>) -> Result<()> {
                    let mut this = *self;
                    let pending = std::mem::take(&mut this.pending_tally);
                    crate::object_queries::add_to_tally(&mut this.tx, pending).await?;
                    this.tx.commit().await.map_err(backend)
                }
            }
        }
    };
}
