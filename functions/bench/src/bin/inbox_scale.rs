//! Benchmark of the inbox (`CaseStore::search_inbox`, issue 14): one org unit with 1k open cases
//! next to 10k and 100k stored in total (the rest closed), on SQLite: the first page (default
//! sort by next due date, 50 lines) and a search by name. The time must not grow with the closed
//! cases (target: ratio of medians 100k/10k ≤ 1.5).
//!
//! The 1k open cases are created through `CaseStore::create_case`; the closed ones are
//! bulk-loaded into the inbox index only (`SqliteStore::bench_load_inbox`), which is all the
//! queries read.
//!
//! ```text
//! $CARGO_TARGET_DIR/release/inbox_scale [--runs 200]
//! ```

use std::sync::Arc;
use std::time::{Duration, Instant};

use fallwerk_bench::{load, machine, median, ms, percentile, print_table};
use fallwerk_contract::fixtures::{case, new_case, set_status};
use fallwerk_core::inbox::InboxSearch;
use fallwerk_core::model::{Case, Status};
use fallwerk_core::ports::CaseStore;
use fallwerk_embedded::SqliteStore;

const OU: &str = "OE-BENCH";
const OPEN: usize = 1_000;
const NAMES: [&str; 8] = [
    "Jürgen Müller",
    "Erika Mustermann",
    "Anna Weiß",
    "Ömer Öztürk",
    "Max Schmidt",
    "Lena Fischer",
    "Paul Becker",
    "Mia Hoffmann",
];

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

fn runs() -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == "--runs")
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(200)
}

async fn measure(store: &SqliteStore, q: &InboxSearch, runs: usize) -> Vec<Duration> {
    let mut out = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        let page = store.search_inbox(q).await.expect("search");
        out.push(t.elapsed());
        assert!(!page.items.is_empty());
    }
    out.sort();
    out
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let runs = runs();
    let first_page = InboxSearch {
        org_units: vec![OU.into()],
        limit: 50,
        ..Default::default()
    };
    let by_name = InboxSearch {
        search: Some("mueller".into()),
        ..first_page.clone()
    };
    let mut rows = Vec::new();
    let mut medians = Vec::new();
    for total in [10_000usize, 100_000] {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Arc::new(SqliteStore::open(dir.path().join("f.db")).expect("sqlite"));
        let t = Instant::now();
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
        let closed = store
            .bench_load_inbox((OPEN..total).map(|i| bench_case(i, false)))
            .expect("bulk load");
        eprintln!(
            "inbox_scale: {total}: {OPEN} open created, {closed} closed loaded in {:.1?}",
            t.elapsed()
        );
        let a = measure(&store, &first_page, runs).await;
        let b = measure(&store, &by_name, runs).await;
        medians.push((median(&a), median(&b)));
        for (what, d) in [
            ("first page (50, by due date)", &a),
            ("search by name `mueller`", &b),
        ] {
            rows.push(vec![
                format!("{total}"),
                what.to_string(),
                ms(median(d)),
                ms(percentile(d, 95.0)),
            ]);
        }
    }
    println!("machine: {}; load: {}; {runs} runs each", machine(), load());
    print_table(&["stored", "query", "median", "p95"], &rows);
    let ratio = |x: Duration, y: Duration| x.as_secs_f64() / y.as_secs_f64();
    println!(
        "ratio 100k/10k: first page {:.2}, search {:.2} (target ≤ 1.5)",
        ratio(medians[1].0, medians[0].0),
        ratio(medians[1].1, medians[0].1)
    );
}
