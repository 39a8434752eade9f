//! The shared contract suite (`fallwerk-contract`) against DynamoStore on DynamoDB Local and
//! S3BlobStore on moto: one test per check, each on its own fresh table or bucket, from the
//! suite's one list of checks (`contract_tests!`, `blob_contract_tests!`).
//! Without a reachable emulator the tests are skipped (with a note), or fail when `CI` is set.

use crate::common;
use std::sync::Arc;

use aws_sdk_s3::primitives::ByteStream;
use fallwerk_aws::S3BlobStore;
use fallwerk_contract::{BlobFixture, Fixture, TamperFn, blob_contract_tests, contract_tests};

/// A fresh DynamoDB table per check; `None` (skipped, or failed under CI) without an emulator.
async fn fresh_store() -> Option<Fixture<fallwerk_aws::DynamoStore>> {
    let (store, guard) = common::dynamo().await?;
    Some(Fixture::new(store, guard))
}

contract_tests!(skippable fresh_store);
blob_contract_tests!(skippable blob_fixture);

const PREFIX: &str = "blobs/";

/// An S3BlobStore on a fresh bucket, and a tamper hook that overwrites the object directly.
async fn blob_fixture() -> Option<BlobFixture<S3BlobStore>> {
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
    Some(BlobFixture {
        store: Arc::new(store),
        tamper,
        guard: Box::new(()),
    })
}
