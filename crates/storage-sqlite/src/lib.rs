//! The SQLite backend: the default, embedded in the binary, one file per deployment.
//! WAL journal so readers never block the single writer; every write transaction starts with
//! `BEGIN IMMEDIATE` so two writers queue instead of failing on a lock upgrade.

mod bulk;
mod rows;

use async_trait::async_trait;
use rows::*;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{QueryBuilder, Sqlite, SqlitePool, Transaction};
use ssj_storage::*;
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

pub struct SqliteStore {
    pool: SqlitePool,
    path: std::path::PathBuf,
}

fn backend(e: sqlx::Error) -> StorageError {
    if let sqlx::Error::Database(db) = &e
        && db.is_unique_violation()
    {
        return StorageError::Conflict(db.message().to_string());
    }
    StorageError::Backend(e.to_string())
}

impl SqliteStore {
    /// Opens (creating if needed) the database file and applies pending migrations.
    pub async fn open(path: &Path) -> Result<SqliteStore> {
        let opts = SqliteConnectOptions::from_str(&format!("sqlite://{}", path.display()))
            .map_err(backend)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(30));
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(opts)
            .await
            .map_err(backend)?;
        let store = SqliteStore {
            pool,
            path: path.to_path_buf(),
        };
        store.migrate().await?;
        Ok(store)
    }

    async fn migrate(&self) -> Result<()> {
        MIGRATOR.run(&self.pool).await.map_err(|e| match e {
            sqlx::migrate::MigrateError::VersionMissing(v) => {
                StorageError::SchemaTooNew(v.to_string())
            }
            other => StorageError::Backend(other.to_string()),
        })
    }

    /// For tests and benchmarks that must reach under the platform, as an attacker or a
    /// baseline would: runs SQL directly, bypassing the services.
    pub async fn execute_unchecked(&self, sql: &str) -> Result<u64> {
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
            .execute(&self.pool)
            .await
            .map(|r| r.rows_affected())
            .map_err(backend)
    }

    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }
}

const AUDIT_INSERT_CHUNK: usize = 1000;

const AUDIT_COLUMNS: &str = "seq, at_ms, actor_id, actor, department_id, action, target_type, \
     target_id, before_json, after_json, reason, leaf_hash, closed";

