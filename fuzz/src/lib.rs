//! The fuzz targets of fallwerk (docs/FUZZING.md): each public function takes libFuzzer's bytes
//! and feeds them to one entry point that reads input from the internet or from an operator.
//! They call the entry points by their public names — the HTTP ones through the real router
//! (`fallwerk_api::app_router`) on the real SQLite store — so a rewrite behind a route keeps
//! its target. Besides "no panic", each target checks what must hold for every input: no 5xx
//! for bad input, no request without a valid signature or token accepted, parse ∘ print = id.

use std::sync::{Arc, OnceLock};

use arbitrary::{Arbitrary, Unstructured};
use axum::Router;
use axum::body::{Body, to_bytes};
use axum::http::{HeaderValue, Method, Request, StatusCode, header};
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use tower::ServiceExt;

use fallwerk_api::auth::portal::{
    CLIENT_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, VERSION_HEADER, sign, sign_v2,
};
use fallwerk_api::testing::PortalSigner;
use fallwerk_api::{ApiState, JwtConfig, app_router};
use fallwerk_core::app::{App, AppConfig, Clock, ManualClock};
use fallwerk_core::case::{Caller, Role};
use fallwerk_core::deadline::{
    Period, State, explain_de, try_compute, try_escalation_date, try_warning_date,
};
use fallwerk_core::model::{DirectoryDocument, OrgUnit, PortalClient, Service, User};
use fallwerk_embedded::{FsBlobStore, SqliteStore};
use fallwerk_events::QueueMessage;

pub const LEIKA: &str = "99050012104000";
pub const OE: &str = "oe-fuzz";
pub const PORTAL: &str = "portal-1";
/// A client that still may sign with the deprecated version 1.
pub const PORTAL_V1: &str = "portal-v1";
pub const PORTAL_OFF: &str = "portal-off";
pub const PORTAL_SECRET: &str = "fuzz-portal-secret-0123456789abcdef0123";
pub const JWT_SECRET: &str = "fuzz-jwt-secret-0123456789abcdef0123456789";
/// The public half of the api tests' RS256 key (kid `fallwerk-test-1`).
const JWKS: &str = include_str!("../../functions/api/tests/fixtures/jwks.json");

/// One App on SQLite in a temporary directory and the router in front of it, built once per
/// fuzzing process; the clock is manual and moves one second per signed request.
pub struct Harness {
    rt: tokio::runtime::Runtime,
    router: Router,
    app: App,
    clock: Arc<ManualClock>,
    jwt_hs256: JwtConfig,
    jwt_jwks: JwtConfig,
    _dir: tempfile::TempDir,
}

/// An HTTP answer, read whole.
pub struct Answer {
    pub status: StatusCode,
    pub body: Vec<u8>,
}

fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0)
        .single()
        .expect("a valid start time")
}

fn admin() -> Caller {
    Caller::caseworker("fuzz-setup", &[], &[Role::Admin])
}

impl Harness {
    fn new() -> Harness {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("tokio runtime");
        // In FALLWERK_FUZZ_TMPDIR, which fuzz/run.sh makes on tmpfs and removes afterwards (the
        // process ends in libFuzzer's exit(), so this TempDir is never dropped): the store's
        // fsyncs would otherwise set the pace, and a million inputs write a million rows.
        let mut builder = tempfile::Builder::new();
        builder.prefix("fallwerk-fuzz-");
        let dir = match std::env::var_os("FALLWERK_FUZZ_TMPDIR") {
            Some(parent) => builder.tempdir_in(parent),
            None => builder.tempdir(),
        }
        .expect("tempdir");
        let store = SqliteStore::open(dir.path().join("fallwerk.db")).expect("sqlite");
        let blobs = FsBlobStore::open(dir.path().join("blobs")).expect("blobs");
        let clock = Arc::new(ManualClock::new(start()));
        let app = App::new(
            Arc::new(store),
            Arc::new(blobs),
            clock.clone(),
            AppConfig::default(),
        );
        // From JSON, as an admin would send them: a field added to these types later (with a
        // default) does not break the fuzz build, which the workspace build does not compile.
        let service: Service = serde_json::from_value(serde_json::json!({
            "leika_id": LEIKA,
            "name": "Gewerbeanmeldung",
            "required_documents": ["Personalausweis"],
        }))
        .expect("service");
        let org_unit: OrgUnit = serde_json::from_value(serde_json::json!({
            "id": OE,
            "name": "Gewerbeamt",
            "notification_email": "gewerbe@amt.example",
            "services": [LEIKA],
        }))
        .expect("org unit");
        rt.block_on(async {
            let admin = admin();
            app.put_service(&admin, service).await.expect("service");
            app.put_org_unit(&admin, org_unit).await.expect("org unit");
            for (id, active, v1) in [
                (PORTAL, true, false),
                (PORTAL_V1, true, true),
                (PORTAL_OFF, false, true),
            ] {
                let client: PortalClient = serde_json::from_value(serde_json::json!({
                    "id": id,
                    "name": format!("Portal {id}"),
                    "secret": PORTAL_SECRET,
                    "active": active,
                    "allow_signature_v1": v1,
                }))
                .expect("portal client");
                app.put_portal_client(&admin, client)
                    .await
                    .expect("portal client");
            }
        });
        let jwt_hs256 = JwtConfig::hs256(JWT_SECRET);
        let jwt_jwks = JwtConfig::jwks_json(JWKS).expect("the fixture JWKS");
        let router = app_router(ApiState::new(app.clone()).with_jwt(JwtConfig::hs256(JWT_SECRET)));
        Harness {
            rt,
            router,
            app,
            clock,
            jwt_hs256,
            jwt_jwks,
            _dir: dir,
        }
    }

