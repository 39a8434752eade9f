//! In-process queue consumers for `fallwerk serve`: the runtime's embedded consumers over the
//! data directory's queue.

use std::sync::Arc;

use fallwerk_runtime::{Embedded, WiringError};
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub fn spawn(
    embedded: &Embedded,
    stop: watch::Receiver<bool>,
) -> Result<Vec<JoinHandle<()>>, WiringError> {
    let ctx = Arc::new(embedded.worker_ctx()?);
    Ok(fallwerk_runtime::consumers::spawn(
        embedded.queue.clone(),
        ctx,
        stop,
    ))
}
