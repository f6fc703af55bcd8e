//! Adding one officer, or changing one, by hand, beside the import. A refused form comes back
//! filled in, with the reason above it.

use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::WebResult;
use crate::pages::form_refusal;
use crate::render::render;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::context;
use minijinja::value::Serde;
use serde::Deserialize;
use ssj_app::officers::officer_row;
use ssj_domain::Permission;
use ssj_domain::officers::OfficerLevel;
use ssj_import::officers::OfficerRow;

/// The form as typed: an officer list's row (strings throughout, so a refused form shows
/// them again), checked exactly as an imported row is.
#[derive(Deserialize)]
pub struct Submitted {
    csrf: Option<String>,
    #[serde(flatten)]
    officer: OfficerRow,
}

async fn page(
    s: &AppState,
    u: &CurrentUser,
    f: &OfficerRow,
    editing: Option<i64>,
    error: Option<String>,
) -> WebResult<Response> {
    let departments = crate::pages::departments_to_choose(s, u).await?;
    let action = match editing {
        Some(id) => format!("/console/officers/{id}/edit"),
        None => "/console/officers/new".to_string(),
    };
    render(
        s,
        "officer_form.html",
        Some(u),
        "officers",
        context! {
            f => minijinja::Value::from(Serde(f)), editing, action, error, departments,
            levels => OfficerLevel::ALL.iter().map(|l| l.label()).collect::<Vec<_>>(),
        },
    )
    .map(IntoResponse::into_response)
}

pub async fn new_form(State(s): State<AppState>, u: CurrentUser) -> WebResult<Response> {
    u.require(Permission::EditLists)?;
    let department = crate::pages::own_department(&s, &u).await?;
    let f = OfficerRow {
        department,
        level: OfficerLevel::County.label().into(),
        status: "有效".into(),
        ..Default::default()
    };
    page(&s, &u, &f, None, None).await
}

pub async fn create(
    State(s): State<AppState>,
    u: CurrentUser,
    Form(f): Form<Submitted>,
) -> WebResult<Response> {
    u.require(Permission::EditLists)?;
    u.check_csrf(f.csrf.as_deref())?;
    match s
        .platform
        .save_officer(&u.actor, None, f.officer.clone())
        .await
    {
        Ok(o) => Ok(Redirect::to(&format!("/console/officers/{}?saved=1", o.id)).into_response()),
        Err(e) => page(&s, &u, &f.officer, None, Some(form_refusal(e)?)).await,
    }
}

pub async fn edit_form(
    State(s): State<AppState>,
    u: CurrentUser,
    Path(id): Path<i64>,
) -> WebResult<Response> {
    u.require(Permission::EditLists)?;
    let o = s.platform.officer_visible_to(&u.actor, id).await?;
    let department = s
        .platform
        .department(o.department_id)
        .await?
        .map(|d| d.name)
        .unwrap_or_default();
    let f = officer_row(&o, &department);
    page(&s, &u, &f, Some(id), None).await
}

pub async fn edit(
    State(s): State<AppState>,
    u: CurrentUser,
    Path(id): Path<i64>,
    Form(f): Form<Submitted>,
) -> WebResult<Response> {
    u.require(Permission::EditLists)?;
    u.check_csrf(f.csrf.as_deref())?;
    match s
        .platform
        .save_officer(&u.actor, Some(id), f.officer.clone())
        .await
    {
        Ok(o) => Ok(Redirect::to(&format!("/console/officers/{}?saved=1", o.id)).into_response()),
        Err(e) => page(&s, &u, &f.officer, Some(id), Some(form_refusal(e)?)).await,
    }
}
