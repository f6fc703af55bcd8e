//! The directory of enforcement officers: import (upsert by certificate number), eligibility,
//! leave, declared conflicts (回避), and exports with or without personal data; one officer
//! added or edited by hand in `form`.

mod form;
pub use form::officer_row;

use crate::audit::Appender;
use crate::imports::{ImportMode, ImportSummary, rejection};
use crate::{Actor, AppError, AppResult, Platform, clock};
use serde::Serialize;
use sha2::{Digest, Sha256};
use ssj_domain::audit::snapshot;
use ssj_domain::items::split_list;
use ssj_domain::officers::{
    OfficerLevel, parse_certificate, parse_date, parse_id_number, parse_phone,
};
use ssj_domain::{ObjectCode, Permission};
use ssj_import::officers::{OfficerRow, read_officers};
use ssj_import::{Grid, Reject};
use ssj_storage::{Conflict, Department, Leave, Officer, OfficerCounts, OfficerFilter};
use std::collections::HashMap;

/// What the audit log and comparisons see of an officer: never the phone or ID number, only
/// whether they changed.
#[derive(Serialize, PartialEq)]
struct OfficerSnapshot<'a> {
    department_id: i64,
    name: &'a str,
    level: &'static str,
    cert_no: &'a str,
    cert_valid_until: &'a str,
    post: &'a str,
    expertise: &'a [String],
    active: bool,
    personal_data_digest: String,
}

fn content(o: &Officer) -> OfficerSnapshot<'_> {
    OfficerSnapshot {
        department_id: o.department_id,
        name: &o.name,
        level: o.level.label(),
        cert_no: &o.cert_no,
        cert_valid_until: &o.cert_valid_until,
        post: &o.post,
        expertise: &o.expertise,
        active: o.active,
        personal_data_digest: hex::encode(Sha256::digest(format!("{}\0{}", o.phone, o.id_number))),
    }
}

/// A page of the officer directory: each officer with whether they are on leave that day.
pub struct OfficerPage {
    pub rows: Vec<(Officer, bool)>,
    pub total: u64,
    pub counts: OfficerCounts,
}

pub struct OfficerDetail {
    pub officer: Officer,
    pub leaves: Vec<Leave>,
    pub conflicts: Vec<Conflict>,
}

/// Today in Beijing, `YYYY-MM-DD`.
pub fn today() -> String {
    clock::format_ms(clock::now_ms())[..10].to_string()
}

/// Whether an officer may be drawn on `day`: 有效, certificate valid that day, not on leave.
pub fn eligible(o: &Officer, day: &str, on_leave: bool) -> bool {
    o.active && o.cert_valid_until.as_str() >= day && !on_leave
}

fn to_officer(
    r: OfficerRow,
    departments: &HashMap<String, Department>,
    actor: &Actor,
    now: i64,
) -> Result<Officer, Reject> {
    let reject = |column: &str, reason: String| Reject {
        row: r.row,
        column: column.into(),
        reason,
    };
    if r.name.trim().is_empty() {
        return Err(reject("姓名", "姓名不能为空".into()));
    }
    let dept = departments.get(r.department.trim()).ok_or_else(|| {
        reject(
            "所属部门",
            format!("部门“{}”不存在，请先在系统管理中登记", r.department),
        )
    })?;
    if !actor.covers(dept) {
        return Err(reject(
            "所属部门",
            format!("部门“{}”不在您的数据范围内", dept.name),
        ));
    }
    let active = match r.status.trim() {
        "" | "有效" | "在职" | "正常" => true,
        "失效" | "无效" | "离职" | "调离" | "退休" => false,
        other => {
            return Err(reject(
                "状态",
                format!("状态“{other}”无法识别（有效或失效）"),
            ));
        }
    };
    let phone = if r.phone.trim().is_empty() {
        String::new()
    } else {
        parse_phone(&r.phone).map_err(|e| reject("联系电话", e.message))?
    };
    let id_number = if r.id_number.trim().is_empty() {
        String::new()
    } else {
        parse_id_number(&r.id_number).map_err(|e| reject("身份证号", e.message))?
    };
    Ok(Officer {
        id: 0,
        department_id: dept.id,
        name: r.name.trim().to_string(),
        level: OfficerLevel::parse(&r.level).map_err(|e| reject("层级", e.message))?,
        cert_no: parse_certificate(&r.cert_no).map_err(|e| reject("执法证号", e.message))?,
        cert_valid_until: parse_date(&r.valid_until, "证件有效期")
            .map_err(|e| reject("证件有效期", e.message))?,
        post: r.post.trim().to_string(),
        expertise: split_list(&r.expertise),
        active,
        phone,
        id_number,
        created_ms: now,
        updated_ms: now,
    })
}

