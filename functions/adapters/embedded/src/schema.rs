//! Schema migrations, embedded in the binary and applied in order, each in one transaction;
//! the applied version lives in `PRAGMA user_version`, so reopening is a no-op.

use fallwerk_core::ports::{StoreError, StoreResult};
use rusqlite::{Connection, TransactionBehavior};

use crate::codec::db;

/// `(version, sql)`, ascending; append only, never edit a released one.
const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("../migrations/0001_init.sql")),
    (2, include_str!("../migrations/0002_queue.sql")),
    (3, include_str!("../migrations/0003_users.sql")),
    (4, include_str!("../migrations/0004_inbox.sql")),
    (5, include_str!("../migrations/0005_claim_lease.sql")),
    (6, include_str!("../migrations/0006_inbox_counts.sql")),
    (
        7,
        include_str!("../migrations/0007_drop_old_inbox_indexes.sql"),
    ),
];

/// The schema version this build writes.
pub(crate) const LATEST: i64 = 7;

pub(crate) fn migrate(conn: &mut Connection) -> StoreResult<()> {
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(db)?;
    let current: i64 = tx
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(db)?;
    if current > LATEST {
        return Err(StoreError::Backend(format!(
            "database schema version {current} is newer than this build ({LATEST})"
        )));
    }
    for (version, sql) in MIGRATIONS.iter().filter(|(v, _)| *v > current) {
        tx.execute_batch(sql)
            .map_err(|e| StoreError::Backend(format!("migration {version} failed: {e}")))?;
        tx.pragma_update(None, "user_version", version)
            .map_err(db)?;
    }
    tx.commit().map_err(db)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn version(conn: &Connection) -> i64 {
        conn.query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap_or(-1)
    }

    #[test]
    fn migrates_once_and_reopens() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("f.db");
        let mut conn = Connection::open(&path).expect("open");
        migrate(&mut conn).expect("first migration");
        assert_eq!(version(&conn), LATEST);
        conn.execute("INSERT INTO org_units (id, data) VALUES ('x', '{}')", [])
            .expect("insert");
        drop(conn);
        let mut conn = Connection::open(&path).expect("reopen");
        migrate(&mut conn).expect("second migration is a no-op");
        let n: i64 = conn
            .query_row("SELECT count(*) FROM org_units", [], |r| r.get(0))
            .expect("count");
        assert_eq!(n, 1, "reopening keeps the data");
    }

    /// Migration 7 removes the indexes of the listing the inbox index replaced; nothing reads
    /// them, and every case change wrote them.
    #[test]
    fn the_old_inbox_indexes_are_gone() {
        let mut conn = Connection::open_in_memory().expect("open");
        migrate(&mut conn).expect("migrate");
        let old: i64 = conn
            .query_row(
                "SELECT count(*) FROM sqlite_master
                 WHERE type = 'index' AND name IN ('cases_inbox', 'cases_inbox_status')",
                [],
                |r| r.get(0),
            )
            .expect("count");
        assert_eq!(old, 0);
        let inbox: i64 = conn
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'inbox'",
                [],
                |r| r.get(0),
            )
            .expect("count");
        assert_eq!(inbox, 4, "the inbox table keeps its key and three indexes");
    }

    #[test]
    fn refuses_newer_schema() {
        let mut conn = Connection::open_in_memory().expect("open");
        conn.pragma_update(None, "user_version", LATEST + 1)
            .expect("pragma");
        assert!(matches!(migrate(&mut conn), Err(StoreError::Backend(_))));
    }
}
