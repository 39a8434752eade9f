//! Every rejection the API promises, each with its status and problem type.

use crate::common;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use chrono::Duration;
use common::*;
use fallwerk_api::testing::{PortalSigner, claims, token};
use serde_json::{Value, json};

/// Asserts a problem as the API promises it: status, type, media type and `status` member.
fn assert_problem(res: &Res, status: StatusCode, kind: &str) {
    assert_problem_type(res, status, kind);
    assert_eq!(res.headers["content-type"], "application/problem+json");
    assert_eq!(res.json()["status"], status.as_u16());
}

/// A submission signed by `signer` at `ts` (not sent).
fn signed_submission(signer: &PortalSigner, ts: i64) -> Request<Body> {
    signer.request(
        Method::POST,
        "/v1/submissions",
        ts,
        bytes(&submission("s", OE1)),
    )
}

/// Asserts a 422 that names `field` and says `problem` about `value`.
fn assert_invalid(r: &Res, field: &str, value: &str, problem: &str) {
    assert_problem(r, StatusCode::UNPROCESSABLE_ENTITY, "invalid-field");
    assert_eq!(r.json()["field"], field, "{value:?}");
    let detail = r.detail();
    assert!(detail.contains(problem), "{value:?}: {detail}");
}

// --- portal authentication -------------------------------------------------------------------

#[tokio::test]
async fn bad_signature_is_401() {
    let h = Harness::new().await;
    let wrong = PortalSigner::new("portal-1", "another-secret-0123456789abcdef0123");
    let req = signed_submission(&wrong, h.now());
    assert_problem(&h.send(req).await, StatusCode::UNAUTHORIZED, "unauthorized");
    // A body changed after signing fails too.
    let mut req = signed_submission(&h.signer, h.now());
    *req.body_mut() = Body::from(bytes(&submission("s2", OE1)));
    assert_problem(&h.send(req).await, StatusCode::UNAUTHORIZED, "unauthorized");
    assert_eq!(case_count(&h).await, 0);
}

#[tokio::test]
async fn stale_or_future_timestamp_is_401() {
    let h = Harness::new().await;
    for offset in [-301, 301] {
        let req = signed_submission(&h.signer, h.now() + offset);
        assert_problem(&h.send(req).await, StatusCode::UNAUTHORIZED, "unauthorized");
    }
    // Within the window is fine.
    let req = signed_submission(&h.signer, h.now() - 290);
    assert_eq!(h.send(req).await.status, StatusCode::CREATED);
}

