//! Checks of the scheduler's storage: the sparse due index, the reminder ledger, leases.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use fallwerk_core::model::{Case, Deadline};
use fallwerk_core::ports::{DueEntry, LedgerEntry, Store, due_entries};
use fallwerk_events::{DeadlineKind, ReminderLevel};

use super::ok;
use crate::fixtures::{case, change, day, new_case, t};

fn now() -> DateTime<Utc> {
    t("2026-03-10T12:00:00Z")
}

fn sorted(mut v: Vec<DueEntry>) -> Vec<DueEntry> {
    v.sort_by(|a, b| {
        (a.fire_at, &a.case_id, &a.deadline_id).cmp(&(b.fire_at, &b.case_id, &b.deadline_id))
    });
    v
}

/// 30 cases with deadlines due before and after `now`, some levels sent, some closed.
fn deadline_cases() -> Vec<Case> {
    (0..30i64)
        .map(|i| {
            let mut c = case(&format!("due-{i:02}"), "OE-A", &format!("sub-due-{i}"));
            let due = day("2026-03-01") + Duration::days(i);
            let d = &mut c.deadlines[0];
            d.due_on = due;
            d.warn_on = Some(due - Duration::days(2));
            d.escalate_on = Some(due + Duration::days(3));
            d.sent = match i % 4 {
                0 => vec![],
                1 => vec![ReminderLevel::Warning],
                2 => vec![ReminderLevel::Warning, ReminderLevel::Due],
                _ => vec![
                    ReminderLevel::Warning,
                    ReminderLevel::Due,
                    ReminderLevel::Escalation,
                ],
            };
            d.open = i % 7 != 0;
            if i % 3 == 0 {
                c.deadlines.push(Deadline {
                    id: format!("due-{i:02}-follow-up"),
                    kind: DeadlineKind::FollowUp,
                    due_on: due + Duration::days(1),
                    warn_on: None,
                    escalate_on: None,
                    basis: "Wiedervorlage".into(),
                    open: true,
                    overdue: false,
                    note: Some("Rückruf Vermieter".into()),
                    sent: vec![],
                });
            }
            c
        })
        .collect()
}

/// `due(now, limit)` lists exactly the entries with `fire_at <= now`, ascending, within `limit`.
pub async fn due_lists_due_entries<S: Store + 'static>(store: Arc<S>) {
    let cases = deadline_cases();
    for c in &cases {
        ok(store.create_case(new_case(c.clone())).await, "create_case");
    }
    let every: Vec<DueEntry> = cases.iter().flat_map(due_entries).collect();
    let want = sorted(
        every
            .iter()
            .filter(|e| e.fire_at <= now())
            .cloned()
            .collect(),
    );
    assert!(want.len() >= 10, "fixture must have due entries");
    assert!(
        every.len() > want.len() + 5,
        "fixture must have entries in the future"
    );

    let got = ok(store.due(now(), 1000).await, "due");
    assert!(
        got.windows(2).all(|w| w[0].fire_at <= w[1].fire_at),
        "ascending by fire_at"
    );
    assert_eq!(sorted(got), want, "exactly the due entries");

    let first = ok(store.due(now(), 5).await, "due limit 5");
    assert_eq!(first.len(), 5);
    assert!(
        first.iter().all(|e| e.fire_at <= want[5].fire_at),
        "the limit keeps the earliest"
    );
    assert!(first.iter().all(|e| want.contains(e)));
    assert!(
        ok(
            store.due(t("2020-01-01T00:00:00Z"), 100).await,
            "due long ago"
        )
        .is_empty()
    );
    let exact = want[0].fire_at;
    assert!(
        ok(store.due(exact, 100).await, "due at a fire_at")
            .iter()
            .any(|e| e.fire_at == exact),
        "fire_at <= now is inclusive"
    );
}

/// Saves move a deadline's entry, and take it out when its levels are sent or it is closed.
pub async fn due_follows_saves<S: Store + 'static>(store: Arc<S>) {
    let a = case("dl-a", "OE-A", "sub-dl-a");
    let b = case("dl-b", "OE-A", "sub-dl-b");
    ok(store.create_case(new_case(a.clone())).await, "create a");
    ok(store.create_case(new_case(b.clone())).await, "create b");
    let due = |store: Arc<S>| async move { sorted(ok(store.due(now(), 100).await, "due")) };
    assert_eq!(
        due(Arc::clone(&store)).await,
        sorted([due_entries(&a), due_entries(&b)].concat())
    );

    // warning sent: the entry moves on to the due day
    let warned = change(&a, "Erinnerung", |n| {
        n.deadlines[0].sent = vec![ReminderLevel::Warning]
    });
    ok(store.save_case(warned.clone()).await, "save warned");
    let moved = due_entries(&warned.case);
    assert_ne!(moved, due_entries(&a));
    assert_eq!(
        due(Arc::clone(&store)).await,
        sorted([moved, due_entries(&b)].concat())
    );

    // all levels sent (and marked overdue): nothing more is owed, a leaves the index
    let done = change(&warned.case, "alles erinnert", |n| {
        n.deadlines[0].sent = vec![
            ReminderLevel::Warning,
            ReminderLevel::Due,
            ReminderLevel::Escalation,
        ];
        n.deadlines[0].overdue = true;
    });
    assert!(
        due_entries(&done.case).is_empty(),
        "fixture: nothing owed any more"
    );
    ok(store.save_case(done).await, "save all sent");
    assert_eq!(due(Arc::clone(&store)).await, due_entries(&b));

    // closed: b leaves too; a new follow-up in the past enters
    let closed = change(&b, "geprüft", |n| {
        n.deadlines[0].open = false;
        n.deadlines.push(Deadline {
            id: "dl-b-follow".into(),
            kind: DeadlineKind::FollowUp,
            due_on: day("2026-03-09"),
            warn_on: None,
            escalate_on: None,
            basis: "Wiedervorlage".into(),
            open: true,
            overdue: false,
            note: None,
            sent: vec![],
        });
    });
    ok(store.save_case(closed.clone()).await, "save closed");
    let left = due(Arc::clone(&store)).await;
    assert_eq!(left.len(), 1);
    assert_eq!(
        (left[0].deadline_id.as_str(), left[0].kind),
        ("dl-b-follow", DeadlineKind::FollowUp)
    );
    assert_eq!(left, due_entries(&closed.case));
}

