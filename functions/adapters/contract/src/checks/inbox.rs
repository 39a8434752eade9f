//! Checks of the caseworker inbox: documented order, keyset paging, filters, cursor errors.

use std::collections::BTreeSet;
use std::sync::Arc;

use chrono::Duration;
use fallwerk_core::model::{Case, Status, TaskKind};
use fallwerk_core::ports::{CaseSummary, InboxQuery, Store, StoreError};

use super::ok;
use crate::fixtures::{case, change, new_case, set_status};

const OUS: [&str; 2] = ["OE-B", "OE-A"]; // deliberately not alphabetical

/// 250 cases in OE-A/OE-B (mixed statuses, assignees, overdue, tied `updated_at`) plus 10 in
/// another org unit; returns all of them as stored.
async fn populate<S: Store + 'static>(store: &S) -> Vec<Case> {
    let mut all = Vec::new();
    for i in 0..260usize {
        // ids whose order differs from creation order
        let id = format!("c{:03}", (i * 7919) % 1000);
        let ou = if i >= 250 {
            "OE-OTHER"
        } else if i % 2 == 0 {
            "OE-A"
        } else {
            "OE-B"
        };
        let mut c = case(&id, ou, &format!("sub-{id}"));
        c.updated_at = c.created_at + Duration::minutes((i % 37) as i64);
        set_status(&mut c, Status::ALL[i % Status::ALL.len()]);
        c.assignee = match i % 3 {
            0 => None,
            1 => Some("sb-mueller".into()),
            _ => Some("sb-schulz".into()),
        };
        c.deadlines[0].overdue = i % 5 == 0;
        ok(store.create_case(new_case(c.clone())).await, "create_case");
        all.push(c);
    }
    all
}

/// The ids the inbox must list, in the documented order.
fn expected(all: &[Case], ous: &[&str], keep: impl Fn(&Case) -> bool) -> Vec<String> {
    let mut hits: Vec<(usize, &Case)> = all
        .iter()
        .filter(|c| keep(c))
        .filter_map(|c| ous.iter().position(|o| *o == c.org_unit_id).map(|p| (p, c)))
        .collect();
    hits.sort_by(|(pa, a), (pb, b)| (pa, a.updated_at, &a.id).cmp(&(pb, b.updated_at, &b.id)));
    hits.into_iter().map(|(_, c)| c.id.clone()).collect()
}

/// Follows `next_cursor` to the end; checks page sizes on the way.
async fn all_pages<S: Store + 'static>(store: &S, mut query: InboxQuery) -> Vec<CaseSummary> {
    let limit = query.limit.clamp(1, 100) as usize;
    let mut out = Vec::new();
    for _ in 0..1000 {
        let page = ok(store.list_inbox(&query).await, "list_inbox");
        assert!(page.items.len() <= limit, "page larger than the limit");
        out.extend(page.items.iter().cloned());
        match page.next_cursor {
            Some(cursor) => {
                assert!(
                    !page.items.is_empty(),
                    "an empty page must not carry a cursor"
                );
                query.cursor = Some(cursor);
            }
            None => return out,
        }
    }
    panic!("inbox paging did not end");
}

fn query(
    status: Option<Status>,
    task: Option<TaskKind>,
    assignee: Option<&str>,
    overdue: Option<bool>,
) -> InboxQuery {
    InboxQuery {
        org_units: OUS.iter().map(|s| s.to_string()).collect(),
        status,
        task,
        assignee: assignee.map(str::to_string),
        overdue,
        cursor: None,
        limit: 40,
    }
}

fn ids(items: &[CaseSummary]) -> Vec<String> {
    items.iter().map(|s| s.id.clone()).collect()
}

/// Paging with limit 40 returns every case of the given org units once, in the documented order.
pub async fn inbox_pages_in_documented_order<S: Store + 'static>(store: Arc<S>) {
    let all = populate(store.as_ref()).await;
    let want = expected(&all, &OUS, |_| true);
    assert_eq!(want.len(), 250);
    let got = all_pages(store.as_ref(), query(None, None, None, None)).await;
    assert_eq!(
        ids(&got),
        want,
        "order: org units as given, then updated_at, then id"
    );
    let unique: BTreeSet<&str> = got.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(unique.len(), got.len(), "no case twice");
    for summary in &got {
        let c = all
            .iter()
            .find(|c| c.id == summary.id)
            .expect("listed case exists");
        assert_eq!(summary, &CaseSummary::from(c), "summary of {}", c.id);
    }

    // limits are clamped to 1..=100
    let mut q = query(None, None, None, None);
    q.limit = 1000;
    let page = ok(store.list_inbox(&q).await, "list_inbox limit 1000");
    assert_eq!(page.items.len(), 100);
    assert!(page.next_cursor.is_some());
    q.limit = 0;
    let page = ok(store.list_inbox(&q).await, "list_inbox limit 0");
    assert_eq!(ids(&page.items), want[..1].to_vec());

    // one org unit only; an unknown one lists nothing
    let only_a = InboxQuery {
        org_units: vec!["OE-A".into()],
        limit: 40,
        ..Default::default()
    };
    assert_eq!(
        ids(&all_pages(store.as_ref(), only_a).await),
        expected(&all, &["OE-A"], |_| true)
    );
    let none = InboxQuery {
        org_units: vec!["OE-NOWHERE".into()],
        limit: 40,
        ..Default::default()
    };
    let page = ok(store.list_inbox(&none).await, "list_inbox unknown org unit");
    assert!(page.items.is_empty() && page.next_cursor.is_none());
}

