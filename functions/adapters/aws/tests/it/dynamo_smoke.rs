//! DynamoDB-specific checks the shared contract suite cannot see: the stored layout itself
//! (sparse due index, key shapes, dropped deadlines), the transaction item limit, the table
//! definition and TTL, and `release_message` (not in the suite yet).

use crate::common;
use chrono::{DateTime, Duration, Utc};
use fallwerk_aws::keys;
use fallwerk_contract::fixtures;
use fallwerk_core::ports::{CaseStore, CreateOutcome, SchedulerStore, StoreError};

fn attr<'a>(
    it: &'a std::collections::HashMap<String, aws_sdk_dynamodb::types::AttributeValue>,
    k: &str,
) -> Option<&'a str> {
    it.get(k).and_then(|v| v.as_s().ok()).map(String::as_str)
}

/// Creates the fixture case `c1` (org unit `ou-1`, submission `sub-1`) and returns it.
async fn create_c1(store: &fallwerk_aws::DynamoStore) -> fallwerk_core::model::Case {
    let case = fixtures::case("c1", "ou-1", "sub-1");
    store
        .create_case(fixtures::new_case(case.clone()))
        .await
        .expect("create");
    case
}

/// A time after every deadline of the fixtures.
fn far_future() -> DateTime<Utc> {
    fixtures::t("2100-01-01T00:00:00Z")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn layout_keys_and_sparse_due_index() {
    let Some((store, guard)) = common::dynamo().await else {
        return;
    };
    let case = fixtures::case("c1", "ou-1", "sub-1");
    assert_eq!(
        store
            .create_case(fixtures::new_case(case.clone()))
            .await
            .expect("create"),
        CreateOutcome::Created
    );

    let client = store.client();
    let deadline_sk = keys::deadline_sk("competence_check_due", "c1-dl-competence");
    let get = |sk: String| {
        client
            .get_item()
            .table_name(&guard.table)
            .key(
                keys::PK,
                aws_sdk_dynamodb::types::AttributeValue::S(keys::case_pk("c1")),
            )
            .key(keys::SK, aws_sdk_dynamodb::types::AttributeValue::S(sk))
            .send()
    };
    let meta = get(keys::META.into())
        .await
        .expect("get meta")
        .item
        .expect("meta exists");
    // The case record is in no index; its inbox entries are (one per sort order).
    assert_eq!(attr(&meta, keys::GSI1_PK), None);
    let due_entry = get(keys::inbox_entry_sk("due"))
        .await
        .expect("get inbox entry")
        .item
        .expect("inbox entry exists");
    assert_eq!(
        attr(&due_entry, keys::GSI1_PK),
        Some(keys::inbox_index_pk("ou-1", "open", "due").as_str())
    );
    assert!(
        attr(&due_entry, keys::GSI1_SK)
            .is_some_and(|sk| sk.ends_with("#2026-03-02T08:15:30.123456000Z#c1")),
        "{:?}",
        attr(&due_entry, keys::GSI1_SK)
    );
    assert_eq!(
        meta.get(keys::VERSION)
            .and_then(|v| v.as_n().ok())
            .map(String::as_str),
        Some("1")
    );
    assert!(
        get(keys::event_sk(1))
            .await
            .expect("get event")
            .item
            .is_some()
    );

    let open = get(deadline_sk.clone())
        .await
        .expect("get deadline")
        .item
        .expect("deadline exists");
    assert_eq!(
        attr(&open, keys::GSI2_PK),
        Some(keys::due_pk("c1").as_str())
    );
    assert!(attr(&open, keys::GSI2_SK).is_some_and(|sk| sk.ends_with("#c1#c1-dl-competence")));

    // Closing the deadline removes it from the sparse index but keeps the item.
    let change = fixtures::change(&case, "erledigt", |c| c.deadlines[0].open = false);
    store.save_case(change).await.expect("save");
    let closed = get(deadline_sk)
        .await
        .expect("get deadline")
        .item
        .expect("deadline kept");
    assert!(!closed.contains_key(keys::GSI2_PK) && !closed.contains_key(keys::GSI2_SK));
    assert!(store.due(far_future(), 100).await.expect("due").is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropped_deadlines_leave_the_due_index() {
    let Some((store, _guard)) = common::dynamo().await else {
        return;
    };
    let case = create_c1(&store).await;
    assert_eq!(store.due(far_future(), 10).await.expect("due").len(), 1);
    store
        .save_case(fixtures::change(&case, "weg", |c| c.deadlines.clear()))
        .await
        .expect("save");
    assert!(store.due(far_future(), 10).await.expect("due").is_empty());
}

/// Records every request the client sends: its operation (from `X-Amz-Target`, e.g. `Query`)
/// and its body.
#[derive(Debug, Default, Clone)]
struct Requests(std::sync::Arc<std::sync::Mutex<Vec<(String, String)>>>);

impl Requests {
    fn take(&self) -> Vec<(String, String)> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(|p| p.into_inner()))
    }

    /// The operations sent since the last take.
    fn operations(&self) -> Vec<String> {
        self.take().into_iter().map(|(op, _)| op).collect()
    }

    /// The bodies of the `TransactWriteItems` requests sent since the last take.
    fn transactions(&self) -> Vec<String> {
        self.take()
            .into_iter()
            .filter(|(op, _)| op == "TransactWriteItems")
            .map(|(_, body)| body)
            .collect()
    }

    /// A store on `guard`'s table whose client reports to these records.
    fn store(&self, guard: &common::TableGuard) -> fallwerk_aws::DynamoStore {
        let config = guard
            .client
            .config()
            .to_builder()
            .interceptor(self.clone())
            .build();
        fallwerk_aws::DynamoStore::new(aws_sdk_dynamodb::Client::from_conf(config), &guard.table)
    }
}

impl aws_sdk_dynamodb::config::Intercept for Requests {
    fn name(&self) -> &'static str {
        "Requests"
    }

    fn read_before_transmit(
        &self,
        context: &aws_sdk_dynamodb::config::interceptors::BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &aws_sdk_dynamodb::config::RuntimeComponents,
        _cfg: &mut aws_sdk_dynamodb::config::ConfigBag,
    ) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        let request = context.request();
        if let Some(target) = request.headers().get("x-amz-target") {
            let op = target.rsplit('.').next().unwrap_or(target).to_string();
            let body = request
                .body()
                .bytes()
                .map(|b| String::from_utf8_lossy(b).into_owned())
                .unwrap_or_default();
            self.0
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push((op, body));
        }
        Ok(())
    }
}

