//! In-process queue consumers for `fallwerk serve`: the runtime's consumers over the embedded
//! queue or over SQS.

use std::sync::Arc;

#[cfg(feature = "aws")]
use fallwerk_runtime::Aws;
use fallwerk_runtime::{Embedded, WiringError};
use tokio::sync::watch;
#[cfg(feature = "aws")]
use tokio::task::JoinHandle;

use crate::background::Background;

/// The running consumers, however they run.
pub enum Consumers {
    /// On their own thread at lower priority (the embedded queue).
    Background(Background),
    /// Tasks on the server's runtime: the SDK's clients stay on the runtime that made them.
    #[cfg(feature = "aws")]
    Tasks(Vec<JoinHandle<()>>),
}

impl Consumers {
    /// Waits until the consumers have stopped (after `stop` turned true).
    pub async fn join(self) {
        match self {
            Consumers::Background(background) => background.join().await,
            #[cfg(feature = "aws")]
            Consumers::Tasks(tasks) => {
                for task in tasks {
                    let _ = task.await;
                }
            }
        }
    }
}

/// Consumers of the embedded queue, on a background thread (`background.rs`): under a burst of
/// requests they yield the CPU to the requests and catch up afterwards.
pub fn spawn_embedded(
    embedded: &Embedded,
    stop: watch::Receiver<bool>,
) -> Result<Consumers, WiringError> {
    let ctx = Arc::new(embedded.worker_ctx()?);
    let retry_base = embedded.settings.retry_base_seconds;
    let queue = embedded.queue.clone();
    let background = Background::spawn("fallwerk-consumers", move || async move {
        for task in fallwerk_runtime::consumers::spawn(queue, ctx, retry_base, stop) {
            let _ = task.await;
        }
    })
    .map_err(|e| WiringError::Worker(format!("consumer thread not started: {e}")))?;
    Ok(Consumers::Background(background))
}

#[cfg(feature = "aws")]
pub fn spawn_aws(aws: &Aws, stop: watch::Receiver<bool>) -> Result<Consumers, WiringError> {
    let ctx = Arc::new(aws.worker_ctx()?);
    let retry_base = aws.settings.retry_base_seconds;
    Ok(Consumers::Tasks(fallwerk_runtime::consumers::spawn_sqs(
        aws.queue.clone(),
        ctx,
        retry_base,
        stop,
    )))
}
