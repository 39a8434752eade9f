//! fallwerk's AWS adapters: [`DynamoStore`] (every store port on one DynamoDB table, layout in
//! [`keys`]) and [`S3BlobStore`] (checksummed blobs). Endpoints, region and credentials come from
//! the SDK's standard environment, so the same code runs against AWS, LocalStack or emulators.

mod codec;
mod dynamo;
mod error;
mod export_s3;
pub mod keys;
mod retry_class;
mod s3;
mod ses;
mod sqs;
mod table;
#[cfg(feature = "testing")]
pub mod testing;

pub use dynamo::{BackfillReport, DynamoStore, INLINE_FORM_LIMIT};
pub use export_s3::{COMPLETE_MARKER, MANIFEST_PATH, S3ExportSink};
pub use s3::{S3BlobStore, SHA256_METADATA, s3_client};
pub use ses::{SesMailer, ses_client, verify_sender};
pub use sqs::{
    MESSAGE_ID_ATTRIBUTE, QueueUrls, SqsDelivery, SqsQueue, TYPE_ATTRIBUTE, create_queues,
    sqs_client,
};
pub use table::{create_table, wait_active};

pub use aws_config::SdkConfig;

/// The SDK configuration from the standard environment (`AWS_REGION`, `AWS_ENDPOINT_URL`,
/// `AWS_ENDPOINT_URL_DYNAMODB`, credentials chain, ...).
pub async fn sdk_config() -> aws_config::SdkConfig {
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .load()
        .await
}

/// A DynamoDB client for `config`.
pub fn dynamodb_client(config: &aws_config::SdkConfig) -> aws_sdk_dynamodb::Client {
    aws_sdk_dynamodb::Client::new(config)
}
