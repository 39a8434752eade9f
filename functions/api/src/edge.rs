//! Hardening of every response and of requests that reach a listener directly: `Cache-Control:
//! no-store` and `X-Content-Type-Options: nosniff` on every API response (they carry personal
//! data), and exactly one `Host` header on requests to `fallwerk serve` (API Gateway normalises
//! the Host header before a Lambda function sees the request).

use axum::extract::Request;
use axum::http::{HeaderValue, Version, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::problem::{Kind, Problem};

/// Middleware: responses are not stored by caches and not content-sniffed by browsers. A
/// handler that sets its own `Cache-Control` keeps it.
pub async fn security_headers(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let headers = res.headers_mut();
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    res
}

/// Middleware: 400 unless the request names exactly one host (one `Host` header; over HTTP/2
/// the `:authority` may stand in for it). Two hosts let a proxy and fallwerk disagree about
/// which site a request is for.
pub async fn one_host(req: Request, next: Next) -> Response {
    let hosts = req.headers().get_all(header::HOST).iter().count();
    let ok = match req.version() {
        Version::HTTP_2 | Version::HTTP_3 => {
            hosts == 1 || (hosts == 0 && req.uri().authority().is_some())
        }
        _ => hosts == 1,
    };
    if ok {
        next.run(req).await
    } else {
        Problem::new(
            Kind::MalformedRequest,
            "the request must carry exactly one Host header",
        )
        .into_response()
    }
}
