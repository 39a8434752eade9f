//! `DirectorySink`: delivers export packages to `ExportTarget::Directory` (embedded mode) as
//! `{path}/{package.name}/{file.path}`.
//!
//! Every file's SHA-256 is checked before anything is written; the package is written into a
//! hidden temp directory `{path}/.{name}.{uuid}.tmp` next to its final place, synced and renamed
//! at the end, so a reader never sees half a package (readers should skip dot-directories).
//! The receipt is the SHA-256 of the package's checksum list (`"{sha256}  {path}\n"` per file,
//! sorted by path, as `sha256sum` prints it), so it is the same for the same content wherever it
//! lies. Delivering a package whose directory already exists with identical content returns the
//! same receipt (idempotent redelivery); with different content it fails permanently (a
//! delivered package is never overwritten).

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};

use async_trait::async_trait;
use fallwerk_core::ports::{ExportError, ExportPackage, ExportReceipt, ExportSink, sha256_hex};
use fallwerk_events::ExportTarget;

/// The `ExportSink` for directory targets. Confined to an export root, a target's path is
/// resolved under it (`fallwerk_core::app::targets::resolve_directory`: no `..`, absolute paths
/// only inside the root), so a target stored before the configuration checks cannot escape.
#[derive(Debug, Clone, Default)]
pub struct DirectorySink {
    root: Option<PathBuf>,
}

impl DirectorySink {
    /// Unconfined: the target path is used as it is (tests of the package writer).
    pub fn new() -> Self {
        DirectorySink { root: None }
    }

    /// Every target must lie under `root` (what `fallwerk serve` uses).
    pub fn confined_to(root: &Path) -> Self {
        DirectorySink {
            root: Some(root.to_path_buf()),
        }
    }
}

/// Checks a package name: one path segment of `[A-Za-z0-9._-]`, not starting with a dot.
fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 200
        && !name.starts_with('.')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// Checks a file's relative path: `/`-separated segments, none empty, `.` or `..`, no
/// backslashes, colons or control characters, not absolute.
fn valid_relative(path: &str) -> bool {
    !path.is_empty()
        && path.len() <= 1024
        && path.split('/').all(|seg| {
            !seg.is_empty()
                && seg != "."
                && seg != ".."
                && !seg.chars().any(|c| {
                    c.is_control()
                        || fallwerk_core::app::is_invisible_format(c)
                        || matches!(c, '\\' | ':')
                })
        })
}

/// Validates the package and returns its checksum list, path → sha256.
fn checked(package: &ExportPackage) -> Result<BTreeMap<String, String>, ExportError> {
    if !valid_name(&package.name) {
        return Err(ExportError::Permanent(format!(
            "invalid package name {:?}",
            package.name
        )));
    }
    if package.files.is_empty() {
        return Err(ExportError::Permanent(format!(
            "package {} has no files",
            package.name
        )));
    }
    let mut sums = BTreeMap::new();
    for file in &package.files {
        if !valid_relative(&file.path) {
            return Err(ExportError::Permanent(format!(
                "invalid file path {:?} in package {}",
                file.path, package.name
            )));
        }
        let actual = sha256_hex(&file.bytes);
        if !actual.eq_ignore_ascii_case(&file.sha256) {
            return Err(ExportError::Permanent(format!(
                "checksum mismatch for {} in package {}: expected {}, got {actual}",
                file.path, package.name, file.sha256
            )));
        }
        if sums.insert(file.path.clone(), actual).is_some() {
            return Err(ExportError::Permanent(format!(
                "duplicate file path {:?} in package {}",
                file.path, package.name
            )));
        }
    }
    // A path may not be both a file and a directory (`a` and `a/b`).
    for path in sums.keys() {
        for (i, _) in path.match_indices('/') {
            let prefix = &path[..i];
            if sums.contains_key(prefix) {
                return Err(ExportError::Permanent(format!(
                    "{prefix:?} is both a file and a directory in package {}",
                    package.name
                )));
            }
        }
    }
    Ok(sums)
}

/// The receipt: SHA-256 over the sorted `sha256sum`-style checksum list.
fn receipt_of(sums: &BTreeMap<String, String>) -> String {
    let list: String = sums
        .iter()
        .map(|(path, sum)| format!("{sum}  {path}\n"))
        .collect();
    sha256_hex(list.as_bytes())
}

fn io(what: &str, path: &Path, e: std::io::Error) -> ExportError {
    ExportError::Transient(format!("{what} {}: {e}", path.display()))
}

/// All regular files under `dir` as relative `/`-joined paths → sha256.
fn existing_sums(dir: &Path) -> Result<BTreeMap<String, String>, ExportError> {
    fn walk(
        root: &Path,
        dir: &Path,
        out: &mut BTreeMap<String, String>,
    ) -> Result<(), ExportError> {
        for entry in std::fs::read_dir(dir).map_err(|e| io("read directory", dir, e))? {
            let entry = entry.map_err(|e| io("read directory", dir, e))?;
            let path = entry.path();
            let kind = entry.file_type().map_err(|e| io("stat", &path, e))?;
            if kind.is_dir() {
                walk(root, &path, out)?;
            } else {
                let rel = path
                    .strip_prefix(root)
                    .map_err(|e| ExportError::Transient(format!("walk {}: {e}", path.display())))?
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect::<Vec<_>>()
                    .join("/");
                let bytes = std::fs::read(&path).map_err(|e| io("read", &path, e))?;
                out.insert(rel, sha256_hex(&bytes));
            }
        }
        Ok(())
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out)?;
    Ok(out)
}

