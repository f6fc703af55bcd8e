//! Login, logout, the console home, one's own account, and the section pages.

use crate::AppState;
use crate::auth::{
    Client, CurrentUser, LOGIN_CSRF_COOKIE, SESSION_COOKIE, constant_time_eq, cookie, csrf_error,
    safe_next, set_cookie,
};
use crate::error::{WebResult, status_of};
use crate::render::render;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use minijinja::context;
use minijinja::value::Serde;
use serde::Deserialize;
use ssj_app::{AppError, LoginOutcome, keys};
use ssj_domain::Permission;
use ssj_domain::Username;

#[derive(Deserialize, Default)]
pub struct NextQuery {
    next: Option<String>,
}

/// The login page. `username` re-fills the field only if it is of a valid form, so that
/// nothing a client sends is echoed back at length.
fn login_form(
    s: &AppState,
    client: &Client,
    next: &str,
    error: Option<&AppError>,
    username: &str,
    status: StatusCode,
) -> WebResult<Response> {
    let username = Username::parse(username)
        .map(|u| u.as_str().to_string())
        .unwrap_or_default();
    let token = keys::random_hex(16);
    let page = render(
        s,
        "login.html",
        None,
        "",
        context! {
            csrf => token.clone(),
            next,
            username,
            error => error.map(|e| context! { code => e.code, message => e.message.clone() }),
        },
    )?;
    let c = set_cookie(
        LOGIN_CSRF_COOKIE,
        &token,
        client.secure_cookies(&s.config),
        Some(3600),
    );
    Ok((status, [(header::SET_COOKIE, c)], page).into_response())
}

pub async fn login_page(
    State(s): State<AppState>,
    client: Client,
    user: Option<CurrentUser>,
    Query(q): Query<NextQuery>,
) -> WebResult<Response> {
    let next = safe_next(q.next.as_deref());
    if user.is_some() {
        return Ok(Redirect::to(&next).into_response());
    }
    login_form(&s, &client, &next, None, "", StatusCode::OK)
}

#[derive(Deserialize)]
pub struct LoginForm {
    username: Option<String>,
    password: Option<String>,
    csrf: Option<String>,
    next: Option<String>,
}

