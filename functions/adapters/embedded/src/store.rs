//! The SQLite store handle: opening (pragmas, migrations), one writer thread that commits
//! concurrent writes together (group commit), and a small pool of reader connections.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use fallwerk_core::ports::{StoreError, StoreResult};
use rusqlite::{Connection, OpenFlags};

use crate::checkpoint::{Checkpointer, WRITER_AUTOCHECKPOINT_PAGES};
use crate::codec::db;
use crate::schema;
use crate::writer::{Job, Writer};

/// fallwerk's embedded store: one SQLite database in WAL mode.
///
/// Writes go to one writer thread. It takes every write that is waiting, runs each in its own
/// savepoint of one `BEGIN IMMEDIATE` transaction, and commits once: a caller's `Ok` still
/// means "committed with `synchronous=FULL`", but sixteen concurrent submissions share one
/// fsync instead of paying sixteen. A failing write rolls back its savepoint only.
/// Reads run on pooled connections of their own (WAL readers do not wait for the writer).
/// Other processes opening the same file are serialised by SQLite's lock and busy timeout.
#[derive(Clone)]
pub struct SqliteStore {
    inner: Arc<Inner>,
    outbox_into_queue: bool,
}

struct Inner {
    /// Stops before the writer does (fields drop in order).
    _checkpointer: Option<Checkpointer>,
    writer: Writer,
    /// `None` for an in-memory database: its only connection is the writer's.
    path: Option<PathBuf>,
    readers: Mutex<Vec<Connection>>,
}

impl Inner {
    /// Runs `f` on a pooled reader connection (opened when none is idle) and returns the
    /// connection to the pool.
    fn on_reader<T>(
        &self,
        path: &Path,
        f: impl FnOnce(&Connection) -> StoreResult<T>,
    ) -> StoreResult<T> {
        let pooled = self
            .readers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop();
        let conn = match pooled {
            Some(c) => c,
            None => open_reader(path)?,
        };
        let out = f(&conn);
        let mut idle = self.readers.lock().unwrap_or_else(PoisonError::into_inner);
        if idle.len() < MAX_IDLE_READERS {
            idle.push(conn);
        }
        out
    }
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore").finish_non_exhaustive()
    }
}

/// How long a connection waits for another process's lock before failing.
const BUSY_TIMEOUT_MS: u64 = 5_000;
/// Idle reader connections kept open.
const MAX_IDLE_READERS: usize = 8;

impl SqliteStore {
    /// Opens (creating if needed) the database file and brings its schema up to date.
    pub fn open(path: impl AsRef<Path>) -> StoreResult<Self> {
        let path = path.as_ref();
        let mut conn = Connection::open(path).map_err(db)?;
        prepare(&mut conn, true)?;
        conn.pragma_update(None, "wal_autocheckpoint", WRITER_AUTOCHECKPOINT_PAGES)
            .map_err(db)?;
        Self::start(conn, Some(path.to_path_buf()))
    }

    /// A private in-memory database (tests only; same SQL as a file, no WAL).
    pub fn open_in_memory() -> StoreResult<Self> {
        let mut conn = Connection::open_in_memory().map_err(db)?;
        prepare(&mut conn, false)?;
        Self::start(conn, None)
    }

    fn start(conn: Connection, path: Option<PathBuf>) -> StoreResult<Self> {
        let writer = Writer::spawn(conn)?;
        let checkpointer = match &path {
            Some(p) => Some(Checkpointer::spawn(p, writer.commit_counter())?),
            None => None,
        };
        Ok(SqliteStore {
            inner: Arc::new(Inner {
                _checkpointer: checkpointer,
                writer,
                path,
                readers: Mutex::new(Vec::new()),
            }),
            outbox_into_queue: false,
        })
    }

    /// Writes the queue messages of a case change straight onto the [`crate::SqliteQueue`]
    /// (same database, same transaction) instead of into the outbox: the transactional outbox
    /// without the hand-off, for a process whose consumers read this database.
    pub fn with_outbox_into_queue(mut self) -> Self {
        self.outbox_into_queue = true;
        self
    }

