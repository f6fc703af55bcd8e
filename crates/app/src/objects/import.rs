//! Importing a directory file: a preview that writes nothing, and the import itself (upsert
//! by code, history for every change, audit records committing to every new object).

use super::reader::Reader;
use super::{content, snapshot_into, snapshot_of};
use crate::audit::Appender;
use crate::imports::{ImportMode, ImportSummary, rejection};
use crate::{Actor, AppResult, Platform, clock};
use serde::Serialize;
use sha2::{Digest, Sha256};
use ssj_domain::audit::snapshot;
use ssj_domain::objects::{ObjectKind, RegistrationStatus, Tier};
use ssj_domain::{DivisionCode, ObjectCode, Permission};
use ssj_import::Reject;
use ssj_import::objects::ObjectRow;
use ssj_storage::{Object, ObjectChange};
use std::collections::HashMap;
use std::sync::Arc;

/// Turns a parsed row into an object, or says which column is wrong.
pub(crate) fn to_object(r: ObjectRow, now: i64) -> Result<Object, Reject> {
    let reject = |column: &str, reason: String| Reject {
        row: r.row,
        column: column.into(),
        reason,
    };
    let kind = if r.kind.is_empty() {
        let platform = ObjectCode::parse(&r.code)
            .map(|c| c.kind() == ssj_domain::CodeKind::Platform)
            .unwrap_or(false);
        ObjectKind::from_uscc(&r.code).unwrap_or(if platform {
            ObjectKind::Other
        } else {
            ObjectKind::Enterprise
        })
    } else {
        ObjectKind::parse(&r.kind).map_err(|e| reject("类型", e.message))?
    };
    let status = if r.status.is_empty() {
        RegistrationStatus::Active
    } else {
        RegistrationStatus::parse(&r.status).map_err(|e| reject("登记状态", e.message))?
    };
    let tier = Tier::parse(&r.tier).map_err(|e| reject("信用风险分类", e.message))?;
    let yes_no = |v: &str, column: &str| -> Result<bool, Reject> {
        match v.trim() {
            "" | "否" | "N" | "n" | "0" | "未列入" => Ok(false),
            "是" | "Y" | "y" | "1" | "已列入" | "列入" => Ok(true),
            other => Err(reject(column, format!("“{other}”应为 是 或 否"))),
        }
    };
    let date = |v: &str, column: &str| -> Result<String, Reject> {
        if v.trim().is_empty() {
            Ok(String::new())
        } else {
            ssj_domain::officers::parse_date(v, column).map_err(|e| reject(column, e.message))
        }
    };
    let abnormal = yes_no(&r.abnormal, "经营异常名录")?;
    let serious_violation = yes_no(&r.serious, "严重违法失信")?;
    let tier_date = date(&r.tier_date, "分类日期")?;
    let last_inspected = date(&r.last_inspected, "最近检查日期")?;
    let licences = if r.licence_name.is_empty() && r.licence_no.is_empty() {
        Vec::new()
    } else {
        vec![ssj_storage::Licence {
            name: r.licence_name.clone(),
            number: r.licence_no.clone(),
            valid_until: date(&r.licence_valid, "许可证有效期至")?,
        }]
    };
    let division = if r.division.is_empty() {
        String::new()
    } else {
        DivisionCode::parse(&r.division)
            .map_err(|e| reject("行政区划", e.message))?
            .to_string()
    };
    Ok(Object {
        id: 0,
        code: r.code,
        code_flagged: r.flagged,
        name: r.name,
        kind,
        legal_rep: r.legal_rep,
        address: r.address,
        division,
        authority: if r.authority.is_empty() {
            r.registrar
        } else {
            r.authority
        },
        industry: r.industry,
        scale: r.scale,
        status,
        tier,
        tier_date,
        tier_source: r.tier_source,
        tags: ssj_domain::items::split_list(&r.tags),
        abnormal,
        serious_violation,
        last_inspected,
        licences,
        created_ms: now,
        updated_ms: now,
    })
}

/// Splits incoming objects against those already stored (matched by code). A column the file
/// does not have keeps the stored value (a list without 信用风险分类 does not reset tiers).
fn plan(
    existing: Vec<Object>,
    incoming: Vec<Object>,
    has: &dyn Fn(&str) -> bool,
) -> (Vec<Object>, Vec<(Object, Object)>, usize) {
    if existing.is_empty() {
        return (incoming, Vec::new(), 0); // all new: nothing to match
    }
    let mut by_code: HashMap<String, Object> =
        existing.into_iter().map(|o| (o.code.clone(), o)).collect();
    let (mut new, mut changed, mut unchanged) = (Vec::new(), Vec::new(), 0);
    for mut o in incoming {
        let Some(old) = by_code.remove(&o.code) else {
            new.push(o);
            continue;
        };
        o.id = old.id;
        o.created_ms = old.created_ms;
        macro_rules! keep {
            ($($key:literal => $field:ident),+ $(,)?) => {
                $( if !has($key) { o.$field = old.$field.clone(); } )+
            };
        }
        keep!(
            "kind" => kind, "legal_rep" => legal_rep, "address" => address, "division" => division,
            "industry" => industry, "tier" => tier, "status" => status, "tags" => tags, "scale" => scale,
            "tier_date" => tier_date, "tier_source" => tier_source, "abnormal" => abnormal,
            "serious" => serious_violation, "last_inspected" => last_inspected, "licence_name" => licences,
        );
        if !has("authority") && !has("registrar") {
            o.authority = old.authority.clone();
        }
        if content(&old) == content(&o) {
            unchanged += 1;
        } else {
            changed.push((old, o));
        }
    }
    (new, changed, unchanged)
}

