//! The case journey on emulated AWS (`fallwerk serve --backend aws`): DynamoDB Local and the
//! suite's own moto server (SQS, SES, S3). Skipped with a printed reason when the emulators are
//! missing, failed when `CI` is set. See `fallwerk_e2e::scenario`.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn case_journey_on_emulated_aws() {
    fallwerk_e2e::scenario::journey(fallwerk_e2e::backend::Kind::Aws).await;
}
