//! Inspection tasks (抽查任务), created directly until annual plans come: the initiating
//! department and its items from the published list, cooperating departments with theirs,
//! the object scope, the per-tier ratios, 无事不扰, the window and the team.

use crate::audit::Appender;
use crate::{Actor, AppError, AppResult, Platform, clock};
use serde::{Deserialize, Serialize};
use ssj_domain::Permission;
use ssj_domain::audit::snapshot;
use ssj_domain::objects::{ObjectKind, Tier};
use ssj_draw::Ratio;
use ssj_storage::{DrawScope, Item, Task, TaskItem, TaskStatus};
use std::collections::BTreeMap;

/// The department defaults for the credit tiers (the 舞钢 rule: A 1%, B 3%, C 10%, D 20%);
/// unclassified objects are drawn like B.
pub const DEFAULT_RATIOS: [(&str, &str); 5] = [
    ("A", "1%"),
    ("B", "3%"),
    ("C", "10%"),
    ("D", "20%"),
    ("U", "3%"),
];

/// The stratum label of a 统一比例 draw: every candidate in one stratum.
pub const UNIFORM_STRATUM: &str = "全部";

/// A cooperating department (配合部门) of a joint task and its items.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Partner {
    pub department_id: i64,
    pub items: Vec<i64>,
}

/// Which objects a task draws from, as the task is written.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ObjectScope {
    /// Object types (labels); empty means every type.
    pub kinds: Vec<String>,
    /// 定向 (within the filters below) or 不定向 (the whole directory of the types).
    pub directed: bool,
    pub divisions: Vec<String>,
    pub industries: Vec<String>,
    pub tags: Vec<String>,
    pub tiers: Vec<String>,
    pub licence: String,
    /// Objects registered outside the initiating department's division are drawn too (a task
    /// that means them); by default a draw keeps to its own division.
    #[serde(default)]
    pub include_outside: bool,
}

impl ObjectScope {
    /// Trimmed, without blanks or repeats, each type and tier checked.
    fn cleaned(&self) -> AppResult<ObjectScope> {
        let clean = |values: &[String]| -> Vec<String> {
            let mut out: Vec<String> = values
                .iter()
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
                .collect();
            out.sort();
            out.dedup();
            out
        };
        let scope = ObjectScope {
            kinds: clean(&self.kinds),
            directed: self.directed,
            divisions: clean(&self.divisions),
            industries: clean(&self.industries),
            tags: clean(&self.tags),
            tiers: clean(&self.tiers),
            licence: self.licence.trim().to_string(),
            include_outside: self.include_outside,
        };
        for d in &scope.divisions {
            ssj_domain::DivisionCode::parse(d).map_err(|e| {
                invalid("TASK_DIVISION", format!("行政区划“{d}”无效：{}", e.message))
            })?;
        }
        scope.draw_scope()?;
        Ok(scope)
    }

    /// The storage query's scope: undirected tasks keep only their object types.
    pub fn draw_scope(&self) -> AppResult<DrawScope> {
        let kinds = self
            .kinds
            .iter()
            .map(|k| ObjectKind::parse(k))
            .collect::<Result<_, _>>()?;
        let tiers = self
            .tiers
            .iter()
            .map(|t| Tier::parse(t))
            .collect::<Result<_, _>>()?;
        if !self.directed {
            return Ok(DrawScope {
                kinds,
                ..DrawScope::default()
            });
        }
        Ok(DrawScope {
            divisions: self.divisions.clone(),
            kinds,
            industries: self.industries.clone(),
            tags: self.tags.clone(),
            tiers,
            licence: Some(self.licence.clone()).filter(|l| !l.is_empty()),
        })
    }
}

/// What a task says about its draw, stored with the task as JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskSpec {
    pub items: Vec<i64>,
    pub partners: Vec<Partner>,
    /// Stored flat, beside the other settings.
    #[serde(flatten)]
    pub objects: ObjectScope,
    /// Tier label → ratio as written ("3%", "5‰", "1/30").
    pub ratios: BTreeMap<String, String>,
    /// Why one ratio applies to every tier, when it does.
    pub uniform_reason: String,
    /// 无事不扰: A-tier objects are not drawn.
    pub no_disturb_a: bool,
    pub window_from: String,
    pub window_to: String,
    pub team_size: usize,
    /// Department id → officers it must provide.
    pub quotas: BTreeMap<i64, usize>,
    /// Whether this draw also forms the teams (市抽县查: a city draws the objects and the
    /// counties that inspect them draw their officers).
    #[serde(default = "yes")]
    pub draw_officers: bool,
    /// Objects already picked this many times this year are left out; 0 = no cap.
    pub annual_cap: u32,
    /// The authority chose to publish `conflicts.csv` (officers' declared conflicts of
    /// interest, personal data) with the public export; by default only the 监督员's has it.
    #[serde(default)]
    pub publish_conflicts: bool,
    /// The plan's bound on the overall ratio (`不低于10%`), when the task runs a plan task
    /// that has one: a draw that breaks it is refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bound: Option<PlanBound>,
}

