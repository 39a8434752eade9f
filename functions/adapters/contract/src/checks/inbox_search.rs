//! Checks of the inbox (`CaseStore::search_inbox`, `inbox_counts`): the documented order for
//! both sorts, every filter alone and combined, search by reference prefix and by name (umlauts
//! spelled either way), counts, invalid cursors, and paging while cases change between pages.

use std::collections::BTreeSet;
use std::sync::Arc;

use chrono::Duration;
use fallwerk_core::inbox::{
    AssigneeFilter, InboxCounts, InboxEntry, InboxItem, InboxScope, InboxSearch, InboxSort,
};
use fallwerk_core::model::{Case, Status, TaskKind};
use fallwerk_core::ports::{Store, StoreError};

use super::ok;
use crate::fixtures::{case, change, day, inbox_case, new_case, set_status};

const OUS: [&str; 2] = ["OE-B", "OE-A"]; // deliberately not alphabetical
const NAMES: [&str; 5] = [
    "Jürgen Müller",
    "Juergen Mueller",
    "Erika Mustermann",
    "Ömer Öztürk",
    "Anna Weiß",
];

/// 120 cases in OE-A/OE-B plus 8 in another org unit: mixed statuses, assignees, overdue,
/// services, names, receipt times and due days (with ties, and some without open deadlines).
async fn populate<S: Store + 'static>(store: &S) -> Vec<Case> {
    let mut all = Vec::new();
    for i in 0..128usize {
        let mut c = inbox_case("s", i, 120, 23);
        c.applicant.name = NAMES[i % NAMES.len()].into();
        if i % 4 == 0 {
            c.leika_id = "99000000000000".into();
        }
        c.deadlines[0].due_on = day("2026-03-05") + Duration::days((i % 11) as i64);
        c.deadlines[0].overdue = i % 5 == 0;
        c.deadlines[0].open = i % 13 != 0;
        ok(store.create_case(new_case(c.clone())).await, "create_case");
        all.push(c);
    }
    all
}

/// The ids the inbox must list for `q`, in the documented order.
fn expected(all: &[Case], q: &InboxSearch) -> Vec<String> {
    let mut hits: Vec<(usize, String, String)> = all
        .iter()
        .filter_map(|c| {
            let e = InboxEntry::of(c);
            let pos = q.org_units.iter().position(|o| *o == c.org_unit_id)?;
            q.matches(&e)
                .then(|| (pos, e.sort_key(q.sort).to_string(), c.id.clone()))
        })
        .collect();
    hits.sort();
    hits.into_iter().map(|(_, _, id)| id).collect()
}

async fn all_pages<S: Store + 'static>(store: &S, q: InboxSearch) -> Vec<InboxItem> {
    super::all_pages(store, q, |items, limit| {
        assert_eq!(items.len(), limit, "only the last page may be short");
    })
    .await
}

fn base() -> InboxSearch {
    InboxSearch {
        org_units: OUS.iter().map(|s| s.to_string()).collect(),
        limit: 7,
        ..Default::default()
    }
}

/// Every criterion alone and in combination lists exactly the matching cases, in order, for
/// both sorts; the items equal what the case contributes.
pub async fn inbox_search_filters_and_order<S: Store + 'static>(store: Arc<S>) {
    let all = populate(store.as_ref()).await;
    let open_statuses: Vec<Status> = Status::ALL.into_iter().filter(|s| !s.is_final()).collect();
    let mut queries: Vec<InboxSearch> = vec![
        base(),
        InboxSearch {
            scope: InboxScope::Closed,
            ..base()
        },
        InboxSearch {
            statuses: vec![Status::Received, Status::InProgress],
            ..base()
        },
        InboxSearch {
            statuses: vec![Status::Completed],
            scope: InboxScope::Closed,
            ..base()
        },
        InboxSearch {
            task: Some(TaskKind::CompletenessCheck),
            ..base()
        },
        InboxSearch {
            assignee: Some(AssigneeFilter::Is("sb-mueller".into())),
            ..base()
        },
        InboxSearch {
            assignee: Some(AssigneeFilter::Nobody),
            ..base()
        },
        InboxSearch {
            overdue: Some(true),
            ..base()
        },
        InboxSearch {
            leika_id: Some("99000000000000".into()),
            ..base()
        },
        InboxSearch {
            search: Some("müller".into()),
            ..base()
        },
        InboxSearch {
            search: Some("OEZT".into()),
            ..base()
        },
        InboxSearch {
            search: Some("weiss".into()),
            ..base()
        },
        InboxSearch {
            search: Some("mv-2026-s1".into()),
            ..base()
        },
        InboxSearch {
            statuses: open_statuses[..3].to_vec(),
            assignee: Some(AssigneeFilter::Nobody),
            overdue: Some(false),
            search: Some("Mueller".into()),
            ..base()
        },
        InboxSearch {
            org_units: vec!["OE-A".into()],
            task: Some(TaskKind::CompetenceCheck),
            limit: 3,
            ..base()
        },
    ];
    for q in queries.clone() {
        queries.push(InboxSearch {
            sort: InboxSort::Receipt,
            ..q
        });
    }
    let mut nonempty = 0;
    for q in queries {
        let want = expected(&all, &q);
        let got = all_pages(store.as_ref(), q.clone()).await;
        let ids: Vec<String> = got.iter().map(|i| i.id.clone()).collect();
        assert_eq!(ids, want, "query {q:?}");
        for item in &got {
            let c = all.iter().find(|c| c.id == item.id).expect("known case");
            assert_eq!(item, &InboxEntry::of(c).item);
        }
        nonempty += usize::from(!want.is_empty());
    }
    assert!(nonempty >= 25, "too few queries with hits: {nonempty}");
    // "ä" finds "ae" and back.
    let a = expected(
        &all,
        &InboxSearch {
            search: Some("jürgen".into()),
            ..base()
        },
    );
    let b = expected(
        &all,
        &InboxSearch {
            search: Some("juergen".into()),
            ..base()
        },
    );
    assert_eq!(a, b);
    assert!(!a.is_empty());
}

