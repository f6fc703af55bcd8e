//! 抽查计划 in the console: the list, a plan's page with every version, its change lists and
//! the draw tasks running it, and the lifecycle's steps. Importing is in [`import`]; the public
//! portal's pages in [`public`].

pub mod import;
pub mod public;

use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::WebResult;
use crate::pages::tasks::Fields;
use crate::render::render;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use minijinja::context;
use minijinja::value::Serde;
use serde::Serialize;
use ssj_app::plans::lifecycle::PlanStep;
use ssj_app::plans::{PlanView, VersionView};
use ssj_domain::Permission;
use ssj_domain::plans::{PlanStatus, PlanTask, rule_text, tier_text};
use ssj_storage::Plan;

#[derive(Serialize)]
pub struct PlanRow {
    pub id: i64,
    pub code: String,
    pub title: String,
    pub owner: String,
    pub kind: &'static str,
    pub status: &'static str,
    pub year: i64,
    pub version: i64,
    pub completion_date: String,
}

pub fn plan_row(p: &Plan, owner: String) -> PlanRow {
    PlanRow {
        id: p.id,
        code: p.code.clone(),
        title: p.title.clone(),
        owner,
        kind: p.kind.label(),
        status: p.status.label(),
        year: p.year,
        version: p.published_version.unwrap_or(p.version),
        completion_date: p.completion_date.clone(),
    }
}

/// A task as a plan page shows it, column by column.
#[derive(Serialize)]
pub struct TaskRow {
    pub seq: u32,
    pub name: String,
    pub initiating: String,
    pub cooperating: Vec<String>,
    pub scope: String,
    pub rule: String,
    pub tiers: String,
    pub window: String,
    pub directed: &'static str,
    pub mode: String,
    pub flags: Vec<String>,
    /// Draw tasks running it: (id, code).
    pub runs: Vec<(i64, String)>,
    /// Where it stands, for the version the plan runs.
    pub progress: Option<ProgressView>,
}

#[derive(Serialize)]
pub struct ProgressView {
    pub state: &'static str,
    pub rounds: usize,
    pub drawn: usize,
    pub late: Vec<String>,
    /// The next round to draw: its number and window.
    pub next: Option<(u32, String)>,
}

fn progress_view(p: &ssj_domain::plans::TaskProgress) -> ProgressView {
    ProgressView {
        state: p.state.label(),
        rounds: p.rounds.len(),
        drawn: p.rounds.iter().filter(|r| r.drawn).count(),
        late: p.late.clone(),
        next: p
            .next
            .as_ref()
            .map(|r| (r.number, format!("{} 至 {}", r.window.from, r.window.to))),
    }
}

fn department_text(d: &ssj_domain::plans::PlanDepartment) -> String {
    let items: Vec<&str> = d.items.iter().map(|i| i.name.as_str()).collect();
    if items.is_empty() {
        d.name.clone()
    } else {
        format!("{}（{}）", d.name, items.join("、"))
    }
}

pub fn task_row(t: &PlanTask, runs: Vec<(i64, String)>) -> TaskRow {
    TaskRow {
        seq: t.seq,
        name: t.name.clone(),
        initiating: department_text(&t.initiating),
        cooperating: t.cooperating.iter().map(department_text).collect(),
        scope: t.scope.clone(),
        rule: rule_text(t.rule.as_ref()),
        tiers: tier_text(&t.tiers),
        window: format!("{} 至 {}", t.window.from, t.window.to),
        directed: if t.directed { "定向" } else { "不定向" },
        mode: t.mode.clone(),
        flags: t.flags.clone(),
        runs,
        progress: None,
    }
}

#[derive(Serialize)]
pub struct VersionRow {
    pub version: i64,
    pub published: Option<String>,
    pub created: String,
    pub note: String,
    pub changes: Vec<String>,
    pub tasks: Vec<TaskRow>,
}

/// A version's rows; `progress` is given for the version the plan runs.
pub fn version_row(
    v: &VersionView,
    runs: &dyn Fn(u32) -> Vec<(i64, String)>,
    progress: Option<&ssj_app::plans::PlanProgress>,
) -> VersionRow {
    VersionRow {
        version: v.version,
        published: v.published.clone(),
        created: v.created.clone(),
        note: v.note.clone(),
        changes: v.changes.iter().map(|c| c.text()).collect(),
        tasks: v
            .tasks
            .iter()
            .map(|t| TaskRow {
                progress: progress
                    .and_then(|p| p.tasks.get(&t.seq))
                    .map(progress_view),
                ..task_row(t, runs(t.seq))
            })
            .collect(),
    }
}

/// The version whose tasks are running: the published one, else the newest.
pub fn running_version(view: &PlanView) -> Option<i64> {
    view.published().or(view.latest()).map(|v| v.version)
}

/// What a plan's page shows, console and public alike: its versions newest first (the
/// running one with its progress), its progress, its merged visits.
pub struct PlanPage {
    pub versions: Vec<VersionRow>,
    pub progress: ssj_app::plans::PlanProgress,
    pub visits: ssj_app::plans::visits::PlanVisits,
}

