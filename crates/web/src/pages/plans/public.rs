//! 抽查计划 on the public portal: every published plan, each with its published versions and
//! their change lists (a revision under way stays private until it is published). No
//! usernames: a version says when it was published, not by whom.

use super::{PlanRow, VersionRow, plan_row, version_row};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::WebResult;
use crate::render::render;
use axum::extract::{Path, State};
use axum::response::Html;
use minijinja::context;
use minijinja::value::Serde;

pub async fn list(State(s): State<AppState>, u: Option<CurrentUser>) -> WebResult<Html<String>> {
    let rows: Vec<PlanRow> = s
        .platform
        .public_plans()
        .await?
        .into_iter()
        .rev()
        .map(|(p, owner)| plan_row(&p, owner))
        .collect();
    render(
        &s,
        "public_plans.html",
        u.as_ref(),
        "",
        context! { plans => Serde(&rows) },
    )
}

pub async fn detail(
    State(s): State<AppState>,
    u: Option<CurrentUser>,
    Path(code): Path<String>,
) -> WebResult<Html<String>> {
    let view = s.platform.public_plan(&code).await?;
    let tasks = s.platform.tasks().await?;
    // The public sees which published draw tasks run each plan task, by number.
    let runs = |seq: u32| -> Vec<(i64, String)> {
        view.links
            .iter()
            .filter(|l| l.seq == i64::from(seq))
            .filter_map(|l| tasks.iter().find(|t| t.id == l.task_id))
            .map(|t| (t.id, t.code.clone()))
            .collect()
    };
    let progress = s.platform.plan_progress(&view).await?;
    let visits = s.platform.plan_visits(&view).await?;
    let running = super::running_version(&view);
    let versions: Vec<VersionRow> = view
        .versions
        .iter()
        .rev()
        .map(|v| version_row(v, &runs, (Some(v.version) == running).then_some(&progress)))
        .collect();
    render(
        &s,
        "public_plan.html",
        u.as_ref(),
        "",
        context! {
            plan => Serde(&plan_row(&view.plan, view.owner.clone())),
            versions => Serde(&versions),
            progress => Serde(&progress),
            visits_saved => visits.saved,
            merged => visits.visits.iter().filter(|v| v.confirmed).count(),
            proposals => visits.merged,
        },
    )
}
