//! RS256 caseworker tokens end to end: signed with the test-only keys in `fixtures/`, verified
//! through a JWKS file and through a JWKS URL that a real HTTP server (axum on 127.0.0.1) answers
//! and counts. Time is passed to `verify`, so the refetch limit is tested without sleeping.

use crate::common;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use jsonwebtoken::{Algorithm, EncodingKey, Header};

use common::{Harness, OE1, assert_status};
use fallwerk_api::testing::{claims, token};
use fallwerk_api::{Claims, JwtConfig, Problem};
use fallwerk_core::case::Role;
use fallwerk_events::Actor;

const KEY_1: &str = include_str!("../fixtures/rs256-private.pem");
const KEY_2: &str = include_str!("../fixtures/rs256-private-2.pem");
const KID_1: &str = "fallwerk-test-1";
const KID_2: &str = "fallwerk-test-2";
const JWKS: &str = include_str!("../fixtures/jwks.json");
const JWKS_ROTATED: &str = include_str!("../fixtures/jwks-rotated.json");

/// Start-up time of every verifier here (unix seconds).
const T0: i64 = 1_772_442_000;

fn sign(pem: &str, kid: Option<&str>, claims: &Claims) -> String {
    let mut header = Header::new(Algorithm::RS256);
    header.kid = kid.map(String::from);
    let key = EncodingKey::from_rsa_pem(pem.as_bytes()).expect("test key");
    jsonwebtoken::encode(&header, claims, &key).expect("token")
}

fn cw_claims(exp: i64) -> Claims {
    claims("u1", &[OE1], &["caseworker"], exp)
}

/// A token of key 1 that expires an hour after start-up.
fn valid() -> String {
    sign(KEY_1, Some(KID_1), &cw_claims(T0 + 3600))
}

fn assert_refused(result: Result<Claims, Problem>, detail: &str) {
    let problem = result.expect_err("token must be refused");
    assert_eq!(problem.status, 401);
    assert!(
        problem.detail.contains(detail),
        "{:?} does not say {detail:?}",
        problem.detail
    );
}

/// The identity provider's certs endpoint: answers what the test sets and counts requests.
#[derive(Clone)]
struct IdpState {
    answer: Arc<Mutex<(StatusCode, String)>>,
    hits: Arc<AtomicUsize>,
}

struct Idp {
    url: String,
    state: IdpState,
    task: tokio::task::JoinHandle<()>,
}

impl Idp {
    async fn serve(status: StatusCode, body: &str) -> Idp {
        let state = IdpState {
            answer: Arc::new(Mutex::new((status, body.to_string()))),
            hits: Arc::new(AtomicUsize::new(0)),
        };
        let app = Router::new()
            .route("/realms/amt/protocol/openid-connect/certs", get(certs))
            .with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.expect("serve");
        });
        Idp {
            url: format!("http://{addr}/realms/amt/protocol/openid-connect/certs"),
            state,
            task,
        }
    }

    async fn jwks() -> Idp {
        Self::serve(StatusCode::OK, JWKS).await
    }

    fn answer(&self, body: &str) {
        *self.state.answer.lock().expect("lock") = (StatusCode::OK, body.to_string());
    }

    fn hits(&self) -> usize {
        self.state.hits.load(Ordering::SeqCst)
    }

    /// Stops the server and waits until its listener is closed.
    async fn stop(&mut self) {
        self.task.abort();
        let _ = (&mut self.task).await;
    }
}

impl Drop for Idp {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn certs(State(s): State<IdpState>) -> impl IntoResponse {
    s.hits.fetch_add(1, Ordering::SeqCst);
    let (status, body) = s.answer.lock().expect("lock").clone();
    (status, [(header::CONTENT_TYPE, "application/json")], body)
}

async fn url_config(idp: &Idp) -> JwtConfig {
    JwtConfig::jwks_url(&idp.url, T0).await.expect("jwks url")
}

fn assert_caller(c: &Claims) {
    let caller = c.caller();
    assert_eq!(caller.actor, Actor::Caseworker("u1".into()));
    assert_eq!(caller.roles, vec![Role::Caseworker]);
    assert_eq!(caller.org_units, vec![OE1.to_string()]);
}

#[tokio::test]
async fn a_jwks_file_verifies_rs256_tokens_and_maps_the_caller() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/jwks.json");
    let cfg = JwtConfig::jwks_file(&path).expect("jwks file");
    assert_caller(&cfg.verify(&valid(), T0).await.expect("valid"));
    // The set has one key, so a token without kid means that key.
    let no_kid = sign(KEY_1, None, &cw_claims(T0 + 3600));
    assert_caller(&cfg.verify(&no_kid, T0).await.expect("valid"));
    let other_key = sign(KEY_2, Some(KID_1), &cw_claims(T0 + 3600));
    assert_refused(cfg.verify(&other_key, T0).await, "invalid");
}

