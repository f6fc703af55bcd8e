//! Bulk reads of the audit log through rusqlite on a private read-only connection: reading a
//! million rows through sqlx's async row machinery costs about ten times more, and `audit
//! verify` reads them all. WAL mode lets this reader run beside the pool's writers.

use rusqlite::OptionalExtension;
use ssj_domain::{AuditEntry, AuditRecord};
use ssj_storage::{Result, StorageError, StoredAudit};
use std::path::Path;

pub(crate) fn err(e: rusqlite::Error) -> StorageError {
    StorageError::Backend(e.to_string())
}

fn read_only(path: &Path) -> Result<rusqlite::Connection> {
    use rusqlite::OpenFlags;
    let conn = rusqlite::Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(err)?;
    conn.busy_timeout(std::time::Duration::from_secs(30))
        .map_err(err)?;
    Ok(conn)
}

/// The rows of [`ssj_storage_sql::scope_sql`]'s query, read on one connection per core, each
/// over its own range of the list index (division, code). The readers' snapshots are taken
/// while a write lock is held, so that they all see one state of the directory.
pub(crate) fn scope_rows(
    path: &Path,
    sql: &str,
    params: &[String],
) -> Result<ssj_storage::ScopeRows> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    scope_rows_in(path, sql, params, threads, 200_000)
}

/// [`scope_rows`] in up to `threads` parts, once the directory holds `parallel_from` objects.
fn scope_rows_in(
    path: &Path,
    sql: &str,
    params: &[String],
    threads: usize,
    parallel_from: i64,
) -> Result<ssj_storage::ScopeRows> {
    let (splits, total) = if threads > 1 {
        scope_splits(&read_only(path)?, threads, parallel_from)?
    } else {
        (Vec::new(), 0)
    };
    if splits.is_empty() {
        return read_range(&read_only(path)?, sql, params, None, None, 0);
    }
    // Room for a whole range (most draws of a directory this large take most of it), so that
    // ten million codes are not copied as their buffers grow.
    let expected = total / (splits.len() + 1);
    let lock = rusqlite::Connection::open(path).map_err(err)?;
    lock.busy_timeout(std::time::Duration::from_secs(30))
        .map_err(err)?;
    lock.execute_batch("BEGIN IMMEDIATE").map_err(err)?;
    let readers = (0..=splits.len())
        .map(|_| {
            let conn = read_only(path)?;
            conn.execute_batch("PRAGMA mmap_size = 4294967296; BEGIN")
                .map_err(err)?;
            conn.query_row("SELECT count(*) FROM sqlite_schema", [], |_| Ok(()))
                .map_err(err)?;
            Ok(conn)
        })
        .collect::<Result<Vec<_>>>()?;
    lock.execute_batch("ROLLBACK").map_err(err)?;
    let parts: Vec<Result<ssj_storage::ScopeRows>> = std::thread::scope(|scope| {
        let handles: Vec<_> = readers
            .into_iter()
            .enumerate()
            .map(|(i, conn)| {
                let from = i.checked_sub(1).map(|p| &splits[p]);
                let to = splits.get(i);
                scope.spawn(move || read_range(&conn, sql, params, from, to, expected))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(StorageError::Backend("读取线程中断".into())))
            })
            .collect()
    });
    let mut out = ssj_storage::ScopeRows::default();
    for part in parts {
        out.append(part?);
    }
    Ok(out)
}

/// (division, code) keys that cut the directory into `parts` ranges of about equal size, from
/// the tally of objects per division; none for a directory too small to be worth it.
/// Also the number of objects in the directory.
fn scope_splits(
    conn: &rusqlite::Connection,
    parts: usize,
    parallel_from: i64,
) -> Result<(Vec<(String, String)>, usize)> {
    let mut stmt = conn
        .prepare("SELECT division, SUM(n) FROM object_tally GROUP BY division ORDER BY division")
        .map_err(err)?;
    let divisions: Vec<(String, i64)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .map_err(err)?
        .collect::<rusqlite::Result<_>>()
        .map_err(err)?;
    let total: i64 = divisions.iter().map(|d| d.1).sum();
    if total < parallel_from.max(1) {
        return Ok((Vec::new(), 0));
    }
    let mut splits: Vec<(String, String)> = Vec::new();
    let mut before = 0;
    let mut next = 1;
    for (division, n) in &divisions {
        while next < parts && before + n > total * next as i64 / parts as i64 {
            let offset = total * next as i64 / parts as i64 - before;
            let code: Option<String> = conn
                .query_row(
                    "SELECT code FROM object WHERE division = ?1 ORDER BY code LIMIT 1 OFFSET ?2",
                    rusqlite::params![division, offset],
                    |r| r.get(0),
                )
                .optional()
                .map_err(err)?;
            if let Some(code) = code
                && splits.last() != Some(&(division.clone(), code.clone()))
            {
                splits.push((division.clone(), code));
            }
            next += 1;
        }
        before += n;
    }
    Ok((splits, total as usize))
}