pub async fn login(
    State(s): State<AppState>,
    client: Client,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> WebResult<Response> {
    let next = safe_next(f.next.as_deref());
    let username = f.username.unwrap_or_default();
    let expected = cookie(&headers, LOGIN_CSRF_COOKIE).unwrap_or_default();
    let submitted = f.csrf.unwrap_or_default();
    let form = |e: &AppError, status| login_form(&s, &client, &next, Some(e), &username, status);
    if expected.is_empty() || !constant_time_eq(expected.as_bytes(), submitted.as_bytes()) {
        return form(&csrf_error().0, StatusCode::FORBIDDEN);
    }
    let password = f.password.unwrap_or_default();
    if username.trim().is_empty() || password.is_empty() {
        let e = AppError::invalid("LOGIN_INCOMPLETE", "请输入用户名和密码");
        return form(&e, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let secure = client.secure_cookies(&s.config);
    match s
        .platform
        .login(&client.address, &username, &password)
        .await?
    {
        LoginOutcome::LoggedIn { token, .. } => {
            let session = set_cookie(SESSION_COOKIE, &token, secure, None);
            let clear = set_cookie(LOGIN_CSRF_COOKIE, "", secure, Some(0));
            let mut r = Redirect::to(&next).into_response();
            r.headers_mut()
                .append(header::SET_COOKIE, session.parse().expect("cookie"));
            r.headers_mut()
                .append(header::SET_COOKIE, clear.parse().expect("cookie"));
            Ok(r)
        }
        LoginOutcome::Refused(e) => form(&e, status_of(e.kind)),
        LoginOutcome::Throttled {
            error,
            retry_after_s,
        } => {
            let mut r = form(&error, StatusCode::TOO_MANY_REQUESTS)?;
            r.headers_mut()
                .insert(header::RETRY_AFTER, retry_after_s.max(1).into());
            Ok(r)
        }
    }
}

#[derive(Deserialize)]
pub struct CsrfForm {
    csrf: Option<String>,
}

pub async fn logout(
    State(s): State<AppState>,
    client: Client,
    u: CurrentUser,
    Form(f): Form<CsrfForm>,
) -> WebResult<Response> {
    u.check_csrf(f.csrf.as_deref())?;
    s.platform.logout(&u.token).await?;
    let clear = set_cookie(
        SESSION_COOKIE,
        "",
        client.secure_cookies(&s.config),
        Some(0),
    );
    Ok(([(header::SET_COOKIE, clear)], Redirect::to("/login")).into_response())
}

#[derive(serde::Serialize)]
struct TodoView {
    id: i64,
    code: String,
    name: String,
    department: String,
    window: String,
    own: bool,
}

pub async fn home(State(s): State<AppState>, u: CurrentUser) -> WebResult<Html<String>> {
    let p = &s.platform;
    let department = p.department(u.user.department_id).await?;
    let bench = p.workbench(&u.actor).await?;
    let names = p.department_names().await?;
    let view = |t: &ssj_app::workbench::TaskTodo| TodoView {
        id: t.task.id,
        code: t.task.code.clone(),
        name: t.task.name.clone(),
        department: names
            .get(&t.task.department_id)
            .cloned()
            .unwrap_or_default(),
        window: format!("{} 至 {}", t.window_from, t.window_to),
        own: t.own,
    };
    let to_draw: Vec<TodoView> = bench.to_draw.iter().map(view).collect();
    let under_way: Vec<TodoView> = bench.under_way.iter().map(view).collect();
    let substitutions: Vec<minijinja::Value> = bench
        .substitutions
        .iter()
        .map(|t| {
            context! {
                id => t.task.id, name => t.task.name.clone(), code => t.task.code.clone(),
                officers => t.officers.clone(), objects => t.objects.clone(),
            }
        })
        .collect();
    let a = &u.actor;
    render(
        &s,
        "console_home.html",
        Some(&u),
        "",
        context! {
            department => department.map(|d| d.name),
            scope => u.actor.scope.label(),
            to_draw => Serde(to_draw),
            under_way => Serde(under_way),
            substitutions,
            item_changes => bench.unpublished_item_changes,
            locked => bench.locked_accounts,
            can_plan => a.can(Permission::PlanTasks),
            can_edit => a.can(Permission::EditLists),
            can_manage => a.can(Permission::ManageUsers),
            can_audit => a.can(Permission::ViewAuditLog),
            audit_size => p.audit_size().await?,
        },
    )
}

pub async fn account(State(s): State<AppState>, u: CurrentUser) -> WebResult<Html<String>> {
    account_page(&s, &u, None)
}

/// The password form, with why a change is due and the last attempt's refusal, if any.
fn account_page(s: &AppState, u: &CurrentUser, error: Option<&str>) -> WebResult<Html<String>> {
    render(
        s,
        "account.html",
        Some(u),
        "",
        context! { change_due => s.platform.password_change_due(&u.user), error },
    )
}

#[derive(Deserialize)]
pub struct PasswordForm {
    csrf: Option<String>,
    current: Option<String>,
    new_password: Option<String>,
    confirm: Option<String>,
}

pub async fn change_password(
    State(s): State<AppState>,
    client: Client,
    u: CurrentUser,
    Form(f): Form<PasswordForm>,
) -> WebResult<Response> {
    u.check_csrf(f.csrf.as_deref())?;
    let new = f.new_password.unwrap_or_default();
    let changed = if Some(&new) != f.confirm.as_ref() {
        Err(AppError::invalid(
            "PASSWORD_MISMATCH",
            "两次输入的新密码不一致",
        ))
    } else {
        s.platform
            .set_password(&u.actor, u.user.id, f.current.as_deref(), &new)
            .await
    };
    if let Err(e) = changed {
        // The form again, saying why (the typed passwords are not sent back).
        let status = crate::error::status_of(e.kind);
        return Ok((status, account_page(&s, &u, Some(&e.message))?).into_response());
    }
    let clear = set_cookie(
        SESSION_COOKIE,
        "",
        client.secure_cookies(&s.config),
        Some(0),
    );
    Ok(([(header::SET_COOKIE, clear)], Redirect::to("/login")).into_response())
}
