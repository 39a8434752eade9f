//! Form data for caseworkers: inline and large (blob store) forms, foreign cases, corruption;
//! streamed locally, bounded and buffered as on Lambda (`ApiState::with_response_limit`).

use crate::common;
use axum::http::{Method, StatusCode};
use common::*;
use serde_json::{Value, json};

#[tokio::test]
async fn caseworkers_read_small_and_large_forms() {
    let h = Harness::new().await;
    let cw = h.caseworker(OE1);
    let small = submit(&h, "form-small", OE1).await;
    let r = h.get(&format!("/v1/cases/{small}/form"), &cw).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.headers["content-type"], "application/json");
    assert_eq!(r.headers["x-fallwerk-form-id"], "gewerbe-v1");
    assert_eq!(r.json(), json!({"betrieb": "Bäckerei"}));

    // Above 64 KiB the form lives in the blob store; the route returns it unchanged.
    let rows: Vec<Value> = (0..2000)
        .map(|i| json!({"position": i, "text": format!("Zeile {i}: Lieferung von Backwaren")}))
        .collect();
    let mut body = submission("form-large", OE1);
    body["form"]["data"] = json!({"betrieb": "Großbäckerei", "zeilen": rows});
    let large = submit_body(&h, &body).await;
    let view = h.case(&large, &cw).await.json();
    assert_eq!(view["form"]["storage"], "blob", "{}", view["form"]);
    let r = h.get(&format!("/v1/cases/{large}/form"), &cw).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.bytes.len() > 64 * 1024);
    assert_eq!(r.json(), body["form"]["data"]);
    assert_eq!(
        r.headers["content-length"],
        r.bytes.len().to_string().as_str(),
        "the streamed body announces its length"
    );

    // Another org unit: 404; no token: 401.
    let r = h
        .get(&format!("/v1/cases/{large}/form"), &h.caseworker(OE2))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = h
        .anonymous(Method::GET, &format!("/v1/cases/{large}/form"))
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);

    // Bytes changed behind the store's back are never served.
    let path = form_blob(&h);
    std::fs::write(&path, b"{\"tampered\": true}").expect("tamper");
    let r = h.get(&format!("/v1/cases/{large}/form"), &cw).await;
    assert!(r.status.is_server_error(), "{}", r.status);
    assert!(!String::from_utf8_lossy(&r.bytes).contains("tampered"));
}

/// Submits a form of about `rows` × 60 bytes (above 64 KiB it goes to the blob store); the case
/// id and the form data as the route must return them.
async fn large_form(h: &Harness, id: &str, rows: usize) -> (String, Value) {
    let rows: Vec<Value> = (0..rows)
        .map(|i| json!({"position": i, "text": format!("Zeile {i}: \"Brötchen\" und Brezeln")}))
        .collect();
    let mut body = submission(id, OE1);
    body["form"]["data"] = json!({"betrieb": "Großbäckerei", "zeilen": rows});
    let case_id = submit_body(h, &body).await;
    (case_id, body["form"]["data"].clone())
}

/// The blob file that holds the (large) form.
fn form_blob(h: &Harness) -> std::path::PathBuf {
    h.blob_files()
        .into_iter()
        .find(|p| p.to_string_lossy().contains("form"))
        .expect("form blob")
}

/// `GET /v1/cases/{case_id}/form` with `token`.
fn form_request(case_id: &str, token: &str) -> axum::http::Request<axum::body::Body> {
    axum::http::Request::get(format!("/v1/cases/{case_id}/form"))
        .header("authorization", format!("Bearer {token}"))
        .body(axum::body::Body::empty())
        .expect("request")
}

/// The same router as the harness's, with responses bounded to `limit` bytes (as on Lambda).
fn bounded(h: &Harness, limit: u64) -> axum::Router {
    fallwerk_api::app_router(
        fallwerk_api::ApiState::new(h.app.clone())
            .with_jwt(fallwerk_api::JwtConfig::hs256(JWT_SECRET))
            .with_response_limit(limit),
    )
}

/// The case's form through `router` (e.g. a bounded one).
async fn get_form(router: &axum::Router, case_id: &str, token: &str) -> Res {
    use tower::ServiceExt;
    let req = form_request(case_id, token);
    Res::read(router.clone().oneshot(req).await.expect("infallible")).await
}

#[tokio::test]
async fn a_large_form_streams_and_a_flipped_bit_breaks_the_stream_off() {
    use tower::ServiceExt;
    let h = Harness::new().await;
    let cw = h.caseworker(OE1);
    let (case_id, data) = large_form(&h, "form-stream", 4000).await;
    let r = h.get(&format!("/v1/cases/{case_id}/form"), &cw).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.bytes.len() > 200 * 1024, "{}", r.bytes.len());
    assert_eq!(r.json(), data);

    // Same length, one bit flipped: found only at the end, after the status went out; the
    // body breaks off instead of completing, so no client takes it for the form.
    let path = form_blob(&h);
    let mut stored = std::fs::read(&path).expect("read blob");
    let last = stored.len() - 10;
    stored[last] ^= 0x01;
    std::fs::write(&path, &stored).expect("tamper");
    let _ = h.get("/v1/cases", &cw).await; // registers the token's user
    let req = form_request(&case_id, &cw);
    let res = h.router.clone().oneshot(req).await.expect("infallible");
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "streaming starts before the end"
    );
    let body = axum::body::to_bytes(res.into_body(), usize::MAX).await;
    assert!(body.is_err(), "a corrupt form must not arrive whole");

    // Buffered (as on Lambda) the same corruption is a proper 500 before any byte.
    let r = get_form(&bounded(&h, 6 * 1024 * 1024), &case_id, &cw).await;
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(
        r.json()["type"],
        "https://fallwerk.dev/problems/internal",
        "{:?}",
        r.json()
    );
}

#[tokio::test]
async fn on_lambda_a_form_beyond_the_response_limit_is_refused_with_a_problem() {
    let h = Harness::new().await;
    let cw = h.caseworker(OE1);
    let (case_id, data) = large_form(&h, "form-lambda", 3000).await;
    let raw = h.get(&format!("/v1/cases/{case_id}/form"), &cw).await.bytes;
    assert!(raw.len() > 64 * 1024);
    let quotes = raw.iter().filter(|b| matches!(b, b'"' | b'\\')).count() as u64;
    let raw_len = raw.len() as u64;
    let headroom = 16 * 1024;

    // Within the limit: the whole form, buffered.
    let r = get_form(
        &bounded(&h, fallwerk_api::LAMBDA_RESPONSE_LIMIT),
        &case_id,
        &cw,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json(), data);

    // Larger than the limit: refused before reading, with the stable problem type.
    // Fits raw but not once escaped into the envelope: refused after reading.
    for limit in [raw_len, raw_len + headroom + quotes / 2] {
        let r = get_form(&bounded(&h, limit), &case_id, &cw).await;
        assert_eq!(r.status, StatusCode::NOT_IMPLEMENTED, "limit {limit}");
        assert_eq!(r.headers["content-type"], "application/problem+json");
        let p = r.json();
        assert_eq!(
            p["type"],
            "https://fallwerk.dev/problems/response-too-large"
        );
        assert!(
            p["detail"].as_str().is_some_and(|d| d.contains("6 MB")),
            "{p}"
        );
    }
    // Exactly enough room for the escaped body: served.
    let r = get_form(&bounded(&h, raw_len + quotes + 2 + headroom), &case_id, &cw).await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "{:?}",
        String::from_utf8_lossy(&r.bytes)
    );
    assert_eq!(r.json(), data);
}
