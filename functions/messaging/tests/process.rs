//! `process` on the SQS sample of events/samples/ (one OrgUnitNotification, one garbage body):
//! the batch response names exactly the garbage record, on the embedded backend and on the AWS
//! backend (DynamoDB Local + moto).

use std::sync::Arc;

use aws_lambda_events::sqs::SqsEvent;
use fallwerk_core::app::SystemClock;
use fallwerk_runtime::{Aws, AwsResources, Embedded, Settings};

const GARBAGE_ID: &str = "3b2f4c1e-2222-4a8e-9d1f-000000000002";

fn sample() -> SqsEvent {
    let path = format!(
        "{}/../../events/samples/sqs-messaging.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {path}: {e}"));
    serde_json::from_str(&text).expect("an SQS event")
}

fn failed_ids(response: &aws_lambda_events::sqs::SqsBatchResponse) -> Vec<&str> {
    response
        .batch_item_failures
        .iter()
        .map(|f| f.item_identifier.as_str())
        .collect()
}

#[test]
fn receive_counts_come_from_the_attributes() {
    let event = sample();
    let counts: Vec<u32> = event
        .records
        .iter()
        .map(fallwerk_runtime::lambda::sqs::receive_count)
        .collect();
    assert_eq!(counts, [1, 2]);
}

#[tokio::test(flavor = "multi_thread")]
async fn only_the_garbage_record_fails_on_embedded() {
    let dir = tempfile::tempdir().expect("temp dir");
    let embedded =
        Embedded::open(dir.path(), Settings::default(), Arc::new(SystemClock)).expect("data dir");
    let ctx = embedded.worker_ctx().expect("worker ctx");
    let response = fallwerk_runtime::lambda::sqs::process(&ctx, sample()).await;
    assert_eq!(failed_ids(&response), [GARBAGE_ID]);
}

#[tokio::test(flavor = "multi_thread")]
async fn only_the_garbage_record_fails_on_aws() {
    use fallwerk_aws::testing;
    if !testing::emulator_env() {
        return;
    }
    let Some((_, table)) = testing::dynamo().await else {
        return;
    };
    let Some((_, bucket)) = testing::s3_bucket().await else {
        return;
    };
    let Some((_, queues)) = testing::sqs_queues().await else {
        return;
    };
    let sdk = fallwerk_aws::sdk_config().await;
    let aws = Aws::new(
        &sdk,
        AwsResources {
            table: table.table.clone(),
            bucket,
            messaging_queue_url: queues.messaging,
            export_queue_url: queues.export,
        },
        Settings::default(),
        Arc::new(SystemClock),
    );
    let ctx = aws.worker_ctx().expect("worker ctx");
    let response = fallwerk_runtime::lambda::sqs::process(&ctx, sample()).await;
    assert_eq!(failed_ids(&response), [GARBAGE_ID]);
    // The response serialises the way ReportBatchItemFailures expects.
    let json = serde_json::to_value(&response).expect("json");
    assert_eq!(
        json,
        serde_json::json!({"batchItemFailures": [{"itemIdentifier": GARBAGE_ID}]})
    );
}
