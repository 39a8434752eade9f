//! The hardened edges of issue 17, each reproduced first: timestamp overflow, security headers,
//! one Host header, authorisation before validation, export targets checked when configured,
//! token `nbf` and lifetime, bounded free-text fields.

use crate::common;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use common::*;
use fallwerk_api::testing::{claims, token};
use serde_json::json;
use tower::ServiceExt;

const P: &str = "https://fallwerk.dev/problems/";

fn assert_problem(res: &Res, status: StatusCode, kind: &str) {
    assert_eq!(res.status, status, "{:?}", res.json());
    assert_eq!(res.problem_type(), format!("{P}{kind}"));
}

#[tokio::test]
async fn a_timestamp_near_i64_min_does_not_wrap_into_the_window() {
    let h = Harness::new().await;
    for ts in [i64::MIN + h.now(), i64::MIN, i64::MAX, i64::MAX - h.now()] {
        let req = h.signer.request(
            Method::POST,
            "/v1/submissions",
            ts,
            bytes(&submission("s-overflow", OE1)),
        );
        assert_problem(&h.send(req).await, StatusCode::UNAUTHORIZED, "unauthorized");
    }
    let t = h.caseworker(OE1);
    let r = h.get("/v1/cases", &t).await;
    assert_eq!(r.json()["items"].as_array().map(Vec::len), Some(0));
}

fn assert_hardened(res: &Res, what: &str) {
    let cache = res.headers["cache-control"].to_str().unwrap_or_default();
    assert!(cache.contains("no-store"), "{what}: {cache}");
    assert_eq!(res.headers["x-content-type-options"], "nosniff", "{what}");
}

#[tokio::test]
async fn every_response_is_no_store_and_nosniff() {
    let h = Harness::new().await;
    let created = h
        .post_submission(bytes(&submission("s-headers", OE1)))
        .await;
    assert_eq!(created.status, StatusCode::CREATED);
    assert_hardened(&created, "portal 201");
    let case_id = created.case_id();
    let status = h.portal_get(&format!("/v1/cases/{case_id}/status")).await;
    assert_eq!(status.status, StatusCode::OK);
    assert_hardened(&status, "portal status");
    let cw = h.caseworker(OE1);
    let case = h.case(&case_id, &cw).await;
    assert_eq!(case.status, StatusCode::OK);
    assert_hardened(&case, "case");
    let attachment = h
        .get(&format!("/v1/cases/{case_id}/attachments/1"), &cw)
        .await;
    assert_eq!(attachment.status, StatusCode::OK);
    assert_hardened(&attachment, "attachment");
    for (uri, what) in [
        ("/health", "health"),
        ("/nowhere", "404"),
        ("/v1/cases", "401"),
    ] {
        let r = h
            .send(Request::get(uri).body(Body::empty()).expect("request"))
            .await;
        assert_hardened(&r, what);
    }
}

#[tokio::test]
async fn a_listener_takes_exactly_one_host_header() {
    let h = Harness::new().await;
    let router = fallwerk_api::listener_edge(h.router.clone());
    let call = |hosts: &[&str]| {
        let mut b = Request::get("/health");
        for host in hosts {
            b = b.header("host", *host);
        }
        let req = b.body(Body::empty()).expect("request");
        router.clone().oneshot(req)
    };
    let one = call(&["fallwerk.example"]).await.expect("infallible");
    assert_eq!(one.status(), StatusCode::OK);
    for hosts in [&[][..], &["a.example", "b.example"][..]] {
        let res = call(hosts).await.expect("infallible");
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{hosts:?}");
        assert_eq!(res.headers()["content-type"], "application/problem+json");
    }
}

