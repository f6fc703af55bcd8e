//! 进一次门、查多项事 across the year: the visits that can be merged because several drawn tasks
//! picked one object in overlapping windows (the initiating departments confirm each), and the
//! objects drawn by more than one task of the year (by whom, for what), for a plan's page.

use super::PlanView;
use crate::audit::Appender;
use crate::{Actor, AppError, AppResult, Platform, clock};
use serde::Serialize;
use ssj_domain::Permission;
use ssj_domain::audit::snapshot;
use ssj_domain::plans::{DrawnTask, Window, merge_visits, visits_saved};
use ssj_storage::{TaskStatus, VisitConfirmation};
use std::collections::{BTreeMap, BTreeSet};

/// A drawn task in a visit: who initiates it and what it inspects.
#[derive(Debug, Clone, Serialize)]
pub struct VisitTask {
    pub task_id: i64,
    pub code: String,
    pub name: String,
    pub department_id: i64,
    pub department: String,
    pub items: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct VisitView {
    pub key: String,
    pub object_code: String,
    pub object_name: String,
    pub window: Window,
    pub tasks: Vec<VisitTask>,
    /// Initiating departments: (id, name, confirmed).
    pub departments: Vec<(i64, String, bool)>,
    pub confirmed: bool,
}

/// An object drawn by several tasks of the year.
#[derive(Debug, Clone, Serialize)]
pub struct RepeatView {
    pub object_code: String,
    pub object_name: String,
    pub tasks: Vec<VisitTask>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct PlanVisits {
    /// Merged visits involving the plan's tasks (the first [`SHOWN`]).
    pub visits: Vec<VisitView>,
    /// How many merged visits there are in all.
    pub merged: usize,
    /// How many objects were drawn by more than one task in all.
    pub repeats: usize,
    /// Visits the merges save.
    pub saved: usize,
    /// (object, task) pairs drawn by the plan's tasks.
    pub picks: usize,
    /// Objects drawn by more than one task of the year, one of them the plan's.
    pub repeated: Vec<RepeatView>,
}

/// At most this many visits and repeats are listed (the counts are whole).
pub const SHOWN: usize = 200;

impl Platform {
    /// The merged visits and repeated inspections of the plan's year that involve its tasks.
    pub async fn plan_visits(&self, view: &PlanView) -> AppResult<PlanVisits> {
        let year = view.plan.year.to_string();
        let own: BTreeSet<i64> = view.links.iter().map(|l| l.task_id).collect();
        let departments = self.store.departments().await?;
        let mut drawn = Vec::new();
        let mut meta: BTreeMap<i64, ssj_storage::Task> = BTreeMap::new();
        for t in self.store.tasks().await? {
            if t.status != TaskStatus::Drawn {
                continue;
            }
            let spec = super::tasks::TaskSpec::parse(&t.spec)?;
            if !spec.window_from.starts_with(&year) {
                continue;
            }
            drawn.push(DrawnTask {
                task_id: t.id,
                window: Window {
                    from: spec.window_from,
                    to: spec.window_to,
                },
            });
            meta.insert(t.id, t);
        }
        if !drawn.iter().any(|t| own.contains(&t.task_id)) {
            return Ok(PlanVisits::default());
        }
        let index: BTreeMap<i64, usize> = drawn
            .iter()
            .enumerate()
            .map(|(i, t)| (t.task_id, i))
            .collect();
        let mut picks: Vec<(usize, String)> = self
            .store
            .drawn_picks()
            .await?
            .into_iter()
            .filter_map(|(task, code)| Some((*index.get(&task)?, code)))
            .collect();
        let own_picks = picks
            .iter()
            .filter(|(i, _)| own.contains(&drawn[*i].task_id))
            .count();
        let mut by_object: BTreeMap<String, BTreeSet<i64>> = BTreeMap::new();
        for (i, code) in &picks {
            by_object
                .entry(code.clone())
                .or_default()
                .insert(drawn[*i].task_id);
        }
        let merged: Vec<_> = merge_visits(&drawn, &mut picks)
            .into_iter()
            .filter(|v| v.task_ids.iter().any(|t| own.contains(t)))
            .collect();
        let saved = visits_saved(&merged);
        let repeated_codes: Vec<(String, BTreeSet<i64>)> = by_object
            .into_iter()
            .filter(|(_, tasks)| tasks.len() > 1 && tasks.iter().any(|t| own.contains(t)))
            .collect();
        let mut wanted: Vec<String> = merged
            .iter()
            .take(SHOWN)
            .map(|v| v.object_code.clone())
            .chain(repeated_codes.iter().take(SHOWN).map(|(c, _)| c.clone()))
            .collect();
        wanted.sort();
        wanted.dedup();
        let names: BTreeMap<String, String> = self
            .store
            .objects_with_codes(&wanted)
            .await?
            .into_iter()
            .map(|o| (o.code, o.name))
            .collect();
        let mut items_of: BTreeMap<i64, Vec<String>> = BTreeMap::new();
        let mut visit_task = async |id: i64| -> AppResult<VisitTask> {
            let t = &meta[&id];
            if let std::collections::btree_map::Entry::Vacant(slot) = items_of.entry(id) {
                let items = self.store.task_items(id).await?;
                slot.insert(items.into_iter().map(|i| i.name).collect());
            }
            Ok(VisitTask {
                task_id: id,
                code: t.code.clone(),
                name: t.name.clone(),
                department_id: t.department_id,
                department: departments
                    .iter()
                    .find(|d| d.id == t.department_id)
                    .map(|d| d.name.clone())
                    .unwrap_or_default(),
                items: items_of[&id].clone(),
            })
        };
        let confirmations: BTreeSet<(String, i64)> = self
            .store
            .visit_confirmations()
            .await?
            .into_iter()
            .map(|c| (c.visit_key, c.department_id))
            .collect();
        let mut visits = Vec::new();
        for v in merged.iter().take(SHOWN) {
            let mut tasks = Vec::new();
            for id in &v.task_ids {
                tasks.push(visit_task(*id).await?);
            }
            let key = v.key();
            let mut depts: Vec<(i64, String, bool)> = Vec::new();
            for t in &tasks {
                if !depts.iter().any(|d| d.0 == t.department_id) {
                    let done = confirmations.contains(&(key.clone(), t.department_id));
                    depts.push((t.department_id, t.department.clone(), done));
                }
            }
            visits.push(VisitView {
                confirmed: depts.iter().all(|d| d.2),
                key,
                object_name: names.get(&v.object_code).cloned().unwrap_or_default(),
                object_code: v.object_code.clone(),
                window: v.window.clone(),
                tasks,
                departments: depts,
            });
        }
        let mut repeated = Vec::new();
        for (code, ids) in repeated_codes.iter().take(SHOWN) {
            let mut tasks = Vec::new();
            for id in ids {
                tasks.push(visit_task(*id).await?);
            }
            repeated.push(RepeatView {
                object_name: names.get(code).cloned().unwrap_or_default(),
                object_code: code.clone(),
                tasks,
            });
        }
        Ok(PlanVisits {
            visits,
            merged: merged.len(),
            repeats: repeated_codes.len(),
            saved,
            picks: own_picks,
            repeated,
        })
    }

