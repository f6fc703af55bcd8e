//! Importing a plan table: the file or pasted text read into tasks, each department and item
//! matched to the directories (exactly, by normalised name, or as a person mapped it before),
//! every doubt listed for a person; nothing is stored until the user confirms, and then only if
//! nothing is left unresolved. The same preview replaces the tasks of a draft or of a revision.

use super::{LEADING_OFFICE, may_change};
use crate::audit::Appender;
use crate::{Actor, AppError, AppResult, Platform, clock};
use serde::Serialize;
use ssj_domain::Permission;
use ssj_domain::audit::snapshot;
use ssj_domain::objects::Tier;
use ssj_domain::plans::{
    self, Bound, Fraction, KnownDepartment, KnownItem, NameMatch, PlanDepartment, PlanItem,
    PlanKind, PlanStatus, PlanTask, PlanTaskRow, TierUse,
};
use ssj_storage::{Department, Item, NameMapping, ObjectFilter, Plan, PlanVersion};
use std::collections::BTreeMap;

/// A choice offered to a person: a department or an item of the directory.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Choice {
    pub id: i64,
    pub name: String,
}

/// A name no directory entry matched with certainty.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Unresolved {
    /// The mapping's key in forms: `department:写法` or `item:写法`.
    pub key: String,
    pub written: String,
    /// Where it was written: the tasks' numbers (and, for an item, its department).
    pub context: String,
    pub suggestions: Vec<Choice>,
}

/// A department of a task as read and as matched.
#[derive(Debug, Clone, Serialize)]
pub struct MatchedDepartment {
    pub written: String,
    pub department: Option<Choice>,
    pub items: Vec<MatchedItem>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MatchedItem {
    pub written: String,
    pub item: Option<Choice>,
    /// 名称一致 / 名称规范后一致 / 上次导入时确认.
    pub how: &'static str,
}

/// A task of the preview.
#[derive(Debug, Clone, Serialize)]
pub struct PreviewTask {
    /// 1, 2, … in the table's order.
    pub number: usize,
    pub row: PlanTaskRow,
    pub initiating: MatchedDepartment,
    pub cooperating: Vec<MatchedDepartment>,
    pub rule_text: String,
    pub tier_text: String,
    /// What stops this task, each naming its column.
    pub errors: Vec<String>,
}

/// What an import would create.
#[derive(Debug, Clone, Serialize)]
pub struct PlanPreview {
    pub year: u32,
    pub tasks: Vec<PreviewTask>,
    pub departments: Vec<Unresolved>,
    pub items: Vec<Unresolved>,
    /// Every reason the plan cannot be created yet, each naming its task and column.
    pub errors: Vec<String>,
    /// 部门联合 when any task has a cooperating department.
    pub kind: PlanKind,
    /// The latest window's end: the plan is done by then unless the user says otherwise.
    pub completion_date: String,
}

impl PlanPreview {
    pub fn ready(&self) -> bool {
        self.errors.is_empty()
    }

