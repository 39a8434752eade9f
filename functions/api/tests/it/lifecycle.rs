//! The whole lifecycle of docs/ARCHITECTURE.md ("Case lifecycle") over HTTP, and a forward that takes access away.

use crate::common;
use axum::http::StatusCode;
use common::*;
use serde_json::json;

#[tokio::test]
async fn submit_work_and_close_a_case_over_http() {
    let (h, case_id, cw) = Harness::with_case("sub-1").await;
    let c = h.case_as(&case_id, &cw);

    // Inbox of OE1 lists it; the case shows what can be done.
    let inbox = h.get("/v1/cases?limit=10", &cw).await;
    assert_eq!(inbox.status, StatusCode::OK);
    assert_eq!(inbox.json()["items"][0]["id"], case_id.as_str());
    let filtered = h
        .get("/v1/cases?status=received&task=competence_check", &cw)
        .await;
    assert_eq!(filtered.json()["items"].as_array().map(Vec::len), Some(1));
    let view = h.case(&case_id, &cw).await;
    assert_eq!(view.status, StatusCode::OK);
    assert_eq!(view.json()["status"], "received");
    assert_eq!(view.json()["allowed_actions"][0], "confirm_competence");

    // The attachment comes back with its media type and a safe disposition.
    let doc = h
        .get(&format!("/v1/cases/{case_id}/attachments/1"), &cw)
        .await;
    assert_eq!(doc.status, StatusCode::OK);
    assert_eq!(doc.bytes, b"%PDF-1.7 ausweis");
    assert_eq!(doc.headers["content-type"], "application/pdf");
    assert_eq!(
        doc.headers["content-disposition"],
        "attachment; filename=\"Ausweis.pdf\"; filename*=UTF-8''Ausweis.pdf"
    );

    let r = c.act_ok(json!({"action": "confirm_competence"})).await;
    assert_eq!(r["status"], "completeness_check");

    let r = c
        .act_ok(json!({"action": "request_documents", "items": ["Meldebescheinigung"]}))
        .await;
    assert_eq!(r["status"], "awaiting_applicant");

    // The portal shows the request and the postbox, then the applicant replies.
    let st = h.portal_get(&format!("/v1/cases/{case_id}/status")).await;
    assert_eq!(st.status, StatusCode::OK, "{:?}", st.json());
    assert_eq!(st.json()["requested_documents"][0], "Meldebescheinigung");
    let msgs = h.portal_get(&format!("/v1/cases/{case_id}/messages")).await;
    assert_eq!(msgs.status, StatusCode::OK);
    assert!(!msgs.json().as_array().expect("list").is_empty());
    let files = vec![attachment("Meldebescheinigung.pdf", b"%PDF melde")];
    reply(&h, &case_id, "Unterlagen", "anbei", files).await;
    let doc = h
        .get(&format!("/v1/cases/{case_id}/attachments/2"), &cw)
        .await;
    assert_eq!(doc.bytes, b"%PDF melde");

    let r = c.act_ok(json!({"action": "confirm_complete"})).await;
    assert_eq!(r["status"], "in_progress");
    let r = c
        .act_ok(json!({"action": "send_result", "outcome": "granted", "message": "Genehmigt."}))
        .await;
    assert_eq!(r["status"], "completed");

    // History records every step with the actor.
    let hist = h
        .get(&format!("/v1/cases/{case_id}/history?limit=100"), &cw)
        .await;
    assert_eq!(hist.status, StatusCode::OK);
    let events = hist.json()["items"].as_array().cloned().unwrap_or_default();
    assert!(events.len() >= 6, "{events:?}");
    assert!(
        hist.bytes
            .windows(b"cw-oe-1".len())
            .any(|w| w == b"cw-oe-1"),
        "actor recorded"
    );
    let paged = h
        .get(&format!("/v1/cases/{case_id}/history?after=2&limit=2"), &cw)
        .await;
    assert_eq!(paged.json()["items"].as_array().map(Vec::len), Some(2));

    let st = h.portal_get(&format!("/v1/cases/{case_id}/status")).await;
    assert_eq!(st.json()["status"], "completed");
    assert_eq!(st.json()["outcome"], "granted");
}

#[tokio::test]
async fn after_a_forward_the_old_org_unit_gets_404() {
    let h = Harness::new().await;
    let case_id = submit(&h, "sub-fwd", OE1).await;
    let cw1 = h.caseworker(OE1);
    let cw2 = h.caseworker(OE2);
    assert_eq!(h.case(&case_id, &cw2).await.status, StatusCode::NOT_FOUND);
    h.act_ok(
        &case_id,
        &cw1,
        json!({"action": "forward", "org_unit_id": OE2, "reason": "zuständig"}),
    )
    .await;
    let gone = h.case(&case_id, &cw1).await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    assert_eq!(gone.headers["content-type"], "application/problem+json");
    let inbox1 = h.get("/v1/cases", &cw1).await;
    assert_eq!(inbox1.json()["items"].as_array().map(Vec::len), Some(0));
    let now = h.case(&case_id, &cw2).await;
    assert_eq!(now.status, StatusCode::OK);
    assert_eq!(now.json()["org_unit_id"], OE2);
}

#[tokio::test]
async fn inbox_pages_with_a_cursor() {
    let h = Harness::new().await;
    for i in 0..3 {
        submit(&h, &format!("page-{i}"), OE1).await;
    }
    let cw = h.caseworker(OE1);
    let first = h.get("/v1/cases?limit=2", &cw).await;
    assert_eq!(first.json()["items"].as_array().map(Vec::len), Some(2));
    let cursor = first.json()["next_cursor"]
        .as_str()
        .expect("cursor")
        .to_string();
    let second = h
        .get(&format!("/v1/cases?limit=2&cursor={cursor}"), &cw)
        .await;
    assert_eq!(second.status, StatusCode::OK);
    assert_eq!(second.json()["items"].as_array().map(Vec::len), Some(1));
    assert!(second.json()["next_cursor"].is_null());
    let bad = h.get("/v1/cases?cursor=garbage", &cw).await;
    assert_eq!(
        bad.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{:?}",
        bad.json()
    );
}
