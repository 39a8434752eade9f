//! Runs the shared contract suite against `SqliteStore` (a fresh temp file per check) and
//! `FsBlobStore` (a fresh temp directory per check).

use std::sync::Arc;

use fallwerk_contract::{BlobFixture, Fixture, TamperFn, blob_contract_tests, contract_tests};
use fallwerk_embedded::{FsBlobStore, SqliteStore};

async fn fresh_store() -> Fixture<SqliteStore> {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = SqliteStore::open(dir.path().join("fallwerk.db")).expect("open store");
    Fixture::new(store, dir)
}

async fn fresh_blobs() -> BlobFixture<FsBlobStore> {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join("blobs");
    let store = FsBlobStore::open(&root).expect("open blob store");
    let files = store.clone();
    let tamper: TamperFn = Arc::new(move |key: String, bytes: Vec<u8>| {
        let path = files.path_of(&key).expect("valid key");
        Box::pin(async move { std::fs::write(path, bytes).expect("tamper") })
    });
    BlobFixture {
        store: Arc::new(store),
        tamper,
        guard: Box::new(dir),
    }
}

contract_tests!(fresh_store);
blob_contract_tests!(fresh_blobs);

/// The in-memory variant runs the whole suite too (it is what unit tests elsewhere use).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn in_memory_store_passes_the_suite() {
    fallwerk_contract::run_all(|| async {
        Fixture::new(SqliteStore::open_in_memory().expect("open"), ())
    })
    .await;
}