/// An officer list as read, before it is matched against the directory.
struct ParsedOfficers {
    /// Each valid row with its row number in the file.
    rows: Vec<(usize, Officer)>,
    rejects: Vec<Reject>,
    /// Every department (active or not) by id, to judge the scope of matched records.
    departments: HashMap<i64, Department>,
}

impl ParsedOfficers {
    fn certs(&self) -> Vec<String> {
        self.rows.iter().map(|(_, o)| o.cert_no.clone()).collect()
    }

    /// Refuses, by row and name, a row whose certificate number matches an officer of a
    /// department outside the importer's scope: an import never moves another department's
    /// officer into one's own. Returns the officers that remain, and all rejects sorted.
    fn within_scope(self, actor: &Actor, existing: &[Officer]) -> (Vec<Officer>, Vec<Reject>) {
        let owner: HashMap<&str, i64> = existing
            .iter()
            .map(|o| (o.cert_no.as_str(), o.department_id))
            .collect();
        let mut rejects = self.rejects;
        let mut officers = Vec::new();
        for (row, o) in self.rows {
            let foreign = owner
                .get(o.cert_no.as_str())
                .and_then(|id| self.departments.get(id))
                .filter(|d| !actor.covers(d));
            match foreign {
                Some(d) => rejects.push(Reject {
                    row,
                    column: "执法证号".into(),
                    reason: format!(
                        "执法证号 {} 已登记为“{}”的执法人员，该部门不在您的数据范围内，不能导入或调入",
                        o.cert_no, d.name
                    ),
                }),
                None => officers.push(o),
            }
        }
        rejects.sort_by_key(|r| r.row);
        (officers, rejects)
    }
}

impl Platform {
    async fn parse_officers(
        &self,
        actor: &Actor,
        bytes: &[u8],
        now: i64,
    ) -> AppResult<ParsedOfficers> {
        let all = self.store.departments().await?;
        let by_name: HashMap<String, Department> = all
            .iter()
            .filter(|d| d.active)
            .map(|d| (d.name.clone(), d.clone()))
            .collect();
        let (bytes, actor) = (bytes.to_vec(), actor.clone());
        // Reading the grid and checking every row is one long computation: off the workers.
        let (rows, rejects) = self
            .offload(move || -> AppResult<_> {
                let grid = Grid::from_bytes(&bytes).map_err(crate::imports::import_error)?;
                let parsed = read_officers(&grid).map_err(crate::imports::import_error)?;
                let mut rejects = parsed.rejects;
                let mut rows = Vec::new();
                for row in parsed.officers {
                    let n = row.row;
                    match to_officer(row, &by_name, &actor, now) {
                        Ok(o) => rows.push((n, o)),
                        Err(r) => rejects.push(r),
                    }
                }
                Ok((rows, rejects))
            })
            .await??;
        Ok(ParsedOfficers {
            rows,
            rejects,
            departments: all.into_iter().map(|d| (d.id, d)).collect(),
        })
    }