    /// The server's time after moving it one second on (so a signature never repeats).
    fn tick(&self) -> i64 {
        self.clock.advance(Duration::seconds(1));
        self.clock.now().timestamp()
    }

    fn send(&self, req: Request<Body>) -> Answer {
        self.rt.block_on(async {
            let res = match self.router.clone().oneshot(req).await {
                Ok(res) => res,
                Err(never) => match never {},
            };
            let status = res.status();
            let body = to_bytes(res.into_body(), 16 << 20)
                .await
                .map(|b| b.to_vec())
                .unwrap_or_default();
            Answer { status, body }
        })
    }
}

/// The process's harness (built on first use).
pub fn harness() -> &'static Harness {
    static H: OnceLock<Harness> = OnceLock::new();
    H.get_or_init(Harness::new)
}

/// `FALLWERK_FUZZ_TRACE=1` prints each HTTP answer's status (to see which inputs get how far,
/// e.g. when replaying the seeds: `…/release/portal_submission fuzz/corpus/portal_submission/*`).
fn trace(target: &str, a: &Answer) {
    static ON: OnceLock<bool> = OnceLock::new();
    if *ON.get_or_init(|| std::env::var_os("FALLWERK_FUZZ_TRACE").is_some()) {
        eprintln!(
            "{target}: {} {}",
            a.status,
            String::from_utf8_lossy(&a.body[..a.body.len().min(200)])
        );
    }
}

/// Bad input is the client's fault: it must never answer 5xx.
fn no_server_error(target: &str, a: &Answer) {
    trace(target, a);
    assert!(
        !a.status.is_server_error(),
        "{target}: {} for client input: {}",
        a.status,
        String::from_utf8_lossy(&a.body)
    );
}

// ---------------------------------------------------------------- portal JSON submission

/// `POST /v1/submissions` with the input as its JSON body, correctly signed (version 2), so
/// every input reaches the JSON parser, the attachment decoding and the intake use case.
pub fn portal_submission(data: &[u8]) {
    let h = harness();
    let ts = h.tick();
    let signer = PortalSigner::new(PORTAL, PORTAL_SECRET);
    let a = h.send(signer.request(Method::POST, "/v1/submissions", ts, data.to_vec()));
    no_server_error("portal submission", &a);
}

// ---------------------------------------------------------------- /antrag multipart

/// `POST /antrag/{client}/{token}`: the input's first line is the `Content-Type` (with the
/// boundary), the rest the body, so the fuzzer varies both.
pub fn antrag_multipart(data: &[u8]) {
    let h = harness();
    let (ct, body) = match data.iter().position(|&b| b == b'\n') {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (&b"multipart/form-data; boundary=fuzz"[..], data),
    };
    let mut req = Request::builder()
        .method(Method::POST)
        .uri(format!("/antrag/{PORTAL}/{PORTAL_SECRET}"));
    if let Ok(v) = HeaderValue::from_bytes(ct) {
        req = req.header(header::CONTENT_TYPE, v);
    }
    let Ok(req) = req.body(Body::from(body.to_vec())) else {
        return;
    };
    h.tick();
    let a = h.send(req);
    no_server_error("antrag multipart", &a);
}

// ---------------------------------------------------------------- portal signature headers

/// How the fuzzer signs a portal request.
#[derive(Debug, Arbitrary)]
enum Signing<'a> {
    /// The signature the server expects (v2, or v1 without a version header).
    Correct,
    /// The expected signature with one byte changed.
    Flipped(u8, u8),
    /// Any header value.
    Raw(&'a [u8]),
    Missing,
}