/// The query's rows with (division, code) in `[from, to)`.
fn read_range(
    conn: &rusqlite::Connection,
    sql: &str,
    params: &[String],
    from: Option<&(String, String)>,
    to: Option<&(String, String)>,
    expected_rows: usize,
) -> Result<ssj_storage::ScopeRows> {
    use ssj_domain::objects::{RegistrationStatus, Tier};
    let mut sql = sql.to_string();
    let mut params: Vec<&str> = params.iter().map(String::as_str).collect();
    for (bound, op) in [(from, ">="), (to, "<")] {
        if let Some((division, code)) = bound {
            params.extend([division.as_str(), code.as_str()]);
            let n = params.len();
            sql.push_str(&format!(" AND (division, code) {op} (${}, ${n})", n - 1));
        }
    }
    let mut stmt = conn.prepare(&sql).map_err(err)?;
    let mut rows = stmt
        .query(rusqlite::params_from_iter(params.iter()))
        .map_err(err)?;
    let unknown = |what: &str, b: &[u8]| {
        StorageError::Corrupt(format!("{what}“{}”无法识别", String::from_utf8_lossy(b)))
    };
    // Columns gathered as bytes; the codes are checked as UTF-8 once, at the end.
    let mut codes: Vec<u8> = Vec::with_capacity(expected_rows * 20);
    let mut ends: Vec<u32> = Vec::with_capacity(expected_rows);
    let mut tiers = Vec::with_capacity(expected_rows);
    let mut statuses = Vec::with_capacity(expected_rows);
    while let Some(r) = rows.next().map_err(err)? {
        let bytes = |i: usize| -> Result<&[u8]> {
            r.get_ref(i)
                .map_err(err)?
                .as_bytes()
                .map_err(|e| StorageError::Corrupt(e.to_string()))
        };
        let (tier, status) = (bytes(1)?, bytes(2)?);
        codes.extend_from_slice(bytes(0)?);
        ends.push(
            u32::try_from(codes.len())
                .map_err(|_| StorageError::Backend("抽查范围过大，请按地区分批抽取".into()))?,
        );
        tiers.push(Tier::from_label_bytes(tier).ok_or_else(|| unknown("信用风险分类", tier))?);
        statuses.push(
            RegistrationStatus::from_label_bytes(status)
                .ok_or_else(|| unknown("登记状态", status))?,
        );
    }
    ssj_storage::ScopeRows::from_columns(codes, ends, tiers, statuses)
        .map_err(|e| StorageError::Corrupt(format!("检查对象代码不是有效的 UTF-8：{e}")))
}

pub(crate) fn audit_range(path: &Path, from: u64, to: u64) -> Result<Vec<StoredAudit>> {
    let conn = read_only(path)?;
    let mut stmt = conn
        .prepare_cached(
            "SELECT seq, at_ms, actor_id, actor, department_id, action, target_type, target_id, \
             before_json, after_json, reason, leaf_hash, closed, actor_salt \
             FROM audit_log WHERE seq >= ?1 AND seq < ?2 ORDER BY seq",
        )
        .map_err(err)?;
    let mut rows = stmt.query([from as i64, to as i64]).map_err(err)?;
    let mut out = Vec::with_capacity(to.saturating_sub(from).min(1 << 20) as usize);
    while let Some(r) = rows.next().map_err(err)? {
        let leaf: Vec<u8> = r.get(11).map_err(err)?;
        out.push(StoredAudit {
            record: AuditRecord {
                seq: r.get::<_, i64>(0).map_err(err)? as u64,
                at_ms: r.get(1).map_err(err)?,
                entry: AuditEntry {
                    actor_id: r.get(2).map_err(err)?,
                    actor_name: r.get(3).map_err(err)?,
                    department_id: r.get(4).map_err(err)?,
                    action: r.get(5).map_err(err)?,
                    target_type: r.get(6).map_err(err)?,
                    target_id: r.get(7).map_err(err)?,
                    before: r.get(8).map_err(err)?,
                    after: r.get(9).map_err(err)?,
                    reason: r.get(10).map_err(err)?,
                },
                actor_salt: r
                    .get::<_, Option<Vec<u8>>>(13)
                    .map_err(err)?
                    .map(|b| b.try_into())
                    .transpose()
                    .map_err(|_| StorageError::Corrupt("审计记录的盐值不是 16 字节".into()))?,
            },
            leaf_hash: leaf
                .try_into()
                .map_err(|_| StorageError::Corrupt("哈希长度不是 32 字节".into()))?,
            closed: r.get(12).map_err(err)?,
        });
    }
    Ok(out)
}

