//! One span per request with the route template (never the concrete path: `/antrag` carries a
//! secret in it), method, status, duration, case id and actor id. No names, addresses, form data.

use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument;

/// Middleware: wraps the request in the `http` span and logs its end.
pub async fn trace(req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".to_owned());
    let span = tracing::info_span!(
        "http",
        method = %req.method(),
        route = %route,
        status = tracing::field::Empty,
        duration_ms = tracing::field::Empty,
        case_id = tracing::field::Empty,
        actor = tracing::field::Empty,
    );
    let started = Instant::now();
    async move {
        let res = next.run(req).await;
        let span = tracing::Span::current();
        span.record("status", res.status().as_u16());
        span.record("duration_ms", started.elapsed().as_millis() as u64);
        if res.status().is_server_error() {
            tracing::error!("request failed");
        } else {
            tracing::info!("request done");
        }
        res
    }
    .instrument(span)
    .await
}

/// An id as it may be logged (see [`safe`]).
pub fn safe_id(id: &str) -> &str {
    safe(id)
}

/// Only ids of a safe shape are logged; anything else is replaced.
fn safe(id: &str) -> &str {
    let ok = !id.is_empty()
        && id.len() <= 64
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':'));
    if ok { id } else { "(invalid)" }
}

pub fn record_case(case_id: &str) {
    tracing::Span::current().record("case_id", tracing::field::display(safe(case_id)));
}

pub fn record_actor(actor: &str) {
    tracing::Span::current().record("actor", tracing::field::display(safe(actor)));
}