#[tokio::test]
async fn a_jwks_url_verifies_rs256_tokens_and_maps_the_caller() {
    let idp = Idp::jwks().await;
    let cfg = url_config(&idp).await;
    assert_eq!(idp.hits(), 1, "fetched once at start-up");
    for now in [T0, T0 + 600] {
        assert_caller(&cfg.verify(&valid(), now).await.expect("valid"));
    }
    assert_eq!(idp.hits(), 1, "known keys are served from the cache");
}

#[tokio::test]
async fn a_token_naming_an_unknown_key_is_401_key_is_unknown() {
    let idp = Idp::jwks().await;
    let cfg = url_config(&idp).await;
    let wrong_kid = sign(KEY_1, Some("not-published"), &cw_claims(T0 + 3600));
    assert_refused(cfg.verify(&wrong_kid, T0 + 1).await, "key is unknown");
    let unpublished = sign(KEY_2, Some(KID_2), &cw_claims(T0 + 3600));
    assert_refused(cfg.verify(&unpublished, T0 + 1).await, "key is unknown");
    assert_eq!(idp.hits(), 1, "no refetch within a minute of start-up");
}

#[tokio::test]
async fn a_rotated_key_is_accepted_after_a_refetch() {
    let idp = Idp::jwks().await;
    let cfg = url_config(&idp).await;
    idp.answer(JWKS_ROTATED);
    let rotated = sign(KEY_2, Some(KID_2), &cw_claims(T0 + 3600));
    assert_caller(&cfg.verify(&rotated, T0 + 60).await.expect("new key"));
    assert_eq!(idp.hits(), 2);
    // The IdP dropped key 1, and so did the cache.
    assert_refused(cfg.verify(&valid(), T0 + 61).await, "key is unknown");
    assert_caller(&cfg.verify(&rotated, T0 + 62).await.expect("cached"));
    assert_eq!(idp.hits(), 2);
}

#[tokio::test]
async fn unknown_keys_refetch_at_most_once_a_minute() {
    let idp = Idp::jwks().await;
    let cfg = Arc::new(url_config(&idp).await);
    let unknown = |kid: &str| sign(KEY_1, Some(kid), &cw_claims(T0 + 3600));
    for (now, kid, hits) in [
        (T0 + 59, "k1", 1),
        (T0 + 60, "k2", 2),
        (T0 + 61, "k3", 2),
        (T0 + 119, "k4", 2),
        (T0 + 120, "k5", 3),
    ] {
        assert_refused(cfg.verify(&unknown(kid), now).await, "key is unknown");
        assert_eq!(idp.hits(), hits, "after {kid} at T0+{}", now - T0);
    }
    // Requests that miss at the same moment share one refetch.
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..8 {
        let (cfg, t) = (cfg.clone(), unknown(&format!("burst-{i}")));
        tasks.spawn(async move { cfg.verify(&t, T0 + 180).await });
    }
    while let Some(result) = tasks.join_next().await {
        assert_refused(result.expect("task"), "key is unknown");
    }
    assert_eq!(idp.hits(), 4);
}

#[tokio::test]
async fn an_expired_token_is_refused() {
    let idp = Idp::jwks().await;
    let cfg = url_config(&idp).await;
    let expired = sign(KEY_1, Some(KID_1), &cw_claims(T0 - 31));
    assert_refused(cfg.verify(&expired, T0).await, "expired");
    let within_leeway = sign(KEY_1, Some(KID_1), &cw_claims(T0 - 29));
    assert!(cfg.verify(&within_leeway, T0).await.is_ok());
}

