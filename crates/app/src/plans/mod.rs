//! Annual plans (年度抽查工作计划): the way work enters the platform. A plan belongs to a
//! division and to one department (or the division's 领导小组办公室); it is imported from the
//! table officials circulate ([`import`]), published, revised as a new version with its change
//! list, completed and archived ([`lifecycle`]). Every version stays readable; a published one
//! is never edited. Its tasks run as draw tasks ([`tasks`]); a task created alone is a
//! one-task plan ([`adopt`]).

pub mod adopt;
pub mod import;
pub mod lifecycle;
pub mod tasks;
pub mod visits;

use crate::{Actor, AppError, AppResult, Platform};
use serde::Serialize;
use ssj_domain::Permission;
use ssj_domain::plans::{PlanTask, TaskChange};
use ssj_storage::{Department, Plan, PlanTaskLink, PlanVersion};

/// A version, read.
#[derive(Debug, Clone, Serialize)]
pub struct VersionView {
    pub version: i64,
    pub tasks: Vec<PlanTask>,
    pub changes: Vec<TaskChange>,
    pub note: String,
    pub created: String,
    /// `None` while it is a draft.
    pub published: Option<String>,
}

/// A plan with every version and the draw tasks running it.
#[derive(Debug, Clone)]
pub struct PlanView {
    pub plan: Plan,
    /// The owning department's name, or 领导小组办公室.
    pub owner: String,
    pub versions: Vec<VersionView>,
    pub links: Vec<PlanTaskLink>,
}

impl PlanView {
    /// The newest version (the draft, or the revision under way).
    pub fn latest(&self) -> Option<&VersionView> {
        self.versions.last()
    }

    /// The version the public sees.
    pub fn published(&self) -> Option<&VersionView> {
        let v = self.plan.published_version?;
        self.versions.iter().find(|x| x.version == v)
    }
}

pub(crate) fn version_view(v: &PlanVersion) -> AppResult<VersionView> {
    let corrupt = |e: serde_json::Error| AppError::internal(format!("计划版本无法读取：{e}"));
    Ok(VersionView {
        version: v.version,
        tasks: serde_json::from_str(&v.tasks).map_err(corrupt)?,
        changes: serde_json::from_str(&v.changes).map_err(corrupt)?,
        note: v.note.clone(),
        created: crate::clock::format_ms(v.created_ms),
        published: v.published_ms.map(crate::clock::format_ms),
    })
}

/// The next plan number of a division's year, in the national style: the 6-digit division,
/// the year, a 4-digit sequence (`14058120260001`); never reused.
pub(crate) async fn next_plan_code(
    tx: &mut dyn ssj_storage::Tx,
    division: &str,
    year: i64,
) -> AppResult<String> {
    let prefix = format!("{division}{year}");
    let next = match tx.last_plan_code_with_prefix(&prefix).await? {
        Some(last) => last[prefix.len()..].parse::<u32>().unwrap_or(0) + 1,
        None => 1,
    };
    Ok(format!("{prefix}{next:04}"))
}

/// The name of the office that owns a plan of no department.
pub const LEADING_OFFICE: &str = "领导小组办公室";

pub(crate) fn owner_name(plan: &Plan, departments: &[Department]) -> String {
    plan.department_id
        .and_then(|id| departments.iter().find(|d| d.id == id))
        .map(|d| d.name.clone())
        .unwrap_or_else(|| LEADING_OFFICE.to_string())
}

/// Whether `actor` may change the plan: its department in the actor's scope, or, for the
/// 领导小组办公室's plans, an actor whose scope covers every department.
pub(crate) fn may_change(actor: &Actor, plan: &Plan, departments: &[Department]) -> bool {
    match plan.department_id {
        Some(id) => departments
            .iter()
            .find(|d| d.id == id)
            .is_some_and(|d| actor.covers(d)),
        None => actor.scope == ssj_domain::DataScope::All,
    }
}

impl Platform {
    /// Plans the actor sees in the console: every published one, and drafts of departments
    /// in their scope.
    pub async fn plans(&self, actor: &Actor) -> AppResult<Vec<(Plan, String)>> {
        actor.require(Permission::ViewConsole)?;
        let departments = self.store.departments().await?;
        Ok(self
            .store
            .plans()
            .await?
            .into_iter()
            .filter(|p| p.published_version.is_some() || may_change(actor, p, &departments))
            .map(|p| {
                let owner = owner_name(&p, &departments);
                (p, owner)
            })
            .collect())
    }

    /// A plan by id or number, as the console shows it.
    pub async fn plan(&self, actor: &Actor, id_or_code: &str) -> AppResult<PlanView> {
        actor.require(Permission::ViewConsole)?;
        let view = self.plan_view(id_or_code).await?;
        let departments = self.store.departments().await?;
        if view.plan.published_version.is_none() && !may_change(actor, &view.plan, &departments) {
            return Err(AppError::forbidden(
                "该计划尚未发布，只有计划所属部门可以查看",
            ));
        }
        Ok(view)
    }