/// A lower or upper bound on a draw's overall ratio, from the plan.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PlanBound {
    pub bound: ssj_domain::plans::Bound,
    pub num: u64,
    pub den: u64,
}

/// A task as the console and the CLI fill it in.
#[derive(Debug, Clone, Default)]
pub struct NewTask {
    pub name: String,
    pub department_id: i64,
    pub items: Vec<i64>,
    pub partners: Vec<Partner>,
    pub objects: ObjectScope,
    /// Per-tier ratios; tiers not given take [`DEFAULT_RATIOS`].
    pub ratios: BTreeMap<String, String>,
    /// One ratio for every tier, with its reason.
    pub uniform: Option<(String, String)>,
    pub no_disturb_a: bool,
    pub window_from: String,
    pub window_to: String,
    pub team_size: usize,
    /// Department id → quota; departments of the task not given get 1.
    pub quotas: BTreeMap<i64, usize>,
    pub annual_cap: u32,
    /// Draw the objects only; the inspecting departments form their teams themselves.
    pub objects_only: bool,
    /// Publish `conflicts.csv` with the public export (personal data; off by default).
    pub publish_conflicts: bool,
    /// The task of a published plan this draw task runs; `None` makes it a one-task plan.
    pub plan: Option<super::adopt::PlanRef>,
}

fn yes() -> bool {
    true
}

fn invalid(code: &'static str, message: impl Into<String>) -> AppError {
    AppError::invalid(code, message)
}

impl TaskSpec {
    pub fn parse(json: &str) -> AppResult<TaskSpec> {
        serde_json::from_str(json).map_err(|e| AppError::internal(format!("任务设置无法读取：{e}")))
    }

    /// The one ratio of a 统一比例 task: its draw is one stratum over every candidate, rounded
    /// up once (20% of 12 is 3), not once per tier.
    pub fn uniform_ratio(&self) -> Option<&str> {
        if self.uniform_reason.is_empty() {
            return None;
        }
        self.ratios.values().next().map(String::as_str)
    }

    /// The strata rules of the draw: every tier's ratio, A-tier at 0 under 无事不扰 (its objects
    /// are excluded before the freeze anyway).
    pub fn rules(&self) -> AppResult<ssj_draw::Rules> {
        let mut rules = ssj_draw::Rules::new();
        if let Some(text) = self.uniform_ratio() {
            let ratio = Ratio::parse(text).map_err(|e| invalid(e.code(), e.to_string()))?;
            rules.insert(
                UNIFORM_STRATUM.to_string(),
                ssj_draw::StratumRule { ratio, min: 0 },
            );
            return Ok(rules);
        }
        for (tier, text) in &self.ratios {
            let ratio = Ratio::parse(text).map_err(|e| invalid(e.code(), e.to_string()))?;
            rules.insert(tier.clone(), ssj_draw::StratumRule { ratio, min: 0 });
        }
        Ok(rules)
    }

    /// The draw's scope for a task of a department in `home` (its division code): without a
    /// division of its own, the task keeps to `home` and everything under it, unless it
    /// includes objects registered elsewhere on purpose.
    pub fn scope(&self, home: &str) -> AppResult<DrawScope> {
        let mut scope = self.objects.draw_scope()?;
        if scope.divisions.is_empty() && !self.objects.include_outside {
            scope.divisions = vec![home.to_string()];
        }
        Ok(scope)
    }

    /// Every department of the task: the initiating one first.
    pub fn departments(&self, initiating: i64) -> Vec<i64> {
        std::iter::once(initiating)
            .chain(self.partners.iter().map(|p| p.department_id))
            .collect()
    }
}

impl Platform {
    pub async fn tasks(&self) -> AppResult<Vec<Task>> {
        Ok(self.store.tasks().await?)
    }

    pub async fn task(&self, id: i64) -> AppResult<Task> {
        self.store
            .task(id)
            .await?
            .ok_or_else(|| AppError::not_found("TASK_NOT_FOUND", format!("抽查任务 {id} 不存在")))
    }

