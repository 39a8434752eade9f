//! Bulk loading of due-index and inbox rows for benchmarks: one transaction, no case rows needed.

use fallwerk_core::ports::{DueEntry, StoreError, StoreResult};
use rusqlite::{Connection, params};

use crate::codec::{db, micros};
use crate::store::SqliteStore;

impl SqliteStore {
    /// A connection of its own to the database file, with foreign keys off.
    fn bulk_connection(&self) -> StoreResult<Connection> {
        let path = self
            .path()
            .ok_or_else(|| StoreError::Backend("bulk loading needs a database file".into()))?;
        let conn = Connection::open(path).map_err(db)?;
        conn.busy_timeout(std::time::Duration::from_secs(30))
            .map_err(db)?;
        conn.pragma_update(None, "foreign_keys", false)
            .map_err(db)?;
        Ok(conn)
    }

    /// Inserts due-index rows directly (without cases, so on a connection of its own with
    /// foreign keys off), in one transaction. For benchmarks only: the index must otherwise
    /// derive from saved cases. Needs a file database.
    #[doc(hidden)]
    pub fn bench_load_deadlines(
        &self,
        entries: impl IntoIterator<Item = DueEntry>,
    ) -> StoreResult<usize> {
        let mut conn = self.bulk_connection()?;
        let tx = conn.transaction().map_err(db)?;
        let mut n = 0;
        {
            let mut stmt = tx
                .prepare("INSERT INTO deadlines (case_id, deadline_id, kind, fire_at) VALUES (?1, ?2, ?3, ?4)")
                .map_err(db)?;
            for e in entries {
                stmt.execute(params![
                    e.case_id,
                    e.deadline_id,
                    e.kind.as_str(),
                    micros(e.fire_at)
                ])
                .map_err(db)?;
                n += 1;
            }
        }
        tx.commit().map_err(db)?;
        Ok(n)
    }

    /// Inserts inbox rows directly (without their cases, foreign keys off), in one transaction.
    /// For benchmarks only: the inbox must otherwise derive from saved cases.
    #[doc(hidden)]
    pub fn bench_load_inbox(
        &self,
        cases: impl IntoIterator<Item = fallwerk_core::model::Case>,
    ) -> StoreResult<usize> {
        let mut conn = self.bulk_connection()?;
        let tx = conn.transaction().map_err(db)?;
        let mut n = 0;
        for case in cases {
            crate::inbox_index::write(&tx, &case)?;
            n += 1;
        }
        tx.commit().map_err(db)?;
        Ok(n)
    }
}
