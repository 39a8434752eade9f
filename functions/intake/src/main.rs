//! `fallwerk-intake`: the portal routes as a Lambda function (handler `bootstrap`,
//! provided.al2023). Reads `FALLWERK_TABLE`, `FALLWERK_BUCKET`, `FALLWERK_MESSAGING_QUEUE_URL`,
//! `FALLWERK_EXPORT_QUEUE_URL`, the other `FALLWERK_*` settings and the AWS SDK environment;
//! set `AWS_LAMBDA_HTTP_IGNORE_STAGE_IN_PATH=true` (routes are `/v1/...`, not `/<stage>/v1/...`).

#[tokio::main]
async fn main() -> Result<(), fallwerk_intake::Error> {
    fallwerk_runtime::lambda::init_logging();
    let router = match fallwerk_intake::init().await {
        Ok(router) => router,
        Err(e) => {
            tracing::error!(error = %e, "init failed");
            return Err(e);
        }
    };
    lambda_http::run(router).await
}
