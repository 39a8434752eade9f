//! Portal signature version 2 (issue 17): the signature binds method, path with query,
//! timestamp, client and body; the replay key is the normalised request; identical reads pass;
//! version 1 only for clients that still allow it; no body is read before the client is known.

use crate::common;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use common::*;
use fallwerk_api::testing::PortalSigner;
use fallwerk_core::case::{Caller, Role};
use fallwerk_core::model::PortalClient;
use serde_json::json;

fn assert_401(res: &Res) {
    assert_eq!(res.status, StatusCode::UNAUTHORIZED, "{:?}", res.json());
    assert_eq!(
        res.problem_type(),
        "https://fallwerk.dev/problems/unauthorized"
    );
}

/// `req` with its URI replaced (headers and body kept): a captured signature sent elsewhere.
fn retarget(req: Request<Body>, uri: &str) -> Request<Body> {
    let (mut parts, body) = req.into_parts();
    parts.uri = uri.parse().expect("uri");
    Request::from_parts(parts, body)
}

fn reply() -> Vec<u8> {
    bytes(&json!({"subject": "Nachweis", "text": "anbei", "attachments": []}))
}

#[tokio::test]
async fn a_signature_is_bound_to_its_request() {
    let h = Harness::new().await;
    let a = submit(&h, "s-a", OE1).await;
    let b = submit(&h, "s-b", OE1).await;
    let ts = h.now();
    // A status read of case A does not read case B, nor A's messages.
    let read_a = || {
        h.signer
            .request(Method::GET, &format!("/v1/cases/{a}/status"), ts, vec![])
    };
    assert_eq!(h.send(read_a()).await.status, StatusCode::OK);
    assert_401(
        &h.send(retarget(read_a(), &format!("/v1/cases/{b}/status")))
            .await,
    );
    assert_401(
        &h.send(retarget(read_a(), &format!("/v1/cases/{a}/messages")))
            .await,
    );
    assert_401(
        &h.send(retarget(read_a(), &format!("/v1/cases/{a}/status?x=1")))
            .await,
    );
    // A reply signed for case A is not accepted on case B.
    let reply_a = h
        .signer
        .request(Method::POST, &format!("/v1/cases/{a}/replies"), ts, reply());
    assert_401(
        &h.send(retarget(reply_a, &format!("/v1/cases/{b}/replies")))
            .await,
    );
    // Another method on the same path (HEAD is routed like GET).
    let (mut parts, body) = read_a().into_parts();
    parts.method = Method::HEAD;
    let head = h.send(Request::from_parts(parts, body)).await;
    assert_eq!(
        head.status,
        StatusCode::UNAUTHORIZED,
        "a HEAD answer has no body"
    );
    // Another client with the same secret cannot reuse it: the client id is signed.
    let admin = Caller::caseworker("setup", &[], &[Role::Admin]);
    h.app
        .put_portal_client(
            &admin,
            PortalClient {
                id: "portal-2".into(),
                name: "Zweitportal".into(),
                secret: PORTAL_SECRET.into(),
                active: true,
                allow_signature_v1: false,
                applicant_fields: None,
            },
        )
        .await
        .expect("client");
    let mut req = read_a();
    req.headers_mut()
        .insert("x-fallwerk-client", "portal-2".parse().expect("header"));
    assert_401(&h.send(req).await);
    // An unknown version is refused.
    let mut req = read_a();
    req.headers_mut()
        .insert("x-fallwerk-signature-version", "3".parse().expect("header"));
    assert_401(&h.send(req).await);
}

#[tokio::test]
async fn percent_encoding_does_not_make_a_replay_new_and_identical_reads_pass() {
    let h = Harness::new().await;
    let case_id = submit(&h, "s-enc", OE1).await;
    let ts = h.now();
    let path = format!("/v1/cases/{case_id}/replies");
    let first = h
        .send(h.signer.request(Method::POST, &path, ts, reply()))
        .await;
    assert_eq!(first.status, StatusCode::OK, "{:?}", first.json());
    let blobs = h.blob_files().len();
    // The same signed reply with one character of the case id percent-encoded, upper or lower
    // case hex: the same request, so a replay.
    let c = case_id.chars().next().expect("id");
    for encoded in [
        format!("%{:02X}{}", c as u32, &case_id[1..]),
        format!("%{:02x}{}", c as u32, &case_id[1..]),
    ] {
        let req = h.signer.request(Method::POST, &path, ts, reply());
        let again = h
            .send(retarget(req, &format!("/v1/cases/{encoded}/replies")))
            .await;
        assert_401(&again);
        assert!(again.detail().contains("replay"), "{:?}", again.json());
    }
    assert_eq!(h.blob_files().len(), blobs, "no second copy stored");
    // Identical reads in the same second are allowed (they change nothing).
    let status = format!("/v1/cases/{case_id}/status");
    let ts = h.now();
    for _ in 0..3 {
        let r = h
            .send(h.signer.request(Method::GET, &status, ts, vec![]))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.json());
    }
}

#[tokio::test]
async fn version_1_only_where_the_client_record_allows_it() {
    let h = Harness::new().await;
    let body = || bytes(&submission("s-v1", OE1));
    // portal-1 is a new client: version 2 only.
    let req = h
        .signer
        .request_v1(Method::POST, "/v1/submissions", h.now(), body());
    assert_401(&h.send(req).await);
    let admin = Caller::caseworker("setup", &[], &[Role::Admin]);
    h.app
        .put_portal_client(
            &admin,
            PortalClient {
                id: "portal-old".into(),
                name: "Altportal".into(),
                secret: PORTAL_SECRET.into(),
                active: true,
                allow_signature_v1: true,
                applicant_fields: None,
            },
        )
        .await
        .expect("client");
    let old = PortalSigner::new("portal-old", PORTAL_SECRET);
    let created = h
        .send(old.request_v1(Method::POST, "/v1/submissions", h.now(), body()))
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.json());
    // A v1 signature does not bind the path, so v1 reads stay one-shot.
    let case_id = created.case_id();
    let uri = format!("/v1/cases/{case_id}/status");
    let ts = h.now();
    let first = h.send(old.request_v1(Method::GET, &uri, ts, vec![])).await;
    assert_eq!(first.status, StatusCode::OK);
    assert_401(&h.send(old.request_v1(Method::GET, &uri, ts, vec![])).await);
    // The migrating client may use version 2 as well.
    let r = h.send(old.request(Method::GET, &uri, ts, vec![])).await;
    assert_eq!(r.status, StatusCode::OK);
}

#[tokio::test]
async fn no_body_is_read_before_the_client_is_known() {
    let h = Harness::with_body_limits(1024, 4096).await;
    let big = vec![b'x'; 64 * 1024];
    // An unknown client, or a stale timestamp, is refused on its headers: 401, not 413.
    let unknown = PortalSigner::new("nobody", PORTAL_SECRET);
    let req = unknown.request(Method::POST, "/v1/submissions", h.now(), big.clone());
    assert_401(&h.send(req).await);
    let req = h
        .signer
        .request(Method::POST, "/v1/submissions", h.now() - 3600, big.clone());
    assert_401(&h.send(req).await);
    // A known client gets the route's limit.
    let req = h
        .signer
        .request(Method::POST, "/v1/submissions", h.now(), big);
    let r = h.send(req).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{:?}", r.json());
}
