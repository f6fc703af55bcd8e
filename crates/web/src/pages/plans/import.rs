//! Importing a plan table in the console: upload the Word or Excel file, or paste the table;
//! the preview lists every task as read with its flags, and each name the directories could
//! not match with a choice to make once. Nothing is stored until 确认创建; a refused
//! confirmation shows the same preview with its reasons. The same pages replace the tasks of a
//! draft or a revision (`plan` = its id).

use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::WebResult;
use crate::pages::tasks::Fields;
use crate::render::render;
use axum::body::Bytes;
use axum::extract::{Multipart, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use minijinja::context;
use minijinja::value::Serde;
use serde::{Deserialize, Serialize};
use ssj_app::plans::import::{Choice, Mappings, NewPlan, PlanPreview, plan_text, title_and_year};
use ssj_app::{AppError, clock};
use ssj_domain::Permission;

/// What the import form carries from page to page.
#[derive(Debug, Clone, Default, Serialize)]
struct Draft {
    text: String,
    year: String,
    department: String,
    title: String,
    completion: String,
    /// The plan whose tasks this replaces (a draft or a revision), if any.
    plan: String,
    plan_code: String,
}

#[derive(Deserialize)]
pub struct FormQuery {
    plan: Option<String>,
}

pub async fn form(
    State(s): State<AppState>,
    u: CurrentUser,
    Query(q): Query<FormQuery>,
) -> WebResult<Html<String>> {
    u.require(Permission::PlanTasks)?;
    let mut draft = Draft {
        department: u.user.department_id.to_string(),
        ..Default::default()
    };
    if let Some(plan) = q.plan.filter(|p| !p.trim().is_empty()) {
        let view = s.platform.plan(&u.actor, &plan).await?;
        draft.plan = view.plan.id.to_string();
        draft.plan_code = view.plan.code.clone();
    }
    form_page(&s, &u, &draft, None).await
}

async fn owners(s: &AppState, u: &CurrentUser) -> Result<Vec<Choice>, AppError> {
    let mut out: Vec<Choice> = s
        .platform
        .departments_in_scope(&u.actor)
        .await?
        .into_iter()
        .filter(|d| d.active)
        .map(|d| Choice {
            id: d.id,
            name: d.name,
        })
        .collect();
    if u.actor.scope == ssj_domain::DataScope::All {
        out.insert(
            0,
            Choice {
                id: 0,
                name: ssj_app::plans::LEADING_OFFICE.into(),
            },
        );
    }
    Ok(out)
}

async fn form_page(
    s: &AppState,
    u: &CurrentUser,
    draft: &Draft,
    error: Option<String>,
) -> WebResult<Html<String>> {
    render(
        s,
        "plan_import.html",
        Some(u),
        "plans",
        context! {
            d => Serde(draft),
            owners => Serde(&owners(s, u).await?),
            year => clock::today()[..4].to_string(),
            error,
        },
    )
}

/// Reads the upload form: the file (if one was chosen) or the pasted text, and the fields.
async fn read_form(mut m: Multipart) -> Result<(Option<String>, Draft), AppError> {
    let bad = |_| AppError::invalid("UPLOAD_INVALID", "上传内容无法读取，请重新选择文件");
    let mut csrf = None;
    let mut draft = Draft::default();
    let mut file: Option<Vec<u8>> = None;
    while let Some(field) = m.next_field().await.map_err(bad)? {
        let name = field.name().unwrap_or("").to_string();
        if name == "file" {
            let bytes = field.bytes().await.map_err(bad)?;
            if !bytes.is_empty() {
                file = Some(bytes.to_vec());
            }
            continue;
        }
        let value = field.text().await.map_err(bad)?;
        match name.as_str() {
            "csrf" => csrf = Some(value),
            "text" => draft.text = value,
            "year" => draft.year = value.trim().into(),
            "department" => draft.department = value.trim().into(),
            "title" => draft.title = value.trim().into(),
            "plan" => draft.plan = value.trim().into(),
            _ => {}
        }
    }
    if let Some(bytes) = file {
        draft.text = plan_text(&bytes)?;
    } else if draft.text.trim().is_empty() {
        return Err(AppError::invalid(
            "PLAN_FILE",
            "请上传计划表文件（docx、xlsx、xls），或把表格粘贴到文本框中",
        ));
    }
    Ok((csrf, draft))
}

/// The upload: read the file or the text, then the preview.
pub async fn upload(
    State(s): State<AppState>,
    u: CurrentUser,
    m: Multipart,
) -> WebResult<Response> {
    u.require(Permission::PlanTasks)?;
    let (csrf, mut draft) = match read_form(m).await {
        Ok(x) => x,
        Err(e) => {
            let status = crate::error::status_of(e.kind);
            let why = crate::pages::form_refusal(e)?;
            let draft = Draft {
                department: u.user.department_id.to_string(),
                ..Default::default()
            };
            return Ok((status, form_page(&s, &u, &draft, Some(why)).await?).into_response());
        }
    };
    u.check_csrf(csrf.as_deref())?;
    let (title, year) = title_and_year(&draft.text);
    if draft.title.is_empty() {
        draft.title = title.unwrap_or_default();
    }
    if draft.year.is_empty() {
        draft.year = year
            .map(|y| y.to_string())
            .unwrap_or_else(|| clock::today()[..4].to_string());
    }
    preview_page(&s, &u, draft, &Mappings::new(), None).await
}

fn owner_id(draft: &Draft) -> Option<i64> {
    draft.department.parse::<i64>().ok().filter(|id| *id > 0)
}

fn year_of(draft: &Draft) -> Result<u32, AppError> {
    draft
        .year
        .trim()
        .parse()
        .map_err(|_| AppError::invalid("PLAN_YEAR", format!("计划年度“{}”不是年份", draft.year)))
}

#[derive(Serialize)]
struct UnresolvedView<'a> {
    key: &'a str,
    written: &'a str,
    context: &'a str,
    suggestions: &'a [Choice],
    chosen: Option<i64>,
}

