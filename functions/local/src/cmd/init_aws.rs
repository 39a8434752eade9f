//! `fallwerk init-aws`: creates a table, a bucket and the queues on a development endpoint
//! (DynamoDB Local, moto, LocalStack) and prints the environment for `serve --backend aws`.
//! Production stacks come from infra/template.yaml, never from here.

#[cfg(feature = "aws")]
use fallwerk_aws::{
    S3BlobStore, create_queues, create_table, dynamodb_client, s3_client, sqs_client,
};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Name prefix of the table, the bucket and the queues.
    #[arg(long, default_value = "fallwerk-dev")]
    pub name: String,
    /// Receives before a message moves to its dead-letter queue.
    #[arg(long, default_value_t = 5)]
    pub max_receives: u32,
    /// Sender address to verify with SES (moto and SES sandboxes refuse unverified senders).
    #[arg(long, env = "FALLWERK_MAIL_FROM")]
    pub mail_from: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum InitError {
    #[cfg(feature = "aws")]
    #[error(
        "refusing to create resources: AWS_ENDPOINT_URL is not set, so this would talk to real AWS; production stacks come from infra/template.yaml"
    )]
    NoEndpoint,
    #[cfg(feature = "aws")]
    #[error("{what}: {reason}")]
    Create { what: &'static str, reason: String },
    #[error(transparent)]
    NotBuilt(#[from] fallwerk_runtime::WiringError),
}

/// In a build without the feature `aws` there is nothing to create resources with.
#[cfg(not(feature = "aws"))]
pub async fn run(_args: &Args) -> Result<(), InitError> {
    Err(fallwerk_runtime::WiringError::AwsNotBuilt.into())
}

#[cfg(feature = "aws")]
fn failed(what: &'static str) -> impl Fn(String) -> InitError {
    move |reason| InitError::Create { what, reason }
}

#[cfg(feature = "aws")]
pub async fn run(args: &Args) -> Result<(), InitError> {
    if std::env::var_os("AWS_ENDPOINT_URL").is_none()
        && std::env::var_os("AWS_ENDPOINT_URL_DYNAMODB").is_none()
    {
        return Err(InitError::NoEndpoint);
    }
    let sdk = fallwerk_aws::sdk_config().await;
    let table = format!("{}-table", args.name);
    let bucket = format!("{}-bucket", args.name);
    create_table(&dynamodb_client(&sdk), &table)
        .await
        .map_err(|e| failed("table")(e.to_string()))?;
    S3BlobStore::create_bucket(&s3_client(&sdk), &bucket)
        .await
        .map_err(|e| failed("bucket")(e.to_string()))?;
    let queues = create_queues(&sqs_client(&sdk), &args.name, args.max_receives)
        .await
        .map_err(|e| failed("queues")(e.to_string()))?;
    if let Some(from) = &args.mail_from {
        fallwerk_aws::verify_sender(&fallwerk_aws::ses_client(&sdk), from)
            .await
            .map_err(|e| failed("SES sender")(e.to_string()))?;
        println!("export FALLWERK_MAIL_FROM={from}");
    }
    println!("export FALLWERK_BACKEND=aws");
    let resources = fallwerk_runtime::AwsResources {
        table,
        bucket,
        messaging_queue_url: queues.messaging,
        export_queue_url: queues.export,
    };
    for (name, value) in resources.env() {
        println!("export {name}={value}");
    }
    println!("export FALLWERK_MESSAGING_DLQ_URL={}", queues.messaging_dlq);
    println!("export FALLWERK_EXPORT_DLQ_URL={}", queues.export_dlq);
    Ok(())
}
