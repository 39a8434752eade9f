//! `S3ExportSink`: delivers export packages to a DMS drop, `ExportTarget::S3 { bucket, prefix }`.
//! Every file goes to `{prefix}/{package}/{path}` with its SHA-256 as object metadata; the
//! manifest is written after all other files and `_COMPLETE` last, so a DMS watching the prefix
//! picks up only finished packages. Redelivery overwrites identical objects (idempotent).

use async_trait::async_trait;
use aws_sdk_s3::Client;
use aws_sdk_s3::primitives::ByteStream;
use fallwerk_core::ports::{
    ExportError, ExportPackage, ExportReceipt, ExportSink, PackageFile, sha256_hex,
};
use fallwerk_events::ExportTarget;

use crate::SHA256_METADATA;
use crate::retry_class::{code, describe, is_transient};

/// The package file whose SHA-256 is the receipt; written after every other file.
pub const MANIFEST_PATH: &str = "manifest.json";
/// Marker object written last; its body is the manifest's SHA-256.
pub const COMPLETE_MARKER: &str = "_COMPLETE";

/// S3 error codes that a retry cannot fix even though some arrive as 5xx on emulators.
const PERMANENT_CODES: [&str; 4] = [
    "NoSuchBucket",
    "AccessDenied",
    "InvalidAccessKeyId",
    "AllAccessDisabled",
];

/// Export sink for [`ExportTarget::S3`].
#[derive(Debug, Clone)]
pub struct S3ExportSink {
    client: Client,
}

fn target_kind(target: &ExportTarget) -> &'static str {
    match target {
        ExportTarget::S3 { .. } => "s3",
        ExportTarget::Webhook { .. } => "webhook",
        ExportTarget::Directory { .. } => "directory",
    }
}

/// A relative path of plain segments: no empty, `.` or `..` segment, no backslash.
fn safe_relative_path(path: &str) -> bool {
    !path.is_empty()
        && !path.contains('\\')
        && path
            .split('/')
            .all(|seg| !seg.is_empty() && seg != "." && seg != "..")
}

/// `{prefix}/{name}/` without doubled slashes (an empty prefix means the bucket root).
fn package_root(prefix: &str, name: &str) -> String {
    let prefix = prefix.trim_matches('/');
    if prefix.is_empty() {
        format!("{name}/")
    } else {
        format!("{prefix}/{name}/")
    }
}

impl S3ExportSink {
    /// A sink using `client` (see [`crate::s3_client`] for emulator settings).
    pub fn new(client: Client) -> Self {
        S3ExportSink { client }
    }

    async fn put(
        &self,
        bucket: &str,
        key: &str,
        media_type: &str,
        sha256: &str,
        bytes: Vec<u8>,
    ) -> Result<(), ExportError> {
        self.client
            .put_object()
            .bucket(bucket)
            .key(key)
            .content_type(media_type)
            .metadata(SHA256_METADATA, sha256)
            .body(ByteStream::from(bytes))
            .send()
            .await
            .map_err(|err| {
                let reason = format!("S3 PutObject s3://{bucket}/{key}: {}", describe(&err));
                let permanent = code(&err).is_some_and(|c| PERMANENT_CODES.contains(&c));
                if is_transient(&err) && !permanent {
                    ExportError::Transient(reason)
                } else {
                    ExportError::Permanent(reason)
                }
            })?;
        Ok(())
    }

    /// Checks the package before anything is written: safe unique paths, a manifest, and
    /// every recorded checksum matching its bytes.
    fn validate(package: &ExportPackage) -> Result<&PackageFile, ExportError> {
        if !safe_relative_path(&package.name) {
            return Err(ExportError::Permanent(format!(
                "package name {:?} is not a plain path segment sequence",
                package.name
            )));
        }
        let mut seen = std::collections::HashSet::new();
        for file in &package.files {
            if !safe_relative_path(&file.path) || file.path == COMPLETE_MARKER {
                return Err(ExportError::Permanent(format!(
                    "package {} has an invalid file path {:?}",
                    package.name, file.path
                )));
            }
            if !seen.insert(file.path.as_str()) {
                return Err(ExportError::Permanent(format!(
                    "package {} lists {} twice",
                    package.name, file.path
                )));
            }
            if sha256_hex(&file.bytes) != file.sha256 {
                return Err(ExportError::Permanent(format!(
                    "package {}: checksum of {} does not match its bytes",
                    package.name, file.path
                )));
            }
        }
        package
            .files
            .iter()
            .find(|f| f.path == MANIFEST_PATH)
            .ok_or_else(|| {
                ExportError::Permanent(format!("package {} has no {MANIFEST_PATH}", package.name))
            })
    }
}

#[async_trait]
impl ExportSink for S3ExportSink {
    async fn deliver(
        &self,
        target: &ExportTarget,
        package: &ExportPackage,
    ) -> Result<ExportReceipt, ExportError> {
        let ExportTarget::S3 { bucket, prefix } = target else {
            return Err(ExportError::Unsupported(target_kind(target).to_string()));
        };
        let manifest = Self::validate(package)?;
        let root = package_root(prefix, &package.name);
        // Everything but the manifest first, then the manifest, then the marker.
        for file in package.files.iter().filter(|f| f.path != MANIFEST_PATH) {
            self.put(
                bucket,
                &format!("{root}{}", file.path),
                &file.media_type,
                &file.sha256,
                file.bytes.clone(),
            )
            .await?;
        }
        self.put(
            bucket,
            &format!("{root}{MANIFEST_PATH}"),
            &manifest.media_type,
            &manifest.sha256,
            manifest.bytes.clone(),
        )
        .await?;
        let marker = manifest.sha256.as_bytes().to_vec();
        self.put(
            bucket,
            &format!("{root}{COMPLETE_MARKER}"),
            "text/plain",
            &sha256_hex(&marker),
            marker,
        )
        .await?;
        Ok(ExportReceipt {
            receipt: manifest.sha256.clone(),
            location: format!("s3://{bucket}/{root}"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_root_joins_without_double_slashes() {
        assert_eq!(package_root("dms/in/", "P-1"), "dms/in/P-1/");
        assert_eq!(package_root("/dms", "P-1"), "dms/P-1/");
        assert_eq!(package_root("", "P-1"), "P-1/");
    }

    #[test]
    fn unsafe_paths_are_refused() {
        for bad in ["", "/abs", "a//b", "../x", "a/./b", "a\\b", "a/"] {
            assert!(!safe_relative_path(bad), "{bad:?}");
        }
        assert!(safe_relative_path("attachments/1-antrag.pdf"));
    }
}