#[tokio::test]
async fn admin_routes_authorise_before_they_validate() {
    let h = Harness::new().await;
    let cw = h.caseworker(OE1);
    // A malformed body (unknown field, wrong id) from a caseworker: 403, not 422.
    for (uri, body) in [
        (
            "/v1/admin/org-units/oe-9",
            json!({"id": "oe-9", "bogus": true}),
        ),
        ("/v1/admin/services/1", json!({"leika_id": "2", "name": ""})),
        (
            "/v1/admin/portal-clients/p",
            json!({"id": "p", "name": "x", "secret": "short"}),
        ),
    ] {
        let r = h.put(uri, &cw, body).await;
        assert_problem(&r, StatusCode::FORBIDDEN, "forbidden");
    }
    let r = h
        .send(
            Request::put("/v1/admin/org-units/oe-9")
                .header("authorization", format!("Bearer {cw}"))
                .header("content-type", "application/json")
                .body(Body::from("{not json"))
                .expect("request"),
        )
        .await;
    assert_problem(&r, StatusCode::FORBIDDEN, "forbidden");
    // The same body from an admin is validated.
    let admin = h.token("root", &[], &["admin"]);
    let r = h
        .put(
            "/v1/admin/org-units/oe-9",
            &admin,
            json!({"id": "oe-9", "bogus": true}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.json());
}

fn service(target: serde_json::Value) -> serde_json::Value {
    json!({"leika_id": "99000000000001", "name": "Export-Test", "export_target": target})
}

#[tokio::test]
async fn export_targets_are_checked_when_configured() {
    let (h, admin) = Harness::with_admin().await;
    let uri = "/v1/admin/services/99000000000001";
    for (target, field) in [
        (
            json!({"kind": "webhook", "url": "http://dms.amt.example/hook", "secret_ref": "dms"}),
            "export_target.url",
        ),
        (
            json!({"kind": "webhook", "url": "https://user:pw@dms.amt.example/", "secret_ref": "dms"}),
            "export_target.url",
        ),
        (
            json!({"kind": "directory", "path": "../../etc/cron.d"}),
            "export_target.path",
        ),
        (
            json!({"kind": "directory", "path": "/etc/cron.d"}),
            "export_target.path",
        ),
    ] {
        let r = h.put(uri, &admin, service(target.clone())).await;
        assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, "invalid-field");
        assert_eq!(r.json()["field"], field, "{target}");
    }
    let ok = h
        .put(
            uri,
            &admin,
            service(
                json!({"kind": "webhook", "url": "https://dms.amt.example/hook", "secret_ref": "dms"}),
            ),
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{:?}", ok.json());
}

#[tokio::test]
async fn tokens_not_yet_valid_or_living_too_long_are_401() {
    let h = Harness::new().await;
    let mut early = claims("x", &[OE1], &["caseworker"], h.now() + 3600);
    early.nbf = Some(h.now() + 600);
    let mut century = claims("x", &[OE1], &["caseworker"], h.now() + 100 * 365 * 86_400);
    century.iat = Some(h.now());
    for (c, detail) in [(early, "not valid yet"), (century, "lifetime")] {
        let r = h.get("/v1/cases", &token(JWT_SECRET, &c)).await;
        assert_problem(&r, StatusCode::UNAUTHORIZED, "unauthorized");
        assert!(r.detail().contains(detail), "{:?}", r.json());
    }
}

#[tokio::test]
async fn free_text_fields_are_bounded() {
    let h = Harness::new().await;
    let long = "x".repeat(201);
    for (pointer, value, field) in [
        ("name", long.clone(), "applicant.name"),
        (
            "email",
            format!("{}@example.org", "e".repeat(250)),
            "applicant.email",
        ),
        ("postbox_ref", "p".repeat(129), "applicant.postbox_ref"),
    ] {
        let mut s = submission(&format!("s-long-{pointer}"), OE1);
        s["applicant"][pointer] = json!(value);
        let r = h.post_submission(bytes(&s)).await;
        assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, "invalid-field");
        assert_eq!(r.json()["field"], field);
        assert!(r.detail().contains("at most"), "{:?}", r.json());
    }
    // 200 characters are fine.
    let mut s = submission("s-long-ok", OE1);
    s["applicant"]["name"] = json!("ä".repeat(200));
    let r = h.post_submission(bytes(&s)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.json());
    // Directory texts are bounded as well.
    let admin = h.token("root", &[], &["admin"]);
    let r = h
        .put(
            "/v1/admin/org-units/oe-9",
            &admin,
            json!({"id": "oe-9", "name": long, "notification_email": "oe9@amt.example"}),
        )
        .await;
    assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, "invalid-field");
    assert_eq!(r.json()["field"], "name");
}
