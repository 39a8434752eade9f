//! `fallwerk-export`: the export-queue consumer as a Lambda function (handler `bootstrap`,
//! provided.al2023; SQS event source with ReportBatchItemFailures). Same consumer loop and
//! environment as `fallwerk-messaging` (`fallwerk_runtime::lambda::sqs`), plus the webhook
//! secrets the export worker reads; only the queue differs.

#[tokio::main]
async fn main() -> Result<(), fallwerk_runtime::lambda::sqs::Error> {
    fallwerk_runtime::lambda::sqs::run("export").await
}
