//! Benchmark of the workplace pages (issue 15): the inbox, the deadlines page and the case page
//! with 10,000 open cases in the caseworker's org unit, on SQLite, through the real router
//! in-process (`fallwerk_api::app_router`, the same one `fallwerk serve` and the casework Lambda
//! serve; session cookie, templates, the same use cases). Measured per page: server time from the
//! request to the last byte of the answer (p50, p99) and the size of the HTML. Targets: p99 ≤
//! 30 ms and ≤ 100 KB per page.
//!
//! The cases are created through `CaseStore::create_case` (case, history, inbox entry, deadline
//! index). One of them is worked through the use cases (`App::act`) until its history, thread
//! and checklist are those of a busy case: 40 comments, 10 postbox messages, assignment.
//!
//! ```text
//! $CARGO_TARGET_DIR/release/page_scale [--runs 300] [--cases 10000]
//! ```

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::json;
use tower::ServiceExt;

use fallwerk_api::web::WebConfig;
use fallwerk_api::web::session::{SessionData, encode};
use fallwerk_api::{ApiState, JwtConfig, app_router};
use fallwerk_bench::{NAMES, machine, ms, percentile, print_table};
use fallwerk_contract::fixtures::{LEIKA_WOHNGELD, case, new_case};
use fallwerk_core::app::{App, AppConfig, Clock, ManualClock};
use fallwerk_core::case::{Action, Caller, Role};
use fallwerk_core::model::{OrgUnit, Service, User};
use fallwerk_core::ports::CaseStore;
use fallwerk_embedded::{FsBlobStore, SqliteStore};

const OU: &str = "OE-BENCH";
const ME: &str = "sb-bench";
const SECRET: &[u8] = b"page-bench-session-secret-0123456789";
fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn bench_case(i: usize) -> fallwerk_core::model::Case {
    let id = format!("b{i:07}");
    let mut c = case(&id, OU, &format!("sub-{id}"));
    c.applicant.name = format!("{} {i}", NAMES[i % NAMES.len()]);
    c.submission.received_at += chrono::Duration::seconds(i as i64);
    c.deadlines[0].due_on += chrono::Duration::days((i % 60) as i64);
    // Every third case belongs to someone (the inbox and deadlines show names).
    if i.is_multiple_of(3) {
        c.assignee = Some(format!("sb-{}", i % 5));
    }
    c
}

async fn setup(app: &App) {
    let admin = Caller::caseworker("setup", &[], &[Role::Admin]);
    app.put_service(
        &admin,
        Service {
            leika_id: LEIKA_WOHNGELD.into(),
            name: "Wohngeld".into(),
            rules: Default::default(),
            required_documents: vec!["Mietvertrag".into(), "Einkommensnachweis".into()],
            export_target: None,
        },
    )
    .await
    .expect("service");
    app.put_org_unit(
        &admin,
        OrgUnit {
            id: OU.into(),
            name: "Wohngeldstelle".into(),
            notification_email: "wohngeld@amt.example".into(),
            state: Default::default(),
            services: vec![LEIKA_WOHNGELD.into()],
            municipality: None,
        },
    )
    .await
    .expect("org unit");
    let people = std::iter::once(ME.to_string()).chain((0..5).map(|i| format!("sb-{i}")));
    for (i, id) in people.enumerate() {
        app.save_user(User {
            id: id.clone(),
            family_name: ["Bench", "Schulz", "Krüger", "Lehmann", "Wolf", "Braun"][i].into(),
            given_name: "Sabine".into(),
            email: format!("{id}@amt.example"),
            org_units: vec![OU.into()],
            roles: vec![Role::Caseworker],
            active: true,
            absence: None,
            password_hash: None,
        })
        .await
        .expect("user");
    }
}

/// Works case `id` through the use cases until it looks like a busy case.
async fn busy(app: &App, id: &str) {
    let me = Caller::caseworker(ME, &[OU], &[Role::Caseworker]);
    let mut version = app.case_view(&me, id).await.expect("view").case.version;
    let act = |body: serde_json::Value| {
        let (app, me) = (app.clone(), me.clone());
        async move {
            let (expected, action) = Action::parse_request(body).expect("action");
            app.act(&me, id, expected, action)
                .await
                .expect("act")
                .case
                .version
        }
    };
    version = act(json!({"action": "confirm_competence", "expected_version": version})).await;
    version = act(json!({"action": "assign", "user": ME, "expected_version": version})).await;
    for n in 0..40 {
        version = act(json!({"action": "comment", "expected_version": version,
            "text": format!("Notiz {n}: Rückfrage beim Vermieter wegen der Nebenkosten, Telefonat vermerkt.")}))
        .await;
    }
    for n in 0..10 {
        version = act(json!({"action": "message", "expected_version": version,
            "subject": format!("Rückfrage {n}"),
            "text": "Bitte senden Sie uns die Nebenkostenabrechnung des letzten Jahres."}))
        .await;
    }
}