#[tokio::test]
async fn replayed_request_is_401() {
    let h = Harness::new().await;
    let ts = h.now();
    let body = bytes(&submission("s-replay", OE1));
    let first = h
        .send(
            h.signer
                .request(Method::POST, "/v1/submissions", ts, body.clone()),
        )
        .await;
    assert_eq!(first.status, StatusCode::CREATED);
    let blobs = h.blob_files();
    h.clock.advance(Duration::seconds(10));
    let again = h
        .send(h.signer.request(Method::POST, "/v1/submissions", ts, body))
        .await;
    assert_problem(&again, StatusCode::UNAUTHORIZED, "unauthorized");
    assert!(again.detail().contains("replay"));
    // Intake claims the signature while it writes the documents: the replay's copies are
    // removed again, and no case is added (the reference number it drew stays a gap).
    assert_eq!(h.blob_files(), blobs);
    assert_eq!(case_count(&h).await, 1);
    // A refused request claims nothing: the same signed request is refused for its content
    // again, not as a replay.
    let ts = h.now();
    let unroutable = bytes(&submission("s-unroutable", "no-such-unit"));
    for _ in 0..2 {
        let r = h
            .send(
                h.signer
                    .request(Method::POST, "/v1/submissions", ts, unroutable.clone()),
            )
            .await;
        assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, "unroutable");
    }
    assert_eq!(h.blob_files(), blobs);
    // Identical signed (v2) reads within the window are allowed (issue 17: they change
    // nothing); v1 reads stay one-shot (tests/signature_v2.rs).
    let case_id = first.case_id();
    let uri = format!("/v1/cases/{case_id}/status");
    let ts = h.now();
    for _ in 0..2 {
        assert_eq!(
            h.send(h.signer.request(Method::GET, &uri, ts, vec![]))
                .await
                .status,
            StatusCode::OK
        );
    }
    // Another route signed in the same second is no replay: the portal reads status and
    // postbox together.
    let messages = format!("/v1/cases/{case_id}/messages");
    assert_eq!(
        h.send(h.signer.request(Method::GET, &messages, ts, vec![]))
            .await
            .status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn unknown_inactive_or_missing_client_is_401() {
    let h = Harness::new().await;
    for id in ["nobody", "portal-off"] {
        let req = signed_submission(&PortalSigner::new(id, PORTAL_SECRET), h.now());
        assert_problem(&h.send(req).await, StatusCode::UNAUTHORIZED, "unauthorized");
    }
    let req = Request::post("/v1/submissions")
        .header("content-type", "application/json")
        .body(Body::from(bytes(&submission("s", OE1))))
        .expect("request");
    assert_problem(&h.send(req).await, StatusCode::UNAUTHORIZED, "unauthorized");
}

// --- bodies -----------------------------------------------------------------------------------

#[tokio::test]
async fn oversized_bodies_are_413() {
    let h = Harness::with_body_limits(512, 2048).await;
    let mut big = submission("s-big", OE1);
    big["attachments"] = json!([attachment("x.pdf", &[7u8; 4096])]);
    let r = h.post_submission(bytes(&big)).await;
    assert_problem(&r, StatusCode::PAYLOAD_TOO_LARGE, "payload-too-large");
    let case_id = submit(&h, "s-small", OE1).await;
    let cw = h.caseworker(OE1);
    let r = h
        .post_action(
            &case_id,
            &cw,
            json!({"action": "comment", "text": "x".repeat(1000), "expected_version": 1}),
        )
        .await;
    assert_problem(&r, StatusCode::PAYLOAD_TOO_LARGE, "payload-too-large");
}

#[tokio::test]
async fn malformed_json_is_400_and_unknown_fields_422() {
    let h = Harness::new().await;
    let r = h.post_submission(b"{\"submission_id\": ".to_vec()).await;
    assert_problem(&r, StatusCode::BAD_REQUEST, "malformed-request");
    let mut extra = submission("s-extra", OE1);
    extra["surprise"] = json!(true);
    let r = h.post_submission(bytes(&extra)).await;
    assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, "invalid-body");
    assert!(r.detail().contains("unknown field `surprise`"));

    let case_id = submit(&h, "s-ok", OE1).await;
    let cw = h.caseworker(OE1);
    let r = h
        .post_action(
            &case_id,
            &cw,
            json!({"action": "confirm_competence", "expected_version": 1, "why": 1}),
        )
        .await;
    assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, "invalid-body");
    assert!(r.detail().contains("why"));
    let r = h
        .post_action(&case_id, &cw, json!({"action": "confirm_competence"}))
        .await;
    assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, "invalid-body");
    let uri = format!("/v1/cases/{case_id}/actions");
    for (content_type, body, status, kind) in [
        (
            "application/json",
            "{not json",
            StatusCode::BAD_REQUEST,
            "malformed-request",
        ),
        (
            "text/plain",
            "{}",
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
        ),
    ] {
        let req = Request::post(&uri)
            .header("authorization", format!("Bearer {cw}"))
            .header("content-type", content_type)
            .body(Body::from(body))
            .expect("request");
        assert_problem(&h.send(req).await, status, kind);
    }
}

#[tokio::test]
async fn attachment_checksum_mismatch_is_422_and_stores_nothing() {
    let h = Harness::new().await;
    let mut s = submission("s-sum", OE1);
    s["attachments"][0]["sha256"] = json!("00".repeat(32));
    let r = h.post_submission(bytes(&s)).await;
    assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, "invalid-field");
    assert_eq!(r.json()["field"], "attachments[0].sha256");
    // The first of two documents is fine and written; the second's checksum is wrong: neither
    // stays behind.
    let mut s = submission("s-sum2", OE1);
    let good = s["attachments"][0].clone();
    let mut bad = attachment("zwei.pdf", b"zweites Dokument");
    bad["sha256"] = json!("11".repeat(32));
    s["attachments"] = json!([good, bad]);
    let r = h.post_submission(bytes(&s)).await;
    assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, "invalid-field");
    assert_eq!(r.json()["field"], "attachments[1].sha256");
    let mut s = submission("s-b64", OE1);
    s["attachments"][0]["content"] = json!("***");
    let r = h.post_submission(bytes(&s)).await;
    assert_eq!(r.json()["field"], "attachments[0].content");
    assert_eq!(case_count(&h).await, 0);
    assert_eq!(h.blob_files(), Vec::<std::path::PathBuf>::new());
}

