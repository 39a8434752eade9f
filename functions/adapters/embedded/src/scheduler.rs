//! `SchedulerStore` for SQLite: the due index query, the reminder ledger, named leases.

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use fallwerk_core::ports::{DueEntry, LedgerEntry, SchedulerStore, StoreError, StoreResult};
use fallwerk_events::DeadlineKind;
use rusqlite::{Connection, OptionalExtension, params};

use crate::codec::{db, from_micros, limit, micros, query_all};
use crate::store::SqliteStore;

#[async_trait]
impl SchedulerStore for SqliteStore {
    async fn due(&self, now: DateTime<Utc>, limit_n: u32) -> StoreResult<Vec<DueEntry>> {
        let (now, n) = (micros(now), limit(limit_n));
        let rows: Vec<(i64, String, String, String)> = self
            .run(move |conn| {
                // A range scan of `deadlines_due`: cost follows the due rows, not the table.
                query_all(
                    conn,
                    "SELECT fire_at, case_id, deadline_id, kind FROM deadlines
                         WHERE fire_at <= ?1 ORDER BY fire_at, case_id, deadline_id LIMIT ?2",
                    params![now, n],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
                )
            })
            .await?;
        rows.into_iter()
            .map(|(fire_at, case_id, deadline_id, kind)| {
                let kind = DeadlineKind::parse(&kind).ok_or_else(|| {
                    StoreError::Backend(format!("unknown deadline kind {kind:?} in due index"))
                })?;
                Ok(DueEntry {
                    fire_at: from_micros(fire_at)?,
                    case_id,
                    deadline_id,
                    kind,
                })
            })
            .collect()
    }

    async fn ledger_put(&self, entry: &LedgerEntry) -> StoreResult<bool> {
        let e = entry.clone();
        self.write(move |tx| insert_ledger_entry(tx, &e)).await
    }

    async fn try_lease(
        &self,
        name: &str,
        holder: &str,
        now: DateTime<Utc>,
        ttl_seconds: u32,
    ) -> StoreResult<bool> {
        let (name, holder) = (name.to_string(), holder.to_string());
        let until = micros(now + Duration::seconds(i64::from(ttl_seconds)));
        let now = micros(now);
        self.write(move |tx| {
            let current: Option<(String, i64)> = tx
                .query_row("SELECT holder, expires_at FROM leases WHERE name = ?1", [&name], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })
                .optional()
                .map_err(db)?;
            if let Some((other, expires_at)) = current
                && other != holder
                && expires_at > now
            {
                return Ok(false);
            }
            tx.execute(
                "INSERT INTO leases (name, holder, expires_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at",
                params![name, holder, until],
            )
            .map_err(db)?;
            Ok(true)
        })
        .await
    }

    async fn release_lease(&self, name: &str, holder: &str) -> StoreResult<()> {
        let (name, holder) = (name.to_string(), holder.to_string());
        self.write(move |tx| {
            tx.execute(
                "DELETE FROM leases WHERE name = ?1 AND holder = ?2",
                [name, holder],
            )
            .map_err(db)?;
            Ok(())
        })
        .await
    }
}

/// Writes `entry` unless it exists; `true` when it was new. Also part of a case change's
/// transaction (`CaseChange::ledger`).
pub(crate) fn insert_ledger_entry(tx: &Connection, e: &LedgerEntry) -> StoreResult<bool> {
    let n = tx
        .prepare_cached(
            "INSERT INTO ledger (deadline_id, level, written_at, expires_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT DO NOTHING",
        )
        .and_then(|mut stmt| {
            stmt.execute(params![
                e.deadline_id,
                e.level.as_str(),
                micros(e.written_at),
                micros(e.expires_at)
            ])
        })
        .map_err(db)?;
    Ok(n == 1)
}