    pub async fn preview_officers(&self, actor: &Actor, bytes: &[u8]) -> AppResult<ImportSummary> {
        let parsed = self.parse_officers(actor, bytes, clock::now_ms()).await?;
        let existing = self.store.officers_with_certs(&parsed.certs()).await?;
        let (officers, rejects) = parsed.within_scope(actor, &existing);
        let (new, changed, unchanged) = plan(existing, officers);
        Ok(ImportSummary {
            joint: false,
            new: new.len(),
            changed: changed.len(),
            unchanged,
            rejects,
            ..Default::default()
        })
    }

    /// Imports an officer list; officers are matched by certificate number.
    pub async fn import_officers(
        &self,
        actor: &Actor,
        bytes: &[u8],
        mode: ImportMode,
    ) -> AppResult<ImportSummary> {
        actor.require(Permission::EditLists)?;
        let now = clock::now_ms();
        let parsed = self.parse_officers(actor, bytes, now).await?;
        if mode == ImportMode::AllOrNothing && !parsed.rejects.is_empty() {
            return Err(rejection(&parsed.rejects));
        }
        let mut tx = self.store.begin().await?;
        let mut log = Appender::open(&mut *tx, self.alg).await?;
        // Matched inside the transaction, so a record moved meanwhile is judged as it is now.
        let existing = tx.officers_by_certs(&parsed.certs()).await?;
        let (officers, rejects) = parsed.within_scope(actor, &existing);
        if mode == ImportMode::AllOrNothing && !rejects.is_empty() {
            return Err(rejection(&rejects));
        }
        let (new, changed, unchanged) = plan(existing, officers);
        let ids = tx.insert_officers(&new).await?;
        let mut records = Vec::new();
        for (o, id) in new.iter().zip(ids) {
            let mut e = actor.entry("officer.create", "officer", id);
            e.department_id = Some(o.department_id);
            e.after = Some(snapshot(&content(o)));
            records.push((e, now));
        }
        for (old, o) in &changed {
            tx.update_officer(o).await?;
            let mut e = actor.entry("officer.update", "officer", o.id);
            e.department_id = Some(o.department_id);
            e.before = Some(snapshot(&content(old)));
            e.after = Some(snapshot(&content(o)));
            records.push((e, now));
        }
        let summary = ImportSummary {
            joint: false,
            new: new.len(),
            changed: changed.len(),
            unchanged,
            rejects,
            ..Default::default()
        };
        let mut e = actor.entry("officer.import", "officer", "*");
        e.after = Some(snapshot(&serde_json::json!({
            "sha256": hex::encode(Sha256::digest(bytes)),
            "new": summary.new, "changed": summary.changed, "unchanged": summary.unchanged, "rejected": summary.rejected(),
        })));
        records.push((e, now));
        log.append_many(&mut *tx, records).await?;
        tx.commit().await?;
        Ok(summary)
    }

    /// A page of the officers the actor's scope covers, with the counts of the whole
    /// selection on `day` (counted by the database, not by loading every officer).
    pub async fn officer_page(
        &self,
        actor: &Actor,
        mut filter: OfficerFilter,
        day: &str,
    ) -> AppResult<OfficerPage> {
        actor.require(Permission::ViewConsole)?;
        filter.departments = self.visible_departments(actor).await?;
        if let (Some(d), Some(v)) = (filter.department, &filter.departments)
            && !v.contains(&d)
        {
            return Err(AppError::forbidden("该部门不在您的数据范围内"));
        }
        let counts = self
            .store
            .officer_counts(
                &OfficerFilter {
                    active: None,
                    ..filter.clone()
                },
                day,
            )
            .await?;
        let (officers, total) = self.store.officers(&filter).await?;
        let on_leave: std::collections::HashSet<i64> = self
            .store
            .officers_on_leave(day)
            .await?
            .into_iter()
            .collect();
        let rows = officers
            .into_iter()
            .map(|o| {
                let leave = on_leave.contains(&o.id);
                (o, leave)
            })
            .collect();
        Ok(OfficerPage {
            rows,
            total,
            counts,
        })
    }