// --- submissions --------------------------------------------------------------------------------

#[tokio::test]
async fn duplicate_submission_is_200_with_one_case_and_a_changed_body_409() {
    let h = Harness::new().await;
    let body = bytes(&submission("s-dup", OE1));
    let first = h.post_submission(body.clone()).await;
    assert_eq!(first.status, StatusCode::CREATED);
    let second = h.post_submission(body).await;
    assert_eq!(second.status, StatusCode::OK);
    assert_eq!(first.json(), second.json());
    assert_eq!(case_count(&h).await, 1);
    let mut changed = submission("s-dup", OE1);
    changed["form"]["data"] = json!({"betrieb": "Metzgerei"});
    let r = h.post_submission(bytes(&changed)).await;
    assert_problem(&r, StatusCode::CONFLICT, "submission-mismatch");
    // The problem names the case the first delivery created (issue 16).
    assert_eq!(
        r.json()["case_id"],
        first.json()["case_id"],
        "{:?}",
        r.json()
    );
    assert_eq!(r.json()["reference"], first.json()["reference"]);
    assert_eq!(case_count(&h).await, 1);
}

/// `v` serialised with every object's keys in reverse order, spaces and line breaks between
/// the tokens and non-ASCII characters escaped: what a portal that re-serialised may send.
fn reformatted(v: &Value) -> String {
    match v {
        Value::Object(m) => {
            let members: Vec<String> = m
                .iter()
                .rev()
                .map(|(k, v)| format!("\n  {} : {}", json!(k), reformatted(v)))
                .collect();
            format!("{{ {} \n}}", members.join(" ,"))
        }
        Value::Array(a) => {
            let items: Vec<String> = a.iter().map(reformatted).collect();
            format!("[ {} ]", items.join(" , "))
        }
        Value::String(s) => {
            let escaped: String = s
                .chars()
                .map(|c| {
                    if c.is_ascii() {
                        c.to_string()
                    } else {
                        format!("\\u{:04x}", c as u32)
                    }
                })
                .collect();
            format!("\"{escaped}\"")
        }
        other => other.to_string(),
    }
}

#[tokio::test]
async fn a_retry_that_only_reformats_the_json_is_the_same_submission() {
    let h = Harness::new().await;
    let v = submission("s-fmt", OE1);
    let first = h.post_submission(bytes(&v)).await;
    assert_eq!(first.status, StatusCode::CREATED, "{:?}", first.json());
    let again = reformatted(&v);
    assert_ne!(again.as_bytes(), &bytes(&v)[..], "the bytes differ");
    let second = h.post_submission(again.into_bytes()).await;
    assert_eq!(second.status, StatusCode::OK, "{:?}", second.json());
    assert_eq!(first.json(), second.json());
    assert_eq!(case_count(&h).await, 1);
}

/// A repeated submission id whose document bytes changed but whose declared checksum did not
/// is refused for the checksum (the fingerprint names documents by their checksum); a changed
/// document with its own checksum is a different submission.
#[tokio::test]
async fn a_retry_with_other_document_bytes_is_not_the_same_submission() {
    let h = Harness::new().await;
    let v = submission("s-doc", OE1);
    let first = h.post_submission(bytes(&v)).await;
    assert_eq!(first.status, StatusCode::CREATED, "{:?}", first.json());
    let files = h.blob_files();

    let mut same_sum = v.clone();
    same_sum["attachments"][0]["content"] =
        attachment("Ausweis.pdf", b"%PDF-1.7 ausweiz")["content"].clone();
    let r = h.post_submission(bytes(&same_sum)).await;
    assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, "invalid-field");
    assert_eq!(r.json()["field"], "attachments[0].sha256");

    let mut other = v.clone();
    other["attachments"][0] = attachment("Ausweis.pdf", b"%PDF-1.7 ausweiz");
    let r = h.post_submission(bytes(&other)).await;
    assert_problem(&r, StatusCode::CONFLICT, "submission-mismatch");
    assert_eq!(case_count(&h).await, 1);
    assert_eq!(
        h.blob_files(),
        files,
        "nothing of the refused attempts stays behind"
    );
}

