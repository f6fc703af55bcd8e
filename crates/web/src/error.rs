//! Error pages: every failure reaches the user as a page (or JSON) with a stable code and a
//! Chinese message, never as a bare status or a stack trace.

use crate::AppState;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use ssj_app::{AppError, ErrorKind};

/// An [`AppError`] on its way to becoming a response.
#[derive(Debug)]
pub struct WebError(pub AppError);

impl From<AppError> for WebError {
    fn from(e: AppError) -> WebError {
        WebError(e)
    }
}

impl From<ssj_storage::StorageError> for WebError {
    fn from(e: ssj_storage::StorageError) -> WebError {
        WebError(e.into())
    }
}

impl From<ssj_storage::StorageError> for ApiError {
    fn from(e: ssj_storage::StorageError) -> ApiError {
        ApiError(e.into())
    }
}

pub type WebResult<T> = Result<T, WebError>;

pub fn status_of(kind: ErrorKind) -> StatusCode {
    match kind {
        ErrorKind::Invalid => StatusCode::UNPROCESSABLE_ENTITY,
        ErrorKind::Unauthenticated => StatusCode::UNAUTHORIZED,
        ErrorKind::Forbidden => StatusCode::FORBIDDEN,
        ErrorKind::NotFound => StatusCode::NOT_FOUND,
        ErrorKind::Conflict => StatusCode::CONFLICT,
        ErrorKind::Locked => StatusCode::LOCKED,
        ErrorKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// The marker that tells [`normalise_errors`] a response is already one of ours.
const OURS: &str = "x-ssj-error-code";

pub fn error_page(status: StatusCode, code: &str, message: &str) -> Response {
    let body = crate::render::error_html(status.as_u16(), code, message, None);
    let mut r = (status, Html(body)).into_response();
    if let Ok(v) = HeaderValue::from_str(code) {
        r.headers_mut().insert(OURS, v);
    }
    r.extensions_mut().insert(ShownError {
        code: code.to_string(),
        message: message.to_string(),
    });
    r
}

/// What an error page said, so that [`normalise_errors`] can render it again inside the
/// reader's session chrome.
#[derive(Clone)]
struct ShownError {
    code: String,
    message: String,
}

/// An error page rendered again with the logged-in reader's header and menu.
async fn with_session_chrome(state: &AppState, token: Option<String>, res: Response) -> Response {
    let (Some(token), Some(shown)) = (token, res.extensions().get::<ShownError>().cloned()) else {
        return res;
    };
    let Ok(Some(user)) = crate::auth::session_user(state, token).await else {
        return res;
    };
    let html = crate::render::error_html(
        res.status().as_u16(),
        &shown.code,
        &shown.message,
        Some(&user),
    );
    let (mut parts, _) = res.into_parts();
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, axum::body::Body::from(html))
}

pub fn error_json(status: StatusCode, code: &str, message: &str) -> Response {
    let body = serde_json::json!({ "error": { "code": code, "message": message } });
    let mut r = (status, axum::Json(body)).into_response();
    if let Ok(v) = HeaderValue::from_str(code) {
        r.headers_mut().insert(OURS, v);
    }
    r
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        error_page(status_of(self.0.kind), self.0.code, &self.0.message)
    }
}

/// JSON flavour for `/api/…` endpoints.
pub struct ApiError(pub AppError);

impl From<AppError> for ApiError {
    fn from(e: AppError) -> ApiError {
        ApiError(e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        error_json(status_of(self.0.kind), self.0.code, &self.0.message)
    }
}

fn describe(status: StatusCode) -> (&'static str, &'static str) {
    match status {
        StatusCode::NOT_FOUND => ("NOT_FOUND", "您访问的页面不存在"),
        StatusCode::METHOD_NOT_ALLOWED => ("METHOD_NOT_ALLOWED", "不支持此请求方式"),
        StatusCode::REQUEST_TIMEOUT => ("REQUEST_TIMEOUT", "请求超时未完成，已被中止，请重试"),
        StatusCode::PAYLOAD_TOO_LARGE => ("PAYLOAD_TOO_LARGE", "提交的内容过大，已被拒绝"),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ("UNSUPPORTED_MEDIA_TYPE", "提交的内容格式不正确"),
        StatusCode::UNPROCESSABLE_ENTITY | StatusCode::BAD_REQUEST => (
            "BAD_REQUEST",
            "提交的内容不完整或格式不正确，请返回检查后重试",
        ),
        s if s.is_server_error() => (
            "INTERNAL",
            "系统内部错误，请稍后重试；如持续出现请联系管理员",
        ),
        _ => ("REQUEST_REFUSED", "请求未被受理"),
    }
}

/// Replaces every error response that is not already ours (extractor rejections, body-limit
/// refusals, unknown routes) with a page or JSON carrying a code and a Chinese message.
pub async fn normalise_errors(State(s): State<AppState>, req: Request, next: Next) -> Response {
    let wants_json = req.uri().path().starts_with("/api/");
    let token = crate::auth::cookie(req.headers(), crate::auth::SESSION_COOKIE);
    let res = normalise(wants_json, next.run(req).await);
    if wants_json || !res.status().is_client_error() && !res.status().is_server_error() {
        return res;
    }
    with_session_chrome(&s, token, res).await
}

fn normalise(wants_json: bool, res: Response) -> Response {
    let status = res.status();
    let content_type = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let rendered =
        content_type.starts_with("text/html") || content_type.starts_with("application/json");
    if !(status.is_client_error() || status.is_server_error())
        || res.headers().contains_key(OURS)
        || rendered
    {
        return res;
    }
    let (code, message) = describe(status);
    let mut out = if wants_json {
        error_json(status, code, message)
    } else {
        error_page(status, code, message)
    };
    if let Some(allow) = res.headers().get(header::ALLOW) {
        out.headers_mut().insert(header::ALLOW, allow.clone());
    }
    out
}

/// What a panic becomes: a logged event and the generic 500 page.
pub fn panic_response(err: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let detail = err
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| err.downcast_ref::<&str>().copied())
        .unwrap_or("unknown");
    tracing::error!(panic = detail, "handler panicked");
    let (code, message) = describe(StatusCode::INTERNAL_SERVER_ERROR);
    error_page(StatusCode::INTERNAL_SERVER_ERROR, code, message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::Router;
    use axum::body::Body;
    use axum::routing::get;
    use tower::ServiceExt;

    #[tokio::test]
    async fn a_panic_becomes_the_generic_error_page() {
        async fn boom() -> &'static str {
            panic!("secret internal detail")
        }
        let app = Router::new().route("/", get(boom)).layer(
            tower_http::catch_panic::CatchPanicLayer::custom(panic_response),
        );
        let res = app
            .oneshot(Request::get("/").body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(res.headers()[OURS], "INTERNAL");
        let body = axum::body::to_bytes(res.into_body(), 1 << 20)
            .await
            .unwrap();
        let page = String::from_utf8(body.to_vec()).unwrap();
        assert!(page.contains("系统内部错误") && !page.contains("secret internal detail"));
    }
}