    /// Transactions the writer has committed so far (each holds every write that was waiting):
    /// writes per commit is what group commit saves.
    pub fn commits(&self) -> u64 {
        self.inner.writer.commits()
    }

    pub(crate) fn outbox_into_queue(&self) -> bool {
        self.outbox_into_queue
    }

    /// The database file (`None` when in memory).
    pub(crate) fn path(&self) -> Option<&Path> {
        self.inner.path.as_deref()
    }

    /// Runs the read-only `f` on a pooled reader connection, on the blocking pool. (In memory,
    /// on the writer's connection, outside any write transaction.)
    pub(crate) async fn run<T, F>(&self, f: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> StoreResult<T> + Send + 'static,
    {
        let Some(path) = self.inner.path.clone() else {
            return self.inner.writer.submit(Job::Read, f).await;
        };
        let inner = Arc::clone(&self.inner);
        tokio::task::spawn_blocking(move || inner.on_reader(&path, f))
            .await
            .map_err(|e| StoreError::Backend(format!("storage task failed: {e}")))?
    }

    /// Like [`SqliteStore::run`], but on the calling thread: for reads of one row by its key,
    /// which take microseconds (a WAL reader never waits for the writer), less than handing
    /// them to the blocking pool and back. Intake reads three such rows per submission.
    pub(crate) async fn run_point<T, F>(&self, f: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> StoreResult<T> + Send + 'static,
    {
        match self.inner.path.clone() {
            Some(path) => self.inner.on_reader(&path, f),
            None => self.inner.writer.submit(Job::Read, f).await,
        }
    }

    /// Runs `f` as part of the next group commit; its effects are committed (durably) when this
    /// returns `Ok`, and rolled back alone when `f` fails.
    pub(crate) async fn write<T, F>(&self, f: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> StoreResult<T> + Send + 'static,
    {
        self.inner.writer.submit(Job::Write, f).await
    }
}

/// Prepared statements the writer connection keeps.
const WRITER_STATEMENT_CACHE: usize = 128;

/// Pragmas and migrations on the writer connection.
fn prepare(conn: &mut Connection, wal: bool) -> StoreResult<()> {
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
    in_memory_temp(conn)?;
    // Every write runs through this one connection; the default cache (16) is smaller than the
    // number of statements a case's write alone uses, and a miss prepares the statement anew.
    conn.set_prepared_statement_cache_capacity(WRITER_STATEMENT_CACHE);
    schema::migrate(conn)?;
    crate::inbox_index::backfill(conn)
}

/// A connection that can only read (`query_only`), so a mistaken write through `run` fails
/// instead of bypassing the writer.
fn open_reader(path: &Path) -> StoreResult<Connection> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(db)?;
    conn.busy_timeout(std::time::Duration::from_millis(BUSY_TIMEOUT_MS))
        .map_err(db)?;
    conn.pragma_update(None, "query_only", true).map_err(db)?;
    in_memory_temp(&conn)?;
    Ok(conn)
}

/// Statement journals and sorting space in memory, not in files: SQLite created and deleted a
/// temporary file in `/var/tmp` for about every third submission (statements inside the group
/// commit's savepoints), and each new file costs an inode (docs/BENCHMARKS.md). They hold
/// what one statement changes or sorts, which is small here.
fn in_memory_temp(conn: &Connection) -> StoreResult<()> {
    conn.pragma_update(None, "temp_store", "MEMORY").map_err(db)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Both kinds of connection keep temporary data in memory (`temp_store` 2).
    #[tokio::test]
    async fn temporary_data_stays_in_memory() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = SqliteStore::open(dir.path().join("f.db")).expect("open");
        let pragma = |c: &Connection| {
            c.query_row("PRAGMA temp_store", [], |r| r.get::<_, i64>(0))
                .map_err(db)
        };
        assert_eq!(store.run(pragma).await.expect("reader"), 2);
        assert_eq!(store.write(pragma).await.expect("writer"), 2);
    }
}
