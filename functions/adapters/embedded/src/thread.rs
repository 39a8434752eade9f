//! The caseworkers' read marks on postbox messages (SQLite): the mark lives inside the message
//! record (`messages.data`, JSON field `read`), set once; the case row and its version stay
//! untouched.

use fallwerk_core::model::{Message, ReadMark};
use fallwerk_core::ports::{StoreError, StoreResult};
use rusqlite::{OptionalExtension, params};

use crate::codec::{db, from_json, query_all, to_json};
use crate::store::SqliteStore;

impl SqliteStore {
    pub(crate) async fn redact(&self, case_id: &str) -> StoreResult<()> {
        let case_id = case_id.to_string();
        self.write(move |tx| {
            let rows: Vec<(String, String)> = query_all(
                tx,
                "SELECT id, data FROM messages WHERE case_id = ?1",
                [&case_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            let mut update = tx
                .prepare_cached("UPDATE messages SET data = ?2 WHERE id = ?1")
                .map_err(db)?;
            for (id, data) in rows {
                let m: Message = from_json(&data)?;
                update
                    .execute(params![id, to_json(&m.redacted())?])
                    .map_err(db)?;
            }
            Ok(())
        })
        .await
    }

    pub(crate) async fn mark_read(
        &self,
        case_id: &str,
        message_id: &str,
        mark: &ReadMark,
    ) -> StoreResult<bool> {
        let (case_id, message_id) = (case_id.to_string(), message_id.to_string());
        let mark = to_json(mark)?;
        self.write(move |tx| {
            let changed = tx
                .execute(
                    "UPDATE messages SET data = json_set(data, '$.read', json(?3))
                     WHERE id = ?1 AND case_id = ?2 AND json_extract(data, '$.read') IS NULL",
                    params![message_id, case_id, mark],
                )
                .map_err(db)?;
            if changed > 0 {
                return Ok(true);
            }
            let exists = tx
                .query_row(
                    "SELECT 1 FROM messages WHERE id = ?1 AND case_id = ?2",
                    params![message_id, case_id],
                    |_| Ok(()),
                )
                .optional()
                .map_err(db)?;
            match exists {
                Some(()) => Ok(false),
                None => Err(StoreError::NotFound(format!("message {message_id}"))),
            }
        })
        .await
    }
}