    fn tasks(&self) -> Vec<PlanTask> {
        self.tasks
            .iter()
            .map(|t| PlanTask {
                seq: t.number as u32,
                name: t.row.name.clone(),
                initiating: resolved(&t.initiating),
                cooperating: t.cooperating.iter().map(resolved).collect(),
                scope: t.row.scope.clone(),
                rule: t.row.rule.rule.clone(),
                tiers: t.row.tiers.clone(),
                window: t.row.window.clone().expect("a ready preview has windows"),
                directed: t.row.directed.unwrap_or(false),
                mode: if t.row.mode.trim().is_empty() {
                    "县抽县查".into()
                } else {
                    t.row.mode.clone()
                },
                flags: t.row.flags.clone(),
            })
            .collect()
    }
}

fn resolved(d: &MatchedDepartment) -> PlanDepartment {
    let dept = d.department.clone().expect("a ready preview is resolved");
    PlanDepartment {
        department_id: dept.id,
        name: dept.name,
        items: d
            .items
            .iter()
            .filter_map(|i| i.item.clone())
            .map(|i| PlanItem {
                item_id: i.id,
                name: i.name,
            })
            .collect(),
    }
}

/// What the user chose in the preview: for each unresolved name (its [`Unresolved::key`]),
/// the department or item it means.
pub type Mappings = BTreeMap<String, i64>;

/// A plan to create from an import.
#[derive(Debug, Clone, Default)]
pub struct NewPlan {
    pub title: String,
    pub year: u32,
    /// The owning department; `None` for the division's 领导小组办公室 (系统管理员 only).
    pub department_id: Option<i64>,
    /// Defaults to the owning department's division.
    pub division: Option<String>,
    /// Defaults to the preview's latest window end.
    pub completion_date: Option<String>,
    pub kind: Option<PlanKind>,
}

/// The text of an uploaded plan file: a spreadsheet's first sheet as tab-separated lines, a
/// Word document's tables, or text as it is (UTF-8 or GBK).
pub fn plan_text(bytes: &[u8]) -> AppResult<String> {
    let refuse = |m: String| AppError::invalid("PLAN_FILE", m);
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(refuse(
            "文件为空：请上传计划表（xlsx、xls、docx 或文本），或粘贴表格".into(),
        ));
    }
    if bytes.starts_with(b"PK\x03\x04") && ssj_import::docx::is_docx(bytes) {
        return ssj_import::docx::tables_text(bytes).map_err(refuse);
    }
    if ssj_import::grid::is_workbook(bytes) {
        let grid = ssj_import::grid::Grid::from_bytes(bytes).map_err(|e| refuse(e.to_string()))?;
        let lines: Vec<String> = (0..grid.height())
            .map(|r| grid.row_values(r).join("\t"))
            .collect();
        return Ok(lines.join("\n"));
    }
    let text = ssj_import::grid::decode_text(bytes).map_err(|e| refuse(e.to_string()))?;
    if text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
    {
        return Err(refuse(
            "文件不是可识别的计划表：既不是 xlsx、xls、docx 表格，也不是文本".into(),
        ));
    }
    Ok(text.into_owned())
}

const MAX_PLAN_TEXT: usize = 2 * 1024 * 1024;

impl Platform {
    /// Reads a plan table and matches its names, creating nothing. `owner` is the department
    /// whose internal plan lists no 发起部门.
    pub async fn preview_plan(
        &self,
        actor: &Actor,
        text: &str,
        year: u32,
        owner: Option<i64>,
        mappings: &Mappings,
    ) -> AppResult<PlanPreview> {
        actor.require(Permission::PlanTasks)?;
        if text.len() > MAX_PLAN_TEXT {
            return Err(AppError::invalid(
                "PLAN_TOO_LARGE",
                "计划表超过 2 MB：请只粘贴或上传计划表本身",
            ));
        }
        if !(2000..=2100).contains(&year) {
            return Err(AppError::invalid(
                "PLAN_YEAR",
                format!("计划年度 {year} 无效"),
            ));
        }
        let text = text.to_string();
        let rows = self
            .offload(move || plans::read_plan_tables(&text, year))
            .await?;
        let departments = self.store.departments().await?;
        let divisions = self.store.divisions().await?;
        let division_names: Vec<String> = divisions.iter().map(|d| d.name.clone()).collect();
        let home = owner
            .and_then(|id| departments.iter().find(|d| d.id == id))
            .map(|d| d.division.as_str().to_string())
            .or_else(|| actor.division.as_ref().map(|d| d.as_str().to_string()));
        let items = match self.published_items_version().await? {
            Some(v) => self.store.version_items(v.id).await?,
            None => Vec::new(),
        };
        let items: Vec<Item> = items.into_iter().filter(|i| !i.retired).collect();
        let remembered: BTreeMap<String, i64> = self
            .store
            .name_mappings()
            .await?
            .into_iter()
            .map(|m| (format!("{}:{}", m.kind, m.written), m.target_id))
            .collect();
        let counts = match &home {
            Some(h) => self.tier_counts(h).await?,
            None => BTreeMap::new(),
        };
        let matcher = Matcher {
            departments: &departments,
            division_names: &division_names,
            home: home.as_deref(),
            items: &items,
            chosen: mappings,
            remembered: &remembered,
        };
        Ok(build_preview(rows, year, owner, &matcher, &counts))
    }

