//! `SqliteQueue`: the embedded mode's durable queue, in the store's SQLite database, with the
//! semantics of SQS plus a Lambda event source mapping: a visibility timeout per receive, a
//! receive count, and a dead-letter set after a bounded number of receives.
//!
//! Life of a message: [`Queue::send`] (or [`SqliteQueue::enqueue`]) inserts it, once per
//! `(queue, message_id)` while it is queued, in flight or dead; [`SqliteQueue::receive`] hands it
//! out and hides it for the visibility timeout; [`SqliteQueue::ack`] deletes it;
//! [`SqliteQueue::fail`] makes it visible again after `retry_after`, or moves it to the dead
//! letters once it has been received `max_receives` times. A message that is received again
//! after `max_receives` receives without ack or fail (the consumer crashed or overran the
//! timeout) is dead-lettered on that receive, as SQS's redrive policy does. A body that no longer
//! parses (poison) goes to the dead letters on receive. [`SqliteQueue::redrive`] puts a dead
//! letter back as if new.
//!
//! Redelivery after an ack is not prevented here (an acknowledged message is deleted, as in
//! SQS): consumers stay idempotent through `OutboxStore::claim_message`.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use fallwerk_core::ports::{Queue, QueueError, StoreError, StoreResult};
use fallwerk_events::{QueueMessage, QueueName};
use rusqlite::{Connection, OptionalExtension, params};

use crate::codec::{db, from_micros, micros, query_all, record_json};
use crate::store::SqliteStore;

/// Where the queue takes the time for [`Queue::send`] (the consumer API takes `now` explicitly).
pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// Receives after which a failing message is dead-lettered, unless configured otherwise.
pub const DEFAULT_MAX_RECEIVES: u32 = 5;

/// The longest error text kept on a message.
const MAX_ERROR_CHARS: usize = 2_000;

/// One message handed to a consumer; `id` is what [`SqliteQueue::ack`] and
/// [`SqliteQueue::fail`] take.
#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    pub id: i64,
    pub message: QueueMessage,
    /// 1 on the first delivery.
    pub receive_count: u32,
}

/// What [`SqliteQueue::fail`] did with the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailOutcome {
    /// Visible again at this time.
    Retry { visible_at: DateTime<Utc> },
    /// Moved to the dead letters (it had been received `max_receives` times).
    DeadLettered,
}

/// A message in the dead-letter set. The body is kept raw: it may be the unparseable one.
#[derive(Debug, Clone, PartialEq)]
pub struct DeadLetter {
    pub id: i64,
    pub queue: QueueName,
    pub message_id: String,
    pub body: String,
    pub receive_count: u32,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub first_received_at: Option<DateTime<Utc>>,
}

/// Counts of one queue at a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct QueueStats {
    /// Deliverable now.
    pub visible: u64,
    /// Hidden: received and not yet acknowledged, or waiting for a retry.
    pub in_flight: u64,
    pub dead: u64,
}

/// The durable queue, sharing the [`SqliteStore`]'s connection (and so its database file).
#[derive(Clone)]
pub struct SqliteQueue {
    store: SqliteStore,
    max_receives: u32,
    clock: Clock,
}

impl std::fmt::Debug for SqliteQueue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteQueue")
            .field("max_receives", &self.max_receives)
            .finish_non_exhaustive()
    }
}

impl SqliteQueue {
    /// A queue in `store`'s database, with [`DEFAULT_MAX_RECEIVES`] and the system clock.
    pub fn new(store: &SqliteStore) -> Self {
        SqliteQueue {
            store: store.clone(),
            max_receives: DEFAULT_MAX_RECEIVES,
            clock: Arc::new(Utc::now),
        }
    }

    /// Receives after which a failing message is dead-lettered (at least 1).
    pub fn with_max_receives(mut self, max_receives: u32) -> Self {
        self.max_receives = max_receives.max(1);
        self
    }

    /// The clock [`Queue::send`] stamps messages with (tests inject one).
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    pub fn max_receives(&self) -> u32 {
        self.max_receives
    }

    /// Puts `message` on its queue (`message.queue()`), visible from `now`. Returns `false` when
    /// a message with the same id is already on that queue (queued, in flight or dead): nothing
    /// is written then.
    pub async fn enqueue(&self, message: &QueueMessage, now: DateTime<Utc>) -> StoreResult<bool> {
        let body = record_json(message, || {
            format!("queue message {}", message.message_id())
        })?;
        let (queue, message_id, at) = (
            message.queue().as_str(),
            message.message_id().to_string(),
            micros(now),
        );
        self.store
            .write(move |tx| {
                let n = tx
                    .execute(
                        "INSERT INTO queue_messages (queue, message_id, body, visible_at, created_at)
                         VALUES (?1, ?2, ?3, ?4, ?4) ON CONFLICT (queue, message_id) DO NOTHING",
                        params![queue, message_id, body, at],
                    )
                    .map_err(db)?;
                Ok(n == 1)
            })
            .await
    }

