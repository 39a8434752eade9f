//! `FsBlobStore`: checksummed blobs as files under one directory. Keys are relative paths of
//! safe segments; writes go to a temp file that is synced and renamed into place; reads verify
//! the SHA-256 the caller recorded.
//!
//! A case's blobs (`cases/{case_id}/...`) lie flat in one of 256-odd bucket directories:
//! `cases/{last two characters of the id}/{case_id}~attachments~{name}` (the last characters,
//! because the first ones are a timestamp, `new_case_id`). Creating two directories per case
//! (`cases/{id}/attachments/`) was a tenth of intake's CPU on ext4 (docs/BENCHMARKS.md). Files
//! written before that change stay where they were, at the key's own path; reads and deletes
//! look there when the flat file is missing.

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
/// Joins a case's key segments in its flat file name; never part of a valid segment.
const FLAT_SEPARATOR: &str = "~";

impl FsBlobStore {
    /// Uses (and creates if needed) `root`.
    pub fn open(root: impl Into<PathBuf>) -> StoreResult<Self> {
        let root = root.into();
        std::fs::create_dir_all(&root).map_err(|e| io("create blob directory", &root, e))?;
        Ok(FsBlobStore { root })
    }

    /// The file a key is written to; rejects anything but `seg/seg/...` of `[A-Za-z0-9_-.]`
    /// segments that do not start with a dot (so no `..`, no absolute paths, no temp names).
    pub fn path_of(&self, key: &str) -> StoreResult<PathBuf> {
        check_key(key)?;
        let Some(rest) = key.strip_prefix("cases/") else {
            return Ok(self.root.join(key));
        };
        let (case_id, within) = match rest.split_once('/') {
            Some((case_id, within)) => (case_id, Some(within)),
            None => (rest, None),
        };
        // Segments are ASCII, so two bytes are two characters.
        let bucket = &case_id[case_id.len().saturating_sub(2)..];
        let name = match within {
            Some(within) => format!(
                "{case_id}{FLAT_SEPARATOR}{}",
                within.replace('/', FLAT_SEPARATOR)
            ),
            None => case_id.to_string(),
        };
        Ok(self.root.join("cases").join(bucket).join(name))
    }

    /// The key's file, and where it lay before case blobs went flat when that is another place.
    fn paths_of(&self, key: &str) -> StoreResult<(PathBuf, Option<PathBuf>)> {
        let path = self.path_of(key)?;
        let earlier = self.root.join(key);
        let earlier = (earlier != path).then_some(earlier);
        Ok((path, earlier))
    }
}

fn check_key(key: &str) -> StoreResult<()> {
    let valid_segment = |s: &str| {
        !s.is_empty()
            && !s.starts_with('.')
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    };
    if key.is_empty() || key.len() > MAX_KEY_LEN || !key.split('/').all(valid_segment) {
        return Err(StoreError::Backend(format!("invalid blob key {key:?}")));
    }
    Ok(())
}

/// Opens `path`, or `earlier` when `path` does not exist.
fn open_either(path: &Path, earlier: Option<&Path>) -> std::io::Result<std::fs::File> {
    match (std::fs::File::open(path), earlier) {
        (Err(e), Some(earlier)) if e.kind() == ErrorKind::NotFound => std::fs::File::open(earlier),
        (result, _) => result,
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
    let tmp = dir.join(format!(".tmp-{}", uuid::Uuid::new_v4()));
    // The directory exists nearly always (a bucket): create it only when the file cannot be.
    let created = match std::fs::File::create(&tmp) {
        Err(e) if e.kind() == ErrorKind::NotFound => {
            std::fs::create_dir_all(dir).map_err(|e| io("create directory", dir, e))?;
            std::fs::File::create(&tmp)
        }
        other => other,
    };
    let result = (|| {
        let mut f = created.map_err(|e| io("create", &tmp, e))?;
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
        let (path, earlier) = self.paths_of(key)?;
        let missing = format!("blob {key}");
        let bytes = blocking(move || {
            let mut bytes = Vec::new();
            match open_either(&path, earlier.as_deref()).and_then(|mut f| f.read_to_end(&mut bytes))
            {
                Ok(_) => Ok(bytes),
                Err(e) if e.kind() == ErrorKind::NotFound => Err(StoreError::NotFound(missing)),
                Err(e) => Err(io("read", &path, e)),
            }
        })
        .await?;
        if !sha256_hex(&bytes).eq_ignore_ascii_case(expected_sha256) {
            return Err(StoreError::Corrupt(key.to_string()));
        }
        Ok(bytes)
    }

    async fn open_blob(&self, key: &str, expected_sha256: &str) -> StoreResult<BlobReader> {
        let (path, earlier) = self.paths_of(key)?;
        let missing = format!("blob {key}");
        let (file, size) = blocking(move || {
            let file = match open_either(&path, earlier.as_deref()) {
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
        let (path, earlier) = self.paths_of(key)?;
        blocking(move || {
            for path in std::iter::once(path).chain(earlier) {
                match std::fs::remove_file(&path) {
                    Err(e) if e.kind() != ErrorKind::NotFound => {
                        return Err(io("delete", &path, e));
                    }
                    _ => {}
                }
            }
            Ok(())
        })
        .await
    }

    /// Deletes the files under `prefix` last written before `before` (and directories left
    /// empty), so unreferenced uploads expire in the embedded mode. For prefixes outside
    /// `cases/`, whose keys are paths as they are.
    async fn sweep(&self, prefix: &str, before: DateTime<Utc>) -> StoreResult<usize> {
        let prefix = prefix.trim_end_matches('/');
        check_key(prefix)?;
        let dir = self.root.join(prefix);
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
            Some(PathBuf::from("/srv/blobs/cases/-1/c-1~attachments~1"))
        );
        assert_eq!(
            store.path_of("uploads/portal/u-1").ok(),
            Some(PathBuf::from("/srv/blobs/uploads/portal/u-1"))
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

    /// Data directories written before the flat layout keep working: a case blob at its key's
    /// own path is read, streamed and deleted; a new write goes to the flat file.
    #[tokio::test]
    async fn blobs_of_the_earlier_layout_stay_readable() {
        use futures_util::StreamExt;

        let dir = tempfile::tempdir().expect("tempdir");
        let store = FsBlobStore::open(dir.path()).expect("open");
        let key = "cases/3f2a-old/attachments/u-0";
        let earlier = dir.path().join(key);
        std::fs::create_dir_all(earlier.parent().expect("parent")).expect("mkdir");
        std::fs::write(&earlier, b"Mietvertrag").expect("write");
        let sha = sha256_hex(b"Mietvertrag");

        assert_eq!(
            store.get_blob(key, &sha).await.expect("get"),
            b"Mietvertrag"
        );
        let mut reader = store.open_blob(key, &sha).await.expect("open");
        assert_eq!(reader.size, 11);
        let mut streamed = Vec::new();
        while let Some(chunk) = reader.chunks.next().await {
            streamed.extend(chunk.expect("chunk"));
        }
        assert_eq!(streamed, b"Mietvertrag");

        store.delete_blob(key).await.expect("delete");
        assert!(!earlier.exists());
        assert!(matches!(
            store.get_blob(key, &sha).await,
            Err(StoreError::NotFound(_))
        ));

        store.put_blob(key, b"neu").await.expect("put");
        assert!(!earlier.exists());
        assert!(
            dir.path()
                .join("cases/ld/3f2a-old~attachments~u-0")
                .is_file()
        );
    }
}
