//! Bulk reads of the audit log through rusqlite on a private read-only connection: reading a
//! million rows through sqlx's async row machinery costs about ten times more, and `audit
//! verify` reads them all. WAL mode lets this reader run beside the pool's writers.

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

/// The rows of [`ssj_storage_sql::scope_sql`]'s query.
pub(crate) fn scope_rows(
    path: &Path,
    sql: &str,
    params: &[String],
) -> Result<ssj_storage::ScopeRows> {
    use ssj_domain::objects::{RegistrationStatus, Tier};
    let conn = read_only(path)?;
    let mut stmt = conn.prepare(sql).map_err(err)?;
    let mut rows = stmt
        .query(rusqlite::params_from_iter(params.iter()))
        .map_err(err)?;
    let corrupt = |e: ssj_domain::ValidationError| StorageError::Corrupt(e.to_string());
    let mut out = ssj_storage::ScopeRows::default();
    while let Some(r) = rows.next().map_err(err)? {
        let text = |i: usize| -> Result<&str> {
            r.get_ref(i)
                .map_err(err)?
                .as_str()
                .map_err(|e| StorageError::Corrupt(e.to_string()))
        };
        out.push(
            text(0)?,
            Tier::parse(text(1)?).map_err(corrupt)?,
            RegistrationStatus::parse(text(2)?).map_err(corrupt)?,
        );
    }
    Ok(out)
}

pub(crate) fn audit_range(path: &Path, from: u64, to: u64) -> Result<Vec<StoredAudit>> {
    let conn = read_only(path)?;
    let mut stmt = conn
        .prepare_cached(
            "SELECT seq, at_ms, actor_id, actor, department_id, action, target_type, target_id, \
             before_json, after_json, reason, leaf_hash, closed \
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
