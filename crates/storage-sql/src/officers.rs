/// Expands the officer-directory queries (`OfficerStore`, `OfficerTx`) for a backend; invoked
/// next to [`sql_backend!`](crate::sql_backend), whose `backend` error mapping it uses.
#[macro_export]
macro_rules! sql_officers {
    (db: $db:ty, row: $row:ty, store: $store:ident, tx: $tx:ident) => {
        mod officer_queries {
            use super::{backend, $store, $tx};
            use sqlx::Row;
            use ssj_domain::officers::OfficerLevel;
            use ssj_storage::*;

            const OFFICER_COLUMNS: &str = "id, department_id, name, level, cert_no, cert_valid_until, post, \
                expertise, active, phone, id_number, created_ms, updated_ms";

            /// Whether the officer row is on leave on `day`.
            fn push_on_leave(q: &mut sqlx::QueryBuilder<$db>, day: &str) {
                q.push("EXISTS (SELECT 1 FROM officer_leave l WHERE l.officer_id = officer.id AND l.from_day <= ");
                q.push_bind(day.to_string()).push(" AND l.to_day >= ").push_bind(day.to_string()).push(")");
            }

            fn corrupt(e: impl std::fmt::Display) -> StorageError {
                StorageError::Corrupt(e.to_string())
            }

            fn officer(r: &$row) -> Result<Officer> {
                let text = |c: &str| -> Result<String> { r.try_get(c).map_err(corrupt) };
                Ok(Officer {
                    id: r.try_get("id").map_err(corrupt)?,
                    department_id: r.try_get("department_id").map_err(corrupt)?,
                    name: text("name")?,
                    level: OfficerLevel::parse(&text("level")?).map_err(corrupt)?,
                    cert_no: text("cert_no")?,
                    cert_valid_until: text("cert_valid_until")?,
                    post: text("post")?,
                    expertise: serde_json::from_str(&text("expertise")?).map_err(corrupt)?,
                    active: r.try_get("active").map_err(corrupt)?,
                    phone: text("phone")?,
                    id_number: text("id_number")?,
                    created_ms: r.try_get("created_ms").map_err(corrupt)?,
                    updated_ms: r.try_get("updated_ms").map_err(corrupt)?,
                })
            }

            fn push_filter(q: &mut sqlx::QueryBuilder<$db>, f: &OfficerFilter) {
                q.push(" WHERE 1=1");
                if let Some(ds) = &f.departments {
                    q.push(" AND department_id IN (");
                    let mut sep = q.separated(", ");
                    sep.push_bind(-1i64);
                    for d in ds {
                        sep.push_bind(*d);
                    }
                    q.push(")");
                }
                if let Some(d) = f.department {
                    q.push(" AND department_id = ").push_bind(d);
                }
                if let Some(text) = f.q.as_ref().map(|s| s.trim()).filter(|s| !s.is_empty()) {
                    let like = format!("%{}%", $crate::like_escape(text));
                    q.push(" AND (name LIKE ").push_bind(like.clone()).push(" ESCAPE '\\'");
                    q.push(" OR cert_no LIKE ").push_bind(like.to_uppercase()).push(" ESCAPE '\\')");
                }
                if let Some(a) = f.active {
                    q.push(" AND active = ").push_bind(a);
                }
            }

            /// The stored officers among `certs`.
            async fn by_certs(conn: &mut <$db as sqlx::Database>::Connection, certs: &[String]) -> Result<Vec<Officer>> {
                let mut out = Vec::new();
                for chunk in certs.chunks(900) {
                    let mut q = sqlx::QueryBuilder::<$db>::new(format!("SELECT {OFFICER_COLUMNS} FROM officer WHERE cert_no IN ("));
                    let mut sep = q.separated(", ");
                    for c in chunk {
                        sep.push_bind(c.clone());
                    }
                    q.push(")");
                    for r in &q.build().fetch_all(&mut *conn).await.map_err(backend)? {
                        out.push(officer(r)?);
                    }
                }
                Ok(out)
            }

            #[async_trait::async_trait]
            impl OfficerStore for $store {
                async fn officers(&self, f: &OfficerFilter) -> Result<(Vec<Officer>, u64)> {
                    let mut count = sqlx::QueryBuilder::<$db>::new("SELECT COUNT(*) FROM officer");
                    push_filter(&mut count, f);
                    let total: i64 = count.build_query_scalar().fetch_one(&self.pool).await.map_err(backend)?;
                    let mut q = sqlx::QueryBuilder::<$db>::new(format!("SELECT {OFFICER_COLUMNS} FROM officer"));
                    push_filter(&mut q, f);
                    q.push(" ORDER BY department_id, name, id LIMIT ").push_bind(f.limit as i64);
                    q.push(" OFFSET ").push_bind(f.offset as i64);
                    let rows = q.build().fetch_all(&self.pool).await.map_err(backend)?;
                    Ok((rows.iter().map(officer).collect::<Result<_>>()?, total as u64))
                }

                async fn officer_counts(&self, f: &OfficerFilter, day: &str) -> Result<OfficerCounts> {
                    // The same rule as the app's `eligible`: 有效, certificate valid, not on leave.
                    let mut q = sqlx::QueryBuilder::<$db>::new("SELECT COUNT(*) AS total, CAST(COALESCE(SUM(CASE WHEN active = ");
                    q.push_bind(true).push(" AND cert_valid_until >= ").push_bind(day.to_string()).push(" AND NOT ");
                    push_on_leave(&mut q, day);
                    q.push(" THEN 1 ELSE 0 END), 0) AS BIGINT) AS eligible, CAST(COALESCE(SUM(CASE WHEN active = ");
                    q.push_bind(true).push(" AND cert_valid_until < ").push_bind(day.to_string());
                    q.push(" THEN 1 ELSE 0 END), 0) AS BIGINT) AS expired, CAST(COALESCE(SUM(CASE WHEN ");
                    push_on_leave(&mut q, day);
                    q.push(" THEN 1 ELSE 0 END), 0) AS BIGINT) AS on_leave, CAST(COALESCE(SUM(CASE WHEN active = ");
                    q.push_bind(false).push(" THEN 1 ELSE 0 END), 0) AS BIGINT) AS inactive FROM officer");
                    push_filter(&mut q, f);
                    let r = q.build().fetch_one(&self.pool).await.map_err(backend)?;
                    let n = |c: &str| -> Result<u64> { Ok(r.try_get::<i64, _>(c).map_err(corrupt)? as u64) };
                    Ok(OfficerCounts {
                        total: n("total")?,
                        eligible: n("eligible")?,
                        expired: n("expired")?,
                        on_leave: n("on_leave")?,
                        inactive: n("inactive")?,
                    })
                }

                async fn officers_by_ids(&self, ids: &[i64]) -> Result<Vec<Officer>> {
                    let mut out = Vec::new();
                    for chunk in ids.chunks(900) {
                        let mut q = sqlx::QueryBuilder::<$db>::new(format!("SELECT {OFFICER_COLUMNS} FROM officer WHERE id IN ("));
                        let mut sep = q.separated(", ");
                        sep.push_bind(-1i64);
                        for id in chunk {
                            sep.push_bind(*id);
                        }
                        q.push(")");
                        for r in &q.build().fetch_all(&self.pool).await.map_err(backend)? {
                            out.push(officer(r)?);
                        }
                    }
                    Ok(out)
                }

                async fn officers_with_certs(&self, certs: &[String]) -> Result<Vec<Officer>> {
                    let mut conn = self.pool.acquire().await.map_err(backend)?;
                    by_certs(&mut conn, certs).await
                }

                async fn officer(&self, id: i64) -> Result<Option<Officer>> {
                    let sql = format!("SELECT {OFFICER_COLUMNS} FROM officer WHERE id = $1");
                    sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(&self.pool).await.map_err(backend)?
                        .as_ref().map(officer).transpose()
                }

                async fn officer_leaves(&self, officer_id: i64) -> Result<Vec<Leave>> {
                    let rows = sqlx::query("SELECT officer_id, from_day, to_day, reason FROM officer_leave WHERE officer_id = $1 ORDER BY from_day")
                        .bind(officer_id).fetch_all(&self.pool).await.map_err(backend)?;
                    rows.iter().map(|r| Ok(Leave {
                        officer_id: r.try_get("officer_id").map_err(corrupt)?,
                        from: r.try_get("from_day").map_err(corrupt)?,
                        to: r.try_get("to_day").map_err(corrupt)?,
                        reason: r.try_get("reason").map_err(corrupt)?,
                    })).collect()
                }

                async fn officer_conflicts(&self, officer_id: i64) -> Result<Vec<Conflict>> {
                    let rows = sqlx::query("SELECT officer_id, object_code, reason, declared_ms, declared_by FROM officer_conflict WHERE officer_id = $1 ORDER BY object_code")
                        .bind(officer_id).fetch_all(&self.pool).await.map_err(backend)?;
                    rows.iter().map(|r| Ok(Conflict {
                        officer_id: r.try_get("officer_id").map_err(corrupt)?,
                        object_code: r.try_get("object_code").map_err(corrupt)?,
                        reason: r.try_get("reason").map_err(corrupt)?,
                        declared_ms: r.try_get("declared_ms").map_err(corrupt)?,
                        declared_by: r.try_get("declared_by").map_err(corrupt)?,
                    })).collect()
                }

                async fn officers_on_leave(&self, day: &str) -> Result<Vec<i64>> {
                    sqlx::query_scalar("SELECT DISTINCT officer_id FROM officer_leave WHERE from_day <= $1 AND to_day >= $1")
                        .bind(day).fetch_all(&self.pool).await.map_err(backend)
                }
            }

            #[async_trait::async_trait]
            impl OfficerTx for $tx {
                async fn officers_by_certs(&mut self, certs: &[String]) -> Result<Vec<Officer>> {
                    by_certs(&mut self.tx, certs).await
                }

                async fn insert_officers(&mut self, officers: &[Officer]) -> Result<Vec<i64>> {
                    let mut ids = Vec::with_capacity(officers.len());
                    for chunk in officers.chunks(500) {
                        let mut q = sqlx::QueryBuilder::<$db>::new(
                            "INSERT INTO officer (department_id, name, level, cert_no, cert_valid_until, post, expertise, \
                             active, phone, id_number, created_ms, updated_ms) ",
                        );
                        q.push_values(chunk, |mut b, o| {
                            b.push_bind(o.department_id)
                                .push_bind(o.name.clone())
                                .push_bind(o.level.label())
                                .push_bind(o.cert_no.clone())
                                .push_bind(o.cert_valid_until.clone())
                                .push_bind(o.post.clone())
                                .push_bind(serde_json::to_string(&o.expertise).unwrap_or_default())
                                .push_bind(o.active)
                                .push_bind(o.phone.clone())
                                .push_bind(o.id_number.clone())
                                .push_bind(o.created_ms)
                                .push_bind(o.updated_ms);
                        });
                        q.push(" RETURNING id");
                        let chunk_ids: Vec<i64> = q.build_query_scalar().fetch_all(&mut *self.tx).await.map_err(backend)?;
                        ids.extend(chunk_ids);
                    }
                    Ok(ids)
                }

                async fn update_officer(&mut self, o: &Officer) -> Result<()> {
                    sqlx::query(
                        "UPDATE officer SET department_id = $1, name = $2, level = $3, cert_valid_until = $4, post = $5, \
                         expertise = $6, active = $7, phone = $8, id_number = $9, updated_ms = $10 WHERE id = $11",
                    )
                    .bind(o.department_id)
                    .bind(&o.name)
                    .bind(o.level.label())
                    .bind(&o.cert_valid_until)
                    .bind(&o.post)
                    .bind(serde_json::to_string(&o.expertise).unwrap_or_default())
                    .bind(o.active)
                    .bind(&o.phone)
                    .bind(&o.id_number)
                    .bind(o.updated_ms)
                    .bind(o.id)
                    .execute(&mut *self.tx)
                    .await
                    .map_err(backend)?;
                    Ok(())
                }

                async fn insert_leave(&mut self, l: &Leave) -> Result<()> {
                    sqlx::query("INSERT INTO officer_leave (officer_id, from_day, to_day, reason) VALUES ($1, $2, $3, $4)")
                        .bind(l.officer_id).bind(&l.from).bind(&l.to).bind(&l.reason)
                        .execute(&mut *self.tx).await.map_err(backend)?;
                    Ok(())
                }

                async fn insert_conflict(&mut self, c: &Conflict) -> Result<()> {
                    sqlx::query("INSERT INTO officer_conflict (officer_id, object_code, reason, declared_ms, declared_by) VALUES ($1, $2, $3, $4, $5)")
                        .bind(c.officer_id).bind(&c.object_code).bind(&c.reason).bind(c.declared_ms).bind(&c.declared_by)
                        .execute(&mut *self.tx).await.map_err(backend)?;
                    Ok(())
                }
            }
        }
    };
}
