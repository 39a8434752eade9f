//! Benchmark of the scheduler tick (`App::tick`, issue 6): with 1k due deadlines next to 10k and
//! 1M stored ones on SQLite (ratio 1M/10k, target ≤ 2), and next to 100k on DynamoDB Local with the
//! number of DynamoDB requests per tick, counted by an SDK interceptor.
//!
//! The 1k due deadlines belong to real cases created through `App::submit` (their competence
//! check's warning is owed); the rest of the due index is bulk-loaded, due in 2027 and later.
//! SQLite: the state is built once per size and each tick runs on a fresh copy of the database
//! file. DynamoDB Local: two groups of 1k cases, received a day apart, give two first ticks.
//!
//! ```text
//! scripts/emulators.sh start && eval "$(scripts/emulators.sh env)"   # for the DynamoDB part
//! $CARGO_TARGET_DIR/release/tick_scale [--copies 3] [--only sqlite|dynamo] [--dynamo-total 100000] [--concurrency 16]
//! ```

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aws_sdk_dynamodb::types::{AttributeValue, PutRequest, WriteRequest};
use chrono::{DateTime, Duration as Days, TimeZone, Utc};
use fallwerk_aws::keys;
use fallwerk_bench::{dynamo_client, load, machine, median, ms, print_table};
use fallwerk_core::app::{App, AppConfig, ManualClock, Submission, TickOptions, TickReport};
use fallwerk_core::case::{Caller, Role};
use fallwerk_core::model::{Applicant, Deadline, DeadlineRules, OrgUnit, PortalClient, Service};
use fallwerk_core::ports::{DueEntry, due_entries};
use fallwerk_embedded::{FsBlobStore, SqliteStore};
use fallwerk_events::DeadlineKind;
use fallwerk_runtime::{Embedded, Settings};
use serde_json::json;

const DUE: usize = 1_000;
const CLIENT: &str = "bench-portal";
const OU: &str = "bench-ou";
const LEIKA: &str = "99050012104000";

struct Opts {
    copies: usize,
    only: Option<String>,
    dynamo_total: usize,
    /// `TickOptions::concurrency` (1 = one due case after the other, as before issue 18).
    concurrency: usize,
}

/// The tick options of every measured tick.
fn tick_options() -> TickOptions {
    TickOptions {
        concurrency: opts().concurrency,
        ..TickOptions::default()
    }
}

fn opts() -> Opts {
    let mut o = Opts {
        copies: 3,
        only: None,
        dynamo_total: 100_000,
        concurrency: TickOptions::default().concurrency,
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let v = it.next();
        let bad = || -> ! {
            eprintln!(
                "usage: tick_scale [--copies N] [--only sqlite|dynamo] [--dynamo-total N] [--concurrency N] (bad {a})"
            );
            std::process::exit(2)
        };
        let v = v.unwrap_or_else(|| bad());
        match a.as_str() {
            "--copies" => o.copies = v.parse().unwrap_or_else(|_| bad()),
            "--only" => o.only = Some(v.clone()),
            "--dynamo-total" => o.dynamo_total = v.parse().unwrap_or_else(|_| bad()),
            "--concurrency" => o.concurrency = v.parse().unwrap_or_else(|_| bad()),
            _ => bad(),
        }
    }
    o
}

fn at(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, 0, 0)
        .single()
        .expect("valid instant")
}

fn submission(id: &str) -> Submission {
    Submission {
        submission_id: id.to_string(),
        leika_id: LEIKA.into(),
        org_unit_id: OU.into(),
        applicant: Applicant {
            name: "Erika Mustermann".into(),
            email: Some("erika@example.org".into()),
            postbox_ref: Some("pb-4711".into()),
            trust_level: None,
        },
        form_id: "wohngeld-v1".into(),
        form_data: json!({"haushalt": {"personen": 2, "miete": 690}}),
        documents: vec![],
    }
}

