//! The scheduler scenarios against DynamoDB Local (store) and moto (blobs): each test gets its
//! own table and bucket. Skipped with a reason locally without emulators; fails under CI.

use crate::scenarios;
use std::sync::Arc;

use chrono::Duration;
use fallwerk_aws::S3BlobStore;
use fallwerk_aws::testing::{TableGuard, dynamo, s3_bucket};
use scenarios::{Env, at};

async fn aws_env() -> Option<(Env, TableGuard)> {
    let (store, guard) = dynamo().await?;
    let (s3, bucket) = s3_bucket().await?;
    let blobs = S3BlobStore::new(s3, &bucket, "fallwerk");
    Some((
        scenarios::env(Arc::new(store), Arc::new(blobs), at(2026, 3, 2, 8, 0)),
        guard,
    ))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn walk_each_level_once() {
    let Some((env, _guard)) = aws_env().await else {
        return;
    };
    // Coarser steps than on SQLite: every tick is a few HTTP round trips to the emulator.
    scenarios::walk_each_level_once(env, Duration::hours(2)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn catch_up_after_outage() {
    let Some((env, _guard)) = aws_env().await else {
        return;
    };
    scenarios::catch_up_after_outage(env).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_schedulers_send_once() {
    let Some((env, _guard)) = aws_env().await else {
        return;
    };
    scenarios::two_schedulers_send_once(env).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crash_mid_tick_loses_nothing() {
    let Some((env, _guard)) = aws_env().await else {
        return;
    };
    scenarios::crash_mid_tick_loses_nothing(env).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dst_changes_neither_shift_nor_double() {
    let Some((env, _guard)) = aws_env().await else {
        return;
    };
    scenarios::dst_changes_neither_shift_nor_double(env).await;
}
