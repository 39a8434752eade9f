//! The postbox thread for caseworkers over HTTP: both directions with texts, attachments,
//! authors and read marks; comments stay out; foreign org units get 404; every rejection.

use crate::common;
use axum::http::{Method, StatusCode};
use common::*;
use serde_json::{Value, json};

#[tokio::test]
async fn caseworkers_read_the_whole_thread_and_mark_replies_read() {
    let (h, case_id, cw) = Harness::with_case("sub-thread").await;
    let c = h.case_as(&case_id, &cw);
    let question = json!({"action": "message", "subject": "Rückfrage",
                          "text": "Bitte Öffnungszeiten nennen."});
    c.act_ok(question).await;
    c.act_ok(json!({"action": "comment", "text": "intern: Anruf vereinbart"}))
        .await;
    reply(
        &h,
        &case_id,
        "Öffnungszeiten",
        "Mo–Fr 6 bis 18 Uhr",
        vec![attachment("Aushang.pdf", b"%PDF aushang")],
    )
    .await;
    reply(&h, &case_id, "Nachtrag", "Samstags bis 12 Uhr", vec![]).await;

    let uri = format!("/v1/cases/{case_id}/thread");
    let t = h.get(&uri, &cw).await;
    assert_eq!(t.status, StatusCode::OK, "{:?}", t.json());
    let t = t.json();
    assert_eq!(t["case_id"], case_id.as_str());
    assert_eq!(t["unread"], 2);
    let msgs = t["messages"].as_array().expect("messages").clone();
    // Receipt notice, the caseworker's question, two replies; never the comment.
    assert_eq!(msgs.len(), 4, "{msgs:?}");
    assert!(!t.to_string().contains("intern: Anruf"));
    assert_eq!(msgs[0]["direction"], "to_applicant");
    assert_eq!(msgs[1]["subject"], "Rückfrage");
    assert_eq!(msgs[1]["text"], "Bitte Öffnungszeiten nennen.");
    assert_eq!(
        msgs[1]["author"],
        json!({"kind": "caseworker", "id": "cw-oe-1"})
    );
    assert_eq!(msgs[1]["unread"], false);
    assert_eq!(msgs[2]["direction"], "from_applicant");
    assert_eq!(msgs[2]["text"], "Mo–Fr 6 bis 18 Uhr");
    assert_eq!(msgs[2]["author"], json!({"kind": "applicant"}));
    assert_eq!(msgs[2]["unread"], true);
    assert_eq!(msgs[2]["read"], Value::Null);
    assert_eq!(msgs[2]["attachments"][0]["name"], "Aushang.pdf");
    let n = msgs[2]["attachments"][0]["n"].as_u64().expect("n");
    let doc = h
        .get(&format!("/v1/cases/{case_id}/attachments/{n}"), &cw)
        .await;
    assert_eq!(doc.bytes, b"%PDF aushang");

    // Mark the first reply read by its id; the second stays unread.
    let first_reply = msgs[2]["id"].as_str().expect("id").to_string();
    let mark = format!("/v1/cases/{case_id}/thread/read");
    let r = h
        .post(&mark, &cw, json!({"message_ids": [first_reply]}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.json());
    assert_eq!(r.json()["unread"], 1);
    assert_eq!(r.json()["messages"][2]["read"]["by"], "cw-oe-1");
    assert_eq!(r.json()["messages"][2]["unread"], false);
    assert_eq!(r.json()["messages"][3]["unread"], true);

    // Another caseworker marks all: the first reader of the first reply stays recorded.
    let other = h.token("cw-other", &[OE1], &["caseworker"]);
    let r = h.post(&mark, &other, json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.json());
    assert_eq!(r.json()["unread"], 0);
    assert_eq!(r.json()["messages"][2]["read"]["by"], "cw-oe-1");
    assert_eq!(r.json()["messages"][3]["read"]["by"], "cw-other");

    // Marking read is not a case change: the version the caseworker saw still works.
    let view = h.case(&case_id, &cw).await;
    let hist = h
        .get(&format!("/v1/cases/{case_id}/history?limit=500"), &cw)
        .await;
    assert_eq!(
        view.json()["version"].as_u64(),
        hist.json()["items"]
            .as_array()
            .and_then(|a| a.last())
            .and_then(|e| e["seq"].as_u64())
    );

    // The portal's postbox keeps its shape: no authors, no read marks, no comments.
    let portal = h.portal_get(&format!("/v1/cases/{case_id}/messages")).await;
    assert_eq!(portal.status, StatusCode::OK);
    let text = portal.json().to_string();
    assert!(!text.contains("\"author\""), "{text}");
    assert!(!text.contains("\"read\""), "{text}");
    assert!(!text.contains("cw-oe-1"), "{text}");
    assert!(!text.contains("intern: Anruf"), "{text}");
}

#[tokio::test]
async fn thread_rejections() {
    let (h, case_id, cw) = Harness::with_case("sub-thread-rej").await;
    let uri = format!("/v1/cases/{case_id}/thread");
    let mark = format!("/v1/cases/{case_id}/thread/read");

    // Foreign org unit and unknown case: 404, for reading and for marking.
    let foreign = h.caseworker(OE2);
    for (method, path, body) in [
        (Method::GET, uri.clone(), None),
        (Method::POST, mark.clone(), Some(json!({}))),
        (Method::GET, "/v1/cases/nope/thread".to_string(), None),
    ] {
        let token = if path.contains("nope") { &cw } else { &foreign };
        let r = h.cw(method, &path, token, body).await;
        assert_status(&r, StatusCode::NOT_FOUND, &path);
        assert!(r.problem_type().ends_with("/problems/not-found"));
    }
    // No token: 401; a token without a caseworker role: 403.
    let r = h
        .send(
            axum::http::Request::get(&uri)
                .body(axum::body::Body::empty())
                .expect("request"),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let admin = h.token("adm", &[OE1], &["admin"]);
    let r = h.get(&uri, &admin).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // Unknown message, a message to the applicant, an empty list, unknown fields: 422.
    let thread = h.get(&uri, &cw).await.json();
    let notice = thread["messages"][0]["id"]
        .as_str()
        .expect("id")
        .to_string();
    for body in [
        json!({"message_ids": ["no-such-message"]}),
        json!({"message_ids": [notice]}),
        json!({"message_ids": []}),
        json!({"ids": []}),
    ] {
        let r = h.post(&mark, &cw, body.clone()).await;
        assert_status(&r, StatusCode::UNPROCESSABLE_ENTITY, &format!("{body}"));
    }
}

#[tokio::test]
async fn the_retention_purge_empties_the_thread() {
    use fallwerk_core::app::TickOptions;
    let (h, case_id, cw) = Harness::with_case("sub-thread-purge").await;
    let c = h.case_as(&case_id, &cw);
    reply(
        &h,
        &case_id,
        "Frage",
        "Mein Geburtsname ist Musterfrau.",
        vec![],
    )
    .await;
    let mark = format!("/v1/cases/{case_id}/thread/read");
    let r = h.post(&mark, &cw, json!({})).await;
    assert_eq!(r.status, StatusCode::OK);
    c.act_ok(json!({"action": "cancel", "reason": "zurückgenommen"}))
        .await;
    // Far past the retention period: the scheduler purges.
    h.clock.advance(chrono::Duration::days(3 * 365));
    let report = h.app.tick(&TickOptions::default()).await.expect("tick");
    assert_eq!(report.purged, 1, "{report:?}");
    let cw = h.caseworker(OE1); // a fresh token on the moved clock
    let t = h
        .get(&format!("/v1/cases/{case_id}/thread"), &cw)
        .await
        .json();
    let text = t.to_string();
    assert!(!text.contains("Musterfrau"), "{text}");
    assert!(!text.contains("cw-oe-1"), "{text}");
    assert!(
        t["messages"].as_array().is_some_and(|m| m.len() >= 3),
        "{t}"
    );
}