/// The org unit, service and portal client the benchmark submits to.
async fn directory(app: &App) {
    let admin = Caller::caseworker("bench-setup", &[], &[Role::Admin]);
    app.put_service(
        &admin,
        Service {
            leika_id: LEIKA.into(),
            name: "Wohngeld (Benchmark)".into(),
            rules: DeadlineRules::default(),
            required_documents: vec![],
            export_target: None,
        },
    )
    .await
    .expect("service");
    app.put_org_unit(
        &admin,
        OrgUnit {
            id: OU.into(),
            name: "Bürgeramt (Benchmark)".into(),
            notification_email: "bench@fallwerk.invalid".into(),
            state: Default::default(),
            services: vec![LEIKA.into()],
            municipality: None,
        },
    )
    .await
    .expect("org unit");
    app.put_portal_client(
        &admin,
        PortalClient {
            id: CLIENT.into(),
            name: "Benchmark".into(),
            secret: "bench-secret-0123456789abcdef0123456789abcdef".into(),
            active: true,
            allow_signature_v1: false,
            applicant_fields: None,
        },
    )
    .await
    .expect("portal client");
}

/// Submits `n` cases (8 at a time) at the app's clock; returns the latest fire_at of their due
/// entries, i.e. the instant after which all their first reminders are owed.
async fn submit_cases(app: &App, tag: &str, n: usize) -> DateTime<Utc> {
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let (app, next, tag) = (app.clone(), next.clone(), tag.to_string());
        tasks.push(tokio::spawn(async move {
            let mut latest = DateTime::<Utc>::MIN_UTC;
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if i >= n {
                    break latest;
                }
                let id = format!("{tag}-{i:05}");
                let out = app
                    .submit(CLIENT, submission(&id), &format!("sha-{id}"))
                    .await
                    .expect("submit");
                let case = app
                    .case_for_work(&out.case_id)
                    .await
                    .expect("load")
                    .expect("case");
                for e in due_entries(&case) {
                    latest = latest.max(e.fire_at);
                }
            }
        }));
    }
    let mut latest = DateTime::<Utc>::MIN_UTC;
    for t in tasks {
        latest = latest.max(t.await.expect("submit task"));
    }
    latest
}

/// `n` not-yet-due index entries (2027 and later) of cases that do not exist.
fn future_entries(n: usize) -> impl Iterator<Item = DueEntry> {
    let base = at(2027, 1, 1, 0);
    (0..n).map(move |i| DueEntry {
        fire_at: base + Days::seconds((i as i64 * 37) % 31_536_000),
        case_id: format!("bulk-case-{:07}", i / 2),
        deadline_id: format!("bulk-dl-{i:07}"),
        kind: DeadlineKind::ALL[i % DeadlineKind::ALL.len()],
    })
}

fn check(report: &TickReport) {
    assert!(report.leased, "tick got the lease");
    assert_eq!(
        report.due_entries, DUE,
        "tick handled the due entries: {report:?}"
    );
    assert_eq!(
        report.reminders, DUE,
        "one reminder per due deadline: {report:?}"
    );
    assert_eq!(report.failed, 0, "no failures: {report:?}");
}

fn copy_db(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("copy dir");
    for entry in std::fs::read_dir(from).expect("read data dir").flatten() {
        let name = entry.file_name();
        if name.to_string_lossy().starts_with("fallwerk.db") {
            std::fs::copy(entry.path(), to.join(&name)).expect("copy database");
        }
    }
}

struct SqliteResult {
    total: usize,
    build: Duration,
    db_mb: u64,
    ticks: Vec<Duration>,
    due_query: Vec<Duration>,
    report: TickReport,
}

