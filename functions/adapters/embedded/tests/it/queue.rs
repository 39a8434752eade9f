//! `SqliteQueue` against real SQLite files: send/receive/ack, visibility timeout, receive
//! counts, dead letters, poison messages, redrive, de-duplication and concurrent consumers.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use fallwerk_core::ports::{Queue, StoreError};
use fallwerk_embedded::{DeadLetter, Delivery, FailOutcome, QueueStats, SqliteQueue, SqliteStore};
use fallwerk_events::{
    ExportRequested, ExportTarget, OrgUnitNotification, OrgUnitReason, QueueMessage, QueueName,
};

const VIS: Duration = Duration::from_secs(30);

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0)
        .single()
        .expect("valid time")
}

fn at(secs: i64) -> DateTime<Utc> {
    t0() + chrono::Duration::seconds(secs)
}

fn note(id: &str) -> QueueMessage {
    QueueMessage::OrgUnitNotification(OrgUnitNotification {
        v: 1,
        message_id: id.to_string(),
        case_id: format!("case-{id}"),
        reference: "MV-2026-000001".into(),
        org_unit_id: "ou-buergeramt".into(),
        reason: OrgUnitReason::NewCase,
    })
}

fn export(id: &str) -> QueueMessage {
    QueueMessage::ExportRequested(ExportRequested {
        v: 1,
        message_id: id.to_string(),
        case_id: format!("case-{id}"),
        reference: "MV-2026-000001".into(),
        target: ExportTarget::Directory {
            path: "/srv/export".into(),
        },
        attempt: 1,
    })
}

struct Fixture {
    dir: tempfile::TempDir,
    store: SqliteStore,
    queue: SqliteQueue,
}

impl Fixture {
    fn new() -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = SqliteStore::open(dir.path().join("fallwerk.db")).expect("open store");
        let queue = SqliteQueue::new(&store).with_clock(Arc::new(t0));
        Fixture { dir, store, queue }
    }

    fn db_path(&self) -> std::path::PathBuf {
        self.dir.path().join("fallwerk.db")
    }
}

async fn stats(q: &SqliteQueue, now: DateTime<Utc>) -> QueueStats {
    q.stats(QueueName::Messaging, now).await.expect("stats")
}

/// Receives up to `max` messages of the messaging queue at `now`, hidden for [`VIS`].
async fn receive(q: &SqliteQueue, max: usize, now: DateTime<Utc>) -> Vec<Delivery> {
    q.receive(QueueName::Messaging, max, VIS, now)
        .await
        .expect("receive")
}

/// The dead letters of the messaging queue.
async fn dead_letters(q: &SqliteQueue) -> Vec<DeadLetter> {
    q.dead_letters(QueueName::Messaging).await.expect("dead")
}

#[tokio::test]
async fn send_receive_ack() {
    let f = Fixture::new();
    f.queue.send(&note("m1")).await.expect("send");
    let got = receive(&f.queue, 10, t0()).await;
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].message, note("m1"));
    assert_eq!(got[0].receive_count, 1);
    assert_eq!(
        stats(&f.queue, t0()).await,
        QueueStats {
            visible: 0,
            in_flight: 1,
            dead: 0
        }
    );
    f.queue.ack(got[0].id).await.expect("ack");
    f.queue.ack(got[0].id).await.expect("ack is idempotent");
    let later = receive(&f.queue, 10, at(3600)).await;
    assert!(later.is_empty(), "an acknowledged message is gone");
    assert_eq!(stats(&f.queue, at(3600)).await, QueueStats::default());
    let _ = &f.store;
}

#[tokio::test]
async fn messages_go_to_their_queue_oldest_first() {
    let f = Fixture::new();
    f.queue.enqueue(&note("a"), at(0)).await.expect("send");
    f.queue.enqueue(&export("x"), at(1)).await.expect("send");
    f.queue.enqueue(&note("b"), at(2)).await.expect("send");
    let msgs = receive(&f.queue, 10, at(5)).await;
    let ids: Vec<_> = msgs.iter().map(|d| d.message.message_id()).collect();
    assert_eq!(ids, ["a", "b"]);
    let exports = f
        .queue
        .receive(QueueName::Export, 10, VIS, at(5))
        .await
        .expect("receive");
    assert_eq!(exports.len(), 1);
    assert_eq!(exports[0].message, export("x"));
}

