//! Benchmark of the inbox (`CaseStore::search_inbox`, issue 14): one org unit with 1k open cases
//! next to 10k and 100k stored in total (the rest closed), on SQLite and on DynamoDB Local: the
//! first page (default sort by next due date, 50 lines) and a search by name. The time must not
//! grow with the closed cases (target: ratio of medians 100k/10k ≤ 1.5). On DynamoDB the SDK
//! requests per query are counted by an interceptor.
//!
//! The 1k open cases are created through `CaseStore::create_case`; the closed ones are
//! bulk-loaded into the inbox index only (`SqliteStore::bench_load_inbox`,
//! `DynamoStore::batch_put_inbox_entries` with 8 writers), which is all the queries read.
//!
//! ```text
//! scripts/emulators.sh start && eval "$(scripts/emulators.sh env)"   # for the DynamoDB part
//! $CARGO_TARGET_DIR/release/inbox_scale [--runs 200] [--only sqlite|dynamo] [--dynamo-runs 50]
//! ```

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use fallwerk_aws::DynamoStore;
use fallwerk_bench::{NAMES, dynamo_client, load, machine, median, ms, percentile, print_table};
use fallwerk_contract::fixtures::{case, new_case, set_status};
use fallwerk_core::inbox::InboxSearch;
use fallwerk_core::model::{Case, Status};
use fallwerk_core::ports::CaseStore;
use fallwerk_embedded::SqliteStore;

const OU: &str = "OE-BENCH";
const OPEN: usize = 1_000;
fn bench_case(i: usize, open: bool) -> Case {
    let id = format!("b{i:07}");
    let mut c = case(&id, OU, &format!("sub-{id}"));
    c.applicant.name = NAMES[i % NAMES.len()].to_string();
    c.submission.received_at += chrono::Duration::seconds(i as i64);
    c.deadlines[0].due_on += chrono::Duration::days((i % 60) as i64);
    if !open {
        set_status(&mut c, Status::Completed);
        c.deadlines[0].open = false;
    }
    c
}

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .cloned()
}

fn runs() -> usize {
    arg("--runs").and_then(|v| v.parse().ok()).unwrap_or(200)
}

/// Times `q` on both stores in turns (small, large, small, ...), so the machine's changing
/// load falls on both sizes alike; sorted durations per store.
async fn measure_pair<S: CaseStore>(
    small: &S,
    large: &S,
    q: &InboxSearch,
    runs: usize,
) -> (Vec<Duration>, Vec<Duration>) {
    let mut out = (Vec::with_capacity(runs), Vec::with_capacity(runs));
    for _ in 0..runs {
        for (store, times) in [(small, &mut out.0), (large, &mut out.1)] {
            let t = Instant::now();
            let page = store.search_inbox(q).await.expect("search");
            times.push(t.elapsed());
            assert!(!page.items.is_empty());
        }
    }
    out.0.sort();
    out.1.sort();
    out
}

/// Creates the 1k open cases through `create_case`, 16 at a time.
async fn create_open<S: CaseStore + 'static>(store: &Arc<S>) {
    let mut tasks = Vec::new();
    for chunk in (0..OPEN).collect::<Vec<_>>().chunks(OPEN / 16) {
        let store = store.clone();
        let chunk = chunk.to_vec();
        tasks.push(tokio::spawn(async move {
            for i in chunk {
                store
                    .create_case(new_case(bench_case(i, true)))
                    .await
                    .expect("create");
            }
        }));
    }
    for task in tasks {
        task.await.expect("task");
    }
}

fn queries() -> (InboxSearch, InboxSearch) {
    let first_page = InboxSearch {
        org_units: vec![OU.into()],
        limit: 50,
        ..Default::default()
    };
    let by_name = InboxSearch {
        search: Some("mueller".into()),
        ..first_page.clone()
    };
    (first_page, by_name)
}

const QUERY_NAMES: [&str; 2] = ["first page (50, by due date)", "search by name `mueller`"];

async fn sqlite(total: usize) -> (SqliteStore, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Arc::new(SqliteStore::open(dir.path().join("f.db")).expect("sqlite"));
    let t = Instant::now();
    create_open(&store).await;
    let closed = store
        .bench_load_inbox((OPEN..total).map(|i| bench_case(i, false)))
        .expect("bulk load");
    eprintln!(
        "inbox_scale: sqlite {total}: {OPEN} open created, {closed} closed loaded in {:.1?}",
        t.elapsed()
    );
    let store = Arc::try_unwrap(store).unwrap_or_else(|_| panic!("store still shared"));
    (store, dir)
}

