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
use serde::{Deserialize, Serialize};
use ssj_app::officers::OfficerFields;
use ssj_domain::Permission;
use ssj_domain::officers::OfficerLevel;

/// The form as typed (strings throughout, so a refused form shows them again).
#[derive(Deserialize, Serialize, Default)]
#[serde(default)]
pub struct Fields {
    csrf: Option<String>,
    name: String,
    department: String,
    cert_no: String,
    valid_until: String,
    level: String,
    post: String,
    expertise: String,
    status: String,
    phone: String,
    id_number: String,
}

impl Fields {
    fn of(f: OfficerFields) -> Fields {
        Fields {
            csrf: None,
            name: f.name,
            department: f.department,
            cert_no: f.cert_no,
            valid_until: f.valid_until,
            level: f.level,
            post: f.post,
            expertise: f.expertise,
            status: f.status,
            phone: f.phone,
            id_number: f.id_number,
        }
    }

    fn officer(&self) -> OfficerFields {
        OfficerFields {
            name: self.name.clone(),
            department: self.department.clone(),
            cert_no: self.cert_no.clone(),
            valid_until: self.valid_until.clone(),
            level: self.level.clone(),
            post: self.post.clone(),
            expertise: self.expertise.clone(),
            status: self.status.clone(),
            phone: self.phone.clone(),
            id_number: self.id_number.clone(),
        }
    }
}

async fn page(
    s: &AppState,
    u: &CurrentUser,
    f: &Fields,
    editing: Option<i64>,
    error: Option<String>,
) -> WebResult<Response> {
    let departments: Vec<String> = s
        .platform
        .departments_in_scope(&u.actor)
        .await?
        .into_iter()
        .filter(|d| d.active)
        .map(|d| d.name)
        .collect();
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
    let department = s
        .platform
        .department(u.user.department_id)
        .await?
        .map(|d| d.name)
        .unwrap_or_default();
    let f = Fields {
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
    Form(f): Form<Fields>,
) -> WebResult<Response> {
    u.require(Permission::EditLists)?;
    u.check_csrf(f.csrf.as_deref())?;
    match s.platform.save_officer(&u.actor, None, &f.officer()).await {
        Ok(o) => Ok(Redirect::to(&format!("/console/officers/{}?saved=1", o.id)).into_response()),
        Err(e) => page(&s, &u, &f, None, Some(form_refusal(e)?)).await,
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
    let f = Fields::of(OfficerFields::of(&o, &department));
    page(&s, &u, &f, Some(id), None).await
}

pub async fn edit(
    State(s): State<AppState>,
    u: CurrentUser,
    Path(id): Path<i64>,
    Form(f): Form<Fields>,
) -> WebResult<Response> {
    u.require(Permission::EditLists)?;
    u.check_csrf(f.csrf.as_deref())?;
    match s
        .platform
        .save_officer(&u.actor, Some(id), &f.officer())
        .await
    {
        Ok(o) => Ok(Redirect::to(&format!("/console/officers/{}?saved=1", o.id)).into_response()),
        Err(e) => page(&s, &u, &f, Some(id), Some(form_refusal(e)?)).await,
    }
}
