//! Checks of the case record: round trip, optimistic locking, history, postbox, size limit.

use std::sync::Arc;

use chrono::Duration;
use fallwerk_core::inbox::InboxSearch;
use fallwerk_core::model::{Direction, FormData};
use fallwerk_core::ports::{CreateOutcome, MAX_RECORD_BYTES, Store, StoreError};
use serde_json::json;

use super::ok;
use crate::fixtures::{case, change, message, new_case};

/// create → load returns an equal case; its events and messages are stored with it.
pub async fn create_load_round_trip<S: Store + 'static>(store: Arc<S>) {
    let c = case("rt-1", "OE-SN-WOHNGELD", "sub-rt-1");
    let new = new_case(c.clone());
    let outcome = ok(store.create_case(new.clone()).await, "create_case");
    assert_eq!(outcome, CreateOutcome::Created);

    let loaded = ok(store.load_case("rt-1").await, "load_case").expect("created case must load");
    assert_eq!(loaded, c, "loaded case differs from the created one");
    let history = ok(store.history("rt-1", 0, 100).await, "history");
    assert_eq!(history.items, new.events);
    assert_eq!(history.next_cursor, None);
    assert_eq!(ok(store.messages("rt-1").await, "messages"), new.messages);
}

/// Loading an id that was never created yields `None`, not an error.
pub async fn load_unknown_is_none<S: Store + 'static>(store: Arc<S>) {
    ok(
        store
            .create_case(new_case(case("known", "OE-A", "sub-known")))
            .await,
        "create_case",
    );
    assert_eq!(ok(store.load_case("unknown").await, "load_case"), None);
    assert_eq!(ok(store.load_case("").await, "load_case of empty id"), None);
    assert!(
        ok(store.history("unknown", 0, 10).await, "history")
            .items
            .is_empty()
    );
    assert!(ok(store.messages("unknown").await, "messages").is_empty());
}

/// A save with a version that was already superseded fails and changes nothing.
pub async fn stale_save_conflicts<S: Store + 'static>(store: Arc<S>) {
    let c = case("stale", "OE-A", "sub-stale");
    ok(store.create_case(new_case(c.clone())).await, "create_case");
    let first = change(&c, "erste Notiz", |n| {
        n.assignee = Some("sb-mueller".into())
    });
    ok(store.save_case(first.clone()).await, "first save");

    let stale = change(&c, "veraltete Notiz", |n| {
        n.assignee = Some("sb-schulz".into())
    });
    match store.save_case(stale).await {
        Err(StoreError::VersionConflict {
            case_id,
            expected,
            found,
        }) => {
            assert_eq!(case_id, "stale");
            assert_eq!(expected, 1);
            assert_eq!(found, Some(2));
        }
        other => panic!("stale save must be a VersionConflict, got {other:?}"),
    }
    let loaded = ok(store.load_case("stale").await, "load_case").expect("case exists");
    assert_eq!(
        loaded, first.case,
        "a rejected save must not change the case"
    );
    let history = ok(store.history("stale", 0, 100).await, "history");
    assert_eq!(history.items.len(), 2);
    assert_eq!(history.items[1], first.events[0]);
}

/// Saving a case that was never created is a conflict with `found: None`.
pub async fn save_unknown_case_conflicts<S: Store + 'static>(store: Arc<S>) {
    let c = case("ghost", "OE-A", "sub-ghost");
    match store.save_case(change(&c, "x", |_| {})).await {
        Err(StoreError::VersionConflict {
            case_id,
            expected,
            found,
        }) => {
            assert_eq!((case_id.as_str(), expected, found), ("ghost", 1, None));
        }
        other => panic!("save of an unknown case must be a VersionConflict, got {other:?}"),
    }
    assert_eq!(ok(store.load_case("ghost").await, "load_case"), None);
    assert!(
        ok(store.history("ghost", 0, 10).await, "history")
            .items
            .is_empty()
    );
}

