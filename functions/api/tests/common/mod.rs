//! The HTTP test harness: the real SQLite store and blob directory in a tempdir, a manual clock,
//! one router, a signed portal client and caseworker tokens.

#![allow(dead_code)]

use std::sync::Arc;

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::http::{HeaderMap, Method, Request, StatusCode};
use chrono::{DateTime, Duration, TimeZone, Utc};
use serde_json::{Value, json};
use tower::ServiceExt;

use fallwerk_api::testing::{PortalSigner, bearer, claims, token};
use fallwerk_api::{ApiState, JwtConfig, Limits, app_router};
use fallwerk_core::app::{App, AppConfig, Clock, ManualClock};
use fallwerk_core::case::{Caller, Role};
use fallwerk_core::model::{OrgUnit, PortalClient, Service, User};
use fallwerk_embedded::{FsBlobStore, SqliteStore};

pub const JWT_SECRET: &str = "test-jwt-secret-0123456789abcdef0123456789";
pub const PORTAL_SECRET: &str = "portal-secret-0123456789abcdef0123456789";
pub const LEIKA: &str = "99050012104000";
pub const OE1: &str = "oe-1";
pub const OE2: &str = "oe-2";
pub const OE3: &str = "oe-3";

pub struct Harness {
    pub router: Router,
    pub app: App,
    pub clock: Arc<ManualClock>,
    pub signer: PortalSigner,
    /// Users of minted tokens, written to the directory before the next request.
    pending_users: std::sync::Mutex<Vec<User>>,
    dir: tempfile::TempDir,
}

pub struct Res {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub bytes: Vec<u8>,
}

impl Res {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.bytes).unwrap_or(Value::Null)
    }

    pub fn problem_type(&self) -> String {
        self.json()["type"].as_str().unwrap_or_default().to_string()
    }
}

pub fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0)
        .single()
        .expect("date")
}

impl Harness {
    pub async fn new() -> Harness {
        Self::with_limits(Limits::default()).await
    }

    pub async fn with_limits(limits: Limits) -> Harness {
        Self::build(limits, JwtConfig::hs256(JWT_SECRET)).await
    }

    /// Caseworker tokens are verified by `jwt` (e.g. RS256 keys from a JWKS URL) instead of the
    /// HS256 test secret; `token` and `caseworker` then mint tokens this router refuses.
    pub async fn with_jwt(jwt: JwtConfig) -> Harness {
        Self::build(Limits::default(), jwt).await
    }

    async fn build(limits: Limits, jwt: JwtConfig) -> Harness {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = SqliteStore::open(dir.path().join("fallwerk.db")).expect("sqlite");
        let blobs = FsBlobStore::open(dir.path().join("blobs")).expect("blobs");
        let clock = Arc::new(ManualClock::new(start()));
        let app = App::new(
            Arc::new(store),
            Arc::new(blobs),
            clock.clone(),
            AppConfig::default(),
        );
        let admin = Caller::caseworker("setup", &[], &[Role::Admin]);
        app.put_service(
            &admin,
            Service {
                leika_id: LEIKA.into(),
                name: "Gewerbeanmeldung".into(),
                rules: Default::default(),
                required_documents: vec!["Personalausweis".into()],
                export_target: None,
            },
        )
        .await
        .expect("service");
        for (id, services) in [(OE1, vec![LEIKA]), (OE2, vec![LEIKA]), (OE3, vec![])] {
            app.put_org_unit(
                &admin,
                OrgUnit {
                    id: id.into(),
                    name: format!("Amt {id}"),
                    notification_email: format!("{id}@amt.example"),
                    state: Default::default(),
                    services: services.into_iter().map(String::from).collect(),
                    municipality: None,
                },
            )
            .await
            .expect("org unit");
        }
        app.put_portal_client(
            &admin,
            PortalClient {
                id: "portal-1".into(),
                name: "Portal".into(),
                secret: PORTAL_SECRET.into(),
                active: true,
                allow_signature_v1: false,
                applicant_fields: None,
            },
        )
        .await
        .expect("client");
        app.put_portal_client(
            &admin,
            PortalClient {
                id: "portal-off".into(),
                name: "Old portal".into(),
                secret: PORTAL_SECRET.into(),
                active: false,
                allow_signature_v1: false,
                applicant_fields: None,
            },
        )
        .await
        .expect("client");
        let state = ApiState::new(app.clone()).with_jwt(jwt).with_limits(limits);
        Harness {
            router: app_router(state),
            app,
            clock,
            signer: PortalSigner::new("portal-1", PORTAL_SECRET),
            pending_users: Default::default(),
            dir,
        }
    }