/// How a deadline item's sort key reads in a request body (the case item names the same keys in
/// its deadline digests, `"dl"`, so the bare prefix is not enough).
const DEADLINE_ITEM: &str = r#""sk":{"S":"DEADLINE#"#;

/// A case change that leaves the deadlines as they are writes no deadline item (they are most
/// of a change's write units); a change to a deadline writes that one again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unchanged_deadlines_are_not_written_again() {
    let Some((_plain, guard)) = common::dynamo().await else {
        return;
    };
    let seen = Requests::default();
    let store = seen.store(&guard);
    let case = create_c1(&store).await;
    let take = || seen.transactions();
    let created = take();
    assert!(
        created.iter().any(|b| b.contains(DEADLINE_ITEM)),
        "the create writes the deadline: {created:?}"
    );

    let comment = fixtures::change(&case, "nur ein Kommentar", |_| {});
    let after_comment = comment.case.clone();
    store.save_case(comment).await.expect("save comment");
    let bodies = take();
    assert_eq!(bodies.len(), 1, "{bodies:?}");
    assert!(
        !bodies[0].contains(DEADLINE_ITEM),
        "an unchanged deadline was written again: {}",
        bodies[0]
    );

    let close = fixtures::change(&after_comment, "erledigt", |c| c.deadlines[0].open = false);
    store.save_case(close).await.expect("save close");
    let bodies = take();
    assert!(
        bodies.iter().any(|b| b.contains(DEADLINE_ITEM)),
        "the closed deadline must be written: {bodies:?}"
    );
    assert!(store.due(far_future(), 10).await.expect("due").is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_transactions_are_refused_not_split() {
    let Some((store, _guard)) = common::dynamo().await else {
        return;
    };
    let case = create_c1(&store).await;
    let mut change = fixtures::change(&case, "viele", |_| {});
    let start = case.updated_at;
    change.case.version = case.version + 120;
    change.events = (0..120)
        .map(|i| {
            fixtures::comment_event(
                "c1",
                case.version + 1 + i,
                start + Duration::seconds(i as i64),
                "x",
            )
        })
        .collect();
    match store.save_case(change).await {
        Err(StoreError::TooLarge(what)) => assert!(what.contains("100"), "{what}"),
        other => panic!("expected TooLarge, got {other:?}"),
    }
    // Nothing was written.
    let loaded = store.load_case("c1").await.expect("load").expect("exists");
    assert_eq!(loaded.version, 1);
    assert_eq!(
        store
            .history("c1", 0, 1000)
            .await
            .expect("history")
            .items
            .len(),
        1
    );
}

/// `(attribute, key type)` pairs of a key schema.
type KeyPairs = Vec<(String, String)>;

/// The created table is exactly `keys::table_definition()` (the IaC template is compared to the same).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn created_table_matches_table_definition() {
    let Some((store, guard)) = common::dynamo().await else {
        return;
    };
    let def = keys::table_definition();
    let client = store.client();
    let ttl = client
        .describe_time_to_live()
        .table_name(&guard.table)
        .send()
        .await
        .expect("describe ttl");
    let ttl = ttl.time_to_live_description().expect("ttl description");
    assert_eq!(ttl.attribute_name(), Some(def.ttl_attribute));

    let table = client
        .describe_table()
        .table_name(&guard.table)
        .send()
        .await
        .expect("describe");
    let table = table.table().expect("table");
    let keys_of = |schema: &[aws_sdk_dynamodb::types::KeySchemaElement]| -> KeyPairs {
        schema
            .iter()
            .map(|k| {
                (
                    k.attribute_name().to_string(),
                    k.key_type().as_str().to_string(),
                )
            })
            .collect()
    };
    let want_keys = |schema: &[keys::KeyDef]| -> KeyPairs {
        schema
            .iter()
            .map(|k| (k.attribute_name.to_string(), k.key_type.to_string()))
            .collect()
    };
    assert_eq!(keys_of(table.key_schema()), want_keys(&def.key_schema));
    let mut attrs: Vec<(String, String)> = table
        .attribute_definitions()
        .iter()
        .map(|a| {
            (
                a.attribute_name().to_string(),
                a.attribute_type().as_str().to_string(),
            )
        })
        .collect();
    attrs.sort();
    let mut want_attrs: Vec<(String, String)> = def
        .attribute_definitions
        .iter()
        .map(|(n, t)| (n.to_string(), t.to_string()))
        .collect();
    want_attrs.sort();
    assert_eq!(attrs, want_attrs);
    assert_eq!(
        table
            .billing_mode_summary()
            .and_then(|b| b.billing_mode())
            .map(|m| m.as_str()),
        Some(def.billing_mode)
    );
    let mut indexes: Vec<(String, KeyPairs, String)> = table
        .global_secondary_indexes()
        .iter()
        .map(|i| {
            let projection = i
                .projection()
                .and_then(|p| p.projection_type())
                .map(|p| p.as_str().to_string());
            (
                i.index_name().unwrap_or_default().to_string(),
                keys_of(i.key_schema()),
                projection.unwrap_or_default(),
            )
        })
        .collect();
    indexes.sort();
    let mut want_indexes: Vec<(String, KeyPairs, String)> = def
        .global_secondary_indexes
        .iter()
        .map(|i| {
            (
                i.index_name.to_string(),
                want_keys(&i.key_schema),
                i.projection_type.to_string(),
            )
        })
        .collect();
    want_indexes.sort();
    assert_eq!(indexes, want_indexes);
}

