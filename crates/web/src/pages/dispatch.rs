//! The dispatch list of a drawn task: xlsx and CSV downloads and a printable 派发单 per
//! department (the browser's print, A4).

use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::WebResult;
use crate::pages::imports::download;
use crate::render::render;
use axum::extract::{Path, Query, State};
use axum::response::{Html, Response};
use minijinja::context;
use minijinja::value::Serde;
use serde::Deserialize;
use ssj_import::export::TableFormat;

/// `/console/tasks/{id}/dispatch.xlsx`
pub async fn xlsx(s: State<AppState>, u: CurrentUser, id: Path<i64>) -> WebResult<Response> {
    file(s, u, id, TableFormat::Xlsx).await
}

/// `/console/tasks/{id}/dispatch.csv`
pub async fn csv(s: State<AppState>, u: CurrentUser, id: Path<i64>) -> WebResult<Response> {
    file(s, u, id, TableFormat::Csv).await
}

async fn file(
    State(s): State<AppState>,
    u: CurrentUser,
    Path(id): Path<i64>,
    format: TableFormat,
) -> WebResult<Response> {
    let (d, bytes) = s.platform.dispatch_file(&u.actor, id, format).await?;
    Ok(download(
        bytes,
        format,
        &format!("{}-检查名单", d.task_code),
    ))
}

#[derive(Deserialize)]
pub struct SheetQuery {
    department: Option<String>,
}

/// `/console/tasks/{id}/dispatch`: the 派发单 of every department (or of `?department=`).
pub async fn sheets(
    State(s): State<AppState>,
    u: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<SheetQuery>,
) -> WebResult<Html<String>> {
    let mut d = s.platform.dispatch(&u.actor, id).await?;
    if let Some(dep) = q.department.as_deref().filter(|x| !x.is_empty()) {
        d.sheets.retain(|x| x.department == dep);
    }
    render(
        &s,
        "dispatch.html",
        Some(&u),
        "tasks",
        context! { d => Serde(&d), task_id => id },
    )
}
