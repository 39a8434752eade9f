//! The writer thread behind `SqliteStore::write`: it owns the write connection and commits
//! whatever writes are waiting in one transaction (group commit), each in its own savepoint.
//!
//! Why: with `synchronous=FULL` every commit waits for an fsync. Committing the writes that
//! queued up meanwhile together keeps each caller's guarantee ("`Ok` means durable") while the
//! fsync is paid once per batch instead of once per write.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, mpsc};
use std::thread::JoinHandle;

use fallwerk_core::ports::{StoreError, StoreResult};
use rusqlite::Connection;
use tokio::sync::oneshot;

/// The most writes committed together; bounds the latency one batch adds to its last member.
const MAX_BATCH: usize = 128;

/// How a submitted closure runs.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Job {
    /// Inside the next group commit, in its own savepoint.
    Write,
    /// Outside any transaction (in-memory databases, whose only connection is the writer's).
    Read,
}

/// A submitted closure with its caller's reply channel, type-erased for the queue.
trait Work: Send {
    /// Runs the closure once; `true` when it succeeded.
    fn run(&mut self, conn: &Connection) -> bool;
    /// Answers the caller once the fate of the transaction is known.
    fn finish(self: Box<Self>, commit: Result<(), String>);
}

struct Pending<T, F> {
    f: Option<F>,
    out: Option<StoreResult<T>>,
    reply: oneshot::Sender<StoreResult<T>>,
}

impl<T, F> Work for Pending<T, F>
where
    T: Send,
    F: FnOnce(&Connection) -> StoreResult<T> + Send,
{
    fn run(&mut self, conn: &Connection) -> bool {
        let Some(f) = self.f.take() else {
            return false;
        };
        // A panic must not take the writer thread (and every later write) with it.
        let out = catch_unwind(AssertUnwindSafe(|| f(conn)))
            .unwrap_or_else(|_| Err(StoreError::Backend("a storage write panicked".into())));
        let ok = out.is_ok();
        self.out = Some(out);
        ok
    }

    fn finish(self: Box<Self>, commit: Result<(), String>) {
        let result = match (self.out, commit) {
            (Some(Err(e)), _) => Err(e),
            (Some(Ok(v)), Ok(())) => Ok(v),
            (_, Err(reason)) => Err(StoreError::Backend(reason)),
            (None, Ok(())) => Err(StoreError::Backend("the write was not run".into())),
        };
        // The caller may have gone away (cancelled request); the write stands regardless.
        let _ = self.reply.send(result);
    }
}

enum Msg {
    Write(Box<dyn Work>),
    Read(Box<dyn Work>),
}

/// Handle of the writer thread; dropping it lets the thread finish queued work and joins it.
pub(crate) struct Writer {
    tx: Option<mpsc::Sender<Msg>>,
    thread: Option<JoinHandle<()>>,
    commits: Arc<AtomicU64>,
}

fn stopped() -> StoreError {
    StoreError::Backend("the storage writer has stopped".into())
}

impl Writer {
    pub(crate) fn spawn(conn: Connection) -> StoreResult<Self> {
        let (tx, rx) = mpsc::channel();
        let commits = Arc::new(AtomicU64::new(0));
        let counter = Arc::clone(&commits);
        let thread = std::thread::Builder::new()
            .name("fallwerk-sqlite-writer".into())
            .spawn(move || run(conn, rx, &counter))
            .map_err(|e| StoreError::Backend(format!("cannot start the storage writer: {e}")))?;
        Ok(Writer {
            tx: Some(tx),
            thread: Some(thread),
            commits,
        })
    }

    /// Queues `f` at once (so the order of calls is the order of execution) and returns the
    /// future of its outcome.
    pub(crate) fn submit<T, F>(
        &self,
        job: Job,
        f: F,
    ) -> impl Future<Output = StoreResult<T>> + use<T, F>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> StoreResult<T> + Send + 'static,
    {
        let (reply, answer) = oneshot::channel();
        let work: Box<dyn Work> = Box::new(Pending {
            f: Some(f),
            out: None,
            reply,
        });
        let msg = match job {
            Job::Write => Msg::Write(work),
            Job::Read => Msg::Read(work),
        };
        let sent = match &self.tx {
            Some(tx) => tx.send(msg).map_err(|_| stopped()),
            None => Err(stopped()),
        };
        async move {
            sent?;
            answer.await.map_err(|_| stopped())?
        }
    }

    /// Transactions committed so far.
    pub(crate) fn commits(&self) -> u64 {
        self.commits.load(Ordering::Relaxed)
    }

