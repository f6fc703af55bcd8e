//! Serving connections. Not `axum::serve`: it has no header-read timeout, so a client that
//! sends half its headers would hold its connection (and a task) for ever.

use crate::{AppState, router};
use axum::extract::ConnectInfo;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::TcpListener;
use tower::Layer;

/// Serves until Ctrl-C or SIGTERM; prints the address it listens on (port 0 picks a free one).
/// Signs audit checkpoints as the log grows, and a last one at shutdown.
pub async fn serve(state: AppState, addr: SocketAddr) -> std::io::Result<()> {
    let listener = TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    println!("shuangsuiji listening on http://{local}");
    tracing::info!(%local, "listening");
    let background = tokio::spawn(housekeeping(state.clone()));
    serve_on(listener, state.clone(), shutdown_signal()).await?;
    background.abort();
    if let Err(e) = state.platform.checkpoint().await {
        tracing::error!(%e, "final checkpoint failed");
    }
    Ok(())
}

/// Serves the app on `listener` until `shutdown` completes, then lets the requests in flight
/// finish. Headers must arrive within the config's `header_read_timeout`.
pub async fn serve_on(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let app = router(state.clone());
    let header_timeout = state.config.header_read_timeout;
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of file descriptors and the like: wait rather than spin.
                    tracing::warn!(%e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            _ = &mut shutdown => break,
        };
        let conn = http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(header_timeout)
            .serve_connection(
                TokioIo::new(stream),
                TowerToHyperService::new(with_peer(&app, peer)),
            );
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::debug!(%peer, %e, "connection ended with an error");
            }
        });
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}

/// The router for one connection, telling handlers its peer's address (`ConnectInfo`), as
/// `into_make_service_with_connect_info` does for `axum::serve`.
fn with_peer(
    app: &axum::Router,
    peer: SocketAddr,
) -> axum::middleware::AddExtension<axum::Router, ConnectInfo<SocketAddr>> {
    axum::Extension(ConnectInfo(peer)).layer(app.clone())
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
