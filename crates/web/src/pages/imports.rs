//! Importing a list through the console, the same way for every list: upload, preview (nothing
//! written), then confirm all-or-nothing or the good rows only, and download the rejects.

use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::{WebError, WebResult};
use crate::render::render;
use axum::extract::Multipart;
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use minijinja::value::Serde;
use minijinja::{Value, context};
use serde::Deserialize;
use ssj_app::AppError;
use ssj_app::imports::{ImportMode, ImportSummary};
use ssj_domain::Permission;
use ssj_import::export::TableFormat;

/// The lists that import through this flow, named by their path segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListKind {
    Items,
    Objects,
    Officers,
}

impl ListKind {
    pub fn segment(self) -> &'static str {
        match self {
            ListKind::Items => "items",
            ListKind::Objects => "objects",
            ListKind::Officers => "officers",
        }
    }

    fn label(self) -> &'static str {
        match self {
            ListKind::Items => "随机抽查事项清单",
            ListKind::Objects => "检查对象名录",
            ListKind::Officers => "执法检查人员名录",
        }
    }

    fn context(self) -> Value {
        context! {
            segment => self.segment(),
            label => self.label(),
            objects => self == ListKind::Objects,
            officers => self == ListKind::Officers,
        }
    }

    async fn preview(
        self,
        s: &AppState,
        u: &CurrentUser,
        bytes: &[u8],
    ) -> Result<ImportSummary, AppError> {
        match self {
            ListKind::Items => s.platform.preview_items(&u.actor, bytes).await,
            ListKind::Objects => s.platform.preview_objects(bytes, false).await,
            ListKind::Officers => s.platform.preview_officers(&u.actor, bytes).await,
        }
    }
}

pub async fn form(s: AppState, u: CurrentUser, kind: ListKind) -> WebResult<Html<String>> {
    u.require(Permission::EditLists)?;
    form_page(&s, &u, kind, None, None)
}

/// The upload form, with why the last file was refused (and its name) when it was.
fn form_page(
    s: &AppState,
    u: &CurrentUser,
    kind: ListKind,
    error: Option<String>,
    file_name: Option<String>,
) -> WebResult<Html<String>> {
    render(
        s,
        "import.html",
        Some(u),
        kind.segment(),
        context! { kind => kind.context(), error, file_name },
    )
}

/// Receives the upload, keeps it, and shows what importing it would do.
pub async fn preview(
    s: AppState,
    u: CurrentUser,
    kind: ListKind,
    m: Multipart,
) -> WebResult<Response> {
    u.require(Permission::EditLists)?;
    let (csrf, file) = read_upload(m).await?;
    u.check_csrf(csrf.as_deref())?;
    let (name, bytes) = file
        .filter(|(_, b)| !b.is_empty())
        .ok_or_else(|| AppError::invalid("UPLOAD_EMPTY", "请选择要导入的文件（文件为空）"))?;
    let summary = match kind.preview(&s, &u, &bytes).await {
        Ok(summary) => summary,
        // A file that cannot be read as a list: said on the upload form, to pick another.
        Err(e) => {
            let status = crate::error::status_of(e.kind);
            let why = crate::pages::form_refusal(e)?;
            let page = form_page(&s, &u, kind, Some(why), Some(name))?;
            return Ok((status, page).into_response());
        }
    };
    let token = s
        .uploads
        .put(u.user.id, kind.segment(), name.clone(), bytes);
    Ok(render(
        &s,
        "import_preview.html",
        Some(&u),
        kind.segment(),
        context! {
            kind => kind.context(), token, file_name => name,
            summary => Value::from(Serde(&summary)), rejected => summary.rejected(),
        },
    )?
    .into_response())
}

fn uploaded(
    s: &AppState,
    u: &CurrentUser,
    kind: ListKind,
    token: &str,
) -> Result<(String, Vec<u8>), WebError> {
    s.uploads
        .get(u.user.id, kind.segment(), token)
        .ok_or_else(|| {
            AppError::not_found(
                "UPLOAD_EXPIRED",
                "上传的文件已过期（保留 30 分钟）或不是在此清单预览的文件，请重新上传",
            )
            .into()
        })
}

#[derive(Deserialize)]
pub struct ConfirmForm {
    pub(crate) csrf: Option<String>,
    mode: Option<String>,
    flagged: Option<String>,
}

pub async fn confirm(
    s: AppState,
    u: CurrentUser,
    kind: ListKind,
    token: String,
    f: ConfirmForm,
) -> WebResult<Response> {
    u.require(Permission::EditLists)?;
    u.check_csrf(f.csrf.as_deref())?;
    let (_, bytes) = uploaded(&s, &u, kind, &token)?;
    let mode = if f.mode.as_deref() == Some("good") {
        ImportMode::GoodRows
    } else {
        ImportMode::AllOrNothing
    };
    let summary = match kind {
        ListKind::Items => s.platform.import_items(&u.actor, &bytes, mode).await?,
        ListKind::Objects => {
            s.platform
                .import_objects(&u.actor, bytes, mode, f.flagged.as_deref() == Some("1"))
                .await?
        }
        ListKind::Officers => s.platform.import_officers(&u.actor, &bytes, mode).await?,
    };
    s.uploads.remove(&token);
    render(
        &s,
        "import_done.html",
        Some(&u),
        kind.segment(),
        context! {
            kind => kind.context(), summary => Value::from(Serde(&summary)),
        },
    )
    .map(IntoResponse::into_response)
}

pub async fn rejects(
    s: AppState,
    u: CurrentUser,
    kind: ListKind,
    token: String,
) -> WebResult<Response> {
    u.require(Permission::EditLists)?;
    let (name, bytes) = uploaded(&s, &u, kind, &token)?;
    // Read once already when it was previewed.
    let summary = kind.preview(&s, &u, &bytes).await?;
    let file = s.platform.rejects_file(&bytes, &summary.rejects).await?;
    let stem = name
        .rsplit_once('.')
        .map(|(s, _)| s)
        .unwrap_or(&name)
        .to_string();
    Ok(download(
        file,
        TableFormat::Xlsx,
        &format!("{stem}-被拒绝的行"),
    ))
}

/// A file download with a Chinese file name (RFC 6266 `filename*`).
pub fn download(bytes: Vec<u8>, f: TableFormat, stem: &str) -> Response {
    let name = format!("{stem}.{}", f.extension());
    let disposition = format!(
        "attachment; filename=\"download.{}\"; filename*=UTF-8''{}",
        f.extension(),
        crate::auth::urlencode(&name)
    );
    (
        [
            (header::CONTENT_TYPE, f.content_type().to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response()
}

/// The CSRF token and the file (name, bytes) of an upload form.
pub async fn read_upload(
    mut m: Multipart,
) -> Result<(Option<String>, Option<(String, Vec<u8>)>), AppError> {
    let bad = |_| AppError::invalid("UPLOAD_INVALID", "上传内容无法读取，请重新选择文件");
    let (mut csrf, mut file) = (None, None);
    while let Some(field) = m.next_field().await.map_err(bad)? {
        match field.name() {
            Some("csrf") => csrf = Some(field.text().await.map_err(bad)?),
            Some("file") => {
                let name = field.file_name().unwrap_or("清单").to_string();
                file = Some((name, field.bytes().await.map_err(bad)?.to_vec()));
            }
            _ => {}
        }
    }
    Ok((csrf, file))
}