/// A fresh table with 1k open cases (created) and `total - 1k` closed ones (bulk-loaded).
async fn dynamo(client: &aws_sdk_dynamodb::Client, total: usize) -> DynamoStore {
    let table = fallwerk_aws::testing::unique("fw-inbox-bench");
    fallwerk_aws::create_table(client, &table)
        .await
        .expect("create table");
    let store = Arc::new(DynamoStore::new(client.clone(), &table));
    let t = Instant::now();
    create_open(&store).await;
    let created = t.elapsed();
    let closed: Vec<usize> = (OPEN..total).collect();
    let chunks: Arc<Mutex<Vec<Vec<usize>>>> = Arc::new(Mutex::new(
        closed.chunks(12).map(<[usize]>::to_vec).collect(),
    ));
    let t = Instant::now();
    let mut writers = Vec::new();
    for _ in 0..8 {
        let (store, chunks) = (store.clone(), chunks.clone());
        writers.push(tokio::spawn(async move {
            loop {
                let Some(chunk) = chunks.lock().unwrap_or_else(|p| p.into_inner()).pop() else {
                    break;
                };
                let cases: Vec<Case> = chunk.into_iter().map(|i| bench_case(i, false)).collect();
                store
                    .batch_put_inbox_entries(&cases)
                    .await
                    .expect("bulk load");
            }
        }));
    }
    for w in writers {
        w.await.expect("writer");
    }
    eprintln!(
        "inbox_scale: dynamo {total}: {OPEN} open created in {created:.1?}, {} closed loaded in {:.1?} (load {})",
        closed.len(),
        t.elapsed(),
        load()
    );
    (*store).clone()
}

/// Measures both queries on the two sizes in turns; table rows and the ratios of medians.
async fn compare<S: CaseStore>(
    name: &str,
    small: &S,
    large: &S,
    runs: usize,
    requests: impl Fn() -> String,
) -> (Vec<Vec<String>>, f64, f64) {
    let (first_page, by_name) = queries();
    let mut rows = Vec::new();
    let mut ratios = Vec::new();
    for (q, what) in [&first_page, &by_name].into_iter().zip(QUERY_NAMES) {
        let mut reqs = Vec::new();
        for store in [small, large] {
            // One query alone first, to count its requests.
            requests();
            store.search_inbox(q).await.expect("search");
            reqs.push(requests());
        }
        let before = load();
        let (a, b) = measure_pair(small, large, q, runs).await;
        for ((total, d), r) in [(10_000, &a), (100_000, &b)].into_iter().zip(&reqs) {
            rows.push(vec![
                name.to_string(),
                format!("{total}"),
                what.to_string(),
                ms(median(d)),
                ms(percentile(d, 95.0)),
                r.clone(),
                format!("{before} → {}", load()),
            ]);
        }
        ratios.push(median(&b).as_secs_f64() / median(&a).as_secs_f64());
    }
    (rows, ratios[0], ratios[1])
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let runs = runs();
    let dynamo_runs = arg("--dynamo-runs")
        .and_then(|v| v.parse().ok())
        .unwrap_or(100);
    let only = arg("--only");
    let mut rows = Vec::new();
    let mut ratios = Vec::new();
    if only.as_deref().is_none_or(|o| o == "sqlite") {
        let (small, _d1) = sqlite(10_000).await;
        let (large, _d2) = sqlite(100_000).await;
        let (r, first, search) = compare("SQLite", &small, &large, runs, || "–".into()).await;
        rows.extend(r);
        ratios.push(("SQLite", first, search));
    }
    if only.as_deref().is_none_or(|o| o == "dynamo")
        && let Some((client, counter)) = dynamo_client("inbox_scale").await
    {
        let small = dynamo(&client, 10_000).await;
        let large = dynamo(&client, 100_000).await;
        let requests = || {
            counter
                .take()
                .iter()
                .map(|(k, v)| format!("{v} {k}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let (r, first, search) =
            compare("DynamoDB Local", &small, &large, dynamo_runs, requests).await;
        rows.extend(r);
        ratios.push(("DynamoDB Local", first, search));
        for store in [&small, &large] {
            let _ = client
                .delete_table()
                .table_name(store.table_name())
                .send()
                .await;
        }
    }
    println!(
        "machine: {}; runs: SQLite {runs}, DynamoDB {dynamo_runs} (the sizes in turns)",
        machine()
    );
    print_table(
        &[
            "store",
            "stored",
            "query",
            "median ms",
            "p95 ms",
            "requests per query",
            "load before → after",
        ],
        &rows,
    );
    for (store, first, search) in ratios {
        println!(
            "{store}: ratio 100k/10k: first page {first:.2}, search {search:.2} (target ≤ 1.5)"
        );
    }
}
