//! Checks of the blob store: checksummed round trip, corruption detection, not-found, delete.

use std::sync::Arc;

use fallwerk_core::ports::{BlobMeta, BlobStore, StoreError, StoreResult, sha256_hex};

use super::ok;
use crate::TamperFn;

fn pdf_bytes() -> Vec<u8> {
    let mut v = b"%PDF-1.7\n".to_vec();
    v.extend((0..100_000u32).map(|i| (i.wrapping_mul(31) % 251) as u8));
    v
}

/// put returns key, sha256 and size; get with that hash returns the same bytes.
pub async fn blob_round_trip<B: BlobStore + 'static>(store: Arc<B>, _tamper: TamperFn) {
    let bytes = pdf_bytes();
    let key = "cases/c-1/attachments/1";
    let meta = ok(store.put_blob(key, &bytes).await, "put_blob");
    assert_eq!(
        meta,
        BlobMeta {
            key: key.into(),
            sha256: sha256_hex(&bytes),
            size: bytes.len() as u64
        }
    );
    assert_eq!(
        ok(store.get_blob(key, &meta.sha256).await, "get_blob"),
        bytes
    );

    let empty = ok(store.put_blob("cases/c-1/empty", b"").await, "put empty");
    assert_eq!(empty.size, 0);
    assert!(
        ok(
            store.get_blob("cases/c-1/empty", &empty.sha256).await,
            "get empty"
        )
        .is_empty()
    );

    let replaced = ok(store.put_blob(key, b"neu").await, "overwrite");
    assert_eq!(
        ok(
            store.get_blob(key, &replaced.sha256).await,
            "get overwritten"
        ),
        b"neu".to_vec()
    );
}

/// get with a hash the bytes do not have is `Corrupt`.
pub async fn blob_wrong_hash_is_corrupt<B: BlobStore + 'static>(store: Arc<B>, _tamper: TamperFn) {
    ok(
        store.put_blob("cases/c-2/form.json", b"{\"a\":1}").await,
        "put_blob",
    );
    match store
        .get_blob("cases/c-2/form.json", &sha256_hex(b"{\"a\":2}"))
        .await
    {
        Err(StoreError::Corrupt(_)) => {}
        other => panic!("wrong hash must be Corrupt, got {other:?}"),
    }
}

/// Bytes changed behind the store's back are detected on read.
pub async fn blob_tampered_is_corrupt<B: BlobStore + 'static>(store: Arc<B>, tamper: TamperFn) {
    let bytes = pdf_bytes();
    let meta = ok(
        store.put_blob("cases/c-3/attachments/1", &bytes).await,
        "put_blob",
    );
    let mut evil = bytes.clone();
    evil[5000] ^= 0x01;
    tamper("cases/c-3/attachments/1".into(), evil).await;
    match store
        .get_blob("cases/c-3/attachments/1", &meta.sha256)
        .await
    {
        Err(StoreError::Corrupt(_)) => {}
        other => panic!(
            "tampered bytes must be Corrupt, got {:?}",
            other.map(|b| b.len())
        ),
    }
}

/// get of a key never written is `NotFound`.
pub async fn blob_unknown_is_not_found<B: BlobStore + 'static>(store: Arc<B>, _tamper: TamperFn) {
    ok(store.put_blob("cases/c-4/a", b"a").await, "put_blob");
    for key in ["cases/c-4/b", "cases/c-5/a", "nothing"] {
        match store.get_blob(key, &sha256_hex(b"a")).await {
            Err(StoreError::NotFound(_)) => {}
            other => panic!("unknown key {key} must be NotFound, got {other:?}"),
        }
    }
}

/// delete removes one blob; deleting again or an unknown key is fine.
pub async fn blob_delete<B: BlobStore + 'static>(store: Arc<B>, _tamper: TamperFn) {
    let a = ok(store.put_blob("cases/c-6/a", b"a").await, "put a");
    let b = ok(store.put_blob("cases/c-6/b", b"b").await, "put b");
    ok(store.delete_blob("cases/c-6/a").await, "delete");
    match store.get_blob("cases/c-6/a", &a.sha256).await {
        Err(StoreError::NotFound(_)) => {}
        other => panic!("deleted blob must be NotFound, got {other:?}"),
    }
    ok(store.delete_blob("cases/c-6/a").await, "delete twice");
    ok(store.delete_blob("cases/never").await, "delete unknown");
    assert_eq!(
        ok(store.get_blob("cases/c-6/b", &b.sha256).await, "other blob"),
        b"b".to_vec()
    );
}

