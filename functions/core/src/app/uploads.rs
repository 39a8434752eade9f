//! Upload slots: the documents of a native submission travel beside the request, so an
//! application with large scans fits behind API Gateway and Lambda (whose request bodies end at
//! 6 MB, base64 included). The portal asks for slots, puts each document to its slot (an S3
//! presigned PUT on AWS, `fallwerk serve` in the embedded mode), then submits with references;
//! the submission is checked against the declared size and SHA-256 of every upload.
//!
//! Uploads live under `uploads/{portal client}/{upload id}`: a client can only reference its own.
//! Unreferenced uploads expire after [`UPLOAD_KEPT_FOR`] (S3 lifecycle rule; the embedded store
//! is swept by the scheduler tick).

use chrono::{DateTime, Duration, Utc};

use super::{App, AppError, IncomingDocument, limits};
use crate::ports::{BlobMeta, PresignedUpload, StoreError, sha256_hex};

/// Where uploads live in the blob store.
pub const UPLOAD_PREFIX: &str = "uploads/";
/// How long a slot takes its upload.
pub const SLOT_VALID_FOR: Duration = Duration::hours(1);
/// How long an unreferenced upload is kept (the S3 lifecycle rule says one day too).
pub const UPLOAD_KEPT_FOR: Duration = Duration::days(1);
/// Largest document one slot takes.
pub const MAX_UPLOAD: u64 = 100 * 1024 * 1024;
/// Slots per request (the documents of one submission).
pub const MAX_SLOTS: usize = 50;

/// One document the portal wants to upload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlotRequest {
    pub name: String,
    pub media_type: String,
    pub size: u64,
    /// Lower-case hex SHA-256 of the bytes.
    pub sha256: String,
}

/// A slot: where the document goes, until when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedSlot {
    pub upload_id: String,
    pub size: u64,
    pub sha256: String,
    pub expires_at: DateTime<Utc>,
    /// The direct upload URL; `None` in the embedded mode (the edge builds the URL of
    /// `fallwerk serve`'s upload route).
    pub presigned: Option<PresignedUpload>,
}

/// A submitted reference to an upload; size and checksum must match what arrived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadRef {
    pub upload_id: String,
    pub name: String,
    pub media_type: String,
    pub size: u64,
    pub sha256: String,
}

/// The blob key of an upload; refuses ids that are not UUIDs (they come from outside).
pub fn upload_key(portal_client_id: &str, upload_id: &str) -> Result<String, AppError> {
    if uuid::Uuid::parse_str(upload_id).is_err() || upload_id.len() != 36 {
        return Err(AppError::invalid("upload_id", "is not an upload id"));
    }
    super::validate_directory_id("portal_client_id", portal_client_id)?;
    if portal_client_id.starts_with('.') {
        return Err(AppError::invalid("portal_client_id", "is not a client id"));
    }
    Ok(format!(
        "{UPLOAD_PREFIX}{portal_client_id}/{}",
        upload_id.to_ascii_lowercase()
    ))
}

