//! The directory of inspected objects: import (upsert by code, with history), list, export.

use crate::audit::Appender;
use crate::imports::{ImportMode, ImportSummary, import_error, rejection};
use crate::{Actor, AppError, AppResult, Platform, clock};
use serde::Serialize;
use sha2::{Digest, Sha256};
use ssj_domain::audit::snapshot;
use ssj_domain::objects::{ObjectKind, RegistrationStatus, Tier};
use ssj_domain::{DivisionCode, ObjectCode, Permission};
use ssj_import::Reject;
use ssj_import::objects::{ObjectRow, ObjectSource};
use ssj_storage::{Object, ObjectChange};
use std::collections::HashMap;

/// The content of an object, for comparison, history and the audit log.
#[derive(Serialize, PartialEq)]
struct ObjectSnapshot<'a> {
    code: &'a str,
    code_flagged: bool,
    name: &'a str,
    kind: &'static str,
    legal_rep: &'a str,
    address: &'a str,
    division: &'a str,
    authority: &'a str,
    industry: &'a str,
    status: &'static str,
    tier: &'static str,
    tags: &'a [String],
    scale: &'a str,
    tier_date: &'a str,
    tier_source: &'a str,
    abnormal: bool,
    serious_violation: bool,
    last_inspected: &'a str,
    licences: &'a [ssj_storage::Licence],
}

fn content(o: &Object) -> ObjectSnapshot<'_> {
    ObjectSnapshot {
        code: &o.code,
        code_flagged: o.code_flagged,
        name: &o.name,
        kind: o.kind.label(),
        legal_rep: &o.legal_rep,
        address: &o.address,
        division: &o.division,
        authority: &o.authority,
        industry: &o.industry,
        status: o.status.label(),
        tier: o.tier.label(),
        tags: &o.tags,
        scale: &o.scale,
        tier_date: &o.tier_date,
        tier_source: &o.tier_source,
        abnormal: o.abnormal,
        serious_violation: o.serious_violation,
        last_inspected: &o.last_inspected,
        licences: &o.licences,
    }
}

