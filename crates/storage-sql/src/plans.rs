/// Expands the plan queries (`PlanStore`, `PlanTx`) for a backend; invoked next to
/// [`sql_backend!`](crate::sql_backend), whose `backend` error mapping it uses.
#[macro_export]
macro_rules! sql_plans {
    (db: $db:ty, row: $row:ty, store: $store:ident, tx: $tx:ident) => {
        mod plan_queries {
            use super::{backend, $store, $tx};
            use sqlx::Row;
            use ssj_domain::plans::{PlanKind, PlanStatus};
            use ssj_storage::*;

            const PLAN_COLUMNS: &str = "id, code, division, department_id, kind, year, title, status, completion_date, \
                version, published_version, created_by, created_ms, updated_ms";
            const VERSION_COLUMNS: &str = "plan_id, version, tasks, changes, note, created_by, created_ms, published_ms";

            fn corrupt(e: impl std::fmt::Display) -> StorageError {
                StorageError::Corrupt(e.to_string())
            }

            fn get<'r, T: sqlx::Decode<'r, $db> + sqlx::Type<$db>>(r: &'r $row, col: &str) -> Result<T> {
                r.try_get(col).map_err(|e| corrupt(format!("{col}: {e}")))
            }

            fn plan(r: &$row) -> Result<Plan> {
                let kind: String = get(r, "kind")?;
                let status: String = get(r, "status")?;
                Ok(Plan {
                    id: get(r, "id")?,
                    code: get(r, "code")?,
                    division: get(r, "division")?,
                    department_id: get(r, "department_id")?,
                    kind: PlanKind::parse(&kind).ok_or_else(|| corrupt(format!("计划类型 {kind}")))?,
                    year: get(r, "year")?,
                    title: get(r, "title")?,
                    status: PlanStatus::parse(&status).ok_or_else(|| corrupt(format!("计划状态 {status}")))?,
                    completion_date: get(r, "completion_date")?,
                    version: get(r, "version")?,
                    published_version: get(r, "published_version")?,
                    created_by: get(r, "created_by")?,
                    created_ms: get(r, "created_ms")?,
                    updated_ms: get(r, "updated_ms")?,
                })
            }

            fn version(r: &$row) -> Result<PlanVersion> {
                Ok(PlanVersion {
                    plan_id: get(r, "plan_id")?,
                    version: get(r, "version")?,
                    tasks: get(r, "tasks")?,
                    changes: get(r, "changes")?,
                    note: get(r, "note")?,
                    created_by: get(r, "created_by")?,
                    created_ms: get(r, "created_ms")?,
                    published_ms: get(r, "published_ms")?,
                })
            }

            fn link(r: &$row) -> Result<PlanTaskLink> {
                Ok(PlanTaskLink { plan_id: get(r, "plan_id")?, seq: get(r, "seq")?, task_id: get(r, "task_id")? })
            }

            #[async_trait::async_trait]
            impl PlanStore for $store {
                async fn plans(&self) -> Result<Vec<Plan>> {
                    let sql = format!("SELECT {PLAN_COLUMNS} FROM plan ORDER BY year DESC, code DESC");
                    sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(&self.pool).await.map_err(backend)?.iter().map(plan).collect()
                }

                async fn plan(&self, id: i64) -> Result<Option<Plan>> {
                    let sql = format!("SELECT {PLAN_COLUMNS} FROM plan WHERE id = $1");
                    sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(&self.pool).await.map_err(backend)?
                        .as_ref().map(plan).transpose()
                }

                async fn plan_by_code(&self, code: &str) -> Result<Option<Plan>> {
                    let sql = format!("SELECT {PLAN_COLUMNS} FROM plan WHERE code = $1");
                    sqlx::query(sqlx::AssertSqlSafe(sql)).bind(code).fetch_optional(&self.pool).await.map_err(backend)?
                        .as_ref().map(plan).transpose()
                }

                async fn plan_versions(&self, plan_id: i64) -> Result<Vec<PlanVersion>> {
                    let sql = format!("SELECT {VERSION_COLUMNS} FROM plan_version WHERE plan_id = $1 ORDER BY version");
                    sqlx::query(sqlx::AssertSqlSafe(sql)).bind(plan_id).fetch_all(&self.pool).await.map_err(backend)?
                        .iter().map(version).collect()
                }

                async fn name_mappings(&self) -> Result<Vec<NameMapping>> {
                    let rows = sqlx::query("SELECT kind, written, target_id FROM plan_name_mapping ORDER BY kind, written")
                        .fetch_all(&self.pool).await.map_err(backend)?;
                    rows.iter()
                        .map(|r| Ok(NameMapping { kind: get(r, "kind")?, written: get(r, "written")?, target_id: get(r, "target_id")? }))
                        .collect()
                }

                async fn plan_task_links(&self, plan_id: i64) -> Result<Vec<PlanTaskLink>> {
                    sqlx::query("SELECT plan_id, seq, task_id FROM plan_task_link WHERE plan_id = $1 ORDER BY seq, task_id")
                        .bind(plan_id).fetch_all(&self.pool).await.map_err(backend)?.iter().map(link).collect()
                }

                async fn task_plan(&self, task_id: i64) -> Result<Option<PlanTaskLink>> {
                    sqlx::query("SELECT plan_id, seq, task_id FROM plan_task_link WHERE task_id = $1")
                        .bind(task_id).fetch_optional(&self.pool).await.map_err(backend)?.as_ref().map(link).transpose()
                }

                async fn drawn_picks(&self) -> Result<Vec<(i64, String)>> {
                    let rows = sqlx::query(
                        "SELECT d.task_id AS task_id, p.object_code AS code FROM draw_pick p JOIN draw d ON d.id = p.draw_id \
                         JOIN task t ON t.id = d.task_id WHERE d.status = 'drawn' AND t.status <> 'cancelled'",
                    )
                    .fetch_all(&self.pool).await.map_err(backend)?;
                    rows.iter().map(|r| Ok((get(r, "task_id")?, get(r, "code")?))).collect()
                }

                async fn visit_confirmations(&self) -> Result<Vec<VisitConfirmation>> {
                    let rows = sqlx::query(
                        "SELECT visit_key, department_id, confirmed_by, confirmed_ms FROM merged_visit_confirmation \
                         ORDER BY visit_key, department_id",
                    )
                    .fetch_all(&self.pool).await.map_err(backend)?;
                    rows.iter()
                        .map(|r| Ok(VisitConfirmation {
                            visit_key: get(r, "visit_key")?,
                            department_id: get(r, "department_id")?,
                            confirmed_by: get(r, "confirmed_by")?,
                            confirmed_ms: get(r, "confirmed_ms")?,
                        }))
                        .collect()
                }
            }

            #[async_trait::async_trait]
            impl PlanTx for $tx {
                async fn last_plan_code_with_prefix(&mut self, prefix: &str) -> Result<Option<String>> {
                    let like = format!("{}%", $crate::like_escape(prefix));
                    sqlx::query_scalar("SELECT MAX(code) FROM plan WHERE code LIKE $1 ESCAPE '\\'")
                        .bind(like).fetch_one(&mut *self.tx).await.map_err(backend)
                }

                async fn insert_plan(&mut self, p: &Plan) -> Result<i64> {
                    sqlx::query_scalar(
                        "INSERT INTO plan (code, division, department_id, kind, year, title, status, completion_date, version, \
                         published_version, created_by, created_ms, updated_ms) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
                    )
                    .bind(&p.code).bind(&p.division).bind(p.department_id).bind(p.kind.key()).bind(p.year).bind(&p.title)
                    .bind(p.status.key()).bind(&p.completion_date).bind(p.version).bind(p.published_version)
                    .bind(&p.created_by).bind(p.created_ms).bind(p.updated_ms)
                    .fetch_one(&mut *self.tx).await.map_err(backend)
                }

                async fn update_plan(&mut self, p: &Plan) -> Result<()> {
                    sqlx::query(
                        "UPDATE plan SET title = $1, status = $2, completion_date = $3, version = $4, published_version = $5, \
                         updated_ms = $6 WHERE id = $7",
                    )
                    .bind(&p.title).bind(p.status.key()).bind(&p.completion_date).bind(p.version).bind(p.published_version)
                    .bind(p.updated_ms).bind(p.id)
                    .execute(&mut *self.tx).await.map_err(backend)?;
                    Ok(())
                }

                async fn plan_for_update(&mut self, id: i64) -> Result<Option<Plan>> {
                    let sql = format!("SELECT {PLAN_COLUMNS} FROM plan WHERE id = $1");
                    sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(&mut *self.tx).await.map_err(backend)?
                        .as_ref().map(plan).transpose()
                }

                async fn insert_plan_version(&mut self, v: &PlanVersion) -> Result<()> {
                    sqlx::query(
                        "INSERT INTO plan_version (plan_id, version, tasks, changes, note, created_by, created_ms, published_ms) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                    )
                    .bind(v.plan_id).bind(v.version).bind(&v.tasks).bind(&v.changes).bind(&v.note)
                    .bind(&v.created_by).bind(v.created_ms).bind(v.published_ms)
                    .execute(&mut *self.tx).await.map_err(backend)?;
                    Ok(())
                }

                async fn update_plan_version(&mut self, v: &PlanVersion) -> Result<()> {
                    // A published version is never rewritten: the WHERE keeps it so.
                    let done = sqlx::query(
                        "UPDATE plan_version SET tasks = $1, changes = $2, note = $3, published_ms = $4 \
                         WHERE plan_id = $5 AND version = $6 AND published_ms IS NULL",
                    )
                    .bind(&v.tasks).bind(&v.changes).bind(&v.note).bind(v.published_ms).bind(v.plan_id).bind(v.version)
                    .execute(&mut *self.tx).await.map_err(backend)?;
                    if done.rows_affected() != 1 {
                        return Err(StorageError::Conflict(format!("计划版本 {} 已发布，不能修改", v.version)));
                    }
                    Ok(())
                }

                async fn tx_plan_versions(&mut self, plan_id: i64) -> Result<Vec<PlanVersion>> {
                    let sql = format!("SELECT {VERSION_COLUMNS} FROM plan_version WHERE plan_id = $1 ORDER BY version");
                    sqlx::query(sqlx::AssertSqlSafe(sql)).bind(plan_id).fetch_all(&mut *self.tx).await.map_err(backend)?
                        .iter().map(version).collect()
                }

                async fn set_name_mapping(&mut self, m: &NameMapping) -> Result<()> {
                    sqlx::query(
                        "INSERT INTO plan_name_mapping (kind, written, target_id) VALUES ($1, $2, $3) \
                         ON CONFLICT (kind, written) DO UPDATE SET target_id = excluded.target_id",
                    )
                    .bind(&m.kind).bind(&m.written).bind(m.target_id)
                    .execute(&mut *self.tx).await.map_err(backend)?;
                    Ok(())
                }

                async fn insert_plan_task_link(&mut self, l: &PlanTaskLink) -> Result<()> {
                    sqlx::query("INSERT INTO plan_task_link (plan_id, seq, task_id) VALUES ($1, $2, $3)")
                        .bind(l.plan_id).bind(l.seq).bind(l.task_id)
                        .execute(&mut *self.tx).await.map_err(backend)?;
                    Ok(())
                }

                async fn insert_visit_confirmation(&mut self, c: &VisitConfirmation) -> Result<()> {
                    let done = sqlx::query(
                        "INSERT INTO merged_visit_confirmation (visit_key, department_id, confirmed_by, confirmed_ms) \
                         VALUES ($1, $2, $3, $4) ON CONFLICT (visit_key, department_id) DO NOTHING",
                    )
                    .bind(&c.visit_key).bind(c.department_id).bind(&c.confirmed_by).bind(c.confirmed_ms)
                    .execute(&mut *self.tx).await.map_err(backend)?;
                    if done.rows_affected() != 1 {
                        return Err(StorageError::Conflict("该部门已确认过这次合并检查".into()));
                    }
                    Ok(())
                }

                async fn tasks_without_plan(&mut self) -> Result<Vec<i64>> {
                    sqlx::query_scalar("SELECT id FROM task WHERE id NOT IN (SELECT task_id FROM plan_task_link) ORDER BY id")
                        .fetch_all(&mut *self.tx).await.map_err(backend)
                }
            }
        }
    };
}
