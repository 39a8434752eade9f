//! The user cache of the auth path (`App::with_user_cache`, enabled on the casework Lambda): an
//! active account is read once per TTL; a deactivation made behind this process's back (another
//! instance, the CLI) takes effect when the TTL has passed, one made through this `App` at once;
//! unknown accounts are never cached.

use crate::common;
use axum::http::StatusCode;
use chrono::Duration;
use common::*;
use fallwerk_api::{ApiState, JwtConfig, app_router};

/// A harness whose router reads users through a cache of `ttl_seconds`.
async fn cached(ttl_seconds: i64) -> Harness {
    let mut h = Harness::new().await;
    let app = h
        .app
        .clone()
        .with_user_cache(Duration::seconds(ttl_seconds));
    h.router = app_router(ApiState::new(app).with_jwt(JwtConfig::hs256(JWT_SECRET)));
    h
}

/// A harness with a user cache of `ttl_seconds` and the token of caseworker `sub`, whom the
/// inbox admits.
async fn cached_with(ttl_seconds: i64, sub: &str) -> (Harness, String) {
    let h = cached(ttl_seconds).await;
    let token = h.token(sub, &[OE1], &["caseworker"]);
    assert_inbox(&h, &token, StatusCode::OK, "active").await;
    (h, token)
}

/// Asserts the status of `GET /v1/cases` with `token`; `why` names the expectation.
async fn assert_inbox(h: &Harness, token: &str, expected: StatusCode, why: &str) {
    let r = h.get("/v1/cases", token).await;
    assert_eq!(r.status, expected, "{why}: {:?}", r.json());
}

#[tokio::test]
async fn a_deactivation_elsewhere_takes_effect_within_the_ttl() {
    let (h, token) = cached_with(30, "anna").await;

    h.deactivate_in_store("anna").await;
    h.clock.advance(Duration::seconds(29));
    let why = "within the TTL the cached record still admits her";
    assert_inbox(&h, &token, StatusCode::OK, why).await;
    h.clock.advance(Duration::seconds(1));
    let why = "after the TTL she is out";
    assert_inbox(&h, &token, StatusCode::UNAUTHORIZED, why).await;
    // Refused accounts are not cached: reactivated, she is back at the next request.
    h.app
        .set_user_active("anna", true)
        .await
        .expect("reactivate");
    assert_inbox(&h, &token, StatusCode::OK, "reactivated").await;
}

#[tokio::test]
async fn a_deactivation_through_the_same_app_takes_effect_at_once() {
    let (h, token) = cached_with(3600, "bernd").await;
    let admin = h.token("chefin", &[OE1], &["admin"]);
    let r = h
        .post_empty("/v1/admin/users/bernd/deactivate", &admin)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.json());
    assert_inbox(&h, &token, StatusCode::UNAUTHORIZED, "deactivated").await;
}

#[tokio::test]
async fn without_the_cache_every_request_reads_the_directory() {
    let (h, token) = cached_with(0, "carla").await;
    h.deactivate_in_store("carla").await;
    assert_inbox(&h, &token, StatusCode::UNAUTHORIZED, "deactivated").await;
}