type Predicate = Box<dyn Fn(&Case) -> bool>;

/// Each filter (status, task, assignee, overdue, combined) lists exactly the matching cases.
pub async fn inbox_filters<S: Store + 'static>(store: Arc<S>) {
    let all = populate(store.as_ref()).await;
    let cases: Vec<(InboxQuery, Predicate)> = vec![
        (
            query(Some(Status::InProgress), None, None, None),
            Box::new(|c| c.status == Status::InProgress),
        ),
        (
            query(Some(Status::Received), None, None, None),
            Box::new(|c| c.status == Status::Received),
        ),
        (
            query(None, Some(TaskKind::CompletenessCheck), None, None),
            Box::new(|c| c.open_task() == Some(TaskKind::CompletenessCheck)),
        ),
        (
            query(None, None, Some("sb-schulz"), None),
            Box::new(|c| c.assignee.as_deref() == Some("sb-schulz")),
        ),
        (
            query(None, None, None, Some(true)),
            Box::new(|c| c.is_overdue()),
        ),
        (
            query(None, None, None, Some(false)),
            Box::new(|c| !c.is_overdue()),
        ),
        (
            query(Some(Status::Completed), None, Some("sb-mueller"), None),
            Box::new(|c| {
                c.status == Status::Completed && c.assignee.as_deref() == Some("sb-mueller")
            }),
        ),
        (
            query(
                Some(Status::Received),
                Some(TaskKind::CompetenceCheck),
                None,
                Some(true),
            ),
            Box::new(|c| c.status == Status::Received && c.is_overdue()),
        ),
    ];
    for (q, keep) in cases {
        let want = expected(&all, &OUS, &keep);
        assert!(
            !want.is_empty(),
            "fixture must give the filter {q:?} something to find"
        );
        assert!(want.len() < 250, "the filter {q:?} must exclude something");
        let got = all_pages(store.as_ref(), q.clone()).await;
        assert_eq!(ids(&got), want, "filter {q:?}");
    }
    let q = query(None, None, Some("sb-nobody"), None);
    assert!(all_pages(store.as_ref(), q).await.is_empty());
}

/// A cursor the store did not hand out is `InvalidCursor`.
pub async fn inbox_invalid_cursor<S: Store + 'static>(store: Arc<S>) {
    for i in 0..5 {
        let c = case(&format!("cur-{i}"), "OE-A", &format!("sub-cur-{i}"));
        ok(store.create_case(new_case(c)).await, "create_case");
    }
    let mut q = InboxQuery {
        org_units: vec!["OE-A".into()],
        limit: 2,
        ..Default::default()
    };
    let page = ok(store.list_inbox(&q).await, "first page");
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
        match store.list_inbox(&q).await {
            Err(StoreError::InvalidCursor) => {}
            other => panic!("cursor {bad:?} must be InvalidCursor, got {other:?}"),
        }
    }
    q.cursor = Some(good);
    assert_eq!(ok(store.list_inbox(&q).await, "second page").items.len(), 2);
}

/// After a forward (org unit change) and a status change, the inbox shows the new state only.
pub async fn inbox_follows_forward<S: Store + 'static>(store: Arc<S>) {
    let c = case("fwd", "OE-A", "sub-fwd");
    let other = case("stay", "OE-A", "sub-stay");
    ok(store.create_case(new_case(c.clone())).await, "create");
    ok(store.create_case(new_case(other)).await, "create other");
    let list = |ou: &str, status: Option<Status>| {
        let store = Arc::clone(&store);
        let q = InboxQuery {
            org_units: vec![ou.to_string()],
            status,
            limit: 100,
            ..Default::default()
        };
        async move { ids(&ok(store.list_inbox(&q).await, "list_inbox").items) }
    };
    assert_eq!(list("OE-A", None).await, vec!["fwd", "stay"]);

    let forward = change(&c, "weitergeleitet", |n| n.org_unit_id = "OE-B".into());
    ok(store.save_case(forward.clone()).await, "forward");
    assert_eq!(
        list("OE-A", None).await,
        vec!["stay"],
        "the old org unit no longer lists it"
    );
    assert_eq!(list("OE-B", None).await, vec!["fwd"]);
    let q = InboxQuery {
        org_units: vec!["OE-B".into()],
        limit: 10,
        ..Default::default()
    };
    let page = ok(store.list_inbox(&q).await, "list_inbox");
    assert_eq!(page.items, vec![CaseSummary::from(&forward.case)]);

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