/// Builds the state for `total` stored deadlines (1k due), then ticks on `copies` fresh copies.
async fn sqlite(total: usize, copies: usize, root: &Path) -> SqliteResult {
    let t0 = at(2026, 3, 2, 8);
    let base = root.join(format!("base-{total}"));
    let build = Instant::now();
    let tick_at = {
        let clock = Arc::new(ManualClock::new(t0));
        let embedded =
            Embedded::open(&base, Settings::default(), clock.clone()).expect("open embedded");
        directory(&embedded.app).await;
        let latest = submit_cases(&embedded.app, "sq", DUE).await;
        embedded
            .store
            .bench_load_deadlines(future_entries(total - DUE))
            .expect("bulk load");
        latest.max(t0) + Days::minutes(1)
    };
    let build = build.elapsed();
    let db_mb = std::fs::metadata(base.join("fallwerk.db")).map_or(0, |m| m.len()) / 1_000_000;

    let mut ticks = Vec::new();
    let mut due_query = Vec::new();
    let mut report = TickReport::default();
    for c in 0..copies {
        let dir = root.join(format!("copy-{total}-{c}"));
        copy_db(&base, &dir);
        let clock = Arc::new(ManualClock::new(tick_at));
        let embedded = Embedded::open(&dir, Settings::default(), clock).expect("open copy");
        let t = Instant::now();
        report = embedded.app.tick(&tick_options()).await.expect("tick");
        ticks.push(t.elapsed());
        check(&report);
        drop(embedded);
        // The due-index query alone, on another fresh copy (for comparison with the tick).
        let qdir = root.join(format!("query-{total}-{c}"));
        copy_db(&base, &qdir);
        let store = SqliteStore::open(qdir.join("fallwerk.db")).expect("open query copy");
        let t = Instant::now();
        let due = fallwerk_core::ports::SchedulerStore::due(&store, tick_at, 1000)
            .await
            .expect("due");
        due_query.push(t.elapsed());
        assert_eq!(due.len(), DUE, "exactly the 1k real deadlines are due");
        drop(store);
        let _ = std::fs::remove_dir_all(&dir);
        let _ = std::fs::remove_dir_all(&qdir);
        eprintln!(
            "tick_scale: sqlite {total}: copy {c}: tick {:?}, due query {:?}, load {}",
            ticks[c],
            due_query[c],
            load()
        );
    }
    SqliteResult {
        total,
        build,
        db_mb,
        ticks,
        due_query,
        report,
    }
}

const READ_OPS: [&str; 5] = [
    "GetItem",
    "Query",
    "Scan",
    "BatchGetItem",
    "TransactGetItems",
];

/// A deadline item of a bulk case, in the layout of `keys.rs` (with its due-index keys).
fn deadline_item(e: &DueEntry) -> BTreeMap<String, AttributeValue> {
    let d = Deadline {
        id: e.deadline_id.clone(),
        kind: e.kind,
        due_on: e.fire_at.date_naive() + Days::days(3),
        warn_on: Some(e.fire_at.date_naive()),
        escalate_on: Some(e.fire_at.date_naive() + Days::days(6)),
        basis: "Benchmark".into(),
        open: true,
        overdue: false,
        note: None,
        sent: vec![],
    };
    let s = |v: String| AttributeValue::S(v);
    BTreeMap::from([
        (keys::PK.into(), s(keys::case_pk(&e.case_id))),
        (
            keys::SK.into(),
            s(keys::deadline_sk(e.kind.as_str(), &e.deadline_id)),
        ),
        (
            keys::DATA.into(),
            s(serde_json::to_string(&d).expect("deadline json")),
        ),
        (keys::GSI2_PK.into(), s(keys::due_pk(&e.case_id))),
        (
            keys::GSI2_SK.into(),
            s(keys::due_sk(e.fire_at, &e.case_id, &e.deadline_id)),
        ),
        (
            keys::DUE.into(),
            s(serde_json::to_string(e).expect("due json")),
        ),
    ])
}