/// A released claim can be taken again (not in the shared suite yet).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn released_claims_can_be_taken_again() {
    use fallwerk_core::ports::OutboxStore;
    let Some((store, _guard)) = common::dynamo().await else {
        return;
    };
    let expires = fixtures::t("2027-01-01T00:00:00Z");
    assert!(store.claim_message("m-1", expires).await.expect("claim"));
    assert!(
        !store
            .claim_message("m-1", expires)
            .await
            .expect("claim again")
    );
    store.release_message("m-1").await.expect("release");
    store.release_message("m-1").await.expect("release twice");
    store
        .release_message("never-claimed")
        .await
        .expect("release unknown");
    assert!(
        store
            .claim_message("m-1", expires)
            .await
            .expect("claim after release")
    );
}

/// A save after a load of the same version compares the deadlines with the digests the case
/// item carries instead of querying the deadline items (one read request less per action and
/// per due deadline in a tick); a save without that load queries them, and both leave the same
/// stored deadlines and due index.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_save_after_a_load_does_not_query_the_deadlines() {
    let Some((_plain, guard)) = common::dynamo().await else {
        return;
    };
    let ops = Requests::default();
    let store = ops.store(&guard);
    let case = create_c1(&store).await;
    assert_eq!(store.due(far_future(), 10).await.expect("due").len(), 1);
    ops.take();

    // Load, then close the deadline: GetItem and the transaction, no Query.
    let loaded = store.load_case("c1").await.expect("load").expect("exists");
    assert_eq!(loaded, case);
    let close = fixtures::change(&loaded, "erledigt", |c| c.deadlines[0].open = false);
    let closed = close.case.clone();
    store.save_case(close).await.expect("save close");
    assert_eq!(ops.operations(), ["GetItem", "TransactWriteItems"]);
    assert!(
        store.due(far_future(), 10).await.expect("due").is_empty(),
        "the closed deadline left the due index"
    );

    // Reopen it without a load first: the save queries the stored deadlines.
    let reopen = fixtures::change(&closed, "wieder offen", |c| c.deadlines[0].open = true);
    let reopened = reopen.case.clone();
    ops.take();
    store.save_case(reopen).await.expect("save reopen");
    assert_eq!(ops.operations(), ["Query", "TransactWriteItems"]);
    assert_eq!(store.due(far_future(), 10).await.expect("due").len(), 1);

    // The digests the last save stored describe the items: an unchanged deadline after a load
    // is not written again, and a stale load (an older version) is not used.
    let stale = store.load_case("c1").await.expect("load").expect("exists");
    assert_eq!(stale, reopened);
    let comment = fixtures::change(&reopened, "Kommentar", |_| {});
    ops.take();
    store.save_case(comment).await.expect("save comment");
    let seen = ops.operations();
    assert_eq!(seen, ["TransactWriteItems"], "{seen:?}");

    let old = fixtures::change(&reopened, "zu spät", |_| {});
    match store.save_case(old).await {
        Err(StoreError::VersionConflict { .. }) => {}
        other => panic!("expected a version conflict, got {other:?}"),
    }
}
