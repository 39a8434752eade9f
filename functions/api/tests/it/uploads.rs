//! Upload slots (issue 13) in the embedded mode: a 20 MB application through slots, PUTs to
//! `fallwerk serve`'s slot URLs and a submission with references; the documents download
//! byte-identical. Every refusal of the flow, and the expiry of unreferenced uploads.

use crate::common;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use chrono::Duration;
use common::*;
use fallwerk_core::app::TickOptions;
use fallwerk_core::ports::sha256_hex;
use serde_json::{Value, json};

/// Deterministic bytes that are not all alike (a checksum over zeros proves less).
fn document(len: usize, seed: u8) -> Vec<u8> {
    let mut x = u32::from(seed) | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            (x >> 24) as u8
        })
        .collect()
}

fn slot_request(docs: &[(&str, &[u8])]) -> Vec<u8> {
    bytes(&json!({"documents": docs.iter().map(|(name, b)| json!({
        "name": name, "media_type": "application/pdf", "size": b.len(),
        "sha256": sha256_hex(b)})).collect::<Vec<_>>()}))
}

async fn slots(h: &Harness, docs: &[(&str, &[u8])]) -> Vec<Value> {
    let r = h
        .portal(Method::POST, "/v1/uploads", slot_request(docs))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.json());
    r.json()["slots"].as_array().expect("slots").clone()
}

async fn put(h: &Harness, url: &str, body: Vec<u8>) -> Res {
    let req = Request::builder()
        .method(Method::PUT)
        .uri(url)
        .header("content-type", "application/pdf")
        .body(Body::from(body))
        .expect("request");
    h.send(req).await
}

/// One slot for `doc` as `a.pdf`: the slot and its URL.
async fn slot(h: &Harness, doc: &[u8]) -> (Value, String) {
    let s = slots(h, &[("a.pdf", doc)]).await;
    let url = s[0]["url"].as_str().expect("url").to_string();
    (s[0].clone(), url)
}

/// `doc` uploaded through a slot of its own (as `a.pdf`): the slot and its URL.
async fn uploaded(h: &Harness, doc: &[u8]) -> (Value, String) {
    let (slot, url) = slot(h, doc).await;
    assert_eq!(put(h, &url, doc.to_vec()).await.status, StatusCode::CREATED);
    (slot, url)
}

fn submission_with(id: &str, uploads: Vec<Value>) -> Vec<u8> {
    let mut s = submission(id, OE1);
    s["attachments"] = json!([]);
    s["uploads"] = json!(uploads);
    bytes(&s)
}

fn upload_ref(slot: &Value, name: &str, b: &[u8]) -> Value {
    json!({"upload_id": slot["upload_id"], "name": name, "media_type": "application/pdf",
           "size": b.len(), "sha256": sha256_hex(b)})
}

#[tokio::test]
async fn twenty_megabytes_through_upload_slots_download_byte_identical() {
    let h = Harness::new().await;
    let scan = document(12 * 1024 * 1024, 7);
    let proof = document(8 * 1024 * 1024, 11);
    let s = slots(&h, &[("scan.pdf", &scan), ("nachweis.pdf", &proof)]).await;
    assert_eq!(s.len(), 2);
    for (slot, body) in s.iter().zip([&scan, &proof]) {
        assert_eq!(slot["method"], "PUT");
        let url = slot["url"].as_str().expect("url");
        assert!(url.starts_with("/v1/uploads/portal-1/"), "{url}");
        let r = put(&h, url, body.clone()).await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.json());
        assert_eq!(r.json()["sha256"], sha256_hex(body));
    }
    let body = submission_with(
        "big-1",
        vec![
            upload_ref(&s[0], "scan.pdf", &scan),
            upload_ref(&s[1], "nachweis.pdf", &proof),
        ],
    );
    // The request itself stays small: the documents are not in it.
    assert!(body.len() < 4096, "{}", body.len());
    let r = h.post_submission(body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.json());
    let id = r.json()["case_id"].as_str().expect("id").to_string();

    let cw = h.caseworker(OE1);
    for (n, expected) in [(1, &scan), (2, &proof)] {
        let got = h.get(&format!("/v1/cases/{id}/attachments/{n}"), &cw).await;
        assert_eq!(got.status, StatusCode::OK);
        assert!(got.bytes == *expected, "attachment {n} differs");
    }
    // The uploads are gone once the case holds the documents.
    assert!(
        !h.blob_files()
            .iter()
            .any(|p| p.to_string_lossy().contains("/uploads/")),
        "{:?}",
        h.blob_files()
    );
}

