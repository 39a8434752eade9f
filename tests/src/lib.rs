//! End-to-end support for fallwerk: runs the real `fallwerk` binary (`serve`, `init-aws`,
//! `admin apply`, `token`) for one backend and observes it only through public interfaces —
//! HTTP, the e-mail sink (`.eml` outbox, or the SES emulator's own API: moto's or LocalStack's),
//! a local webhook receiver (the export sink) and, on AWS, the export dead-letter queue. The
//! journey itself is in [`scenario`]; the test targets in `tests/` run it once per backend (the
//! AWS one on moto or LocalStack: docs/LOCALSTACK.md).
//!
//! Run: `scripts/emulators.sh start && cargo test -p fallwerk-e2e -- --nocapture` (the AWS run
//! needs DynamoDB Local and a pip-installed moto; without them it is skipped, under `CI` it
//! fails). `FALLWERK_BIN=path/to/fallwerk` uses a prebuilt binary (see [`binary`]).

pub mod backend;
pub mod binary;
pub mod crash;
pub mod http;
pub mod mail;
pub mod moto;
pub mod process;
pub mod scenario;
pub mod webhook;

use std::time::{Duration, Instant};

/// Polls `probe` every `every` until it returns `Some`, at most `limit`; `None` on timeout.
pub async fn poll<T, F, Fut>(limit: Duration, every: Duration, mut probe: F) -> Option<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let end = Instant::now() + limit;
    loop {
        if let Some(v) = probe().await {
            return Some(v);
        }
        if Instant::now() >= end {
            return None;
        }
        tokio::time::sleep(every).await;
    }
}

/// A short random token for names in one run (`e2e-<hex>`).
pub fn run_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()[..10].to_string()
}