pub(crate) fn insert_picks(
    conn: &rusqlite::Connection,
    picks: &[ssj_storage::DrawPick],
) -> Result<()> {
    let mut stmt = conn
        .prepare_cached(
            "INSERT INTO draw_pick (draw_id, rank, object_code, stratum) VALUES (?1, ?2, ?3, ?4)",
        )
        .map_err(err)?;
    for p in picks {
        stmt.execute(rusqlite::params![
            p.draw_id,
            p.rank,
            p.object_code,
            p.stratum
        ])
        .map_err(err)?;
    }
    Ok(())
}

pub(crate) fn insert_objects(
    conn: &rusqlite::Connection,
    objects: &[ssj_storage::Object],
) -> Result<()> {
    let mut stmt = conn
        .prepare_cached(
            "INSERT INTO object (code, code_flagged, name, kind, legal_rep, address, division, authority, \
             industry, scale, status, tier, tier_date, tier_source, tags, abnormal, serious_violation, \
             last_inspected, licences, created_ms, updated_ms) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21)",
        )
        .map_err(err)?;
    for o in objects {
        let tags = if o.tags.is_empty() {
            "[]".to_string()
        } else {
            serde_json::to_string(&o.tags).unwrap_or_default()
        };
        let licences = if o.licences.is_empty() {
            "[]".to_string()
        } else {
            serde_json::to_string(&o.licences).unwrap_or_default()
        };
        stmt.execute(rusqlite::params![
            o.code,
            o.code_flagged,
            o.name,
            o.kind.label(),
            o.legal_rep,
            o.address,
            o.division,
            o.authority,
            o.industry,
            o.scale,
            o.status.label(),
            o.tier.label(),
            o.tier_date,
            o.tier_source,
            tags,
            o.abnormal,
            o.serious_violation,
            o.last_inspected,
            licences,
            o.created_ms,
            o.updated_ms,
        ])
        .map_err(|e| match e {
            rusqlite::Error::SqliteFailure(f, _)
                if f.code == rusqlite::ErrorCode::ConstraintViolation =>
            {
                StorageError::Conflict(format!("代码 {} 已存在", o.code))
            }
            other => err(other),
        })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Objects in three divisions of unequal size, one division cut in two by a split.
    #[tokio::test]
    async fn a_scope_read_in_parts_is_the_scope_read_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        crate::SqliteStore::open(&path).await.unwrap();
        let conn = rusqlite::Connection::open(&path).unwrap();
        let mut tally = std::collections::BTreeMap::new();
        for i in 0..1000 {
            let division = ["140100", "140200", "140300"][(i % 7).min(2)];
            let (status, tier) = if i % 13 == 0 {
                ("注销", "A")
            } else {
                ("存续", "C")
            };
            conn.execute(
                "INSERT INTO object (code, name, kind, division, status, tier, created_ms, updated_ms) \
                 VALUES (?1, ?2, '企业', ?3, ?4, ?5, 0, 0)",
                rusqlite::params![format!("91{:016}", (i * 7919) % 1000), "某公司", division, status, tier],
            )
            .unwrap();
            *tally.entry(division).or_insert(0) += 1;
        }
        for (division, n) in tally {
            conn.execute(
                "INSERT INTO object_tally (division, authority, kind, status, tier, n) VALUES (?1, '', '企业', '存续', 'C', ?2)",
                rusqlite::params![division, n],
            )
            .unwrap();
        }
        let (sql, params) = ssj_storage_sql::scope_sql(&ssj_storage::DrawScope::default());
        let whole = scope_rows_in(&path, &sql, &params, 1, 0).unwrap();
        let rows = |r: &ssj_storage::ScopeRows| {
            let mut v: Vec<_> = (0..r.len())
                .map(|i| (r.code(i).to_string(), r.tier(i), r.status(i)))
                .collect();
            v.sort_by(|a, b| a.0.cmp(&b.0));
            v
        };
        assert_eq!(whole.len(), 1000);
        for threads in [2, 3, 5] {
            let (splits, _) = scope_splits(&read_only(&path).unwrap(), threads, 0).unwrap();
            assert_eq!(splits.len(), threads - 1, "{splits:?}");
            let parts = scope_rows_in(&path, &sql, &params, threads, 0).unwrap();
            assert_eq!(rows(&parts), rows(&whole), "{threads} parts");
        }
        // Below the size worth splitting, one read.
        assert!(
            scope_splits(&read_only(&path).unwrap(), 2, 1001)
                .unwrap()
                .0
                .is_empty()
        );
    }
}