    /// Files under the blob store's directory (temporary files included).
    pub fn blob_files(&self) -> Vec<std::path::PathBuf> {
        fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
            for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    walk(&path, out);
                } else {
                    out.push(path);
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.dir.path().join("blobs"), &mut out);
        out
    }

    pub fn now(&self) -> i64 {
        self.clock.now().timestamp()
    }

    pub async fn send(&self, req: Request<Body>) -> Res {
        self.flush_users().await;
        let res = self.router.clone().oneshot(req).await.expect("infallible");
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = to_bytes(res.into_body(), usize::MAX)
            .await
            .expect("body")
            .to_vec();
        Res {
            status,
            headers,
            bytes,
        }
    }

    /// A signed portal request; the clock moves one second first so signatures never repeat.
    pub async fn portal(&self, method: Method, uri: &str, body: Vec<u8>) -> Res {
        self.clock.advance(Duration::seconds(1));
        let req = self.signer.request(method, uri, self.now(), body);
        self.send(req).await
    }

    /// A directory record with exactly these org units and roles (a token's holder).
    pub fn user_record(sub: &str, org_units: &[&str], roles: &[&str]) -> User {
        User {
            id: sub.into(),
            family_name: format!("Test {sub}"),
            given_name: String::new(),
            email: format!("{sub}@example.org"),
            org_units: org_units.iter().map(|s| s.to_string()).collect(),
            roles: roles.iter().filter_map(|r| Role::parse(r)).collect(),
            active: true,
            absence: None,
            password_hash: None,
        }
    }

    /// Writes the users of the tokens minted so far, in minting order.
    pub async fn flush_users(&self) {
        let pending: Vec<User> = match self.pending_users.lock() {
            Ok(mut p) => std::mem::take(&mut *p),
            Err(_) => Vec::new(),
        };
        for u in pending {
            self.app.store.put_user(&u).await.expect("put user");
        }
    }

    /// Registers the token holder in the user directory now (as an admin would).
    pub async fn user(&self, sub: &str, org_units: &[&str], roles: &[&str]) {
        self.flush_users().await;
        let u = Self::user_record(sub, org_units, roles);
        self.app.store.put_user(&u).await.expect("put user");
    }

    /// A token for `sub`; its holder enters the user directory with these org units and roles
    /// (before the next request), as an admin registers a person before they log in.
    pub fn token(&self, sub: &str, org_units: &[&str], roles: &[&str]) -> String {
        if let Ok(mut p) = self.pending_users.lock() {
            p.push(Self::user_record(sub, org_units, roles));
        }
        token(
            JWT_SECRET,
            &claims(sub, org_units, roles, self.now() + 3600),
        )
    }

    pub fn caseworker(&self, oe: &str) -> String {
        self.token(&format!("cw-{oe}"), &[oe], &["caseworker"])
    }

    pub async fn cw(&self, method: Method, uri: &str, token: &str, body: Option<Value>) -> Res {
        self.send(bearer(method, uri, token, body.as_ref())).await
    }

    /// Acts with the case's current version.
    pub async fn act(&self, case_id: &str, token: &str, mut action: Value) -> Res {
        let case = self
            .cw(Method::GET, &format!("/v1/cases/{case_id}"), token, None)
            .await;
        action["expected_version"] = case.json()["version"].clone();
        self.cw(
            Method::POST,
            &format!("/v1/cases/{case_id}/actions"),
            token,
            Some(action),
        )
        .await
    }
}

pub fn attachment(name: &str, bytes: &[u8]) -> Value {
    use base64::Engine;
    json!({
        "name": name,
        "media_type": "application/pdf",
        "size": bytes.len(),
        "sha256": fallwerk_core::ports::sha256_hex(bytes),
        "content": base64::engine::general_purpose::STANDARD.encode(bytes),
    })
}

pub fn submission(id: &str, oe: &str) -> Value {
    json!({
        "submission_id": id,
        "leika_id": LEIKA,
        "org_unit_id": oe,
        "applicant": {"name": "Erika Mustermann", "email": "erika@example.org",
                      "postbox_ref": "pb-1", "trust_level": "substantial"},
        "form": {"id": "gewerbe-v1", "data": {"betrieb": "Bäckerei"}},
        "attachments": [attachment("Ausweis.pdf", b"%PDF-1.7 ausweis")],
    })
}

pub fn bytes(v: &Value) -> Vec<u8> {
    serde_json::to_vec(v).expect("json")
}

/// Submits and returns the case id.
pub async fn submit(h: &Harness, id: &str, oe: &str) -> String {
    let res = h
        .portal(Method::POST, "/v1/submissions", bytes(&submission(id, oe)))
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{:?}", res.json());
    res.json()["case_id"].as_str().expect("case id").to_string()
}