#[tokio::test]
async fn an_rs256_config_refuses_hs256_tokens_without_refetching() {
    let idp = Idp::jwks().await;
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/jwks.json");
    let file = JwtConfig::jwks_file(&path).expect("jwks file");
    let url = url_config(&idp).await;
    let mut header = Header::new(Algorithm::HS256);
    header.kid = Some("made-up".into());
    let hs256 = jsonwebtoken::encode(
        &header,
        &cw_claims(T0 + 3600),
        &EncodingKey::from_secret(b"a shared secret of some length"),
    )
    .expect("token");
    for cfg in [&file, &url] {
        assert_refused(cfg.verify(&hs256, T0 + 600).await, "invalid");
        assert_refused(
            cfg.verify(&token("s3cret", &cw_claims(T0 + 3600)), T0 + 600)
                .await,
            "invalid",
        );
    }
    assert_eq!(idp.hits(), 1, "an HS256 kid never reaches the IdP");
}

#[tokio::test]
async fn start_up_fails_clearly_when_the_idp_is_down() {
    let mut idp = Idp::jwks().await;
    idp.stop().await;
    let e = JwtConfig::jwks_url(&idp.url, T0).await.err().expect("down");
    let e = e.to_string();
    assert!(e.starts_with(&format!("cannot fetch {}", idp.url)), "{e}");
}

#[tokio::test]
async fn start_up_fails_clearly_on_an_answer_that_is_no_jwks() {
    for (status, body, says) in [
        (
            StatusCode::OK,
            "<html>Login</html>",
            "did not answer a JWKS",
        ),
        (StatusCode::OK, r#"{"keys": []}"#, "without a usable key"),
        (StatusCode::NOT_FOUND, "{}", "answered HTTP 404"),
    ] {
        let idp = Idp::serve(status, body).await;
        let e = JwtConfig::jwks_url(&idp.url, T0).await.err().expect("bad");
        let e = e.to_string();
        assert!(e.contains(&idp.url) && e.contains(says), "{e}");
    }
}

#[tokio::test]
async fn start_up_refuses_plain_http_to_a_non_loopback_host() {
    let e = JwtConfig::jwks_url("http://idp.example.org/certs", T0)
        .await
        .err()
        .expect("insecure");
    assert!(e.to_string().contains("must use https"), "{e}");
}

#[tokio::test]
async fn the_caseworker_routes_take_rs256_tokens_from_a_jwks_url() {
    let idp = Idp::jwks().await;
    let now = common::start().timestamp();
    let jwt = JwtConfig::jwks_url(&idp.url, now).await.expect("jwks url");
    let h = Harness::with_jwt(jwt).await;
    h.user("u1", &[OE1], &["caseworker"]).await;
    let exp = now + 3600;
    let ok = h
        .get("/v1/cases", &sign(KEY_1, Some(KID_1), &cw_claims(exp)))
        .await;
    assert_eq!(ok.status, StatusCode::OK);
    let unknown = sign(KEY_1, Some("not-published"), &cw_claims(exp));
    let hs256 = h.caseworker(OE1);
    for (refused, says) in [(unknown, "key is unknown"), (hs256, "invalid")] {
        let res = h.get("/v1/cases", &refused).await;
        assert_eq!(res.status, StatusCode::UNAUTHORIZED);
        assert!(res.problem_type().ends_with("/unauthorized"));
        let detail = res.detail();
        assert!(detail.contains(says), "{detail}");
    }
    assert_eq!(idp.hits(), 1);
}

/// Asserts that a correctly signed, unexpired token is refused because of its user.
async fn assert_user_refused(h: &Harness, token: &str) {
    let res = h.get("/v1/cases", token).await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED, "{:?}", res.json());
    assert!(res.problem_type().ends_with("/unauthorized"));
    let detail = res.detail();
    assert!(detail.contains("unknown or inactive"), "{detail}");
}