#[derive(Serialize)]
struct ChosenView {
    key: String,
    id: i64,
    written: String,
    target: String,
}

fn unresolved<'a>(
    list: &'a [ssj_app::plans::import::Unresolved],
    mappings: &Mappings,
) -> Vec<UnresolvedView<'a>> {
    list.iter()
        .map(|x| UnresolvedView {
            key: &x.key,
            written: &x.written,
            context: &x.context,
            suggestions: &x.suggestions,
            chosen: mappings.get(&x.key).copied(),
        })
        .collect()
}

async fn preview_page(
    s: &AppState,
    u: &CurrentUser,
    mut draft: Draft,
    mappings: &Mappings,
    error: Option<String>,
) -> WebResult<Response> {
    let p = &s.platform;
    if let Ok(id) = draft.plan.parse::<i64>() {
        let view = p.plan(&u.actor, &id.to_string()).await?;
        draft.plan_code = view.plan.code.clone();
        draft.year = view.plan.year.to_string();
        draft.department = view.plan.department_id.unwrap_or(0).to_string();
    }
    let preview: PlanPreview = match year_of(&draft) {
        Ok(year) => match p
            .preview_plan(&u.actor, &draft.text, year, owner_id(&draft), mappings)
            .await
        {
            Ok(preview) => preview,
            Err(e) => return refused_form(s, u, draft, e).await,
        },
        Err(e) => return refused_form(s, u, draft, e).await,
    };
    if draft.completion.is_empty() {
        draft.completion = preview.completion_date.clone();
    }
    let departments: Vec<Choice> = p
        .departments()
        .await?
        .into_iter()
        .filter(|d| d.active)
        .map(|d| Choice {
            id: d.id,
            name: d.name,
        })
        .collect();
    let items: Vec<Choice> = match p.published_items_version().await? {
        Some(v) => p
            .version_items(Some(&u.actor), v.id)
            .await?
            .into_iter()
            .filter(|i| !i.retired)
            .map(|i| Choice {
                id: i.id,
                name: format!("{}（{}）", i.name, i.department),
            })
            .collect(),
        None => Vec::new(),
    };
    // The choices already made travel with the form (their names no longer need a choice).
    let chosen: Vec<ChosenView> = mappings
        .iter()
        .filter_map(|(key, id)| {
            let (kind, written) = key.split_once(':')?;
            let list = if kind == "department" {
                &departments
            } else {
                &items
            };
            let target = list.iter().find(|c| c.id == *id)?.name.clone();
            Some(ChosenView {
                key: key.clone(),
                id: *id,
                written: written.to_string(),
                target,
            })
        })
        .collect();
    let page = render(
        s,
        "plan_preview.html",
        Some(u),
        "plans",
        context! {
            d => Serde(&draft),
            preview => Serde(&preview),
            ready => preview.ready(),
            kind_label => preview.kind.label(),
            unresolved_departments => Serde(&unresolved(&preview.departments, mappings)),
            unresolved_items => Serde(&unresolved(&preview.items, mappings)),
            departments => Serde(&departments),
            items => Serde(&items),
            owners => Serde(&owners(s, u).await?),
            chosen => Serde(&chosen),
            error,
        },
    )?;
    let status = if preview.ready() {
        axum::http::StatusCode::OK
    } else {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((status, page).into_response())
}

async fn refused_form(
    s: &AppState,
    u: &CurrentUser,
    draft: Draft,
    e: AppError,
) -> WebResult<Response> {
    let status = crate::error::status_of(e.kind);
    let why = crate::pages::form_refusal(e)?;
    Ok((status, form_page(s, u, &draft, Some(why)).await?).into_response())
}

/// The preview's form: another preview with the choices made, or the confirmation.
pub async fn confirm(
    State(s): State<AppState>,
    u: CurrentUser,
    body: Bytes,
) -> WebResult<Response> {
    let f = Fields::parse(&body);
    u.check_csrf(Some(&f.one("csrf")))?;
    u.require(Permission::PlanTasks)?;
    let draft = Draft {
        text: f.raw("text"),
        year: f.one("year"),
        department: f.one("department"),
        title: f.one("title"),
        completion: f.one("completion"),
        plan: f.one("plan"),
        plan_code: String::new(),
    };
    let mut mappings = Mappings::new();
    for (key, value) in f.pairs() {
        if let (Some(k), Ok(id)) = (key.strip_prefix("map."), value.trim().parse::<i64>()) {
            mappings.insert(k.to_string(), id);
        }
    }
    if f.one("action") != "confirm" {
        return preview_page(&s, &u, draft, &mappings, None).await;
    }
    let done = match draft.plan.parse::<i64>() {
        Ok(plan_id) => s
            .platform
            .reimport_plan(&u.actor, plan_id, &draft.text, &mappings)
            .await
            .map(|_| plan_id),
        Err(_) => match year_of(&draft) {
            Ok(year) => s
                .platform
                .import_plan(
                    &u.actor,
                    &draft.text,
                    NewPlan {
                        title: draft.title.clone(),
                        year,
                        department_id: owner_id(&draft),
                        division: None,
                        completion_date: Some(draft.completion.clone()),
                        kind: None,
                    },
                    &mappings,
                )
                .await
                .map(|(plan, _)| plan.id),
            Err(e) => Err(e),
        },
    };
    match done {
        Ok(id) => Ok(Redirect::to(&format!("/console/plans/{id}")).into_response()),
        Err(e) => {
            let why = crate::pages::form_refusal(e)?;
            preview_page(&s, &u, draft, &mappings, Some(why)).await
        }
    }
}
