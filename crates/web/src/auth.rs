//! Sessions from cookies, the logged-in user as an extractor, and CSRF checks.

use crate::AppState;
use crate::error::{WebError, error_page};
use axum::extract::{ConnectInfo, FromRequestParts, OptionalFromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use ssj_app::{Actor, AppError, ErrorKind};
use ssj_domain::Permission;
use ssj_storage::User;
use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};

pub const SESSION_COOKIE: &str = "ssj_session";
/// Double-submit token for the login form, which has no session yet.
pub const LOGIN_CSRF_COOKIE: &str = "ssj_login_csrf";

pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

pub fn set_cookie(name: &str, value: &str, secure: bool, max_age: Option<i64>) -> String {
    let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite=Strict");
    if let Some(age) = max_age {
        c.push_str(&format!("; Max-Age={age}"));
    }
    if secure {
        c.push_str("; Secure");
    }
    c
}

/// Who is at the other end, for login throttling, and whether the request came over HTTPS.
///
/// The client is the socket's peer address, or "unknown" when the server was not started with
/// connect info. Only when [`crate::WebConfig::client_ip_header`] names a header (the app is
/// reachable solely through a proxy that appends to it) is that header's right-most entry —
/// the one our proxy wrote; entries to its left are whatever the client sent — the client,
/// and is `X-Forwarded-Proto: https` taken to mean HTTPS.
pub struct Client {
    pub address: String,
    pub https: bool,
}

impl Client {
    /// Whether cookies set on this response get `Secure`: always when configured, or when a
    /// trusted proxy says the client connected over HTTPS.
    pub fn secure_cookies(&self, config: &crate::WebConfig) -> bool {
        config.secure_cookies || self.https
    }
}

fn forwarded_ip(headers: &HeaderMap, name: &str) -> Option<IpAddr> {
    let last = headers.get_all(name).iter().next_back()?.to_str().ok()?;
    let entry = last.rsplit(',').next()?.trim();
    entry
        .parse::<IpAddr>()
        .or_else(|_| entry.parse::<SocketAddr>().map(|s| s.ip()))
        .ok()
}

impl FromRequestParts<AppState> for Client {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Infallible> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip());
        let proxy = state.config.client_ip_header.as_deref();
        let forwarded = proxy.and_then(|h| forwarded_ip(&parts.headers, h));
        let https = proxy.is_some()
            && parts
                .headers
                .get("x-forwarded-proto")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.trim().eq_ignore_ascii_case("https"));
        Ok(Client {
            address: forwarded
                .or(peer)
                .map_or_else(|| "unknown".into(), |ip| ip.to_string()),
            https,
        })
    }
}

/// The logged-in user of a console request.
pub struct CurrentUser {
    pub user: User,
    pub actor: Actor,
    pub csrf: String,
    pub token: String,
}

impl CurrentUser {
    pub fn require(&self, p: Permission) -> Result<(), WebError> {
        self.actor.require(p).map_err(WebError)
    }

    /// Refuses a form whose CSRF token is not this session's.
    pub fn check_csrf(&self, submitted: Option<&str>) -> Result<(), WebError> {
        if submitted.is_some_and(|s| constant_time_eq(s.as_bytes(), self.csrf.as_bytes())) {
            Ok(())
        } else {
            Err(csrf_error())
        }
    }
}

pub fn csrf_error() -> WebError {
    WebError(AppError::new(
        ErrorKind::Forbidden,
        "CSRF_MISMATCH",
        "页面已过期或来源不明，请刷新页面后重新提交",
    ))
}

pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

async fn lookup(parts: &Parts, state: &AppState) -> Result<Option<CurrentUser>, Response> {
    let Some(token) = cookie(&parts.headers, SESSION_COOKIE) else {
        return Ok(None);
    };
    session_user(state, token).await
}

/// The account behind a session token, if the session is alive.
pub async fn session_user(
    state: &AppState,
    token: String,
) -> Result<Option<CurrentUser>, Response> {
    let p = &state.platform;
    let found = p
        .session_user(&token)
        .await
        .map_err(|e| WebError(e).into_response())?;
    let Some((user, session)) = found else {
        return Ok(None);
    };
    let actor = p
        .actor_for(&user)
        .await
        .map_err(|e| WebError(e).into_response())?;
    Ok(Some(CurrentUser {
        user,
        actor,
        csrf: session.csrf_token,
        token,
    }))
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        if let Some(u) = lookup(parts, state).await? {
            // A password set by someone else, or past its age, is changed before anything
            // else: only the password form and logging out stay open.
            let path = parts.uri.path();
            if let Some(why) = state.platform.password_change_due(&u.user)
                && path != "/console/account"
                && path != "/logout"
            {
                return Err(if parts.method == Method::GET {
                    Redirect::to("/console/account").into_response()
                } else {
                    error_page(StatusCode::FORBIDDEN, "PASSWORD_CHANGE_REQUIRED", why)
                });
            }
            return Ok(u);
        }
        if parts.method == Method::GET && !parts.uri.path().starts_with("/api/") {
            let next = parts
                .uri
                .path_and_query()
                .map(|p| p.as_str())
                .unwrap_or("/console");
            let target = format!("/login?next={}", urlencode(next));
            return Err(Redirect::to(&target).into_response());
        }
        let (code, msg) = ("SESSION_EXPIRED", "尚未登录或登录已超时，请重新登录");
        Err(if parts.uri.path().starts_with("/api/") {
            crate::error::error_json(StatusCode::UNAUTHORIZED, code, msg)
        } else {
            error_page(StatusCode::UNAUTHORIZED, code, msg)
        })
    }
}

impl OptionalFromRequestParts<AppState> for CurrentUser {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Option<Self>, Response> {
        lookup(parts, state).await
    }
}

pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Only local console paths may be a post-login destination (no open redirect).
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with("/console") && !n.contains("//") && !n.contains('\\') => {
            n.to_string()
        }
        _ => "/console".to_string(),
    }
}
