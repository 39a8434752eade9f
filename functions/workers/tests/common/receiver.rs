//! A local webhook receiver on 127.0.0.1:0: verifies `X-Fallwerk-Signature`, answers 503 for
//! the first `fail` requests, then 200 with a receipt, and keeps what it accepted.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use tokio::sync::Mutex;

#[derive(Debug, Clone)]
pub struct Received {
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

pub struct Receiver {
    pub url: String,
    pub secret: String,
    pub fail: AtomicU32,
    pub fail_status: AtomicU32,
    pub requests: AtomicU32,
    pub bad_signatures: AtomicU32,
    pub accepted: Mutex<Vec<Received>>,
}

impl Receiver {
    pub async fn start(secret: &str, fail: u32) -> Arc<Receiver> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let receiver = Arc::new(Receiver {
            url: format!("http://{addr}/fachverfahren/import"),
            secret: secret.to_string(),
            fail: AtomicU32::new(fail),
            fail_status: AtomicU32::new(503),
            requests: AtomicU32::new(0),
            bad_signatures: AtomicU32::new(0),
            accepted: Mutex::new(Vec::new()),
        });
        let app = Router::new()
            .route("/fachverfahren/import", post(handle))
            .with_state(receiver.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        receiver
    }
}

async fn handle(State(r): State<Arc<Receiver>>, headers: HeaderMap, body: Bytes) -> Response {
    r.requests.fetch_add(1, Ordering::SeqCst);
    let ts = headers
        .get("x-fallwerk-timestamp")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let sig = headers
        .get("x-fallwerk-signature")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if ts.is_empty() || sig != fallwerk_workers::webhook::sign(&r.secret, ts, &body) {
        r.bad_signatures.fetch_add(1, Ordering::SeqCst);
        return StatusCode::UNAUTHORIZED.into_response();
    }
    if r.fail
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok()
    {
        let status = r.fail_status.load(Ordering::SeqCst) as u16;
        return StatusCode::from_u16(status)
            .unwrap_or(StatusCode::SERVICE_UNAVAILABLE)
            .into_response();
    }
    let mut accepted = r.accepted.lock().await;
    accepted.push(Received {
        headers,
        body: body.to_vec(),
    });
    let receipt = format!("DMS-{}", accepted.len());
    (
        StatusCode::OK,
        [("content-type", "application/json")],
        format!("{{\"receipt\":\"{receipt}\"}}"),
    )
        .into_response()
}
