//! `FsBlobStore`: checksummed blobs as files under one directory. Keys are relative paths of
//! safe segments; writes go to a temp file that is synced and renamed into place; reads verify
//! the SHA-256 the caller recorded.

use std::io::{ErrorKind, Read, Write};
use std::path::{Path, PathBuf};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use fallwerk_core::ports::{
    BlobMeta, BlobReader, BlobStore, StoreError, StoreResult, sha256_hex, verify_chunks,
};

/// Blobs in a directory (embedded mode).
#[derive(Debug, Clone)]
pub struct FsBlobStore {
    root: PathBuf,
}

const MAX_KEY_LEN: usize = 512;
/// Bytes per chunk of a streamed read.
const CHUNK: usize = 64 * 1024;

impl FsBlobStore {
    /// Uses (and creates if needed) `root`.
    pub fn open(root: impl Into<PathBuf>) -> StoreResult<Self> {
        let root = root.into();
        std::fs::create_dir_all(&root).map_err(|e| io("create blob directory", &root, e))?;
        Ok(FsBlobStore { root })
    }

    /// The file a key maps to; rejects anything but `seg/seg/...` of `[A-Za-z0-9_-.]`
    /// segments that do not start with a dot (so no `..`, no absolute paths, no temp names).
    pub fn path_of(&self, key: &str) -> StoreResult<PathBuf> {
        let valid_segment = |s: &str| {
            !s.is_empty()
                && !s.starts_with('.')
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        };
        if key.is_empty() || key.len() > MAX_KEY_LEN || !key.split('/').all(valid_segment) {
            return Err(StoreError::Backend(format!("invalid blob key {key:?}")));
        }
        Ok(self.root.join(key))
    }
}

fn io(what: &str, path: &Path, e: std::io::Error) -> StoreError {
    StoreError::Backend(format!("{what} {}: {e}", path.display()))
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> StoreResult<T> + Send + 'static,
) -> StoreResult<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| StoreError::Backend(format!("blob task failed: {e}")))?
}

fn write_atomic(path: &Path, bytes: &[u8]) -> StoreResult<()> {
    let dir = path
        .parent()
        .ok_or_else(|| StoreError::Backend("blob path has no parent".into()))?;
    std::fs::create_dir_all(dir).map_err(|e| io("create directory", dir, e))?;
    let tmp = dir.join(format!(".tmp-{}", uuid::Uuid::new_v4()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp).map_err(|e| io("create", &tmp, e))?;
        f.write_all(bytes).map_err(|e| io("write", &tmp, e))?;
        f.sync_all().map_err(|e| io("sync", &tmp, e))?;
        std::fs::rename(&tmp, path).map_err(|e| io("rename into", path, e))
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Removes files older than `before` below `dir`; returns how many. A missing `dir` is empty.
fn sweep_dir(dir: &Path, before: std::time::SystemTime) -> StoreResult<usize> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(io("list", dir, e)),
    };
    let mut removed = 0;
    for entry in entries {
        let entry = entry.map_err(|e| io("list", dir, e))?;
        let path = entry.path();
        let meta = entry.metadata().map_err(|e| io("stat", &path, e))?;
        if meta.is_dir() {
            removed += sweep_dir(&path, before)?;
            // Only succeeds when nothing is left in it.
            let _ = std::fs::remove_dir(&path);
        } else if meta.modified().map_err(|e| io("stat", &path, e))? < before {
            match std::fs::remove_file(&path) {
                Ok(()) => removed += 1,
                Err(e) if e.kind() == ErrorKind::NotFound => {}
                Err(e) => return Err(io("delete", &path, e)),
            }
        }
    }
    Ok(removed)
}

#[async_trait]
impl BlobStore for FsBlobStore {
    async fn put_blob(&self, key: &str, bytes: &[u8]) -> StoreResult<BlobMeta> {
        let path = self.path_of(key)?;
        let meta = BlobMeta {
            key: key.to_string(),
            sha256: sha256_hex(bytes),
            size: bytes.len() as u64,
        };
        let bytes = bytes.to_vec();
        blocking(move || write_atomic(&path, &bytes)).await?;
        Ok(meta)
    }

    async fn get_blob(&self, key: &str, expected_sha256: &str) -> StoreResult<Vec<u8>> {
        let path = self.path_of(key)?;
        let missing = format!("blob {key}");
        let bytes = blocking(move || match std::fs::read(&path) {
            Ok(b) => Ok(b),
            Err(e) if e.kind() == ErrorKind::NotFound => Err(StoreError::NotFound(missing)),
            Err(e) => Err(io("read", &path, e)),
        })
        .await?;
        if !sha256_hex(&bytes).eq_ignore_ascii_case(expected_sha256) {
            return Err(StoreError::Corrupt(key.to_string()));
        }
        Ok(bytes)
    }

    async fn open_blob(&self, key: &str, expected_sha256: &str) -> StoreResult<BlobReader> {
        let path = self.path_of(key)?;
        let missing = format!("blob {key}");
        let (file, size) = blocking(move || {
            let file = match std::fs::File::open(&path) {
                Ok(f) => f,
                Err(e) if e.kind() == ErrorKind::NotFound => {
                    return Err(StoreError::NotFound(missing));
                }
                Err(e) => return Err(io("open", &path, e)),
            };
            let size = file.metadata().map_err(|e| io("stat", &path, e))?.len();
            Ok((file, size))
        })
        .await?;
        // Each chunk is read on the blocking pool; the file moves in and out of the task.
        let chunks = futures_util::stream::unfold(Some(file), |file| async move {
            let mut file = file?;
            let read = blocking(move || {
                let mut buf = vec![0u8; CHUNK];
                let n = file
                    .read(&mut buf)
                    .map_err(|e| StoreError::Backend(format!("read blob: {e}")))?;
                buf.truncate(n);
                Ok((file, buf))
            })
            .await;
            match read {
                Ok((_, buf)) if buf.is_empty() => None,
                Ok((file, buf)) => Some((Ok(buf), Some(file))),
                Err(e) => Some((Err(e), None)),
            }
        });
        Ok(BlobReader {
            size,
            chunks: verify_chunks(key, expected_sha256, chunks),
        })
    }

    async fn delete_blob(&self, key: &str) -> StoreResult<()> {
        let path = self.path_of(key)?;
        blocking(move || match std::fs::remove_file(&path) {
            Err(e) if e.kind() != ErrorKind::NotFound => Err(io("delete", &path, e)),
            _ => Ok(()),
        })
        .await
    }

    /// Deletes the files under `prefix` last written before `before` (and directories left
    /// empty), so unreferenced uploads expire in the embedded mode.
    async fn sweep(&self, prefix: &str, before: DateTime<Utc>) -> StoreResult<usize> {
        let dir = self.path_of(prefix.trim_end_matches('/'))?;
        let before = std::time::SystemTime::from(before);
        blocking(move || sweep_dir(&dir, before)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_sanitised() {
        let store = FsBlobStore {
            root: PathBuf::from("/srv/blobs"),
        };
        assert_eq!(
            store.path_of("cases/c-1/attachments/1").ok(),
            Some(PathBuf::from("/srv/blobs/cases/c-1/attachments/1"))
        );
        assert!(store.path_of("cases/c-1/Mietvertrag_2026.pdf").is_ok());
        for bad in crate::UNSAFE_PATHS
            .into_iter()
            .chain([".tmp-x", "a/b c", "ä", "a\0b"])
        {
            assert!(store.path_of(bad).is_err(), "{bad:?} must be rejected");
        }
        assert!(store.path_of(&"a".repeat(MAX_KEY_LEN + 1)).is_err());
    }
}