    /// A task by its public number.
    pub async fn task_by_code(&self, code: &str) -> AppResult<Task> {
        self.store
            .task_by_code(code)
            .await?
            .ok_or_else(|| AppError::not_found("TASK_NOT_FOUND", format!("抽查任务 {code} 不存在")))
    }

    /// A task by its id or its public number.
    pub async fn find_task(&self, id_or_code: &str) -> AppResult<Task> {
        let text = id_or_code.trim();
        if let Some(t) = self.store.task_by_code(text).await? {
            return Ok(t);
        }
        match text.parse::<i64>() {
            Ok(id) => self.task(id).await,
            Err(_) => Err(AppError::not_found(
                "TASK_NOT_FOUND",
                format!("抽查任务 {text} 不存在"),
            )),
        }
    }

    pub async fn task_items(&self, task_id: i64) -> AppResult<Vec<TaskItem>> {
        Ok(self.store.task_items(task_id).await?)
    }

    /// Checks a new task against the published item list, the departments and the draw's
    /// rules, then stores it ready to draw.
    pub async fn create_task(&self, actor: &Actor, new: NewTask) -> AppResult<Task> {
        actor.require(Permission::PlanTasks)?;
        let name = new.name.trim().to_string();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(invalid("TASK_NAME", "请填写任务名称（不超过 100 个字）"));
        }
        let department = self
            .store
            .department(new.department_id)
            .await?
            .ok_or_else(|| invalid("TASK_DEPARTMENT", "请选择发起部门"))?;
        if !actor.covers(&department) {
            return Err(AppError::forbidden(
                "只能为本人数据范围内的部门创建抽查任务",
            ));
        }
        let version = self.published_items_version().await?.ok_or_else(|| {
            invalid(
                "TASK_NO_ITEMS",
                "随机抽查事项清单尚未发布，无法创建抽查任务",
            )
        })?;
        let published: BTreeMap<i64, Item> = self
            .store
            .version_items(version.id)
            .await?
            .into_iter()
            .map(|i| (i.id, i))
            .collect();
        let pick_items = |ids: &[i64], who: &str| -> AppResult<Vec<Item>> {
            if ids.is_empty() {
                return Err(invalid(
                    "TASK_ITEMS",
                    format!("请为{who}选择至少一个抽查事项"),
                ));
            }
            ids.iter()
                .map(|id| match published.get(id) {
                    Some(i) if !i.retired => Ok(i.clone()),
                    Some(i) => Err(invalid(
                        "TASK_ITEM_RETIRED",
                        format!("抽查事项“{}”已停用，不能用于新任务", i.name),
                    )),
                    None => Err(invalid(
                        "TASK_ITEM_UNKNOWN",
                        format!("抽查事项 {id} 不在已发布的事项清单中"),
                    )),
                })
                .collect()
        };
        let mut items = pick_items(&new.items, &department.name)?;
        let mut seen = vec![department.id];
        for p in &new.partners {
            let d = self
                .store
                .department(p.department_id)
                .await?
                .ok_or_else(|| {
                    invalid(
                        "TASK_PARTNER",
                        format!("配合部门 {} 不存在", p.department_id),
                    )
                })?;
            if seen.contains(&d.id) {
                return Err(invalid(
                    "TASK_PARTNER",
                    format!("{}重复出现在任务中", d.name),
                ));
            }
            seen.push(d.id);
            items.extend(pick_items(&p.items, &d.name)?);
        }
        let objects = new.objects.cleaned()?;

        let mut ratios: BTreeMap<String, String> = BTreeMap::new();
        let uniform_reason = match &new.uniform {
            Some((ratio, reason)) => {
                if reason.trim().is_empty() {
                    return Err(invalid(
                        "TASK_UNIFORM_REASON",
                        "对所有信用风险等级使用同一比例时，必须填写理由",
                    ));
                }
                for (tier, _) in DEFAULT_RATIOS {
                    ratios.insert(tier.to_string(), ratio.trim().to_string());
                }
                reason.trim().to_string()
            }
            None => {
                for (tier, default) in DEFAULT_RATIOS {
                    let given = new
                        .ratios
                        .get(tier)
                        .map(|r| r.trim())
                        .filter(|r| !r.is_empty());
                    ratios.insert(tier.to_string(), given.unwrap_or(default).to_string());
                }
                String::new()
            }
        };
        for (tier, text) in &ratios {
            Ratio::parse(text).map_err(|e| invalid(e.code(), format!("{tier} 类：{e}")))?;
        }