    /// The actor's departments (those of the visit's tasks in their scope) confirm a merged
    /// visit of the plan's year. Returns how many departments confirmed.
    pub async fn confirm_visit(&self, actor: &Actor, plan_id: i64, key: &str) -> AppResult<usize> {
        actor.require(Permission::PlanTasks)?;
        let view = self.plan(actor, &plan_id.to_string()).await?;
        let visits = self.plan_visits(&view).await?;
        let visit = visits.visits.iter().find(|v| v.key == key).ok_or_else(|| {
            AppError::not_found(
                "VISIT_NOT_FOUND",
                "没有这次合并检查（抽取结果可能已变化），请刷新页面",
            )
        })?;
        let departments = self.store.departments().await?;
        let mine: Vec<i64> = visit
            .departments
            .iter()
            .filter(|(id, _, done)| {
                !done
                    && departments
                        .iter()
                        .find(|d| d.id == *id)
                        .is_some_and(|d| actor.covers(d))
            })
            .map(|(id, _, _)| *id)
            .collect();
        if mine.is_empty() {
            let any_of_mine = visit.departments.iter().any(|(id, _, _)| {
                departments
                    .iter()
                    .find(|d| d.id == *id)
                    .is_some_and(|d| actor.covers(d))
            });
            return Err(if any_of_mine {
                AppError::new(
                    crate::ErrorKind::Conflict,
                    "VISIT_CONFIRMED",
                    "本部门已确认过这次合并检查",
                )
            } else {
                AppError::forbidden("只有参与合并的任务的发起部门可以确认")
            });
        }
        let now = clock::now_ms();
        let mut tx = self.store.begin().await?;
        let mut log = Appender::open(&mut *tx, self.alg).await?;
        for id in &mine {
            tx.insert_visit_confirmation(&VisitConfirmation {
                visit_key: key.to_string(),
                department_id: *id,
                confirmed_by: actor.name.clone(),
                confirmed_ms: now,
            })
            .await?;
            let mut e = actor.entry("visit.confirm", "object", &visit.object_code);
            e.department_id = Some(*id);
            e.after = Some(snapshot(&serde_json::json!({
                "plan": view.plan.code,
                "tasks": visit.tasks.iter().map(|t| t.code.clone()).collect::<Vec<_>>(),
                "window": [visit.window.from.clone(), visit.window.to.clone()],
            })));
            log.append(&mut *tx, e, now).await?;
        }
        tx.commit().await?;
        Ok(mine.len())
    }
}