/// The user rule holds in every key mode: a valid token of an unknown account, and of an
/// account an admin deactivated, is refused with 401 (HS256, JWKS file, JWKS URL).
#[tokio::test]
async fn unknown_and_inactive_users_are_refused_in_every_auth_mode() {
    let now = common::start().timestamp();
    let idp = Idp::jwks().await;
    let rs256 = |sub: &str| {
        sign(
            KEY_1,
            Some(KID_1),
            &claims(sub, &[OE1], &["caseworker"], now + 3600),
        )
    };
    let hs256 = |sub: &str| {
        token(
            common::JWT_SECRET,
            &claims(sub, &[OE1], &["caseworker"], now + 3600),
        )
    };
    type Mint<'a> = &'a dyn Fn(&str) -> String;
    let modes: Vec<(&str, JwtConfig, Mint)> = vec![
        ("hs256", JwtConfig::hs256(common::JWT_SECRET), &hs256),
        (
            "jwks file",
            JwtConfig::jwks_json(JWKS).expect("jwks"),
            &rs256,
        ),
        (
            "jwks url",
            JwtConfig::jwks_url(&idp.url, now).await.expect("jwks url"),
            &rs256,
        ),
    ];
    for (mode, jwt, mint) in modes {
        let h = Harness::with_jwt(jwt).await;
        h.user("known", &[OE1], &["caseworker"]).await;
        let known = mint("known");
        let ok = h.get("/v1/cases", &known).await;
        assert_eq!(ok.status, StatusCode::OK, "{mode}: known user");
        assert_user_refused(&h, &mint("stranger")).await;
        // Deactivated through the admin API: the same token stops working at once.
        h.user("root", &[], &["admin"]).await;
        let admin = mint("root");
        let res = h
            .post_empty("/v1/admin/users/known/deactivate", &admin)
            .await;
        assert_status(&res, StatusCode::OK, mode);
        assert_eq!(res.json()["active"], false);
        assert_user_refused(&h, &known).await;
    }
}

/// The directory, not the token, gives org units and roles: a token claiming more does not
/// get more.
#[tokio::test]
async fn the_directory_decides_org_units_and_roles() {
    let h = Harness::new().await;
    h.user("modest", &[OE1], &["caseworker"]).await;
    let now = h.now();
    let boastful = token(
        common::JWT_SECRET,
        &claims(
            "modest",
            &[OE1, "oe-2"],
            &["caseworker", "admin"],
            now + 3600,
        ),
    );
    let res = h.get("/v1/admin/users", &boastful).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
}

/// With users from tokens (identity provider as the source of truth) an unknown account is
/// created from the claims and a known one follows them; a deactivated one stays refused, and
/// claims that cannot describe a user (no e-mail) are refused.
#[tokio::test]
async fn users_from_tokens_are_created_and_follow_the_claims() {
    let now = common::start().timestamp();
    let jwt =
        JwtConfig::hs256(common::JWT_SECRET).with_users(fallwerk_core::app::UserSource::Token);
    let h = Harness::with_jwt(jwt).await;
    let mut c = claims("jit-1", &[OE1], &["caseworker"], now + 3600);
    c.name = "Maria Anna Muster".into();
    let res = h.get("/v1/cases", &token(common::JWT_SECRET, &c)).await;
    assert_eq!(res.status, StatusCode::OK);
    let stored = h.stored_user("jit-1").await;
    assert_eq!(
        (
            stored.given_name.as_str(),
            stored.family_name.as_str(),
            stored.email.as_str()
        ),
        ("Maria Anna", "Muster", "jit-1@example.org")
    );
    assert_eq!(stored.roles, vec![Role::Caseworker]);
    c.org_units = vec!["oe-2".into()];
    let res = h.get("/v1/cases", &token(common::JWT_SECRET, &c)).await;
    assert_eq!(res.status, StatusCode::OK);
    let stored = h.stored_user("jit-1").await;
    assert_eq!(stored.org_units, vec!["oe-2".to_string()]);
    h.app
        .set_user_active("jit-1", false)
        .await
        .expect("deactivate");
    assert_user_refused(&h, &token(common::JWT_SECRET, &c)).await;
    let mut no_mail = claims("jit-2", &[OE1], &["caseworker"], now + 3600);
    no_mail.email = None;
    let res = h
        .get("/v1/cases", &token(common::JWT_SECRET, &no_mail))
        .await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    assert_eq!(h.store.user("jit-2").await.expect("read"), None);
}
