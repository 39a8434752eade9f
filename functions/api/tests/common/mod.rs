//! The HTTP test harness: the real SQLite store and blob directory in a tempdir, a manual clock,
//! one router, a signed portal client and caseworker tokens.

use std::sync::Arc;

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::http::{HeaderMap, Method, Request, StatusCode};
use chrono::{DateTime, Duration, TimeZone, Utc};
use serde_json::{Value, json};
use tower::ServiceExt;

use fallwerk_api::testing::{Part, PortalSigner, antrag_request, bearer, claims, token};
use fallwerk_api::{ApiState, JwtConfig, Limits, app_router};
use fallwerk_core::app::{App, AppConfig, Clock, ManualClock};
use fallwerk_core::case::{Caller, Role};
use fallwerk_core::model::{OrgUnit, PortalClient, Service, User};
use fallwerk_core::ports::Store;
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
    /// The store under `app`, for what a test sets up or inspects behind the API's back.
    pub store: Arc<dyn Store>,
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

    /// The problem's `detail` text (empty when there is none).
    pub fn detail(&self) -> String {
        self.json()["detail"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// The `case_id` of a submission's answer (empty when there is none).
    pub fn case_id(&self) -> String {
        self.json()["case_id"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// Collects a router's response: status, headers and the whole body.
    pub async fn read(res: axum::response::Response) -> Res {
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
}

/// Asserts a problem answer: its status (showing the body otherwise) and its problem type.
pub fn assert_problem_type(res: &Res, status: StatusCode, kind: &str) {
    assert_eq!(res.status, status, "{:?}", res.json());
    assert_eq!(
        res.problem_type(),
        format!("https://fallwerk.dev/problems/{kind}")
    );
}

/// Asserts the status of `res`; a failure shows `what` (the request or input) and the body.
pub fn assert_status(res: &Res, status: StatusCode, what: &str) {
    assert_eq!(res.status, status, "{what}: {:?}", res.json());
}

/// Asserts a 422 whose problem type ends with `/kind` and whose detail says `says`; `case`
/// names the input in a failure.
pub fn assert_unprocessable(res: &Res, kind: &str, says: &str, case: &str) {
    assert_eq!(
        res.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{case}: {:?}",
        res.json()
    );
    assert!(
        res.problem_type().ends_with(&format!("/{kind}")),
        "{case}: {:?}",
        res.json()
    );
    let detail = res.detail();
    assert!(detail.contains(says), "{case}: {detail}");
}

/// A portal client record with the test secret.
pub fn portal_client(id: &str, name: &str, active: bool, allow_signature_v1: bool) -> PortalClient {
    PortalClient {
        id: id.into(),
        name: name.into(),
        secret: PORTAL_SECRET.into(),
        active,
        allow_signature_v1,
        applicant_fields: None,
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
        Self::build(limits, JwtConfig::hs256(JWT_SECRET), AppConfig::default()).await
    }

    /// A fresh harness whose use cases run with `config` (e.g. another inline form limit).
    pub async fn with_config(config: AppConfig) -> Harness {
        Self::build(Limits::default(), JwtConfig::hs256(JWT_SECRET), config).await
    }

    /// A fresh harness with one case submitted to OE1: the harness, the case id and the token of
    /// an OE1 caseworker.
    pub async fn with_case(submission_id: &str) -> (Harness, String, String) {
        let h = Self::new().await;
        let case_id = submit(&h, submission_id, OE1).await;
        let cw = h.caseworker(OE1);
        (h, case_id, cw)
    }

    /// A fresh harness and the token of the administrator `root`.
    pub async fn with_admin() -> (Harness, String) {
        let h = Self::new().await;
        let admin = h.token("root", &[], &["admin"]);
        (h, admin)
    }

    /// Bodies limited to `json` bytes on JSON routes and `submission` bytes on submissions.
    pub async fn with_body_limits(json: usize, submission: usize) -> Harness {
        Self::with_limits(Limits { json, submission }).await
    }

    /// Caseworker tokens are verified by `jwt` (e.g. RS256 keys from a JWKS URL) instead of the
    /// HS256 test secret; `token` and `caseworker` then mint tokens this router refuses.
    pub async fn with_jwt(jwt: JwtConfig) -> Harness {
        Self::build(Limits::default(), jwt, AppConfig::default()).await
    }

    async fn build(limits: Limits, jwt: JwtConfig, config: AppConfig) -> Harness {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = SqliteStore::open(dir.path().join("fallwerk.db")).expect("sqlite");
        let blobs = FsBlobStore::open(dir.path().join("blobs")).expect("blobs");
        let clock = Arc::new(ManualClock::new(start()));
        let store: Arc<dyn Store> = Arc::new(store);
        let app = App::new(store.clone(), Arc::new(blobs), clock.clone(), config);
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
        for client in [
            portal_client("portal-1", "Portal", true, false),
            portal_client("portal-off", "Old portal", false, false),
        ] {
            app.put_portal_client(&admin, client).await.expect("client");
        }
        let state = ApiState::new(app.clone()).with_jwt(jwt).with_limits(limits);
        Harness {
            router: app_router(state),
            app,
            store,
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
        Res::read(res).await
    }

    /// A request without any credentials (no signature, no token).
    pub async fn anonymous(&self, method: Method, uri: &str) -> Res {
        let req = Request::builder()
            .method(method)
            .uri(uri)
            .body(Body::empty())
            .expect("request");
        self.send(req).await
    }

    /// A signed portal request; the clock moves one second first so signatures never repeat.
    pub async fn portal(&self, method: Method, uri: &str, body: Vec<u8>) -> Res {
        self.clock.advance(Duration::seconds(1));
        let req = self.signer.request(method, uri, self.now(), body);
        self.send(req).await
    }

    /// A signed portal `POST /v1/submissions` of `body` as it is.
    pub async fn post_submission(&self, body: Vec<u8>) -> Res {
        self.portal(Method::POST, "/v1/submissions", body).await
    }

    /// A signed portal `GET`.
    pub async fn portal_get(&self, uri: &str) -> Res {
        self.portal(Method::GET, uri, Vec::new()).await
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
            self.store.put_user(&u).await.expect("put user");
        }
    }

    /// Registers the token holder in the user directory now (as an admin would).
    pub async fn user(&self, sub: &str, org_units: &[&str], roles: &[&str]) {
        self.flush_users().await;
        let u = Self::user_record(sub, org_units, roles);
        self.store.put_user(&u).await.expect("put user");
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

    /// A caseworker `GET`.
    pub async fn get(&self, uri: &str, token: &str) -> Res {
        self.cw(Method::GET, uri, token, None).await
    }

    /// A caseworker `POST` of a JSON body.
    pub async fn post(&self, uri: &str, token: &str, body: Value) -> Res {
        self.cw(Method::POST, uri, token, Some(body)).await
    }

    /// A caseworker `POST` without a body.
    pub async fn post_empty(&self, uri: &str, token: &str) -> Res {
        self.cw(Method::POST, uri, token, None).await
    }

    /// `POST /v1/cases/reassign` with `body` (`from`, `to`, optionally `org_unit_id`).
    pub async fn reassign(&self, token: &str, body: Value) -> Res {
        self.post("/v1/cases/reassign", token, body).await
    }

    /// A caseworker `PUT` of a JSON body.
    pub async fn put(&self, uri: &str, token: &str, body: Value) -> Res {
        self.cw(Method::PUT, uri, token, Some(body)).await
    }

    /// The case as `token` sees it (`GET /v1/cases/{case_id}`).
    pub async fn case(&self, case_id: &str, token: &str) -> Res {
        self.get(&format!("/v1/cases/{case_id}"), token).await
    }

    /// Posts `action` as it is (its `expected_version` included) to the case's actions.
    pub async fn post_action(&self, case_id: &str, token: &str, action: Value) -> Res {
        self.post(&format!("/v1/cases/{case_id}/actions"), token, action)
            .await
    }

    /// Acts with the case's current version.
    pub async fn act(&self, case_id: &str, token: &str, mut action: Value) -> Res {
        let case = self.case(case_id, token).await;
        action["expected_version"] = case.json()["version"].clone();
        self.post_action(case_id, token, action).await
    }

    /// Acts with the case's current version, asserts 200 and returns the case after it.
    pub async fn act_ok(&self, case_id: &str, token: &str, action: Value) -> Value {
        let r = self.act(case_id, token, action).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.json());
        r.json()
    }

    /// The directory record of `id` as stored now.
    pub async fn stored_user(&self, id: &str) -> User {
        self.store
            .user(id)
            .await
            .expect("read")
            .expect("stored user")
    }

    /// The case `case_id` as stored now.
    pub async fn stored_case(&self, case_id: &str) -> fallwerk_core::model::Case {
        self.store
            .load_case(case_id)
            .await
            .expect("load")
            .expect("case")
    }

    /// Deactivates `id` in the store directly (behind the API's back).
    pub async fn deactivate_in_store(&self, id: &str) {
        self.flush_users().await;
        let mut u = self.stored_user(id).await;
        u.active = false;
        self.store.put_user(&u).await.expect("put user");
    }
}

/// One case as one token works it: actions without repeating the case id and the token.
pub struct CaseAs<'a> {
    h: &'a Harness,
    id: &'a str,
    token: &'a str,
}

impl Harness {
    /// The case `case_id` as worked with `token`.
    pub fn case_as<'a>(&'a self, case_id: &'a str, token: &'a str) -> CaseAs<'a> {
        CaseAs {
            h: self,
            id: case_id,
            token,
        }
    }
}

impl CaseAs<'_> {
    /// Acts with the case's current version.
    pub async fn act(&self, action: Value) -> Res {
        self.h.act(self.id, self.token, action).await
    }

    /// Acts with the case's current version, asserts 200 and returns the case after it.
    pub async fn act_ok(&self, action: Value) -> Value {
        self.h.act_ok(self.id, self.token, action).await
    }
}

