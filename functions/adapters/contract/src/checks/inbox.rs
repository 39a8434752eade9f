//! Checks of the inbox query (`CaseStore::search_inbox`) beyond order and filters
//! (`inbox_search`): limits and org-unit scoping, the query `reassign` uses (open cases of one
//! assignee), cursor errors, and an inbox that follows a forward and a status change.

use std::collections::BTreeSet;
use std::sync::Arc;

use fallwerk_core::inbox::{AssigneeFilter, InboxEntry, InboxItem, InboxScope, InboxSearch};
use fallwerk_core::model::{Case, Status};
use fallwerk_core::ports::{Store, StoreError};

use super::ok;
use crate::fixtures::{case, change, inbox_case, new_case, set_status};

const OUS: [&str; 2] = ["OE-B", "OE-A"]; // deliberately not alphabetical

/// 150 cases in OE-A/OE-B (every status, three assignees) plus 10 in another org unit.
async fn populate<S: Store + 'static>(store: &S) -> Vec<Case> {
    let mut all = Vec::new();
    for i in 0..160usize {
        // ids whose order differs from creation order
        let c = inbox_case("c", i, 150, 37);
        ok(store.create_case(new_case(c.clone())).await, "create_case");
        all.push(c);
    }
    all
}

/// Follows `next_cursor` to the end; checks page sizes on the way.
async fn all_pages<S: Store + 'static>(store: &S, q: InboxSearch) -> Vec<InboxItem> {
    super::all_pages(store, q, |items, _| {
        assert!(!items.is_empty(), "an empty page must not carry a cursor");
    })
    .await
}

fn ids(items: &[InboxItem]) -> Vec<String> {
    items.iter().map(|s| s.id.clone()).collect()
}

/// The open cases of `ous` that `keep` selects, as a set of ids.
fn open_ids(all: &[Case], ous: &[&str], keep: impl Fn(&Case) -> bool) -> BTreeSet<String> {
    all.iter()
        .filter(|c| ous.contains(&c.org_unit_id.as_str()) && !c.status.is_final() && keep(c))
        .map(|c| c.id.clone())
        .collect()
}

/// Limits are clamped to 1..=100; one org unit lists only its cases; an unknown org unit
/// lists nothing; every case of the scope once.
pub async fn inbox_limits_and_org_units<S: Store + 'static>(store: Arc<S>) {
    let all = populate(store.as_ref()).await;
    let both = InboxSearch {
        org_units: OUS.iter().map(|s| s.to_string()).collect(),
        limit: 40,
        ..Default::default()
    };
    let got = all_pages(store.as_ref(), both.clone()).await;
    let unique: BTreeSet<String> = ids(&got).into_iter().collect();
    assert_eq!(unique.len(), got.len(), "no case twice");
    assert_eq!(unique, open_ids(&all, &OUS, |_| true));

    let mut q = both.clone();
    q.limit = 1000;
    let page = ok(store.search_inbox(&q).await, "search_inbox limit 1000");
    assert_eq!(page.items.len(), 100);
    assert!(page.next_cursor.is_some());
    q.limit = 0;
    let page = ok(store.search_inbox(&q).await, "search_inbox limit 0");
    assert_eq!(page.items.len(), 1);
    assert_eq!(page.items[0].id, got[0].id, "limit 0 is the first line");

    let only_a = InboxSearch {
        org_units: vec!["OE-A".into()],
        ..both.clone()
    };
    let a: BTreeSet<String> = ids(&all_pages(store.as_ref(), only_a).await)
        .into_iter()
        .collect();
    assert_eq!(a, open_ids(&all, &["OE-A"], |_| true));
    let none = InboxSearch {
        org_units: vec!["OE-NOWHERE".into()],
        ..both
    };
    let page = ok(store.search_inbox(&none).await, "unknown org unit");
    assert!(page.items.is_empty() && page.next_cursor.is_none());
}