/// Writes the items with BatchWriteItem (25 per request), `writers` requests in flight.
async fn batch_load(
    client: &aws_sdk_dynamodb::Client,
    table: &str,
    entries: Vec<DueEntry>,
    writers: usize,
) {
    let chunks: Vec<Vec<DueEntry>> = entries.chunks(25).map(<[DueEntry]>::to_vec).collect();
    let chunks = Arc::new(Mutex::new(chunks));
    let mut tasks = Vec::new();
    for _ in 0..writers {
        let (client, table, chunks) = (client.clone(), table.to_string(), chunks.clone());
        tasks.push(tokio::spawn(async move {
            loop {
                let Some(chunk) = chunks.lock().unwrap_or_else(|p| p.into_inner()).pop() else {
                    break;
                };
                let mut requests: Vec<WriteRequest> = chunk
                    .iter()
                    .map(|e| {
                        let put = PutRequest::builder()
                            .set_item(Some(deadline_item(e).into_iter().collect()))
                            .build()
                            .expect("put request");
                        WriteRequest::builder().put_request(put).build()
                    })
                    .collect();
                for attempt in 0.. {
                    assert!(
                        attempt < 50,
                        "BatchWriteItem keeps leaving items unprocessed"
                    );
                    let out = client
                        .batch_write_item()
                        .request_items(&table, requests)
                        .send()
                        .await
                        .expect("batch write");
                    requests = out
                        .unprocessed_items
                        .and_then(|mut u| u.remove(&table))
                        .unwrap_or_default();
                    if requests.is_empty() {
                        break;
                    }
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            }
        }));
    }
    for t in tasks {
        t.await.expect("writer");
    }
}

struct DynamoTick {
    group: &'static str,
    tick: Duration,
    ops: BTreeMap<String, u64>,
    report: TickReport,
    load: String,
}

async fn dynamo(total: usize) -> Option<(Vec<DynamoTick>, Duration, Duration)> {
    let (client, counter) = dynamo_client("tick_scale").await?;
    let table = fallwerk_aws::testing::unique("fw-bench");
    fallwerk_aws::create_table(&client, &table)
        .await
        .expect("create table");
    let store = Arc::new(fallwerk_aws::DynamoStore::new(client.clone(), &table));
    let blobs_dir = tempfile::tempdir().expect("blob dir");
    let blobs = Arc::new(FsBlobStore::open(blobs_dir.path()).expect("blobs"));
    let clock = Arc::new(ManualClock::new(at(2026, 3, 2, 8)));
    let app = App::new(store.clone(), blobs, clock.clone(), AppConfig::default());
    directory(&app).await;

    // Two groups of 1k real cases, received on Monday and Tuesday: the Monday group's next level
    // (due day, Thursday) is not owed on Tuesday, so each tick has exactly 1k due entries.
    let setup = Instant::now();
    let due_a = submit_cases(&app, "ddb-a", DUE).await;
    clock.set(at(2026, 3, 3, 8));
    let due_b = submit_cases(&app, "ddb-b", DUE).await;
    let submit_time = setup.elapsed();
    let bulk = total.saturating_sub(2 * DUE);
    let load_start = Instant::now();
    batch_load(&client, &table, future_entries(bulk).collect(), 8).await;
    let load_time = load_start.elapsed();
    eprintln!(
        "tick_scale: dynamo: 2x{DUE} cases submitted in {submit_time:.1?}, {bulk} deadlines bulk-loaded in {load_time:.1?}"
    );

    let mut ticks = Vec::new();
    for (group, now) in [
        (
            "Monday group",
            due_a.max(at(2026, 3, 2, 8)) + Days::minutes(1),
        ),
        (
            "Tuesday group",
            due_b.max(at(2026, 3, 3, 8)) + Days::minutes(1),
        ),
    ] {
        clock.set(now);
        let due = fallwerk_core::ports::SchedulerStore::due(&*store, now, 1000)
            .await
            .expect("due");
        assert_eq!(
            due.len(),
            DUE,
            "exactly 1k due entries before the {group} tick"
        );
        counter.take();
        let t = Instant::now();
        let report = app.tick(&tick_options()).await.expect("tick");
        let tick = t.elapsed();
        let ops = counter.take();
        check(&report);
        eprintln!("tick_scale: dynamo {group}: tick {tick:?}, requests {ops:?}");
        ticks.push(DynamoTick {
            group,
            tick,
            ops,
            report,
            load: load(),
        });
    }
    let _ = client.delete_table().table_name(&table).send().await;
    Some((ticks, submit_time, load_time))
}

fn sum(ops: &BTreeMap<String, u64>, names: &[&str]) -> u64 {
    ops.iter()
        .filter(|(k, _)| names.contains(&k.as_str()))
        .map(|(_, v)| v)
        .sum()
}

#[tokio::main]
async fn main() {
    let o = opts();
    let wanted = |name: &str| o.only.as_deref().is_none_or(|only| only == name);
    eprintln!("tick_scale: {}", machine());
    println!("tick concurrency: {}", o.concurrency);
    let root = tempfile::tempdir().expect("tempdir");

    let mut sqlite_rows = Vec::new();
    let mut medians = Vec::new();
    if wanted("sqlite") {
        for total in [10_000usize, 1_000_000] {
            let r = sqlite(total, o.copies, root.path()).await;
            let m = median(&r.ticks);
            medians.push(m);
            sqlite_rows.push(vec![
                r.total.to_string(),
                DUE.to_string(),
                ms(m),
                r.ticks
                    .iter()
                    .map(|t| ms(*t))
                    .collect::<Vec<_>>()
                    .join(", "),
                ms(median(&r.due_query)),
                format!(
                    "{} due, {} reminders, {} failed",
                    r.report.due_entries, r.report.reminders, r.report.failed
                ),
                format!("{} MB, built in {:.1?}", r.db_mb, r.build),
                load(),
            ]);
        }
    }
    let dynamo_result = if wanted("dynamo") {
        dynamo(o.dynamo_total).await
    } else {
        None
    };

    println!(
        "\nScheduler tick (`App::tick`, default options: batch 200); {}\n",
        machine()
    );
    if !sqlite_rows.is_empty() {
        println!(
            "SQLite (`fallwerk serve` wiring: SqliteStore + SqliteQueue), first tick on fresh copies of the database:\n"
        );
        print_table(
            &[
                "stored deadlines",
                "due",
                "tick median ms",
                "ticks ms",
                "due(now,1000) ms",
                "tick report",
                "database",
                "load at end",
            ],
            &sqlite_rows,
        );
        if medians.len() == 2 {
            println!(
                "\nratio 1M / 10k (tick medians): {:.2} (target ≤ 2)",
                medians[1].as_secs_f64() / medians[0].as_secs_f64().max(f64::EPSILON)
            );
        }
    }
    if let Some((ticks, submit_time, load_time)) = dynamo_result {
        println!(
            "\nDynamoDB Local, {} stored deadlines (2x1k real cases + bulk, BatchWriteItem 25/request, 8 writers; setup: submits {submit_time:.1?}, bulk load {load_time:.1?}):\n",
            o.dynamo_total
        );
        let rows: Vec<Vec<String>> = ticks
            .iter()
            .map(|t| {
                vec![
                    t.group.to_string(),
                    DUE.to_string(),
                    ms(t.tick),
                    sum(&t.ops, &READ_OPS).to_string(),
                    t.ops
                        .iter()
                        .map(|(k, v)| format!("{k} {v}"))
                        .collect::<Vec<_>>()
                        .join(", "),
                    format!(
                        "{} due, {} reminders, {} failed",
                        t.report.due_entries, t.report.reminders, t.report.failed
                    ),
                    t.load.clone(),
                ]
            })
            .collect();
        print_table(
            &[
                "tick",
                "due",
                "tick ms",
                "read requests",
                "all requests by operation",
                "tick report",
                "load at end",
            ],
            &rows,
        );
    }
}