    /// Objects of the division by credit tier, as a draw of it would see them today.
    async fn tier_counts(&self, division: &str) -> AppResult<BTreeMap<char, u64>> {
        let filter = ObjectFilter {
            division: Some(division.to_string()),
            status: Some(ssj_domain::objects::RegistrationStatus::Active),
            ..ObjectFilter::default()
        };
        Ok(self
            .store
            .object_tier_counts(&filter)
            .await?
            .into_iter()
            .map(|(t, n)| (tier_letter(t), n))
            .collect())
    }

    /// Creates a 草稿 plan from a clean preview, remembering the names the user mapped.
    pub async fn import_plan(
        &self,
        actor: &Actor,
        text: &str,
        new: NewPlan,
        mappings: &Mappings,
    ) -> AppResult<(Plan, PlanPreview)> {
        actor.require(Permission::PlanTasks)?;
        let departments = self.store.departments().await?;
        let owner = match new.department_id {
            Some(id) => {
                let d = departments.iter().find(|d| d.id == id).ok_or_else(|| {
                    AppError::invalid("PLAN_DEPARTMENT", format!("部门 {id} 不存在"))
                })?;
                if !actor.covers(d) {
                    return Err(AppError::forbidden("只能为本人数据范围内的部门导入计划"));
                }
                Some(d.clone())
            }
            None if actor.scope == ssj_domain::DataScope::All => None,
            None => {
                return Err(AppError::invalid(
                    "PLAN_DEPARTMENT",
                    format!("请选择计划所属部门（以{LEADING_OFFICE}名义导入需系统管理员）"),
                ));
            }
        };
        let preview = self
            .preview_plan(actor, text, new.year, new.department_id, mappings)
            .await?;
        refuse_unless_ready(&preview)?;
        let title = new.title.trim().to_string();
        if title.is_empty() || title.chars().count() > 100 {
            return Err(AppError::invalid(
                "PLAN_TITLE",
                "请填写计划名称（不超过 100 个字）",
            ));
        }
        let division = match (&new.division, &owner) {
            (Some(code), _) => ssj_domain::DivisionCode::parse(code)
                .map_err(|e| AppError::invalid("PLAN_DIVISION", e.message))?
                .as_str()
                .to_string(),
            (None, Some(d)) => d.division.as_str().to_string(),
            (None, None) => {
                return Err(AppError::invalid(
                    "PLAN_DIVISION",
                    "请填写计划所属行政区划（--division）",
                ));
            }
        };
        let completion = match new.completion_date.as_deref().map(str::trim) {
            Some(d) if !d.is_empty() => {
                clock::parse_date_ms(d).ok_or_else(|| {
                    AppError::invalid(
                        "PLAN_COMPLETION",
                        format!("完成时限“{d}”不是日期（YYYY-MM-DD）"),
                    )
                })?;
                d.to_string()
            }
            _ => preview.completion_date.clone(),
        };
        let tasks = preview.tasks();
        let now = clock::now_ms();
        let mut tx = self.store.begin().await?;
        let mut log = Appender::open(&mut *tx, self.alg).await?;
        let mut plan = Plan {
            id: 0,
            code: super::next_plan_code(&mut *tx, &division, i64::from(new.year)).await?,
            division,
            department_id: owner.as_ref().map(|d| d.id),
            kind: new.kind.unwrap_or(preview.kind),
            year: new.year as i64,
            title,
            status: PlanStatus::Draft,
            completion_date: completion,
            version: 1,
            published_version: None,
            created_by: actor.name.clone(),
            created_ms: now,
            updated_ms: now,
        };
        plan.id = tx.insert_plan(&plan).await?;
        tx.insert_plan_version(&PlanVersion {
            plan_id: plan.id,
            version: 1,
            tasks: serde_json::to_string(&tasks).expect("tasks serialize"),
            changes: "[]".into(),
            note: String::new(),
            created_by: actor.name.clone(),
            created_ms: now,
            published_ms: None,
        })
        .await?;
        remember(&mut *tx, mappings).await?;
        let mut e = actor.entry("plan.import", "plan", &plan.code);
        e.department_id = plan.department_id;
        e.after = Some(snapshot(&serde_json::json!({
            "title": plan.title, "kind": plan.kind.label(), "year": plan.year,
            "completion_date": plan.completion_date, "tasks": tasks.len(),
            "mappings": mappings,
        })));
        log.append(&mut *tx, e, now).await?;
        tx.commit().await?;
        Ok((plan, preview))
    }