    /// Published plans, for the public portal.
    pub async fn public_plans(&self) -> AppResult<Vec<(Plan, String)>> {
        let departments = self.store.departments().await?;
        Ok(self
            .store
            .plans()
            .await?
            .into_iter()
            .filter(|p| p.published_version.is_some())
            .map(|p| {
                let owner = owner_name(&p, &departments);
                (p, owner)
            })
            .collect())
    }

    /// A published plan for the public: its published versions only, each with its change
    /// list (a revision in progress stays private until it is published).
    pub async fn public_plan(&self, code: &str) -> AppResult<PlanView> {
        let mut view = self.plan_view(code).await?;
        if view.plan.published_version.is_none() {
            return Err(AppError::not_found(
                "PLAN_NOT_FOUND",
                format!("抽查计划 {code} 不存在或尚未发布"),
            ));
        }
        view.versions.retain(|v| v.published.is_some());
        Ok(view)
    }

    async fn plan_view(&self, id_or_code: &str) -> AppResult<PlanView> {
        let text = id_or_code.trim();
        let plan = match self.store.plan_by_code(text).await? {
            Some(p) => Some(p),
            None => match text.parse::<i64>() {
                Ok(id) => self.store.plan(id).await?,
                Err(_) => None,
            },
        }
        .ok_or_else(|| AppError::not_found("PLAN_NOT_FOUND", format!("抽查计划 {text} 不存在")))?;
        let departments = self.store.departments().await?;
        let versions = self
            .store
            .plan_versions(plan.id)
            .await?
            .iter()
            .map(version_view)
            .collect::<AppResult<Vec<_>>>()?;
        let links = self.store.plan_task_links(plan.id).await?;
        Ok(PlanView {
            owner: owner_name(&plan, &departments),
            plan,
            versions,
            links,
        })
    }

    /// The plan task a draw task runs: the plan's number and the task's 序号.
    pub async fn task_plan(&self, task_id: i64) -> AppResult<Option<(Plan, i64)>> {
        let Some(link) = self.store.task_plan(task_id).await? else {
            return Ok(None);
        };
        Ok(self.store.plan(link.plan_id).await?.map(|p| (p, link.seq)))
    }
}

/// Where each task of a plan's published version stands, and the plan as a whole.
#[derive(Debug, Clone, Serialize)]
pub struct PlanProgress {
    /// By 序号.
    pub tasks: std::collections::BTreeMap<u32, ssj_domain::plans::TaskProgress>,
    /// (state label, tasks in it), every state listed.
    pub counts: Vec<(&'static str, usize)>,
    pub late: usize,
    /// Days until the plan's completion date (negative once passed).
    pub days_left: Option<i64>,
}

impl Platform {
    /// The progress of the version the plan runs (the published one, else the newest), driven
    /// by the draws of the tasks running it, on today's date.
    pub async fn plan_progress(&self, view: &PlanView) -> AppResult<PlanProgress> {
        use ssj_domain::plans::{Progress, Run, Window, task_progress};
        let today = crate::clock::today();
        let Some(version) = view.published().or(view.latest()) else {
            return Ok(PlanProgress {
                tasks: Default::default(),
                counts: Vec::new(),
                late: 0,
                days_left: None,
            });
        };
        let mut tasks = std::collections::BTreeMap::new();
        for t in &version.tasks {
            let mut runs = Vec::new();
            for link in view.links.iter().filter(|l| l.seq == i64::from(t.seq)) {
                let Some(task) = self.store.task(link.task_id).await? else {
                    continue;
                };
                let spec = tasks::TaskSpec::parse(&task.spec)?;
                runs.push(Run {
                    window: Window {
                        from: spec.window_from,
                        to: spec.window_to,
                    },
                    drawn: task.status == ssj_storage::TaskStatus::Drawn,
                    cancelled: task.status == ssj_storage::TaskStatus::Cancelled,
                });
            }
            tasks.insert(t.seq, task_progress(t, &runs, &today));
        }
        let counts = [
            Progress::ToDraw,
            Progress::Drawn,
            Progress::Inspecting,
            Progress::Recording,
            Progress::Publicised,
            Progress::Done,
        ]
        .into_iter()
        .map(|s| (s.label(), tasks.values().filter(|p| p.state == s).count()))
        .collect();
        let late = tasks.values().filter(|p| !p.late.is_empty()).count();
        let days_left = match (
            crate::clock::parse_date_ms(&view.plan.completion_date),
            crate::clock::parse_date_ms(&today),
        ) {
            (Some(end), Some(now)) => Some((end - now) / 86_400_000),
            _ => None,
        };
        Ok(PlanProgress {
            tasks,
            counts,
            late,
            days_left,
        })
    }
}