fn is_sha256_hex(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

fn check_declared(field: &str, size: u64, sha256: &str) -> Result<(), AppError> {
    if size == 0 || size > MAX_UPLOAD {
        return Err(AppError::invalid(
            format!("{field}.size"),
            format!("must be 1 to {MAX_UPLOAD} bytes"),
        ));
    }
    if !is_sha256_hex(sha256) {
        return Err(AppError::invalid(
            format!("{field}.sha256"),
            "must be the lower-case hex SHA-256 of the document",
        ));
    }
    Ok(())
}

impl App {
    /// `POST /v1/uploads`: one slot per document.
    pub async fn upload_slots(
        &self,
        portal_client_id: &str,
        documents: &[SlotRequest],
    ) -> Result<Vec<PlannedSlot>, AppError> {
        if documents.is_empty() || documents.len() > MAX_SLOTS {
            return Err(AppError::invalid(
                "documents",
                format!("must name 1 to {MAX_SLOTS} documents"),
            ));
        }
        let expires_at = self.clock.now() + SLOT_VALID_FOR;
        let valid_for = SLOT_VALID_FOR.to_std().unwrap_or_default();
        let mut slots = Vec::with_capacity(documents.len());
        for (i, d) in documents.iter().enumerate() {
            let field = format!("documents[{i}]");
            check_declared(&field, d.size, &d.sha256)?;
            limits::bounded(&format!("{field}.name"), &d.name, limits::MAX_NAME)?;
            limits::bounded(
                &format!("{field}.media_type"),
                &d.media_type,
                limits::MAX_MEDIA_TYPE,
            )?;
            let upload_id = uuid::Uuid::new_v4().to_string();
            let key = upload_key(portal_client_id, &upload_id)?;
            let sha256 = d.sha256.to_ascii_lowercase();
            let presigned = self
                .blobs
                .presign_put(&key, d.size, &sha256, valid_for)
                .await?;
            slots.push(PlannedSlot {
                upload_id,
                size: d.size,
                sha256,
                expires_at,
                presigned,
            });
        }
        Ok(slots)
    }

    /// The embedded upload route: stores `bytes` as the upload when they are what the slot
    /// declared (the edge has checked the slot's signature and expiry).
    pub async fn put_upload(
        &self,
        portal_client_id: &str,
        upload_id: &str,
        size: u64,
        sha256: &str,
        bytes: &[u8],
    ) -> Result<BlobMeta, AppError> {
        let key = upload_key(portal_client_id, upload_id)?;
        check_declared("upload", size, sha256)?;
        if bytes.len() as u64 != size {
            return Err(AppError::invalid(
                "upload.size",
                "does not match the content",
            ));
        }
        if !sha256_hex(bytes).eq_ignore_ascii_case(sha256) {
            return Err(AppError::invalid(
                "upload.sha256",
                "does not match the content",
            ));
        }
        Ok(self.blobs.put_blob(&key, bytes).await?)
    }

    /// The uploaded documents a submission references, checked against the size and checksum
    /// it declares. A reference to nothing (never uploaded, expired, another client's) is 422.
    pub async fn uploaded_documents(
        &self,
        portal_client_id: &str,
        refs: &[UploadRef],
    ) -> Result<Vec<IncomingDocument>, AppError> {
        let mut out = Vec::with_capacity(refs.len());
        for (i, r) in refs.iter().enumerate() {
            let field = format!("uploads[{i}]");
            check_declared(&field, r.size, &r.sha256)?;
            let key = upload_key(portal_client_id, &r.upload_id).map_err(|_| {
                AppError::invalid(format!("{field}.upload_id"), "is not an upload id")
            })?;
            let bytes = match self
                .blobs
                .get_blob(&key, &r.sha256.to_ascii_lowercase())
                .await
            {
                Ok(b) => b,
                Err(StoreError::NotFound(_)) => {
                    return Err(AppError::invalid(
                        format!("{field}.upload_id"),
                        "nothing was uploaded to this slot (or the upload expired)",
                    ));
                }
                Err(StoreError::Corrupt(_)) => {
                    return Err(AppError::invalid(
                        format!("{field}.sha256"),
                        "does not match the uploaded content",
                    ));
                }
                Err(e) => return Err(e.into()),
            };
            if bytes.len() as u64 != r.size {
                return Err(AppError::invalid(
                    format!("{field}.size"),
                    "does not match the uploaded content",
                ));
            }
            out.push(IncomingDocument {
                name: r.name.clone(),
                media_type: r.media_type.clone(),
                bytes,
                declared_sha256: Some(r.sha256.to_ascii_lowercase()),
                declared_size: Some(r.size),
                source: crate::model::AttachmentSource::Submission,
            });
        }
        Ok(out)
    }

    /// Removes uploads once their case holds the documents (best effort: the expiry catches
    /// what this misses).
    pub async fn discard_uploads(&self, portal_client_id: &str, refs: &[UploadRef]) {
        for r in refs {
            if let Ok(key) = upload_key(portal_client_id, &r.upload_id)
                && let Err(e) = self.blobs.delete_blob(&key).await
            {
                tracing::warn!(error = %e, "upload not removed; it expires");
            }
        }
    }

    /// Deletes uploads older than [`UPLOAD_KEPT_FOR`] (the embedded store; S3 expires them by
    /// its lifecycle rule).
    pub async fn sweep_uploads(&self) -> Result<usize, AppError> {
        let before = self.clock.now() - UPLOAD_KEPT_FOR;
        Ok(self.blobs.sweep(UPLOAD_PREFIX, before).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_only_for_uuids() {
        let id = "0b7e0d5e-8f0c-4a51-9a57-2f1c3f1f0a11";
        assert_eq!(
            upload_key("portal-1", id).ok().as_deref(),
            Some("uploads/portal-1/0b7e0d5e-8f0c-4a51-9a57-2f1c3f1f0a11")
        );
        for bad in ["../x", "", "0b7e0d5e8f0c4a519a572f1c3f1f0a11", "a/b"] {
            assert!(upload_key("portal-1", bad).is_err(), "{bad}");
        }
        assert!(upload_key("../p", id).is_err());
    }
}
