//! The PostgreSQL backend, for production deployments of a city or a province. Appends to the
//! audit log are serialised by a transaction-scoped advisory lock. The SQL shared with SQLite
//! comes from `ssj_storage_sql::sql_backend!`.

use sqlx::ConnectOptions;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{PgPool, Postgres, Transaction};
use ssj_storage::{Result, StorageError, StoredAudit};
use std::str::FromStr;
use std::time::Duration;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

pub struct PgStore {
    pool: PgPool,
}

ssj_storage_sql::sql_backend!(db: sqlx::Postgres, row: sqlx::postgres::PgRow, store: PgStore, tx: PgTx, name: "postgres");
ssj_storage_sql::sql_items!(db: sqlx::Postgres, row: sqlx::postgres::PgRow, store: PgStore, tx: PgTx);
ssj_storage_sql::sql_objects!(db: sqlx::Postgres, row: sqlx::postgres::PgRow, store: PgStore, tx: PgTx);
ssj_storage_sql::sql_officers!(db: sqlx::Postgres, row: sqlx::postgres::PgRow, store: PgStore, tx: PgTx);
ssj_storage_sql::sql_tasks!(db: sqlx::Postgres, row: sqlx::postgres::PgRow, store: PgStore, tx: PgTx);
ssj_storage_sql::sql_plans!(db: sqlx::Postgres, row: sqlx::postgres::PgRow, store: PgStore, tx: PgTx);

impl PgStore {
    /// Connects to `url` (`postgres://…`) and applies pending migrations.
    pub async fn connect(url: &str) -> Result<PgStore> {
        let store = PgStore::connect_without_migrating(url).await?;
        MIGRATOR.run(&store.pool).await.map_err(|e| match e {
            sqlx::migrate::MigrateError::VersionMissing(v) => {
                StorageError::SchemaTooNew(v.to_string())
            }
            other => StorageError::Backend(other.to_string()),
        })?;
        Ok(store)
    }

    /// Connects without touching the schema (administrative connections, test set-up).
    pub async fn connect_without_migrating(url: &str) -> Result<PgStore> {
        // A bulk load's index build takes seconds by design: not a warning for the user.
        let opts = PgConnectOptions::from_str(url)
            .map_err(backend)?
            .log_slow_statements(log::LevelFilter::Info, Duration::from_secs(1));
        let pool = PgPoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(opts)
            .await
            .map_err(backend)?;
        Ok(PgStore { pool })
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

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    async fn begin_tx(&self) -> Result<Transaction<'static, Postgres>> {
        self.pool.begin().await.map_err(backend)
    }

    async fn read_scope(&self, scope: &ssj_storage::DrawScope) -> Result<ssj_storage::ScopeRows> {
        task_queries::sql_scope_rows(&self.pool, scope).await
    }

    async fn read_audit_range(&self, from: u64, to: u64) -> Result<Vec<StoredAudit>> {
        sql_audit_range(&self.pool, from, to).await
    }
}

impl PgTx {
    /// A draw's selected objects, 20,000 rows per statement as arrays.
    async fn insert_draw_picks(&mut self, picks: &[ssj_storage::DrawPick]) -> Result<()> {
        for chunk in picks.chunks(20_000) {
            let draw: Vec<i64> = chunk.iter().map(|p| p.draw_id).collect();
            let rank: Vec<i64> = chunk.iter().map(|p| p.rank).collect();
            let code: Vec<&str> = chunk.iter().map(|p| p.object_code.as_str()).collect();
            let stratum: Vec<&str> = chunk.iter().map(|p| p.stratum.as_str()).collect();
            sqlx::query(
                "INSERT INTO draw_pick (draw_id, rank, object_code, stratum) \
                 SELECT * FROM UNNEST($1::bigint[], $2::bigint[], $3::text[], $4::text[])",
            )
            .bind(draw)
            .bind(rank)
            .bind(code)
            .bind(stratum)
            .execute(&mut *self.tx)
            .await
            .map_err(backend)?;
        }
        Ok(())
    }

    /// Statistics for the planner right away: without them, after a first load of millions of
    /// rows it walks the list index for a code search (70 ms) instead of the code index.
    async fn after_bulk_load(&mut self) -> Result<()> {
        sqlx::query("ANALYZE object")
            .execute(&mut *self.tx)
            .await
            .map_err(backend)?;
        Ok(())
    }

    /// Builds an index after a bulk load with room to sort a million codes in memory
    /// (the default 64 MB of `maintenance_work_mem` spills to disk).
    async fn build_index(&mut self, create: &str) -> Result<()> {
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "SET LOCAL maintenance_work_mem = '256MB'; {create}"
        )))
        .execute(&mut *self.tx)
        .await
        .map_err(backend)?;
        Ok(())
    }

    /// Loads objects with `COPY … FROM STDIN` inside the transaction: one round trip per batch
    /// and no per-row statement work.
    async fn insert_objects_bulk(&mut self, objects: &[ssj_storage::Object]) -> Result<()> {
        if objects.is_empty() {
            return Ok(());
        }
        let mut csv_rows = csv::Writer::from_writer(Vec::with_capacity(objects.len() * 256));
        let flag = |b: bool| if b { "t" } else { "f" };
        for o in objects {
            let tags = serde_json::to_string(&o.tags).unwrap_or_default();
            let licences = serde_json::to_string(&o.licences).unwrap_or_default();
            let (created, updated) = (o.created_ms.to_string(), o.updated_ms.to_string());
            csv_rows
                .write_record([
                    o.code.as_str(),
                    flag(o.code_flagged),
                    &o.name,
                    o.kind.label(),
                    &o.legal_rep,
                    &o.address,
                    &o.division,
                    &o.authority,
                    &o.industry,
                    &o.scale,
                    o.status.label(),
                    o.tier.label(),
                    &o.tier_date,
                    &o.tier_source,
                    &tags,
                    flag(o.abnormal),
                    flag(o.serious_violation),
                    &o.last_inspected,
                    &licences,
                    &created,
                    &updated,
                ])
                .map_err(|e| StorageError::Backend(e.to_string()))?;
        }
        let data = csv_rows
            .into_inner()
            .map_err(|e| StorageError::Backend(e.to_string()))?;
        let mut copy = self
            .tx
            .copy_in_raw(
                "COPY object (code, code_flagged, name, kind, legal_rep, address, division, authority, industry, \
                 scale, status, tier, tier_date, tier_source, tags, abnormal, serious_violation, last_inspected, \
                 licences, created_ms, updated_ms) FROM STDIN WITH (FORMAT csv, NULL '\\N')",
            )
            .await
            .map_err(backend)?;
        copy.send(data).await.map_err(backend)?;
        copy.finish().await.map_err(backend)?;
        Ok(())
    }

    /// One appender at a time until this transaction ends; the key is arbitrary but fixed.
    async fn take_append_lock(&mut self) -> Result<()> {
        sqlx::query("SELECT pg_advisory_xact_lock(7264001)")
            .execute(&mut *self.tx)
            .await
            .map_err(backend)?;
        Ok(())
    }
}
