//! The public side of the draw: every task with every draw and its reason, the export zip,
//! and the verification page (an uploaded export recomputed, or one company's place in a draw).

use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::{WebResult, error_page};
use crate::pages::imports::read_upload;
use crate::pages::task_view::{draw_views, status_label, task_view};
use crate::render::render;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use minijinja::context;
use minijinja::value::Serde;
use serde::{Deserialize, Serialize};
use ssj_app::{AppError, clock};
use ssj_storage::{DrawStatus, Task};

#[derive(Serialize)]
struct PublicRow {
    code: String,
    name: String,
    department: String,
    status: &'static str,
    created: String,
}

pub async fn list(State(s): State<AppState>, u: Option<CurrentUser>) -> WebResult<Html<String>> {
    let p = &s.platform;
    let departments = p.departments().await?;
    let rows: Vec<PublicRow> = p
        .tasks()
        .await?
        .into_iter()
        .map(|t| PublicRow {
            department: departments
                .iter()
                .find(|d| d.id == t.department_id)
                .map(|d| d.name.clone())
                .unwrap_or_default(),
            status: status_label(t.status),
            created: clock::format_ms(t.created_ms),
            code: t.code,
            name: t.name,
        })
        .collect();
    render(
        &s,
        "public_tasks.html",
        u.as_ref(),
        "",
        context! { tasks => Serde(&rows) },
    )
}

async fn by_code(s: &AppState, code: &str) -> WebResult<Task> {
    Ok(s.platform.task_by_code(code).await?)
}

pub async fn detail(
    State(s): State<AppState>,
    u: Option<CurrentUser>,
    Path(code): Path<String>,
) -> WebResult<Html<String>> {
    let p = &s.platform;
    let task = by_code(&s, &code).await?;
    let view = task_view(p, &task).await?;
    let draws = draw_views(p, &p.draws(task.id).await?).await?;
    render(
        &s,
        "public_task.html",
        u.as_ref(),
        "",
        // `public`: no staff usernames on a public page (the 递补 table's 操作人 column).
        context! { t => Serde(&view), draws => Serde(&draws), public => true },
    )
}

#[derive(Deserialize)]
pub struct RoundQuery {
    round: Option<i64>,
}

/// The export folder of the task's current draw (or of `?round=N`) as a zip.
pub async fn export_zip(
    State(s): State<AppState>,
    Path(code): Path<String>,
    Query(q): Query<RoundQuery>,
) -> WebResult<Response> {
    let p = &s.platform;
    let task = by_code(&s, &code).await?;
    let draws = p.draws(task.id).await?;
    let draw = match q.round {
        Some(r) => draws.iter().find(|d| d.round == r),
        None => draws.iter().rev().find(|d| d.status == DrawStatus::Drawn),
    }
    .ok_or_else(|| AppError::not_found("DRAW_NOT_FOUND", "该任务还没有完成的抽取"))?;
    let export = p.public_zip(draw.id).await?;
    let folder = format!("{}-{}", task.code, draw.round);
    Ok((
        [
            (header::CONTENT_TYPE, "application/zip".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{folder}.zip\""),
            ),
            // The zip's SHA-256, so that a download can be checked against the task page.
            (header::ETAG, format!("\"{}\"", export.digest)),
        ],
        export.bytes,
    )
        .into_response())
}

/// The task's last completed draw, or DRAW_NOT_FOUND.
pub(crate) async fn last_drawn(
    p: &ssj_app::Platform,
    task_id: i64,
) -> WebResult<ssj_storage::Draw> {
    Ok(p.draws(task_id)
        .await?
        .into_iter()
        .rev()
        .find(|d| d.status == DrawStatus::Drawn)
        .ok_or_else(|| AppError::not_found("DRAW_NOT_FOUND", "该任务还没有完成的抽取"))?)
}