        let window_from = new.window_from.trim().to_string();
        let window_to = new.window_to.trim().to_string();
        let (from, to) = (
            clock::parse_date_ms(&window_from),
            clock::parse_date_ms(&window_to),
        );
        let today = clock::parse_date_ms(&clock::today()).unwrap_or(0);
        match (from, to) {
            (Some(f), Some(t)) if f <= t && t >= today => {}
            (Some(_), Some(t)) if t < today => {
                return Err(invalid(
                    "TASK_WINDOW_ENDED",
                    format!(
                        "检查时间已于 {window_to} 结束：请填写尚未结束的检查时间（今天是 {}）",
                        clock::today()
                    ),
                ));
            }
            (Some(_), Some(_)) => {
                return Err(invalid(
                    "TASK_WINDOW",
                    format!("检查时间的结束日期（{window_to}）早于开始日期（{window_from}）"),
                ));
            }
            _ => {
                return Err(invalid(
                    "TASK_WINDOW",
                    "请填写检查时间（YYYY-MM-DD 至 YYYY-MM-DD）",
                ));
            }
        }
        let team_size = if new.team_size == 0 { 2 } else { new.team_size };
        if team_size < 2 {
            return Err(invalid("TASK_TEAM", "检查组至少需要 2 名执法检查人员"));
        }
        let mut quotas = BTreeMap::new();
        for d in &seen {
            let q = new.quotas.get(d).copied().unwrap_or(1);
            if q == 0 && new.partners.iter().any(|p| p.department_id == *d) {
                return Err(invalid(
                    "TASK_QUOTA",
                    "联合抽查中每个参与部门至少派出 1 名执法人员",
                ));
            }
            quotas.insert(*d, q);
        }
        let quota_sum: usize = quotas.values().sum();
        if quota_sum > team_size {
            return Err(invalid(
                "TASK_QUOTA",
                format!("各部门派员合计 {quota_sum} 人，超过检查组人数 {team_size} 人"),
            ));
        }