/// What `reassign` asks: the open cases of one assignee in the org units, every one exactly
/// once over small pages, none of another assignee, none closed; an unknown account has none.
pub async fn inbox_open_cases_of_one_assignee<S: Store + 'static>(store: Arc<S>) {
    let all = populate(store.as_ref()).await;
    let q = |who: &str| InboxSearch {
        org_units: OUS.iter().map(|s| s.to_string()).collect(),
        scope: InboxScope::Open,
        assignee: Some(AssigneeFilter::Is(who.into())),
        limit: 7,
        ..Default::default()
    };
    let got = all_pages(store.as_ref(), q("sb-schulz")).await;
    let unique: BTreeSet<String> = ids(&got).into_iter().collect();
    assert_eq!(unique.len(), got.len(), "no case twice");
    let want = open_ids(&all, &OUS, |c| c.assignee.as_deref() == Some("sb-schulz"));
    assert!(want.len() > 20, "the fixture must give the query something");
    assert_eq!(unique, want);
    for item in &got {
        let c = all.iter().find(|c| c.id == item.id).expect("listed case");
        assert_eq!(item, &InboxEntry::of(c).item, "inbox line of {}", c.id);
    }
    assert!(all_pages(store.as_ref(), q("sb-nobody")).await.is_empty());
    // Closed cases of the assignee exist, and the closed scope finds exactly those.
    let closed = all_pages(
        store.as_ref(),
        InboxSearch {
            scope: InboxScope::Closed,
            ..q("sb-schulz")
        },
    )
    .await;
    assert!(!closed.is_empty());
    assert!(closed.iter().all(|i| i.status.is_final()));
}

/// A cursor the store did not hand out is `InvalidCursor`.
pub async fn inbox_invalid_cursor<S: Store + 'static>(store: Arc<S>) {
    for i in 0..5 {
        let c = case(&format!("cur-{i}"), "OE-A", &format!("sub-cur-{i}"));
        ok(store.create_case(new_case(c)).await, "create_case");
    }
    let mut q = InboxSearch {
        org_units: vec!["OE-A".into()],
        limit: 2,
        ..Default::default()
    };
    let page = ok(store.search_inbox(&q).await, "first page");
    let good = page.next_cursor.expect("more pages");
    let bad_cursors = [
        "garbage!!".to_string(),
        String::new(),
        "eyJ4IjoxfQ".into(),
        "%%%%".into(),
        format!("{good}x"),
        good[1..].into(),
    ];
    for bad in bad_cursors {
        q.cursor = Some(bad.clone());
        match store.search_inbox(&q).await {
            Err(StoreError::InvalidCursor) => {}
            other => panic!("cursor {bad:?} must be InvalidCursor, got {other:?}"),
        }
    }
    q.cursor = Some(good);
    assert_eq!(
        ok(store.search_inbox(&q).await, "second page").items.len(),
        2
    );
}

/// After a forward (org unit change) and a status change, the inbox shows the new state only.
pub async fn inbox_follows_forward<S: Store + 'static>(store: Arc<S>) {
    let c = case("fwd", "OE-A", "sub-fwd");
    let other = case("stay", "OE-A", "sub-stay");
    ok(store.create_case(new_case(c.clone())).await, "create");
    ok(store.create_case(new_case(other)).await, "create other");
    let list = |ou: &str, status: Option<Status>| {
        let store = Arc::clone(&store);
        let q = InboxSearch {
            org_units: vec![ou.to_string()],
            statuses: status.into_iter().collect(),
            limit: 100,
            ..Default::default()
        };
        async move { ids(&ok(store.search_inbox(&q).await, "search_inbox").items) }
    };
    let mut before = list("OE-A", None).await;
    before.sort();
    assert_eq!(before, vec!["fwd", "stay"]);

    let forward = change(&c, "weitergeleitet", |n| n.org_unit_id = "OE-B".into());
    ok(store.save_case(forward.clone()).await, "forward");
    assert_eq!(
        list("OE-A", None).await,
        vec!["stay"],
        "the old org unit no longer lists it"
    );
    let q = InboxSearch {
        org_units: vec!["OE-B".into()],
        limit: 10,
        ..Default::default()
    };
    let page = ok(store.search_inbox(&q).await, "search_inbox");
    assert_eq!(page.items, vec![InboxEntry::of(&forward.case).item]);

    let confirm = change(&forward.case, "zuständig", |n| {
        set_status(n, Status::CompletenessCheck)
    });
    ok(store.save_case(confirm).await, "confirm competence");
    assert!(list("OE-B", Some(Status::Received)).await.is_empty());
    assert_eq!(
        list("OE-B", Some(Status::CompletenessCheck)).await,
        vec!["fwd"]
    );
}
