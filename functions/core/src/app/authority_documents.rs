//! Documents of the authority (e.g. the decision, Bescheid): caseworkers upload them to a case,
//! `send_result` and `message` attach them by number, and the portal downloads those that were
//! sent to the applicant.

use super::{App, AppError, IncomingDocument};
use crate::case::{Caller, Command, Ctx, execute};
use crate::model::{AttachmentMeta, Direction};

/// Media types caseworkers may upload (others are refused with 415).
pub const AUTHORITY_MEDIA_TYPES: [&str; 7] = [
    "application/pdf",
    "image/png",
    "image/jpeg",
    "image/tiff",
    "application/xml",
    "text/plain",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
];

/// Largest document a caseworker may upload (the route's body limit is a little larger).
pub const MAX_AUTHORITY_DOCUMENT: usize = 20 * 1024 * 1024;

/// At most this many documents per upload.
pub const MAX_AUTHORITY_DOCUMENTS: usize = 10;

pub fn authority_media_type_allowed(media_type: &str) -> bool {
    let essence = media_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    AUTHORITY_MEDIA_TYPES.contains(&essence.as_str())
}

impl App {
    /// Stores the documents (checksummed, through the blob port) as the case's next attachment
    /// numbers with source `authority` and records `documents_uploaded`; all or nothing.
    pub async fn upload_documents(
        &self,
        caller: &Caller,
        case_id: &str,
        documents: Vec<IncomingDocument>,
    ) -> Result<Vec<AttachmentMeta>, AppError> {
        let case = self.visible_case(caller, case_id).await?;
        if documents.is_empty() {
            return Err(AppError::invalid("file", "no document uploaded"));
        }
        if documents.len() > MAX_AUTHORITY_DOCUMENTS {
            return Err(AppError::invalid(
                "file",
                format!("at most {MAX_AUTHORITY_DOCUMENTS} documents per upload"),
            ));
        }
        for (i, d) in documents.iter().enumerate() {
            d.check_size(i)?;
            if d.bytes.is_empty() {
                return Err(AppError::invalid(format!("file[{i}]"), "is empty"));
            }
            if d.name.trim().is_empty() {
                return Err(AppError::invalid(format!("file[{i}]"), "needs a file name"));
            }
        }
        let service = self.service_of(&case).await?;
        let first = case.attachments.iter().map(|a| a.n).max().unwrap_or(0) + 1;
        let numbers: Vec<u32> = (0..documents.len() as u32).map(|i| first + i).collect();
        // Decide first (rights, status), so nothing is written for a refused upload.
        let ctx = Ctx {
            now: self.clock.now(),
            service: &service,
            forward_target: None,
        };
        let cmd = Command::UploadDocuments {
            attachments: numbers,
        };
        let mut decision = execute(&case, caller, &cmd, &ctx, None)?;
        let metas = self.store_attachments(case_id, first, &documents).await?;
        decision.case.attachments.extend(metas.iter().cloned());
        if let Err(e) = self.save_decision(case.version, decision).await {
            self.delete_blobs(metas.into_iter().map(|m| m.key)).await;
            return Err(e);
        }
        Ok(metas)
    }

    /// A document the authority sent to the applicant (named by a postbox message to them);
    /// anything else, also the authority's unsent uploads, is "not found" for the portal.
    pub async fn applicant_document(
        &self,
        portal_client_id: &str,
        case_id: &str,
        n: u32,
    ) -> Result<(AttachmentMeta, Vec<u8>), AppError> {
        let case = match self.store.load_case(case_id).await? {
            Some(c) if c.submission.portal_client_id == portal_client_id => c,
            _ => return Err(AppError::NotFound(format!("case {case_id}"))),
        };
        let sent = self
            .store
            .messages(case_id)
            .await?
            .iter()
            .any(|m| m.direction == Direction::ToApplicant && m.attachments.contains(&n));
        let meta = case
            .attachments
            .into_iter()
            .find(|a| a.n == n && a.source == crate::model::AttachmentSource::Authority)
            .filter(|_| sent)
            .ok_or_else(|| AppError::NotFound(format!("document {n}")))?;
        let bytes = self.blobs.get_blob(&meta.key, &meta.sha256).await?;
        Ok((meta, bytes))
    }
}