#[async_trait]
impl Store for SqliteStore {
    fn backend(&self) -> &'static str {
        "sqlite"
    }

    async fn begin(&self) -> Result<Box<dyn Tx>> {
        let tx = self
            .pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(backend)?;
        Ok(Box::new(SqliteTx { tx }))
    }

    async fn close(&self) {
        self.pool.close().await;
    }

    async fn meta_get(&self, key: &str) -> Result<Option<String>> {
        sqlx::query_scalar("SELECT value FROM meta WHERE key = ?")
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
        sqlx::query("SELECT id, name, division, active, created_ms FROM department WHERE id = ?")
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
             WHERE token_hash = ?",
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
        let path = self.path.clone();
        tokio::task::spawn_blocking(move || bulk::audit_range(&path, from, to))
            .await
            .map_err(|e| StorageError::Backend(e.to_string()))?
    }

    async fn audit_search(&self, f: &AuditFilter) -> Result<(Vec<StoredAudit>, u64)> {
        let mut count = QueryBuilder::<Sqlite>::new("SELECT COUNT(*) FROM audit_log WHERE 1=1");
        push_audit_filter(&mut count, f);
        let total: i64 = count
            .build_query_scalar()
            .fetch_one(&self.pool)
            .await
            .map_err(backend)?;
        let mut q =
            QueryBuilder::<Sqlite>::new(format!("SELECT {AUDIT_COLUMNS} FROM audit_log WHERE 1=1"));
        push_audit_filter(&mut q, f);
        q.push(" ORDER BY seq DESC LIMIT ")
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

fn push_audit_filter(q: &mut QueryBuilder<Sqlite>, f: &AuditFilter) {
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
}

async fn hash_rows<'e, E>(exec: E, seqs: &[u64]) -> Result<Vec<HashRow>>
where
    E: sqlx::Executor<'e, Database = Sqlite>,
{
    if seqs.is_empty() {
        return Ok(Vec::new());
    }
    let mut q =
        QueryBuilder::<Sqlite>::new("SELECT seq, leaf_hash, closed FROM audit_log WHERE seq IN (");
    let mut sep = q.separated(", ");
    for s in seqs {
        sep.push_bind(*s as i64);
    }
    q.push(")");
    let rows = q.build().fetch_all(exec).await.map_err(backend)?;
    rows.iter().map(hash_row).collect()
}

struct SqliteTx {
    tx: Transaction<'static, Sqlite>,
}

#[async_trait]
impl Tx for SqliteTx {
    async fn lock_audit(&mut self) -> Result<u64> {
        // BEGIN IMMEDIATE already holds the database's single write lock.
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
                QueryBuilder::<Sqlite>::new(format!("INSERT INTO audit_log ({AUDIT_COLUMNS}) "));
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
                    .push_bind(row.closed.clone());
            });
            q.build().execute(&mut *self.tx).await.map_err(backend)?;
        }
        Ok(())
    }

    async fn insert_checkpoint(&mut self, c: &Checkpoint) -> Result<()> {
        sqlx::query(
            "INSERT INTO audit_checkpoint (tree_size, root, at_ms, hash_alg, public_key, signature) \
             VALUES (?, ?, ?, ?, ?, ?)",
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
            "INSERT INTO meta (key, value) VALUES (?, ?) \
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
        sqlx::query("INSERT INTO division (code, name, parent) VALUES (?, ?, ?)")
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
            "INSERT INTO department (name, division, created_ms) VALUES (?, ?, ?) RETURNING id",
        )
        .bind(&d.name)
        .bind(d.division.as_str())
        .bind(d.created_ms)
        .fetch_one(&mut *self.tx)
        .await
        .map_err(backend)
    }

    async fn update_department(&mut self, d: &Department) -> Result<()> {
        sqlx::query("UPDATE department SET name = ?, division = ?, active = ? WHERE id = ?")
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
             password_hash, created_ms) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(&u.username)
        .bind(&u.display_name)
        .bind(u.department_id)
        .bind(u.role.key())
        .bind(u.scope.key())
        .bind(&u.password_hash)
        .bind(u.created_ms)
        .fetch_one(&mut *self.tx)
        .await
        .map_err(backend)
    }

    async fn update_user(&mut self, u: &User) -> Result<()> {
        sqlx::query(
            "UPDATE app_user SET display_name = ?, department_id = ?, role = ?, scope = ?, \
             password_hash = ?, failed_logins = ?, locked_until_ms = ?, active = ? WHERE id = ?",
        )
        .bind(&u.display_name)
        .bind(u.department_id)
        .bind(u.role.key())
        .bind(u.scope.key())
        .bind(&u.password_hash)
        .bind(u.failed_logins)
        .bind(u.locked_until_ms)
        .bind(u.active)
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
             VALUES (?, ?, ?, ?, ?)",
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
        sqlx::query("UPDATE session SET last_seen_ms = ? WHERE token_hash = ?")
            .bind(now_ms)
            .bind(token_hash)
            .execute(&mut *self.tx)
            .await
            .map_err(backend)?;
        Ok(())
    }

    async fn delete_session(&mut self, token_hash: &str) -> Result<()> {
        sqlx::query("DELETE FROM session WHERE token_hash = ?")
            .bind(token_hash)
            .execute(&mut *self.tx)
            .await
            .map_err(backend)?;
        Ok(())
    }

    async fn delete_user_sessions(&mut self, user_id: i64) -> Result<()> {
        sqlx::query("DELETE FROM session WHERE user_id = ?")
            .bind(user_id)
            .execute(&mut *self.tx)
            .await
            .map_err(backend)?;
        Ok(())
    }

    async fn delete_idle_sessions(&mut self, idle_before_ms: i64) -> Result<u64> {
        sqlx::query("DELETE FROM session WHERE last_seen_ms < ?")
            .bind(idle_before_ms)
            .execute(&mut *self.tx)
            .await
            .map(|r| r.rows_affected())
            .map_err(backend)
    }

    async fn commit(self: Box<Self>) -> Result<()> {
        self.tx.commit().await.map_err(backend)
    }
}
