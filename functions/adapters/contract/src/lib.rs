//! The shared contract test suite: every store adapter runs these checks against fresh,
//! isolated instances of itself, so all backends keep the same semantics (docs/ARCHITECTURE.md, "Storage").
//!
//! Use it from an adapter's integration test:
//!
//! ```ignore
//! async fn fresh() -> fallwerk_contract::Fixture<MyStore> { /* own file / table per call */ }
//! fallwerk_contract::contract_tests!(fresh);
//! ```
//!
//! The macro expands to one `#[tokio::test]` (multi-thread runtime) per check, so a failure
//! names the check; the adapter's test crate needs `tokio` (features `macros`,
//! `rt-multi-thread`) as a dev-dependency. [`run_all`] runs every check in one go instead.

pub mod checks;
pub mod fixtures;

use std::any::Any;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use fallwerk_core::ports::{BlobStore, Store};

/// A boxed, sendable future, as a tamper hook returns it.
pub type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;

/// A fresh, isolated store for one check, plus whatever keeps it alive (a temp dir, a table
/// that is dropped afterwards). The guard is dropped after the check.
pub struct Fixture<S> {
    pub store: Arc<S>,
    pub guard: Box<dyn Any + Send>,
}

impl<S> Fixture<S> {
    pub fn new(store: S, guard: impl Any + Send) -> Self {
        Fixture {
            store: Arc::new(store),
            guard: Box::new(guard),
        }
    }
}

/// Overwrites the stored bytes of a blob behind the store's back (simulates bit rot or
/// tampering): `(key, new_bytes)`.
pub type TamperFn = Arc<dyn Fn(String, Vec<u8>) -> BoxFuture<()> + Send + Sync>;

/// A fresh blob store with a way to corrupt it.
pub struct BlobFixture<B> {
    pub store: Arc<B>,
    pub tamper: TamperFn,
    pub guard: Box<dyn Any + Send>,
}

/// The one list of the store checks: calls `$callback!($($args)*; check, check, …)`. Every way
/// of running the suite ([`contract_tests!`], [`run_all`]) expands from here, so a check added
/// to `checks` and listed here runs against every adapter.
#[doc(hidden)]
#[macro_export]
macro_rules! __with_store_checks {
    ($callback:path; $($args:tt)*) => {
        $callback!($($args)*;
            create_load_round_trip,
            load_unknown_is_none,
            concurrent_create_is_idempotent,
            concurrent_save_one_wins,
            stale_save_conflicts,
            save_unknown_case_conflicts,
            history_append_only_and_paged,
            messages_thread_oldest_first,
            thread_read_marks,
            messages_redacted,
            inbox_limits_and_org_units,
            inbox_open_cases_of_one_assignee,
            inbox_invalid_cursor,
            inbox_follows_forward,
            inbox_search_filters_and_order,
            inbox_counts_per_status_and_task,
            inbox_search_invalid_cursor,
            inbox_search_paging_under_changes,
            due_lists_due_entries,
            due_follows_saves,
            ledger_put_once,
            ledger_entries_ride_with_the_change,
            ledger_put_concurrent,
            lease_exclusive_until_expiry,
            outbox_pending_and_done,
            claim_message_once,
            claim_work_lease,
            reference_counter_concurrent,
            directory_round_trip,
            users_round_trip,
            too_large_case_rejected,
        );
    };
}

/// The one list of the blob checks (as [`__with_store_checks!`]).
#[doc(hidden)]
#[macro_export]
macro_rules! __with_blob_checks {
    ($callback:path; $($args:tt)*) => {
        $callback!($($args)*;
            blob_round_trip,
            blob_wrong_hash_is_corrupt,
            blob_tampered_is_corrupt,
            blob_unknown_is_not_found,
            blob_delete,
            blob_sweep_keeps_recent_and_foreign,
            blob_streamed_in_chunks,
        );
    };
}

/// Expands to one `#[tokio::test]` per store check. `$factory` is a path to (or expression of)
/// a function `() -> impl Future<Output = Fixture<S>>`; with `skippable`, of one that yields
/// `Option<Fixture<S>>` (an adapter on an emulator: `None` skips the check, after the factory
/// said why, or failed under CI).
#[macro_export]
macro_rules! contract_tests {
    (skippable $factory:expr) => {
        $crate::__with_store_checks!($crate::__store_tests; skippable $factory);
    };
    ($factory:expr) => {
        $crate::__with_store_checks!($crate::__store_tests; $factory);
    };
}

/// Expands to one `#[tokio::test]` per blob check; `$factory` yields a [`BlobFixture`] (with
/// `skippable`, an `Option` of one).
#[macro_export]
macro_rules! blob_contract_tests {
    (skippable $factory:expr) => {
        $crate::__with_blob_checks!($crate::__blob_tests; skippable $factory);
    };
    ($factory:expr) => {
        $crate::__with_blob_checks!($crate::__blob_tests; $factory);
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __store_tests {
    (skippable $factory:expr; $($name:ident),* $(,)?) => {$(
        #[::tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn $name() {
            let Some(fixture) = ($factory)().await else { return };
            $crate::checks::$name(::std::sync::Arc::clone(&fixture.store)).await;
            drop(fixture);
        }
    )*};
    ($factory:expr; $($name:ident),* $(,)?) => {$(
        #[::tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn $name() {
            let fixture = ($factory)().await;
            $crate::checks::$name(::std::sync::Arc::clone(&fixture.store)).await;
            drop(fixture);
        }
    )*};
}

#[doc(hidden)]
#[macro_export]
macro_rules! __blob_tests {
    (skippable $factory:expr; $($name:ident),* $(,)?) => {$(
        #[::tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn $name() {
            let Some(fixture) = ($factory)().await else { return };
            $crate::checks::$name(::std::sync::Arc::clone(&fixture.store), fixture.tamper.clone()).await;
            drop(fixture);
        }
    )*};
    ($factory:expr; $($name:ident),* $(,)?) => {$(
        #[::tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn $name() {
            let fixture = ($factory)().await;
            $crate::checks::$name(::std::sync::Arc::clone(&fixture.store), fixture.tamper.clone()).await;
            drop(fixture);
        }
    )*};
}

/// Runs every store check, each on a fresh fixture from `make`. Panics on the first failure.
/// Must run on a multi-thread runtime (the concurrency checks spawn tasks).
pub async fn run_all<S, F, Fut>(make: F)
where
    S: Store + 'static,
    F: Fn() -> Fut,
    Fut: Future<Output = Fixture<S>>,
{
    macro_rules! each {
        ($make:ident; $($name:ident),* $(,)?) => {$(
            let fixture = $make().await;
            checks::$name(Arc::clone(&fixture.store)).await;
            drop(fixture);
        )*};
    }
    __with_store_checks!(each; make);
}

/// Runs every blob check, each on a fresh fixture from `make`.
pub async fn run_all_blob<B, F, Fut>(make: F)
where
    B: BlobStore + 'static,
    F: Fn() -> Fut,
    Fut: Future<Output = BlobFixture<B>>,
{
    macro_rules! each {
        ($make:ident; $($name:ident),* $(,)?) => {$(
            let fixture = $make().await;
            checks::$name(Arc::clone(&fixture.store), fixture.tamper.clone()).await;
            drop(fixture);
        )*};
    }
    __with_blob_checks!(each; make);
}