    /// Replaces the tasks of a draft, or of the revision under way, with a clean preview.
    pub async fn reimport_plan(
        &self,
        actor: &Actor,
        plan_id: i64,
        text: &str,
        mappings: &Mappings,
    ) -> AppResult<PlanPreview> {
        actor.require(Permission::PlanTasks)?;
        let plan = self.store.plan(plan_id).await?.ok_or_else(|| {
            AppError::not_found("PLAN_NOT_FOUND", format!("抽查计划 {plan_id} 不存在"))
        })?;
        let departments = self.store.departments().await?;
        if !may_change(actor, &plan, &departments) {
            return Err(AppError::forbidden("只能修改本人数据范围内部门的计划"));
        }
        let preview = self
            .preview_plan(actor, text, plan.year as u32, plan.department_id, mappings)
            .await?;
        refuse_unless_ready(&preview)?;
        let tasks = preview.tasks();
        let now = clock::now_ms();
        let mut tx = self.store.begin().await?;
        let mut log = Appender::open(&mut *tx, self.alg).await?;
        let mut plan = tx
            .plan_for_update(plan_id)
            .await?
            .ok_or_else(|| AppError::internal("计划已不存在"))?;
        if !matches!(plan.status, PlanStatus::Draft | PlanStatus::Revising) {
            return Err(AppError::new(
                crate::ErrorKind::Conflict,
                "PLAN_NOT_EDITABLE",
                format!(
                    "计划{}，已发布的版本不能修改：请先点“修订计划”生成新版本",
                    plan.status.label()
                ),
            ));
        }
        let versions = tx.tx_plan_versions(plan.id).await?;
        let mut latest = versions
            .last()
            .cloned()
            .ok_or_else(|| AppError::internal("计划没有版本"))?;
        let before: Vec<PlanTask> = serde_json::from_str(&latest.tasks)
            .map_err(|e| AppError::internal(format!("计划版本无法读取：{e}")))?;
        latest.tasks = serde_json::to_string(&tasks).expect("tasks serialize");
        tx.update_plan_version(&latest).await?;
        plan.updated_ms = now;
        tx.update_plan(&plan).await?;
        remember(&mut *tx, mappings).await?;
        let mut e = actor.entry("plan.reimport", "plan", &plan.code);
        e.department_id = plan.department_id;
        e.before = Some(snapshot(
            &serde_json::json!({ "version": latest.version, "tasks": before.len() }),
        ));
        e.after = Some(snapshot(&serde_json::json!({
            "version": latest.version, "tasks": tasks.len(),
            "changes": plans::changes(&before, &tasks),
        })));
        log.append(&mut *tx, e, now).await?;
        tx.commit().await?;
        Ok(preview)
    }
}

fn refuse_unless_ready(preview: &PlanPreview) -> AppResult<()> {
    if preview.ready() {
        return Ok(());
    }
    let shown: Vec<&str> = preview.errors.iter().take(5).map(String::as_str).collect();
    let more = preview.errors.len().saturating_sub(shown.len());
    let tail = if more > 0 {
        format!("；另有 {more} 处")
    } else {
        String::new()
    };
    Err(AppError::invalid(
        "PLAN_NOT_READY",
        format!(
            "计划表还有 {} 处需要处理，未创建任何内容：{}{tail}",
            preview.errors.len(),
            shown.join("；")
        ),
    ))
}

