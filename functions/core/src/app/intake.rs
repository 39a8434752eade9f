//! Intake: a submission from the portal becomes a case, exactly once per submission id.

use chrono::Datelike;

use super::{App, AppError, Fingerprint, SignatureClaim};
use crate::case::{Receipt, format_reference, receive};
use crate::model::{Applicant, AttachmentMeta, FormData, INLINE_FORM_LIMIT, Status, SubmissionRef};
use crate::ports::{CreateOutcome, IdempotencyKey, NewCase};

/// A document as delivered: bytes plus what the sender claims about them.
#[derive(Debug, Clone)]
pub struct IncomingDocument {
    pub name: String,
    pub media_type: String,
    pub bytes: Vec<u8>,
    /// Checked against the bytes when present.
    pub declared_sha256: Option<String>,
    pub declared_size: Option<u64>,
    /// `Submission` for attachments, `Representation` for the PDF rendering of the form,
    /// `FormData` for the sender's original form part (kept byte-exact).
    pub source: crate::model::AttachmentSource,
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

/// The blob keys one intake attempt wrote: its documents and, when stored apart, its form.
fn blob_keys(attachments: &[AttachmentMeta], form: &FormData) -> Vec<String> {
    let mut keys: Vec<String> = attachments.iter().map(|a| a.key.clone()).collect();
    if let FormData::Blob { key, .. } = form {
        keys.push(key.clone());
    }
    keys
}

impl App {
    /// Writes the documents and, when it is large, the form data to the blob store under the
    /// case's keys.
    async fn store_documents(
        &self,
        case_id: &str,
        documents: &[IncomingDocument],
        form_id: String,
        form_data: serde_json::Value,
    ) -> Result<(Vec<AttachmentMeta>, FormData), AppError> {
        let attachments = self.store_attachments(case_id, 1, documents).await?;
        let form_bytes =
            serde_json::to_vec(&form_data).map_err(|e| AppError::invalid("form", e.to_string()))?;
        let limit = self.config.inline_form_limit.min(INLINE_FORM_LIMIT);
        let form = if form_bytes.len() > limit {
            let key = format!("cases/{case_id}/form.json");
            let meta = self.blobs.put_blob(&key, &form_bytes).await?;
            FormData::Blob {
                form_id,
                key,
                sha256: meta.sha256,
                size: meta.size,
            }
        } else {
            FormData::Inline {
                form_id,
                data: form_data,
            }
        };
        Ok((attachments, form))
    }

    /// Creates the case for `submission` from `portal_client_id`; the same submission id again
    /// returns the first case, a different body under the same id is refused.
    /// `fingerprint` identifies the delivered body (the edge computes it; app/fingerprint.rs).
    pub async fn submit(
        &self,
        portal_client_id: &str,
        submission: Submission,
        fingerprint: impl Into<Fingerprint>,
    ) -> Result<SubmitOutcome, AppError> {
        self.submit_claimed(portal_client_id, submission, fingerprint, None)
            .await
    }

    /// [`App::submit`] for a signed request whose signature is not yet claimed: the claim is
    /// made while the documents are written, and a replay (`AppError::Replayed`) creates
    /// nothing. A replayed request is still validated first, so an invalid one gets its
    /// validation error rather than 401.
    pub async fn submit_claimed(
        &self,
        portal_client_id: &str,
        mut submission: Submission,
        fingerprint: impl Into<Fingerprint>,
        claim: Option<SignatureClaim>,
    ) -> Result<SubmitOutcome, AppError> {
        let fingerprint = fingerprint.into();
        if submission.submission_id.trim().is_empty() || submission.submission_id.len() > 128 {
            return Err(AppError::invalid(
                "submission_id",
                "must be 1 to 128 characters",
            ));
        }
        // An empty name is allowed: the sender's form named nobody, and the case says so
        // (`Applicant::recognised`) instead of inventing a name.
        // The address is checked here, where every intake route hands the applicant over: an
        // address that is none would only fail later, when the receipt bounces.
        if let Some(email) = submission.applicant.email.take() {
            let email = crate::model::EmailAddress::parse(&email)
                .map_err(|e| AppError::invalid("applicant.email", e.to_string()))?;
            submission.applicant.email = Some(email.into_string());
        }
        super::limits::check_submission(&submission)?;
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
            d.check_size(i)?;
        }

        let now = self.clock.now();
        let case_id = super::new_case_id();
        let year = crate::deadline::berlin_date(now).year();
        // The documents' fsyncs, the counter's commit and the signature's claim overlap (the two
        // commits usually share one group commit). A failed document write or a replay leaves a
        // gap in the reference numbers; that is all it costs, numbers are never reused.
        let form_id = submission.form_id.clone();
        let (stored, number, claimed) = futures_util::future::join3(
            self.store_documents(
                &case_id,
                &submission.documents,
                form_id,
                submission.form_data,
            ),
            self.store.next_reference_number(year),
            async {
                match &claim {
                    Some(claim) => self.claim_signature(claim).await,
                    None => Ok(()),
                }
            },
        )
        .await;
        let (attachments, form) = stored?;
        if let Err(refused) = claimed {
            // Nothing of this attempt may stay: its documents belong to no case.
            self.delete_blobs(blob_keys(&attachments, &form)).await;
            return Err(refused);
        }
        let number = number?;
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
        let written = blob_keys(&decision.case.attachments, &decision.case.form);
        let new = NewCase {
            case: decision.case,
            events: decision.events,
            idempotency: IdempotencyKey {
                portal_client_id: portal_client_id.to_string(),
                submission_id: submission.submission_id.clone(),
                body_sha256: fingerprint.as_str().to_string(),
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
                self.delete_blobs(written).await;
                let case = self
                    .store
                    .load_case(&existing)
                    .await?
                    .ok_or_else(|| AppError::NotFound(format!("case {existing}")))?;
                if !fingerprint.matches(&stored) {
                    return Err(AppError::SubmissionMismatch {
                        submission_id: submission.submission_id,
                        case_id: case.id,
                        reference: case.reference,
                    });
                }
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