#[tokio::test]
async fn slot_requests_are_checked() {
    let h = Harness::new().await;
    let cases = [
        (json!({"documents": []}), "documents"),
        (
            json!({"documents": [{"name": "a", "media_type": "application/pdf", "size": 0,
            "sha256": sha256_hex(b"")}]}),
            "documents[0].size",
        ),
        (
            json!({"documents": [{"name": "a", "media_type": "application/pdf",
            "size": 200u64 * 1024 * 1024, "sha256": sha256_hex(b"x")}]}),
            "documents[0].size",
        ),
        (
            json!({"documents": [{"name": "a", "media_type": "application/pdf", "size": 3,
            "sha256": "abc"}]}),
            "documents[0].sha256",
        ),
        (
            json!({"documents": [{"name": "a", "media_type": "pdf", "size": 3,
            "sha256": sha256_hex(b"abc")}]}),
            "documents[0].media_type",
        ),
    ];
    for (body, field) in cases {
        let r = h.portal(Method::POST, "/v1/uploads", bytes(&body)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(r.json()["field"], field, "{body}");
    }
    // Unsigned: 401.
    let req = Request::builder()
        .method(Method::POST)
        .uri("/v1/uploads")
        .header("content-type", "application/json")
        .body(Body::from(slot_request(&[("a", b"abc")])))
        .expect("request");
    assert_eq!(h.send(req).await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn slot_urls_take_only_what_they_were_issued_for() {
    let h = Harness::new().await;
    let doc = b"%PDF-1.7 genau dieses Dokument".to_vec();
    let (_, url) = slot(&h, &doc).await;

    // Other bytes than declared: 422 for the size, then for the checksum.
    let r = put(&h, &url, b"kurz".to_vec()).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["field"], "upload.size");
    let mut same_len = doc.clone();
    same_len[0] ^= 1;
    let r = put(&h, &url, same_len).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["field"], "upload.sha256");

    // A changed size, a forged signature, a missing query: 401.
    let forged = url.replace("&signature=", "&signature=00");
    assert_eq!(
        put(&h, &forged, doc.clone()).await.status,
        StatusCode::UNAUTHORIZED
    );
    let other_size = url.replace(&format!("size={}", doc.len()), "size=5");
    assert_eq!(
        put(&h, &other_size, b"12345".to_vec()).await.status,
        StatusCode::UNAUTHORIZED
    );
    let bare = url.split('?').next().expect("path").to_string();
    assert_eq!(
        put(&h, &bare, doc.clone()).await.status,
        StatusCode::UNAUTHORIZED
    );
    // Another client's path with this signature: 401.
    let foreign = url.replace("/portal-1/", "/portal-off/");
    assert_eq!(
        put(&h, &foreign, doc.clone()).await.status,
        StatusCode::UNAUTHORIZED
    );

    // More than any slot takes: 413 as a problem, before the bytes are stored.
    let big = fallwerk_core::app::uploads::MAX_UPLOAD as usize + 1;
    let r = put(&h, &url, vec![0u8; big]).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(
        r.problem_type(),
        "https://fallwerk.dev/problems/payload-too-large"
    );

    // After an hour the slot is closed.
    h.clock.advance(Duration::minutes(61));
    let r = put(&h, &url, doc).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{:?}", r.json());
}

#[tokio::test]
async fn submissions_must_reference_real_matching_uploads() {
    let h = Harness::new().await;
    let doc = b"%PDF-1.7 hochgeladen".to_vec();
    let (slot, _) = uploaded(&h, &doc).await;

    let mut wrong_sha = upload_ref(&slot, "a.pdf", &doc);
    wrong_sha["sha256"] = json!(sha256_hex(b"anders"));
    let mut wrong_size = upload_ref(&slot, "a.pdf", &doc);
    wrong_size["size"] = json!(doc.len() + 1);
    let mut never = upload_ref(&slot, "a.pdf", &doc);
    never["upload_id"] = json!(uuid::Uuid::new_v4().to_string());
    let mut not_an_id = upload_ref(&slot, "a.pdf", &doc);
    not_an_id["upload_id"] = json!("../../cases/x");
    for (i, (r, field)) in [
        (wrong_sha, "uploads[0].sha256"),
        (wrong_size, "uploads[0].size"),
        (never, "uploads[0].upload_id"),
        (not_an_id, "uploads[0].upload_id"),
    ]
    .into_iter()
    .enumerate()
    {
        let res = h
            .post_submission(submission_with(&format!("ref-{i}"), vec![r]))
            .await;
        assert_eq!(
            res.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{:?}",
            res.json()
        );
        assert_eq!(res.json()["field"], field);
    }
    // Nothing was created by the refused submissions.
    let list = h.get("/v1/cases", &h.caseworker(OE1)).await.json();
    assert_eq!(list["items"].as_array().map(Vec::len), Some(0));
}

#[tokio::test]
async fn unreferenced_uploads_expire_with_the_tick() {
    let h = Harness::new().await;
    let doc = b"%PDF-1.7 vergessen".to_vec();
    let (slot, _) = uploaded(&h, &doc).await;
    let uploads = || {
        h.blob_files()
            .iter()
            .filter(|p| p.to_string_lossy().contains("/uploads/"))
            .count()
    };
    assert_eq!(uploads(), 1);
    // The file's time is the real one; the tick runs at the manual clock. A day after the
    // upload the sweep leaves it, more than a day after it removes it.
    h.clock.set(chrono::Utc::now() + Duration::hours(23));
    let report = h.app.tick(&TickOptions::default()).await.expect("tick");
    assert_eq!(report.uploads_expired, 0);
    assert_eq!(uploads(), 1);
    h.clock.set(chrono::Utc::now() + Duration::hours(25));
    let report = h.app.tick(&TickOptions::default()).await.expect("tick");
    assert_eq!(report.uploads_expired, 1);
    assert_eq!(uploads(), 0);
    // A submission that references it now is refused.
    let res = h
        .post_submission(submission_with(
            "late-1",
            vec![upload_ref(&slot, "a.pdf", &doc)],
        ))
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.json()["field"], "uploads[0].upload_id");
}