async fn remember(tx: &mut dyn ssj_storage::Tx, mappings: &Mappings) -> AppResult<()> {
    for (key, id) in mappings {
        if let Some((kind, written)) = key.split_once(':')
            && matches!(kind, "department" | "item")
        {
            tx.set_name_mapping(&NameMapping {
                kind: kind.to_string(),
                written: written.to_string(),
                target_id: *id,
            })
            .await?;
        }
    }
    Ok(())
}

fn tier_letter(t: Tier) -> char {
    t.label().chars().next().unwrap_or('U')
}

struct Matcher<'a> {
    departments: &'a [Department],
    division_names: &'a [String],
    home: Option<&'a str>,
    items: &'a [Item],
    chosen: &'a Mappings,
    remembered: &'a BTreeMap<String, i64>,
}

impl Matcher<'_> {
    fn department(&self, written: &str) -> (NameMatch, Vec<Choice>) {
        let key = format!("department:{}", squeeze(written));
        let known_id = |id: i64| self.departments.iter().any(|d| d.id == id && d.active);
        if let Some(id) = self.chosen.get(&key).copied().filter(|id| known_id(*id)) {
            return (NameMatch::Remembered { id }, vec![]);
        }
        let known: Vec<KnownDepartment> = self
            .departments
            .iter()
            .filter(|d| d.active)
            .map(|d| KnownDepartment {
                id: d.id,
                name: &d.name,
                local: self.home == Some(d.division.as_str()),
            })
            .collect();
        let m = plans::match_department(written, &known, self.division_names);
        let remembered = self
            .remembered
            .get(&key)
            .copied()
            .filter(|id| known_id(*id));
        settle(m, remembered, |id| self.department_choice(id))
    }

    fn department_choice(&self, id: i64) -> Option<Choice> {
        self.departments
            .iter()
            .find(|d| d.id == id)
            .map(|d| Choice {
                id,
                name: d.name.clone(),
            })
    }

    fn item(&self, written: &str, department: Option<&str>) -> (NameMatch, Vec<Choice>) {
        let key = format!("item:{}", squeeze(written));
        let known_id = |id: i64| self.items.iter().any(|i| i.id == id);
        if let Some(id) = self.chosen.get(&key).copied().filter(|id| known_id(*id)) {
            return (NameMatch::Remembered { id }, vec![]);
        }
        let system = department.and_then(ssj_domain::org::department_system);
        let known: Vec<KnownItem> = self
            .items
            .iter()
            .map(|i| KnownItem {
                id: i.id,
                name: &i.name,
                own: system.is_some()
                    && (ssj_domain::org::department_system(&i.department) == system
                        || i.initiators
                            .iter()
                            .any(|d| ssj_domain::org::department_system(d) == system)),
            })
            .collect();
        let m = plans::match_item(written, &known);
        let remembered = self
            .remembered
            .get(&key)
            .copied()
            .filter(|id| known_id(*id));
        settle(m, remembered, |id| self.item_choice(id))
    }

    fn item_choice(&self, id: i64) -> Option<Choice> {
        self.items.iter().find(|i| i.id == id).map(|i| Choice {
            id,
            name: format!("{}（{}）", i.name, i.department),
        })
    }
}

/// A match the directory could not make falls back to what a person mapped last time; an
/// unresolved one offers its suggestions as choices.
fn settle(
    m: NameMatch,
    remembered: Option<i64>,
    choice: impl Fn(i64) -> Option<Choice>,
) -> (NameMatch, Vec<Choice>) {
    if m.id().is_none()
        && let Some(id) = remembered
    {
        return (NameMatch::Remembered { id }, vec![]);
    }
    let suggestions = match &m {
        NameMatch::Unresolved { suggestions } => {
            suggestions.iter().filter_map(|id| choice(*id)).collect()
        }
        _ => vec![],
    };
    (m, suggestions)
}

fn squeeze(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

fn how(m: &NameMatch) -> &'static str {
    match m {
        NameMatch::Exact { .. } => "名称一致",
        NameMatch::Normalised { .. } => "名称规范后一致",
        NameMatch::Remembered { .. } => "人工确认",
        NameMatch::Unresolved { .. } => "未匹配",
    }
}

