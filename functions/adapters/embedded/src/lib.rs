//! fallwerk's embedded storage: [`SqliteStore`] keeps cases, history, postbox, directory, due
//! index, ledger, leases, outbox, counters and users in one SQLite file (WAL); [`FsBlobStore`] keeps
//! checksummed blobs in a directory. Both pass the shared contract suite (`fallwerk-contract`).
//! [`SqliteQueue`] is the durable queue in the same database; [`EmlMailer`] writes e-mail as
//! `.eml` files and [`DirectorySink`] delivers export packages to a directory.

mod blob;
mod bulk;
mod cases;
mod checkpoint;
mod codec;
mod directory;
mod export_dir;
mod inbox_index;
mod mail;
mod outbox;
mod queue;
mod scheduler;
mod schema;
mod store;
mod thread;
mod users;
mod writer;

pub use blob::FsBlobStore;
pub use export_dir::DirectorySink;
pub use mail::EmlMailer;
pub use queue::{
    Clock, DEFAULT_MAX_RECEIVES, DeadLetter, Delivery, FailOutcome, QueueStats, SqliteQueue,
};
pub use store::SqliteStore;

/// Relative paths that are empty, absolute, leave their root or are ambiguous: every path check
/// of this crate refuses them.
#[cfg(test)]
const UNSAFE_PATHS: [&str; 8] = [
    "",
    "/etc/passwd",
    "../x",
    "a/../b",
    "a/./b",
    "a//b",
    "a/",
    "a\\b",
];
