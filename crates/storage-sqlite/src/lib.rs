//! The SQLite backend: the default, embedded in the binary, one file per deployment.
//! WAL journal so readers never block the single writer; every write transaction starts with
//! `BEGIN IMMEDIATE` so two writers queue instead of failing on a lock upgrade. The SQL shared
//! with PostgreSQL comes from `ssj_storage_sql::sql_backend!`.

mod bulk;

use sqlx::ConnectOptions;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqlitePool, Transaction};
use ssj_storage::{Result, StorageError, StoredAudit};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

pub struct SqliteStore {
    pool: SqlitePool,
    path: PathBuf,
}

ssj_storage_sql::sql_backend!(db: sqlx::Sqlite, row: sqlx::sqlite::SqliteRow, store: SqliteStore, tx: SqliteTx, name: "sqlite");
ssj_storage_sql::sql_items!(db: sqlx::Sqlite, row: sqlx::sqlite::SqliteRow, store: SqliteStore, tx: SqliteTx);
ssj_storage_sql::sql_objects!(db: sqlx::Sqlite, row: sqlx::sqlite::SqliteRow, store: SqliteStore, tx: SqliteTx);
ssj_storage_sql::sql_officers!(db: sqlx::Sqlite, row: sqlx::sqlite::SqliteRow, store: SqliteStore, tx: SqliteTx);
ssj_storage_sql::sql_tasks!(db: sqlx::Sqlite, row: sqlx::sqlite::SqliteRow, store: SqliteStore, tx: SqliteTx);
ssj_storage_sql::sql_plans!(db: sqlx::Sqlite, row: sqlx::sqlite::SqliteRow, store: SqliteStore, tx: SqliteTx);

impl SqliteStore {
    /// Opens (creating if needed) the database file and applies pending migrations.
    pub async fn open(path: &Path) -> Result<SqliteStore> {
        let opts = SqliteConnectOptions::from_str(&format!("sqlite://{}", path.display()))
            .map_err(backend)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(30))
            // CREATE INDEX sorts on a second thread (the bulk load's index rebuild), spilling
            // to temporary files: twice as fast as sorting within temp_store=memory.
            .pragma("threads", "2")
            // A bulk load's index build takes seconds by design: not a warning for the user.
            .log_slow_statements(log::LevelFilter::Info, Duration::from_secs(1));
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(opts)
            .await
            .map_err(backend)?;
        let store = SqliteStore {
            pool,
            path: path.to_path_buf(),
        };
        MIGRATOR.run(&store.pool).await.map_err(|e| match e {
            sqlx::migrate::MigrateError::VersionMissing(v) => {
                StorageError::SchemaTooNew(v.to_string())
            }
            other => StorageError::Backend(other.to_string()),
        })?;
        Ok(store)
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

    async fn begin_tx(&self) -> Result<Transaction<'static, Sqlite>> {
        self.pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(backend)
    }

    /// A draw's scope through rusqlite on a read-only connection: a covering scan of the list
    /// index, a few hundred nanoseconds per object where sqlx's rows cost microseconds.
    async fn read_scope(&self, scope: &ssj_storage::DrawScope) -> Result<ssj_storage::ScopeRows> {
        let path = self.path.clone();
        let (sql, params) = ssj_storage_sql::scope_sql(scope);
        tokio::task::spawn_blocking(move || bulk::scope_rows(&path, &sql, &params))
            .await
            .map_err(|e| StorageError::Backend(e.to_string()))?
    }

    async fn read_audit_range(&self, from: u64, to: u64) -> Result<Vec<StoredAudit>> {
        let path = self.path.clone();
        tokio::task::spawn_blocking(move || bulk::audit_range(&path, from, to))
            .await
            .map_err(|e| StorageError::Backend(e.to_string()))?
    }
}

impl SqliteTx {
    /// A draw's selected objects with one prepared statement on the transaction's connection.
    async fn insert_draw_picks(&mut self, picks: &[ssj_storage::DrawPick]) -> Result<()> {
        let mut handle = self.tx.lock_handle().await.map_err(backend)?;
        // SAFETY: as in `insert_objects_bulk`: the handle stays locked while `conn` lives.
        let conn = unsafe { rusqlite::Connection::from_handle(handle.as_raw_handle().as_ptr()) }
            .map_err(bulk::err)?;
        bulk::insert_picks(&conn, picks)
    }

    /// Loads objects with one prepared statement on the transaction's own connection (sqlx
    /// lends its raw handle): an order of magnitude less per-row work than building multi-row
    /// INSERTs, and still inside the same transaction as the audit records.
    async fn insert_objects_bulk(&mut self, objects: &[ssj_storage::Object]) -> Result<()> {
        let mut handle = self.tx.lock_handle().await.map_err(backend)?;
        // SAFETY: the handle stays locked (no other use by sqlx) for the life of `conn`, and
        // `from_handle` does not close it when dropped.
        let conn = unsafe { rusqlite::Connection::from_handle(handle.as_raw_handle().as_ptr()) }
            .map_err(bulk::err)?;
        bulk::insert_objects(&conn, objects)
    }

    /// Builds an index after a bulk load. (SQLite's sorter sizes its in-memory runs by
    /// the page cache; its default 2 MB sorts a million codes twice as fast as 64 MB does.)
    async fn build_index(&mut self, create: &str) -> Result<()> {
        sqlx::raw_sql(sqlx::AssertSqlSafe(create.to_string()))
            .execute(&mut *self.tx)
            .await
            .map_err(backend)?;
        Ok(())
    }

    /// SQLite plans these queries well without statistics (and ANALYZE of ten million rows
    /// would read every index).
    async fn after_bulk_load(&mut self) -> Result<()> {
        Ok(())
    }

    /// `BEGIN IMMEDIATE` already holds the database's single write lock.
    async fn take_append_lock(&mut self) -> Result<()> {
        Ok(())
    }
}
