//! `CaseStore` for SQLite: create and save in one transaction each (case row, events,
//! messages, outbox, due index, idempotency record), history, postbox, reference counter.

use async_trait::async_trait;
use chrono::Utc;
use fallwerk_core::model::{Case, Message};
use fallwerk_core::ports::{
    CaseChange, CaseStore, CreateOutcome, NewCase, Page, StoreError, StoreResult, due_entries,
};
use fallwerk_events::{DomainEvent, QueueMessage};
use rusqlite::{Connection, OptionalExtension, params};

use crate::codec::{db, from_json, limit, micros, query_all, record_json};
use crate::store::SqliteStore;

/// A case and everything written with it, serialised and size-checked before the transaction.
struct Rows {
    case: Case,
    case_json: String,
    events: Vec<(u64, String)>,
    messages: Vec<(String, i64, String)>,
    /// `(queue, message_id, body)`.
    outbox: Vec<(&'static str, String, String)>,
}

impl Rows {
    fn new(
        case: Case,
        events: &[DomainEvent],
        messages: &[Message],
        outbox: &[QueueMessage],
    ) -> StoreResult<Self> {
        let case_json = record_json(&case, || format!("case {}", case.id))?;
        let events = events
            .iter()
            .map(|e| {
                Ok((
                    e.seq,
                    record_json(e, || format!("event {} of case {}", e.seq, e.case_id))?,
                ))
            })
            .collect::<StoreResult<_>>()?;
        let messages = messages
            .iter()
            .map(|m| {
                Ok((
                    m.id.clone(),
                    micros(m.at),
                    record_json(m, || format!("message {}", m.id))?,
                ))
            })
            .collect::<StoreResult<_>>()?;
        let outbox = outbox
            .iter()
            .map(|m| {
                Ok((
                    m.queue().as_str(),
                    m.message_id().to_string(),
                    record_json(m, || format!("outbox message {}", m.message_id()))?,
                ))
            })
            .collect::<StoreResult<_>>()?;
        Ok(Rows {
            case,
            case_json,
            events,
            messages,
            outbox,
        })
    }

    /// Writes everything but the case row itself; queue messages go to the outbox, or with
    /// `into_queue` straight onto the queue, visible from the change's time.
    fn write_children(&self, tx: &Connection, into_queue: bool) -> StoreResult<()> {
        let id = &self.case.id;
        let mut stmt = tx
            .prepare_cached("INSERT INTO events (case_id, seq, data) VALUES (?1, ?2, ?3)")
            .map_err(db)?;
        for (seq, data) in &self.events {
            let seq = i64::try_from(*seq)
                .map_err(|_| StoreError::Backend(format!("event seq {seq} out of range")))?;
            stmt.execute(params![id, seq, data]).map_err(db)?;
        }
        let mut stmt = tx
            .prepare_cached("INSERT INTO messages (id, case_id, at, data) VALUES (?1, ?2, ?3, ?4)")
            .map_err(db)?;
        for (mid, at, data) in &self.messages {
            stmt.execute(params![mid, id, at, data]).map_err(db)?;
        }
        if into_queue {
            let at = micros(self.case.updated_at);
            let mut stmt = tx
                .prepare_cached(
                    "INSERT INTO queue_messages (queue, message_id, body, visible_at, created_at)
                     VALUES (?1, ?2, ?3, ?4, ?4) ON CONFLICT (queue, message_id) DO NOTHING",
                )
                .map_err(db)?;
            for (queue, mid, data) in &self.outbox {
                stmt.execute(params![queue, mid, data, at]).map_err(db)?;
            }
        } else {
            let now = micros(Utc::now());
            let mut stmt = tx
                .prepare_cached(
                    "INSERT INTO outbox (message_id, created_at, data) VALUES (?1, ?2, ?3)",
                )
                .map_err(db)?;
            for (_, mid, data) in &self.outbox {
                stmt.execute(params![mid, now, data]).map_err(db)?;
            }
        }
        crate::inbox_index::write(tx, &self.case)?;
        tx.prepare_cached("DELETE FROM deadlines WHERE case_id = ?1")
            .and_then(|mut stmt| stmt.execute([id]))
            .map_err(db)?;
        let mut stmt = tx
            .prepare_cached("INSERT INTO deadlines (case_id, deadline_id, kind, fire_at) VALUES (?1, ?2, ?3, ?4)")
            .map_err(db)?;
        for e in due_entries(&self.case) {
            stmt.execute(params![
                id,
                e.deadline_id,
                e.kind.as_str(),
                micros(e.fire_at)
            ])
            .map_err(db)?;
        }
        Ok(())
    }

