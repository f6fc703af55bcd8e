/// Expands the item-list queries (`ItemStore`, `ItemTx`) for a backend; invoked next to
/// [`sql_backend!`](crate::sql_backend), whose `backend` error mapping it uses.
#[macro_export]
macro_rules! sql_items {
    (db: $db:ty, row: $row:ty, store: $store:ident, tx: $tx:ident) => {
        mod item_queries {
            use super::{backend, $store, $tx};
            use sqlx::Row;
            use ssj_domain::items::ItemKind;
            use ssj_storage::*;

            const ITEM_COLUMNS: &str = "id, version_id, position, joint, department, category, name, \
                object_type, kind, methods, subject, bases, ratio, frequency, officers, field, \
                initiators, cooperators, retired";
            /// What a search looks in (the list columns hold their JSON text, unescaped CJK).
            const ITEM_TEXT_COLUMNS: [&str; 14] = ["name", "department", "field", "category",
                "object_type", "kind", "methods", "subject", "bases", "ratio", "frequency",
                "officers", "initiators", "cooperators"];

            fn list(r: &$row, col: &str) -> Result<Vec<String>> {
                let text: String = r.try_get(col).map_err(|e| StorageError::Corrupt(e.to_string()))?;
                serde_json::from_str(&text).map_err(|e| StorageError::Corrupt(format!("{col}: {e}")))
            }

            fn item(r: &$row) -> Result<Item> {
                let get_err = |e: sqlx::Error| StorageError::Corrupt(e.to_string());
                let kind: Option<String> = r.try_get("kind").map_err(get_err)?;
                Ok(Item {
                    id: r.try_get("id").map_err(get_err)?,
                    version_id: r.try_get("version_id").map_err(get_err)?,
                    position: r.try_get("position").map_err(get_err)?,
                    joint: r.try_get("joint").map_err(get_err)?,
                    department: r.try_get("department").map_err(get_err)?,
                    category: r.try_get("category").map_err(get_err)?,
                    name: r.try_get("name").map_err(get_err)?,
                    object_type: r.try_get("object_type").map_err(get_err)?,
                    kind: kind.map(|k| ItemKind::parse(&k)).transpose().map_err(|e| StorageError::Corrupt(e.message))?,
                    methods: list(r, "methods")?,
                    subject: r.try_get("subject").map_err(get_err)?,
                    bases: list(r, "bases")?,
                    ratio: r.try_get("ratio").map_err(get_err)?,
                    frequency: r.try_get("frequency").map_err(get_err)?,
                    officers: r.try_get("officers").map_err(get_err)?,
                    field: r.try_get("field").map_err(get_err)?,
                    initiators: list(r, "initiators")?,
                    cooperators: list(r, "cooperators")?,
                    retired: r.try_get("retired").map_err(get_err)?,
                })
            }

            fn version(r: &$row) -> Result<ItemVersion> {
                let get_err = |e: sqlx::Error| StorageError::Corrupt(e.to_string());
                let status: String = r.try_get("status").map_err(get_err)?;
                Ok(ItemVersion {
                    id: r.try_get("id").map_err(get_err)?,
                    status: VersionStatus::parse(&status).ok_or_else(|| StorageError::Corrupt(status))?,
                    created_ms: r.try_get("created_ms").map_err(get_err)?,
                    published_ms: r.try_get("published_ms").map_err(get_err)?,
                    note: r.try_get("note").map_err(get_err)?,
                })
            }

            const VERSIONS: &str = "SELECT id, status, created_ms, published_ms, note FROM item_version ORDER BY id";

            fn json(v: &[String]) -> String {
                serde_json::to_string(v).expect("strings serialise")
            }

            fn kind_key(k: Option<ItemKind>) -> Option<&'static str> {
                k.map(|k| match k {
                    ItemKind::General => "一般检查事项",
                    ItemKind::Key => "重点检查事项",
                })
            }

            fn push_filter(q: &mut sqlx::QueryBuilder<$db>, f: &ItemFilter) {
                q.push(" WHERE version_id = ").push_bind(f.version_id);
                if !f.include_retired {
                    q.push(" AND retired = ").push_bind(false);
                }
                if let Some(text) = f.q.as_ref().filter(|s| !s.trim().is_empty()) {
                    let like = format!("%{}%", $crate::like_escape(text.trim()));
                    // Every text the list holds: 检查依据 and 检查主体 are what people search by.
                    for (i, column) in ITEM_TEXT_COLUMNS.iter().enumerate() {
                        q.push(if i == 0 { " AND (" } else { " OR " });
                        q.push(*column).push(" LIKE ").push_bind(like.clone());
                        q.push(" ESCAPE '\\'");
                    }
                    q.push(")");
                }
                if let Some(d) = &f.department {
                    q.push(" AND (department = ").push_bind(d.clone());
                    q.push(" OR initiators LIKE ").push_bind(format!("%\"{}\"%", d.replace('"', ""))).push(")");
                }
                if let Some(k) = kind_key(f.kind) {
                    q.push(" AND kind = ").push_bind(k);
                }
                if let Some(j) = f.joint {
                    q.push(" AND joint = ").push_bind(j);
                }
            }

            #[async_trait::async_trait]
            impl ItemStore for $store {
                async fn item_versions(&self) -> Result<Vec<ItemVersion>> {
                    let rows = sqlx::query(VERSIONS).fetch_all(&self.pool).await.map_err(backend)?;
                    rows.iter().map(version).collect()
                }

                async fn items(&self, f: &ItemFilter) -> Result<(Vec<Item>, u64)> {
                    let mut count = sqlx::QueryBuilder::<$db>::new("SELECT COUNT(*) FROM item");
                    push_filter(&mut count, f);
                    let total: i64 = count.build_query_scalar().fetch_one(&self.pool).await.map_err(backend)?;
                    let mut q = sqlx::QueryBuilder::<$db>::new(format!("SELECT {ITEM_COLUMNS} FROM item"));
                    push_filter(&mut q, f);
                    q.push(" ORDER BY position LIMIT ").push_bind(f.limit as i64);
                    q.push(" OFFSET ").push_bind(f.offset as i64);
                    let rows = q.build().fetch_all(&self.pool).await.map_err(backend)?;
                    Ok((rows.iter().map(item).collect::<Result<_>>()?, total as u64))
                }

                async fn version_items(&self, version_id: i64) -> Result<Vec<Item>> {
                    let sql = format!("SELECT {ITEM_COLUMNS} FROM item WHERE version_id = $1 ORDER BY position");
                    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(version_id).fetch_all(&self.pool).await.map_err(backend)?;
                    rows.iter().map(item).collect()
                }
            }

            #[async_trait::async_trait]
            impl ItemTx for $tx {
                async fn tx_item_versions(&mut self) -> Result<Vec<ItemVersion>> {
                    let rows = sqlx::query(VERSIONS).fetch_all(&mut *self.tx).await.map_err(backend)?;
                    rows.iter().map(version).collect()
                }

                async fn tx_version_items(&mut self, version_id: i64) -> Result<Vec<Item>> {
                    let sql = format!("SELECT {ITEM_COLUMNS} FROM item WHERE version_id = $1 ORDER BY position");
                    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(version_id).fetch_all(&mut *self.tx).await.map_err(backend)?;
                    rows.iter().map(item).collect()
                }

                async fn insert_item_version(&mut self, created_ms: i64, note: &str) -> Result<i64> {
                    sqlx::query_scalar("INSERT INTO item_version (status, created_ms, note) VALUES ('draft', $1, $2) RETURNING id")
                        .bind(created_ms)
                        .bind(note)
                        .fetch_one(&mut *self.tx)
                        .await
                        .map_err(backend)
                }

                async fn publish_item_version(&mut self, id: i64, published_ms: i64, note: &str) -> Result<()> {
                    sqlx::query("UPDATE item_version SET status = 'published', published_ms = $1, note = $2 WHERE id = $3 AND status = 'draft'")
                        .bind(published_ms)
                        .bind(note)
                        .bind(id)
                        .execute(&mut *self.tx)
                        .await
                        .map_err(backend)?;
                    Ok(())
                }

                async fn insert_items(&mut self, items: &[Item]) -> Result<()> {
                    for chunk in items.chunks(500) {
                        let mut q = sqlx::QueryBuilder::<$db>::new(
                            "INSERT INTO item (version_id, position, joint, department, category, name, object_type, \
                             kind, methods, subject, bases, ratio, frequency, officers, field, initiators, cooperators, retired) ",
                        );
                        q.push_values(chunk, |mut b, i| {
                            b.push_bind(i.version_id)
                                .push_bind(i.position)
                                .push_bind(i.joint)
                                .push_bind(i.department.clone())
                                .push_bind(i.category.clone())
                                .push_bind(i.name.clone())
                                .push_bind(i.object_type.clone())
                                .push_bind(kind_key(i.kind))
                                .push_bind(json(&i.methods))
                                .push_bind(i.subject.clone())
                                .push_bind(json(&i.bases))
                                .push_bind(i.ratio.clone())
                                .push_bind(i.frequency.clone())
                                .push_bind(i.officers.clone())
                                .push_bind(i.field.clone())
                                .push_bind(json(&i.initiators))
                                .push_bind(json(&i.cooperators))
                                .push_bind(i.retired);
                        });
                        q.build().execute(&mut *self.tx).await.map_err(backend)?;
                    }
                    Ok(())
                }

                async fn update_item(&mut self, i: &Item) -> Result<()> {
                    sqlx::query(
                        "UPDATE item SET position = $1, joint = $2, department = $3, category = $4, name = $5, \
                         object_type = $6, kind = $7, methods = $8, subject = $9, bases = $10, ratio = $11, \
                         frequency = $12, officers = $13, field = $14, initiators = $15, cooperators = $16, \
                         retired = $17 WHERE id = $18",
                    )
                    .bind(i.position)
                    .bind(i.joint)
                    .bind(&i.department)
                    .bind(&i.category)
                    .bind(&i.name)
                    .bind(&i.object_type)
                    .bind(kind_key(i.kind))
                    .bind(json(&i.methods))
                    .bind(&i.subject)
                    .bind(json(&i.bases))
                    .bind(&i.ratio)
                    .bind(&i.frequency)
                    .bind(&i.officers)
                    .bind(&i.field)
                    .bind(json(&i.initiators))
                    .bind(json(&i.cooperators))
                    .bind(i.retired)
                    .bind(i.id)
                    .execute(&mut *self.tx)
                    .await
                    .map_err(backend)?;
                    Ok(())
                }
            }
        }
    };
}
