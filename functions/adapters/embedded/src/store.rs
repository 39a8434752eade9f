//! The SQLite store handle: opening (pragmas, migrations) and running blocking work off the
//! async runtime on one shared connection.

use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};

use fallwerk_core::ports::{StoreError, StoreResult};
use rusqlite::{Connection, Transaction, TransactionBehavior};

use crate::codec::db;
use crate::schema;

/// fallwerk's embedded store: one SQLite database in WAL mode.
///
/// All access goes through one connection behind a mutex, on tokio's blocking pool; every
/// create/save is one `BEGIN IMMEDIATE` transaction, so other processes opening the same file
/// are serialised by SQLite's lock (with a busy timeout) rather than failing.
#[derive(Clone)]
pub struct SqliteStore {
    conn: Arc<Mutex<Connection>>,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore").finish_non_exhaustive()
    }
}

/// How long a writer waits for another process's lock before failing.
const BUSY_TIMEOUT_MS: u64 = 5_000;

impl SqliteStore {
    /// Opens (creating if needed) the database file and brings its schema up to date.
    pub fn open(path: impl AsRef<Path>) -> StoreResult<Self> {
        let conn = Connection::open(path).map_err(db)?;
        Self::init(conn, true)
    }

    /// A private in-memory database (tests only; same SQL as a file, no WAL).
    pub fn open_in_memory() -> StoreResult<Self> {
        let conn = Connection::open_in_memory().map_err(db)?;
        Self::init(conn, false)
    }

    fn init(mut conn: Connection, wal: bool) -> StoreResult<Self> {
        conn.busy_timeout(std::time::Duration::from_millis(BUSY_TIMEOUT_MS))
            .map_err(db)?;
        if wal {
            let mode: String = conn
                .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
                .map_err(db)?;
            if !mode.eq_ignore_ascii_case("wal") {
                return Err(StoreError::Backend(format!(
                    "could not enable WAL (journal_mode is {mode})"
                )));
            }
        }
        // FULL: a commit that was acknowledged (e.g. a 201 to the portal) survives power loss.
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(db)?;
        conn.pragma_update(None, "foreign_keys", true).map_err(db)?;
        schema::migrate(&mut conn)?;
        Ok(SqliteStore {
            conn: Arc::new(Mutex::new(conn)),
        })
    }

    /// Runs `f` with the connection on the blocking pool.
    pub(crate) async fn run<T, F>(&self, f: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> StoreResult<T> + Send + 'static,
    {
        let conn = Arc::clone(&self.conn);
        tokio::task::spawn_blocking(move || {
            // A panic while holding the lock cannot leave a transaction open (it rolls back on
            // drop), so the connection is still usable.
            let mut guard = conn.lock().unwrap_or_else(PoisonError::into_inner);
            f(&mut guard)
        })
        .await
        .map_err(|e| StoreError::Backend(format!("storage task failed: {e}")))?
    }

    /// Runs `f` inside one `BEGIN IMMEDIATE` transaction, committed when `f` returns `Ok`.
    pub(crate) async fn write<T, F>(&self, f: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction<'_>) -> StoreResult<T> + Send + 'static,
    {
        self.run(move |conn| {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(db)?;
            let out = f(&tx)?;
            tx.commit().map_err(db)?;
            Ok(out)
        })
        .await
    }

    /// Synchronous access for the bulk loader (benchmarks).
    pub(crate) fn lock(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
