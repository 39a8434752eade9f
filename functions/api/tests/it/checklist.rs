//! The checklist and the two new actions in `awaiting_applicant` over HTTP, with rejections.

use crate::common;
use axum::http::StatusCode;
use common::*;
use serde_json::json;

#[tokio::test]
async fn checklist_and_ending_the_wait_without_a_reply() {
    let (h, case_id, cw) = Harness::with_case("sub-check").await;
    let c = h.case_as(&case_id, &cw);

    // The service's required documents are the checklist; the view proposes the missing ones.
    let view = h.case(&case_id, &cw).await.json();
    assert_eq!(view["checklist"][0]["document"], "Personalausweis");
    assert_eq!(view["checklist"][0]["received"], false);
    assert_eq!(view["missing_documents"], json!(["Personalausweis"]));

    let r = c
        .act_ok(
            json!({"action": "check_document", "document": "Personalausweis", "received": true,
               "note": "Kopie liegt bei"}),
        )
        .await;
    let v = r;
    assert_eq!(v["checklist"][0]["received"], true);
    assert_eq!(v["checklist"][0]["checked_by"], "cw-oe-1");
    assert_eq!(v["checklist"][0]["note"], "Kopie liegt bei");
    assert_eq!(v["missing_documents"], json!([]));

    // Unknown document: 422; a check without `received`: 422.
    for body in [
        json!({"action": "check_document", "document": "Steuerbescheid", "received": true}),
        json!({"action": "check_document", "document": "Personalausweis"}),
    ] {
        let r = c.act(body.clone()).await;
        assert_status(&r, StatusCode::UNPROCESSABLE_ENTITY, &format!("{body}"));
    }

    // Not waiting: both new actions are 409 with the allowed actions.
    for body in [
        json!({"action": "documents_arrived", "note": "per Post"}),
        json!({"action": "withdraw_request", "reason": "Irrtum"}),
    ] {
        let r = c.act(body.clone()).await;
        assert_status(&r, StatusCode::CONFLICT, &format!("{body}"));
        assert!(r.json()["allowed_actions"].is_array(), "{:?}", r.json());
    }

    c.act_ok(json!({"action": "confirm_competence"})).await;
    let r = c
        .act(json!({"action": "request_documents", "items": ["Meldebescheinigung"]}))
        .await;
    assert_eq!(r.json()["status"], "awaiting_applicant");
    let allowed = r.json()["allowed_actions"].clone();
    assert!(
        allowed
            .as_array()
            .is_some_and(|a| a.contains(&json!("documents_arrived"))
                && a.contains(&json!("withdraw_request"))),
        "{allowed}"
    );
    // An empty note: 422.
    let r = c
        .act(json!({"action": "documents_arrived", "note": ""}))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = c
        .act_ok(json!({"action": "documents_arrived", "note": "per Post am Montag"}))
        .await;
    assert_eq!(r["status"], "completeness_check");
    assert_eq!(r["suspensions"][0]["to"], "2026-03-02");

    // Withdraw a second request: the applicant's postbox says so.
    let r = c
        .act(json!({"action": "request_documents", "items": ["Meldebescheinigung"]}))
        .await;
    assert_eq!(r.json()["status"], "awaiting_applicant");
    let r = c
        .act_ok(json!({"action": "withdraw_request", "reason": "irrtümlich angefordert"}))
        .await;
    assert_eq!(r["status"], "completeness_check");
    let st = h.portal_get(&format!("/v1/cases/{case_id}/status")).await;
    assert_eq!(st.json()["requested_documents"], json!([]));
    let msgs = h
        .portal_get(&format!("/v1/cases/{case_id}/messages"))
        .await
        .json();
    let last = msgs.as_array().and_then(|a| a.last()).expect("a message");
    assert!(
        last["text"]
            .as_str()
            .is_some_and(|t| t.contains("irrtümlich angefordert")),
        "{last}"
    );

    // A foreign org unit: 404 for the new actions too.
    let version = h.case(&case_id, &cw).await.json()["version"].clone();
    let r = h
        .post_action(
            &case_id,
            &h.caseworker(OE2),
            json!({"action": "check_document", "document": "Personalausweis",
                    "received": false, "expected_version": version}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}