/// Outcome for an already existing package directory: the same receipt, or a refusal.
fn compare_existing(
    dir: &Path,
    sums: &BTreeMap<String, String>,
    receipt: &str,
) -> Result<ExportReceipt, ExportError> {
    if existing_sums(dir)? == *sums {
        Ok(ExportReceipt {
            receipt: receipt.to_string(),
            location: dir.display().to_string(),
        })
    } else {
        Err(ExportError::Permanent(format!(
            "{} already exists with different content",
            dir.display()
        )))
    }
}

fn write_tree(tmp: &Path, package: &ExportPackage) -> Result<(), ExportError> {
    std::fs::create_dir(tmp).map_err(|e| io("create", tmp, e))?;
    let mut dirs = BTreeSet::new();
    for file in &package.files {
        let path = tmp.join(&file.path);
        if let Some(parent) = path.parent()
            && parent != tmp
            && dirs.insert(parent.to_path_buf())
        {
            std::fs::create_dir_all(parent).map_err(|e| io("create", parent, e))?;
        }
        let mut f = std::fs::File::create_new(&path).map_err(|e| io("create", &path, e))?;
        f.write_all(&file.bytes)
            .map_err(|e| io("write", &path, e))?;
        f.sync_all().map_err(|e| io("sync", &path, e))?;
    }
    // Sync the directories, deepest first, so the entries survive a crash.
    for d in dirs.iter().rev().chain(std::iter::once(&tmp.to_path_buf())) {
        sync_dir(d)?;
    }
    Ok(())
}

fn sync_dir(dir: &Path) -> Result<(), ExportError> {
    std::fs::File::open(dir)
        .and_then(|f| f.sync_all())
        .map_err(|e| io("sync", dir, e))
}

fn deliver_blocking(root: PathBuf, package: ExportPackage) -> Result<ExportReceipt, ExportError> {
    let sums = checked(&package)?;
    let receipt = receipt_of(&sums);
    std::fs::create_dir_all(&root).map_err(|e| io("create", &root, e))?;
    let target = root.join(&package.name);
    if target.exists() {
        return compare_existing(&target, &sums, &receipt);
    }
    let tmp = root.join(format!(".{}.{}.tmp", package.name, uuid::Uuid::new_v4()));
    let cleanup = |tmp: &Path| {
        let _ = std::fs::remove_dir_all(tmp);
    };
    if let Err(e) = write_tree(&tmp, &package) {
        cleanup(&tmp);
        return Err(e);
    }
    if let Err(e) = std::fs::rename(&tmp, &target) {
        cleanup(&tmp);
        // A concurrent delivery of the same package won the race: same content, same receipt.
        if target.exists() {
            return compare_existing(&target, &sums, &receipt);
        }
        return Err(io("rename into", &target, e));
    }
    sync_dir(&root)?;
    Ok(ExportReceipt {
        receipt,
        location: target.display().to_string(),
    })
}

#[async_trait]
impl ExportSink for DirectorySink {
    async fn deliver(
        &self,
        target: &ExportTarget,
        package: &ExportPackage,
    ) -> Result<ExportReceipt, ExportError> {
        let root = match target {
            ExportTarget::Directory { path } => match &self.root {
                Some(root) => fallwerk_core::app::targets::resolve_directory(root, path).map_err(
                    |reason| ExportError::Permanent(format!("export directory {path:?} {reason}")),
                )?,
                None => PathBuf::from(path),
            },
            ExportTarget::S3 { .. } => return Err(ExportError::Unsupported("s3".into())),
            ExportTarget::Webhook { .. } => return Err(ExportError::Unsupported("webhook".into())),
        };
        let package = package.clone();
        tokio::task::spawn_blocking(move || deliver_blocking(root, package))
            .await
            .map_err(|e| ExportError::Transient(format!("export task failed: {e}")))?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_checked() {
        for ok in [
            "manifest.json",
            "attachments/1-antrag.pdf",
            "a/b/Bescheid_Müller.pdf",
        ] {
            assert!(valid_relative(ok), "{ok}");
        }
        for bad in crate::UNSAFE_PATHS.into_iter().chain([
            "c:x",
            "a\nb",
            "attachments/1-rechnung\u{202E}fdp.exe",
        ]) {
            assert!(!valid_relative(bad), "{bad:?} must be rejected");
        }
        assert!(valid_name("MV-2026-000123-1"));
        for bad in ["", ".x", "a/b", "..", "a b"] {
            assert!(!valid_name(bad), "{bad:?} must be rejected");
        }
    }
}