fn build_preview(
    rows: Vec<PlanTaskRow>,
    year: u32,
    owner: Option<i64>,
    m: &Matcher,
    counts: &BTreeMap<char, u64>,
) -> PlanPreview {
    let mut errors = Vec::new();
    if rows.is_empty() {
        errors.push(
            "未找到抽查计划表：表格需要有“序号”“抽查任务名称”及“抽查比例及频次”“抽查起止时间”等表头（可从 Word、WPS 或 Excel 中复制整张表粘贴）"
                .into(),
        );
    }
    let mut unresolved_departments: BTreeMap<String, Unresolved> = BTreeMap::new();
    let mut unresolved_items: BTreeMap<String, Unresolved> = BTreeMap::new();
    let mut names: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    let mut tasks = Vec::new();
    for (i, row) in rows.into_iter().enumerate() {
        let number = i + 1;
        let at = format!("第 {number} 项任务（序号 {}）", row.seq);
        let mut task_errors = Vec::new();
        names.entry(row.name.clone()).or_default().push(number);
        if row.name.trim().is_empty() {
            task_errors.push(format!("{at}“抽查任务名称”：未填写"));
        }
        let mut match_department = |written: &str, items: &[String]| -> MatchedDepartment {
            let (found, suggestions) = if written.trim().is_empty() {
                match owner.and_then(|id| m.department_choice(id)) {
                    Some(c) => (NameMatch::Exact { id: c.id }, vec![]),
                    None => (
                        NameMatch::Unresolved {
                            suggestions: vec![],
                        },
                        vec![],
                    ),
                }
            } else {
                m.department(written)
            };
            let department = found.id().and_then(|id| m.department_choice(id));
            if department.is_none() && !written.trim().is_empty() {
                let key = format!("department:{}", squeeze(written));
                let entry = unresolved_departments
                    .entry(key.clone())
                    .or_insert(Unresolved {
                        key,
                        written: squeeze(written),
                        context: String::new(),
                        suggestions,
                    });
                push_context(&mut entry.context, &format!("第 {number} 项"));
            }
            let items = items
                .iter()
                .map(|w| {
                    let (found, suggestions) =
                        m.item(w, department.as_ref().map(|d| d.name.as_str()));
                    let item = found.id().and_then(|id| m.item_choice(id));
                    if item.is_none() {
                        let key = format!("item:{}", squeeze(w));
                        let entry = unresolved_items.entry(key.clone()).or_insert(Unresolved {
                            key,
                            written: w.clone(),
                            context: String::new(),
                            suggestions,
                        });
                        push_context(
                            &mut entry.context,
                            &format!(
                                "第 {number} 项 {}",
                                department.as_ref().map_or(written, |d| d.name.as_str())
                            ),
                        );
                    }
                    MatchedItem {
                        written: w.clone(),
                        item,
                        how: how(&found),
                    }
                })
                .collect();
            MatchedDepartment {
                written: written.to_string(),
                department,
                items,
            }
        };
        let initiating = match_department(&row.initiating.department, &row.initiating.items);
        let cooperating: Vec<MatchedDepartment> = row
            .cooperating
            .iter()
            .map(|d| match_department(&d.department, &d.items))
            .collect();
        if initiating.department.is_none() {
            if row.initiating.department.trim().is_empty() {
                task_errors.push(format!(
                    "{at}“发起部门”：表中未写，请选择计划所属部门（内部计划的任务由所属部门发起）"
                ));
            } else {
                task_errors.push(format!(
                    "{at}“发起部门”：“{}”未能对应到部门名录，请在下方确认",
                    squeeze(&row.initiating.department)
                ));
            }
        }
        for d in &cooperating {
            if d.department.is_none() {
                task_errors.push(format!(
                    "{at}“配合部门”：“{}”未能对应到部门名录，请在下方确认",
                    squeeze(&d.written)
                ));
            }
        }
        if row.initiating.items.is_empty() {
            task_errors.push(format!("{at}“抽查事项”：未填写"));
        }
        for d in std::iter::once(&initiating).chain(&cooperating) {
            for item in d.items.iter().filter(|i| i.item.is_none()) {
                task_errors.push(format!(
                    "{at}“抽查事项”：“{}”不在已发布的抽查事项清单中，请在下方确认对应事项",
                    item.written
                ));
            }
        }
        match &row.rule.rule {
            None => task_errors.push(format!(
                "{at}“抽查比例及频次”：{}",
                if row.rule.flags.is_empty() {
                    "未能识别".to_string()
                } else {
                    row.rule.flags.join("；")
                }
            )),
            Some(rule) => {
                if let (Some(target), TierUse::Tiered) = (rule.ratio, &row.tiers)
                    && rule.bound != Bound::Exact
                {
                    let ratios = if rule.tiers.is_empty() {
                        default_tiers()
                    } else {
                        rule.tiers.clone()
                    };
                    if let Some(check) = plans::check_bound(rule.bound, target, &ratios, counts)
                        && !check.kept
                    {
                        task_errors.push(bound_message(
                            &at, rule.bound, target, &ratios, counts, &check,
                        ));
                    }
                }
            }
        }
        if row.window.is_none() {
            task_errors.push(format!(
                "{at}“抽查起止时间”：{}",
                row.flags
                    .iter()
                    .find(|f| f.contains("起止时间") || f.contains("结束早于开始"))
                    .cloned()
                    .unwrap_or_else(|| "未填写或无法识别".into())
            ));
        }
        if let TierUse::Unclear { reason } = &row.tiers {
            task_errors.push(format!(
                "{at}“智慧监管（信用风险分类）要求”：{reason}，请写明“分别递加抽查比例”或“不涉及”"
            ));
        }
        errors.extend(task_errors.iter().cloned());
        tasks.push(PreviewTask {
            number,
            rule_text: plans::rule_text(row.rule.rule.as_ref()),
            tier_text: plans::tier_text(&row.tiers),
            row,
            initiating,
            cooperating,
            errors: task_errors,
        });
    }
    for (name, at) in &names {
        if at.len() > 1 && !name.trim().is_empty() {
            let numbers: Vec<String> = at.iter().map(|n| format!("第 {n} 项")).collect();
            errors.push(format!(
                "任务名称“{name}”重复出现（{}）：同一计划中的任务名称应各不相同",
                numbers.join("、")
            ));
        }
    }
    let kind = if tasks.iter().any(|t| !t.cooperating.is_empty()) {
        PlanKind::Joint
    } else {
        PlanKind::Internal
    };
    let completion_date = tasks
        .iter()
        .filter_map(|t| t.row.window.as_ref().map(|w| w.to.clone()))
        .max()
        .unwrap_or_else(|| format!("{year}-12-31"));
    PlanPreview {
        year,
        tasks,
        departments: unresolved_departments.into_values().collect(),
        items: unresolved_items.into_values().collect(),
        errors,
        kind,
        completion_date,
    }
}