/// A submission stored by a fallwerk whose fingerprint was the canonical JSON of the whole body
/// (no version mark): its retry is still the same submission, a changed body still is not.
#[tokio::test]
async fn a_retry_of_a_submission_stored_with_the_earlier_fingerprint_is_recognised() {
    use fallwerk_core::app::{IncomingDocument, Submission, canonical_json_sha256};
    let h = Harness::new().await;
    let v = submission("s-old", OE1);
    let earlier = canonical_json_sha256(&bytes(&v)).expect("json");
    let stored = h
        .app
        .submit(
            "portal-1",
            Submission {
                submission_id: "s-old".into(),
                leika_id: LEIKA.into(),
                org_unit_id: OE1.into(),
                applicant: serde_json::from_value(v["applicant"].clone()).expect("applicant"),
                form_id: "gewerbe-v1".into(),
                form_data: v["form"]["data"].clone(),
                documents: vec![IncomingDocument {
                    name: "Ausweis.pdf".into(),
                    media_type: "application/pdf".into(),
                    bytes: b"%PDF-1.7 ausweis".to_vec(),
                    declared_sha256: None,
                    declared_size: None,
                    source: fallwerk_core::model::AttachmentSource::Submission,
                }],
            },
            earlier.as_str(),
        )
        .await
        .expect("stored the earlier way");

    let retry = h.post_submission(reformatted(&v).into_bytes()).await;
    assert_eq!(retry.status, StatusCode::OK, "{:?}", retry.json());
    assert_eq!(retry.json()["case_id"], stored.case_id.as_str());
    let mut changed = v.clone();
    changed["form"]["data"] = json!({"betrieb": "Metzgerei"});
    let r = h.post_submission(bytes(&changed)).await;
    assert_problem(&r, StatusCode::CONFLICT, "submission-mismatch");
    assert_eq!(case_count(&h).await, 1);
}

#[tokio::test]
async fn an_applicant_address_that_is_none_is_422_naming_the_problem() {
    let h = Harness::new().await;
    for (i, (email, problem)) in [
        ("erika@example.org\r\nBcc: x@evil.example", "line break"),
        ("erika.example.org", "no @"),
        ("erika@@example.org", "more than one @"),
        ("Erika <erika@example.org>", "one address"),
        ("erika@example..org", "domain"),
    ]
    .into_iter()
    .enumerate()
    {
        let mut v = submission(&format!("s-mail-{i}"), OE1);
        v["applicant"]["email"] = json!(email);
        let r = h.post_submission(bytes(&v)).await;
        assert_invalid(&r, "applicant.email", email, problem);
    }
    assert_eq!(case_count(&h).await, 0);
}

#[tokio::test]
async fn an_org_unit_address_that_is_none_is_422_naming_the_problem() {
    let (h, admin) = Harness::with_admin().await;
    for (email, problem) in [
        ("oe9@amt.example\nBcc: x@evil.example", "line break"),
        ("oe9.amt.example", "no @"),
    ] {
        let body = json!({"id": "oe-9", "name": "Neue Stelle", "notification_email": email,
                          "state": "MV", "services": [LEIKA]});
        let r = h.put("/v1/admin/org-units/oe-9", &admin, body).await;
        assert_invalid(&r, "notification_email", email, problem);
    }
    let r = h.get("/v1/admin/org-units", &admin).await;
    assert!(!r.json().to_string().contains("oe-9"), "nothing stored");
}

#[tokio::test]
async fn unroutable_submission_is_422() {
    let h = Harness::new().await;
    for oe in ["oe-unknown", OE3] {
        let r = h.post_submission(bytes(&submission("s-x", oe))).await;
        assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, "unroutable");
    }
    assert_eq!(case_count(&h).await, 0);
}

#[tokio::test]
async fn portal_sees_only_its_own_cases() {
    let h = Harness::new().await;
    let r = h.portal_get("/v1/cases/does-not-exist/status").await;
    assert_problem(&r, StatusCode::NOT_FOUND, "not-found");
}

// --- caseworkers --------------------------------------------------------------------------------

