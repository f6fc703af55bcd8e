//! Draw tasks and the plans they run. A task made from a published plan's task is linked to
//! it; a task created alone (an ad-hoc 专项 task) becomes a one-task plan, published at once
//! since its draw is public anyway; tasks made before plans existed are adopted the same way
//! when the platform starts.

use super::tasks::TaskSpec;
use crate::audit::Appender;
use crate::{AppError, AppResult, Platform, clock};
use ssj_domain::audit::{AuditEntry, snapshot};
use ssj_domain::plans::{
    Bound, Fraction, PlanDepartment, PlanItem, PlanKind, PlanStatus, PlanTask, Rule, TierUse,
    Window,
};
use ssj_storage::{Department, Plan, PlanTaskLink, PlanVersion, Task, TaskItem, Tx};
use std::collections::BTreeMap;

/// The plan task a new draw task runs: the plan's id and the task's 序号.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlanRef {
    pub plan_id: i64,
    pub seq: i64,
}

/// The plan task a draw task stands for, read back from the task as stored.
fn plan_task(
    task: &Task,
    spec: &TaskSpec,
    items: &[TaskItem],
    departments: &[Department],
) -> PlanTask {
    let name_of = |id: i64| {
        departments
            .iter()
            .find(|d| d.id == id)
            .map(|d| d.name.clone())
            .unwrap_or_default()
    };
    let pick = |ids: &[i64]| -> Vec<PlanItem> {
        ids.iter()
            .filter_map(|id| items.iter().find(|i| i.item_id == *id))
            .map(|i| PlanItem {
                item_id: i.item_id,
                name: i.name.clone(),
            })
            .collect()
    };
    let fraction = |text: &str| {
        ssj_draw::Ratio::parse(text)
            .ok()
            .map(|r| Fraction::new(r.num, r.den))
    };
    let (rule, tiers) = match spec.uniform_ratio() {
        Some(ratio) => (
            Rule {
                ratio: fraction(ratio),
                bound: Bound::Exact,
                rounds_per_year: 1,
                tiers: BTreeMap::new(),
            },
            TierUse::Uniform {
                reason: spec.uniform_reason.clone(),
            },
        ),
        None => (
            Rule {
                ratio: None,
                bound: Bound::Exact,
                rounds_per_year: 1,
                tiers: spec
                    .ratios
                    .iter()
                    .filter_map(|(t, r)| {
                        let letter = t.chars().next().filter(|c| "ABCD".contains(*c))?;
                        Some((letter, fraction(r)?))
                    })
                    .collect(),
            },
            TierUse::Tiered,
        ),
    };
    PlanTask {
        seq: 1,
        name: task.name.clone(),
        initiating: PlanDepartment {
            department_id: task.department_id,
            name: name_of(task.department_id),
            items: pick(&spec.items),
        },
        cooperating: spec
            .partners
            .iter()
            .map(|p| PlanDepartment {
                department_id: p.department_id,
                name: name_of(p.department_id),
                items: pick(&p.items),
            })
            .collect(),
        scope: scope_text(spec),
        rule: Some(rule),
        tiers,
        window: Window {
            from: spec.window_from.clone(),
            to: spec.window_to.clone(),
        },
        directed: spec.objects.directed,
        mode: if spec.draw_officers {
            "县抽县查"
        } else {
            "市抽县查"
        }
        .into(),
        flags: Vec::new(),
    }
}

/// The object scope in the words of a plan table's 抽查对象 column.
fn scope_text(spec: &TaskSpec) -> String {
    let o = &spec.objects;
    let mut parts = Vec::new();
    if o.kinds.is_empty() {
        parts.push("全部类型".to_string());
    } else {
        parts.push(o.kinds.join("、"));
    }
    if o.directed {
        for (label, values) in [
            ("区划", &o.divisions),
            ("行业", &o.industries),
            ("标签", &o.tags),
            ("等级", &o.tiers),
        ] {
            if !values.is_empty() {
                parts.push(format!("{label}：{}", values.join("、")));
            }
        }
        if !o.licence.is_empty() {
            parts.push(format!("许可：{}", o.licence));
        }
    }
    parts.join("；")
}