/// The history only grows, in ascending seq; `after_seq` and `limit` page through it.
pub async fn history_append_only_and_paged<S: Store + 'static>(store: Arc<S>) {
    let mut c = case("hist", "OE-A", "sub-hist");
    let new = new_case(c.clone());
    let mut written = new.events.clone();
    ok(store.create_case(new).await, "create_case");
    for i in 2..=10 {
        let ch = change(&c, &format!("Notiz {i}"), |_| {});
        written.extend(ch.events.clone());
        ok(store.save_case(ch.clone()).await, "save_case");
        c = ch.case;
        let so_far = ok(store.history("hist", 0, 100).await, "history");
        assert_eq!(
            so_far.items, written,
            "history after save {i} must be the earlier events plus the new one"
        );
    }
    let seqs: Vec<u64> = ok(store.history("hist", 0, 100).await, "history")
        .items
        .iter()
        .map(|e| e.seq)
        .collect();
    assert_eq!(seqs, (1..=10).collect::<Vec<_>>());

    let page = ok(store.history("hist", 0, 4).await, "history page 1");
    assert_eq!(page.items, written[0..4].to_vec());
    assert_eq!(
        page.next_cursor.as_deref(),
        Some("4"),
        "more events follow: cursor names the last seq"
    );
    let page = ok(store.history("hist", 3, 4).await, "history after 3");
    assert_eq!(page.items, written[3..7].to_vec());
    let page = ok(store.history("hist", 8, 100).await, "history after 8");
    assert_eq!(page.items, written[8..10].to_vec());
    assert_eq!(page.next_cursor, None);
    let page = ok(
        store.history("hist", 6, 4).await,
        "history after 6, exactly the rest",
    );
    assert_eq!(page.items, written[6..10].to_vec());
    assert_eq!(page.next_cursor, None, "no cursor when nothing follows");
    assert!(
        ok(store.history("hist", 10, 5).await, "history after the end")
            .items
            .is_empty()
    );
}

/// The postbox thread is oldest first and holds only the case's own messages.
pub async fn messages_thread_oldest_first<S: Store + 'static>(store: Arc<S>) {
    let a = case("msg-a", "OE-A", "sub-msg-a");
    let b = case("msg-b", "OE-A", "sub-msg-b");
    let new_a = new_case(a.clone());
    let new_b = new_case(b.clone());
    ok(store.create_case(new_a.clone()).await, "create a");
    ok(store.create_case(new_b.clone()).await, "create b");

    let t = a.created_at;
    let later = message(
        "msg-a",
        "msg-a-3",
        t + Duration::hours(3),
        Direction::ToApplicant,
    );
    let reply = message(
        "msg-a",
        "msg-a-2",
        t + Duration::hours(1),
        Direction::FromApplicant,
    );
    let mut ch = change(&a, "Nachricht", |_| {});
    ch.messages = vec![later.clone(), reply.clone()];
    ok(store.save_case(ch).await, "save with messages");

    let thread = ok(store.messages("msg-a").await, "messages a");
    assert_eq!(thread, vec![new_a.messages[0].clone(), reply, later]);
    assert_eq!(
        ok(store.messages("msg-b").await, "messages b"),
        new_b.messages
    );
}

/// A case whose JSON exceeds `MAX_RECORD_BYTES` is refused whole, on create and on save.
pub async fn too_large_case_rejected<S: Store + 'static>(store: Arc<S>) {
    let huge = "x".repeat(MAX_RECORD_BYTES + 1024);
    let mut big = case("big", "OE-A", "sub-big");
    big.form = FormData::Inline {
        form_id: "f".into(),
        data: json!({ "blob": huge }),
    };
    match store.create_case(new_case(big)).await {
        Err(StoreError::TooLarge(_)) => {}
        other => panic!("oversized create must be TooLarge, got {other:?}"),
    }
    assert_eq!(ok(store.load_case("big").await, "load_case"), None);
    assert!(
        ok(store.history("big", 0, 10).await, "history")
            .items
            .is_empty()
    );
    let inbox = InboxSearch {
        org_units: vec!["OE-A".into()],
        limit: 100,
        ..Default::default()
    };
    assert!(
        ok(store.search_inbox(&inbox).await, "inbox")
            .items
            .is_empty()
    );

    // Nothing was recorded: the same submission can still create its (smaller) case.
    let fine = case("big", "OE-A", "sub-big");
    assert_eq!(
        ok(store.create_case(new_case(fine.clone())).await, "create"),
        CreateOutcome::Created
    );

    let ch = change(&fine, "zu groß", |n| {
        n.form = FormData::Inline {
            form_id: "f".into(),
            data: json!({ "blob": huge }),
        };
    });
    match store.save_case(ch).await {
        Err(StoreError::TooLarge(_)) => {}
        other => panic!("oversized save must be TooLarge, got {other:?}"),
    }
    assert_eq!(ok(store.load_case("big").await, "load_case"), Some(fine));
    assert_eq!(
        ok(store.history("big", 0, 10).await, "history").items.len(),
        1
    );
}