/// Rows handled per statement batch: memory stays flat whatever the file's size.
pub(crate) const BATCH: usize = 5_000;

/// Rows per batch of a streamed import. Each batch of new objects is one `COPY` on PostgreSQL,
/// whose set-up per statement made 5,000-row batches 40% slower than 20,000-row ones; SQLite
/// has no round trips and overlaps reading with writing better in small batches.
fn import_batch(backend: &str) -> usize {
    if backend == "postgres" { 20_000 } else { BATCH }
}

/// What the audit record of a batch of new objects says: every code, and a digest of every
/// object's content (fields in sorted order: this is the canonical JSON).
#[derive(Serialize)]
struct CreatedBatch<'a> {
    codes: Vec<&'a str>,
    content_sha256: String,
}

/// Where this platform's objects belong: the divisions its departments are in, each with
/// everything under it (one reading of a division, [`ssj_domain::org::covering_prefix`]).
struct Locality {
    prefixes: Vec<String>,
}

/// Examples of 行政区划不在本地 objects kept for the preview.
const OUTSIDE_EXAMPLES: usize = 5;

impl Locality {
    async fn of(p: &Platform) -> AppResult<Locality> {
        let mut prefixes: Vec<String> = p
            .store
            .departments()
            .await?
            .iter()
            .map(|d| d.division.covering_prefix().to_string())
            .collect();
        prefixes.sort();
        prefixes.dedup();
        Ok(Locality { prefixes })
    }

    /// The object's division (or, without one, the division its code was registered in) is
    /// under none of the platform's. A platform without departments has no "local" yet.
    fn is_outside(&self, o: &Object) -> bool {
        let division = if o.division.is_empty() {
            ssj_domain::codes::registered_division(&o.code)
        } else {
            Some(o.division.as_str())
        };
        match division {
            Some(d) if !self.prefixes.is_empty() => {
                !self.prefixes.iter().any(|p| d.starts_with(p.as_str()))
            }
            _ => false,
        }
    }

    fn count(&self, objects: &[Object], summary: &mut ImportSummary) {
        for o in objects.iter().filter(|o| self.is_outside(o)) {
            summary.outside += 1;
            if summary.outside_examples.len() < OUTSIDE_EXAMPLES {
                let division = if o.division.is_empty() {
                    ssj_domain::codes::registered_division(&o.code).unwrap_or("")
                } else {
                    &o.division
                };
                summary
                    .outside_examples
                    .push(format!("{} {}（{division}）", o.code, o.name));
            }
        }
    }
}

impl Platform {
    /// What importing `bytes` would do to the directory (nothing is written). The file is
    /// read on a thread of its own, as an import reads it.
    pub async fn preview_objects(
        &self,
        bytes: &[u8],
        take_flagged: bool,
    ) -> AppResult<ImportSummary> {
        let _permit = self.heavy_permit().await?;
        let mut reader = Reader::open(
            Arc::new(bytes.to_vec()),
            take_flagged,
            clock::now_ms(),
            BATCH,
        )
        .await?;
        let mut summary = ImportSummary::default();
        let locality = Locality::of(self).await?;
        // Reads only, outside a transaction: a long preview never holds the write lock.
        while let Some(batch) = reader.next().await? {
            for reject in batch.rejects {
                summary.add_reject(reject);
            }
            summary.add_folds(batch.folds);
            locality.count(&batch.objects, &mut summary);
            let codes: Vec<String> = batch.objects.iter().map(|o| o.code.clone()).collect();
            let existing = self.store.objects_with_codes(&codes).await?;
            let (new, changed, unchanged) =
                plan(existing, batch.objects, &|k| reader.columns.contains(k));
            summary.new += new.len();
            summary.changed += changed.len();
            summary.unchanged += unchanged;
        }
        summary.require_rows()?;
        Ok(summary)
    }

    /// Imports a directory file, streamed in batches inside one transaction: new codes are
    /// added, known codes updated (with history); the audit log gets each batch's codes and
    /// each update's before/after, and the file's digest. All or nothing unless `GoodRows`.
    pub async fn import_objects(
        &self,
        actor: &Actor,
        bytes: impl Into<Arc<Vec<u8>>>,
        mode: ImportMode,
        take_flagged: bool,
    ) -> AppResult<ImportSummary> {
        self.import_objects_with_progress(actor, bytes, mode, take_flagged, |_| {})
            .await
    }