/// Writes the one-task plan of `task` (published, version 1) and links the task to it.
pub(crate) async fn one_task_plan(
    tx: &mut dyn Tx,
    log: &mut Appender,
    entry: AuditEntry,
    task: &Task,
    items: &[TaskItem],
    departments: &[Department],
    now: i64,
) -> AppResult<Plan> {
    let spec = TaskSpec::parse(&task.spec)?;
    let department = departments
        .iter()
        .find(|d| d.id == task.department_id)
        .ok_or_else(|| AppError::internal("任务的发起部门不存在"))?;
    let pt = plan_task(task, &spec, items, departments);
    let year = spec
        .window_from
        .get(..4)
        .and_then(|y| y.parse::<i64>().ok())
        .unwrap_or_else(|| clock::format_ms(task.created_ms)[..4].parse().unwrap_or(0));
    let division = department.division.as_str().to_string();
    let mut plan = Plan {
        id: 0,
        code: super::next_plan_code(tx, &division, year).await?,
        division,
        department_id: Some(task.department_id),
        kind: if spec.partners.is_empty() {
            PlanKind::Internal
        } else {
            PlanKind::Joint
        },
        year,
        title: task.name.clone(),
        status: PlanStatus::Published,
        completion_date: spec.window_to.clone(),
        version: 1,
        published_version: Some(1),
        created_by: task.created_by.clone(),
        created_ms: now,
        updated_ms: now,
    };
    plan.id = tx.insert_plan(&plan).await?;
    let tasks = vec![pt];
    tx.insert_plan_version(&PlanVersion {
        plan_id: plan.id,
        version: 1,
        tasks: serde_json::to_string(&tasks).expect("tasks serialize"),
        changes: "[]".into(),
        note: "单独创建的抽查任务".into(),
        created_by: task.created_by.clone(),
        created_ms: now,
        published_ms: Some(now),
    })
    .await?;
    tx.insert_plan_task_link(&PlanTaskLink {
        plan_id: plan.id,
        seq: 1,
        task_id: task.id,
    })
    .await?;
    let mut e = entry;
    e.target_type = "plan".into();
    e.target_id = plan.code.clone();
    e.department_id = Some(task.department_id);
    e.after = Some(snapshot(&serde_json::json!({
        "title": plan.title, "kind": plan.kind.label(), "year": plan.year,
        "task": task.code, "status": plan.status.label(),
    })));
    log.append(&mut *tx, e, now).await?;
    Ok(plan)
}

/// Links a new draw task to a task of a published plan, refusing a plan that is not running
/// or a 序号 its published version does not have.
pub(crate) async fn link_to_plan(tx: &mut dyn Tx, at: PlanRef, task_id: i64) -> AppResult<()> {
    let plan = tx.plan_for_update(at.plan_id).await?.ok_or_else(|| {
        AppError::not_found("PLAN_NOT_FOUND", format!("抽查计划 {} 不存在", at.plan_id))
    })?;
    let Some(published) = plan.published_version else {
        return Err(AppError::invalid(
            "PLAN_NOT_PUBLISHED",
            format!("抽查计划 {} 尚未发布，不能按其创建抽查任务", plan.code),
        ));
    };
    if !matches!(plan.status, PlanStatus::Published | PlanStatus::Revising) {
        return Err(AppError::invalid(
            "PLAN_CLOSED",
            format!(
                "抽查计划 {} {}，不能再创建抽查任务",
                plan.code,
                plan.status.label()
            ),
        ));
    }
    let versions = tx.tx_plan_versions(plan.id).await?;
    let version = versions
        .iter()
        .find(|v| v.version == published)
        .ok_or_else(|| AppError::internal("计划的发布版本不存在"))?;
    let tasks: Vec<PlanTask> = serde_json::from_str(&version.tasks)
        .map_err(|e| AppError::internal(format!("计划版本无法读取：{e}")))?;
    if !tasks.iter().any(|t| i64::from(t.seq) == at.seq) {
        return Err(AppError::invalid(
            "PLAN_TASK_UNKNOWN",
            format!("抽查计划 {} 没有序号为 {} 的任务", plan.code, at.seq),
        ));
    }
    tx.insert_plan_task_link(&PlanTaskLink {
        plan_id: plan.id,
        seq: at.seq,
        task_id,
    })
    .await?;
    Ok(())
}

impl Platform {
    /// Makes each task that belongs to no plan (made before plans existed) a one-task plan,
    /// recorded in the audit log as the system's step. Returns how many were adopted.
    pub async fn adopt_tasks_without_plan(&self) -> AppResult<usize> {
        let ids = {
            let mut tx = self.store.begin().await?;
            let ids = tx.tasks_without_plan().await?;
            tx.commit().await?;
            ids
        };
        if ids.is_empty() {
            return Ok(0);
        }
        let departments = self.store.departments().await?;
        let mut read = Vec::new();
        for id in &ids {
            if let Some(task) = self.store.task(*id).await? {
                let items = self.store.task_items(*id).await?;
                read.push((task, items));
            }
        }
        let now = clock::now_ms();
        let mut tx = self.store.begin().await?;
        let mut log = Appender::open(&mut *tx, self.alg).await?;
        for (task, items) in &read {
            let entry = AuditEntry {
                actor_id: None,
                actor_name: "系统".into(),
                department_id: Some(task.department_id),
                action: "plan.adopt".into(),
                target_type: "plan".into(),
                target_id: String::new(),
                before: None,
                after: None,
                reason: Some(format!(
                    "抽查任务 {} 创建于计划功能之前，转为单任务计划",
                    task.code
                )),
            };
            one_task_plan(&mut *tx, &mut log, entry, task, items, &departments, now).await?;
        }
        tx.commit().await?;
        Ok(read.len())
    }
}
