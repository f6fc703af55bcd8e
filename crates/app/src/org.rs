//! Administrative divisions and departments.

use crate::audit::Appender;
use crate::{Actor, AppError, AppResult, ErrorKind, Platform, clock};
use serde::Serialize;
use ssj_domain::audit::snapshot;
use ssj_domain::{DepartmentName, DivisionCode, DivisionName, Permission};
use ssj_storage::{Department, Division, NewDepartment};
use std::collections::{BTreeMap, HashSet};

#[derive(Serialize)]
struct DivisionSnapshot<'a> {
    code: &'a str,
    name: &'a str,
    parent: Option<&'a str>,
}

#[derive(Serialize)]
struct DepartmentSnapshot<'a> {
    name: &'a str,
    division: &'a str,
    active: bool,
}

fn department_snapshot(d: &Department) -> String {
    snapshot(&DepartmentSnapshot {
        name: &d.name,
        division: d.division.as_str(),
        active: d.active,
    })
}

/// One rejected line of a division file.
#[derive(Debug, Clone, Serialize)]
pub struct LineError {
    pub line: usize,
    pub message: String,
}

impl Platform {
    /// Every department (names and divisions are public: public pages name them).
    pub async fn departments(&self) -> AppResult<Vec<Department>> {
        Ok(self.store.departments().await?)
    }

    pub async fn department(&self, id: i64) -> AppResult<Option<Department>> {
        Ok(self.store.department(id).await?)
    }

    /// The departments the actor's data scope covers.
    pub async fn departments_in_scope(&self, actor: &Actor) -> AppResult<Vec<Department>> {
        Ok(self
            .store
            .departments()
            .await?
            .into_iter()
            .filter(|d| actor.covers(d))
            .collect())
    }

    /// Every division (public).
    pub async fn divisions(&self) -> AppResult<Vec<Division>> {
        Ok(self.store.divisions().await?)
    }

    /// Adds divisions from CSV text `代码,名称` (a header line is recognised and skipped). All or
    /// nothing: any bad line rejects the file, naming every bad line.
    pub async fn import_divisions(&self, actor: &Actor, csv_text: &str) -> AppResult<usize> {
        actor.require(Permission::ManageOrganisation)?;
        let existing: HashSet<DivisionCode> = self
            .store
            .divisions()
            .await?
            .into_iter()
            .map(|d| d.code)
            .collect();
        let mut parsed: BTreeMap<DivisionCode, DivisionName> = BTreeMap::new();
        let mut errors = Vec::new();
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(csv_text.trim_start_matches('\u{feff}').as_bytes());
        for (i, rec) in reader.records().enumerate() {
            let line = i + 1;
            let rec = match rec {
                Ok(r) => r,
                Err(e) => {
                    errors.push(LineError {
                        line,
                        message: format!("无法读取：{e}"),
                    });
                    continue;
                }
            };
            let code_cell = rec.get(0).unwrap_or("").trim();
            if line == 1 && !code_cell.chars().all(|c| c.is_ascii_digit()) {
                continue; // header
            }
            if code_cell.is_empty() && rec.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            let parsed_line = DivisionCode::parse(code_cell)
                .and_then(|c| DivisionName::parse(rec.get(1).unwrap_or("")).map(|n| (c, n)));
            match parsed_line {
                Err(e) => errors.push(LineError {
                    line,
                    message: e.message,
                }),
                Ok((c, _)) if existing.contains(&c) || parsed.contains_key(&c) => {
                    errors.push(LineError {
                        line,
                        message: format!("行政区划代码 {c} 重复"),
                    })
                }
                Ok((c, n)) => {
                    parsed.insert(c, n);
                }
            }
        }
        if parsed.is_empty() && errors.is_empty() {
            return Err(AppError::invalid("IMPORT_EMPTY", "文件中没有行政区划数据"));
        }
        if !errors.is_empty() {
            let shown: Vec<String> = errors
                .iter()
                .take(10)
                .map(|e| format!("第 {} 行：{}", e.line, e.message))
                .collect();
            let more = if errors.len() > 10 {
                format!("（共 {} 行有误）", errors.len())
            } else {
                String::new()
            };
            return Err(AppError::invalid(
                "IMPORT_REJECTED",
                format!("导入未执行，{}{more}", shown.join("；")),
            ));
        }
        let n = parsed.len();
        self.add_divisions(actor, parsed, &existing).await?;
        Ok(n)
    }

    /// Writes validated, new divisions and their records in one transaction.
    async fn add_divisions(
        &self,
        actor: &Actor,
        new: BTreeMap<DivisionCode, DivisionName>,
        existing: &HashSet<DivisionCode>,
    ) -> AppResult<Vec<Division>> {
        let now = clock::now_ms();
        let mut tx = self.store.begin().await?;
        let mut log = Appender::open(&mut *tx, self.alg).await?;
        tracing::info!(rows = new.len(), "division import: transaction started");
        // Sorted by code, so every parent is written before its children.
        let mut records = Vec::with_capacity(new.len());
        let mut added = Vec::with_capacity(new.len());
        for (code, name) in &new {
            let parent = parent_of(code, |p| existing.contains(p) || new.contains_key(p));
            let d = Division {
                code: code.clone(),
                name: name.as_str().into(),
                parent,
            };
            tx.insert_division(&d).await?;
            let mut e = actor.entry("division.create", "division", code);
            e.after = Some(division_snapshot(&d));
            records.push((e, now));
            added.push(d);
        }
        log.append_many(&mut *tx, records).await?;
        tx.commit().await?;
        Ok(added)
    }