/// An export folder as a zip download named `{folder}.zip`.
pub(crate) fn zip_download(
    folder: &str,
    files: &std::collections::BTreeMap<String, Vec<u8>>,
) -> WebResult<Response> {
    let zip = ssj_app::draws::zip::pack(folder, files)?;
    let disposition = format!("attachment; filename=\"{folder}.zip\"");
    Ok((
        [
            (header::CONTENT_TYPE, "application/zip".to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        zip,
    )
        .into_response())
}

#[derive(Deserialize, Serialize, Default)]
pub struct LookupQuery {
    /// A company's name or code.
    q: Option<String>,
    /// Optionally one task's number.
    task: Option<String>,
}

#[derive(Serialize)]
struct Outcome {
    ok: bool,
    /// Everything but the teams recomputed (no conflicts.csv): not "一致".
    partial: bool,
    /// The file could not be read at all: nothing was compared, so not "不一致" either.
    refused: bool,
    message: String,
    file: String,
}

/// A company's place in one task's draw, as the page shows it.
#[derive(Serialize)]
struct Placed {
    task_code: String,
    task_name: String,
    standing: &'static str,
    lookup: ssj_app::draws::lookup::Lookup,
}

/// The verification page; with `?q=` it also finds a company (by name or code) in the draws of
/// every task, or of `task=` alone.
pub async fn verify_page(
    State(s): State<AppState>,
    u: Option<CurrentUser>,
    Query(q): Query<LookupQuery>,
) -> WebResult<Html<String>> {
    let query = q.q.as_deref().unwrap_or("").trim();
    let task = q.task.as_deref().unwrap_or("").trim();
    let mut found: Option<Vec<Placed>> = None;
    let mut lookup_error = None;
    if !query.is_empty() {
        match place(&s, query, task).await {
            Ok(l) => found = Some(l),
            Err(e) => lookup_error = Some(e.0.message),
        }
    }
    render(
        &s,
        "public_verify.html",
        u.as_ref(),
        "",
        context! { q => Serde(&q), found => Serde(&found), lookup_error => lookup_error, outcome => Serde(&None::<Outcome>) },
    )
}

async fn place(s: &AppState, query: &str, task: &str) -> WebResult<Vec<Placed>> {
    let p = &s.platform;
    let mut found = p.lookup_everywhere(query).await?;
    if !task.is_empty() {
        let t = by_code(s, task).await?;
        found.retain(|(x, _)| x.id == t.id);
    }
    Ok(found
        .into_iter()
        .map(|(t, l)| Placed {
            task_code: t.code,
            task_name: t.name,
            standing: ssj_app::draws::lookup::standing_label(&l.standing),
            lookup: l,
        })
        .collect())
}

/// Recomputes an uploaded export zip on the server and says whether every file matches.
pub async fn verify_upload(
    State(s): State<AppState>,
    u: Option<CurrentUser>,
    m: Multipart,
) -> WebResult<Response> {
    let (_, file) = read_upload(m).await?;
    let (_, bytes) = file
        .ok_or_else(|| AppError::invalid("UPLOAD_EMPTY", "请选择从任务公开页面下载的 zip 文件"))?;
    // Unpacking and recomputing take seconds and up to MAX_TOTAL_BYTES each: a few at a time,
    // off the async workers, so the rest of the site keeps answering.
    let Ok(slot) = s.verify_slots.clone().try_acquire_owned() else {
        tracing::warn!(code = "VERIFY_BUSY", "all verification slots busy");
        let mut busy = error_page(
            StatusCode::SERVICE_UNAVAILABLE,
            "VERIFY_BUSY",
            "校验服务繁忙，请稍后再试",
        );
        busy.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("10"));
        return Ok(busy);
    };
    let work = tokio::task::spawn_blocking(move || {
        // Held until the work ends, even if the client has gone and this handler was dropped.
        let _slot = slot;
        unpack_and_verify(&bytes)
    });
    let (status, outcome) = work.await.unwrap_or_else(|e| {
        (
            StatusCode::INTERNAL_SERVER_ERROR,
            Outcome {
                ok: false,
                partial: false,
                refused: true,
                message: format!("复算中断：{e}"),
                file: String::new(),
            },
        )
    });
    let page = render(
        &s,
        "public_verify.html",
        u.as_ref(),
        "",
        context! { q => Serde(&LookupQuery::default()), found => Serde(&None::<()>), lookup_error => None::<String>, outcome => Serde(&Some(outcome)) },
    )?;
    Ok((status, page).into_response())
}

/// A refused zip is 422; a zip that unpacks gets 200 whether or not its draw recomputes.
fn unpack_and_verify(bytes: &[u8]) -> (StatusCode, Outcome) {
    let files = match ssj_app::draws::zip::unpack(bytes) {
        Ok(files) => files,
        Err(e) => {
            tracing::info!(code = e.code, "verification upload refused");
            let refused = Outcome {
                ok: false,
                partial: false,
                refused: true,
                message: e.message,
                file: String::new(),
            };
            return (StatusCode::UNPROCESSABLE_ENTITY, refused);
        }
    };
    let outcome = match ssj_draw::verify(&files) {
        Ok(v) => Outcome {
            ok: true,
            partial: !v.teams_rechecked,
            refused: false,
            message: format!("{}。种子 {}", v.verdict(), v.manifest.seed),
            file: String::new(),
        },
        Err(e) => Outcome {
            ok: false,
            partial: false,
            refused: false,
            message: e.reason,
            file: e.file,
        },
    };
    (StatusCode::OK, outcome)
}