pub async fn plan_page(s: &AppState, view: &PlanView) -> Result<PlanPage, ssj_app::AppError> {
    let tasks = s.platform.tasks().await?;
    let runs = |seq: u32| -> Vec<(i64, String)> {
        view.links
            .iter()
            .filter(|l| l.seq == i64::from(seq))
            .filter_map(|l| tasks.iter().find(|t| t.id == l.task_id))
            .map(|t| (t.id, t.code.clone()))
            .collect()
    };
    let progress = s.platform.plan_progress(view).await?;
    let visits = s.platform.plan_visits(view).await?;
    let running = running_version(view);
    let versions = view
        .versions
        .iter()
        .rev()
        .map(|v| version_row(v, &runs, (Some(v.version) == running).then_some(&progress)))
        .collect();
    Ok(PlanPage {
        versions,
        progress,
        visits,
    })
}

pub async fn list(State(s): State<AppState>, u: CurrentUser) -> WebResult<Html<String>> {
    let rows: Vec<PlanRow> = s
        .platform
        .plans(&u.actor)
        .await?
        .into_iter()
        .rev()
        .map(|(p, owner)| plan_row(&p, owner))
        .collect();
    render(
        &s,
        "plans.html",
        Some(&u),
        "plans",
        context! { plans => Serde(&rows), can_plan => u.actor.can(Permission::PlanTasks) },
    )
}

pub async fn detail(
    State(s): State<AppState>,
    u: CurrentUser,
    Path(id): Path<String>,
) -> WebResult<Html<String>> {
    detail_page(&s, &u, &id, None).await
}

async fn detail_page(
    s: &AppState,
    u: &CurrentUser,
    id: &str,
    error: Option<String>,
) -> WebResult<Html<String>> {
    let view: PlanView = s.platform.plan(&u.actor, id).await?;
    let PlanPage {
        versions,
        progress,
        visits,
    } = plan_page(s, &view).await?;
    let status = view.plan.status;
    let can = u.actor.can(Permission::PlanTasks);
    let steps: Vec<(&str, &str)> = [
        PlanStep::Publish,
        PlanStep::Revise,
        PlanStep::Complete,
        PlanStep::Archive,
    ]
    .into_iter()
    .filter(|st| can && step_allowed(status, *st))
    .map(|st| (st.key(), st.label()))
    .collect();
    render(
        s,
        "plan_detail.html",
        Some(u),
        "plans",
        context! {
            plan => Serde(&plan_row(&view.plan, view.owner.clone())),
            versions => Serde(&versions),
            steps,
            editable => can && matches!(status, PlanStatus::Draft | PlanStatus::Revising),
            runnable => can && matches!(status, PlanStatus::Published | PlanStatus::Revising)
                && view.plan.published_version.is_some(),
            published_version => view.plan.published_version,
            progress => Serde(&progress),
            visits => Serde(&visits),
            can_confirm => can,
            error,
        },
    )
}

fn step_allowed(status: PlanStatus, step: PlanStep) -> bool {
    match step {
        PlanStep::Publish => matches!(status, PlanStatus::Draft | PlanStatus::Revising),
        PlanStep::Revise => status == PlanStatus::Published,
        PlanStep::Complete => status == PlanStatus::Published,
        PlanStep::Archive => status == PlanStatus::Completed,
    }
}

pub async fn act(
    State(s): State<AppState>,
    u: CurrentUser,
    Path((id, step)): Path<(i64, String)>,
    body: Bytes,
) -> WebResult<Response> {
    let f = Fields::parse(&body);
    u.check_csrf(Some(&f.one("csrf")))?;
    u.require(Permission::PlanTasks)?;
    if step == "confirm-visit" {
        return match s
            .platform
            .confirm_visit(&u.actor, id, &f.one("visit"))
            .await
        {
            Ok(_) => Ok(Redirect::to(&format!("/console/plans/{id}#visits")).into_response()),
            Err(e) => {
                let status = crate::error::status_of(e.kind);
                let why = crate::pages::form_refusal(e)?;
                let page = detail_page(&s, &u, &id.to_string(), Some(why)).await?;
                Ok((status, page).into_response())
            }
        };
    }
    let step = PlanStep::parse(&step).ok_or_else(|| {
        ssj_app::AppError::not_found("PLAN_STEP", format!("没有“{step}”这一操作"))
    })?;
    match s
        .platform
        .plan_step(&u.actor, id, step, &f.one("reason"))
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/console/plans/{id}")).into_response()),
        Err(e) => {
            let status = crate::error::status_of(e.kind);
            let why = crate::pages::form_refusal(e)?;
            let page = detail_page(&s, &u, &id.to_string(), Some(why)).await?;
            Ok((status, page).into_response())
        }
    }
}

/// Every merged visit and repeated inspection of the plan (up to 200 each).
pub async fn visits(
    State(s): State<AppState>,
    u: CurrentUser,
    Path(id): Path<String>,
) -> WebResult<Html<String>> {
    let view = s.platform.plan(&u.actor, &id).await?;
    let visits = s.platform.plan_visits(&view).await?;
    render(
        &s,
        "plan_visits_page.html",
        Some(&u),
        "plans",
        context! {
            plan => Serde(&plan_row(&view.plan, view.owner.clone())),
            visits => Serde(&visits),
            can_confirm => u.actor.can(Permission::PlanTasks),
        },
    )
}