/// Counts per status and task over the open cases of the org units.
pub async fn inbox_counts_per_status_and_task<S: Store + 'static>(store: Arc<S>) {
    let all = populate(store.as_ref()).await;
    let ous: Vec<String> = OUS.iter().map(|s| s.to_string()).collect();
    let mut want = InboxCounts::default();
    for c in all.iter().filter(|c| ous.contains(&c.org_unit_id)) {
        let i = InboxEntry::of(c);
        if i.scope == InboxScope::Open {
            want.add(
                i.item.status,
                i.item.open_task,
                i.item.overdue,
                i.item.assignee.is_some(),
                1,
            );
        }
    }
    assert!(want.open > 50);
    assert_eq!(ok(store.inbox_counts(&ous).await, "inbox_counts"), want);
    assert_eq!(
        ok(
            store.inbox_counts(&["OE-NONE".to_string()]).await,
            "counts of an empty unit"
        ),
        InboxCounts::default()
    );
}

/// Garbage, a cursor of another sort and one of another org-unit list are refused.
pub async fn inbox_search_invalid_cursor<S: Store + 'static>(store: Arc<S>) {
    populate(store.as_ref()).await;
    let first = ok(store.search_inbox(&base()).await, "first page");
    let cursor = first.next_cursor.expect("a second page");
    for q in [
        InboxSearch {
            cursor: Some("nonsense!".into()),
            ..base()
        },
        InboxSearch {
            cursor: Some(cursor.clone()),
            sort: InboxSort::Receipt,
            ..base()
        },
        InboxSearch {
            cursor: Some(cursor.clone()),
            org_units: vec!["OE-A".into()],
            ..base()
        },
    ] {
        match store.search_inbox(&q).await {
            Err(StoreError::InvalidCursor) => {}
            other => panic!("expected InvalidCursor for {q:?}, got {other:?}"),
        }
    }
}

/// Cases change between pages: none is listed twice, every case that did not change is listed
/// exactly once, a case that closed leaves the open inbox, one that moved ahead of the cursor is
/// not repeated.
pub async fn inbox_search_paging_under_changes<S: Store + 'static>(store: Arc<S>) {
    let mut all = populate(store.as_ref()).await;
    let q = InboxSearch {
        limit: 10,
        ..base()
    };
    let first = ok(store.search_inbox(&q).await, "first page");
    let seen: Vec<String> = first.items.iter().map(|i| i.id.clone()).collect();
    let rest = expected(&all, &q)
        .into_iter()
        .filter(|id| !seen.contains(id))
        .collect::<Vec<_>>();
    assert!(rest.len() > 20);
    // Change three cases that are still ahead: close one, move one to the front (earlier due
    // day: before the cursor), move one to the end (no open deadline).
    let mut changed = BTreeSet::new();
    for (n, id) in [rest[2].clone(), rest[5].clone(), rest[8].clone()]
        .iter()
        .enumerate()
    {
        let pos = all.iter().position(|c| &c.id == id).expect("case");
        let before = all[pos].clone();
        let ch = change(&before, "Änderung", |c| match n {
            0 => set_status(c, Status::Cancelled),
            1 => c.deadlines[0].due_on = day("2026-01-01"),
            _ => c.deadlines[0].open = false,
        });
        ok(store.save_case(ch.clone()).await, "save");
        all[pos] = ch.case;
        changed.insert(id.clone());
    }
    // A new case arrives, too.
    let mut fresh = case("s999", "OE-A", "sub-s999");
    fresh.deadlines[0].due_on = day("2027-01-01");
    ok(store.create_case(new_case(fresh.clone())).await, "create");
    all.push(fresh);

    let mut later = all_pages(
        store.as_ref(),
        InboxSearch {
            cursor: first.next_cursor.clone(),
            ..q.clone()
        },
    )
    .await
    .into_iter()
    .map(|i| i.id)
    .collect::<Vec<_>>();
    let mut everything = seen.clone();
    everything.append(&mut later);
    let unique: BTreeSet<&String> = everything.iter().collect();
    assert_eq!(unique.len(), everything.len(), "a case was listed twice");
    for id in rest.iter().filter(|id| !changed.contains(*id)) {
        assert!(everything.contains(id), "{id} was skipped");
    }
    assert!(
        !everything.contains(&rest[2]),
        "the cancelled case left the open inbox"
    );
    assert!(
        !everything.contains(&rest[5]),
        "moved before the cursor: not repeated"
    );
    assert!(
        everything.contains(&rest[8]),
        "moved behind the cursor: listed later"
    );
    assert!(
        everything.contains(&"s999".to_string()),
        "the new case is listed"
    );
}
