//! In-process queue consumers for `fallwerk serve` (filled in with the messaging and export
//! workers).

use fallwerk_runtime::Embedded;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub fn spawn(_embedded: &Embedded, _stop: watch::Receiver<bool>) -> Vec<JoinHandle<()>> {
    Vec::new()
}
