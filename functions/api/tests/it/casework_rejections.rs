//! The rejections issue 14 names, over HTTP, across the casework routes: another org unit's
//! case is 404 on every route, an unknown, deactivated or foreign user is 422 for `assign` and
//! `reassign`, a deactivated user's token is 401 on every route, an oversized upload is 413,
//! and a document number of another case is 422. Each rejection also leaves the case as it was.

use crate::common;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use common::*;
use serde_json::{Value, json};

const BOUNDARY: &str = "fallwerk-rejections";

/// A multipart body with one PDF part `file` named `name`.
fn pdf_upload(name: &str, bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(
        format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/pdf\r\n\r\n"
        )
        .as_bytes(),
    );
    out.extend_from_slice(bytes);
    out.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    out
}

/// Uploads the PDF `name` to the case's documents with `token`.
async fn upload_pdf(h: &Harness, case_id: &str, token: &str, name: &str, bytes: &[u8]) -> Res {
    h.send(upload_request(case_id, token, pdf_upload(name, bytes)))
        .await
}

/// `POST /v1/cases/{case_id}/documents` of a multipart `body` with `token`.
fn upload_request(case_id: &str, token: &str, body: Vec<u8>) -> Request<Body> {
    Request::post(format!("/v1/cases/{case_id}/documents"))
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(Body::from(body))
        .expect("request")
}

/// Every caseworker route of a case: `(method, path, body)`; the comment expects `version`.
fn case_routes(case_id: &str, version: &Value) -> Vec<(Method, String, Option<Value>)> {
    vec![
        (Method::GET, format!("/v1/cases/{case_id}"), None),
        (Method::GET, format!("/v1/cases/{case_id}/history"), None),
        (
            Method::GET,
            format!("/v1/cases/{case_id}/attachments/1"),
            None,
        ),
        (Method::GET, format!("/v1/cases/{case_id}/thread"), None),
        (Method::GET, format!("/v1/cases/{case_id}/form"), None),
        (
            Method::POST,
            format!("/v1/cases/{case_id}/thread/read"),
            Some(json!({})),
        ),
        (
            Method::POST,
            format!("/v1/cases/{case_id}/actions"),
            Some(json!({"action": "comment", "text": "Notiz", "expected_version": version})),
        ),
    ]
}

async fn version(h: &Harness, case_id: &str, token: &str) -> Value {
    let r = h.case(case_id, token).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.json());
    r.json()["version"].clone()
}

