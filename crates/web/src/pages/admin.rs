//! 系统管理: accounts, divisions and departments.

use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::WebResult;
use crate::render::render;
use axum::Form;
use axum::extract::{Multipart, Path, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use minijinja::value::Serde;
use minijinja::{Value, context};
use serde::{Deserialize, Serialize};
use ssj_app::accounts::{AccountChange, NewAccount};
use ssj_app::{AppError, clock};
use ssj_domain::Permission;
use ssj_storage::{Department, User};

#[derive(Serialize)]
struct UserView {
    id: i64,
    username: String,
    display_name: String,
    department: String,
    department_id: i64,
    role: &'static str,
    role_key: &'static str,
    scope: &'static str,
    scope_key: &'static str,
    active: bool,
    locked_until: Option<String>,
}

fn user_view(u: &User, depts: &[Department]) -> UserView {
    UserView {
        id: u.id,
        username: u.username.clone(),
        display_name: u.display_name.clone(),
        department: depts
            .iter()
            .find(|d| d.id == u.department_id)
            .map(|d| d.name.clone())
            .unwrap_or_default(),
        department_id: u.department_id,
        role: u.role.label(),
        role_key: u.role.key(),
        scope: u.scope.label(),
        scope_key: u.scope.key(),
        active: u.active,
        locked_until: u
            .locked_until_ms
            .filter(|t| *t > clock::now_ms())
            .map(clock::format_ms),
    }
}

/// The choices an actor may offer in the account form.
async fn form_options(s: &AppState, u: &CurrentUser) -> Result<Value, AppError> {
    let depts: Vec<Value> = s
        .platform
        .departments_in_scope(&u.actor)
        .await?
        .into_iter()
        .filter(|d| d.active)
        .map(|d| context! { id => d.id, name => format!("{}（{}）", d.name, d.division) })
        .collect();
    let roles: Vec<Value> = u
        .actor
        .grantable_roles()
        .map(|r| context! { key => r.key(), label => r.label() })
        .collect();
    let scopes: Vec<Value> = u
        .actor
        .grantable_scopes()
        .map(|d| context! { key => d.key(), label => d.label() })
        .collect();
    Ok(context! { departments => depts, roles, scopes })
}

pub async fn users(State(s): State<AppState>, u: CurrentUser) -> WebResult<Html<String>> {
    u.require(Permission::ManageUsers)?;
    let depts = s.platform.departments().await?;
    let users: Vec<UserView> = s
        .platform
        .users_visible_to(&u.actor)
        .await?
        .iter()
        .map(|x| user_view(x, &depts))
        .collect();
    render(
        &s,
        "admin_users.html",
        Some(&u),
        "admin",
        context! {
            users => Value::from(Serde(&users)), can_org => u.actor.can(Permission::ManageOrganisation),
        },
    )
}

pub async fn new_user_form(State(s): State<AppState>, u: CurrentUser) -> WebResult<Html<String>> {
    u.require(Permission::ManageUsers)?;
    let options = form_options(&s, &u).await?;
    render(
        &s,
        "admin_user_form.html",
        Some(&u),
        "admin",
        context! { options, form => context! {}, is_new => true },
    )
}

#[derive(Deserialize, Serialize, Default)]
pub struct UserForm {
    csrf: Option<String>,
    username: Option<String>,
    display_name: Option<String>,
    department_id: Option<String>,
    role: Option<String>,
    scope: Option<String>,
    password: Option<String>,
    active: Option<String>,
    reason: Option<String>,
}

fn department_id(raw: &Option<String>) -> Result<i64, AppError> {
    raw.as_deref()
        .and_then(|d| d.trim().parse().ok())
        .ok_or_else(|| AppError::invalid("DEPARTMENT_REQUIRED", "请选择所属部门"))
}

pub async fn create_user(
    State(s): State<AppState>,
    u: CurrentUser,
    Form(f): Form<UserForm>,
) -> WebResult<Response> {
    u.require(Permission::ManageUsers)?;
    u.check_csrf(f.csrf.as_deref())?;
    let attempt = async {
        let account = NewAccount {
            username: f.username.clone().unwrap_or_default(),
            display_name: f.display_name.clone().unwrap_or_default(),
            department_id: department_id(&f.department_id)?,
            role: f.role.clone().unwrap_or_default(),
            scope: f.scope.clone(),
            password: f.password.clone().unwrap_or_default(),
            // An administrator typed it: the holder replaces it at the first login.
            must_change_password: true,
        };
        s.platform.create_user(&u.actor, account).await
    };
    match attempt.await {
        Ok(created) => {
            Ok(Redirect::to(&format!("/console/admin/users/{}", created.id)).into_response())
        }
        Err(e) => {
            // Show the form again with what was typed (never the password) and the reason.
            let options = form_options(&s, &u).await?;
            let status = crate::error::status_of(e.kind);
            let form = UserForm {
                password: None,
                csrf: None,
                ..f
            };
            let page = render(
                &s,
                "admin_user_form.html",
                Some(&u),
                "admin",
                context! {
                    options, form => Value::from(Serde(&form)), is_new => true, error => context! { code => e.code, message => e.message },
                },
            )?;
            Ok((status, page).into_response())
        }
    }
}

pub async fn edit_user_form(
    State(s): State<AppState>,
    u: CurrentUser,
    Path(id): Path<i64>,
) -> WebResult<Html<String>> {
    u.require(Permission::ManageUsers)?;
    let target = s.platform.user_visible_to(&u.actor, id).await?;
    let depts = s.platform.departments().await?;
    let options = form_options(&s, &u).await?;
    render(
        &s,
        "admin_user_form.html",
        Some(&u),
        "admin",
        context! {
            options, target => Value::from(Serde(user_view(&target, &depts))), is_new => false,
            history => format!("/console/audit?target=user:{id}"),
            can_audit => u.actor.can(Permission::ViewAuditLog),
        },
    )
}

pub async fn update_user(
    State(s): State<AppState>,
    u: CurrentUser,
    Path(id): Path<i64>,
    Form(f): Form<UserForm>,
) -> WebResult<Response> {
    u.require(Permission::ManageUsers)?;
    u.check_csrf(f.csrf.as_deref())?;
    let change = AccountChange {
        display_name: f.display_name.unwrap_or_default(),
        department_id: department_id(&f.department_id)?,
        role: f.role.unwrap_or_default(),
        scope: f.scope.unwrap_or_default(),
        active: f.active.as_deref() == Some("on"),
        reason: f.reason,
    };
    s.platform.update_user(&u.actor, id, change).await?;
    Ok(Redirect::to(&format!("/console/admin/users/{id}")).into_response())
}

pub async fn reset_password(
    State(s): State<AppState>,
    u: CurrentUser,
    Path(id): Path<i64>,
    Form(f): Form<UserForm>,
) -> WebResult<Response> {
    u.require(Permission::ManageUsers)?;
    u.check_csrf(f.csrf.as_deref())?;
    s.platform
        .set_password(
            &u.actor,
            id,
            None,
            f.password.as_deref().unwrap_or_default(),
        )
        .await?;
    Ok(Redirect::to(&format!("/console/admin/users/{id}")).into_response())
}

pub async fn unlock_user(
    State(s): State<AppState>,
    u: CurrentUser,
    Path(id): Path<i64>,
    Form(f): Form<UserForm>,
) -> WebResult<Response> {
    u.require(Permission::ManageUsers)?;
    u.check_csrf(f.csrf.as_deref())?;
    s.platform.unlock_user(&u.actor, id).await?;
    Ok(Redirect::to(&format!("/console/admin/users/{id}")).into_response())
}

pub async fn org(State(s): State<AppState>, u: CurrentUser) -> WebResult<Html<String>> {
    org_page(&s, &u, None).await
}

/// A refused form of the organisation page: which one, why, what was typed.
#[derive(serde::Serialize)]
struct OrgRefused {
    form: &'static str,
    /// The department whose row was being changed.
    id: Option<i64>,
    message: String,
    code: String,
    name: String,
    division: String,
}

/// The organisation page again with a refused form's reason at that form, or the error page.
async fn org_refused(
    s: &AppState,
    u: &CurrentUser,
    form: &'static str,
    id: Option<i64>,
    f: &OrgForm,
    e: AppError,
) -> WebResult<Response> {
    let status = crate::error::status_of(e.kind);
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let refused = OrgRefused {
        form,
        id,
        message: crate::pages::form_refusal(e)?,
        code: text(&f.code),
        name: text(&f.name),
        division: text(&f.division),
    };
    Ok((status, org_page(s, u, Some(refused)).await?).into_response())
}

async fn org_page(
    s: &AppState,
    u: &CurrentUser,
    refused: Option<OrgRefused>,
) -> WebResult<Html<String>> {
    u.require(Permission::ManageOrganisation)?;
    let p = &s.platform;
    let divisions: Vec<Value> = p
        .divisions()
        .await?
        .into_iter()
        .map(|d| {
            context! {
                code => d.code.as_str(), name => d.name, level => d.code.level().label(),
                parent => d.parent.map(|p| p.to_string()),
            }
        })
        .collect();
    let departments: Vec<Value> = p
        .departments()
        .await?
        .into_iter()
        .map(|d| {
            context! {
                id => d.id, name => d.name, division => d.division.as_str(), active => d.active,
            }
        })
        .collect();
    render(
        s,
        "admin_org.html",
        Some(u),
        "admin",
        context! { divisions, departments, refused => Value::from(minijinja::value::Serde(&refused)) },
    )
}

#[derive(Deserialize, Default)]
pub struct OrgForm {
    csrf: Option<String>,
    code: Option<String>,
    name: Option<String>,
    division: Option<String>,
    active: Option<String>,
    reason: Option<String>,
}

pub async fn create_division(
    State(s): State<AppState>,
    u: CurrentUser,
    Form(f): Form<OrgForm>,
) -> WebResult<Response> {
    u.require(Permission::ManageOrganisation)?;
    u.check_csrf(f.csrf.as_deref())?;
    let made = s
        .platform
        .create_division(
            &u.actor,
            f.code.as_deref().unwrap_or_default(),
            f.name.as_deref().unwrap_or_default(),
        )
        .await;
    match made {
        Ok(_) => Ok(Redirect::to("/console/admin/org").into_response()),
        Err(e) => org_refused(&s, &u, "division", None, &f, e).await,
    }
}

/// Upload of a division list (CSV of `代码,名称`, UTF-8 or GBK).
pub async fn import_divisions(
    State(s): State<AppState>,
    u: CurrentUser,
    m: Multipart,
) -> WebResult<Response> {
    u.require(Permission::ManageOrganisation)?;
    let (csrf, file) = crate::pages::imports::read_upload(m).await?;
    u.check_csrf(csrf.as_deref())?;
    let bytes = file.map(|(_, b)| b).unwrap_or_default();
    let imported = match ssj_import::grid::decode_text(&bytes) {
        Ok(text) => s.platform.import_divisions(&u.actor, &text).await,
        Err(e) => Err(AppError::invalid("IMPORT_UNREADABLE", e.to_string())),
    };
    match imported {
        Ok(_) => Ok(Redirect::to("/console/admin/org").into_response()),
        Err(e) => {
            let none = OrgForm::default();
            org_refused(&s, &u, "division_import", None, &none, e).await
        }
    }
}

pub async fn create_department(
    State(s): State<AppState>,
    u: CurrentUser,
    Form(f): Form<OrgForm>,
) -> WebResult<Response> {
    u.require(Permission::ManageOrganisation)?;
    u.check_csrf(f.csrf.as_deref())?;
    let made = s
        .platform
        .create_department(
            &u.actor,
            f.name.as_deref().unwrap_or_default(),
            f.division.as_deref().unwrap_or_default(),
        )
        .await;
    match made {
        Ok(_) => Ok(Redirect::to("/console/admin/org").into_response()),
        Err(e) => org_refused(&s, &u, "department", None, &f, e).await,
    }
}

pub async fn update_department(
    State(s): State<AppState>,
    u: CurrentUser,
    Path(id): Path<i64>,
    Form(f): Form<OrgForm>,
) -> WebResult<Response> {
    u.require(Permission::ManageOrganisation)?;
    u.check_csrf(f.csrf.as_deref())?;
    let changed = s
        .platform
        .update_department(
            &u.actor,
            id,
            f.name.as_deref().unwrap_or_default(),
            f.active.as_deref() == Some("on"),
            f.reason.clone(),
        )
        .await;
    match changed {
        Ok(_) => Ok(Redirect::to("/console/admin/org").into_response()),
        Err(e) => org_refused(&s, &u, "department_update", Some(id), &f, e).await,
    }
}
