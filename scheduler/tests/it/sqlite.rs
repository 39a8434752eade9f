//! The scheduler scenarios against the embedded SQLite store.

use crate::scenarios;
use std::sync::Arc;

use chrono::Duration;
use fallwerk_embedded::{FsBlobStore, SqliteStore};
use scenarios::{Env, at};

fn sqlite_env() -> (Env, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = SqliteStore::open(dir.path().join("fallwerk.db")).expect("sqlite");
    let blobs = FsBlobStore::open(dir.path().join("blobs")).expect("blobs");
    // Monday, 2 March 2026, 09:00 Berlin.
    (
        scenarios::env(Arc::new(store), Arc::new(blobs), at(2026, 3, 2, 8, 0)),
        dir,
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn walk_each_level_once() {
    let (env, _dir) = sqlite_env();
    scenarios::walk_each_level_once(env, Duration::minutes(20)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn catch_up_after_outage() {
    let (env, _dir) = sqlite_env();
    scenarios::catch_up_after_outage(env).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_schedulers_send_once() {
    let (env, _dir) = sqlite_env();
    scenarios::two_schedulers_send_once(env).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crash_mid_tick_loses_nothing() {
    let (env, _dir) = sqlite_env();
    scenarios::crash_mid_tick_loses_nothing(env).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dst_changes_neither_shift_nor_double() {
    let (env, _dir) = sqlite_env();
    scenarios::dst_changes_neither_shift_nor_double(env).await;
}
