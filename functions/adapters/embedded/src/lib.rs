//! fallwerk's embedded storage: [`SqliteStore`] keeps cases, history, postbox, directory, due
//! index, ledger, leases, outbox and counters in one SQLite file (WAL); [`FsBlobStore`] keeps
//! checksummed blobs in a directory. Both pass the shared contract suite (`fallwerk-contract`).

mod blob;
mod bulk;
mod cases;
mod codec;
mod directory;
mod inbox;
mod outbox;
mod scheduler;
mod schema;
mod store;

pub use blob::FsBlobStore;
pub use store::SqliteStore;
