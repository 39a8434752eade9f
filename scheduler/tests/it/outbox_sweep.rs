//! The transactional outbox survives a crash between the case write and the queue hand-off: the
//! scheduler's sweep sends what was left behind, once, and only after it is old enough not to
//! race the normal dispatch.

use crate::scenarios;
use std::sync::Arc;

use chrono::Duration;
use fallwerk_core::app::{App, Clock};
use fallwerk_core::ports::OutboxStore;
use fallwerk_embedded::{FsBlobStore, SqliteQueue, SqliteStore};
use fallwerk_events::QueueName;
use scenarios::at;

/// How many messages of the messaging queue are visible at `now`.
async fn visible(queue: &SqliteQueue, now: chrono::DateTime<chrono::Utc>) -> u64 {
    queue
        .stats(QueueName::Messaging, now)
        .await
        .expect("stats")
        .visible
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sweep_sends_what_a_crash_left_in_the_outbox() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = SqliteStore::open(dir.path().join("fallwerk.db")).expect("sqlite");
    let blobs = FsBlobStore::open(dir.path().join("blobs")).expect("blobs");
    let store = Arc::new(store);
    // "Crashed" process: it stored the case but never reached the queue (no queue attached).
    // Outbox entries carry the store's wall-clock write time, so this test's clock starts now.
    let env = scenarios::env(store.clone(), Arc::new(blobs), chrono::Utc::now());
    scenarios::configure(&env).await;
    scenarios::submit(&env, "crash-before-send").await;
    let pending = store
        .outbox_pending(at(2100, 1, 1, 0, 0), 100)
        .await
        .expect("outbox");
    assert_eq!(
        pending.len(),
        2,
        "new-case notice and receipt wait in the outbox"
    );

    // The restarted process has its queue; its clock runs on.
    let clock = env.clock.clone();
    let queue = Arc::new(SqliteQueue::new(&store).with_clock(Arc::new(move || clock.now())));
    let restarted: App = env.app.clone().with_queue(queue.clone());
    let options = scenarios::options("restarted");

    // Too young: the normal dispatch may still be running; the sweep leaves them alone.
    env.clock.advance(Duration::minutes(1));
    assert_eq!(
        restarted.tick(&options).await.expect("tick").outbox_resent,
        0
    );

    env.clock.advance(Duration::minutes(10));
    let report = restarted.tick(&options).await.expect("tick");
    assert_eq!(report.outbox_resent, 2, "{report:?}");
    assert!(
        store
            .outbox_pending(at(2100, 1, 1, 0, 0), 100)
            .await
            .expect("outbox")
            .is_empty()
    );
    let now = env.clock.now();
    assert_eq!(visible(&queue, now).await, 2);

    // A second sweep finds nothing; the queue holds each message once.
    assert_eq!(
        restarted.tick(&options).await.expect("tick").outbox_resent,
        0
    );
    assert_eq!(visible(&queue, now).await, 2);
}