fn ledger(deadline: &str, level: ReminderLevel) -> LedgerEntry {
    LedgerEntry {
        deadline_id: deadline.into(),
        level,
        written_at: t("2026-03-10T05:00:00Z"),
        expires_at: t("2027-03-10T05:00:00Z"),
    }
}

/// The ledger's conditional put: first `true`, then `false`; other keys are independent.
pub async fn ledger_put_once<S: Store + 'static>(store: Arc<S>) {
    assert!(ok(
        store
            .ledger_put(&ledger("dl-1", ReminderLevel::Warning))
            .await,
        "first put"
    ));
    assert!(!ok(
        store
            .ledger_put(&ledger("dl-1", ReminderLevel::Warning))
            .await,
        "second put"
    ));
    let mut later = ledger("dl-1", ReminderLevel::Warning);
    later.written_at += Duration::hours(1);
    assert!(
        !ok(store.ledger_put(&later).await, "put at another time"),
        "the key is (deadline, level)"
    );
    assert!(ok(
        store.ledger_put(&ledger("dl-1", ReminderLevel::Due)).await,
        "other level"
    ));
    assert!(ok(
        store
            .ledger_put(&ledger("dl-2", ReminderLevel::Warning))
            .await,
        "other deadline"
    ));
}

/// A change's ledger entries are written with it, in its transaction: a change that is refused
/// (a stale version) writes none of them.
pub async fn ledger_entries_ride_with_the_change<S: Store + 'static>(store: Arc<S>) {
    let c = case("ledger-c", "OE-A", "sub-ledger-c");
    ok(store.create_case(new_case(c.clone())).await, "create");
    let mut warned = change(&c, "Erinnerung", |n| {
        n.deadlines[0].sent = vec![ReminderLevel::Warning]
    });
    warned.ledger = vec![ledger("ledger-dl", ReminderLevel::Warning)];
    let mut stale = warned.clone();
    stale.ledger = vec![ledger("ledger-dl", ReminderLevel::Due)];
    ok(store.save_case(warned).await, "save with its ledger entry");
    assert!(
        store.save_case(stale).await.is_err(),
        "the same version again is refused"
    );
    assert!(
        !ok(
            store
                .ledger_put(&ledger("ledger-dl", ReminderLevel::Warning))
                .await,
            "put the saved entry"
        ),
        "the saved change wrote its entry"
    );
    assert!(
        ok(
            store
                .ledger_put(&ledger("ledger-dl", ReminderLevel::Due))
                .await,
            "put the refused entry"
        ),
        "the refused change wrote nothing"
    );
}

/// A lease is exclusive while unexpired, renewable by its holder, free after expiry or release.
pub async fn lease_exclusive_until_expiry<S: Store + 'static>(store: Arc<S>) {
    let t0 = t("2026-03-10T05:00:00Z");
    let s = |secs: i64| t0 + Duration::seconds(secs);
    let lease = |name: &'static str, holder: &'static str, at: DateTime<Utc>| {
        let store = Arc::clone(&store);
        async move { ok(store.try_lease(name, holder, at, 30).await, "try_lease") }
    };
    assert!(lease("scheduler", "a", s(0)).await, "free lease is taken");
    assert!(
        !lease("scheduler", "b", s(10)).await,
        "held lease is exclusive"
    );
    assert!(
        lease("other", "b", s(10)).await,
        "lease names are independent"
    );
    assert!(lease("scheduler", "a", s(20)).await, "holder renews");
    assert!(
        !lease("scheduler", "b", s(40)).await,
        "renewal extended the lease to 50s"
    );
    assert!(
        lease("scheduler", "b", s(51)).await,
        "expired lease goes to another holder"
    );
    assert!(!lease("scheduler", "a", s(52)).await, "old holder lost it");

    ok(
        store.release_lease("scheduler", "a").await,
        "release by non-holder",
    );
    assert!(
        !lease("scheduler", "a", s(53)).await,
        "a non-holder's release does nothing"
    );
    ok(
        store.release_lease("scheduler", "b").await,
        "release by holder",
    );
    assert!(
        lease("scheduler", "a", s(54)).await,
        "released lease is free"
    );
    ok(
        store.release_lease("never", "a").await,
        "release of an unknown lease",
    );
}
