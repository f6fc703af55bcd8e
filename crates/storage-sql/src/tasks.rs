/// Expands the task and draw queries (`TaskStore`, `TaskTx`) for a backend; invoked next to
/// [`sql_backend!`](crate::sql_backend), whose `backend` error mapping it uses.
#[macro_export]
macro_rules! sql_tasks {
    (db: $db:ty, row: $row:ty, store: $store:ident, tx: $tx:ident) => {
        mod task_queries {
            use super::{backend, $store, $tx};
            use sqlx::Row;
            use ssj_domain::objects::{RegistrationStatus, Tier};
            use ssj_storage::*;

            const TASK_COLUMNS: &str = "id, code, name, department_id, spec, status, cancel_reason, created_by, created_ms, updated_ms";
            const DRAW_COLUMNS: &str = "id, task_id, round, status, reason, exclusions, candidate_digest, candidate_count, \
                officer_pool_digest, conflicts_digest, manifest, frozen_by, frozen_ms, drawn_ms";
            const CONTRIBUTION_COLUMNS: &str = "draw_id, position, role, label, commitment, secret, reveal, committed_ms, revealed_ms";
            const SUBSTITUTION_COLUMNS: &str = "draw_id, position, kind, replaced, replacement, reason, at, actor";

            fn corrupt(e: impl std::fmt::Display) -> StorageError {
                StorageError::Corrupt(e.to_string())
            }

            fn get<'r, T: sqlx::Decode<'r, $db> + sqlx::Type<$db>>(r: &'r $row, col: &str) -> Result<T> {
                r.try_get(col).map_err(|e| corrupt(format!("{col}: {e}")))
            }

            fn task(r: &$row) -> Result<Task> {
                let status: String = get(r, "status")?;
                Ok(Task {
                    id: get(r, "id")?,
                    code: get(r, "code")?,
                    name: get(r, "name")?,
                    department_id: get(r, "department_id")?,
                    spec: get(r, "spec")?,
                    status: TaskStatus::parse(&status).ok_or_else(|| corrupt(format!("任务状态 {status}")))?,
                    cancel_reason: get(r, "cancel_reason")?,
                    created_by: get(r, "created_by")?,
                    created_ms: get(r, "created_ms")?,
                    updated_ms: get(r, "updated_ms")?,
                })
            }

            fn draw(r: &$row) -> Result<Draw> {
                let status: String = get(r, "status")?;
                Ok(Draw {
                    id: get(r, "id")?,
                    task_id: get(r, "task_id")?,
                    round: get(r, "round")?,
                    status: DrawStatus::parse(&status).ok_or_else(|| corrupt(format!("抽取状态 {status}")))?,
                    reason: get(r, "reason")?,
                    exclusions: get(r, "exclusions")?,
                    candidate_digest: get(r, "candidate_digest")?,
                    candidate_count: get(r, "candidate_count")?,
                    officer_pool_digest: get(r, "officer_pool_digest")?,
                    conflicts_digest: get(r, "conflicts_digest")?,
                    manifest: get(r, "manifest")?,
                    frozen_by: get(r, "frozen_by")?,
                    frozen_ms: get(r, "frozen_ms")?,
                    drawn_ms: get(r, "drawn_ms")?,
                })
            }

            /// A draw's files from its `draw_file` rows; none without its candidate file.
            fn files(rows: &[$row]) -> Result<Option<DrawFiles>> {
                let mut out = DrawFiles::default();
                let mut frozen = false;
                for r in rows {
                    let name: String = get(r, "name")?;
                    let encoding: String = get(r, "encoding")?;
                    let bytes = $crate::packed::unpack(&encoding, get(r, "bytes")?)?;
                    match DrawFileName::parse(&name).ok_or_else(|| corrupt(format!("抽取文件名 {name}")))? {
                        DrawFileName::Candidates => {
                            out.candidates = bytes;
                            frozen = true;
                        }
                        DrawFileName::Officers => out.officers = Some(bytes),
                        DrawFileName::Conflicts => out.conflicts = Some(bytes),
                        DrawFileName::Result => out.result = Some(bytes),
                    }
                }
                Ok(frozen.then_some(out))
            }

            const FILES_SQL: &str = "SELECT name, encoding, bytes FROM draw_file WHERE draw_id = $1";
            const FILE_SQL: &str = "SELECT encoding, bytes FROM draw_file WHERE draw_id = $1 AND name = $2";

            /// Stores a file, compressed if large.
            async fn insert_file(tx: &mut $tx, draw_id: i64, name: DrawFileName, bytes: &[u8]) -> Result<()> {
                let (stored, encoding) = $crate::packed::pack(bytes)?;
                sqlx::query("INSERT INTO draw_file (draw_id, name, encoding, bytes) VALUES ($1, $2, $3, $4)")
                    .bind(draw_id).bind(name.key()).bind(encoding).bind(stored.as_ref())
                    .execute(&mut *tx.tx).await.map_err(backend)?;
                Ok(())
            }

            fn contribution(r: &$row) -> Result<Contribution> {
                Ok(Contribution {
                    draw_id: get(r, "draw_id")?,
                    position: get(r, "position")?,
                    role: get(r, "role")?,
                    label: get(r, "label")?,
                    commitment: get(r, "commitment")?,
                    secret: get(r, "secret")?,
                    reveal: get(r, "reveal")?,
                    committed_ms: get(r, "committed_ms")?,
                    revealed_ms: get(r, "revealed_ms")?,
                })
            }

            fn substitution(r: &$row) -> Result<DrawSubstitution> {
                Ok(DrawSubstitution {
                    draw_id: get(r, "draw_id")?,
                    position: get(r, "position")?,
                    kind: get(r, "kind")?,
                    replaced: get(r, "replaced")?,
                    replacement: get(r, "replacement")?,
                    reason: get(r, "reason")?,
                    at: get(r, "at")?,
                    actor: get(r, "actor")?,
                })
            }


            /// The scope's objects through sqlx, in no particular order.
            #[allow(dead_code)]
            pub(crate) async fn sql_scope_rows(pool: &sqlx::Pool<$db>, scope: &DrawScope) -> Result<ScopeRows> {
                let (sql, params) = $crate::scope_sql(scope);
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
                for p in params {
                    q = q.bind(p);
                }
                let rows = q.fetch_all(pool).await.map_err(backend)?;
                let mut out = ScopeRows::default();
                for r in &rows {
                    let (code, tier, status): (String, String, String) = (get(r, "code")?, get(r, "tier")?, get(r, "status")?);
                    out.push(&code, Tier::parse(&tier).map_err(corrupt)?, RegistrationStatus::parse(&status).map_err(corrupt)?);
                }
                Ok(out)
            }

            #[async_trait::async_trait]
            impl TaskStore for $store {
                async fn scope_objects(&self, scope: &DrawScope) -> Result<ScopeRows> {
                    self.read_scope(scope).await
                }

                async fn scope_any_active(&self, scope: &DrawScope) -> Result<bool> {
                    let (sql, params) = $crate::scope_sql(scope);
                    let sql = format!(
                        "{} AND status = ${} LIMIT 1",
                        sql.replacen("SELECT code, tier, status FROM", "SELECT 1 AS one FROM", 1),
                        params.len() + 1
                    );
                    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
                    for p in params {
                        q = q.bind(p);
                    }
                    let row = q
                        .bind(RegistrationStatus::Active.label())
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(backend)?;
                    Ok(row.is_some())
                }

                async fn scope_counts(&self, scope: &DrawScope) -> Result<Vec<(RegistrationStatus, u64)>> {
                    let (sql, params) = $crate::scope_sql(scope);
                    let sql = sql.replacen("SELECT code, tier, status FROM", "SELECT status, COUNT(*) AS n FROM", 1)
                        + " GROUP BY status";
                    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
                    for p in params {
                        q = q.bind(p);
                    }
                    let rows = q.fetch_all(&self.pool).await.map_err(backend)?;
                    rows.iter()
                        .map(|r| {
                            let (status, n): (String, i64) = (get(r, "status")?, get(r, "n")?);
                            Ok((RegistrationStatus::parse(&status).map_err(corrupt)?, n as u64))
                        })
                        .collect()
                }

                async fn conflicts_of(&self, officer_ids: &[i64]) -> Result<Vec<officers::Conflict>> {
                    let mut out = Vec::new();
                    for chunk in officer_ids.chunks(900) {
                        let mut q = sqlx::QueryBuilder::<$db>::new(
                            "SELECT officer_id, object_code, reason, declared_ms, declared_by FROM officer_conflict WHERE officer_id IN (",
                        );
                        let mut sep = q.separated(", ");
                        for id in chunk {
                            sep.push_bind(*id);
                        }
                        q.push(")");
                        for r in q.build().fetch_all(&self.pool).await.map_err(backend)? {
                            out.push(officers::Conflict {
                                officer_id: get(&r, "officer_id")?,
                                object_code: get(&r, "object_code")?,
                                reason: get(&r, "reason")?,
                                declared_ms: get(&r, "declared_ms")?,
                                declared_by: get(&r, "declared_by")?,
                            });
                        }
                    }
                    Ok(out)
                }

                async fn tasks(&self) -> Result<Vec<Task>> {
                    let sql = format!("SELECT {TASK_COLUMNS} FROM task ORDER BY id DESC");
                    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(&self.pool).await.map_err(backend)?;
                    rows.iter().map(task).collect()
                }

                async fn task(&self, id: i64) -> Result<Option<Task>> {
                    let sql = format!("SELECT {TASK_COLUMNS} FROM task WHERE id = $1");
                    sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(&self.pool).await.map_err(backend)?
                        .as_ref().map(task).transpose()
                }

                async fn task_by_code(&self, code: &str) -> Result<Option<Task>> {
                    let sql = format!("SELECT {TASK_COLUMNS} FROM task WHERE code = $1");
                    sqlx::query(sqlx::AssertSqlSafe(sql)).bind(code).fetch_optional(&self.pool).await.map_err(backend)?
                        .as_ref().map(task).transpose()
                }

                async fn task_items(&self, task_id: i64) -> Result<Vec<TaskItem>> {
                    let rows = sqlx::query("SELECT task_id, item_id, department, name FROM task_item WHERE task_id = $1 ORDER BY item_id")
                        .bind(task_id).fetch_all(&self.pool).await.map_err(backend)?;
                    rows.iter()
                        .map(|r| Ok(TaskItem { task_id: get(r, "task_id")?, item_id: get(r, "item_id")?, department: get(r, "department")?, name: get(r, "name")? }))
                        .collect()
                }

                async fn draws(&self, task_id: i64) -> Result<Vec<Draw>> {
                    let sql = format!("SELECT {DRAW_COLUMNS} FROM draw WHERE task_id = $1 ORDER BY round");
                    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(task_id).fetch_all(&self.pool).await.map_err(backend)?;
                    rows.iter().map(draw).collect()
                }

                async fn draw(&self, draw_id: i64) -> Result<Option<Draw>> {
                    let sql = format!("SELECT {DRAW_COLUMNS} FROM draw WHERE id = $1");
                    sqlx::query(sqlx::AssertSqlSafe(sql)).bind(draw_id).fetch_optional(&self.pool).await.map_err(backend)?
                        .as_ref().map(draw).transpose()
                }

                async fn draw_files(&self, draw_id: i64) -> Result<Option<DrawFiles>> {
                    files(&sqlx::query(FILES_SQL).bind(draw_id).fetch_all(&self.pool).await.map_err(backend)?)
                }

                async fn draw_file(&self, draw_id: i64, name: DrawFileName) -> Result<Option<Vec<u8>>> {
                    let row = sqlx::query(FILE_SQL).bind(draw_id).bind(name.key())
                        .fetch_optional(&self.pool).await.map_err(backend)?;
                    match row {
                        Some(r) => Ok(Some($crate::packed::unpack(&get::<String>(&r, "encoding")?, get(&r, "bytes")?)?)),
                        None => Ok(None),
                    }
                }

                async fn contributions(&self, draw_id: i64) -> Result<Vec<Contribution>> {
                    let sql = format!("SELECT {CONTRIBUTION_COLUMNS} FROM draw_contribution WHERE draw_id = $1 ORDER BY position");
                    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(draw_id).fetch_all(&self.pool).await.map_err(backend)?;
                    rows.iter().map(contribution).collect()
                }

                async fn substitutions(&self, draw_id: i64) -> Result<Vec<DrawSubstitution>> {
                    let sql = format!("SELECT {SUBSTITUTION_COLUMNS} FROM draw_substitution WHERE draw_id = $1 ORDER BY position");
                    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(draw_id).fetch_all(&self.pool).await.map_err(backend)?;
                    rows.iter().map(substitution).collect()
                }

                async fn picked_for_items(&self, items: &[(String, String)], since_ms: i64, except_task: i64) -> Result<Vec<String>> {
                    if items.is_empty() {
                        return Ok(Vec::new());
                    }
                    let mut q = sqlx::QueryBuilder::<$db>::new(
                        "SELECT DISTINCT p.object_code FROM draw_pick p JOIN draw d ON d.id = p.draw_id \
                         JOIN task t ON t.id = d.task_id JOIN task_item ti ON ti.task_id = d.task_id \
                         WHERE d.status = 'drawn' AND t.status <> 'cancelled' AND d.task_id <> ",
                    );
                    q.push_bind(except_task).push(" AND d.drawn_ms >= ").push_bind(since_ms).push(" AND (");
                    for (i, (department, name)) in items.iter().enumerate() {
                        if i > 0 {
                            q.push(" OR ");
                        }
                        q.push("(ti.department = ").push_bind(department.clone()).push(" AND ti.name = ").push_bind(name.clone()).push(")");
                    }
                    q.push(")");
                    let rows = q.build().fetch_all(&self.pool).await.map_err(backend)?;
                    rows.iter().map(|r| get(r, "object_code")).collect()
                }

                async fn pick_counts(&self, since_ms: i64, except_task: i64) -> Result<Vec<(String, i64)>> {
                    let rows = sqlx::query(
                        "SELECT p.object_code AS code, COUNT(*) AS n FROM draw_pick p JOIN draw d ON d.id = p.draw_id \
                         JOIN task t ON t.id = d.task_id \
                         WHERE d.status = 'drawn' AND t.status <> 'cancelled' AND d.drawn_ms >= $1 AND d.task_id <> $2 \
                         GROUP BY p.object_code",
                    )
                    .bind(since_ms).bind(except_task).fetch_all(&self.pool).await.map_err(backend)?;
                    rows.iter().map(|r| Ok((get(r, "code")?, get(r, "n")?))).collect()
                }

                async fn pick_of(&self, draw_id: i64, object_code: &str) -> Result<Option<DrawPick>> {
                    let row = sqlx::query("SELECT draw_id, rank, object_code, stratum FROM draw_pick WHERE draw_id = $1 AND object_code = $2")
                        .bind(draw_id).bind(object_code).fetch_optional(&self.pool).await.map_err(backend)?;
                    row.map(|r| Ok(DrawPick { draw_id: get(&r, "draw_id")?, rank: get(&r, "rank")?, object_code: get(&r, "object_code")?, stratum: get(&r, "stratum")? }))
                        .transpose()
                }

                async fn key_block(&self, draw_id: i64, key: &str) -> Result<Option<Vec<u8>>> {
                    let row = sqlx::query(
                        "SELECT lines FROM draw_key_block WHERE draw_id = $1 AND first_key <= $2 ORDER BY first_key DESC LIMIT 1",
                    )
                    .bind(draw_id).bind(key.as_bytes()).fetch_optional(&self.pool).await.map_err(backend)?;
                    match row {
                        Some(r) => Ok(Some($crate::zstd::bulk::decompress(&get::<Vec<u8>>(&r, "lines")?, 1 << 24).map_err(corrupt)?)),
                        None => Ok(None),
                    }
                }

                async fn draw_cutoffs(&self, draw_id: i64) -> Result<Option<String>> {
                    sqlx::query_scalar("SELECT cutoffs FROM draw_lookup WHERE draw_id = $1")
                        .bind(draw_id).fetch_optional(&self.pool).await.map_err(backend)
                }

                async fn draw_export_zip(&self, draw_id: i64) -> Result<Option<StoredExport>> {
                    let row = sqlx::query("SELECT substitutions, digest, bytes FROM draw_export WHERE draw_id = $1")
                        .bind(draw_id).fetch_optional(&self.pool).await.map_err(backend)?;
                    row.map(|r| Ok(StoredExport { substitutions: get(&r, "substitutions")?, digest: get(&r, "digest")?, bytes: get(&r, "bytes")? }))
                        .transpose()
                }
            }

            #[async_trait::async_trait]
            impl TaskTx for $tx {
                async fn last_task_code_with_prefix(&mut self, prefix: &str) -> Result<Option<String>> {
                    sqlx::query_scalar("SELECT MAX(code) FROM task WHERE code LIKE $1")
                        .bind(format!("{}%", $crate::like_escape(prefix)))
                        .fetch_one(&mut *self.tx).await.map_err(backend)
                }

                async fn insert_task(&mut self, t: &Task, items: &[TaskItem]) -> Result<i64> {
                    let id: i64 = sqlx::query_scalar(
                        "INSERT INTO task (code, name, department_id, spec, status, cancel_reason, created_by, created_ms, updated_ms) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
                    )
                    .bind(&t.code).bind(&t.name).bind(t.department_id).bind(&t.spec).bind(t.status.key())
                    .bind(&t.cancel_reason).bind(&t.created_by).bind(t.created_ms).bind(t.updated_ms)
                    .fetch_one(&mut *self.tx).await.map_err(backend)?;
                    for i in items {
                        sqlx::query("INSERT INTO task_item (task_id, item_id, department, name) VALUES ($1, $2, $3, $4)")
                            .bind(id).bind(i.item_id).bind(&i.department).bind(&i.name)
                            .execute(&mut *self.tx).await.map_err(backend)?;
                    }
                    Ok(id)
                }

                async fn task_for_update(&mut self, id: i64) -> Result<Option<Task>> {
                    let sql = format!("SELECT {TASK_COLUMNS} FROM task WHERE id = $1");
                    sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(&mut *self.tx).await.map_err(backend)?
                        .as_ref().map(task).transpose()
                }

                async fn update_task_status(&mut self, t: &Task) -> Result<()> {
                    sqlx::query("UPDATE task SET status = $1, cancel_reason = $2, updated_ms = $3 WHERE id = $4")
                        .bind(t.status.key()).bind(&t.cancel_reason).bind(t.updated_ms).bind(t.id)
                        .execute(&mut *self.tx).await.map_err(backend)?;
                    Ok(())
                }

                async fn tx_draws(&mut self, task_id: i64) -> Result<Vec<Draw>> {
                    let sql = format!("SELECT {DRAW_COLUMNS} FROM draw WHERE task_id = $1 ORDER BY round");
                    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(task_id).fetch_all(&mut *self.tx).await.map_err(backend)?;
                    rows.iter().map(draw).collect()
                }

                async fn tx_draw(&mut self, draw_id: i64) -> Result<Option<Draw>> {
                    let sql = format!("SELECT {DRAW_COLUMNS} FROM draw WHERE id = $1");
                    sqlx::query(sqlx::AssertSqlSafe(sql)).bind(draw_id).fetch_optional(&mut *self.tx).await.map_err(backend)?
                        .as_ref().map(draw).transpose()
                }

                async fn insert_draw(&mut self, d: &Draw, f: &DrawFiles) -> Result<i64> {
                    let id: i64 = sqlx::query_scalar(
                        "INSERT INTO draw (task_id, round, status, reason, exclusions, candidate_digest, candidate_count, \
                         officer_pool_digest, conflicts_digest, manifest, frozen_by, frozen_ms, drawn_ms) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
                    )
                    .bind(d.task_id).bind(d.round).bind(d.status.key()).bind(&d.reason).bind(&d.exclusions)
                    .bind(&d.candidate_digest).bind(d.candidate_count).bind(&d.officer_pool_digest)
                    .bind(&d.conflicts_digest).bind(&d.manifest)
                    .bind(&d.frozen_by).bind(d.frozen_ms).bind(d.drawn_ms)
                    .fetch_one(&mut *self.tx).await.map_err(backend)?;
                    let files = [
                        (DrawFileName::Candidates, Some(&f.candidates)),
                        (DrawFileName::Officers, f.officers.as_ref()),
                        (DrawFileName::Conflicts, f.conflicts.as_ref()),
                        (DrawFileName::Result, f.result.as_ref()),
                    ];
                    for (name, bytes) in files {
                        if let Some(bytes) = bytes {
                            insert_file(self, id, name, bytes).await?;
                        }
                    }
                    Ok(id)
                }

                async fn update_draw(&mut self, d: &Draw) -> Result<()> {
                    sqlx::query("UPDATE draw SET status = $1, reason = $2, manifest = $3, drawn_ms = $4 WHERE id = $5")
                        .bind(d.status.key()).bind(&d.reason).bind(&d.manifest).bind(d.drawn_ms).bind(d.id)
                        .execute(&mut *self.tx).await.map_err(backend)?;
                    Ok(())
                }

                async fn set_draw_result(&mut self, draw_id: i64, result: &[u8]) -> Result<()> {
                    insert_file(self, draw_id, DrawFileName::Result, result).await
                }

                async fn tx_draw_files(&mut self, draw_id: i64) -> Result<Option<DrawFiles>> {
                    files(&sqlx::query(FILES_SQL).bind(draw_id).fetch_all(&mut *self.tx).await.map_err(backend)?)
                }

                async fn tx_contributions(&mut self, draw_id: i64) -> Result<Vec<Contribution>> {
                    let sql = format!("SELECT {CONTRIBUTION_COLUMNS} FROM draw_contribution WHERE draw_id = $1 ORDER BY position");
                    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(draw_id).fetch_all(&mut *self.tx).await.map_err(backend)?;
                    rows.iter().map(contribution).collect()
                }

                async fn insert_contribution(&mut self, c: &Contribution) -> Result<()> {
                    sqlx::query(
                        "INSERT INTO draw_contribution (draw_id, position, role, label, commitment, secret, reveal, committed_ms, revealed_ms) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                    )
                    .bind(c.draw_id).bind(c.position).bind(&c.role).bind(&c.label).bind(&c.commitment)
                    .bind(&c.secret).bind(&c.reveal).bind(c.committed_ms).bind(c.revealed_ms)
                    .execute(&mut *self.tx).await.map_err(backend)?;
                    Ok(())
                }

                async fn update_contribution(&mut self, c: &Contribution) -> Result<()> {
                    sqlx::query(
                        "UPDATE draw_contribution SET commitment = $1, secret = $2, reveal = $3, committed_ms = $4, revealed_ms = $5 \
                         WHERE draw_id = $6 AND position = $7",
                    )
                    .bind(&c.commitment).bind(&c.secret).bind(&c.reveal).bind(c.committed_ms).bind(c.revealed_ms)
                    .bind(c.draw_id).bind(c.position)
                    .execute(&mut *self.tx).await.map_err(backend)?;
                    Ok(())
                }

                async fn insert_picks(&mut self, picks: &[DrawPick]) -> Result<()> {
                    self.insert_draw_picks(picks).await
                }

                async fn tx_substitutions(&mut self, draw_id: i64) -> Result<Vec<DrawSubstitution>> {
                    let sql = format!("SELECT {SUBSTITUTION_COLUMNS} FROM draw_substitution WHERE draw_id = $1 ORDER BY position");
                    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(draw_id).fetch_all(&mut *self.tx).await.map_err(backend)?;
                    rows.iter().map(substitution).collect()
                }

                async fn insert_substitution(&mut self, s: &DrawSubstitution) -> Result<()> {
                    sqlx::query(
                        "INSERT INTO draw_substitution (draw_id, position, kind, replaced, replacement, reason, at, actor) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                    )
                    .bind(s.draw_id).bind(s.position).bind(&s.kind).bind(&s.replaced).bind(&s.replacement)
                    .bind(&s.reason).bind(&s.at).bind(&s.actor)
                    .execute(&mut *self.tx).await.map_err(backend)?;
                    Ok(())
                }

                async fn replace_pick(&mut self, draw_id: i64, old: &str, new: &str) -> Result<()> {
                    let done = sqlx::query("UPDATE draw_pick SET object_code = $1 WHERE draw_id = $2 AND object_code = $3")
                        .bind(new).bind(draw_id).bind(old)
                        .execute(&mut *self.tx).await.map_err(backend)?;
                    if done.rows_affected() != 1 {
                        return Err(corrupt(format!("抽取 {draw_id} 的抽中名单中没有 {old}")));
                    }
                    Ok(())
                }

                async fn put_lookup_index(&mut self, draw_id: i64, blocks: &[KeyBlock], cutoffs: &str) -> Result<()> {
                    sqlx::query("DELETE FROM draw_key_block WHERE draw_id = $1").bind(draw_id)
                        .execute(&mut *self.tx).await.map_err(backend)?;
                    sqlx::query("DELETE FROM draw_lookup WHERE draw_id = $1").bind(draw_id)
                        .execute(&mut *self.tx).await.map_err(backend)?;
                    // Compressed outside the statements; a province's 10,000 blocks in one pass.
                    let packed: Vec<Vec<u8>> = blocks
                        .iter()
                        .map(|b| $crate::zstd::bulk::compress(&b.lines, 1))
                        .collect::<std::io::Result<_>>()
                        .map_err(|e| StorageError::Backend(format!("压缩失败：{e}")))?;
                    for chunk in blocks.iter().zip(&packed).collect::<Vec<_>>().chunks(500) {
                        let mut q = sqlx::QueryBuilder::<$db>::new("INSERT INTO draw_key_block (draw_id, first_key, lines) ");
                        q.push_values(chunk, |mut row, (b, lines)| {
                            row.push_bind(draw_id).push_bind(b.first_key.clone()).push_bind((*lines).clone());
                        });
                        q.build().execute(&mut *self.tx).await.map_err(backend)?;
                    }
                    sqlx::query("INSERT INTO draw_lookup (draw_id, cutoffs) VALUES ($1, $2)")
                        .bind(draw_id).bind(cutoffs)
                        .execute(&mut *self.tx).await.map_err(backend)?;
                    Ok(())
                }

                async fn put_draw_export(&mut self, draw_id: i64, e: &StoredExport) -> Result<()> {
                    sqlx::query("DELETE FROM draw_export WHERE draw_id = $1").bind(draw_id)
                        .execute(&mut *self.tx).await.map_err(backend)?;
                    sqlx::query("INSERT INTO draw_export (draw_id, substitutions, digest, bytes) VALUES ($1, $2, $3, $4)")
                        .bind(draw_id).bind(e.substitutions).bind(&e.digest).bind(&e.bytes)
                        .execute(&mut *self.tx).await.map_err(backend)?;
                    Ok(())
                }
            }
        }
    };
}
