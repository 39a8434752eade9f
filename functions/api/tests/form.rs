//! Form data for caseworkers: inline and large (blob store) forms, foreign cases, corruption.

mod common;

use axum::http::{Method, StatusCode};
use common::*;
use serde_json::{Value, json};

#[tokio::test]
async fn caseworkers_read_small_and_large_forms() {
    let h = Harness::new().await;
    let cw = h.caseworker(OE1);
    let small = submit(&h, "form-small", OE1).await;
    let r = h
        .cw(Method::GET, &format!("/v1/cases/{small}/form"), &cw, None)
        .await;
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
    let res = h
        .portal(Method::POST, "/v1/submissions", bytes(&body))
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{:?}", res.json());
    let large = res.json()["case_id"].as_str().expect("id").to_string();
    let view = h
        .cw(Method::GET, &format!("/v1/cases/{large}"), &cw, None)
        .await
        .json();
    assert_eq!(view["form"]["storage"], "blob", "{}", view["form"]);
    let r = h
        .cw(Method::GET, &format!("/v1/cases/{large}/form"), &cw, None)
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.bytes.len() > 64 * 1024);
    assert_eq!(r.json(), body["form"]["data"]);

    // Another org unit: 404; no token: 401.
    let r = h
        .cw(
            Method::GET,
            &format!("/v1/cases/{large}/form"),
            &h.caseworker(OE2),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = h
        .send(
            axum::http::Request::get(format!("/v1/cases/{large}/form"))
                .body(axum::body::Body::empty())
                .expect("request"),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);

    // Bytes changed behind the store's back are never served.
    let path = h
        .blob_files()
        .into_iter()
        .find(|p| p.to_string_lossy().contains("form"))
        .expect("form blob");
    std::fs::write(&path, b"{\"tampered\": true}").expect("tamper");
    let r = h
        .cw(Method::GET, &format!("/v1/cases/{large}/form"), &cw, None)
        .await;
    assert!(r.status.is_server_error(), "{}", r.status);
    assert!(!String::from_utf8_lossy(&r.bytes).contains("tampered"));
}
