//! 抽查计划 on the public portal: every published plan, each with its published versions and
//! their change lists (a revision under way stays private until it is published). No
//! usernames: a version says when it was published, not by whom.

use super::{PlanPage, PlanRow, plan_page, plan_row};
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
    // The public sees which published draw tasks run each plan task, by number.
    let PlanPage {
        versions,
        progress,
        visits,
    } = plan_page(&s, &view).await?;
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
