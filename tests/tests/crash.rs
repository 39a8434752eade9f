//! Crash and concurrency tests of issue 16 on both backends (see `fallwerk_e2e::crash`): the
//! real `fallwerk serve` killed by SIGKILL or by a fault injected at a point of the consumer
//! protocol, restarted, and checked for everything it owed.

use fallwerk_e2e::backend::Kind;
use fallwerk_e2e::crash;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn embedded_consumer_killed_between_claim_and_send() {
    crash::consumer_killed(Kind::Embedded, "after_claim").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aws_consumer_killed_between_claim_and_send() {
    crash::consumer_killed(Kind::Aws, "after_claim").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn embedded_consumer_killed_between_send_and_confirmation() {
    crash::consumer_killed(Kind::Embedded, "before_confirm").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aws_consumer_killed_between_send_and_confirmation() {
    crash::consumer_killed(Kind::Aws, "before_confirm").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn embedded_serve_killed_under_intake_load() {
    crash::serve_killed_under_intake_load(Kind::Embedded).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aws_serve_killed_under_intake_load() {
    crash::serve_killed_under_intake_load(Kind::Aws).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn embedded_serve_killed_during_export() {
    crash::serve_killed_during_export(Kind::Embedded).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aws_serve_killed_during_export() {
    crash::serve_killed_during_export(Kind::Aws).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn embedded_concurrent_replies_keep_every_document() {
    crash::concurrent_replies(Kind::Embedded).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aws_concurrent_replies_keep_every_document() {
    crash::concurrent_replies(Kind::Aws).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn embedded_serve_killed_during_scheduler_ticks() {
    crash::serve_killed_during_tick(Kind::Embedded).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aws_serve_killed_during_scheduler_ticks() {
    crash::serve_killed_during_tick(Kind::Aws).await;
}
