//! Checks of the transactional outbox and the consumers' processed markers.

use std::sync::Arc;

use chrono::{Duration, Utc};
use fallwerk_core::ports::{ClaimState, Store};

use super::ok;
use crate::fixtures::{applicant_notice, case, change, new_case, t};

/// Outbox entries written with create/save are pending oldest first until marked done.
pub async fn outbox_pending_and_done<S: Store + 'static>(store: Arc<S>) {
    let t0 = Utc::now();
    let a = case("ob-a", "OE-A", "sub-ob-a");
    let new_a = new_case(a.clone());
    ok(store.create_case(new_a.clone()).await, "create a");
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let new_b = new_case(case("ob-b", "OE-A", "sub-ob-b"));
    ok(store.create_case(new_b.clone()).await, "create b");
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let mut ch = change(&a, "Nachricht", |_| {});
    ch.outbox = vec![applicant_notice(&a, "ob-a-out-message")];
    ok(store.save_case(ch.clone()).await, "save a");
    let t1 = Utc::now();

    let later = t1 + Duration::seconds(5);
    let pending = ok(store.outbox_pending(later, 100).await, "outbox_pending");
    let ids: Vec<&str> = pending.iter().map(|e| e.message.message_id()).collect();
    assert_eq!(ids.len(), 5, "two per create, one from the save: {ids:?}");
    let mut first_two = ids[0..2].to_vec();
    first_two.sort_unstable();
    assert_eq!(
        first_two,
        vec!["ob-a-out-applicant", "ob-a-out-ou"],
        "oldest first"
    );
    let mut next_two = ids[2..4].to_vec();
    next_two.sort_unstable();
    assert_eq!(next_two, vec!["ob-b-out-applicant", "ob-b-out-ou"]);
    assert_eq!(ids[4], "ob-a-out-message");
    assert!(
        pending
            .windows(2)
            .all(|w| w[0].created_at <= w[1].created_at)
    );
    for e in &pending {
        assert!(
            e.created_at >= t0 - Duration::seconds(1) && e.created_at <= t1 + Duration::seconds(1),
            "created_at is the write time"
        );
        let written = new_a
            .outbox
            .iter()
            .chain(&new_b.outbox)
            .chain(&ch.outbox)
            .find(|m| m.message_id() == e.message.message_id());
        assert_eq!(Some(&e.message), written, "message stored unchanged");
    }

    assert!(
        ok(
            store.outbox_pending(t0 - Duration::minutes(1), 100).await,
            "pending before"
        )
        .is_empty()
    );
    let one = ok(store.outbox_pending(later, 1).await, "pending limit 1");
    assert_eq!(one, pending[0..1].to_vec());
    let cut = pending[1].created_at;
    let until = ok(
        store.outbox_pending(cut, 100).await,
        "pending up to the second entry",
    );
    assert!(
        until.len() >= 2 && until.len() <= 4 && until.iter().all(|e| e.created_at <= cut),
        "created_before is inclusive"
    );

    ok(store.outbox_done("ob-a-out-ou").await, "done");
    ok(store.outbox_done("ob-a-out-ou").await, "done twice");
    ok(
        store.outbox_done("never-written").await,
        "done of an unknown id",
    );
    let rest = ok(store.outbox_pending(later, 100).await, "pending after done");
    assert_eq!(
        rest,
        pending[..]
            .iter()
            .filter(|e| e.message.message_id() != "ob-a-out-ou")
            .cloned()
            .collect::<Vec<_>>()
    );
}

/// A consumer claims a message id once.
pub async fn claim_message_once<S: Store + 'static>(store: Arc<S>) {
    let expires = t("2026-04-10T00:00:00Z");
    assert!(ok(store.claim_message("m-1", expires).await, "first claim"));
    assert!(!ok(
        store.claim_message("m-1", expires).await,
        "second claim"
    ));
    assert!(!ok(
        store
            .claim_message("m-1", expires + Duration::days(1))
            .await,
        "claim with other expiry"
    ));
    assert!(ok(store.claim_message("m-2", expires).await, "other id"));
    // A released claim can be taken again (the work failed and is redelivered).
    ok(store.release_message("m-1").await, "release");
    ok(store.release_message("m-1").await, "release twice");
    assert!(ok(
        store.claim_message("m-1", expires).await,
        "claim after release"
    ));
    assert!(!ok(
        store.claim_message("m-2", expires).await,
        "other claim untouched"
    ));
}

/// A consumer's claim holds a lease until confirmed: a second claim waits while the lease runs,
/// takes the work over once it ran out unconfirmed (the first holder crashed between claim and
/// confirmation), and finds the work done once it was confirmed.
pub async fn claim_work_lease<S: Store + 'static>(store: Arc<S>) {
    let t0 = t("2026-04-10T08:00:00Z");
    let lease = Duration::seconds(120);
    let kept = t0 + Duration::days(14);
    let claim = |id: &'static str, now| {
        let store = store.clone();
        async move { ok(store.claim_work(id, now, now + lease).await, "claim_work") }
    };
    assert_eq!(claim("w-1", t0).await, ClaimState::Claimed, "first claim");
    assert_eq!(
        claim("w-1", t0 + Duration::seconds(1)).await,
        ClaimState::Leased { until: t0 + lease },
        "a second claim while the lease runs waits"
    );
    // The holder crashed: after the lease the work is claimed again, with a new lease.
    let t1 = t0 + lease + Duration::seconds(1);
    assert_eq!(claim("w-1", t1).await, ClaimState::Claimed, "expired lease");
    assert_eq!(
        claim("w-1", t1 + Duration::seconds(1)).await,
        ClaimState::Leased { until: t1 + lease },
        "the new lease holds"
    );
    ok(store.confirm_work("w-1", kept).await, "confirm");
    ok(store.confirm_work("w-1", kept).await, "confirm twice");
    for at in [t1, t1 + lease * 10] {
        assert_eq!(
            claim("w-1", at).await,
            ClaimState::Done,
            "confirmed at {at}"
        );
    }
    // Confirming without a claim (the claim's record was lost) still records the work.
    ok(store.confirm_work("w-2", kept).await, "confirm unclaimed");
    assert_eq!(claim("w-2", t0).await, ClaimState::Done, "confirmed w-2");
    // A released claim is free at once; other ids are independent.
    assert_eq!(claim("w-3", t0).await, ClaimState::Claimed);
    ok(store.release_message("w-3").await, "release");
    assert_eq!(claim("w-3", t0).await, ClaimState::Claimed, "after release");
    assert_eq!(claim("w-4", t0).await, ClaimState::Claimed, "other id");
    // A marker of the one-time ledger (`claim_message`) reads as done work.
    assert!(ok(store.claim_message("w-5", kept).await, "claim_message"));
    assert_eq!(claim("w-5", t0).await, ClaimState::Done, "ledger marker");
}