fn push_context(context: &mut String, at: &str) {
    if !context.split('、').any(|c| c == at) {
        if !context.is_empty() {
            context.push('、');
        }
        context.push_str(at);
    }
}

/// The department defaults of the tiers (A 1%, B 3%, C 10%, D 20%), as the draw uses them.
fn default_tiers() -> BTreeMap<char, Fraction> {
    crate::tasks::DEFAULT_RATIOS
        .iter()
        .filter(|(t, _)| *t != "U")
        .filter_map(|(t, r)| {
            let pct: u64 = r.trim_end_matches('%').parse().ok()?;
            Some((t.chars().next()?, Fraction::new(pct, 100)))
        })
        .collect()
}

fn bound_message(
    at: &str,
    bound: Bound,
    target: Fraction,
    ratios: &BTreeMap<char, Fraction>,
    counts: &BTreeMap<char, u64>,
    check: &plans::BoundCheck,
) -> String {
    let word = if bound == Bound::Max {
        "不高于"
    } else {
        "不低于"
    };
    let tiers = |r: &BTreeMap<char, Fraction>| {
        r.iter()
            .map(|(t, f)| format!("{t}类 {}", plans::percent_text(*f)))
            .collect::<Vec<_>>()
            .join("、")
    };
    let counted: Vec<String> = counts
        .iter()
        .map(|(t, n)| {
            format!(
                "{} {n} 户",
                if *t == 'U' {
                    "未分类".to_string()
                } else {
                    format!("{t}类")
                }
            )
        })
        .collect();
    let overall = check.drawn as f64 * 100.0 / check.total.max(1) as f64;
    let proposal = check
        .proposal
        .as_ref()
        .map(|p| format!("；建议分级比例改为 {}（保持等级顺序）", tiers(p)))
        .unwrap_or_default();
    format!(
        "{at}“抽查比例及频次”：要求{word}{}，按名录当前各等级户数（{}）与分级比例（{}）计算，将抽取 {} 户，总体比例 {overall:.1}%，不符合要求{proposal}",
        plans::percent_text(target),
        counted.join("、"),
        tiers(ratios),
        check.drawn,
    )
}

