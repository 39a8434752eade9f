//! Intake: a submission from the portal becomes a case, exactly once per submission id.

use chrono::Datelike;

use super::{App, AppError, names::sanitize_file_name};
use crate::case::{Receipt, format_reference, receive};
use crate::model::{Applicant, AttachmentMeta, FormData, INLINE_FORM_LIMIT, Status, SubmissionRef};
use crate::ports::{CreateOutcome, IdempotencyKey, NewCase, sha256_hex};

/// A document as delivered: bytes plus what the sender claims about them.
#[derive(Debug, Clone)]
pub struct IncomingDocument {
    pub name: String,
    pub media_type: String,
    pub bytes: Vec<u8>,
    /// Checked against the bytes when present.
    pub declared_sha256: Option<String>,
    pub declared_size: Option<u64>,
    /// "submission" for attachments, "representation" for the PDF rendering of the form.
    pub source: &'static str,
}

/// What the portal delivers (native JSON or OZG-Cloud multipart, already parsed).
#[derive(Debug, Clone)]
pub struct Submission {
    pub submission_id: String,
    pub leika_id: String,
    pub org_unit_id: String,
    pub applicant: Applicant,
    pub form_id: String,
    pub form_data: serde_json::Value,
    pub documents: Vec<IncomingDocument>,
}

impl IncomingDocument {
    /// Refuses a document whose declared checksum or size does not match its bytes.
    pub(crate) fn verify(&self, index: usize) -> Result<(), AppError> {
        if let Some(declared) = &self.declared_sha256
            && !declared.eq_ignore_ascii_case(&sha256_hex(&self.bytes))
        {
            return Err(AppError::invalid(
                format!("attachments[{index}].sha256"),
                "does not match the content",
            ));
        }
        if let Some(size) = self.declared_size
            && size != self.bytes.len() as u64
        {
            return Err(AppError::invalid(
                format!("attachments[{index}].size"),
                "does not match the content",
            ));
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct SubmitOutcome {
    pub case_id: String,
    pub reference: String,
    pub status: Status,
    pub status_since: chrono::DateTime<chrono::Utc>,
    /// `false` when the submission was a duplicate and the existing case is returned.
    pub created: bool,
}

const MAX_DOCUMENTS: usize = 50;

impl App {
    /// Creates the case for `submission` from `portal_client_id`; the same submission id again
    /// returns the first case, a different body under the same id is refused.
    /// `body_sha256` fingerprints the delivered body (the edge computes it).
    pub async fn submit(
        &self,
        portal_client_id: &str,
        submission: Submission,
        body_sha256: &str,
    ) -> Result<SubmitOutcome, AppError> {
        if submission.submission_id.trim().is_empty() || submission.submission_id.len() > 128 {
            return Err(AppError::invalid(
                "submission_id",
                "must be 1 to 128 characters",
            ));
        }
        if submission.applicant.name.trim().is_empty() {
            return Err(AppError::invalid("applicant.name", "must not be empty"));
        }
        if submission.documents.len() > MAX_DOCUMENTS {
            return Err(AppError::invalid(
                "attachments",
                format!("at most {MAX_DOCUMENTS} documents"),
            ));
        }
        let org_unit = self
            .store
            .org_unit(&submission.org_unit_id)
            .await?
            .ok_or_else(|| {
                AppError::Unroutable(format!("unknown org unit `{}`", submission.org_unit_id))
            })?;
        let service = self
            .store
            .service(&submission.leika_id)
            .await?
            .ok_or_else(|| {
                AppError::Unroutable(format!("unknown service `{}`", submission.leika_id))
            })?;
        if !org_unit.offers(&service.leika_id) {
            return Err(AppError::Unroutable(format!(
                "org unit `{}` does not offer service `{}`",
                org_unit.id, service.leika_id
            )));
        }
        for (i, d) in submission.documents.iter().enumerate() {
            d.verify(i)?;
        }

        let now = self.clock.now();
        let case_id = super::new_case_id();
        let mut attachments = Vec::with_capacity(submission.documents.len());
        for (i, d) in submission.documents.iter().enumerate() {
            let n = i as u32 + 1;
            let key = format!("cases/{case_id}/attachments/{n}");
            let meta = self.blobs.put_blob(&key, &d.bytes).await?;
            attachments.push(AttachmentMeta {
                n,
                name: sanitize_file_name(&d.name),
                media_type: d.media_type.clone(),
                size: meta.size,
                sha256: meta.sha256,
                key,
                source: d.source.to_string(),
            });
        }
        let form_bytes = serde_json::to_vec(&submission.form_data)
            .map_err(|e| AppError::invalid("form", e.to_string()))?;
        let form = if form_bytes.len() > INLINE_FORM_LIMIT {
            let key = format!("cases/{case_id}/form.json");
            let meta = self.blobs.put_blob(&key, &form_bytes).await?;
            FormData::Blob {
                form_id: submission.form_id.clone(),
                key,
                sha256: meta.sha256,
                size: meta.size,
            }
        } else {
            FormData::Inline {
                form_id: submission.form_id.clone(),
                data: submission.form_data,
            }
        };

        let year = crate::deadline::berlin_date(now).year();
        let number = self.store.next_reference_number(year).await?;
        let reference = format_reference(&self.config.reference_prefix, year, number);
        let receipt = Receipt {
            case_id: case_id.clone(),
            reference: reference.clone(),
            submission: SubmissionRef {
                portal_client_id: portal_client_id.to_string(),
                submission_id: submission.submission_id.clone(),
                received_at: now,
            },
            applicant: submission.applicant,
            form,
            attachments,
        };
        let decision = receive(receipt, &org_unit, &service, now);
        let status = decision.case.status;
        // Blobs written for this attempt, to remove again if it turns out to be a duplicate.
        let mut written: Vec<String> = decision
            .case
            .attachments
            .iter()
            .map(|a| a.key.clone())
            .collect();
        if let FormData::Blob { key, .. } = &decision.case.form {
            written.push(key.clone());
        }
        let new = NewCase {
            case: decision.case,
            events: decision.events,
            idempotency: IdempotencyKey {
                portal_client_id: portal_client_id.to_string(),
                submission_id: submission.submission_id.clone(),
                body_sha256: body_sha256.to_string(),
            },
            messages: decision.messages,
            outbox: decision.outbox,
        };
        let outbox = new.outbox.clone();
        match self.store.create_case(new).await? {
            CreateOutcome::Created => {
                self.dispatch(&outbox).await;
                Ok(SubmitOutcome {
                    case_id,
                    reference,
                    status,
                    status_since: now,
                    created: true,
                })
            }
            CreateOutcome::Duplicate {
                case_id: existing,
                body_sha256: stored,
            } => {
                // The blobs written for this attempt belong to no case; remove them.
                for key in &written {
                    let _ = self.blobs.delete_blob(key).await;
                }
                if stored != body_sha256 {
                    return Err(AppError::SubmissionMismatch(submission.submission_id));
                }
                let case = self
                    .store
                    .load_case(&existing)
                    .await?
                    .ok_or_else(|| AppError::NotFound(format!("case {existing}")))?;
                Ok(SubmitOutcome {
                    case_id: case.id,
                    reference: case.reference,
                    status: case.status,
                    status_since: case.updated_at,
                    created: false,
                })
            }
        }
    }
}
