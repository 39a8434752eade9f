//! The user cache of the auth path (`App::with_user_cache`, enabled on the casework Lambda): an
//! active account is read once per TTL; a deactivation made behind this process's back (another
//! instance, the CLI) takes effect when the TTL has passed, one made through this `App` at once;
//! unknown accounts are never cached.

use crate::common;
use axum::http::{Method, StatusCode};
use chrono::Duration;
use common::*;
use fallwerk_api::{ApiState, JwtConfig, app_router};

fn cached(h: &mut Harness, ttl_seconds: i64) {
    let app = h
        .app
        .clone()
        .with_user_cache(Duration::seconds(ttl_seconds));
    h.router = app_router(ApiState::new(app).with_jwt(JwtConfig::hs256(JWT_SECRET)));
}

async fn deactivate_behind_the_back(h: &Harness, id: &str) {
    let mut u = h.app.store.user(id).await.expect("read").expect("user");
    u.active = false;
    h.app.store.put_user(&u).await.expect("write");
}

#[tokio::test]
async fn a_deactivation_elsewhere_takes_effect_within_the_ttl() {
    let mut h = Harness::new().await;
    cached(&mut h, 30);
    let token = h.token("anna", &[OE1], &["caseworker"]);
    let r = h.get("/v1/cases", &token).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.json());

    deactivate_behind_the_back(&h, "anna").await;
    h.clock.advance(Duration::seconds(29));
    let r = h.get("/v1/cases", &token).await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "within the TTL the cached record still admits her"
    );
    h.clock.advance(Duration::seconds(1));
    let r = h.get("/v1/cases", &token).await;
    assert_eq!(
        r.status,
        StatusCode::UNAUTHORIZED,
        "after the TTL she is out"
    );
    // Refused accounts are not cached: reactivated, she is back at the next request.
    h.app
        .set_user_active("anna", true)
        .await
        .expect("reactivate");
    let r = h.get("/v1/cases", &token).await;
    assert_eq!(r.status, StatusCode::OK);
}

#[tokio::test]
async fn a_deactivation_through_the_same_app_takes_effect_at_once() {
    let mut h = Harness::new().await;
    cached(&mut h, 3600);
    let admin = h.token("chefin", &[OE1], &["admin"]);
    let token = h.token("bernd", &[OE1], &["caseworker"]);
    let r = h.get("/v1/cases", &token).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.json());
    let r = h
        .cw(
            Method::POST,
            "/v1/admin/users/bernd/deactivate",
            &admin,
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.json());
    let r = h.get("/v1/cases", &token).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn without_the_cache_every_request_reads_the_directory() {
    let mut h = Harness::new().await;
    cached(&mut h, 0);
    let token = h.token("carla", &[OE1], &["caseworker"]);
    let r = h.get("/v1/cases", &token).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.json());
    deactivate_behind_the_back(&h, "carla").await;
    let r = h.get("/v1/cases", &token).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}
