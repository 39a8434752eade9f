//! The shared contract suite (`fallwerk-contract`) against DynamoStore on DynamoDB Local and
//! S3BlobStore on moto: one test per check, each on its own fresh table or bucket.
//! Without a reachable emulator the tests are skipped (with a note), or fail when `CI` is set.

use crate::common;
use std::sync::Arc;

use aws_sdk_s3::primitives::ByteStream;
use fallwerk_aws::S3BlobStore;
use fallwerk_contract::TamperFn;

/// One `#[tokio::test]` per store check. Keep the list equal to `contract_tests!` (see
/// `check_lists_match_the_suite` below); the suite's own macro cannot skip without an emulator.
macro_rules! store_checks {
    ($($name:ident),* $(,)?) => {
        const STORE_CHECKS: &[&str] = &[$(stringify!($name)),*];
        mod store {
            use super::*;
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    let Some((store, guard)) = common::dynamo().await else { return };
                    fallwerk_contract::checks::$name(Arc::new(store)).await;
                    drop(guard);
                }
            )*
        }
    };
}

macro_rules! blob_checks {
    ($($name:ident),* $(,)?) => {
        const BLOB_CHECKS: &[&str] = &[$(stringify!($name)),*];
        mod blob {
            use super::*;
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    let Some((store, tamper)) = blob_fixture().await else { return };
                    fallwerk_contract::checks::$name(Arc::new(store), tamper).await;
                }
            )*
        }
    };
}

store_checks!(
    create_load_round_trip,
    load_unknown_is_none,
    concurrent_create_is_idempotent,
    concurrent_save_one_wins,
    stale_save_conflicts,
    save_unknown_case_conflicts,
    history_append_only_and_paged,
    messages_thread_oldest_first,
    thread_read_marks,
    messages_redacted,
    inbox_limits_and_org_units,
    inbox_open_cases_of_one_assignee,
    inbox_invalid_cursor,
    inbox_follows_forward,
    inbox_search_filters_and_order,
    inbox_counts_per_status_and_task,
    inbox_search_invalid_cursor,
    inbox_search_paging_under_changes,
    due_lists_due_entries,
    due_follows_saves,
    ledger_put_once,
    ledger_put_concurrent,
    lease_exclusive_until_expiry,
    outbox_pending_and_done,
    claim_message_once,
    claim_work_lease,
    reference_counter_concurrent,
    directory_round_trip,
    users_round_trip,
    too_large_case_rejected,
);

blob_checks!(
    blob_round_trip,
    blob_wrong_hash_is_corrupt,
    blob_tampered_is_corrupt,
    blob_unknown_is_not_found,
    blob_delete,
    blob_sweep_keeps_recent_and_foreign,
    blob_streamed_in_chunks,
);

const PREFIX: &str = "blobs/";

/// An S3BlobStore on a fresh bucket, and a tamper hook that overwrites the object directly.
async fn blob_fixture() -> Option<(S3BlobStore, TamperFn)> {
    let (client, bucket) = common::s3_bucket().await?;
    let store = S3BlobStore::new(client.clone(), bucket.clone(), PREFIX);
    let tamper: TamperFn = Arc::new(move |key: String, bytes: Vec<u8>| {
        let client = client.clone();
        let bucket = bucket.clone();
        Box::pin(async move {
            // Keeps the recorded checksum metadata: only the bytes rot.
            let object = format!("{PREFIX}{key}");
            let head = client
                .head_object()
                .bucket(&bucket)
                .key(&object)
                .send()
                .await
                .expect("head");
            client
                .put_object()
                .bucket(&bucket)
                .key(&object)
                .set_metadata(head.metadata().cloned())
                .body(ByteStream::from(bytes))
                .send()
                .await
                .expect("tamper put");
        })
    });
    Some((store, tamper))
}

/// The names inside a `macro_rules!` invocation list of the suite's lib.rs.
fn suite_list(source: &str, macro_name: &str) -> Vec<String> {
    let start = source
        .find(&format!("macro_rules! {macro_name}"))
        .expect("macro in suite");
    let body = &source[start..];
    let list_start = body.find(";\n").expect("list start") + 2;
    let list_end = body[list_start..].find(");").expect("list end") + list_start;
    body[list_start..list_end]
        .split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// Guards the hand-written lists above against checks added to the suite later.
#[test]
fn check_lists_match_the_suite() {
    let source = include_str!("../../../contract/src/lib.rs");
    assert_eq!(
        suite_list(source, "contract_tests"),
        STORE_CHECKS,
        "update store_checks! in tests/contract.rs"
    );
    assert_eq!(
        suite_list(source, "blob_contract_tests"),
        BLOB_CHECKS,
        "update blob_checks! in tests/contract.rs"
    );
}
