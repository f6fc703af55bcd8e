//! The web console (login required) and the public portal (no login), server-rendered.

mod auth;
mod error;
mod pages;
mod render;
mod routes;
mod security;
mod serve;
mod uploads;

pub use routes::{RouteEntry, route_table, router};
pub use serve::{serve, serve_on};

use ssj_app::Platform;
use std::sync::Arc;
use std::time::Duration;

/// A client has this long to send a request's headers (and an idle keep-alive connection this
/// long to start its next request) before the connection is closed.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// Each request must be answered within this (else 408 REQUEST_TIMEOUT); generous enough for a
/// full-size upload on a slow line and an import or draw of the largest lists the body limit lets
/// in.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(120);

#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Larger request bodies are refused with 413 (PAYLOAD_TOO_LARGE).
    pub max_body_bytes: usize,
    /// Mark cookies `Secure` always. Without it they are still `Secure` on a request that a
    /// trusted proxy (see `client_ip_header`) marks `X-Forwarded-Proto: https`.
    pub secure_cookies: bool,
    /// Set only when every request comes through a reverse proxy that appends the client's
    /// address to this header (e.g. `X-Forwarded-For`): the right-most entry, which that proxy
    /// wrote, is then the client for login throttling, and `X-Forwarded-Proto` is believed.
    /// `None` (the default) uses the socket's peer address and ignores both headers, since
    /// any client could forge them.
    pub client_ip_header: Option<String>,
    /// How often the server signs a checkpoint of the audit log when it has grown.
    pub checkpoint_every: Duration,
    /// See [`HEADER_READ_TIMEOUT`].
    pub header_read_timeout: Duration,
    /// See [`REQUEST_TIMEOUT`].
    pub request_timeout: Duration,
}

impl Default for WebConfig {
    fn default() -> WebConfig {
        WebConfig {
            max_body_bytes: 8 * 1024 * 1024,
            secure_cookies: false,
            client_ip_header: None,
            checkpoint_every: Duration::from_secs(300),
            header_read_timeout: HEADER_READ_TIMEOUT,
            request_timeout: REQUEST_TIMEOUT,
        }
    }
}

/// How many uploaded exports are unpacked and recomputed at once; each may hold up to
/// [`ssj_app::draws::zip::MAX_TOTAL_BYTES`] and a core for seconds. Further uploads get 503.
pub const VERIFY_PERMITS: usize = 2;

#[derive(Clone)]
pub struct AppState {
    pub platform: Arc<Platform>,
    pub config: Arc<WebConfig>,
    templates: Arc<minijinja::Environment<'static>>,
    uploads: Arc<uploads::Uploads>,
    /// Slots for public verification (see [`VERIFY_PERMITS`]); public so a test can hold them.
    pub verify_slots: Arc<tokio::sync::Semaphore>,
}

impl AppState {
    pub fn new(platform: Arc<Platform>, config: WebConfig) -> AppState {
        let mut templates = render::environment();
        // Every form that sets a password states the rule it will be held to.
        templates.add_global("password_rule", platform.policy.passwords.describe());
        AppState {
            platform,
            config: Arc::new(config),
            templates: Arc::new(templates),
            uploads: Arc::default(),
            verify_slots: Arc::new(tokio::sync::Semaphore::new(VERIFY_PERMITS)),
        }
    }
}
