//! A plan's lifecycle: 草稿 → 已发布 → 修订中 (a new version) → 已发布 again, with its change
//! list against the version before → 已完成 → 已归档. A published version is never edited: a
//! revision is a new version, and every step is in the audit log.

use super::may_change;
use crate::audit::Appender;
use crate::{Actor, AppError, AppResult, ErrorKind, Platform, clock};
use ssj_domain::Permission;
use ssj_domain::audit::snapshot;
use ssj_domain::plans::{self, PlanStatus, PlanTask};
use ssj_storage::{Plan, PlanVersion};

/// What a user asks of a plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanStep {
    Publish,
    Revise,
    Complete,
    Archive,
}

impl PlanStep {
    pub fn parse(s: &str) -> Option<PlanStep> {
        match s.trim() {
            "publish" => Some(PlanStep::Publish),
            "revise" => Some(PlanStep::Revise),
            "complete" => Some(PlanStep::Complete),
            "archive" => Some(PlanStep::Archive),
            _ => None,
        }
    }

    /// The step's name in URLs and the CLI.
    pub fn key(self) -> &'static str {
        match self {
            PlanStep::Publish => "publish",
            PlanStep::Revise => "revise",
            PlanStep::Complete => "complete",
            PlanStep::Archive => "archive",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            PlanStep::Publish => "发布",
            PlanStep::Revise => "修订",
            PlanStep::Complete => "标记完成",
            PlanStep::Archive => "归档",
        }
    }

    fn target(self) -> PlanStatus {
        match self {
            PlanStep::Publish => PlanStatus::Published,
            PlanStep::Revise => PlanStatus::Revising,
            PlanStep::Complete => PlanStatus::Completed,
            PlanStep::Archive => PlanStatus::Archived,
        }
    }

    fn action(self) -> &'static str {
        match self {
            PlanStep::Publish => "plan.publish",
            PlanStep::Revise => "plan.revise",
            PlanStep::Complete => "plan.complete",
            PlanStep::Archive => "plan.archive",
        }
    }
}

fn read_tasks(v: &PlanVersion) -> AppResult<Vec<PlanTask>> {
    serde_json::from_str(&v.tasks).map_err(|e| AppError::internal(format!("计划版本无法读取：{e}")))
}

impl Platform {
    /// Takes one step of the lifecycle. `reason` is required to revise (it heads the
    /// revision's change list, as the 修订 letter does) and kept for the others.
    pub async fn plan_step(
        &self,
        actor: &Actor,
        plan_id: i64,
        step: PlanStep,
        reason: &str,
    ) -> AppResult<Plan> {
        actor.require(Permission::PlanTasks)?;
        let reason = reason.trim();
        let departments = self.store.departments().await?;
        let now = clock::now_ms();
        let mut tx = self.store.begin().await?;
        let mut log = Appender::open(&mut *tx, self.alg).await?;
        let mut plan = tx.plan_for_update(plan_id).await?.ok_or_else(|| {
            AppError::not_found("PLAN_NOT_FOUND", format!("抽查计划 {plan_id} 不存在"))
        })?;
        if !may_change(actor, &plan, &departments) {
            return Err(AppError::forbidden("只能操作本人数据范围内部门的计划"));
        }
        if step == PlanStep::Revise && reason.is_empty() {
            return Err(AppError::invalid(
                "REASON_REQUIRED",
                "请填写修订理由（将随修订版一并公开）",
            ));
        }
        let to = step.target();
        if !plan.status.can_become(to) {
            return Err(AppError::new(
                ErrorKind::Conflict,
                "PLAN_STATE",
                format!("计划当前为“{}”，不能{}", plan.status.label(), step.label()),
            ));
        }
        let versions = tx.tx_plan_versions(plan.id).await?;
        let latest = versions
            .last()
            .cloned()
            .ok_or_else(|| AppError::internal("计划没有版本"))?;
        let before = plan.status;
        let mut detail = serde_json::json!({ "version": latest.version });
        match step {
            PlanStep::Publish => {
                let tasks = read_tasks(&latest)?;
                if tasks.is_empty() {
                    return Err(AppError::invalid("PLAN_EMPTY", "计划中没有任务，不能发布"));
                }
                let previous = match plan.published_version {
                    Some(p) => versions
                        .iter()
                        .find(|v| v.version == p)
                        .map(read_tasks)
                        .transpose()?
                        .unwrap_or_default(),
                    None => Vec::new(),
                };
                let changes = if plan.published_version.is_some() {
                    plans::changes(&previous, &tasks)
                } else {
                    Vec::new()
                };
                if plan.published_version.is_some() && changes.is_empty() {
                    return Err(AppError::invalid(
                        "PLAN_NO_CHANGES",
                        "修订版与上一版没有任何不同：请先导入修订后的计划表",
                    ));
                }
                let mut published = latest.clone();
                published.changes = serde_json::to_string(&changes).expect("changes serialize");
                published.published_ms = Some(now);
                tx.update_plan_version(&published).await?;
                plan.published_version = Some(latest.version);
                detail = serde_json::json!({
                    "version": latest.version, "tasks": tasks.len(), "changes": changes,
                });
            }
            PlanStep::Revise => {
                let version = latest.version + 1;
                tx.insert_plan_version(&PlanVersion {
                    plan_id: plan.id,
                    version,
                    tasks: latest.tasks.clone(),
                    changes: "[]".into(),
                    note: reason.to_string(),
                    created_by: actor.name.clone(),
                    created_ms: now,
                    published_ms: None,
                })
                .await?;
                plan.version = version;
                detail = serde_json::json!({ "version": version, "from": latest.version });
            }
            PlanStep::Complete | PlanStep::Archive => {}
        }
        plan.status = to;
        plan.updated_ms = now;
        tx.update_plan(&plan).await?;
        let mut e = actor.entry(step.action(), "plan", &plan.code);
        e.department_id = plan.department_id;
        e.before = Some(snapshot(&serde_json::json!({ "status": before.label() })));
        detail["status"] = serde_json::Value::from(to.label());
        e.after = Some(snapshot(&detail));
        if !reason.is_empty() {
            e.reason = Some(reason.to_string());
        }
        log.append(&mut *tx, e, now).await?;
        tx.commit().await?;
        Ok(plan)
    }
}