    /// Up to `max` messages of `queue` visible at `now`, oldest first, each hidden until
    /// `now + visibility` and its receive count incremented, in one transaction: two consumers
    /// (tasks or processes) never get the same message within its visibility timeout.
    /// Messages that are poison, or were already received `max_receives` times, are moved to
    /// the dead letters instead of being returned.
    pub async fn receive(
        &self,
        queue: QueueName,
        max: usize,
        visibility: Duration,
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<Delivery>> {
        if max == 0 {
            return Ok(Vec::new());
        }
        let (name, at, hidden_until) = (queue.as_str(), micros(now), later(now, visibility)?);
        let max_receives = i64::from(self.max_receives);
        self.store
            .write(move |tx| {
                let mut out = Vec::with_capacity(max.min(100));
                // Loop so that dead-lettered rows do not make a batch come back short (or empty
                // while deliverable messages remain).
                while out.len() < max {
                    let want = i64::try_from(max - out.len()).unwrap_or(i64::MAX);
                    let rows = ready_rows(tx, name, at, want)?;
                    if rows.is_empty() {
                        break;
                    }
                    for (id, body, count) in rows {
                        if count >= max_receives {
                            let error = format!(
                                "received {count} times without success (visibility timeout \
                                 expired); giving up"
                            );
                            mark_dead(tx, id, count, at, &error)?;
                            continue;
                        }
                        match serde_json::from_str::<QueueMessage>(&body) {
                            Ok(message) => {
                                tx.execute(
                                    "UPDATE queue_messages SET receive_count = receive_count + 1,
                                         visible_at = ?2,
                                         first_received_at = COALESCE(first_received_at, ?3)
                                     WHERE id = ?1",
                                    params![id, hidden_until, at],
                                )
                                .map_err(db)?;
                                out.push(Delivery {
                                    id,
                                    message,
                                    receive_count: to_u32(count + 1),
                                });
                            }
                            Err(e) => {
                                let error = format!("unreadable message (poison): {e}");
                                mark_dead(tx, id, count + 1, at, &error)?;
                            }
                        }
                    }
                }
                Ok(out)
            })
            .await
    }

    /// Deletes a message after it was processed (idempotent: an unknown id is fine, as in SQS).
    /// Also discards a dead letter.
    pub async fn ack(&self, id: i64) -> StoreResult<()> {
        self.store
            .write(move |tx| {
                tx.execute("DELETE FROM queue_messages WHERE id = ?1", [id])
                    .map_err(db)?;
                Ok(())
            })
            .await
    }

    /// Records a failed attempt: the message becomes visible again at `now + retry_after`, or,
    /// when it has been received `max_receives` times, moves to the dead letters keeping
    /// `error`. Failing a message that is already dead keeps it dead.
    pub async fn fail(
        &self,
        id: i64,
        error: &str,
        retry_after: Duration,
        now: DateTime<Utc>,
    ) -> StoreResult<FailOutcome> {
        let (error, at) = (clip(error), micros(now));
        let visible_at = later(now, retry_after)?;
        let max_receives = i64::from(self.max_receives);
        self.store
            .write(move |tx| {
                let (count, dead) = row_state(tx, id)?;
                if dead {
                    return Ok(FailOutcome::DeadLettered);
                }
                if count >= max_receives {
                    mark_dead(tx, id, count, at, &error)?;
                    return Ok(FailOutcome::DeadLettered);
                }
                tx.execute(
                    "UPDATE queue_messages SET visible_at = ?2, last_error = ?3 WHERE id = ?1",
                    params![id, visible_at, error],
                )
                .map_err(db)?;
                Ok(FailOutcome::Retry {
                    visible_at: from_micros(visible_at)?,
                })
            })
            .await
    }

    /// Moves a message to the dead letters at once, for failures that retrying cannot cure
    /// (a rejected address, a target that refuses the package).
    pub async fn dead_letter(&self, id: i64, error: &str) -> StoreResult<()> {
        let error = clip(error);
        self.store
            .write(move |tx| {
                let n = tx
                    .execute(
                        "UPDATE queue_messages SET dead = 1, last_error = ?2 WHERE id = ?1",
                        params![id, error],
                    )
                    .map_err(db)?;
                if n == 0 {
                    return Err(StoreError::NotFound(format!("queue message {id}")));
                }
                Ok(())
            })
            .await
    }

    /// The dead letters of `queue`, oldest first.
    pub async fn dead_letters(&self, queue: QueueName) -> StoreResult<Vec<DeadLetter>> {
        let name = queue.as_str();
        type Row = (i64, String, String, i64, Option<String>, i64, Option<i64>);
        let rows: Vec<Row> = self
            .store
            .run(move |conn| {
                query_all(
                    conn,
                    "SELECT id, message_id, body, receive_count, last_error, created_at,
                                first_received_at
                         FROM queue_messages WHERE queue = ?1 AND dead = 1 ORDER BY id",
                    [name],
                    |r| {
                        Ok((
                            r.get(0)?,
                            r.get(1)?,
                            r.get(2)?,
                            r.get(3)?,
                            r.get(4)?,
                            r.get(5)?,
                            r.get(6)?,
                        ))
                    },
                )
            })
            .await?;
        rows.into_iter()
            .map(
                |(id, message_id, body, count, last_error, created, first)| {
                    Ok(DeadLetter {
                        id,
                        queue,
                        message_id,
                        body,
                        receive_count: to_u32(count),
                        last_error,
                        created_at: from_micros(created)?,
                        first_received_at: first.map(from_micros).transpose()?,
                    })
                },
            )
            .collect()
    }

    /// Puts a dead letter back on its queue as if new (receive count 0, visible at once; the
    /// last error stays until the next one). [`StoreError::NotFound`] if `id` is no dead letter.
    pub async fn redrive(&self, id: i64) -> StoreResult<()> {
        let n = self.redrive_where("id = ?1", id).await?;
        if n == 0 {
            return Err(StoreError::NotFound(format!("dead letter {id}")));
        }
        Ok(())
    }

    /// Redrives every dead letter of `queue`; returns how many.
    pub async fn redrive_all(&self, queue: QueueName) -> StoreResult<u64> {
        let n = self.redrive_where("queue = ?1", queue.as_str()).await?;
        Ok(n as u64)
    }

    /// Puts the dead letters that match `filter` (with its one parameter `?1`) back on their
    /// queue; returns how many.
    async fn redrive_where(
        &self,
        filter: &'static str,
        param: impl rusqlite::ToSql + Send + 'static,
    ) -> StoreResult<usize> {
        self.store
            .write(move |tx| {
                tx.execute(
                    &format!(
                        "UPDATE queue_messages SET dead = 0, receive_count = 0, visible_at = 0,
                             first_received_at = NULL
                         WHERE {filter} AND dead = 1"
                    ),
                    [param],
                )
                .map_err(db)
            })
            .await
    }

    /// How many messages of `queue` are visible, in flight and dead at `now`.
    pub async fn stats(&self, queue: QueueName, now: DateTime<Utc>) -> StoreResult<QueueStats> {
        let (name, at) = (queue.as_str(), micros(now));
        self.store
            .run(move |conn| {
                conn.query_row(
                    "SELECT COALESCE(SUM(dead = 0 AND visible_at <= ?2), 0),
                            COALESCE(SUM(dead = 0 AND visible_at > ?2), 0),
                            COALESCE(SUM(dead = 1), 0)
                     FROM queue_messages WHERE queue = ?1",
                    params![name, at],
                    |r| {
                        Ok(QueueStats {
                            visible: to_u64(r.get(0)?),
                            in_flight: to_u64(r.get(1)?),
                            dead: to_u64(r.get(2)?),
                        })
                    },
                )
                .map_err(db)
            })
            .await
    }
}

#[async_trait]
impl Queue for SqliteQueue {
    /// Enqueues on `message.queue()`; sending the same message id again is a no-op.
    async fn send(&self, message: &QueueMessage) -> Result<(), QueueError> {
        self.enqueue(message, (self.clock)())
            .await
            .map(|_| ())
            .map_err(|e| QueueError(e.to_string()))
    }
}

fn ready_rows(
    tx: &Connection,
    queue: &str,
    now: i64,
    limit: i64,
) -> StoreResult<Vec<(i64, String, i64)>> {
    let mut stmt = tx
        .prepare_cached(
            "SELECT id, body, receive_count FROM queue_messages
             WHERE queue = ?1 AND dead = 0 AND visible_at <= ?2
             ORDER BY visible_at, id LIMIT ?3",
        )
        .map_err(db)?;
    let rows = stmt
        .query_map(params![queue, now, limit], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .map_err(db)?;
    rows.collect::<Result<_, _>>().map_err(db)
}

/// `(receive_count, dead)` of a message, or [`StoreError::NotFound`].
fn row_state(tx: &Connection, id: i64) -> StoreResult<(i64, bool)> {
    tx.query_row(
        "SELECT receive_count, dead FROM queue_messages WHERE id = ?1",
        [id],
        |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)? != 0)),
    )
    .optional()
    .map_err(db)?
    .ok_or_else(|| StoreError::NotFound(format!("queue message {id}")))
}

fn mark_dead(tx: &Connection, id: i64, count: i64, now: i64, error: &str) -> StoreResult<()> {
    tx.execute(
        "UPDATE queue_messages SET dead = 1, receive_count = ?2, last_error = ?3,
             first_received_at = COALESCE(first_received_at, ?4)
         WHERE id = ?1",
        params![id, count, clip(error), now],
    )
    .map_err(db)?;
    Ok(())
}

/// `now + d` in microseconds; fails only for durations beyond any sensible timeout.
fn later(now: DateTime<Utc>, d: Duration) -> StoreResult<i64> {
    i64::try_from(d.as_micros())
        .ok()
        .and_then(|us| micros(now).checked_add(us))
        .ok_or_else(|| StoreError::Backend(format!("duration out of range: {d:?}")))
}

fn clip(error: &str) -> String {
    error.chars().take(MAX_ERROR_CHARS).collect()
}

fn to_u32(n: i64) -> u32 {
    u32::try_from(n.max(0)).unwrap_or(u32::MAX)
}

fn to_u64(n: i64) -> u64 {
    u64::try_from(n.max(0)).unwrap_or(0)
}
