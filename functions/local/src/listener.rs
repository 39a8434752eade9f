//! The HTTP listener of `fallwerk serve` (HTTP/1.1), with the limits a server facing a network
//! needs: a header-read timeout that also ends idle keep-alive connections and connections that
//! never send a request, and a body timeout per request (`edge::one_host` and the route limits
//! come from the router). On shutdown it stops accepting and lets running requests finish.

use std::time::Duration;

use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tower::Layer;

/// Timeouts of the listener (`--header-timeout`, `--body-timeout`).
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    /// From accepting a connection, or from the end of the previous response, until the request
    /// headers are complete. Bounds idle keep-alive and half-open connections as well.
    pub header: Duration,
    /// How long reading a request body may take.
    pub body: Duration,
}

/// How long running requests may take to finish after a shutdown signal.
const DRAIN: Duration = Duration::from_secs(30);

/// Serves `router` on `listener` until `stop` turns true.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    timeouts: Timeouts,
    mut stop: watch::Receiver<bool>,
) -> std::io::Result<()> {
    let router = router.layer(tower_http::timeout::RequestBodyTimeoutLayer::new(
        timeouts.body,
    ));
    let graceful = GracefulShutdown::new();
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(conn) => conn,
                // Out of file descriptors and the like: wait a little instead of spinning.
                Err(e) => {
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            _ = stop.wait_for(|s| *s) => break,
        };
        // The peer's address goes with every request of the connection (the login brake counts
        // failed logins per client address).
        let address = fallwerk_api::web::login_limit::ClientAddress(peer.ip());
        let service = TowerToHyperService::new(axum::Extension(address).layer(router.clone()));
        let conn = http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(timeouts.header)
            .serve_connection(TokioIo::new(stream), service);
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            // Timeouts and resets end connections here; they are the client's business.
            if let Err(e) = conn.await {
                tracing::debug!(error = %e, "connection ended");
            }
        });
    }
    drop(listener);
    if tokio::time::timeout(DRAIN, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("requests still running after the drain period were cut off");
    }
    Ok(())
}
