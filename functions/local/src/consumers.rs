//! In-process queue consumers for `fallwerk serve`: the runtime's consumers over the embedded
//! queue or over SQS.

use std::sync::Arc;

#[cfg(feature = "aws")]
use fallwerk_runtime::Aws;
use fallwerk_runtime::{Embedded, WiringError};
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub fn spawn_embedded(
    embedded: &Embedded,
    stop: watch::Receiver<bool>,
) -> Result<Vec<JoinHandle<()>>, WiringError> {
    let ctx = Arc::new(embedded.worker_ctx()?);
    let retry_base = embedded.settings.retry_base_seconds;
    Ok(fallwerk_runtime::consumers::spawn(
        embedded.queue.clone(),
        ctx,
        retry_base,
        stop,
    ))
}

#[cfg(feature = "aws")]
pub fn spawn_aws(
    aws: &Aws,
    stop: watch::Receiver<bool>,
) -> Result<Vec<JoinHandle<()>>, WiringError> {
    let ctx = Arc::new(aws.worker_ctx()?);
    let retry_base = aws.settings.retry_base_seconds;
    Ok(fallwerk_runtime::consumers::spawn_sqs(
        aws.queue.clone(),
        ctx,
        retry_base,
        stop,
    ))
}
