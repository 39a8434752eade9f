//! Receiving a submission: the new case in its competent org unit, with its first deadlines.

use chrono::{DateTime, Utc};

use super::command::Caller;
use super::deadlines::{self, DeadlineIds};
use super::execute::{Decision, commit};
use super::outgoing;
use crate::deadline::berlin_date;
use crate::model::{
    Applicant, AttachmentMeta, Case, FormData, OrgUnit, ProcessingStart, Service, Status,
    SubmissionRef,
};
use fallwerk_events::{Actor, DeadlineKind, EventKind};

/// A validated submission, routed to its org unit and service, with its blobs already stored.
#[derive(Debug, Clone)]
pub struct Receipt {
    pub case_id: String,
    pub reference: String,
    pub submission: SubmissionRef,
    pub applicant: Applicant,
    pub form: FormData,
    pub attachments: Vec<AttachmentMeta>,
}

/// Builds the case and its first events (`case_received` and the competence-check deadline).
pub fn receive(
    receipt: Receipt,
    org_unit: &OrgUnit,
    service: &Service,
    now: DateTime<Utc>,
) -> Decision {
    let reference = receipt.reference.clone();
    let submission = receipt.submission.clone();
    let base = received_case(receipt, org_unit, service, now);
    let rules = &service.rules;
    let today = berlin_date(submission.received_at);
    let mut ids = DeadlineIds::for_case(&base);
    let mut kinds = vec![EventKind::CaseReceived {
        reference,
        org_unit_id: org_unit.id.clone(),
        leika_id: service.leika_id.clone(),
        submission_id: submission.submission_id.clone(),
        portal_client_id: submission.portal_client_id.clone(),
        attachments: base.attachments.len() as u32,
    }];
    kinds.push(deadlines::set(
        &mut ids,
        DeadlineKind::CompetenceCheckDue,
        today,
        rules.competence_check,
        org_unit.calendar(),
        rules,
    ));
    if rules.processing_starts == ProcessingStart::OnReceipt {
        kinds.push(deadlines::set(
            &mut ids,
            DeadlineKind::ProcessingDue,
            today,
            rules.processing,
            org_unit.state,
            rules,
        ));
    }
    let caller = Caller::system(Actor::Portal(submission.portal_client_id));
    let (case, events) = commit(base, &caller, kinds, now);
    let messages = outgoing::postbox(&case, &events, None);
    let outbox = outgoing::outbox(&case, &events);
    Decision {
        case,
        events,
        outbox,
        messages,
    }
}

/// The case a receipt opens, as it is before its first event: received, in `org_unit`, with no
/// tasks or deadlines yet.
pub fn received_case(
    receipt: Receipt,
    org_unit: &OrgUnit,
    service: &Service,
    now: DateTime<Utc>,
) -> Case {
    Case {
        id: receipt.case_id,
        reference: receipt.reference,
        version: 0,
        status: Status::Received,
        org_unit_id: org_unit.id.clone(),
        state: org_unit.state,
        municipality: org_unit.calendar().municipality,
        leika_id: service.leika_id.clone(),
        submission: receipt.submission,
        applicant: receipt.applicant,
        form: receipt.form,
        attachments: receipt.attachments,
        tasks: Vec::new(),
        assignee: None,
        deadlines: Vec::new(),
        suspensions: Vec::new(),
        document_request: None,
        extension: None,
        export: None,
        result: None,
        cancel_reason: None,
        notification_failures: Vec::new(),
        personal_data_purged: false,
        document_checks: Vec::new(),
        created_at: now,
        updated_at: now,
    }
}

/// `MV-2026-000123`: prefix, year and a per-year number, never reused.
pub fn format_reference(prefix: &str, year: i32, number: u64) -> String {
    format!("{prefix}-{year}-{number:06}")
}
