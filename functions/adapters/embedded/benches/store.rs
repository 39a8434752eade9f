//! Benchmark of `SqliteStore` (plain main, `harness = false`): case creates per second, and
//! the scheduler's `due(now, 1000)` with 10k and 1M stored deadlines of which 1k are due.

use std::time::Instant;

use chrono::{TimeZone, Utc};
use fallwerk_contract::fixtures::{case, new_case};
use fallwerk_core::ports::{CaseStore, DueEntry, SchedulerStore};
use fallwerk_embedded::SqliteStore;
use fallwerk_events::DeadlineKind;

const CREATES: usize = 2_000;
const DUE: usize = 1_000;

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let dir = tempfile::tempdir().expect("tempdir");

    let store = SqliteStore::open(dir.path().join("creates.db")).expect("open");
    let started = Instant::now();
    rt.block_on(async {
        for i in 0..CREATES {
            let c = case(&format!("bench-{i:05}"), "OE-A", &format!("sub-{i}"));
            store.create_case(new_case(c)).await.expect("create");
        }
    });
    let create_time = started.elapsed();

    let mut rows = vec![(
        format!("create_case x {CREATES}"),
        create_time,
        format!("{:.0} cases/s", CREATES as f64 / create_time.as_secs_f64()),
    )];
    let mut medians = Vec::new();
    for total in [10_000usize, 1_000_000] {
        let store = SqliteStore::open(dir.path().join(format!("due-{total}.db"))).expect("open");
        let load = Instant::now();
        store
            .bench_load_deadlines(entries(total))
            .expect("bulk load");
        let load = load.elapsed();
        let now = Utc
            .with_ymd_and_hms(2026, 3, 10, 12, 0, 0)
            .single()
            .expect("now");
        let median = rt.block_on(async {
            let mut times = Vec::new();
            for _ in 0..51 {
                let t = Instant::now();
                let due = store.due(now, DUE as u32).await.expect("due");
                times.push(t.elapsed());
                assert_eq!(due.len(), DUE);
            }
            times.sort();
            times[times.len() / 2]
        });
        medians.push(median);
        rows.push((
            format!("due(now, 1000), {total} stored"),
            median,
            format!("median of 51; load {load:.2?}"),
        ));
    }

    println!("\n{:<34} {:>12}  note", "benchmark", "time");
    println!("{}", "-".repeat(78));
    for (name, time, note) in &rows {
        println!("{name:<34} {:>12}  {note}", format!("{time:.3?}"));
    }
    println!(
        "due ratio 1M / 10k: {:.2}",
        medians[1].as_secs_f64() / medians[0].as_secs_f64().max(f64::EPSILON)
    );
}

/// `total` due-index rows: the first 1k fire before 2026-03-10, the rest after it.
fn entries(total: usize) -> impl Iterator<Item = DueEntry> {
    let base = Utc
        .with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
        .single()
        .expect("base");
    let future = Utc
        .with_ymd_and_hms(2026, 4, 1, 0, 0, 0)
        .single()
        .expect("future");
    (0..total).map(move |i| {
        let fire_at = if i < DUE {
            base + chrono::Duration::minutes(i as i64 * 7)
        } else {
            future + chrono::Duration::seconds((i * 37 % 31_536_000) as i64)
        };
        DueEntry {
            fire_at,
            case_id: format!("case-{:07}", i / 2),
            deadline_id: format!("dl-{i:07}"),
            kind: DeadlineKind::ALL[i % DeadlineKind::ALL.len()],
        }
    })
}