/// Turns a parsed row into an object, or says which column is wrong.
fn to_object(r: ObjectRow, now: i64) -> Result<Object, Reject> {
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

/// Splits incoming objects against those already stored (matched by code).
/// Splits incoming objects against those already stored (matched by code). A column the file
/// does not have keeps the stored value (a list without 信用风险分类 does not reset tiers).
fn plan(
    existing: Vec<Object>,
    incoming: Vec<Object>,
    has: &dyn Fn(&str) -> bool,
) -> (Vec<Object>, Vec<(Object, Object)>, usize) {
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
const BATCH: usize = 5_000;

/// Reads the next batch of a source into objects and rejects.
fn next_objects(
    source: &mut ObjectSource<'_>,
    now: i64,
    summary: &mut ImportSummary,
) -> AppResult<Option<Vec<Object>>> {
    let batch = source.next_batch(BATCH).map_err(import_error)?;
    if batch.is_empty() {
        return Ok(None);
    }
    let mut objects = Vec::with_capacity(batch.len());
    for row in batch {
        match row.and_then(|r| to_object(r, now)) {
            Ok(o) => objects.push(o),
            Err(reject) => summary.add_reject(reject),
        }
    }
    Ok(Some(objects))
}

impl Platform {
    /// What importing `bytes` would do to the directory (nothing is written).
    pub async fn preview_objects(
        &self,
        bytes: &[u8],
        take_flagged: bool,
    ) -> AppResult<ImportSummary> {
        let now = clock::now_ms();
        let mut source = ObjectSource::open(bytes, take_flagged).map_err(import_error)?;
        let mut summary = ImportSummary::default();
        // Reads only, outside a transaction: a long preview never holds the write lock.
        while let Some(objects) = next_objects(&mut source, now, &mut summary)? {
            let codes: Vec<String> = objects.iter().map(|o| o.code.clone()).collect();
            let existing = self.store.objects_with_codes(&codes).await?;
            let (new, changed, unchanged) = plan(existing, objects, &|k| source.has_column(k));
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
        bytes: &[u8],
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
        bytes: &[u8],
        mode: ImportMode,
        take_flagged: bool,
        progress: impl Fn(usize),
    ) -> AppResult<ImportSummary> {
        actor.require(Permission::EditLists)?;
        let now = clock::now_ms();
        let mut source = ObjectSource::open(bytes, take_flagged).map_err(import_error)?;
        let mut summary = ImportSummary::default();
        let mut tx = self.store.begin().await?;
        let mut log = Appender::open(&mut *tx, self.alg).await?;
        let empty_directory = self
            .store
            .objects(&ssj_storage::ObjectFilter {
                limit: 1,
                ..Default::default()
            })
            .await?
            .1
            == 0;
        tracing::info!("object import: transaction started");
        let mut records = Vec::new();
        while let Some(objects) = next_objects(&mut source, now, &mut summary)? {
            progress(
                summary.new
                    + summary.changed
                    + summary.unchanged
                    + summary.rejected()
                    + objects.len(),
            );
            if mode == ImportMode::AllOrNothing && summary.rejected() > 0 {
                continue; // keep reading to report every rejected row; nothing will be kept
            }
            let existing = if empty_directory {
                Vec::new()
            } else {
                let codes: Vec<String> = objects.iter().map(|o| o.code.clone()).collect();
                tx.objects_by_codes(&codes).await?
            };
            let (new, changed, unchanged) = plan(existing, objects, &|k| source.has_column(k));
            tx.insert_objects(&new).await?;
            let mut history = Vec::with_capacity(changed.len());
            for (old, o) in &changed {
                tx.update_object(o).await?;
                let (before, after) = (snapshot(&content(old)), snapshot(&content(o)));
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
                let mut digest = Sha256::new();
                for o in &new {
                    digest.update(snapshot(&content(o)).as_bytes());
                    digest.update(b"\n");
                }
                let mut e = actor.entry("object.create_batch", "object", &new[0].code);
                e.after = Some(snapshot(&serde_json::json!({
                    "codes": new.iter().map(|o| o.code.as_str()).collect::<Vec<_>>(),
                    "content_sha256": hex::encode(digest.finalize()),
                })));
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
        let mut e = actor.entry("object.import", "object", "*");
        e.after = Some(snapshot(&serde_json::json!({
            "sha256": hex::encode(Sha256::digest(bytes)),
            "new": summary.new, "changed": summary.changed, "unchanged": summary.unchanged,
            "rejected": summary.rejected(), "flagged_taken": take_flagged,
        })));
        records.push((e, now));
        log.append_many(&mut *tx, records).await?;
        tx.commit().await?;
        Ok(summary)
    }
}

/// Columns of an exported (or template) directory; they read back through the importer.
pub const OBJECT_EXPORT_HEADER: &[&str] = &[
    "统一社会信用代码/注册号",
    "名称",
    "类型",
    "法定代表人",
    "地址",
    "行政区划",
    "属地监管机关",
    "行业",
    "规模",
    "登记状态",
    "信用风险分类",
    "分类日期",
    "分类来源",
    "专项库标签",
    "经营异常名录",
    "严重违法失信",
    "最近检查日期",
    "许可证名称",
    "许可证编号",
    "许可证有效期至",
    "代码存疑",
];

pub fn export_row(o: &Object) -> Vec<String> {
    let yes = |b: bool| if b { "是" } else { "否" }.to_string();
    let licence = o.licences.first();
    vec![
        o.code.clone(),
        o.name.clone(),
        o.kind.label().into(),
        o.legal_rep.clone(),
        o.address.clone(),
        o.division.clone(),
        o.authority.clone(),
        o.industry.clone(),
        o.scale.clone(),
        o.status.label().into(),
        o.tier.label().into(),
        o.tier_date.clone(),
        o.tier_source.clone(),
        o.tags.join("、"),
        yes(o.abnormal),
        yes(o.serious_violation),
        o.last_inspected.clone(),
        licence.map(|l| l.name.clone()).unwrap_or_default(),
        licence.map(|l| l.number.clone()).unwrap_or_default(),
        licence.map(|l| l.valid_until.clone()).unwrap_or_default(),
        if o.code_flagged { "是" } else { "" }.into(),
    ]
}

impl Platform {
    /// The directory under a filter as a file (all pages), or the template when it is empty.
    pub async fn export_objects(
        &self,
        filter: &ssj_storage::ObjectFilter,
        format: ssj_import::export::TableFormat,
    ) -> AppResult<Vec<u8>> {
        let mut rows = Vec::new();
        let mut page = ssj_storage::ObjectFilter {
            offset: 0,
            limit: 10_000,
            ..filter.clone()
        };
        loop {
            let (objects, _) = self.store.objects(&page).await?;
            rows.extend(objects.iter().map(export_row));
            if (objects.len() as u64) < page.limit {
                break;
            }
            page.offset += page.limit;
        }
        ssj_import::export::write_table(
            format,
            "检查对象名录",
            OBJECT_EXPORT_HEADER,
            rows.into_iter(),
        )
        .map_err(|e| AppError::internal(format!("导出失败：{e}")))
    }
}