#[tokio::test]
async fn max_limits_the_batch() {
    let f = Fixture::new();
    for i in 0..5 {
        f.queue
            .enqueue(&note(&format!("m{i}")), t0())
            .await
            .expect("send");
    }
    let first = receive(&f.queue, 2, t0()).await;
    let second = receive(&f.queue, 2, t0()).await;
    let third = receive(&f.queue, 2, t0()).await;
    assert_eq!((first.len(), second.len(), third.len()), (2, 2, 1));
    assert!(receive(&f.queue, 0, t0()).await.is_empty());
}

#[tokio::test]
async fn visibility_timeout_hides_then_redelivers_with_a_higher_count() {
    let f = Fixture::new();
    f.queue.send(&note("m1")).await.expect("send");
    let first = receive(&f.queue, 1, t0()).await;
    assert_eq!(first[0].receive_count, 1);
    for s in [0, 1, 29] {
        let hidden = receive(&f.queue, 1, at(s)).await;
        assert!(hidden.is_empty(), "still hidden {s}s after receiving");
    }
    let again = receive(&f.queue, 1, at(30)).await;
    assert_eq!(again.len(), 1, "visible once the timeout passed");
    assert_eq!(again[0].id, first[0].id);
    assert_eq!(again[0].receive_count, 2);
    let third = receive(&f.queue, 1, at(60)).await;
    assert_eq!(third[0].receive_count, 3);
}

#[tokio::test]
async fn fail_makes_the_message_visible_after_retry_after() {
    let f = Fixture::new();
    f.queue.send(&note("m1")).await.expect("send");
    let d = receive(&f.queue, 1, t0()).await;
    let outcome = f
        .queue
        .fail(d[0].id, "SES throttled", Duration::from_secs(120), at(5))
        .await
        .expect("fail");
    assert_eq!(
        outcome,
        FailOutcome::Retry {
            visible_at: at(125)
        }
    );
    let early = receive(&f.queue, 1, at(124)).await;
    assert!(early.is_empty());
    let retry = receive(&f.queue, 1, at(125)).await;
    assert_eq!(retry.len(), 1);
    assert_eq!(retry[0].receive_count, 2);
    assert!(matches!(
        f.queue.fail(9_999, "x", VIS, t0()).await,
        Err(StoreError::NotFound(_))
    ));
}

#[tokio::test]
async fn dead_letters_after_max_receives() {
    let f = Fixture::new();
    let queue = f.queue.clone().with_max_receives(3);
    queue.send(&note("m1")).await.expect("send");
    for attempt in 1..=3u32 {
        let now = i64::from(attempt) - 1;
        let d = receive(&queue, 1, at(now)).await;
        assert_eq!(d.len(), 1, "attempt {attempt} is delivered");
        assert_eq!(d[0].receive_count, attempt);
        let outcome = queue
            .fail(d[0].id, &format!("boom {attempt}"), Duration::ZERO, at(now))
            .await
            .expect("fail");
        if attempt < 3 {
            assert!(matches!(outcome, FailOutcome::Retry { .. }));
        } else {
            assert_eq!(outcome, FailOutcome::DeadLettered);
        }
    }
    let none = receive(&queue, 10, at(3600)).await;
    assert!(none.is_empty(), "a dead letter is never delivered");
    let dead = dead_letters(&queue).await;
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0].message_id, "m1");
    assert_eq!(dead[0].receive_count, 3);
    assert_eq!(dead[0].last_error.as_deref(), Some("boom 3"));
    assert_eq!(dead[0].first_received_at, Some(t0()));
    assert_eq!(
        serde_json::from_str::<QueueMessage>(&dead[0].body).ok(),
        Some(note("m1"))
    );
    assert!(
        queue
            .dead_letters(QueueName::Export)
            .await
            .expect("dead")
            .is_empty()
    );
    assert_eq!(stats(&queue, at(3600)).await.dead, 1);
    // Failing a dead letter again keeps it dead.
    assert_eq!(
        queue
            .fail(dead[0].id, "late", VIS, at(3600))
            .await
            .expect("fail"),
        FailOutcome::DeadLettered
    );
}

#[tokio::test]
async fn a_consumer_that_never_answers_is_dead_lettered_too() {
    let f = Fixture::new();
    let queue = f.queue.clone().with_max_receives(2);
    queue.send(&note("m1")).await.expect("send");
    assert_eq!(receive(&queue, 1, at(0)).await.len(), 1);
    assert_eq!(receive(&queue, 1, at(30)).await.len(), 1);
    // Received twice, neither acknowledged nor failed: the third receive dead-letters it.
    assert!(receive(&queue, 1, at(60)).await.is_empty());
    let dead = dead_letters(&queue).await;
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0].receive_count, 2);
    assert!(
        dead[0]
            .last_error
            .as_deref()
            .is_some_and(|e| e.contains("2 times"))
    );
}

