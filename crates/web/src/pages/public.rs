//! The public portal: no login.

use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::{ApiError, WebResult, error_page};
use crate::render::render;
use axum::Json;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use minijinja::value::Serde;
use minijinja::{Value, context};
use serde::Deserialize;
use ssj_app::audit::CheckpointView;

pub async fn home(State(s): State<AppState>, user: Option<CurrentUser>) -> WebResult<Html<String>> {
    let checkpoint = s
        .platform
        .latest_checkpoint()
        .await?
        .as_ref()
        .map(CheckpointView::from);
    render(
        &s,
        "public_home.html",
        user.as_ref(),
        "",
        context! { checkpoint => Value::from(Serde(&checkpoint)) },
    )
}

pub async fn audit(
    State(s): State<AppState>,
    user: Option<CurrentUser>,
) -> WebResult<Html<String>> {
    let p = &s.platform;
    let all = p.checkpoints().await?;
    let checkpoints: Vec<CheckpointView> = all
        .iter()
        .rev()
        .take(100)
        .map(CheckpointView::from)
        .collect();
    render(
        &s,
        "public_audit.html",
        user.as_ref(),
        "",
        context! {
            checkpoints => Value::from(Serde(&checkpoints)),
            checkpoint_count => all.len(),
            public_key => hex::encode(p.public_key()),
            hash_alg => p.alg.name(),
            size => p.audit_size().await?,
        },
    )
}

pub async fn api_checkpoint(State(s): State<AppState>) -> Result<Response, ApiError> {
    let c = s.platform.latest_checkpoint().await?;
    Ok(Json(serde_json::json!({
        "hash_alg": s.platform.alg.name(),
        "public_key": hex::encode(s.platform.public_key()),
        "checkpoint": c.as_ref().map(CheckpointView::from),
    }))
    .into_response())
}

#[derive(Deserialize)]
pub struct ConsistencyQuery {
    from: Option<String>,
    to: Option<String>,
}

fn parse_size(raw: Option<&str>, name: &str) -> Result<Option<u64>, ApiError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => s.parse().map(Some).map_err(|_| {
            ApiError(ssj_app::AppError::invalid(
                "BAD_NUMBER",
                format!("参数 {name} 应为非负整数"),
            ))
        }),
    }
}

/// Consistency between two log sizes: hashes only, so public.
pub async fn api_consistency(
    State(s): State<AppState>,
    Query(q): Query<ConsistencyQuery>,
) -> Result<Response, ApiError> {
    let from = parse_size(q.from.as_deref(), "from")?
        .ok_or_else(|| ApiError(ssj_app::AppError::invalid("BAD_NUMBER", "缺少参数 from")))?;
    let to = parse_size(q.to.as_deref(), "to")?;
    Ok(Json(s.platform.consistency_proof(from, to).await?).into_response())
}

/// `/api/v1/audit/checkpoints`: every signed checkpoint with its signature.
pub async fn api_v1_checkpoints(State(s): State<AppState>) -> Result<Response, ApiError> {
    Ok(Json(s.platform.public_checkpoints().await?).into_response())
}

#[derive(Deserialize)]
pub struct RecordsQuery {
    from_seq: Option<String>,
    limit: Option<String>,
}

/// `/api/v1/audit/records`: the records public by nature, with inclusion proofs.
pub async fn api_v1_records(
    State(s): State<AppState>,
    Query(q): Query<RecordsQuery>,
) -> Result<Response, ApiError> {
    let from = parse_size(q.from_seq.as_deref(), "from_seq")?.unwrap_or(0);
    let limit =
        parse_size(q.limit.as_deref(), "limit")?.unwrap_or(ssj_app::audit::public::PUBLIC_PAGE_MAX);
    Ok(Json(s.platform.public_records(from, limit).await?).into_response())
}

#[derive(Deserialize)]
pub struct PublicInclusionQuery {
    seq: Option<String>,
    size: Option<String>,
}

/// `/api/v1/audit/inclusion`: a public record's inclusion proof, for anyone.
pub async fn api_v1_inclusion(
    State(s): State<AppState>,
    Query(q): Query<PublicInclusionQuery>,
) -> Result<Response, ApiError> {
    let seq = parse_size(q.seq.as_deref(), "seq")?
        .ok_or_else(|| ApiError(ssj_app::AppError::invalid("BAD_NUMBER", "缺少参数 seq")))?;
    let size = parse_size(q.size.as_deref(), "size")?;
    Ok(Json(s.platform.public_inclusion(seq, size).await?).into_response())
}

pub async fn health(State(s): State<AppState>) -> Response {
    match s.platform.health().await {
        Ok((backend, n)) => {
            Json(serde_json::json!({ "status": "ok", "backend": backend, "audit_records": n }))
                .into_response()
        }
        Err(_) => error_page(
            StatusCode::SERVICE_UNAVAILABLE,
            "STORAGE",
            "数据库暂时不可用",
        ),
    }
}

/// Computes a seed contribution's commitment in the browser: a witness commits without telling
/// the platform the value.
pub async fn commitment(
    State(s): State<AppState>,
    user: Option<CurrentUser>,
) -> WebResult<Html<String>> {
    render(&s, "public_commitment.html", user.as_ref(), "", context! {})
}

pub async fn css() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/app.css"),
    )
        .into_response()
}

pub async fn js() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/app.js"),
    )
        .into_response()
}

pub async fn not_found() -> Response {
    error_page(StatusCode::NOT_FOUND, "NOT_FOUND", "您访问的页面不存在")
}
