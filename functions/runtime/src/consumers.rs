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

/// How long a received message stays invisible to other consumers.
pub const VISIBILITY: u64 = 120;
/// Messages per batch (the SQS maximum).
pub const BATCH: usize = 10;

/// Processes one batch of `queue`; returns how many messages it handled.
pub async fn drain_once(queue: &SqliteQueue, ctx: &WorkerCtx, name: QueueName) -> usize {
    let now = ctx.app.clock.now();
    let batch = match queue
        .receive(name, BATCH, std::time::Duration::from_secs(VISIBILITY), now)
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
        let outcome = handle(ctx, &delivery.message, delivery.receive_count).await;
        let message_id = delivery.message.message_id().to_string();
        let result = match outcome {
            Outcome::Done => queue.ack(delivery.id).await.map(|_| ()),
            Outcome::Retry(reason) => {
                // Back off with the number of tries: 5 s, 10 s, 20 s, ... at most 5 minutes.
                let wait = (5u64 << delivery.receive_count.min(6)).min(300);
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

/// One polling task per queue until `stop` turns true; the running batch is finished first.
pub fn spawn(
    queue: Arc<SqliteQueue>,
    ctx: Arc<WorkerCtx>,
    stop: watch::Receiver<bool>,
) -> Vec<JoinHandle<()>> {
    [QueueName::Messaging, QueueName::Export]
        .into_iter()
        .map(|name| {
            let (queue, ctx, mut stop) = (queue.clone(), ctx.clone(), stop.clone());
            tokio::spawn(async move {
                loop {
                    if *stop.borrow() {
                        return;
                    }
                    if drain_once(&queue, &ctx, name).await == 0 {
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
