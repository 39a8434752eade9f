//! The case journey on the embedded backend (`fallwerk serve --data TMP`): SQLite, `.eml`
//! outbox, in-process queue consumers and scheduler. See `fallwerk_e2e::scenario`.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn case_journey_on_the_embedded_backend() {
    fallwerk_e2e::scenario::journey(fallwerk_e2e::backend::Kind::Embedded).await;
}