    /// An officer in the actor's scope, with leaves and declared conflicts.
    pub async fn officer_detail(&self, actor: &Actor, id: i64) -> AppResult<OfficerDetail> {
        let officer = self.officer_visible_to(actor, id).await?;
        Ok(OfficerDetail {
            leaves: self.store.officer_leaves(id).await?,
            conflicts: self.store.officer_conflicts(id).await?,
            officer,
        })
    }

    /// Officers by id, for naming the members of a drawn team on a page: only a name and a
    /// certificate number, which are public with the draw.
    pub async fn officer_names(&self, ids: &[i64]) -> AppResult<HashMap<i64, String>> {
        Ok(self
            .store
            .officers_by_ids(ids)
            .await?
            .into_iter()
            .map(|o| (o.id, format!("{}（{}）", o.name, o.cert_no)))
            .collect())
    }

    /// The officers with these certificate numbers that the actor's scope covers.
    pub async fn officers_with_certs(
        &self,
        actor: &Actor,
        certs: &[String],
    ) -> AppResult<Vec<Officer>> {
        let visible = self.visible_departments(actor).await?;
        Ok(self
            .store
            .officers_with_certs(certs)
            .await?
            .into_iter()
            .filter(|o| {
                visible
                    .as_ref()
                    .is_none_or(|v| v.contains(&o.department_id))
            })
            .collect())
    }

    /// An officer within the actor's scope.
    pub async fn officer_visible_to(&self, actor: &Actor, id: i64) -> AppResult<Officer> {
        let o = self
            .store
            .officer(id)
            .await?
            .ok_or_else(|| AppError::not_found("OFFICER_NOT_FOUND", "执法人员不存在"))?;
        let dept = self
            .store
            .department(o.department_id)
            .await?
            .ok_or_else(|| AppError::internal("执法人员的部门缺失"))?;
        if !actor.covers(&dept) {
            return Err(AppError::forbidden("该执法人员不在您的数据范围内"));
        }
        Ok(o)
    }