#[derive(Debug, Arbitrary)]
struct PortalRequest<'a> {
    method: u8,
    route: u8,
    case_id: &'a str,
    query: Option<&'a str>,
    client: Option<&'a [u8]>,
    known_client: u8,
    timestamp: Option<&'a [u8]>,
    skew: i16,
    version: Option<&'a [u8]>,
    signing: Signing<'a>,
    body: &'a [u8],
}

const METHODS: [Method; 6] = [
    Method::GET,
    Method::POST,
    Method::PUT,
    Method::HEAD,
    Method::DELETE,
    Method::PATCH,
];

/// A portal request with fuzzed headers: client id, timestamp, signature version, signature,
/// method, target and body. A request whose signature is not the one the server expects must
/// never get a 2xx; none may get a 5xx.
pub fn portal_signature(data: &[u8]) {
    let Ok(input) = PortalRequest::arbitrary_take_rest(Unstructured::new(data)) else {
        return;
    };
    let h = harness();
    let now = h.tick();
    let method = METHODS[usize::from(input.method) % METHODS.len()].clone();
    let id: String = input
        .case_id
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '%' | '.' | '_' | '~'))
        .collect();
    let mut target = match input.route % 4 {
        0 => "/v1/submissions".to_string(),
        1 => format!("/v1/cases/{id}/replies"),
        2 => format!("/v1/cases/{id}/status"),
        _ => format!("/v1/cases/{id}/messages"),
    };
    if let Some(q) = input.query {
        target.push('?');
        target.push_str(q);
    }
    if target.parse::<axum::http::Uri>().is_err() {
        return;
    }
    let client = match input.client {
        Some(raw) => raw.to_vec(),
        None => [PORTAL, PORTAL_V1, PORTAL_OFF][usize::from(input.known_client) % 3]
            .as_bytes()
            .to_vec(),
    };
    let ts = match input.timestamp {
        Some(raw) => raw.to_vec(),
        None => (now + i64::from(input.skew)).to_string().into_bytes(),
    };
    let client_text = String::from_utf8_lossy(&client).trim().to_string();
    let ts_text = String::from_utf8_lossy(&ts).trim().to_string();
    let v2 = input
        .version
        .is_some_and(|v| String::from_utf8_lossy(v).trim() == "2");
    let expected = if v2 {
        sign_v2(
            PORTAL_SECRET,
            method.as_str(),
            &target,
            &ts_text,
            &client_text,
            input.body,
        )
    } else {
        sign(PORTAL_SECRET, &ts_text, input.body)
    };
    let signature: Option<Vec<u8>> = match input.signing {
        Signing::Correct => Some(expected.clone().into_bytes()),
        Signing::Flipped(at, by) => {
            let mut s = expected.clone().into_bytes();
            let i = usize::from(at) % s.len().max(1);
            if let Some(b) = s.get_mut(i) {
                *b ^= by.max(1);
            }
            Some(s)
        }
        Signing::Raw(raw) => Some(raw.to_vec()),
        Signing::Missing => None,
    };
    let mut req = Request::builder().method(method.clone()).uri(&target);
    for (name, value) in [
        (CLIENT_HEADER, Some(client)),
        (TIMESTAMP_HEADER, Some(ts)),
        (VERSION_HEADER, input.version.map(<[u8]>::to_vec)),
        (SIGNATURE_HEADER, signature.clone()),
    ] {
        if let Some(v) = value.and_then(|v| HeaderValue::from_bytes(&v).ok()) {
            req = req.header(name, v);
        }
    }
    if !input.body.is_empty() {
        req = req.header(header::CONTENT_TYPE, "application/json");
    }
    let Ok(req) = req.body(Body::from(input.body.to_vec())) else {
        return;
    };
    let a = h.send(req);
    no_server_error("portal signature", &a);
    // What the server compares: the header value trimmed. Only exactly that may pass.
    let sent = signature
        .as_deref()
        .and_then(|s| std::str::from_utf8(s).ok())
        .map(str::trim);
    if sent != Some(expected.as_str()) {
        assert!(
            !a.status.is_success(),
            "portal signature: a request without the expected signature got {}",
            a.status
        );
    }
}

// ---------------------------------------------------------------- caseworker JWT

