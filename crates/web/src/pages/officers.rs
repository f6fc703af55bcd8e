//! 执法检查人员名录库: officers in scope with eligibility, leave and conflicts; personal data
//! (phone, ID number) only for roles allowed to see it.

use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::WebResult;
use crate::pages::imports::download;
use crate::render::render;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use minijinja::value::Serde;
use minijinja::{Value, context};
use serde::{Deserialize, Serialize};
use ssj_app::AppError;
use ssj_app::officers::{eligible, today};
use ssj_domain::Permission;
use ssj_import::export::TableFormat;
use ssj_storage::{Officer, OfficerFilter};
use std::collections::HashMap;

const PAGE: u64 = 50;

#[derive(Deserialize, Serialize, Default, Clone)]
pub struct OfficerQuery {
    q: Option<String>,
    department: Option<String>,
    active: Option<String>,
    page: Option<String>,
}

#[derive(Serialize)]
struct OfficerView {
    id: i64,
    name: String,
    department: String,
    level: &'static str,
    cert_no: String,
    cert_valid_until: String,
    expired: bool,
    on_leave: bool,
    eligible: bool,
    post: String,
    expertise: String,
    active: bool,
    phone: Option<String>,
    id_number: Option<String>,
}

fn view(o: &Officer, department: &str, day: &str, on_leave: bool, personal: bool) -> OfficerView {
    OfficerView {
        id: o.id,
        name: o.name.clone(),
        department: department.to_string(),
        level: o.level.label(),
        cert_no: o.cert_no.clone(),
        cert_valid_until: o.cert_valid_until.clone(),
        expired: o.cert_valid_until.as_str() < day,
        on_leave,
        eligible: eligible(o, day, on_leave),
        post: o.post.clone(),
        expertise: o.expertise.join("、"),
        active: o.active,
        phone: personal.then(|| o.phone.clone()),
        id_number: personal.then(|| o.id_number.clone()),
    }
}

pub async fn list(
    State(s): State<AppState>,
    u: CurrentUser,
    Query(q): Query<OfficerQuery>,
) -> WebResult<Html<String>> {
    u.require(Permission::ViewConsole)?;
    let p = &s.platform;
    let departments = p.departments_in_scope(&u.actor).await?;
    let names: HashMap<i64, String> = departments.iter().map(|d| (d.id, d.name.clone())).collect();
    let page = q
        .page
        .as_deref()
        .and_then(|p| p.parse::<u64>().ok())
        .unwrap_or(1)
        .max(1);
    let department = match q.department.as_deref().filter(|d| !d.is_empty()) {
        None => None,
        Some(d) => Some(
            d.parse::<i64>()
                .map_err(|_| AppError::invalid("BAD_NUMBER", "部门参数无效"))?,
        ),
    };
    let filter = OfficerFilter {
        department,
        q: q.q.clone(),
        active: match q.active.as_deref() {
            Some("1") => Some(true),
            Some("0") => Some(false),
            _ => None,
        },
        offset: (page - 1) * PAGE,
        limit: PAGE,
        ..Default::default()
    };
    let day = today();
    let ssj_app::officers::OfficerPage {
        rows: officers,
        total,
        counts: c,
    } = p.officer_page(&u.actor, filter, &day).await?;
    let counts = context! {
        total => c.total, eligible => c.eligible, expired => c.expired,
        on_leave => c.on_leave, inactive => c.inactive,
    };
    let personal = u.actor.can(Permission::ViewPersonalData);
    let views: Vec<OfficerView> = officers
        .iter()
        .map(|(o, on_leave)| {
            view(
                o,
                names
                    .get(&o.department_id)
                    .map(String::as_str)
                    .unwrap_or(""),
                &day,
                *on_leave,
                personal,
            )
        })
        .collect();
    let dept_options: Vec<Value> = departments
        .iter()
        .map(|d| context! { id => d.id, name => d.name.as_str(), selected => Some(d.id) == department })
        .collect();
    render(
        &s,
        "officers.html",
        Some(&u),
        "officers",
        context! {
            officers => Value::from(Serde(views)), total, counts, personal, page, pages => total.div_ceil(PAGE).max(1),
            q => Value::from(Serde(q.clone())), departments => dept_options,
            can_edit => u.actor.can(Permission::EditLists),
        },
    )
}

#[derive(Deserialize, Default)]
pub struct SavedQuery {
    saved: Option<String>,
}

pub async fn detail(
    State(s): State<AppState>,
    u: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<SavedQuery>,
) -> WebResult<Html<String>> {
    detail_page(&s, &u, id, q.saved.is_some(), None).await
}

/// A refused leave or conflict form: which one, why, and what was typed.
#[derive(Serialize)]
struct Refused {
    form: &'static str,
    message: String,
    values: HashMap<&'static str, String>,
}

