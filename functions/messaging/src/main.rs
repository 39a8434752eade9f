//! `fallwerk-messaging`: the messaging-queue consumer as a Lambda function (handler
//! `bootstrap`, provided.al2023; SQS event source with ReportBatchItemFailures). Environment:
//! `FALLWERK_TABLE`, `FALLWERK_BUCKET`, `FALLWERK_MESSAGING_QUEUE_URL`,
//! `FALLWERK_EXPORT_QUEUE_URL`, `FALLWERK_MAIL_FROM`, `FALLWERK_PORTAL_URL`, the other
//! `FALLWERK_*` settings and the AWS SDK environment. The batch loop is
//! `fallwerk_runtime::lambda::sqs`, shared with `fallwerk-export`.

#[tokio::main]
async fn main() -> Result<(), fallwerk_runtime::lambda::sqs::Error> {
    fallwerk_runtime::lambda::sqs::run("messaging").await
}
