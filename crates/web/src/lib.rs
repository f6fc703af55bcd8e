//! The web console (login required) and the public portal (no login), server-rendered.

mod auth;
mod error;
mod pages;
mod render;
mod routes;
mod security;
mod uploads;

pub use routes::{RouteEntry, route_table, router};

use ssj_app::Platform;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

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
}

impl Default for WebConfig {
    fn default() -> WebConfig {
        WebConfig {
            max_body_bytes: 8 * 1024 * 1024,
            secure_cookies: false,
            client_ip_header: None,
            checkpoint_every: Duration::from_secs(300),
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub platform: Arc<Platform>,
    pub config: Arc<WebConfig>,
    templates: Arc<minijinja::Environment<'static>>,
    uploads: Arc<uploads::Uploads>,
}

impl AppState {
    pub fn new(platform: Arc<Platform>, config: WebConfig) -> AppState {
        AppState {
            platform,
            config: Arc::new(config),
            templates: Arc::new(render::environment()),
            uploads: Arc::default(),
        }
    }
}

/// Serves until Ctrl-C or SIGTERM; prints the address it listens on (port 0 picks a free one).
pub async fn serve(state: AppState, addr: SocketAddr) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    println!("shuangsuiji listening on http://{local}");
    tracing::info!(%local, "listening");
    let background = tokio::spawn(housekeeping(state.clone()));
    let app = router(state.clone());
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await?;
    background.abort();
    if let Err(e) = state.platform.checkpoint().await {
        tracing::error!(%e, "final checkpoint failed");
    }
    Ok(())
}

/// Periodic work: sign a checkpoint when the log has grown, drop idle sessions, and log the
/// summaries of bursts of failed logins whose windows are over.
async fn housekeeping(state: AppState) {
    let mut tick = tokio::time::interval(state.config.checkpoint_every);
    loop {
        tick.tick().await;
        match state.platform.checkpoint().await {
            Ok(Some(c)) => tracing::info!(size = c.tree_size, "signed audit checkpoint"),
            Ok(None) => {}
            Err(e) => tracing::error!(%e, "audit checkpoint refused"),
        }
        if let Err(e) = state.platform.expire_sessions().await {
            tracing::warn!(%e, "session expiry failed");
        }
        if let Err(e) = state.platform.flush_login_bursts().await {
            tracing::warn!(%e, "summarising failed logins failed");
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
