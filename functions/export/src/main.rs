//! `fallwerk-export`: the export-queue consumer as a Lambda function (handler `bootstrap`,
//! provided.al2023; SQS event source with ReportBatchItemFailures). Same code and environment
//! as `fallwerk-messaging` (see `fallwerk_messaging::process`), plus the webhook secrets the
//! export worker reads; only the queue differs.

#[tokio::main]
async fn main() -> Result<(), fallwerk_messaging::Error> {
    fallwerk_messaging::run("export").await
}