#[tokio::test]
async fn another_org_units_case_is_404_on_every_casework_route() {
    let (h, case_id, own) = Harness::with_case("rej-ou").await;
    let other = h.caseworker(OE2);
    let v0 = version(&h, &case_id, &own).await;
    for (method, path, body) in case_routes(&case_id, &v0) {
        let r = h.cw(method.clone(), &path, &other, body.clone()).await;
        assert_status(&r, StatusCode::NOT_FOUND, &format!("{method} {path}"));
        assert_eq!(r.json()["type"], "https://fallwerk.dev/problems/not-found");
        // The same request of the case's own org unit passes: the 404 is about visibility.
        let r = h.cw(method.clone(), &path, &own, body).await;
        assert!(
            r.status.is_success(),
            "{method} {path} for OE1: {:?}",
            r.json()
        );
    }
    let r = upload_pdf(&h, &case_id, &other, "x.pdf", b"%PDF-1.7 x").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{:?}", r.json());
    // Neither the comment of the other org unit nor its upload reached the case.
    let view = h.case(&case_id, &own).await.json();
    assert_eq!(
        view["version"].as_u64(),
        v0.as_u64().map(|v| v + 1),
        "only OE1's comment: {view}"
    );
    assert_eq!(view["attachments"].as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn unknown_deactivated_or_foreign_users_are_422_for_assign_and_reassign() {
    let h = Harness::new().await;
    let sup = h.token("lead", &[OE1, OE2], &["caseworker", "supervisor"]);
    h.user("leaving", &[OE1], &["caseworker"]).await;
    h.user("elsewhere", &[OE2], &["caseworker"]).await;
    h.user("gone", &[OE1], &["caseworker"]).await;
    let mut gone = Harness::user_record("gone", &[OE1], &["caseworker"]);
    gone.active = false;
    h.store.put_user(&gone).await.expect("deactivate");
    let case_id = submit(&h, "rej-user", OE1).await;
    h.act_ok(
        &case_id,
        &sup,
        json!({"action": "assign", "user": "leaving"}),
    )
    .await;
    let before = version(&h, &case_id, &sup).await;

    for user in ["nobody", "gone", "elsewhere"] {
        let r = h
            .act(&case_id, &sup, json!({"action": "assign", "user": user}))
            .await;
        assert_status(&r, StatusCode::UNPROCESSABLE_ENTITY, user);
        assert_eq!(
            r.json()["type"],
            "https://fallwerk.dev/problems/unknown-user"
        );
    }
    for to in ["nobody", "gone"] {
        let r = h.reassign(&sup, json!({"from": "leaving", "to": to})).await;
        assert_status(&r, StatusCode::UNPROCESSABLE_ENTITY, to);
        assert_eq!(
            r.json()["type"],
            "https://fallwerk.dev/problems/unknown-user"
        );
    }
    // A member of another org unit is refused per case: the report says why.
    let r = h
        .reassign(&sup, json!({"from": "leaving", "to": "elsewhere"}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.json());
    assert_eq!(r.json()["moved"], json!([]));
    assert_eq!(r.json()["not_moved"][0]["case_id"], case_id.as_str());
    let view = h.case(&case_id, &sup).await.json();
    assert_eq!(view["assignee"], "leaving");
    assert_eq!(view["version"], before, "no rejection changed the case");
}

#[tokio::test]
async fn a_deactivated_users_token_is_401_on_every_casework_route() {
    let (h, case_id, own) = Harness::with_case("rej-inactive").await;
    let v0 = version(&h, &case_id, &own).await;
    let token = h.token("leaver", &[OE1], &["caseworker", "supervisor"]);
    let r = h.get("/v1/cases", &token).await;
    assert_status(&r, StatusCode::OK, "active first");
    let mut leaver = Harness::user_record("leaver", &[OE1], &["caseworker", "supervisor"]);
    leaver.active = false;
    h.store.put_user(&leaver).await.expect("deactivate");

    let mut routes = case_routes(&case_id, &v0);
    routes.extend([
        (Method::GET, "/v1/cases".to_string(), None),
        (Method::GET, "/v1/inbox/counts".to_string(), None),
        (
            Method::POST,
            "/v1/cases/reassign".to_string(),
            Some(json!({"from": "leaver", "to": null})),
        ),
    ]);
    for (method, path, body) in routes {
        let r = h.cw(method.clone(), &path, &token, body).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{method} {path}");
        assert_eq!(
            r.json()["type"],
            "https://fallwerk.dev/problems/unauthorized"
        );
    }
    let r = upload_pdf(&h, &case_id, &token, "x.pdf", b"%PDF-1.7 x").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(version(&h, &case_id, &own).await, v0, "nothing changed");
}

#[tokio::test]
async fn an_oversized_upload_is_413_and_stores_nothing() {
    let h = Harness::with_body_limits(64 * 1024, 256 * 1024).await;
    let case_id = submit(&h, "rej-big", OE1).await;
    let cw = h.caseworker(OE1);
    let big = vec![b'x'; 300 * 1024];
    let r = upload_pdf(&h, &case_id, &cw, "gross.pdf", &big).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{:?}", r.json());
    assert_eq!(
        r.json()["type"],
        "https://fallwerk.dev/problems/payload-too-large"
    );
    let view = h.case(&case_id, &cw).await.json();
    assert_eq!(view["attachments"].as_array().map(Vec::len), Some(1));
    assert!(
        !h.blob_files()
            .iter()
            .any(|p| p.to_string_lossy().contains("gross")),
        "no blob of the refused upload"
    );
}

#[tokio::test]
async fn a_document_number_of_another_case_is_422() {
    let h = Harness::new().await;
    let cw = h.caseworker(OE1);
    let mut cases = Vec::new();
    for id in ["rej-doc-x", "rej-doc-y"] {
        let (case_id, _) = ready_case(&h, id).await;
        cases.push(case_id);
    }
    let (x, y) = (&cases[0], &cases[1]);
    let r = upload_pdf(&h, x, &cw, "Bescheid.pdf", b"%PDF-1.7 Bescheid X").await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.json());
    let n = r.json()["documents"][0]["n"].as_u64().expect("n");
    assert!(n >= 2, "after the applicant's attachment");

    // X's document number on Y, which has no such document: refused for both actions.
    let before = version(&h, y, &cw).await;
    for action in [
        json!({"action": "message", "subject": "Hinweis", "text": "Anbei.", "attachments": [n]}),
        json!({"action": "send_result", "outcome": "granted", "message": "Anbei.", "attachments": [n]}),
    ] {
        let r = h.act(y, &cw, action.clone()).await;
        assert_status(&r, StatusCode::UNPROCESSABLE_ENTITY, &format!("{action}"));
        assert_eq!(
            r.json()["type"],
            "https://fallwerk.dev/problems/invalid-field"
        );
    }
    assert_eq!(version(&h, y, &cw).await, before, "Y unchanged");
    // On its own case the number works.
    h.act_ok(
        x,
        &cw,
        json!({"action": "send_result", "outcome": "granted", "message": "Anbei.", "attachments": [n]}),
    )
    .await;
}
