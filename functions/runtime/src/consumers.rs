//! In-process queue consumers for the embedded backend: they poll the SQLite queue the way a
//! Lambda event source mapping polls SQS (batches, visibility timeout, per-message outcome) and
//! run the same worker functions as the Lambda binaries.

use std::sync::Arc;
use std::time::Duration as StdDuration;

use fallwerk_embedded::SqliteQueue;
use fallwerk_events::QueueName;
use fallwerk_workers::{Outcome, WorkerCtx, handle};
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// Messages per batch (the SQS maximum).
pub const BATCH: usize = 10;

/// The wait before retry number `receive_count`: `base`, doubling per receive, at most 5 minutes.
pub fn backoff(base: u32, receive_count: u32) -> u32 {
    base.saturating_mul(1 << receive_count.saturating_sub(1).min(8))
        .min(300)
}

/// How long a received message stays invisible to other consumers: the claim lease, so that a
/// redelivery after a crash finds the crashed consumer's claim expired.
fn visibility(ctx: &WorkerCtx) -> std::time::Duration {
    std::time::Duration::from_secs(u64::from(ctx.settings.lease_seconds.max(1)))
}

/// Processes one batch of `queue`; returns how many messages it handled.
pub async fn drain_once(
    queue: &SqliteQueue,
    ctx: &WorkerCtx,
    retry_base: u32,
    name: QueueName,
) -> usize {
    let now = ctx.app.clock.now();
    let batch = match queue.receive(name, BATCH, visibility(ctx), now).await {
        Ok(b) => b,
        Err(e) => {
            tracing::error!(queue = name.as_str(), error = %e, "queue receive failed");
            return 0;
        }
    };
    let handled = batch.len();
    // One message after the other, as one Lambda invocation handles its batch: running them
    // concurrently took CPU from the HTTP requests under load (docs/BENCHMARKS.md).
    for delivery in batch {
        let outcome = handle(ctx, &delivery.message, delivery.receive_count).await;
        let message_id = delivery.message.message_id().to_string();
        let result = match outcome {
            Outcome::Done => queue.ack(delivery.id).await.map(|_| ()),
            Outcome::Retry(reason) => {
                let wait = u64::from(backoff(retry_base, delivery.receive_count));
                tracing::warn!(queue = name.as_str(), message_id, reason, "will retry");
                let now = ctx.app.clock.now();
                queue
                    .fail(
                        delivery.id,
                        &reason,
                        std::time::Duration::from_secs(wait),
                        now,
                    )
                    .await
                    .map(|_| ())
            }
            Outcome::GiveUp(reason) => {
                tracing::error!(queue = name.as_str(), message_id, reason, "dead-lettered");
                queue.dead_letter(delivery.id, &reason).await
            }
        };
        if let Err(e) = result {
            tracing::error!(queue = name.as_str(), message_id, error = %e, "queue update failed");
        }
    }
    handled
}

/// Processes one batch polled from SQS, the way the event source mapping hands it to a Lambda:
/// done messages are deleted, retries become visible again after a backoff, given-up ones are
/// left to the queue's redrive policy (they reach the dead-letter queue after the maximum
/// number of receives). Returns how many messages it handled.
#[cfg(feature = "aws")]
pub async fn drain_sqs_once(
    queue: &fallwerk_aws::SqsQueue,
    ctx: &WorkerCtx,
    retry_base: u32,
    name: QueueName,
) -> usize {
    let batch = match queue
        .receive(name, BATCH as u32, 1, ctx.settings.lease_seconds)
        .await
    {
        Ok(b) => b,
        Err(e) => {
            tracing::error!(queue = name.as_str(), error = %e, "queue receive failed");
            return 0;
        }
    };
    let handled = batch.len();
    for delivery in batch {
        let outcome = match &delivery.body {
            Ok(message) => handle(ctx, message, delivery.receive_count).await,
            Err(reason) => Outcome::GiveUp(format!("unreadable message: {reason}")),
        };
        let result = match outcome {
            Outcome::Done => queue.delete(name, &delivery.receipt_handle).await,
            Outcome::Retry(reason) => {
                tracing::warn!(queue = name.as_str(), sqs_id = %delivery.message_id, reason, "will retry");
                let wait = backoff(retry_base, delivery.receive_count);
                queue
                    .retry_later(name, &delivery.receipt_handle, wait)
                    .await
            }
            Outcome::GiveUp(reason) => {
                // Visible again at once: the next receives exhaust maxReceiveCount and SQS moves
                // it to the dead-letter queue, where operators see and can redrive it.
                tracing::error!(queue = name.as_str(), sqs_id = %delivery.message_id, reason, "giving up");
                queue.retry_later(name, &delivery.receipt_handle, 0).await
            }
        };
        if let Err(e) = result {
            tracing::error!(queue = name.as_str(), error = %e, "queue update failed");
        }
    }
    handled
}

/// Runs `drain` for both queues, each in its own task, until `stop` turns true; a running
/// batch is finished first, an empty one waits 200 ms.
fn poll<F, Fut>(drain: F, stop: watch::Receiver<bool>) -> Vec<JoinHandle<()>>
where
    F: Fn(QueueName) -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = usize> + Send,
{
    [QueueName::Messaging, QueueName::Export]
        .into_iter()
        .map(|name| {
            let (drain, mut stop) = (drain.clone(), stop.clone());
            tokio::spawn(async move {
                while !*stop.borrow() {
                    if drain(name).await == 0 {
                        tokio::select! {
                            _ = tokio::time::sleep(StdDuration::from_millis(200)) => {}
                            _ = stop.changed() => {}
                        }
                    }
                }
            })
        })
        .collect()
}

/// Consumers of the embedded queue (`fallwerk serve`).
pub fn spawn(
    queue: Arc<SqliteQueue>,
    ctx: Arc<WorkerCtx>,
    retry_base: u32,
    stop: watch::Receiver<bool>,
) -> Vec<JoinHandle<()>> {
    let drain = move |name| {
        let (queue, ctx) = (queue.clone(), ctx.clone());
        async move { drain_once(&queue, &ctx, retry_base, name).await }
    };
    poll(drain, stop)
}

/// Consumers polling SQS the way an event source mapping does (`fallwerk serve --backend aws`).
#[cfg(feature = "aws")]
pub fn spawn_sqs(
    queue: Arc<fallwerk_aws::SqsQueue>,
    ctx: Arc<WorkerCtx>,
    retry_base: u32,
    stop: watch::Receiver<bool>,
) -> Vec<JoinHandle<()>> {
    let drain = move |name| {
        let (queue, ctx) = (queue.clone(), ctx.clone());
        async move { drain_sqs_once(&queue, &ctx, retry_base, name).await }
    };
    poll(drain, stop)
}

#[cfg(test)]
mod tests {
    use super::backoff;

    #[test]
    fn backoff_doubles_and_is_capped() {
        assert_eq!([1, 2, 3, 4].map(|n| backoff(5, n)), [5, 10, 20, 40]);
        assert_eq!(backoff(5, 30), 300);
        assert_eq!(backoff(0, 3), 0);
    }
}
