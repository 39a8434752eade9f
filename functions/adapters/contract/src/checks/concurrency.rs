//! Checks under real concurrency: spawned tasks on a multi-thread runtime, released together.

use std::collections::BTreeSet;
use std::sync::Arc;

use chrono::Duration;
use fallwerk_core::inbox::InboxSearch;
use fallwerk_core::ports::{CreateOutcome, LedgerEntry, Store, StoreError};
use fallwerk_events::ReminderLevel;
use tokio::sync::Barrier;

use super::ok;
use crate::fixtures::{body_hash, case, change, new_case, t};

/// 16 tasks create different cases from the same submission: one wins, 15 see the winner.
pub async fn concurrent_create_is_idempotent<S: Store + 'static>(store: Arc<S>) {
    const N: usize = 16;
    let barrier = Arc::new(Barrier::new(N));
    let mut tasks = Vec::new();
    for i in 0..N {
        let (store, barrier) = (Arc::clone(&store), Arc::clone(&barrier));
        tasks.push(tokio::spawn(async move {
            let c = case(&format!("race-{i:02}"), "OE-RACE", "sub-same");
            barrier.wait().await;
            (
                c.id.clone(),
                body_hash(&c),
                store.create_case(new_case(c)).await,
            )
        }));
    }
    let mut created = Vec::new();
    let mut duplicates = Vec::new();
    for task in tasks {
        let (id, hash, result) = task.await.expect("task panicked");
        match ok(result, "concurrent create_case") {
            CreateOutcome::Created => created.push((id, hash)),
            CreateOutcome::Duplicate {
                case_id,
                body_sha256,
            } => duplicates.push((id, case_id, body_sha256)),
        }
    }
    assert_eq!(
        created.len(),
        1,
        "exactly one create must win, got {created:?}"
    );
    assert_eq!(duplicates.len(), N - 1);
    let (winner, winner_hash) = &created[0];
    for (id, named, hash) in &duplicates {
        assert_eq!(
            named, winner,
            "duplicate reported for {id} must name the winner"
        );
        assert_eq!(
            hash, winner_hash,
            "duplicate must carry the winner's body hash"
        );
        assert_eq!(
            ok(store.load_case(id).await, "load loser"),
            None,
            "loser {id} must not be stored"
        );
        assert!(
            ok(store.history(id, 0, 10).await, "loser history")
                .items
                .is_empty()
        );
    }
    let inbox = InboxSearch {
        org_units: vec!["OE-RACE".into()],
        limit: 100,
        ..Default::default()
    };
    let page = ok(store.search_inbox(&inbox).await, "inbox");
    let ids: Vec<&str> = page.items.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, vec![winner.as_str()]);
    let pending = ok(
        store
            .outbox_pending(chrono::Utc::now() + Duration::hours(1), 100)
            .await,
        "outbox",
    );
    assert!(
        pending.iter().all(|e| e.message.case_id() == winner),
        "losers must leave no outbox entries"
    );
    assert_eq!(pending.len(), 2);
}

/// Two tasks save with the same expected version: one wins, the other conflicts.
pub async fn concurrent_save_one_wins<S: Store + 'static>(store: Arc<S>) {
    let c = case("lock", "OE-A", "sub-lock");
    ok(store.create_case(new_case(c.clone())).await, "create_case");
    let barrier = Arc::new(Barrier::new(2));
    let mut tasks = Vec::new();
    for who in ["sb-mueller", "sb-schulz"] {
        let (store, barrier) = (Arc::clone(&store), Arc::clone(&barrier));
        let ch = change(&c, &format!("Zuweisung an {who}"), |n| {
            n.assignee = Some(who.to_string())
        });
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            (ch.clone(), store.save_case(ch).await)
        }));
    }
    let mut winners = Vec::new();
    let mut conflicts = 0;
    for task in tasks {
        match task.await.expect("task panicked") {
            (ch, Ok(())) => winners.push(ch),
            (
                _,
                Err(StoreError::VersionConflict {
                    case_id,
                    expected,
                    found,
                }),
            ) => {
                assert_eq!((case_id.as_str(), expected, found), ("lock", 1, Some(2)));
                conflicts += 1;
            }
            (_, Err(e)) => panic!("unexpected error {e:?}"),
        }
    }
    assert_eq!((winners.len(), conflicts), (1, 1), "exactly one save wins");
    let loaded = ok(store.load_case("lock").await, "load").expect("case exists");
    assert_eq!(loaded.version, 2);
    assert_eq!(loaded, winners[0].case);
    let history = ok(store.history("lock", 0, 100).await, "history").items;
    let seqs: Vec<u64> = history.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, vec![1, 2], "no duplicate seq");
    assert_eq!(history[1], winners[0].events[0]);
}

/// 16 tasks put the same ledger entry: exactly one writes it.
pub async fn ledger_put_concurrent<S: Store + 'static>(store: Arc<S>) {
    const N: usize = 16;
    let barrier = Arc::new(Barrier::new(N));
    let entry = LedgerEntry {
        deadline_id: "dl-race".into(),
        level: ReminderLevel::Due,
        written_at: t("2026-03-10T05:00:00Z"),
        expires_at: t("2027-03-10T05:00:00Z"),
    };
    let mut tasks = Vec::new();
    for _ in 0..N {
        let (store, barrier, entry) = (Arc::clone(&store), Arc::clone(&barrier), entry.clone());
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            store.ledger_put(&entry).await
        }));
    }
    let mut written = 0;
    for task in tasks {
        if ok(task.await.expect("task panicked"), "ledger_put") {
            written += 1;
        }
    }
    assert_eq!(written, 1, "exactly one concurrent ledger_put may win");
}

/// 20 concurrent increments of one year's counter hand out 1..=20 once each; years are separate.
pub async fn reference_counter_concurrent<S: Store + 'static>(store: Arc<S>) {
    const N: u64 = 20;
    let barrier = Arc::new(Barrier::new(N as usize));
    let mut tasks = Vec::new();
    for _ in 0..N {
        let (store, barrier) = (Arc::clone(&store), Arc::clone(&barrier));
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            store.next_reference_number(2026).await
        }));
    }
    let mut got = Vec::new();
    for task in tasks {
        got.push(ok(
            task.await.expect("task panicked"),
            "next_reference_number",
        ));
    }
    got.sort_unstable();
    assert_eq!(got, (1..=N).collect::<Vec<_>>(), "each number exactly once");
    assert_eq!(
        ok(store.next_reference_number(2027).await, "2027"),
        1,
        "years are independent"
    );
    assert_eq!(ok(store.next_reference_number(2026).await, "2026"), N + 1);
    assert_eq!(ok(store.next_reference_number(2027).await, "2027"), 2);
    let unique: BTreeSet<u64> = got.into_iter().collect();
    assert_eq!(unique.len() as u64, N);
}