async fn get(router: &axum::Router, path: &str, cookie: &str) -> (Duration, usize) {
    let req = Request::get(path)
        .header(header::COOKIE, cookie)
        .header(header::HOST, "127.0.0.1:8080")
        .body(Body::empty())
        .expect("request");
    let t = Instant::now();
    let res = router.clone().oneshot(req).await.expect("infallible");
    let status = res.status();
    let bytes = axum::body::to_bytes(res.into_body(), usize::MAX)
        .await
        .expect("body");
    let took = t.elapsed();
    assert_eq!(
        status,
        StatusCode::OK,
        "{path}: {}",
        String::from_utf8_lossy(&bytes)
    );
    (took, bytes.len())
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let runs = arg("--runs", 300);
    let cases = arg("--cases", 10_000);
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Arc::new(SqliteStore::open(dir.path().join("f.db")).expect("sqlite"));
    let blobs = Arc::new(FsBlobStore::open(dir.path().join("blobs")).expect("blobs"));
    let start = fallwerk_contract::fixtures::t("2026-03-04T09:00:00Z");
    let clock = Arc::new(ManualClock::new(start));
    let app = App::new(store.clone(), blobs, clock.clone(), AppConfig::default());
    setup(&app).await;

    let t = Instant::now();
    let mut tasks = Vec::new();
    let chunk = cases.div_ceil(16).max(1);
    for part in (0..cases).collect::<Vec<_>>().chunks(chunk) {
        let (store, part) = (store.clone(), part.to_vec());
        tasks.push(tokio::spawn(async move {
            for i in part {
                store
                    .create_case(new_case(bench_case(i)))
                    .await
                    .expect("create");
            }
        }));
    }
    for task in tasks {
        task.await.expect("task");
    }
    busy(&app, "b0000001").await;
    eprintln!("page_scale: {cases} cases created in {:.1?}", t.elapsed());

    let config = WebConfig::new(SECRET.to_vec(), "http://127.0.0.1:8080");
    let session = SessionData::signed_in(ME.into(), clock.now().timestamp());
    let cookie = format!("fallwerk={}", encode(&config, &session));
    let state = ApiState::new(app.clone())
        .with_jwt(JwtConfig::hs256("page-bench-jwt-secret-0123456789abcdef"))
        .with_web(config);
    let router = app_router(state);

    let pages = [
        ("inbox, first page (by due date)", "/".to_string()),
        ("inbox, search `mueller`", "/?q=mueller".to_string()),
        ("inbox, my cases", "/?assignee=me".to_string()),
        ("deadlines", "/deadlines".to_string()),
        ("case page, busy case", "/cases/b0000001".to_string()),
        ("case page, new case", "/cases/b0004711".to_string()),
    ];
    let mut rows = Vec::new();
    let mut missed = Vec::new();
    for (what, path) in &pages {
        // Warm-up: templates compiled, SQLite pages cached.
        for _ in 0..5 {
            get(&router, path, &cookie).await;
        }
        let mut times = Vec::with_capacity(runs);
        let mut size = 0;
        for _ in 0..runs {
            let (took, bytes) = get(&router, path, &cookie).await;
            times.push(took);
            size = bytes;
        }
        times.sort();
        let p99 = percentile(&times, 99.0);
        if p99 > Duration::from_millis(30) || size > 100 * 1024 {
            missed.push(*what);
        }
        rows.push(vec![
            what.to_string(),
            ms(percentile(&times, 50.0)),
            ms(p99),
            format!("{:.1} KB", size as f64 / 1024.0),
        ]);
    }
    // Where an inbox page's time goes: its two store reads through the use cases.
    let me = Caller::caseworker(ME, &[OU], &[Role::Caseworker]);
    let mut search = Vec::with_capacity(runs);
    let mut counts = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        app.search_inbox(&me, Default::default())
            .await
            .expect("search");
        search.push(t.elapsed());
        let t = Instant::now();
        app.inbox_counts(&me, None).await.expect("counts");
        counts.push(t.elapsed());
    }
    search.sort();
    counts.sort();
    for (what, d) in [
        ("(use case) search_inbox, first page", &search),
        ("(use case) inbox_counts", &counts),
    ] {
        rows.push(vec![
            what.to_string(),
            ms(percentile(d, 50.0)),
            ms(percentile(d, 99.0)),
            "–".into(),
        ]);
    }
    println!(
        "{}; {cases} open cases in the org unit; {runs} runs per page",
        machine()
    );
    print_table(&["page", "p50", "p99", "HTML"], &rows);
    if missed.is_empty() {
        println!("targets (p99 ≤ 30 ms, ≤ 100 KB): met on every page");
    } else {
        println!(
            "targets (p99 ≤ 30 ms, ≤ 100 KB) missed: {}",
            missed.join(", ")
        );
    }
}
