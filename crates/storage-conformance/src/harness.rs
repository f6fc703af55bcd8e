//! Fresh databases for tests: a temporary SQLite file, or a new database in the throwaway
//! PostgreSQL cluster whose URL the test command exports as `SSJ_TEST_PG_URL`.

use async_trait::async_trait;
use ssj_storage::Store;
use std::sync::Arc;

pub struct Fresh {
    pub store: Arc<dyn Store>,
    /// The `--database` value that opens the same database (for spawned processes).
    pub database: String,
    /// Runs SQL under the platform, as someone with direct database access would.
    pub raw: Box<dyn RawSql>,
    /// Keeps a temporary directory alive while the test runs.
    pub _dir: Option<tempfile::TempDir>,
}

#[async_trait]
pub trait RawSql: Send + Sync {
    async fn exec(&self, sql: &str) -> Result<u64, String>;
    /// The single integer a `SELECT COUNT(*) …` returns.
    async fn count(&self, sql: &str) -> Result<i64, String>;
}

#[async_trait]
pub trait Harness: Sync {
    async fn fresh(&self) -> Fresh;
    /// SQL that removes the insert-only guard from `audit_log`, as an attacker would.
    fn drop_guard_sql(&self) -> &'static str;
    /// Opens `f`'s database a second time, as a restart does: the backend's migrator runs again.
    async fn reopen(&self, f: &Fresh) -> Arc<dyn Store>;
    /// The backend's migration files, each of which the migrator must apply exactly once.
    fn migration_files(&self) -> usize;
    /// Counts the tables, columns and indexes of the schema (for "nothing changed").
    fn schema_objects_sql(&self) -> &'static str;
}

fn migration_files(backend: &str) -> usize {
    let dir = format!("{}/../{backend}/migrations", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{dir}: {e}"))
        .filter(|e| {
            e.as_ref()
                .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "sql"))
        })
        .count()
}

pub struct SqliteHarness;

struct SqliteRaw(Arc<ssj_storage_sqlite::SqliteStore>);

#[async_trait]
impl RawSql for SqliteRaw {
    async fn exec(&self, sql: &str) -> Result<u64, String> {
        self.0
            .execute_unchecked(sql)
            .await
            .map_err(|e| e.to_string())
    }

    async fn count(&self, sql: &str) -> Result<i64, String> {
        sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_string()))
            .fetch_one(self.0.pool())
            .await
            .map_err(|e| e.to_string())
    }
}

#[async_trait]
impl Harness for SqliteHarness {
    async fn fresh(&self) -> Fresh {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("test.db");
        let store = Arc::new(
            ssj_storage_sqlite::SqliteStore::open(&path)
                .await
                .expect("open sqlite"),
        );
        Fresh {
            store: store.clone(),
            database: path.display().to_string(),
            raw: Box::new(SqliteRaw(store)),
            _dir: Some(dir),
        }
    }

    fn drop_guard_sql(&self) -> &'static str {
        "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;"
    }

    async fn reopen(&self, f: &Fresh) -> Arc<dyn Store> {
        Arc::new(
            ssj_storage_sqlite::SqliteStore::open(std::path::Path::new(&f.database))
                .await
                .expect("reopen sqlite"),
        )
    }

    fn migration_files(&self) -> usize {
        migration_files("storage-sqlite")
    }

    fn schema_objects_sql(&self) -> &'static str {
        "SELECT (SELECT COUNT(*) FROM sqlite_master) + (SELECT COUNT(*) FROM sqlite_master m, \
         pragma_table_info(m.name) c WHERE m.type = 'table')"
    }
}

pub struct PostgresHarness;

struct PgRaw(Arc<ssj_storage_postgres::PgStore>);

#[async_trait]
impl RawSql for PgRaw {
    async fn exec(&self, sql: &str) -> Result<u64, String> {
        self.0
            .execute_unchecked(sql)
            .await
            .map_err(|e| e.to_string())
    }

    async fn count(&self, sql: &str) -> Result<i64, String> {
        sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_string()))
            .fetch_one(self.0.pool())
            .await
            .map_err(|e| e.to_string())
    }
}

/// The admin URL of the test cluster. Missing is a failure, never a skip.
pub fn pg_admin_url() -> String {
    std::env::var("SSJ_TEST_PG_URL").unwrap_or_else(|_| {
        panic!(
            "SSJ_TEST_PG_URL is not set: the PostgreSQL tests need a server. Run the whole suite \
             with scripts/test.sh, which starts a throwaway cluster."
        )
    })
}

/// Creates an empty database in the test cluster and returns its URL.
pub async fn pg_fresh_database_url() -> String {
    let admin = pg_admin_url();
    let store = ssj_storage_postgres::PgStore::connect_without_migrating(&admin)
        .await
        .expect("connect to the test cluster");
    let name = format!("ssj_{}", ssj_app::keys::random_hex(8));
    store
        .execute_unchecked(&format!("CREATE DATABASE {name}"))
        .await
        .expect("create database");
    store.close().await;
    match admin.rsplit_once('/') {
        Some((base, _)) => format!("{base}/{name}"),
        None => panic!("SSJ_TEST_PG_URL must end with /DATABASE"),
    }
}

#[async_trait]
impl Harness for PostgresHarness {
    async fn fresh(&self) -> Fresh {
        let url = pg_fresh_database_url().await;
        let store = Arc::new(
            ssj_storage_postgres::PgStore::connect(&url)
                .await
                .expect("connect"),
        );
        Fresh {
            store: store.clone(),
            database: url,
            raw: Box::new(PgRaw(store)),
            _dir: None,
        }
    }

    fn drop_guard_sql(&self) -> &'static str {
        "DROP TRIGGER audit_log_insert_only ON audit_log"
    }

    async fn reopen(&self, f: &Fresh) -> Arc<dyn Store> {
        Arc::new(
            ssj_storage_postgres::PgStore::connect(&f.database)
                .await
                .expect("reconnect"),
        )
    }

    fn migration_files(&self) -> usize {
        migration_files("storage-postgres")
    }

    fn schema_objects_sql(&self) -> &'static str {
        "SELECT (SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = 'public') \
         + (SELECT COUNT(*) FROM pg_indexes WHERE schemaname = 'public') \
         + (SELECT COUNT(*) FROM information_schema.triggers WHERE trigger_schema = 'public')"
    }
}