#[tokio::test]
async fn permanent_failures_can_be_dead_lettered_at_once() {
    let f = Fixture::new();
    f.queue.send(&note("m1")).await.expect("send");
    let d = receive(&f.queue, 1, t0()).await;
    f.queue
        .dead_letter(d[0].id, "address rejected")
        .await
        .expect("dead letter");
    let dead = dead_letters(&f.queue).await;
    assert_eq!(dead[0].last_error.as_deref(), Some("address rejected"));
    assert!(matches!(
        f.queue.dead_letter(12_345, "x").await,
        Err(StoreError::NotFound(_))
    ));
}

#[tokio::test]
async fn poison_goes_straight_to_dead_letters_and_does_not_shorten_the_batch() {
    let f = Fixture::new();
    for id in ["a", "poison", "b", "c"] {
        f.queue.enqueue(&note(id), t0()).await.expect("send");
    }
    {
        let conn = rusqlite::Connection::open(f.db_path()).expect("open");
        conn.execute(
            "UPDATE queue_messages SET body = '{\"type\":\"NoSuchMessage\",\"v\":1}' WHERE message_id = 'poison'",
            [],
        )
        .expect("corrupt body");
    }
    let got = receive(&f.queue, 3, t0()).await;
    let ids: Vec<_> = got.iter().map(|d| d.message.message_id()).collect();
    assert_eq!(ids, ["a", "b", "c"]);
    let dead = dead_letters(&f.queue).await;
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0].message_id, "poison");
    assert_eq!(dead[0].receive_count, 1);
    let error = dead[0].last_error.as_deref().unwrap_or_default();
    assert!(
        error.contains("poison") && error.contains("NoSuchMessage"),
        "{error}"
    );
}

#[tokio::test]
async fn redrive_puts_a_dead_letter_back() {
    let f = Fixture::new();
    let queue = f.queue.clone().with_max_receives(1);
    queue.send(&note("m1")).await.expect("send");
    queue.send(&note("m2")).await.expect("send");
    for d in receive(&queue, 10, t0()).await {
        assert_eq!(
            queue.fail(d.id, "down", VIS, t0()).await.expect("fail"),
            FailOutcome::DeadLettered
        );
    }
    let dead = dead_letters(&queue).await;
    assert_eq!(dead.len(), 2);
    queue.redrive(dead[0].id).await.expect("redrive");
    assert!(matches!(
        queue.redrive(dead[0].id).await,
        Err(StoreError::NotFound(_))
    ));
    let back = receive(&queue, 10, at(1)).await;
    assert_eq!(back.len(), 1);
    assert_eq!(back[0].message, note("m1"));
    assert_eq!(
        back[0].receive_count, 1,
        "a redriven message starts counting afresh"
    );
    queue.ack(back[0].id).await.expect("ack");
    assert_eq!(
        queue
            .redrive_all(QueueName::Messaging)
            .await
            .expect("redrive all"),
        1
    );
    let rest = receive(&queue, 10, at(2)).await;
    assert_eq!(rest.len(), 1);
    assert_eq!(rest[0].message, note("m2"));
    assert!(dead_letters(&queue).await.is_empty());
}

#[tokio::test]
async fn sending_the_same_message_twice_enqueues_once() {
    let f = Fixture::new();
    assert!(f.queue.enqueue(&note("m1"), t0()).await.expect("send"));
    assert!(!f.queue.enqueue(&note("m1"), t0()).await.expect("send"));
    f.queue
        .send(&note("m1"))
        .await
        .expect("resend through the port");
    assert_eq!(stats(&f.queue, t0()).await.visible, 1);
    let d = receive(&f.queue, 10, t0()).await;
    assert_eq!(d.len(), 1);
    // Resent while in flight: still one message, still hidden.
    f.queue.send(&note("m1")).await.expect("resend");
    assert!(receive(&f.queue, 10, at(1)).await.is_empty());
    // The same id on the other queue is another message.
    let same_id_export = export("m1");
    assert!(f.queue.enqueue(&same_id_export, t0()).await.expect("send"));
}

#[tokio::test]
async fn messages_survive_reopening_the_database() {
    let f = Fixture::new();
    f.queue.send(&note("m1")).await.expect("send");
    let path = f.db_path();
    drop(f.queue);
    drop(f.store);
    let store = SqliteStore::open(&path).expect("reopen");
    let queue = SqliteQueue::new(&store);
    let d = receive(&queue, 10, t0()).await;
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].message, note("m1"));
    drop(f.dir);
}