/// The input as a bearer token: verified against an HS256 secret and an RS256 key set (the
/// header's `alg` and `kid` are read first there), then sent as the `Authorization` header.
/// Nothing the fuzzer makes can carry a valid signature, so every token must be refused.
pub fn jwt_header(data: &[u8]) {
    let h = harness();
    let now = h.clock.now().timestamp();
    let token = String::from_utf8_lossy(data);
    for (name, config) in [("HS256", &h.jwt_hs256), ("JWKS", &h.jwt_jwks)] {
        if let Ok(claims) = h.rt.block_on(config.verify(&token, now)) {
            panic!("jwt header: a forged token passed {name}: {claims:?}");
        }
    }
    let Ok(value) = HeaderValue::from_bytes(data) else {
        return;
    };
    let Ok(req) = Request::builder()
        .method(Method::GET)
        .uri("/v1/cases")
        .header(header::AUTHORIZATION, value)
        .body(Body::empty())
    else {
        return;
    };
    let a = h.send(req);
    no_server_error("jwt header", &a);
    assert!(
        a.status == StatusCode::UNAUTHORIZED || a.status == StatusCode::BAD_REQUEST,
        "jwt header: GET /v1/cases with a forged Authorization answered {}",
        a.status
    );
}

// ---------------------------------------------------------------- admin YAML

/// The directory YAML of `fallwerk admin apply`: parsed into the command's document type, then
/// applied as the command does (services, org units, portal clients, users without, then with
/// their absences) through the validating use cases.
pub fn admin_yaml(data: &[u8]) {
    let Ok(doc) = serde_norway::from_slice::<DirectoryDocument>(data) else {
        return;
    };
    let h = harness();
    let admin = admin();
    h.rt.block_on(async {
        for s in doc.services {
            let _ = h.app.put_service(&admin, s).await;
        }
        for o in doc.org_units {
            let _ = h.app.put_org_unit(&admin, o).await;
        }
        for c in doc.portal_clients {
            let _ = h.app.put_portal_client(&admin, c).await;
        }
        let with_absence: Vec<_> = doc
            .users
            .iter()
            .filter(|u| u.absence.is_some())
            .cloned()
            .collect();
        for u in doc.users {
            let mut user = User::from(u);
            user.absence = None;
            let _ = h.app.save_user(user).await;
        }
        for u in with_absence {
            let _ = h.app.save_user(User::from(u)).await;
        }
    });
}

// ---------------------------------------------------------------- deadline periods

#[derive(Debug, Arbitrary)]
struct PeriodInput<'a> {
    /// Days from 1970-01-01, any i32 (far outside any real date, too).
    start: i32,
    state: u8,
    lead: &'a str,
    period: &'a str,
}

/// A service rule's period string ("10WD", "2W", "3M"): parsed; when valid, printed and parsed
/// again (must give the same period), then used forward (due date, escalation) and backward
/// (warning date) from any start date in any state. Dates beyond the calendar must be errors.
pub fn deadline_period(data: &[u8]) {
    let Ok(input) = PeriodInput::arbitrary_take_rest(Unstructured::new(data)) else {
        return;
    };
    let Ok(period) = input.period.parse::<Period>() else {
        return;
    };
    let printed = period.to_string();
    assert_eq!(
        printed.parse::<Period>().ok(),
        Some(period),
        "deadline period: {:?} printed as {printed:?} does not parse back",
        input.period
    );
    let _ = period.describe_de();
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).expect("epoch");
    let Some(start) = epoch.checked_add_signed(Duration::days(i64::from(input.start))) else {
        return;
    };
    let state = State::ALL[usize::from(input.state) % State::ALL.len()];
    if let Ok(due) = try_compute(start, period, state) {
        assert!(
            due.due > start,
            "deadline period: {start} + {period} is due on {}",
            due.due
        );
        let _ = explain_de(&due);
        if let Ok(lead) = input.lead.parse::<Period>()
            && let Ok(warning) = try_warning_date(due.due, lead, state)
        {
            assert!(
                warning <= due.due,
                "deadline period: warning after due date"
            );
        }
        if let Ok(escalation) = try_escalation_date(due.due, period, state) {
            assert!(
                escalation > due.due,
                "deadline period: escalation not after due"
            );
        }
    }
}

// ---------------------------------------------------------------- queue messages

/// A queue message body as both consumers decode it (SQS body, embedded queue row): decoded;
/// when valid, encoded and decoded again (must give the same message), its routing read.
pub fn queue_message(data: &[u8]) {
    let Ok(message) = serde_json::from_slice::<QueueMessage>(data) else {
        return;
    };
    let _ = (message.message_id(), message.case_id(), message.queue());
    let encoded = serde_json::to_vec(&message).expect("a decoded message encodes");
    let again = serde_json::from_slice::<QueueMessage>(&encoded);
    assert_eq!(
        again.as_ref().ok(),
        Some(&message),
        "queue message: encoding does not decode to the same message: {}",
        String::from_utf8_lossy(&encoded)
    );
}
