//! The inbox backfill on DynamoDB Local: cases written before the inbox entries existed (a case
//! record with the old `OU#` index keys and no `INBOX#…` items) are missing from the inbox until
//! `DynamoStore::backfill_inbox` writes their entries; a second run writes nothing, and entries
//! of cases saved since are never overwritten.

use crate::common;
use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use fallwerk_aws::{BackfillReport, DynamoStore, keys};
use fallwerk_contract::fixtures::{case, change, new_case, set_status};
use fallwerk_core::inbox::{InboxEntry, InboxScope, InboxSearch};
use fallwerk_core::model::{Case, Status};
use fallwerk_core::ports::CaseStore;

/// Rewrites the case the way the store wrote it before the inbox index: the record with its
/// old listing keys and summary attributes, and no inbox entries.
async fn make_old(store: &DynamoStore, c: &Case) {
    let client = store.client();
    for sort in ["due", "receipt"] {
        client
            .delete_item()
            .table_name(store.table_name())
            .key(keys::PK, AttributeValue::S(keys::case_pk(&c.id)))
            .key(keys::SK, AttributeValue::S(keys::inbox_entry_sk(sort)))
            .send()
            .await
            .expect("delete inbox entry");
    }
    let s = |v: String| AttributeValue::S(v);
    let old: HashMap<String, AttributeValue> = HashMap::from([
        (keys::PK.into(), s(keys::case_pk(&c.id))),
        (keys::SK.into(), s(keys::META.into())),
        (
            keys::DATA.into(),
            s(serde_json::to_string(c).expect("case json")),
        ),
        (
            keys::VERSION.into(),
            AttributeValue::N(c.version.to_string()),
        ),
        (keys::GSI1_PK.into(), s(format!("OU#{}", c.org_unit_id))),
        (
            keys::GSI1_SK.into(),
            s(format!("{}#{}", keys::ts(c.updated_at), c.id)),
        ),
        (keys::STATUS.into(), s(c.status.as_str().into())),
        (keys::OVERDUE.into(), AttributeValue::Bool(false)),
    ]);
    client
        .put_item()
        .table_name(store.table_name())
        .set_item(Some(old))
        .send()
        .await
        .expect("put old case record");
}

async fn ids(store: &DynamoStore, scope: InboxScope) -> Vec<String> {
    let page = store
        .search_inbox(&InboxSearch {
            org_units: vec!["OE-A".into()],
            scope,
            limit: 100,
            ..Default::default()
        })
        .await
        .expect("search_inbox");
    let mut ids: Vec<String> = page.items.into_iter().map(|i| i.id).collect();
    ids.sort();
    ids
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn old_cases_get_their_inbox_entries_once() {
    let Some((store, _guard)) = common::dynamo().await else {
        return;
    };
    // Three old cases (one of them closed) and one written by the current code.
    let mut old = Vec::new();
    for (i, status) in [Status::Received, Status::InProgress, Status::Completed]
        .into_iter()
        .enumerate()
    {
        let mut c = case(&format!("old-{i}"), "OE-A", &format!("sub-old-{i}"));
        set_status(&mut c, status);
        store
            .create_case(new_case(c.clone()))
            .await
            .expect("create");
        make_old(&store, &c).await;
        old.push(c);
    }
    let fresh = case("new-0", "OE-A", "sub-new-0");
    store
        .create_case(new_case(fresh.clone()))
        .await
        .expect("create");
    assert_eq!(ids(&store, InboxScope::Open).await, vec!["new-0"]);
    assert!(ids(&store, InboxScope::Closed).await.is_empty());

    let first = store.backfill_inbox().await.expect("backfill");
    assert_eq!(
        first,
        BackfillReport {
            cases: 4,
            backfilled: 3,
            present: 1
        }
    );
    assert_eq!(
        ids(&store, InboxScope::Open).await,
        vec!["new-0", "old-0", "old-1"]
    );
    assert_eq!(ids(&store, InboxScope::Closed).await, vec!["old-2"]);
    let page = store
        .search_inbox(&InboxSearch {
            org_units: vec!["OE-A".into()],
            search: Some(old[1].reference.clone()),
            limit: 10,
            ..Default::default()
        })
        .await
        .expect("search by reference");
    assert_eq!(page.items, vec![InboxEntry::of(&old[1]).item]);

    // A case saved after the first run keeps its new entries; the second run writes nothing.
    let moved = change(&old[0], "weitergeleitet", |n| n.org_unit_id = "OE-B".into());
    store.save_case(moved).await.expect("save");
    let second = store.backfill_inbox().await.expect("backfill again");
    assert_eq!(
        second,
        BackfillReport {
            cases: 4,
            backfilled: 0,
            present: 4
        }
    );
    assert_eq!(ids(&store, InboxScope::Open).await, vec!["new-0", "old-1"]);
}

/// A user stored before the membership items existed (the record only) is missing from its org
/// units' member lists until `backfill_memberships` writes them; a second run writes nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn old_users_get_their_memberships_once() {
    use fallwerk_core::ports::UserStore;
    let Some((store, _guard)) = common::dynamo().await else {
        return;
    };
    let mut old = fallwerk_core::model::User {
        id: "mmuster".into(),
        family_name: "Muster".into(),
        given_name: "Maria".into(),
        email: "maria.muster@amt.example".into(),
        org_units: vec!["OE-A".into(), "OE-B".into()],
        roles: vec![fallwerk_core::case::Role::Caseworker],
        active: true,
        absence: None,
        password_hash: None,
    };
    store.put_user(&old).await.expect("put");
    // Back to the old layout: drop the membership items.
    for ou in ["OE-A", "OE-B"] {
        store
            .client()
            .delete_item()
            .table_name(store.table_name())
            .key(keys::PK, AttributeValue::S(keys::user_pk("mmuster")))
            .key(keys::SK, AttributeValue::S(keys::member_sk(ou)))
            .send()
            .await
            .expect("delete membership");
    }
    let members = |ou: &'static str| {
        let store = store.clone();
        async move {
            store
                .users(Some(ou))
                .await
                .expect("members")
                .into_iter()
                .map(|u| u.id)
                .collect::<Vec<_>>()
        }
    };
    assert!(members("OE-A").await.is_empty());
    assert_eq!(
        store.backfill_memberships().await.expect("backfill"),
        (1, 2)
    );
    assert_eq!(members("OE-A").await, vec!["mmuster"]);
    assert_eq!(members("OE-B").await, vec!["mmuster"]);
    assert_eq!(store.backfill_memberships().await.expect("again"), (1, 0));
    // Leaving an org unit removes the membership the backfill wrote.
    old.org_units = vec!["OE-B".into()];
    store.put_user(&old).await.expect("put");
    assert!(members("OE-A").await.is_empty());
    assert_eq!(members("OE-B").await, vec!["mmuster"]);
}