    /// Writes the case row with `sql`, an INSERT or UPDATE of `cases` whose parameters ?1 to ?9
    /// are id, version, org unit, status, open task, assignee, overdue, updated_at and data.
    fn write_case_row(&self, tx: &Connection, sql: &str) -> StoreResult<()> {
        let c = &self.case;
        let version = self.version()?;
        tx.prepare_cached(sql)
            .and_then(|mut stmt| {
                stmt.execute(params![
                    c.id,
                    version,
                    c.org_unit_id,
                    c.status.as_str(),
                    c.open_task().map(|t| t.as_str()),
                    c.assignee,
                    c.is_overdue(),
                    micros(c.updated_at),
                    self.case_json
                ])
            })
            .map_err(db)?;
        Ok(())
    }

    fn version(&self) -> StoreResult<i64> {
        i64::try_from(self.case.version)
            .map_err(|_| StoreError::Backend("case version out of range".into()))
    }
}

fn stored_version(tx: &Connection, case_id: &str) -> StoreResult<Option<u64>> {
    let v: Option<i64> = tx
        .prepare_cached("SELECT version FROM cases WHERE id = ?1")
        .and_then(|mut stmt| stmt.query_row([case_id], |r| r.get(0)).optional())
        .map_err(db)?;
    Ok(v.map(|v| v.max(0) as u64))
}

#[async_trait]
impl CaseStore for SqliteStore {
    async fn create_case(&self, new: NewCase) -> StoreResult<CreateOutcome> {
        let rows = Rows::new(new.case, &new.events, &new.messages, &new.outbox)?;
        let key = new.idempotency;
        let into_queue = self.outbox_into_queue();
        self.write(move |tx| {
            let seen: Option<(String, String)> = tx
                .prepare_cached(
                    "SELECT case_id, body_sha256 FROM idempotency WHERE client = ?1 AND submission_id = ?2",
                )
                .and_then(|mut stmt| {
                    stmt.query_row(params![key.portal_client_id, key.submission_id], |r| {
                        Ok((r.get(0)?, r.get(1)?))
                    })
                    .optional()
                })
                .map_err(db)?;
            if let Some((case_id, body_sha256)) = seen {
                return Ok(CreateOutcome::Duplicate { case_id, body_sha256 });
            }
            let c = &rows.case;
            if let Some(found) = stored_version(tx, &c.id)? {
                return Err(StoreError::VersionConflict { case_id: c.id.clone(), expected: 0, found: Some(found) });
            }
            tx.prepare_cached(
                "INSERT INTO idempotency (client, submission_id, case_id, body_sha256, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )
            .and_then(|mut stmt| {
                stmt.execute(params![key.portal_client_id, key.submission_id, c.id, key.body_sha256, micros(Utc::now())])
            })
            .map_err(db)?;
            // `summary` (NOT NULL since schema v1) fed the listing the inbox index replaced;
            // it stays empty until a schema change drops it.
            rows.write_case_row(
                tx,
                "INSERT INTO cases (id, version, org_unit_id, status, open_task, assignee, overdue, updated_at, summary, data)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, '', ?9)",
            )?;
            rows.write_children(tx, into_queue)?;
            Ok(CreateOutcome::Created)
        })
        .await
    }

    async fn load_case(&self, case_id: &str) -> StoreResult<Option<Case>> {
        let id = case_id.to_string();
        let data: Option<String> = self
            .run(move |conn| {
                conn.query_row("SELECT data FROM cases WHERE id = ?1", [id], |r| r.get(0))
                    .optional()
                    .map_err(db)
            })
            .await?;
        data.map(|d| from_json(&d)).transpose()
    }

    async fn save_case(&self, change: CaseChange) -> StoreResult<()> {
        let expected = change.expected_version;
        let rows = Rows::new(
            change.case,
            &change.events,
            &change.messages,
            &change.outbox,
        )?;
        let ledger = change.ledger;
        let into_queue = self.outbox_into_queue();
        self.write(move |tx| {
            let c = &rows.case;
            let found = stored_version(tx, &c.id)?;
            if found != Some(expected) {
                return Err(StoreError::VersionConflict { case_id: c.id.clone(), expected, found });
            }
            rows.write_case_row(
                tx,
                "UPDATE cases SET version = ?2, org_unit_id = ?3, status = ?4, open_task = ?5, assignee = ?6,
                        overdue = ?7, updated_at = ?8, summary = '', data = ?9
                 WHERE id = ?1",
            )?;
            rows.write_children(tx, into_queue)?;
            for entry in &ledger {
                crate::scheduler::insert_ledger_entry(tx, entry)?;
            }
            Ok(())
        })
        .await
    }

    async fn search_inbox(
        &self,
        query: &fallwerk_core::inbox::InboxSearch,
    ) -> StoreResult<Page<fallwerk_core::inbox::InboxItem>> {
        let query = query.clone();
        self.run(move |conn| crate::inbox_index::search(conn, &query))
            .await
    }

    async fn inbox_counts(
        &self,
        org_units: &[String],
    ) -> StoreResult<fallwerk_core::inbox::InboxCounts> {
        let org_units = org_units.to_vec();
        self.run(move |conn| crate::inbox_index::counts(conn, &org_units))
            .await
    }

    async fn history(
        &self,
        case_id: &str,
        after_seq: u64,
        limit_n: u32,
    ) -> StoreResult<Page<DomainEvent>> {
        let id = case_id.to_string();
        let after = i64::try_from(after_seq).unwrap_or(i64::MAX);
        let n = limit(limit_n.max(1));
        let rows: Vec<String> = self
            .run(move |conn| {
                query_all(
                    conn,
                    "SELECT data FROM events WHERE case_id = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3",
                    params![id, after, n + 1],
                    |r| r.get(0),
                )
            })
            .await?;
        let mut items = rows
            .iter()
            .map(|d| from_json::<DomainEvent>(d))
            .collect::<StoreResult<Vec<_>>>()?;
        let more = items.len() as i64 > n;
        items.truncate(n as usize);
        let next_cursor = if more {
            items.last().map(|e| e.seq.to_string())
        } else {
            None
        };
        Ok(Page { items, next_cursor })
    }

    async fn messages(&self, case_id: &str) -> StoreResult<Vec<Message>> {
        let id = case_id.to_string();
        let rows: Vec<String> = self
            .run(move |conn| {
                query_all(
                    conn,
                    "SELECT data FROM messages WHERE case_id = ?1 ORDER BY at, rowid",
                    [id],
                    |r| r.get(0),
                )
            })
            .await?;
        rows.iter().map(|d| from_json(d)).collect()
    }

    async fn mark_message_read(
        &self,
        case_id: &str,
        message_id: &str,
        mark: &fallwerk_core::model::ReadMark,
    ) -> StoreResult<bool> {
        self.mark_read(case_id, message_id, mark).await
    }

    async fn redact_messages(&self, case_id: &str) -> StoreResult<()> {
        self.redact(case_id).await
    }

    async fn next_reference_number(&self, year: i32) -> StoreResult<u64> {
        self.write(move |tx| {
            let v: i64 = tx
                .query_row(
                    "INSERT INTO counters (name, year, value) VALUES ('reference', ?1, 1)
                     ON CONFLICT (name, year) DO UPDATE SET value = value + 1
                     RETURNING value",
                    [year],
                    |r| r.get(0),
                )
                .map_err(db)?;
            Ok(v.max(0) as u64)
        })
        .await
    }
}
