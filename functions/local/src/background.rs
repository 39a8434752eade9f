//! Background work of `fallwerk serve` (the embedded queue consumers) on a thread of its own,
//! with its own runtime, at a lower CPU priority than the requests.
//!
//! Why: consumers do the work a request leaves behind (e-mails, exports), and a burst of
//! submissions made them compete with intake for the same two cores. At nice 10 the kernel gives
//! them about a tenth of a busy CPU, so requests are answered first; the queue is durable, and
//! the consumers catch up as soon as the burst ends (docs/BENCHMARKS.md). On an idle machine
//! they run as fast as before.

use std::future::Future;
use std::thread::JoinHandle;

/// How much nicer than the requests the background thread is (and every thread it starts, such
/// as its runtime's blocking pool: Linux threads inherit the value).
pub const NICENESS: i32 = 10;

/// The running background thread.
pub struct Background {
    thread: JoinHandle<()>,
}

impl Background {
    /// Runs `work` (made on the new thread, inside its runtime) to its end at lower priority.
    pub fn spawn<F, Fut>(name: &str, work: F) -> std::io::Result<Background>
    where
        F: FnOnce() -> Fut + Send + 'static,
        Fut: Future<Output = ()>,
    {
        let thread = std::thread::Builder::new()
            .name(name.to_string())
            .spawn(move || {
                lower_priority();
                match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(runtime) => runtime.block_on(work()),
                    Err(e) => tracing::error!(error = %e, "background runtime not started"),
                }
            })?;
        Ok(Background { thread })
    }

    /// Waits until the work has ended.
    pub async fn join(self) {
        let thread = self.thread;
        if tokio::task::spawn_blocking(move || thread.join())
            .await
            .is_err()
        {
            tracing::error!("background thread ended abnormally");
        }
    }
}

/// Raises the calling thread's nice value by [`NICENESS`]; a failure only costs the priority.
fn lower_priority() {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: plain system calls on the calling thread; no memory is shared with them.
        let result = unsafe {
            let tid = libc::gettid();
            let current = libc::getpriority(libc::PRIO_PROCESS, tid as libc::id_t);
            libc::setpriority(libc::PRIO_PROCESS, tid as libc::id_t, current + NICENESS)
        };
        if result != 0 {
            tracing::warn!(
                error = %std::io::Error::last_os_error(),
                "background thread keeps the normal CPU priority"
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The work runs on a thread whose nice value is [`NICENESS`] above the caller's, and so do
    /// the threads of its blocking pool.
    #[cfg(target_os = "linux")]
    #[tokio::test]
    async fn the_work_runs_at_lower_priority() {
        fn nice() -> i32 {
            // SAFETY: reads the calling thread's priority.
            unsafe { libc::getpriority(libc::PRIO_PROCESS, libc::gettid() as libc::id_t) }
        }
        let caller = nice();
        let (tx, rx) = std::sync::mpsc::channel();
        let background = Background::spawn("test-background", move || async move {
            let own = nice();
            let pool = tokio::task::spawn_blocking(nice)
                .await
                .expect("blocking pool");
            tx.send((own, pool)).expect("send");
        })
        .expect("spawn");
        background.join().await;
        let (own, pool) = rx.recv().expect("the work ran");
        let expected = (caller + NICENESS).min(19);
        assert_eq!(own, expected);
        assert_eq!(pool, expected);
    }
}
