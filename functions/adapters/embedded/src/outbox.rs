//! `OutboxStore` for SQLite: pending queue messages written with case changes, and the
//! consumers' processed markers.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use fallwerk_core::ports::{ClaimState, OutboxEntry, OutboxStore, StoreResult};
use rusqlite::{OptionalExtension, params};

use crate::codec::{db, from_json, from_micros, limit, micros, query_all};
use crate::store::SqliteStore;

/// How long an unconfirmed claim's marker is kept after its lease (14 days, in µs).
const KEEP_UNCONFIRMED_MICROS: i64 = 14 * 24 * 3600 * 1_000_000;

#[async_trait]
impl OutboxStore for SqliteStore {
    async fn outbox_pending(
        &self,
        created_before: DateTime<Utc>,
        limit_n: u32,
    ) -> StoreResult<Vec<OutboxEntry>> {
        let (before, n) = (micros(created_before), limit(limit_n));
        let rows: Vec<(i64, String)> = self
            .run(move |conn| {
                query_all(
                    conn,
                    "SELECT created_at, data FROM outbox WHERE created_at <= ?1 ORDER BY created_at, rowid LIMIT ?2",
                    params![before, n],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
            })
            .await?;
        rows.into_iter()
            .map(|(at, data)| {
                Ok(OutboxEntry {
                    message: from_json(&data)?,
                    created_at: from_micros(at)?,
                })
            })
            .collect()
    }

    async fn outbox_done(&self, message_id: &str) -> StoreResult<()> {
        let id = message_id.to_string();
        self.write(move |tx| {
            tx.execute("DELETE FROM outbox WHERE message_id = ?1", [id])
                .map_err(db)?;
            Ok(())
        })
        .await
    }

    async fn claim_message(
        &self,
        message_id: &str,
        expires_at: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let (id, exp) = (message_id.to_string(), micros(expires_at));
        self.write(move |tx| {
            let n = tx
                .execute(
                    "INSERT INTO processed (message_id, expires_at) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
                    params![id, exp],
                )
                .map_err(db)?;
            Ok(n == 1)
        })
        .await
    }

    async fn claim_work(
        &self,
        message_id: &str,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> StoreResult<ClaimState> {
        let id = message_id.to_string();
        let (now, until) = (micros(now), micros(lease_until));
        // The marker outlives the lease by the processed-marker retention either way.
        let expires = until + KEEP_UNCONFIRMED_MICROS;
        let state = self
            .write(move |tx| {
                let current: Option<Option<i64>> = tx
                    .query_row(
                        "SELECT lease_until FROM processed WHERE message_id = ?1",
                        [&id],
                        |r| r.get(0),
                    )
                    .optional()
                    .map_err(db)?;
                match current {
                    Some(None) => return Ok(Err(None)),
                    Some(Some(held)) if held > now => return Ok(Err(Some(held))),
                    _ => {}
                }
                tx.execute(
                    "INSERT INTO processed (message_id, expires_at, lease_until) VALUES (?1, ?2, ?3)
                     ON CONFLICT (message_id) DO UPDATE SET expires_at = excluded.expires_at,
                     lease_until = excluded.lease_until",
                    params![id, expires, until],
                )
                .map_err(db)?;
                Ok(Ok(()))
            })
            .await?;
        Ok(match state {
            Ok(()) => ClaimState::Claimed,
            Err(None) => ClaimState::Done,
            Err(Some(held)) => ClaimState::Leased {
                until: from_micros(held)?,
            },
        })
    }

    async fn confirm_work(&self, message_id: &str, kept_until: DateTime<Utc>) -> StoreResult<()> {
        let (id, exp) = (message_id.to_string(), micros(kept_until));
        self.write(move |tx| {
            tx.execute(
                "INSERT INTO processed (message_id, expires_at, lease_until) VALUES (?1, ?2, NULL)
                 ON CONFLICT (message_id) DO UPDATE SET expires_at = excluded.expires_at,
                 lease_until = NULL",
                params![id, exp],
            )
            .map_err(db)?;
            Ok(())
        })
        .await
    }

    fn delivers_outbox(&self) -> bool {
        self.outbox_into_queue()
    }

    async fn release_message(&self, message_id: &str) -> StoreResult<()> {
        let id = message_id.to_string();
        self.write(move |tx| {
            tx.execute("DELETE FROM processed WHERE message_id = ?1", params![id])
                .map_err(db)?;
            Ok(())
        })
        .await
    }
}
