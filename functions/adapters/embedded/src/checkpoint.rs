//! Background WAL checkpoints: a thread of its own copies committed WAL frames into the database
//! file, so the writer thread never stops a group commit to do it (an automatic checkpoint on
//! the writer blocked every write behind it for several milliseconds, which showed up in the
//! submission p99).

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread::JoinHandle;
use std::time::Duration;

use fallwerk_core::ports::{StoreError, StoreResult};
use rusqlite::Connection;

use crate::codec::db;

/// How often the checkpointer looks for new commits.
const INTERVAL: Duration = Duration::from_millis(200);

/// WAL pages after which the writer checkpoints by itself after all: the safety net should the
/// checkpointer fall behind (SQLite's default is 1000).
pub(crate) const WRITER_AUTOCHECKPOINT_PAGES: u32 = 20_000;

/// Handle of the checkpointer thread; dropping it stops and joins the thread.
pub(crate) struct Checkpointer {
    stop: Option<mpsc::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Checkpointer {
    /// Checkpoints `path` (PASSIVE: never waits for readers or the writer) whenever `commits`
    /// moved since the last look.
    pub(crate) fn spawn(path: &Path, commits: Arc<AtomicU64>) -> StoreResult<Self> {
        let conn = Connection::open(path).map_err(db)?;
        let (stop, stopped) = mpsc::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("fallwerk-sqlite-checkpoint".into())
            .spawn(move || {
                let mut seen = commits.load(Ordering::Relaxed);
                while let Err(RecvTimeoutError::Timeout) = stopped.recv_timeout(INTERVAL) {
                    let now = commits.load(Ordering::Relaxed);
                    if now == seen {
                        continue;
                    }
                    seen = now;
                    let result: rusqlite::Result<(i64, i64, i64)> =
                        conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| {
                            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
                        });
                    if let Err(e) = result {
                        tracing::warn!(error = %e, "WAL checkpoint failed; the writer will checkpoint");
                    }
                }
            })
            .map_err(|e| StoreError::Backend(format!("cannot start the checkpointer: {e}")))?;
        Ok(Checkpointer {
            stop: Some(stop),
            thread: Some(thread),
        })
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