impl PlanPreview {
    /// The preview as `plan import --format json` prints it: each task as the file writes it
    /// (departments and items as written), `rule` null when its cell could not be read, and
    /// every flag and error.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::json;
        let department = |d: &ssj_domain::plans::DepartmentItems| json!({ "department": squeeze(&d.department), "items": d.items });
        let tasks: Vec<serde_json::Value> = self
            .tasks
            .iter()
            .map(|t| {
                let r = &t.row;
                let rule = r.rule.rule.as_ref().map(|rule| {
                    json!({
                        "num": rule.ratio.map(|f| f.num),
                        "den": rule.ratio.map(|f| f.den),
                        "bound": match rule.bound {
                            Bound::Exact => "exact",
                            Bound::Min => "min",
                            Bound::Max => "max",
                        },
                        "rounds_per_year": rule.rounds_per_year,
                        "tier_ratios": rule.tiers.iter()
                            .map(|(t, f)| (t.to_string(), json!({ "num": f.num, "den": f.den })))
                            .collect::<serde_json::Map<_, _>>(),
                    })
                });
                let (tiers, tier_reason) = match &r.tiers {
                    TierUse::Tiered => ("tiered", String::new()),
                    TierUse::Uniform { reason } => ("uniform", reason.clone()),
                    TierUse::Unclear { reason } => ("unclear", reason.clone()),
                };
                let mut flags = r.flags.clone();
                flags.extend(r.rule.flags.iter().cloned());
                json!({
                    "seq": r.seq,
                    "name": r.name,
                    "initiating": department(&r.initiating),
                    "cooperating": r.cooperating.iter().map(department).collect::<Vec<_>>(),
                    "scope": r.scope,
                    "rule": rule,
                    "rule_text": t.rule_text,
                    "tiers": tiers,
                    "tier_reason": tier_reason,
                    "window": r.window.as_ref().map(|w| json!({ "from": w.from, "to": w.to })),
                    "directed": r.directed,
                    "mode": r.mode,
                    "flags": flags,
                    "errors": t.errors,
                })
            })
            .collect();
        json!({
            "year": self.year,
            "kind": self.kind.label(),
            "completion_date": self.completion_date,
            "ready": self.ready(),
            "tasks": tasks,
            "unresolved": {
                "departments": self.departments,
                "items": self.items,
            },
            "errors": self.errors,
        })
    }
}

/// The plan's title and year as its text names them: the first line that reads like a plan's
/// title (`高平市城市管理局 2024 年度部门联合双随机抽查工作计划`).
pub fn title_and_year(text: &str) -> (Option<String>, Option<u32>) {
    let title = text
        .lines()
        .map(str::trim)
        .find(|l| {
            l.contains("年度")
                && l.contains("计划")
                && !l.contains('\t')
                && l.chars().count() <= 100
        })
        .map(String::from);
    let year = title.as_deref().and_then(|t| {
        let digits: String = t.chars().filter(|c| c.is_ascii_digit()).collect();
        digits
            .get(..4)?
            .parse::<u32>()
            .ok()
            .filter(|y| (2000..=2100).contains(y))
    });
    (title, year)
}