#[tokio::test]
async fn foreign_org_unit_gets_404_for_read_and_act() {
    let h = Harness::new().await;
    let case_id = submit(&h, "s-oe", OE1).await;
    let cw2 = h.caseworker(OE2);
    for uri in [
        format!("/v1/cases/{case_id}"),
        format!("/v1/cases/{case_id}/history"),
        format!("/v1/cases/{case_id}/attachments/1"),
    ] {
        assert_problem(&h.get(&uri, &cw2).await, StatusCode::NOT_FOUND, "not-found");
    }
    let r = h
        .post_action(
            &case_id,
            &cw2,
            json!({"action": "confirm_competence", "expected_version": 1}),
        )
        .await;
    assert_problem(&r, StatusCode::NOT_FOUND, "not-found");
    let r = h.get(&format!("/v1/cases?org_unit={OE1}"), &cw2).await;
    assert_problem(&r, StatusCode::FORBIDDEN, "forbidden");
}

#[tokio::test]
async fn illegal_action_is_409_listing_allowed_actions() {
    let (h, case_id, cw) = Harness::with_case("s-illegal").await;
    let r = h
        .act(&case_id, &cw, json!({"action": "confirm_complete"}))
        .await;
    assert_problem(&r, StatusCode::CONFLICT, "not-allowed");
    let allowed = r.json()["allowed_actions"].clone();
    assert_eq!(allowed[0], "confirm_competence");
    assert!(
        allowed
            .as_array()
            .is_some_and(|a| a.contains(&json!("forward")))
    );
}

#[tokio::test]
async fn stale_version_is_409() {
    let (h, case_id, cw) = Harness::with_case("s-stale").await;
    h.act_ok(&case_id, &cw, json!({"action": "comment", "text": "eins"}))
        .await;
    let r = h
        .post_action(
            &case_id,
            &cw,
            json!({"action": "comment", "text": "zwei", "expected_version": 1}),
        )
        .await;
    assert_problem(&r, StatusCode::CONFLICT, "stale-version");
}

#[tokio::test]
async fn missing_role_is_403_and_bad_tokens_401() {
    let h = Harness::new().await;
    let case_id = submit(&h, "s-role", OE1).await;
    let nobody = h.token("nobody", &[OE1], &[]);
    assert_problem(
        &h.get("/v1/cases", &nobody).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    );
    let cw = h.caseworker(OE1);
    let version = h.case(&case_id, &cw).await.json()["version"].clone();
    let r = h
        .post_action(
            &case_id,
            &nobody,
            json!({"action": "confirm_competence", "expected_version": version}),
        )
        .await;
    assert_problem(&r, StatusCode::FORBIDDEN, "forbidden");
    assert_problem(
        &h.get("/v1/admin/org-units", &cw).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    );

    let forged = token(
        "some-other-secret",
        &claims("x", &[OE1], &["caseworker"], h.now() + 60),
    );
    let expired = token(
        JWT_SECRET,
        &claims("x", &[OE1], &["caseworker"], h.now() - 120),
    );
    for t in [forged.as_str(), expired.as_str(), "not.a.jwt"] {
        assert_problem(
            &h.get("/v1/cases", t).await,
            StatusCode::UNAUTHORIZED,
            "unauthorized",
        );
    }
    let r = h.anonymous(Method::GET, "/v1/cases").await;
    assert_problem(&r, StatusCode::UNAUTHORIZED, "unauthorized");
    assert!(r.headers.contains_key("www-authenticate"));
}

#[tokio::test]
async fn invalid_query_values_are_422() {
    let h = Harness::new().await;
    let cw = h.caseworker(OE1);
    let r = h.get("/v1/cases?status=bogus", &cw).await;
    assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, "invalid-field");
    assert_eq!(r.json()["field"], "status");
    let r = h.get("/v1/cases?limit=abc", &cw).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
}

// --- admin and meta ---------------------------------------------------------------------------

