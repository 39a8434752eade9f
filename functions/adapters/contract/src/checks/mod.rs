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

use fallwerk_core::inbox::{InboxItem, InboxSearch};
use fallwerk_core::ports::Store;

/// Unwraps a store result in a check, naming what was being done when it failed.
pub(crate) fn ok<T, E: Debug>(r: Result<T, E>, what: &str) -> T {
    match r {
        Ok(v) => v,
        Err(e) => panic!("{what} failed: {e:?}"),
    }
}

/// Follows the inbox's `next_cursor` from `q` to the end and returns every item; checks that no
/// page is larger than the limit and hands each page that carries a cursor to `cursor_page`
/// (with the limit) for the caller's own checks.
pub(crate) async fn all_pages<S: Store + 'static>(
    store: &S,
    mut q: InboxSearch,
    cursor_page: impl Fn(&[InboxItem], usize),
) -> Vec<InboxItem> {
    let limit = q.limit.clamp(1, 100) as usize;
    let mut out = Vec::new();
    for _ in 0..1000 {
        let page = ok(store.search_inbox(&q).await, "search_inbox");
        assert!(page.items.len() <= limit, "page larger than the limit");
        if page.next_cursor.is_some() {
            cursor_page(&page.items, limit);
        }
        out.extend(page.items);
        match page.next_cursor {
            Some(c) => q.cursor = Some(c),
            None => return out,
        }
    }
    panic!("inbox paging did not end");
}
