//! The contract checks, one `pub async fn` each; every one gets a fresh, empty store.

mod blob;
mod cases;
mod concurrency;
mod directory;
mod inbox;
mod inbox_search;
mod outbox;
mod scheduler;
mod thread;
mod users;

pub use blob::*;
pub use cases::*;
pub use concurrency::*;
pub use directory::*;
pub use inbox::*;
pub use inbox_search::*;
pub use outbox::*;
pub use scheduler::*;
pub use thread::*;
pub use users::*;

use std::fmt::Debug;

/// Unwraps a store result in a check, naming what was being done when it failed.
pub(crate) fn ok<T, E: Debug>(r: Result<T, E>, what: &str) -> T {
    match r {
        Ok(v) => v,
        Err(e) => panic!("{what} failed: {e:?}"),
    }
}