#[tokio::test]
async fn admin_maintains_the_directory() {
    let (h, admin) = Harness::with_admin().await;
    let r = h
        .put(
            "/v1/admin/org-units/oe-9",
            &admin,
            json!({"id": "oe-9", "name": "Amt 9", "notification_email": "oe9@amt.example", "services": [LEIKA]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.json());
    let r = h.get("/v1/admin/org-units", &admin).await;
    assert!(
        r.json()
            .as_array()
            .is_some_and(|a| a.iter().any(|o| o["id"] == "oe-9"))
    );
    let r = h
        .put(
            "/v1/admin/org-units/oe-8",
            &admin,
            json!({"id": "oe-9", "name": "x", "notification_email": "a@b"}),
        )
        .await;
    assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, "invalid-field");
    let r = h
        .put(
            "/v1/admin/services/12345",
            &admin,
            json!({"leika_id": "12345", "name": "Hundesteuer"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.json());
    assert_eq!(
        h.get("/v1/admin/services", &admin)
            .await
            .json()
            .as_array()
            .map(Vec::len),
        Some(2)
    );
    let r = h
        .put(
            "/v1/admin/portal-clients/p2",
            &admin,
            json!({"id": "p2", "name": "P2", "secret": "s".repeat(40)}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["secret"], "***");
    let r = h.get("/v1/admin/portal-clients", &admin).await;
    assert!(!String::from_utf8_lossy(&r.bytes).contains(PORTAL_SECRET));
    let r = h
        .put(
            "/v1/admin/portal-clients/p3",
            &admin,
            json!({"id": "p3", "name": "P3", "secret": "short"}),
        )
        .await;
    assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, "invalid-field");
    assert_eq!(r.json()["field"], "secret");
}

#[tokio::test]
async fn health_openapi_and_unknown_routes() {
    let h = Harness::new().await;
    let r = h.anonymous(Method::GET, "/health").await;
    assert_eq!(r.status, StatusCode::OK);
    let r = h.anonymous(Method::GET, "/openapi.json").await;
    assert_eq!(r.json()["openapi"], "3.1.0");
    let r = h.anonymous(Method::GET, "/nope").await;
    assert_problem(&r, StatusCode::NOT_FOUND, "not-found");
    let r = h.anonymous(Method::DELETE, "/v1/submissions").await;
    assert_problem(&r, StatusCode::METHOD_NOT_ALLOWED, "method-not-allowed");
}

#[tokio::test]
async fn an_antrag_with_an_address_that_is_none_is_422_naming_the_problem() {
    use fallwerk_api::testing::multipart;
    let h = Harness::new().await;
    // A form field's value without any @ ("Keine Angabe", "erika.example.org") is not taken as
    // an address at all (core::form::applicant_email; the case then has no e-mail, see
    // `a_form_value_without_an_at_is_no_address` below); what looks like an address must be one.
    for (i, (email, problem)) in [
        ("erika@example.org\r\nBcc: x@evil.example", "line break"),
        ("erika@amt@example.org", "more than one @"),
        ("erika@", "name or domain missing"),
    ]
    .into_iter()
    .enumerate()
    {
        let form = bytes(&json!({
            "control": {"transactionId": format!("tx-mail-{i}"), "zustaendigeStelle": OE1,
                        "leikaIds": [LEIKA], "formId": "gewerbe-an"},
            // The items shape form engines send (functions/api/tests/it/form_engines.rs).
            "formData": [{"name": "antragsteller", "label": "Antragsteller", "formItems": [
                {"name": "pers_vorname", "label": "Vorname", "stringValue": "Erika"},
                {"name": "pers_nachname", "label": "Nachname", "stringValue": "Muster"},
                {"name": "kont_email", "label": "E-Mail", "stringValue": email}
            ]}]
        }));
        let body = multipart(&[form_data_part(Some("application/json"), &form)]);
        let r = deliver_antrag(&h, body).await;
        assert_invalid(&r, "applicant.email", email, problem);
    }
    assert_eq!(case_count(&h).await, 0);
}

#[tokio::test]
async fn a_form_value_without_an_at_is_no_address() {
    use fallwerk_api::testing::multipart;
    let h = Harness::new().await;
    let form = bytes(&json!({
        "control": {"transactionId": "tx-no-at", "zustaendigeStelle": OE1,
                    "leikaIds": [LEIKA], "formId": "gewerbe-an"},
        "formData": [{"name": "kont_email", "label": "E-Mail", "stringValue": "erika.example.org"}]
    }));
    let body = multipart(&[form_data_part(Some("application/json"), &form)]);
    let r = deliver_antrag(&h, body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json());
    let id = vorgang_id(&r);
    let t = h.token("reader", &[OE1], &["caseworker"]);
    let case = h.case(&id, &t).await;
    assert_eq!(case.status, StatusCode::OK, "{}", case.json());
    assert!(
        case.json()["applicant"]["email"].is_null(),
        "{}",
        case.json()
    );
}
