//! 工作台: what each role has to do next, computed from the tasks, the item list and the
//! accounts inside the actor's data scope.

use crate::tasks::TaskSpec;
use crate::{Actor, AppResult, Platform, clock};
use ssj_domain::Permission;
use ssj_storage::{Task, TaskStatus};
use std::collections::HashSet;

/// A task on someone's to-do list, with the window it runs in.
#[derive(Debug, Clone)]
pub struct TaskTodo {
    pub task: Task,
    pub window_from: String,
    pub window_to: String,
    /// The task's initiating department is the actor's own (not a partner's).
    pub own: bool,
}

/// A drawn task whose list has people or companies that can no longer be inspected as drawn:
/// the 递补 the task's planner has to decide.
#[derive(Debug, Clone)]
pub struct SubstitutionTodo {
    pub task: Task,
    /// (officer, why): on leave today, certificate expired, no longer active.
    pub officers: Vec<(String, &'static str)>,
    /// (company, why): no longer in business.
    pub objects: Vec<(String, &'static str)>,
}

/// Slots of a list checked for the 递补 to-dos: a county's lists whole, a province's head.
const CHECKED_SLOTS: usize = 2_000;

#[derive(Debug, Clone, Default)]
pub struct Workbench {
    /// Tasks of the actor's departments waiting for their draw (planners and admins).
    pub to_draw: Vec<TaskTodo>,
    /// Drawn tasks of the actor's departments whose window has not ended: lists to dispatch,
    /// 递补 to decide, inspections to carry out.
    pub under_way: Vec<TaskTodo>,
    /// 递补 to decide on the drawn lists of tasks the actor plans.
    pub substitutions: Vec<SubstitutionTodo>,
    /// Changes in the item list's draft waiting to be published (list editors).
    pub unpublished_item_changes: Option<usize>,
    /// Accounts in scope that are locked after failed logins (account managers).
    pub locked_accounts: Vec<(i64, String)>,
}

impl Platform {
    pub async fn workbench(&self, actor: &Actor) -> AppResult<Workbench> {
        actor.require(Permission::ViewConsole)?;
        let departments: HashSet<i64> = self
            .departments_in_scope(actor)
            .await?
            .into_iter()
            .map(|d| d.id)
            .collect();
        let today = clock::today();
        let mut out = Workbench::default();
        for task in self.store.tasks().await? {
            if task.status == TaskStatus::Cancelled {
                continue;
            }
            let Ok(spec) = TaskSpec::parse(&task.spec) else {
                continue;
            };
            let involved = spec.departments(task.department_id);
            if !involved.iter().any(|d| departments.contains(d)) {
                continue;
            }
            let ended = !spec.window_to.is_empty() && spec.window_to.as_str() < today.as_str();
            let todo = TaskTodo {
                own: Some(task.department_id) == actor.department_id,
                window_from: spec.window_from.clone(),
                window_to: spec.window_to.clone(),
                task,
            };
            match todo.task.status {
                TaskStatus::Ready if actor.can(Permission::PlanTasks) && !ended => {
                    out.to_draw.push(todo)
                }
                TaskStatus::Drawn if !ended => out.under_way.push(todo),
                _ => {}
            }
        }
        if actor.can(Permission::PlanTasks) {
            for todo in out.under_way.iter().filter(|t| t.own) {
                if let Some(s) = self.substitutions_due(&todo.task, &today).await? {
                    out.substitutions.push(s);
                }
            }
        }
        if actor.can(Permission::EditLists) {
            out.unpublished_item_changes = self
                .draft_changes(actor)
                .await?
                .map(|c| c.count())
                .filter(|n| *n > 0);
        }
        if actor.can(Permission::ManageUsers) {
            let now = clock::now_ms();
            out.locked_accounts = self
                .users_visible_to(actor)
                .await?
                .into_iter()
                .filter(|u| u.locked_until_ms.is_some_and(|t| t > now))
                .map(|u| (u.id, u.display_name))
                .collect();
        }
        Ok(out)
    }
}

impl Platform {
    /// The members and companies of a drawn list that cannot be inspected as drawn today.
    async fn substitutions_due(
        &self,
        task: &Task,
        today: &str,
    ) -> AppResult<Option<SubstitutionTodo>> {
        let Some(draw) = self.current_draw(task.id).await? else {
            return Ok(None);
        };
        let list = self.current_list(draw.id, Some(CHECKED_SLOTS)).await?;
        let ids: Vec<i64> = list
            .rows
            .iter()
            .flat_map(|r| r.members.iter().filter_map(|m| m.id.parse().ok()))
            .collect();
        let on_leave: HashSet<i64> = self
            .store
            .officers_on_leave(today)
            .await?
            .into_iter()
            .collect();
        let mut officers = Vec::new();
        for o in self.store.officers_by_ids(&ids).await? {
            let why = if !o.active {
                "已失效"
            } else if o.cert_valid_until.as_str() < today {
                "执法证已过期"
            } else if on_leave.contains(&o.id) {
                "今日请假"
            } else {
                continue;
            };
            officers.push((format!("{}（{}）", o.name, o.cert_no), why));
        }
        let codes: Vec<String> = list.rows.iter().map(|r| r.key.clone()).collect();
        let objects: Vec<(String, &'static str)> = self
            .store
            .objects_with_codes(&codes)
            .await?
            .into_iter()
            .filter(|o| o.status != ssj_domain::objects::RegistrationStatus::Active)
            .map(|o| (format!("{}（{}）", o.name, o.code), o.status.label()))
            .collect();
        if officers.is_empty() && objects.is_empty() {
            return Ok(None);
        }
        Ok(Some(SubstitutionTodo {
            task: task.clone(),
            officers,
            objects,
        }))
    }
}