/// How many cases there are in all three org units.
pub async fn case_count(h: &Harness) -> usize {
    let t = h.token("counter", &[OE1, OE2, OE3], &["caseworker"]);
    let r = h.get("/v1/cases?limit=100", &t).await;
    r.json()["items"].as_array().map(Vec::len).unwrap_or(0)
}

/// The string member `key` of every item of the array `v`, in order.
pub fn each<'a>(v: &'a Value, key: &str) -> Vec<&'a str> {
    v.as_array()
        .expect("an array")
        .iter()
        .filter_map(|item| item[key].as_str())
        .collect()
}

/// The ids of a case list's items, in order.
pub fn ids(r: &Res) -> Vec<String> {
    r.json()["items"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|i| i["id"].as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
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
    submit_body(h, &submission(id, oe)).await
}

/// Submits `body` (a submission), asserts 201 and returns the case id.
pub async fn submit_body(h: &Harness, body: &Value) -> String {
    let res = h.portal(Method::POST, "/v1/submissions", bytes(body)).await;
    assert_eq!(res.status, StatusCode::CREATED, "{:?}", res.json());
    res.json()["case_id"].as_str().expect("case id").to_string()
}

/// The applicant replies through the portal (signed); asserts 200.
pub async fn reply(h: &Harness, case_id: &str, subject: &str, text: &str, files: Vec<Value>) {
    let body = json!({"subject": subject, "text": text, "attachments": files});
    let r = h
        .portal(
            Method::POST,
            &format!("/v1/cases/{case_id}/replies"),
            bytes(&body),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.json());
}

/// Submits a case to OE1 and takes it through both checks; the case id and the caseworker token.
pub async fn ready_case(h: &Harness, id: &str) -> (String, String) {
    let case_id = submit(h, id, OE1).await;
    let cw = h.caseworker(OE1);
    for action in ["confirm_competence", "confirm_complete"] {
        h.act_ok(&case_id, &cw, json!({"action": action})).await;
    }
    (case_id, cw)
}

/// The `formData` part of an antrag delivery (no file name).
pub fn form_data_part<'a>(content_type: Option<&'a str>, bytes: &'a [u8]) -> Part<'a> {
    Part {
        name: "formData",
        file_name: None,
        content_type,
        bytes,
    }
}

/// A file part `name` of an antrag delivery.
pub fn file_part<'a>(
    name: &'a str,
    file_name: &'a str,
    content_type: Option<&'a str>,
    bytes: &'a [u8],
) -> Part<'a> {
    Part {
        name,
        file_name: Some(file_name),
        content_type,
        bytes,
    }
}

/// Delivers a multipart antrag `body` as `portal-1` with the right token.
pub async fn deliver_antrag(h: &Harness, body: Vec<u8>) -> Res {
    h.send(antrag_request("portal-1", PORTAL_SECRET, body))
        .await
}

/// The case id (`vorgang.vorgangId`) of an antrag answer.
pub fn vorgang_id(r: &Res) -> String {
    r.json()["vorgang"]["vorgangId"]
        .as_str()
        .expect("vorgangId")
        .to_string()
}