/// Four consumers, two per connection (two handles on one file, as two processes would have),
/// poll until the queue is empty; the visibility timeout outlasts the test, so a message handed
/// to two consumers would show up twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_consumers_never_get_the_same_message() {
    const N: usize = 300;
    let f = Fixture::new();
    for i in 0..N {
        f.queue
            .enqueue(&note(&format!("m{i:03}")), t0())
            .await
            .expect("send");
    }
    let other = SqliteStore::open(f.db_path()).expect("second handle");
    let queues = [
        f.queue.clone(),
        f.queue.clone(),
        SqliteQueue::new(&other),
        SqliteQueue::new(&other),
    ];
    let mut tasks = Vec::new();
    for (n, queue) in queues.into_iter().enumerate() {
        tasks.push(tokio::spawn(async move {
            let mut seen = Vec::new();
            loop {
                let batch = queue
                    .receive(QueueName::Messaging, 7, Duration::from_secs(3600), t0())
                    .await
                    .expect("receive");
                if batch.is_empty() {
                    break;
                }
                for d in batch {
                    seen.push(d.message.message_id().to_string());
                    // Half are acknowledged, half left in flight: neither may be seen twice.
                    if n % 2 == 0 {
                        queue.ack(d.id).await.expect("ack");
                    }
                }
                tokio::task::yield_now().await;
            }
            seen
        }));
    }
    let mut all = Vec::new();
    let mut per_consumer = Vec::new();
    for t in tasks {
        let seen = t.await.expect("consumer task");
        per_consumer.push(seen.len());
        all.extend(seen);
    }
    let distinct: HashSet<_> = all.iter().collect();
    assert_eq!(
        all.len(),
        N,
        "every message delivered exactly once: {per_consumer:?}"
    );
    assert_eq!(distinct.len(), N);
}

/// With `with_outbox_into_queue`, a case change's messages are on the queue when the write
/// returns (same transaction), nothing waits in the outbox, and a refused write queues nothing.
#[tokio::test]
async fn outbox_into_queue_enqueues_with_the_case_change() {
    use fallwerk_contract::fixtures;
    use fallwerk_core::ports::{CaseStore, CreateOutcome, OutboxStore};

    let dir = tempfile::tempdir().expect("tempdir");
    let store = SqliteStore::open(dir.path().join("fallwerk.db"))
        .expect("open store")
        .with_outbox_into_queue();
    assert!(store.delivers_outbox());
    let queue = SqliteQueue::new(&store).with_clock(Arc::new(t0));
    let case = fixtures::case("case-q1", "oe-1", "sub-q1");
    let created = store
        .create_case(fixtures::new_case(case.clone()))
        .await
        .expect("create");
    assert_eq!(created, CreateOutcome::Created);
    let far = Utc
        .with_ymd_and_hms(2100, 1, 1, 0, 0, 0)
        .single()
        .expect("date");
    assert!(
        store
            .outbox_pending(far, 10)
            .await
            .expect("outbox")
            .is_empty()
    );

    let got = queue
        .receive(
            QueueName::Messaging,
            10,
            Duration::from_secs(30),
            case.updated_at,
        )
        .await
        .expect("receive");
    let mut ids: Vec<_> = got
        .iter()
        .map(|d| d.message.message_id().to_string())
        .collect();
    ids.sort();
    assert_eq!(ids, ["case-q1-out-applicant", "case-q1-out-ou"]);

    // The same submission again is a duplicate: no second copy of anything on the queue.
    let mut again = fixtures::case("case-q2", "oe-1", "sub-q1");
    again.submission = case.submission.clone();
    let dup = store
        .create_case(fixtures::new_case(again))
        .await
        .expect("duplicate");
    assert!(matches!(dup, CreateOutcome::Duplicate { .. }));
    let stats = queue
        .stats(QueueName::Messaging, case.updated_at)
        .await
        .expect("stats");
    assert_eq!((stats.visible, stats.in_flight), (0, 2), "{stats:?}");

    // A plain store keeps them in the outbox for the hand-off.
    let plain = SqliteStore::open(dir.path().join("plain.db")).expect("open plain");
    assert!(!plain.delivers_outbox());
    plain
        .create_case(fixtures::new_case(fixtures::case(
            "case-p1", "oe-1", "sub-p1",
        )))
        .await
        .expect("create plain");
    assert_eq!(
        plain.outbox_pending(far, 10).await.expect("outbox").len(),
        2
    );
}
