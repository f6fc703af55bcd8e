/// Expands the object-directory queries (`ObjectStore`, `ObjectTx`) for a backend; invoked
/// next to [`sql_backend!`](crate::sql_backend), whose `backend` error mapping it uses. The
/// backend provides `async fn insert_objects_bulk(&mut self, &[Object]) -> Result<()>` and
/// `async fn build_index(&mut self, create: &str) -> Result<()>` and
/// `async fn after_bulk_load(&mut self) -> Result<()>` on its transaction: bulk loading is where
/// the two databases differ most.
#[macro_export]
macro_rules! sql_objects {
    (db: $db:ty, row: $row:ty, store: $store:ident, tx: $tx:ident) => {
        mod object_queries {
            use super::{backend, $store, $tx};
            use sqlx::Row;
            use ssj_domain::objects::{ObjectKind, RegistrationStatus, Tier};
            use ssj_storage::*;

            const OBJECT_COLUMNS: &str = "id, code, code_flagged, name, kind, legal_rep, address, division, \
                authority, industry, scale, status, tier, tier_date, tier_source, tags, abnormal, \
                serious_violation, last_inspected, licences, created_ms, updated_ms";

            /// Kept in step with the migrations that create it.
            const LIST_INDEX: &str =
                "CREATE INDEX object_list ON object (division, code, kind, status, tier, industry)";

            fn corrupt(e: impl std::fmt::Display) -> StorageError {
                StorageError::Corrupt(e.to_string())
            }

            fn object(r: &$row) -> Result<Object> {
                let text = |c: &str| -> Result<String> { r.try_get(c).map_err(corrupt) };
                Ok(Object {
                    id: r.try_get("id").map_err(corrupt)?,
                    code: text("code")?,
                    code_flagged: r.try_get("code_flagged").map_err(corrupt)?,
                    name: text("name")?,
                    kind: ObjectKind::parse(&text("kind")?).map_err(corrupt)?,
                    legal_rep: text("legal_rep")?,
                    address: text("address")?,
                    division: text("division")?,
                    authority: text("authority")?,
                    industry: text("industry")?,
                    scale: text("scale")?,
                    status: RegistrationStatus::parse(&text("status")?).map_err(corrupt)?,
                    tier: Tier::parse(&text("tier")?).map_err(corrupt)?,
                    tier_date: text("tier_date")?,
                    tier_source: text("tier_source")?,
                    tags: serde_json::from_str(&text("tags")?).map_err(corrupt)?,
                    abnormal: r.try_get("abnormal").map_err(corrupt)?,
                    serious_violation: r.try_get("serious_violation").map_err(corrupt)?,
                    last_inspected: text("last_inspected")?,
                    licences: serde_json::from_str(&text("licences")?).map_err(corrupt)?,
                    created_ms: r.try_get("created_ms").map_err(corrupt)?,
                    updated_ms: r.try_get("updated_ms").map_err(corrupt)?,
                })
            }


            fn push_filter(q: &mut sqlx::QueryBuilder<$db>, f: &ObjectFilter, with_tier: bool) {
                q.push(" WHERE 1=1");
                if let Some(prefix) = f.code_prefix() {
                    // A range, so that the code index serves it.
                    q.push(" AND code >= ").push_bind(prefix.clone());
                    q.push(" AND code < ").push_bind(format!("{prefix}~"));
                } else if let Some(text) = f.q.as_ref().map(|s| s.trim()).filter(|s| !s.is_empty()) {
                    q.push(" AND (code LIKE ").push_bind(format!("{}%", $crate::like_escape(&text.to_uppercase()))).push(" ESCAPE '\\'");
                    q.push(" OR name LIKE ").push_bind(format!("%{}%", $crate::like_escape(text))).push(" ESCAPE '\\')");
                }
                if let Some(d) = f.division.as_ref().filter(|d| !d.is_empty()) {
                    // 140000 covers the province, 140500 the city, 140581 the county.
                    // A range, not LIKE, so that the division index serves it.
                    let prefix = ssj_domain::org::covering_prefix(d);
                    let mut end = prefix.as_bytes().to_vec();
                    if let Some(last) = end.last_mut() {
                        *last += 1;
                    }
                    q.push(" AND division >= ").push_bind(prefix.to_string());
                    q.push(" AND division < ").push_bind(String::from_utf8(end).unwrap_or_default());
                }
                if let Some(k) = f.kind {
                    q.push(" AND kind = ").push_bind(k.label());
                }
                if let Some(i) = f.industry.as_ref().filter(|i| !i.is_empty()) {
                    q.push(" AND industry LIKE ").push_bind(format!("{}%", $crate::like_escape(i))).push(" ESCAPE '\\'");
                }
                if let (true, Some(t)) = (with_tier, f.tier) {
                    q.push(" AND tier = ").push_bind(t.label());
                }
                if let Some(s) = f.status {
                    q.push(" AND status = ").push_bind(s.label());
                }
                if let Some(a) = f.authority.as_ref().filter(|a| !a.is_empty()) {
                    q.push(" AND authority = ").push_bind(a.clone());
                }
                if let Some(t) = f.tag.as_ref().filter(|t| !t.is_empty()) {
                    q.push(" AND tags LIKE ").push_bind(format!("%{}%", $crate::like_escape(&serde_json::to_string(t).unwrap_or_default()))).push(" ESCAPE '\\'");
                }
            }

            /// The tally cell an object counts in.
            fn cell(o: &Object) -> (String, String, &'static str, &'static str, &'static str) {
                (o.division.clone(), o.authority.clone(), o.kind.label(), o.status.label(), o.tier.label())
            }

            pub(crate) type Cell = (String, String, &'static str, &'static str, &'static str);

            /// Adds `delta` objects to each cell (a few hundred statements at most per batch:
            /// cells are coarse).
            pub(crate) async fn add_to_tally(
                conn: &mut <$db as sqlx::Database>::Connection,
                deltas: std::collections::HashMap<Cell, i64>,
            ) -> Result<()> {
                let deltas: Vec<(Cell, i64)> = deltas.into_iter().filter(|(_, n)| *n != 0).collect();
                for chunk in deltas.chunks(100) {
                    let mut q = sqlx::QueryBuilder::<$db>::new("INSERT INTO object_tally (division, authority, kind, status, tier, n) ");
                    q.push_values(chunk, |mut b, ((division, authority, kind, status, tier), n)| {
                        b.push_bind(division.clone())
                            .push_bind(authority.clone())
                            .push_bind(*kind)
                            .push_bind(*status)
                            .push_bind(*tier)
                            .push_bind(*n);
                    });
                    q.push(" ON CONFLICT (division, authority, kind, status, tier) DO UPDATE SET n = object_tally.n + excluded.n");
                    q.build().execute(&mut *conn).await.map_err(backend)?;
                }
                Ok(())
            }

            /// The count of objects per tier under a filter the tally serves.
            async fn tally_by_tier(pool: &sqlx::Pool<$db>, f: &ObjectFilter, with_tier: bool) -> Result<Vec<(Tier, u64)>> {
                let mut q = sqlx::QueryBuilder::<$db>::new("SELECT tier, CAST(SUM(n) AS BIGINT) AS n FROM object_tally");
                push_filter(&mut q, f, with_tier);
                q.push(" GROUP BY tier ORDER BY tier");
                let rows = q.build().fetch_all(pool).await.map_err(backend)?;
                rows.iter()
                    .map(|r| {
                        let t: String = r.try_get("tier").map_err(corrupt)?;
                        let n: i64 = r.try_get("n").map_err(corrupt)?;
                        Ok((Tier::parse(&t).map_err(corrupt)?, n as u64))
                    })
                    .filter(|c| !matches!(c, Ok((_, 0))))
                    .collect()
            }

            /// The stored objects among `codes` (900 to a statement, under every bind limit).
            async fn by_codes(conn: &mut <$db as sqlx::Database>::Connection, codes: &[String]) -> Result<Vec<Object>> {
                let mut out = Vec::with_capacity(codes.len());
                for chunk in codes.chunks(900) {
                    let mut q = sqlx::QueryBuilder::<$db>::new(format!("SELECT {OBJECT_COLUMNS} FROM object WHERE code IN ("));
                    let mut sep = q.separated(", ");
                    for c in chunk {
                        sep.push_bind(c.clone());
                    }
                    q.push(")");
                    for r in &q.build().fetch_all(&mut *conn).await.map_err(backend)? {
                        out.push(object(r)?);
                    }
                }
                Ok(out)
            }

            #[async_trait::async_trait]
            impl ObjectStore for $store {
                async fn objects(&self, f: &ObjectFilter) -> Result<(Vec<Object>, u64)> {
                    let total = if f.tally_serves() {
                        tally_by_tier(&self.pool, f, true).await?.iter().map(|(_, n)| *n as i64).sum()
                    } else {
                        let mut count = sqlx::QueryBuilder::<$db>::new("SELECT COUNT(*) FROM (SELECT 1 FROM object");
                        push_filter(&mut count, f, true);
                        if let Some(cap) = f.count_cap {
                            count.push(" LIMIT ").push_bind(cap as i64 + 1);
                        }
                        count.push(") AS matching");
                        count.build_query_scalar::<i64>().fetch_one(&self.pool).await.map_err(backend)?
                    };
                    let mut q = sqlx::QueryBuilder::<$db>::new(format!("SELECT {OBJECT_COLUMNS} FROM object"));
                    push_filter(&mut q, f, true);
                    // Keyset paging belongs to the rows alone, never to the counts.
                    if let Some((division, code)) = f.after.as_ref() {
                        q.push(" AND (division, code) > (").push_bind(division.clone());
                        q.push(", ").push_bind(code.clone()).push(")");
                    }
                    if let Some(id) = f.after_id {
                        q.push(" AND id > ").push_bind(id);
                    }
                    q.push(match f.sort {
                        ObjectSort::Code if f.searches_names() => " ORDER BY id",
                        ObjectSort::Code => " ORDER BY division, code",
                        ObjectSort::Name => " ORDER BY name, code",
                        ObjectSort::Updated => " ORDER BY updated_ms DESC, code",
                    });
                    q.push(" LIMIT ").push_bind(f.limit as i64).push(" OFFSET ").push_bind(f.offset as i64);
                    let rows = q.build().fetch_all(&self.pool).await.map_err(backend)?;
                    Ok((rows.iter().map(object).collect::<Result<_>>()?, total as u64))
                }

                async fn object_tier_counts(&self, f: &ObjectFilter) -> Result<Vec<(Tier, u64)>> {
                    if f.tally_serves() {
                        return tally_by_tier(&self.pool, f, false).await;
                    }
                    // Exact whenever the matches are within the cap; past it the caller knows
                    // from the total that these are only the first matches' tiers.
                    let mut q = sqlx::QueryBuilder::<$db>::new("SELECT tier, COUNT(*) AS n FROM (SELECT tier FROM object");
                    push_filter(&mut q, f, false);
                    if let Some(cap) = f.count_cap {
                        q.push(" LIMIT ").push_bind(cap as i64 + 1);
                    }
                    q.push(") AS matching GROUP BY tier ORDER BY tier");
                    let rows = q.build().fetch_all(&self.pool).await.map_err(backend)?;
                    rows.iter()
                        .map(|r| {
                            let t: String = r.try_get("tier").map_err(corrupt)?;
                            let n: i64 = r.try_get("n").map_err(corrupt)?;
                            Ok((Tier::parse(&t).map_err(corrupt)?, n as u64))
                        })
                        .collect()
                }

                async fn objects_with_codes(&self, codes: &[String]) -> Result<Vec<Object>> {
                    let mut conn = self.pool.acquire().await.map_err(backend)?;
                    by_codes(&mut conn, codes).await
                }

                async fn object_by_code(&self, code: &str) -> Result<Option<Object>> {
                    let sql = format!("SELECT {OBJECT_COLUMNS} FROM object WHERE code = $1");
                    sqlx::query(sqlx::AssertSqlSafe(sql)).bind(code).fetch_optional(&self.pool).await.map_err(backend)?
                        .as_ref().map(object).transpose()
                }

                async fn objects_named(&self, name: &str) -> Result<Vec<Object>> {
                    let sql = format!("SELECT {OBJECT_COLUMNS} FROM object WHERE name = $1 ORDER BY code LIMIT 20");
                    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(name).fetch_all(&self.pool).await.map_err(backend)?;
                    rows.iter().map(object).collect()
                }

                async fn object_history(&self, object_id: i64) -> Result<Vec<ObjectChange>> {
                    let rows = sqlx::query("SELECT object_id, at_ms, actor, action, before, after FROM object_history WHERE object_id = $1 ORDER BY id")
                        .bind(object_id)
                        .fetch_all(&self.pool)
                        .await
                        .map_err(backend)?;
                    rows.iter()
                        .map(|r| Ok(ObjectChange {
                            object_id: r.try_get("object_id").map_err(corrupt)?,
                            at_ms: r.try_get("at_ms").map_err(corrupt)?,
                            actor: r.try_get("actor").map_err(corrupt)?,
                            action: r.try_get("action").map_err(corrupt)?,
                            before: r.try_get("before").map_err(corrupt)?,
                            after: r.try_get("after").map_err(corrupt)?,
                        }))
                        .collect()
                }
            }

            #[async_trait::async_trait]
            impl ObjectTx for $tx {
                async fn objects_by_codes(&mut self, codes: &[String]) -> Result<Vec<Object>> {
                    by_codes(&mut self.tx, codes).await
                }

                async fn last_code_with_prefix(&mut self, prefix: &str) -> Result<Option<String>> {
                    // A range on the code index; the prefix is ASCII, so `~` sorts after it.
                    sqlx::query_scalar("SELECT MAX(code) FROM object WHERE code >= $1 AND code < $2")
                        .bind(prefix)
                        .bind(format!("{prefix}~"))
                        .fetch_one(&mut *self.tx)
                        .await
                        .map_err(backend)
                }

                async fn objects_exist(&mut self) -> Result<bool> {
                    let any: Option<i64> = sqlx::query_scalar("SELECT id FROM object LIMIT 1")
                        .fetch_optional(&mut *self.tx)
                        .await
                        .map_err(backend)?;
                    Ok(any.is_some())
                }

                async fn insert_objects(&mut self, objects: &[Object]) -> Result<()> {
                    // Each backend loads rows its fastest way (see `insert_objects_bulk`).
                    self.insert_objects_bulk(objects).await?;
                    // Counted under borrowed keys: a million objects fall into a few cells.
                    let mut counted: std::collections::HashMap<(&str, &str, &str, &str, &str), i64, $crate::foldhash::fast::RandomState> =
                        Default::default();
                    for o in objects {
                        let key = (o.division.as_str(), o.authority.as_str(), o.kind.label(), o.status.label(), o.tier.label());
                        *counted.entry(key).or_insert(0) += 1;
                    }
                    for ((d, a, k, s, t), n) in counted {
                        *self.pending_tally.entry((d.to_string(), a.to_string(), k, s, t)).or_insert(0) += n;
                    }
                    Ok(())
                }

                async fn drop_object_indexes(&mut self) -> Result<()> {
                    sqlx::query("DROP INDEX object_code").execute(&mut *self.tx).await.map_err(backend)?;
                    sqlx::query("DROP INDEX object_list").execute(&mut *self.tx).await.map_err(backend)?;
                    sqlx::query("DROP INDEX object_by_name").execute(&mut *self.tx).await.map_err(backend)?;
                    Ok(())
                }

                async fn rebuild_object_indexes(&mut self) -> Result<()> {
                    // The backend sets its sort memory around the build (see `build_index`).
                    self.build_index("CREATE UNIQUE INDEX object_code ON object (code)")
                        .await
                        .map_err(|e| match e {
                            StorageError::Conflict(_) => StorageError::Conflict("导入的代码有重复".into()),
                            other => other,
                        })?;
                    self.build_index(LIST_INDEX).await?;
                    self.build_index("CREATE INDEX object_by_name ON object (name)").await?;
                    self.after_bulk_load().await
                }

                async fn update_object(&mut self, o: &Object) -> Result<()> {
                    let sql = format!("SELECT {OBJECT_COLUMNS} FROM object WHERE id = $1");
                    let old = sqlx::query(sqlx::AssertSqlSafe(sql))
                        .bind(o.id)
                        .fetch_optional(&mut *self.tx)
                        .await
                        .map_err(backend)?
                        .as_ref()
                        .map(object)
                        .transpose()?
                        .ok_or_else(|| StorageError::Corrupt(format!("要更新的检查对象 {} 不存在", o.code)))?;
                    if cell(&old) != cell(o) {
                        let deltas = [(cell(&old), -1), (cell(o), 1)].into_iter().collect();
                        add_to_tally(&mut self.tx, deltas).await?;
                    }
                    sqlx::query(
                        "UPDATE object SET code_flagged = $1, name = $2, kind = $3, legal_rep = $4, address = $5, \
                         division = $6, authority = $7, industry = $8, scale = $9, status = $10, tier = $11, \
                         tier_date = $12, tier_source = $13, tags = $14, abnormal = $15, serious_violation = $16, \
                         last_inspected = $17, licences = $18, updated_ms = $19 WHERE id = $20",
                    )
                    .bind(o.code_flagged)
                    .bind(&o.name)
                    .bind(o.kind.label())
                    .bind(&o.legal_rep)
                    .bind(&o.address)
                    .bind(&o.division)
                    .bind(&o.authority)
                    .bind(&o.industry)
                    .bind(&o.scale)
                    .bind(o.status.label())
                    .bind(o.tier.label())
                    .bind(&o.tier_date)
                    .bind(&o.tier_source)
                    .bind(serde_json::to_string(&o.tags).unwrap_or_default())
                    .bind(o.abnormal)
                    .bind(o.serious_violation)
                    .bind(&o.last_inspected)
                    .bind(serde_json::to_string(&o.licences).unwrap_or_default())
                    .bind(o.updated_ms)
                    .bind(o.id)
                    .execute(&mut *self.tx)
                    .await
                    .map_err(backend)?;
                    Ok(())
                }

                async fn insert_object_changes(&mut self, changes: &[ObjectChange]) -> Result<()> {
                    for chunk in changes.chunks(1000) {
                        let mut q = sqlx::QueryBuilder::<$db>::new("INSERT INTO object_history (object_id, at_ms, actor, action, before, after) ");
                        q.push_values(chunk, |mut b, c| {
                            b.push_bind(c.object_id)
                                .push_bind(c.at_ms)
                                .push_bind(c.actor.clone())
                                .push_bind(c.action.clone())
                                .push_bind(c.before.clone())
                                .push_bind(c.after.clone());
                        });
                        q.build().execute(&mut *self.tx).await.map_err(backend)?;
                    }
                    Ok(())
                }
            }
        }
    };
}