    /// As [`Platform::import_objects`], calling `progress` with the rows read so far.
    pub async fn import_objects_with_progress(
        &self,
        actor: &Actor,
        bytes: impl Into<Arc<Vec<u8>>>,
        mode: ImportMode,
        take_flagged: bool,
        progress: impl Fn(usize),
    ) -> AppResult<ImportSummary> {
        actor.require(Permission::EditLists)?;
        let now = clock::now_ms();
        let t0 = std::time::Instant::now();
        let batch_rows = import_batch(self.store.backend());
        let _permit = self.heavy_permit().await?;
        let mut reader = Reader::open(bytes.into(), take_flagged, now, batch_rows).await?;
        let mut summary = ImportSummary::default();
        let locality = Locality::of(self).await?;
        let mut tx = self.store.begin().await?;
        let mut log = Appender::open(&mut *tx, self.alg).await?;
        // Into an empty directory nothing needs looking up, and the code index is built once
        // at the end instead of taking a million random inserts.
        let bulk = !tx.objects_exist().await?;
        if bulk {
            tx.drop_object_indexes().await?;
        }
        tracing::info!(bulk, "object import: transaction started");
        let mut records = Vec::new();
        let mut read = 0;
        let mut waited = std::time::Duration::ZERO;
        loop {
            let tw = std::time::Instant::now();
            let Some(batch) = reader.next().await? else {
                break;
            };
            waited += tw.elapsed();
            read += batch.objects.len() + batch.rejects.len();
            progress(read);
            for reject in batch.rejects {
                summary.add_reject(reject);
            }
            summary.add_folds(batch.folds);
            if mode == ImportMode::AllOrNothing && summary.rejected() > 0 {
                continue; // keep reading to report every rejected row; nothing will be kept
            }
            locality.count(&batch.objects, &mut summary);
            let in_batch = batch.objects.len();
            let existing = if bulk {
                Vec::new()
            } else {
                let codes: Vec<String> = batch.objects.iter().map(|o| o.code.clone()).collect();
                tx.objects_by_codes(&codes).await?
            };
            let (new, changed, unchanged) =
                plan(existing, batch.objects, &|k| reader.columns.contains(k));
            tx.insert_objects(&new).await?;
            let mut history = Vec::with_capacity(changed.len());
            for (old, o) in &changed {
                tx.update_object(o).await?;
                let (before, after) = (snapshot_of(old), snapshot_of(o));
                history.push(ObjectChange {
                    object_id: o.id,
                    at_ms: now,
                    actor: actor.name.clone(),
                    action: "update".into(),
                    before: Some(before.clone()),
                    after: Some(after.clone()),
                });
                let mut e = actor.entry("object.update", "object", &o.code);
                e.before = Some(before);
                e.after = Some(after);
                records.push((e, now));
            }
            tx.insert_object_changes(&history).await?;
            if !new.is_empty() {
                // One record per batch names every object it created and commits to their content.
                let digest: [u8; 32] = if new.len() == in_batch {
                    batch.digest // the reader hashed exactly these, in this order
                } else {
                    let mut d = Sha256::new();
                    for o in &new {
                        snapshot_into(&mut d, o);
                    }
                    d.finalize().into()
                };
                let mut e = actor.entry("object.create_batch", "object", &new[0].code);
                e.after = Some(
                    serde_json::to_string(&CreatedBatch {
                        codes: new.iter().map(|o| o.code.as_str()).collect(),
                        content_sha256: hex::encode(digest),
                    })
                    .expect("plain data serialises"),
                );
                records.push((e, now));
            }
            summary.new += new.len();
            summary.changed += changed.len();
            summary.unchanged += unchanged;
            if records.len() >= 64 {
                log.append_many(&mut *tx, std::mem::take(&mut records))
                    .await?;
            }
        }
        summary.require_rows()?;
        if mode == ImportMode::AllOrNothing && summary.rejected() > 0 {
            return Err(rejection(&summary.rejects));
        }
        if summary.new + summary.changed == 0 {
            return Ok(summary); // nothing to change: the transaction ends without a trace
        }
        tracing::debug!(elapsed = ?t0.elapsed(), waited_for_reader = ?waited, "object import: rows written");
        if bulk {
            tx.rebuild_object_indexes().await?;
        }
        tracing::debug!(elapsed = ?t0.elapsed(), "object import: indexed");
        let mut e = actor.entry("object.import", "object", "*");
        e.after = Some(snapshot(&serde_json::json!({
            "sha256": reader.file_sha256().map(hex::encode).unwrap_or_default(),
            "new": summary.new, "changed": summary.changed, "unchanged": summary.unchanged,
            "rejected": summary.rejected(), "flagged_taken": take_flagged,
        })));
        records.push((e, now));
        log.append_many(&mut *tx, records).await?;
        tx.commit().await?;
        tracing::debug!(elapsed = ?t0.elapsed(), "object import: committed");
        Ok(summary)
    }
}
