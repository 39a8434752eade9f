//! Announcement and appeal over HTTP (issue 19): the portal reports the retrieval of the
//! decision (signed route), the case shows the announcement day and the appeal deadline; a
//! posting and an appeal are caseworker actions.

use crate::common;
use axum::http::{Method, StatusCode};
use common::*;
use serde_json::json;

/// A case of OE1 with its result sent (granted); the case id and the caseworker token.
async fn completed_case(h: &Harness, sub: &str) -> (String, String) {
    let (case_id, cw) = ready_case(h, sub).await;
    let c = h.case_as(&case_id, &cw);
    c.act_ok(json!({"action": "send_result", "outcome": "granted", "message": "Genehmigt."}))
        .await;
    (case_id, cw)
}

async fn result_message_id(h: &Harness, case_id: &str, cw: &str) -> String {
    let view = h.case(case_id, cw).await;
    view.json()["result"]["message_id"]
        .as_str()
        .expect("result message id")
        .to_owned()
}

/// Sent and retrieved on Monday 02.03.2026 → announced Tuesday 03.03.2026 (§ 41 Abs. 2a Satz 3
/// VwVfG) → appeal until Friday 03.04.2026 = Karfreitag → Tuesday 07.04.2026 after Easter.
#[tokio::test]
async fn portal_reports_the_retrieval_and_the_case_shows_the_announcement() {
    let h = Harness::new().await;
    let (case_id, cw) = completed_case(&h, "sub-ann-1").await;
    let c = h.case_as(&case_id, &cw);
    let msg = result_message_id(&h, &case_id, &cw).await;
    let uri = format!("/v1/cases/{case_id}/messages/{msg}/retrieved");

    let r = h.portal(Method::POST, &uri, Vec::new()).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.json());
    assert_eq!(r.json()["announced_on"], "2026-03-03");
    assert_eq!(r.json()["appeal_due"], "2026-04-07");

    let view = h.case(&case_id, &cw).await;
    let result = &view.json()["result"];
    assert_eq!(result["retrieved_on"], "2026-03-02");
    assert_eq!(result["announced_on"], "2026-03-03");
    assert_eq!(result["announced_via"], "postbox");
    assert_eq!(result["appeal_due"], "2026-04-07");
    assert!(result.get("final_on").is_none());
    assert_eq!(
        view.json()["allowed_actions"],
        json!(["comment", "record_appeal"])
    );

    // The portal may retry: same answer, nothing recorded twice.
    let again = h.portal(Method::POST, &uri, Vec::new()).await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(again.json()["announced_on"], "2026-03-03");
    let hist = h.get(&format!("/v1/cases/{case_id}/history"), &cw).await;
    let text = String::from_utf8_lossy(&hist.bytes).into_owned();
    assert_eq!(text.matches("\"result_announced\"").count(), 1, "{text}");

    // The appeal is an action.
    let r = c
        .act_ok(json!({"action": "record_appeal", "received_on": "2026-03-02"}))
        .await;
    assert_eq!(r["result"]["appeal_lodged_on"], "2026-03-02");
}

#[tokio::test]
async fn retrieval_reports_are_checked() {
    let h = Harness::new().await;
    let (case_id, cw) = completed_case(&h, "sub-ann-2").await;
    let c = h.case_as(&case_id, &cw);
    // An unknown message of the case: 404.
    let r = h
        .portal(
            Method::POST,
            &format!("/v1/cases/{case_id}/messages/{case_id}-m999/retrieved"),
            Vec::new(),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{:?}", r.json());
    // An unknown case: 404.
    let r = h
        .portal(
            Method::POST,
            "/v1/cases/nope/messages/nope-m1/retrieved",
            Vec::new(),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // Unsigned: 401.
    let msg = result_message_id(&h, &case_id, &cw).await;
    let req = axum::http::Request::builder()
        .method(Method::POST)
        .uri(format!("/v1/cases/{case_id}/messages/{msg}/retrieved"))
        .body(axum::body::Body::empty())
        .expect("request");
    assert_eq!(h.send(req).await.status, StatusCode::UNAUTHORIZED);
    // A posting in the future is refused with the field named.
    let r = c
        .act(json!({"action": "record_posting", "posted_on": "2026-03-09"}))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.json());
    assert_eq!(r.json()["field"], "posted_on");
    // Posted today (Monday 02.03.2026): announced on the fourth day, Friday 06.03.2026.
    let r = c
        .act_ok(json!({"action": "record_posting", "posted_on": "2026-03-02"}))
        .await;
    assert_eq!(r["result"]["announced_on"], "2026-03-06");
    assert_eq!(r["result"]["announced_via"], "post");
    // Posting again is not allowed any more (409 listing what is).
    let r = c
        .act(json!({"action": "record_posting", "posted_on": "2026-03-02"}))
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{:?}", r.json());
}