    /// The live commit counter (the checkpointer watches it).
    pub(crate) fn commit_counter(&self) -> Arc<AtomicU64> {
        Arc::clone(&self.commits)
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        drop(self.tx.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn run(conn: Connection, rx: mpsc::Receiver<Msg>, commits: &AtomicU64) {
    let mut carried: Option<Msg> = None;
    loop {
        let next = match carried.take() {
            Some(msg) => msg,
            None => match rx.recv() {
                Ok(msg) => msg,
                Err(_) => return,
            },
        };
        match next {
            Msg::Read(mut work) => {
                work.run(&conn);
                work.finish(Ok(()));
            }
            Msg::Write(work) => {
                let mut batch = vec![work];
                while batch.len() < MAX_BATCH {
                    match rx.try_recv() {
                        Ok(Msg::Write(w)) => batch.push(w),
                        Ok(read) => {
                            carried = Some(read);
                            break;
                        }
                        Err(_) => break,
                    }
                }
                if commit_batch(&conn, batch) {
                    commits.fetch_add(1, Ordering::Relaxed);
                }
            }
        }
    }
}

/// Runs `jobs` in one transaction, one savepoint each, and commits once. A failing job rolls
/// back its own savepoint; if SQLite aborts the whole transaction (disk full, I/O error), the
/// jobs run so far fail with it and the rest start a new transaction. `true` if the last
/// transaction committed.
fn commit_batch(conn: &Connection, jobs: Vec<Box<dyn Work>>) -> bool {
    let mut committed = false;
    let mut pending = jobs.into_iter().peekable();
    while pending.peek().is_some() {
        if let Err(e) = conn.execute_batch("BEGIN IMMEDIATE") {
            let reason = format!("cannot begin a write transaction: {e}");
            for job in pending {
                job.finish(Err(reason.clone()));
            }
            return false;
        }
        let mut ran: Vec<Box<dyn Work>> = Vec::new();
        let mut aborted = None;
        for mut job in pending.by_ref() {
            if let Err(e) = conn.execute_batch("SAVEPOINT write") {
                aborted = Some(format!("cannot open a savepoint: {e}"));
                ran.push(job);
                break;
            }
            let ok = job.run(conn);
            ran.push(job);
            if conn.is_autocommit() {
                aborted = Some("SQLite rolled the write transaction back".to_string());
                break;
            }
            let end = if ok {
                "RELEASE write"
            } else {
                "ROLLBACK TO write; RELEASE write"
            };
            if let Err(e) = conn.execute_batch(end) {
                aborted = Some(format!("cannot close a savepoint: {e}"));
                break;
            }
        }
        let outcome = match aborted {
            Some(reason) => {
                if !conn.is_autocommit() {
                    let _ = conn.execute_batch("ROLLBACK");
                }
                Err(reason)
            }
            None => conn.execute_batch("COMMIT").map_err(|e| {
                if !conn.is_autocommit() {
                    let _ = conn.execute_batch("ROLLBACK");
                }
                format!("commit failed: {e}")
            }),
        };
        committed = outcome.is_ok();
        for job in ran {
            job.finish(outcome.clone());
        }
    }
    committed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn writer() -> Writer {
        let conn = Connection::open_in_memory().expect("open");
        conn.execute_batch("CREATE TABLE t (x INTEGER PRIMARY KEY)")
            .expect("schema");
        Writer::spawn(conn).expect("writer")
    }

    fn insert(x: i64) -> impl FnOnce(&Connection) -> StoreResult<()> + Send + 'static {
        move |c| {
            c.execute("INSERT INTO t (x) VALUES (?1)", [x])
                .map_err(crate::codec::db)?;
            Ok(())
        }
    }

    async fn rows(w: &Writer) -> Vec<i64> {
        w.submit(Job::Read, |c| {
            let mut stmt = c
                .prepare("SELECT x FROM t ORDER BY x")
                .map_err(crate::codec::db)?;
            let rows = stmt.query_map([], |r| r.get(0)).map_err(crate::codec::db)?;
            rows.collect::<Result<Vec<i64>, _>>()
                .map_err(crate::codec::db)
        })
        .await
        .expect("read")
    }

    /// Holds the writer inside its first batch until the returned sender is dropped.
    fn gate(w: &Writer) -> (mpsc::Sender<()>, impl Future<Output = StoreResult<()>>) {
        let (open, wait) = mpsc::channel::<()>();
        let held = w.submit(Job::Write, move |_| {
            let _ = wait.recv();
            Ok(())
        });
        (open, held)
    }

    #[tokio::test]
    async fn writes_waiting_together_share_one_commit() {
        let w = writer();
        let (open, held) = gate(&w);
        let queued: Vec<_> = (1..=10).map(|x| w.submit(Job::Write, insert(x))).collect();
        drop(open);
        held.await.expect("gate");
        for q in queued {
            q.await.expect("write");
        }
        assert_eq!(rows(&w).await, (1..=10).collect::<Vec<_>>());
        // The gate's batch, then the ten that queued behind it (or all eleven together).
        assert!(w.commits() <= 2, "{} commits for 11 writes", w.commits());
    }

    #[tokio::test]
    async fn a_failing_write_rolls_back_alone() {
        let w = writer();
        let (open, held) = gate(&w);
        let first = w.submit(Job::Write, insert(1));
        let failing = w.submit(Job::Write, |c| {
            c.execute("INSERT INTO t (x) VALUES (2)", [])
                .map_err(crate::codec::db)?;
            Err::<(), _>(StoreError::NotFound("on purpose".into()))
        });
        let duplicate = w.submit(Job::Write, insert(1));
        let last = w.submit(Job::Write, insert(3));
        drop(open);
        held.await.expect("gate");
        first.await.expect("first");
        assert!(matches!(failing.await, Err(StoreError::NotFound(_))));
        assert!(matches!(duplicate.await, Err(StoreError::Backend(_))));
        last.await.expect("last");
        assert_eq!(rows(&w).await, vec![1, 3], "the failed writes left nothing");
    }

    #[tokio::test]
    async fn a_panicking_write_fails_and_the_writer_goes_on() {
        let w = writer();
        let panicked = w
            .submit(Job::Write, |c| -> StoreResult<()> {
                c.execute("INSERT INTO t (x) VALUES (7)", [])
                    .map_err(crate::codec::db)?;
                panic!("on purpose")
            })
            .await;
        assert!(matches!(panicked, Err(StoreError::Backend(m)) if m.contains("panicked")));
        w.submit(Job::Write, insert(8)).await.expect("next write");
        assert_eq!(rows(&w).await, vec![8]);
    }
}
