//! What the portal may do and see for the applicant: reply, read the status and the postbox.
//! A portal client reaches only the cases it delivered; internal comments never appear here.

use chrono::{DateTime, NaiveDate, Utc};
use schemars::JsonSchema;
use serde::Serialize;

use super::{App, AppError, IncomingDocument};
use crate::case::Command;
use crate::model::{AttachmentMeta, Case, Message, Status};
use fallwerk_events::{Actor, Outcome};

/// The applicant's view of a case.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct ApplicantStatus {
    pub case_id: String,
    pub reference: String,
    pub status: Status,
    /// German label for display.
    pub status_label: String,
    pub received_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Expected decision date (the processing deadline), once it runs.
    pub expected_decision_on: Option<NaiveDate>,
    /// Documents the authority waits for, with the reply date.
    pub requested_documents: Vec<String>,
    pub reply_by: Option<NaiveDate>,
    pub outcome: Option<Outcome>,
    /// The decision counts as announced on this day (§ 41 VwVfG), once it is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub announced_on: Option<NaiveDate>,
    /// Last day to appeal (Widerspruch or Klage).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub appeal_due: Option<NaiveDate>,
    /// Bestandskräftig ab: the decision can no longer be challenged.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub final_on: Option<NaiveDate>,
}

impl App {
    async fn portal_case(&self, portal_client_id: &str, case_id: &str) -> Result<Case, AppError> {
        match self.store.load_case(case_id).await? {
            Some(c) if c.submission.portal_client_id == portal_client_id => Ok(c),
            _ => Err(AppError::NotFound(format!("case {case_id}"))),
        }
    }

    pub async fn applicant_status(
        &self,
        portal_client_id: &str,
        case_id: &str,
    ) -> Result<ApplicantStatus, AppError> {
        let c = self.portal_case(portal_client_id, case_id).await?;
        Ok(ApplicantStatus {
            case_id: c.id.clone(),
            reference: c.reference.clone(),
            status: c.status,
            status_label: c.status.label_de().to_string(),
            received_at: c.submission.received_at,
            updated_at: c.updated_at,
            expected_decision_on: c.expected_decision_on(),
            requested_documents: c
                .document_request
                .as_ref()
                .map(|r| r.items.clone())
                .unwrap_or_default(),
            reply_by: c.document_request.as_ref().map(|r| r.reply_by),
            outcome: c.result.as_ref().map(|r| r.outcome),
            announced_on: c.result.as_ref().and_then(|r| r.announcement.announced_on),
            appeal_due: c.result.as_ref().and_then(|r| r.announcement.appeal_due),
            final_on: c.result.as_ref().and_then(|r| r.announcement.final_on),
        })
    }

    pub async fn applicant_messages(
        &self,
        portal_client_id: &str,
        case_id: &str,
    ) -> Result<Vec<Message>, AppError> {
        self.portal_case(portal_client_id, case_id).await?;
        let mut messages = self.store.messages(case_id).await?;
        // Authors (caseworker accounts) and read marks are internal.
        for m in &mut messages {
            m.author = None;
            m.read = None;
        }
        Ok(messages)
    }

    /// The applicant answers (a message or the requested documents).
    pub async fn applicant_reply(
        &self,
        portal_client_id: &str,
        case_id: &str,
        subject: String,
        text: String,
        documents: Vec<IncomingDocument>,
    ) -> Result<ApplicantStatus, AppError> {
        let case = self.portal_case(portal_client_id, case_id).await?;
        if documents.len() > 20 {
            return Err(AppError::invalid(
                "attachments",
                "at most 20 documents per reply",
            ));
        }
        super::limits::check_documents(&documents)?;
        for (i, d) in documents.iter().enumerate() {
            d.check_size(i)?;
        }
        // The blobs go under keys of this request; their numbers are allocated in the write.
        let first = case.attachments.iter().map(|a| a.n).max().unwrap_or(0) + 1;
        let metas = self.store_attachments(case_id, first, &documents).await?;
        let result = self
            .reply_with_attachments(case_id, subject, text, metas.clone())
            .await;
        if result.is_err() {
            // Only what this request wrote: nobody else uses these keys.
            self.delete_blobs(metas.into_iter().map(|m| m.key)).await;
        }
        result?;
        self.applicant_status(portal_client_id, case_id).await
    }

    /// Records the reply with its documents. The numbers follow the case's highest number as
    /// loaded for the version-guarded write; when a concurrent writer (another reply, an
    /// upload) changed the case first, the reply is decided again on the new version, with new
    /// numbers, a bounded number of times.
    async fn reply_with_attachments(
        &self,
        case_id: &str,
        subject: String,
        text: String,
        mut metas: Vec<AttachmentMeta>,
    ) -> Result<(), AppError> {
        const ATTEMPTS: usize = 8;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let (case, service) = self.stored_case(case_id).await?;
            let ctx = crate::case::Ctx {
                now: self.clock.now(),
                service: &service,
                forward_target: None,
            };
            let caller = crate::case::Caller::system(Actor::Applicant);
            let numbers = Self::renumber(&case, &mut metas);
            let cmd = Command::ApplicantReply {
                subject: subject.clone(),
                text: text.clone(),
                attachments: numbers,
            };
            let mut decision = crate::case::execute(&case, &caller, &cmd, &ctx, None)?;
            decision.case.attachments.extend(metas.iter().cloned());
            let result = self.save_decision(case.version, decision).await;
            if !super::runner::retry_after(&result, attempt, ATTEMPTS) {
                return result.map(|_| ());
            }
        }
    }
}