/// `sweep` (unreferenced uploads expire, issue 13) never removes a blob written after its
/// cut-off, nor one outside its prefix; whether older ones go is the store's (S3: the bucket's
/// lifecycle rule does it, the embedded store deletes them itself).
pub async fn blob_sweep_keeps_recent_and_foreign<B: BlobStore + 'static>(
    store: Arc<B>,
    _tamper: TamperFn,
) {
    let upload = ok(
        store.put_blob("uploads/portal-1/u-1", b"frisch").await,
        "put upload",
    );
    let case = ok(
        store.put_blob("cases/c-9/attachments/1", b"akte").await,
        "put case blob",
    );
    let day_ago = chrono::Utc::now() - chrono::Duration::days(1);
    assert_eq!(
        ok(store.sweep("uploads/", day_ago).await, "sweep"),
        0,
        "a fresh upload is not expired"
    );
    ok(
        store.get_blob(&upload.key, &upload.sha256).await,
        "fresh upload kept",
    );
    let later = chrono::Utc::now() + chrono::Duration::hours(1);
    ok(store.sweep("uploads/", later).await, "sweep later");
    ok(
        store.get_blob(&case.key, &case.sha256).await,
        "blobs outside the prefix kept",
    );
}

/// Reads a blob through `open_blob` to the end: the chunks and the error that ended it, if any.
async fn drain<B: BlobStore + 'static>(
    store: &B,
    key: &str,
    sha256: &str,
) -> StoreResult<(u64, Vec<Vec<u8>>, Option<StoreError>)> {
    use futures_util::StreamExt;
    let mut reader = store.open_blob(key, sha256).await?;
    let mut chunks = Vec::new();
    while let Some(next) = reader.chunks.next().await {
        match next {
            Ok(c) => chunks.push(c),
            Err(e) => {
                assert!(
                    reader.chunks.next().await.is_none(),
                    "an error ends the stream"
                );
                return Ok((reader.size, chunks, Some(e)));
            }
        }
    }
    Ok((reader.size, chunks, None))
}

/// `open_blob` streams a large blob in more than one chunk with its size; the bytes equal what
/// was put; a wrong or tampered checksum ends in `Corrupt` (at open or as the stream's last
/// item), an unknown key is `NotFound` at open.
pub async fn blob_streamed_in_chunks<B: BlobStore + 'static>(store: Arc<B>, tamper: TamperFn) {
    // Over a MiB: every store hands that out in several pieces (files in 64 KiB reads, S3 in
    // the HTTP body's frames).
    let mut bytes = Vec::new();
    while bytes.len() <= 1024 * 1024 {
        bytes.extend(pdf_bytes());
    }
    let key = "cases/c-7/form.json";
    let meta = ok(store.put_blob(key, &bytes).await, "put_blob");
    let (size, chunks, end) = ok(drain(store.as_ref(), key, &meta.sha256).await, "open_blob");
    assert!(end.is_none(), "a sound blob streams to its end: {end:?}");
    assert_eq!(size, bytes.len() as u64);
    assert!(chunks.len() > 1, "read in one piece");
    assert_eq!(chunks.concat(), bytes);

    match drain(store.as_ref(), key, &sha256_hex(b"other")).await {
        Err(StoreError::Corrupt(_)) | Ok((_, _, Some(StoreError::Corrupt(_)))) => {}
        other => panic!(
            "a wrong hash must end in Corrupt, got {:?}",
            other.map(|(s, c, e)| (s, c.len(), e))
        ),
    }
    let mut evil = bytes.clone();
    evil[700_000] ^= 0x01;
    tamper(key.into(), evil).await;
    match drain(store.as_ref(), key, &meta.sha256).await {
        Err(StoreError::Corrupt(_)) | Ok((_, _, Some(StoreError::Corrupt(_)))) => {}
        other => panic!(
            "tampered bytes must end in Corrupt, got {:?}",
            other.map(|(s, c, e)| (s, c.len(), e))
        ),
    }
    match store.open_blob("cases/c-7/none", &meta.sha256).await {
        Err(StoreError::NotFound(_)) => {}
        other => panic!("an unknown key must be NotFound, got {other:?}"),
    }
}