        let spec = TaskSpec {
            items: new.items.clone(),
            partners: new.partners.clone(),
            objects,
            ratios,
            uniform_reason,
            no_disturb_a: new.no_disturb_a,
            window_from,
            window_to,
            team_size,
            quotas,
            annual_cap: new.annual_cap,
            draw_officers: !new.objects_only,
            publish_conflicts: new.publish_conflicts && !new.objects_only,
            bound: match new.plan {
                Some(at) => self.plan_bound(at).await?,
                None => None,
            },
        };
        // An empty scope is refused now, with what the filter gives, not at the freeze (asked of
        // the database, which stops at the first live object; the freeze reads them all).
        let draw_scope = spec.scope(department.division.as_str())?;
        let live = self.store.scope_any_active(&draw_scope).await?;
        if !live {
            let total: u64 = self
                .store
                .scope_counts(&draw_scope)
                .await?
                .iter()
                .map(|(_, n)| n)
                .sum();
            let home = if spec.objects.divisions.is_empty() && !spec.objects.include_outside {
                format!("（行政区划 {} 及其下级）", department.division.as_str())
            } else {
                String::new()
            };
            return Err(invalid(
                "TASK_EMPTY_SCOPE",
                format!(
                    "按当前条件，抽查范围{home}内有检查对象 {total} 户，其中存续 0 户：没有可抽取的对象。请调整对象类型、区划、行业、标签或等级条件，或先导入检查对象名录"
                ),
            ));
        }
        let departments = self.store.departments().await?;
        let now = clock::now_ms();
        let mut tx = self.store.begin().await?;
        let mut log = Appender::open(&mut *tx, self.alg).await?;
        // 6-digit division, the day, a 4-digit sequence: 140581202611210001.
        let day = clock::format_ms(now)[..10].replace('-', "");
        let prefix = format!("{}{day}", department.division.as_str());
        let next = match tx.last_task_code_with_prefix(&prefix).await? {
            Some(last) => last[prefix.len()..].parse::<u32>().unwrap_or(0) + 1,
            None => 1,
        };
        let mut task = Task {
            id: 0,
            code: format!("{prefix}{next:04}"),
            name,
            department_id: department.id,
            spec: serde_json::to_string(&spec).expect("a spec serializes"),
            status: TaskStatus::Ready,
            cancel_reason: String::new(),
            created_by: actor.name.clone(),
            created_ms: now,
            updated_ms: now,
        };
        let task_items: Vec<TaskItem> = items
            .iter()
            .map(|i| TaskItem {
                task_id: 0,
                item_id: i.id,
                department: i.department.clone(),
                name: i.name.clone(),
            })
            .collect();
        task.id = tx.insert_task(&task, &task_items).await?;
        let mut e = actor.entry("task.create", "task", &task.code);
        e.department_id = Some(department.id);
        e.after = Some(snapshot(
            &serde_json::json!({ "name": task.name, "spec": spec }),
        ));
        log.append(&mut *tx, e, now).await?;
        match new.plan {
            Some(at) => super::adopt::link_to_plan(&mut *tx, at, task.id).await?,
            None => {
                let entry = actor.entry("plan.create", "plan", "");
                super::adopt::one_task_plan(
                    &mut *tx,
                    &mut log,
                    entry,
                    &task,
                    &task_items,
                    &departments,
                    now,
                )
                .await?;
            }
        }
        tx.commit().await?;
        Ok(task)
    }

    /// The bound of a plan task's rule (`不低于30%`, `不高于5%`), if it has one.
    async fn plan_bound(&self, at: super::adopt::PlanRef) -> AppResult<Option<PlanBound>> {
        let Some(plan) = self.store.plan(at.plan_id).await? else {
            return Ok(None);
        };
        let Some(published) = plan.published_version else {
            return Ok(None);
        };
        let versions = self.store.plan_versions(plan.id).await?;
        let Some(version) = versions.iter().find(|v| v.version == published) else {
            return Ok(None);
        };
        let tasks = super::version_view(version)?.tasks;
        let rule = tasks
            .iter()
            .find(|t| i64::from(t.seq) == at.seq)
            .and_then(|t| t.rule.clone());
        Ok(rule.and_then(|r| match (r.bound, r.ratio) {
            (ssj_domain::plans::Bound::Exact, _) | (_, None) => None,
            (bound, Some(f)) => Some(PlanBound {
                bound,
                num: f.num,
                den: f.den,
            }),
        }))
    }

    /// Refuses an actor whose data scope does not include the task's initiating department.
    pub(crate) async fn check_task_scope(&self, actor: &Actor, task: &Task) -> AppResult<()> {
        task_in_scope(actor, task, &self.store.departments().await?)
    }

    /// Cancels a task; its draws (if any) stay visible.
    pub async fn cancel_task(&self, actor: &Actor, task_id: i64, reason: &str) -> AppResult<Task> {
        actor.require(Permission::PlanTasks)?;
        if reason.trim().is_empty() {
            return Err(invalid("REASON_REQUIRED", "请填写取消任务的理由"));
        }
        // Checked before the transaction (a task's department never changes): no second
        // connection is taken while the write lock is held.
        let task = self.task(task_id).await?;
        self.check_task_scope(actor, &task).await?;
        let now = clock::now_ms();
        let mut tx = self.store.begin().await?;
        let mut log = Appender::open(&mut *tx, self.alg).await?;
        let mut task = tx.task_for_update(task_id).await?.ok_or_else(|| {
            AppError::not_found("TASK_NOT_FOUND", format!("抽查任务 {task_id} 不存在"))
        })?;
        if task.status == TaskStatus::Cancelled {
            return Err(AppError::new(
                crate::ErrorKind::Conflict,
                "TASK_CANCELLED",
                "该任务已取消",
            ));
        }
        let before = task.status.key();
        task.status = TaskStatus::Cancelled;
        task.cancel_reason = reason.trim().to_string();
        task.updated_ms = now;
        tx.update_task_status(&task).await?;
        let mut e = actor.entry("task.cancel", "task", &task.code);
        e.department_id = Some(task.department_id);
        e.before = Some(snapshot(&serde_json::json!({ "status": before })));
        e.after = Some(snapshot(&serde_json::json!({ "status": "cancelled" })));
        e.reason = Some(task.cancel_reason.clone());
        log.append(&mut *tx, e, now).await?;
        tx.commit().await?;
        Ok(task)
    }
}

/// [`Platform::check_task_scope`] over departments already read (through a transaction).
pub(crate) fn task_in_scope(
    actor: &Actor,
    task: &Task,
    departments: &[ssj_storage::Department],
) -> AppResult<()> {
    let department = departments
        .iter()
        .find(|d| d.id == task.department_id)
        .ok_or_else(|| AppError::internal("任务的发起部门不存在"))?;
    if actor.covers(department) {
        Ok(())
    } else {
        Err(AppError::forbidden("只能操作本人数据范围内部门的抽查任务"))
    }
}
