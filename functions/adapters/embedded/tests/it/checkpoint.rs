//! The background checkpointer copies committed WAL frames into the database file while the
//! store is busy, without the writer checkpointing (its automatic threshold is far away).

use std::time::{Duration, Instant};

use fallwerk_contract::fixtures;
use fallwerk_core::ports::CaseStore;
use fallwerk_embedded::SqliteStore;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn committed_writes_reach_the_database_file_in_the_background() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("fallwerk.db");
    let store = SqliteStore::open(&path).expect("open");
    let size = || std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    let before = size();
    for i in 0..40 {
        let case = fixtures::case(&format!("case-{i}"), "oe-1", &format!("sub-{i}"));
        store
            .create_case(fixtures::new_case(case))
            .await
            .expect("create");
    }
    let wal = std::fs::metadata(dir.path().join("fallwerk.db-wal"))
        .map(|m| m.len())
        .expect("the WAL exists");
    assert!(wal > 0);
    // Far below the writer's own threshold, so only the checkpointer can move the pages.
    let deadline = Instant::now() + Duration::from_secs(20);
    while size() <= before {
        assert!(
            Instant::now() < deadline,
            "the database file stayed at {before} bytes (WAL {wal} bytes)"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(store.commits() >= 1);
}