    pub async fn create_division(
        &self,
        actor: &Actor,
        code: &str,
        name: &str,
    ) -> AppResult<Division> {
        actor.require(Permission::ManageOrganisation)?;
        let code = DivisionCode::parse(code)?;
        let name = DivisionName::parse(name)?;
        let existing: HashSet<DivisionCode> = self
            .store
            .divisions()
            .await?
            .into_iter()
            .map(|d| d.code)
            .collect();
        if existing.contains(&code) {
            return Err(AppError::new(
                ErrorKind::Conflict,
                "DIVISION_EXISTS",
                format!("行政区划 {code} 已存在"),
            ));
        }
        let added = self
            .add_divisions(actor, BTreeMap::from([(code, name)]), &existing)
            .await?;
        Ok(added.into_iter().next().expect("one division added"))
    }

    pub async fn create_department(
        &self,
        actor: &Actor,
        name: &str,
        division: &str,
    ) -> AppResult<Department> {
        actor.require(Permission::ManageOrganisation)?;
        let name = DepartmentName::parse(name)?;
        let division = DivisionCode::parse(division)?;
        if !self
            .store
            .divisions()
            .await?
            .iter()
            .any(|d| d.code == division)
        {
            return Err(AppError::invalid(
                "DIVISION_NOT_FOUND",
                format!("行政区划 {division} 尚未登记"),
            ));
        }
        let now = clock::now_ms();
        let mut tx = self.store.begin().await?;
        let mut log = Appender::open(&mut *tx, self.alg).await?;
        let new = NewDepartment {
            name: name.as_str().into(),
            division,
            created_ms: now,
        };
        let id = tx
            .insert_department(&new)
            .await
            .map_err(|e| department_conflict(e, &new.name))?;
        let d = Department {
            id,
            name: new.name,
            division: new.division,
            active: true,
            created_ms: now,
        };
        let mut e = actor.entry("department.create", "department", id);
        e.department_id = Some(id);
        e.after = Some(department_snapshot(&d));
        log.append(&mut *tx, e, now).await?;
        tx.commit().await?;
        Ok(d)
    }

    /// Renames a department or retires it (a retired department keeps its history).
    pub async fn update_department(
        &self,
        actor: &Actor,
        id: i64,
        name: &str,
        active: bool,
        reason: Option<String>,
    ) -> AppResult<Department> {
        actor.require(Permission::ManageOrganisation)?;
        let name = DepartmentName::parse(name)?;
        let before = self
            .store
            .department(id)
            .await?
            .ok_or_else(|| AppError::not_found("DEPARTMENT_NOT_FOUND", "部门不存在"))?;
        let after = Department {
            name: name.as_str().into(),
            active,
            ..before.clone()
        };
        if after == before {
            return Ok(before);
        }
        let mut tx = self.store.begin().await?;
        let mut log = Appender::open(&mut *tx, self.alg).await?;
        tx.update_department(&after)
            .await
            .map_err(|e| department_conflict(e, &after.name))?;
        let mut e = actor.entry(
            if active {
                "department.update"
            } else {
                "department.retire"
            },
            "department",
            id,
        );
        e.department_id = Some(id);
        e.before = Some(department_snapshot(&before));
        e.after = Some(department_snapshot(&after));
        e.reason = reason.filter(|r| !r.trim().is_empty());
        log.append(&mut *tx, e, clock::now_ms()).await?;
        tx.commit().await?;
        Ok(after)
    }
}

fn division_snapshot(d: &Division) -> String {
    snapshot(&DivisionSnapshot {
        code: d.code.as_str(),
        name: &d.name,
        parent: d.parent.as_ref().map(|p| p.as_str()),
    })
}

/// A unique-key violation on departments means the name is taken in that division.
fn department_conflict(e: ssj_storage::StorageError, name: &str) -> AppError {
    match e {
        ssj_storage::StorageError::Conflict(_) => AppError::new(
            ErrorKind::Conflict,
            "DEPARTMENT_EXISTS",
            format!("该区划下已有部门“{name}”"),
        ),
        other => other.into(),
    }
}

/// The nearest registered division above `code` (city, else province).
fn parent_of(code: &DivisionCode, known: impl Fn(&DivisionCode) -> bool) -> Option<DivisionCode> {
    let mut cur = code.natural_parent();
    while let Some(p) = cur {
        if known(&p) {
            return Some(p);
        }
        cur = p.natural_parent();
    }
    None
}