async fn refused_page(
    s: &AppState,
    u: &CurrentUser,
    id: i64,
    form: &'static str,
    e: AppError,
    values: HashMap<&'static str, String>,
) -> WebResult<Response> {
    let status = crate::error::status_of(e.kind);
    let message = crate::pages::form_refusal(e)?;
    let refused = Refused {
        form,
        message,
        values,
    };
    let page = detail_page(s, u, id, false, Some(refused)).await?;
    Ok((status, page).into_response())
}

async fn detail_page(
    s: &AppState,
    u: &CurrentUser,
    id: i64,
    saved: bool,
    refused: Option<Refused>,
) -> WebResult<Html<String>> {
    u.require(Permission::ViewConsole)?;
    let p = &s.platform;
    let ssj_app::officers::OfficerDetail {
        officer: o,
        leaves,
        conflicts,
    } = p.officer_detail(&u.actor, id).await?;
    let department = p
        .department(o.department_id)
        .await?
        .map(|d| d.name)
        .unwrap_or_default();
    let day = today();
    let on_leave = leaves.iter().any(|l| l.from <= day && l.to >= day);
    let leaves: Vec<Value> = leaves
        .into_iter()
        .map(|l| context! { from => l.from, to => l.to, reason => l.reason })
        .collect();
    let conflicts: Vec<Value> = conflicts
        .into_iter()
        .map(|c| context! { code => c.object_code, reason => c.reason, at => ssj_app::clock::format_ms(c.declared_ms), by => c.declared_by })
        .collect();
    let personal = u.actor.can(Permission::ViewPersonalData);
    render(
        s,
        "officer_detail.html",
        Some(u),
        "officers",
        context! {
            o => Value::from(Serde(view(&o, &department, &day, on_leave, personal))), leaves, conflicts,
            can_edit => u.actor.can(Permission::EditLists),
            saved,
            refused => Value::from(Serde(&refused)),
        },
    )
}

#[derive(Deserialize)]
pub struct LeaveForm {
    csrf: Option<String>,
    from: Option<String>,
    to: Option<String>,
    reason: Option<String>,
}

pub async fn add_leave(
    State(s): State<AppState>,
    u: CurrentUser,
    Path(id): Path<i64>,
    Form(f): Form<LeaveForm>,
) -> WebResult<Response> {
    u.check_csrf(f.csrf.as_deref())?;
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let (from, to, reason) = (text(&f.from), text(&f.to), text(&f.reason));
    match s
        .platform
        .add_leave(&u.actor, id, &from, &to, &reason)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/console/officers/{id}")).into_response()),
        Err(e) => {
            let values = HashMap::from([("from", from), ("to", to), ("reason", reason)]);
            refused_page(&s, &u, id, "leave", e, values).await
        }
    }
}

#[derive(Deserialize)]
pub struct ConflictForm {
    csrf: Option<String>,
    code: Option<String>,
    reason: Option<String>,
}

pub async fn declare_conflict(
    State(s): State<AppState>,
    u: CurrentUser,
    Path(id): Path<i64>,
    Form(f): Form<ConflictForm>,
) -> WebResult<Response> {
    u.check_csrf(f.csrf.as_deref())?;
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let (code, reason) = (text(&f.code), text(&f.reason));
    match s
        .platform
        .declare_conflict(&u.actor, id, &code, &reason)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/console/officers/{id}")).into_response()),
        Err(e) => {
            let values = HashMap::from([("code", code), ("reason", reason)]);
            refused_page(&s, &u, id, "conflict", e, values).await
        }
    }
}

#[derive(Deserialize)]
pub struct ExportQuery {
    format: Option<String>,
    publication: Option<String>,
}

pub async fn export(
    State(s): State<AppState>,
    u: CurrentUser,
    Query(q): Query<ExportQuery>,
) -> WebResult<Response> {
    u.require(Permission::ViewConsole)?;
    let format = TableFormat::parse(q.format.as_deref().unwrap_or("xlsx"))
        .ok_or_else(|| AppError::invalid("FORMAT_UNKNOWN", "导出格式应为 xlsx 或 csv"))?;
    let publication = q.publication.as_deref() == Some("1");
    let bytes = s
        .platform
        .export_officers(&u.actor, publication, format)
        .await?;
    Ok(download(
        bytes,
        format,
        if publication {
            "执法检查人员名录-公示用"
        } else {
            "执法检查人员名录"
        },
    ))
}

pub async fn template(u: CurrentUser) -> WebResult<Response> {
    u.require(Permission::ViewConsole)?;
    let mut header = ssj_app::officers::OFFICER_EXPORT_HEADER.to_vec();
    header.extend_from_slice(ssj_app::officers::OFFICER_PERSONAL_HEADER);
    let empty = ssj_import::export::write_table(
        TableFormat::Xlsx,
        "执法检查人员名录",
        &header,
        std::iter::empty(),
    )
    .map_err(AppError::internal)?;
    Ok(download(empty, TableFormat::Xlsx, "执法检查人员名录-模板"))
}