    pub async fn add_leave(
        &self,
        actor: &Actor,
        officer_id: i64,
        from: &str,
        to: &str,
        reason: &str,
    ) -> AppResult<()> {
        actor.require(Permission::EditLists)?;
        let o = self.officer_visible_to(actor, officer_id).await?;
        let (from, to) = (parse_date(from, "开始日期")?, parse_date(to, "结束日期")?);
        if to < from {
            return Err(AppError::invalid("LEAVE_RANGE", "结束日期不能早于开始日期"));
        }
        let leave = Leave {
            officer_id,
            from,
            to,
            reason: reason.trim().to_string(),
        };
        let now = clock::now_ms();
        let mut tx = self.store.begin().await?;
        let mut log = Appender::open(&mut *tx, self.alg).await?;
        tx.insert_leave(&leave).await?;
        let mut e = actor.entry("officer.leave", "officer", officer_id);
        e.department_id = Some(o.department_id);
        e.after = Some(snapshot(
            &serde_json::json!({ "from": leave.from, "to": leave.to }),
        ));
        e.reason = Some(leave.reason.clone()).filter(|r| !r.is_empty());
        log.append(&mut *tx, e, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records a declared conflict of interest: the draw will never team this officer with
    /// this object.
    pub async fn declare_conflict(
        &self,
        actor: &Actor,
        officer_id: i64,
        object_code: &str,
        reason: &str,
    ) -> AppResult<()> {
        actor.require(Permission::EditLists)?;
        let o = self.officer_visible_to(actor, officer_id).await?;
        let code = ObjectCode::parse(object_code)?;
        if reason.trim().is_empty() {
            return Err(AppError::invalid(
                "REASON_REQUIRED",
                "请填写回避原因（亲属关系、利害关系、曾任职等）",
            ));
        }
        let now = clock::now_ms();
        let c = Conflict {
            officer_id,
            object_code: code.to_string(),
            reason: reason.trim().into(),
            declared_ms: now,
            declared_by: actor.name.clone(),
        };
        let mut tx = self.store.begin().await?;
        let mut log = Appender::open(&mut *tx, self.alg).await?;
        tx.insert_conflict(&c).await.map_err(|e| match e {
            ssj_storage::StorageError::Conflict(_) => AppError::new(
                crate::ErrorKind::Conflict,
                "CONFLICT_EXISTS",
                "已登记过该回避关系",
            ),
            other => other.into(),
        })?;
        let mut e = actor.entry("officer.conflict", "officer", officer_id);
        e.department_id = Some(o.department_id);
        e.after = Some(snapshot(
            &serde_json::json!({ "object_code": c.object_code }),
        ));
        e.reason = Some(c.reason.clone());
        log.append(&mut *tx, e, now).await?;
        tx.commit().await?;
        Ok(())
    }
}

fn plan(
    existing: Vec<Officer>,
    incoming: Vec<Officer>,
) -> (Vec<Officer>, Vec<(Officer, Officer)>, usize) {
    let mut by_cert: HashMap<String, Officer> = existing
        .into_iter()
        .map(|o| (o.cert_no.clone(), o))
        .collect();
    let (mut new, mut changed, mut unchanged) = (Vec::new(), Vec::new(), 0);
    for mut o in incoming {
        match by_cert.remove(&o.cert_no) {
            None => new.push(o),
            Some(old) => {
                o.id = old.id;
                o.created_ms = old.created_ms;
                if o.phone.is_empty() {
                    o.phone = old.phone.clone();
                }
                if o.id_number.is_empty() {
                    o.id_number = old.id_number.clone();
                }
                if content(&old) == content(&o) {
                    unchanged += 1;
                } else {
                    changed.push((old, o));
                }
            }
        }
    }
    (new, changed, unchanged)
}

/// Export columns; the personal columns only in a staff export, never in one for publication.
pub const OFFICER_EXPORT_HEADER: &[&str] = &[
    "姓名",
    "所属部门",
    "执法证号",
    "证件有效期",
    "层级",
    "岗位",
    "执法事项范围",
    "状态",
];
pub const OFFICER_PERSONAL_HEADER: &[&str] = &["联系电话", "身份证号"];

pub fn export_row(o: &Officer, department: &str, personal: bool) -> Vec<String> {
    let mut row = vec![
        o.name.clone(),
        department.to_string(),
        o.cert_no.clone(),
        o.cert_valid_until.clone(),
        o.level.label().into(),
        o.post.clone(),
        o.expertise.join("、"),
        if o.active { "有效" } else { "失效" }.into(),
    ];
    if personal {
        row.push(o.phone.clone());
        row.push(o.id_number.clone());
    }
    row
}

impl Platform {
    /// The officers the actor may see, as a file. Personal data only for roles allowed to see
    /// it and only when `for_publication` is false.
    pub async fn export_officers(
        &self,
        actor: &Actor,
        for_publication: bool,
        format: ssj_import::export::TableFormat,
    ) -> AppResult<Vec<u8>> {
        let personal = !for_publication && actor.can(Permission::ViewPersonalData);
        let departments = self.department_names().await?;
        let filter = ssj_storage::OfficerFilter {
            departments: self.visible_departments(actor).await?,
            limit: 1_000_000,
            ..Default::default()
        };
        let (officers, _) = self.store.officers(&filter).await?;
        let mut header: Vec<&str> = OFFICER_EXPORT_HEADER.to_vec();
        if personal {
            header.extend_from_slice(OFFICER_PERSONAL_HEADER);
        }
        self.offload(move || {
            let rows = officers.iter().map(|o| {
                export_row(
                    o,
                    departments
                        .get(&o.department_id)
                        .map(String::as_str)
                        .unwrap_or(""),
                    personal,
                )
            });
            ssj_import::export::write_table(format, "执法检查人员名录", &header, rows)
        })
        .await?
        .map_err(|e| AppError::internal(format!("导出失败：{e}")))
    }
}
