//! Domain events: the append-only audit trail of a case and the source of all outgoing messages.
//! Each accepted command produces one or more of these; replaying them rebuilds the case.

use chrono::{DateTime, NaiveDate, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::{Actor, DeadlineKind, ExportTarget, Outcome, ReminderLevel};

/// One entry of a case's history: who did what, when, at which case version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct DomainEvent {
    /// Contract version, always [`crate::CONTRACT_VERSION`].
    pub v: u8,
    pub case_id: String,
    /// Position in the case's history, 1-based, gapless; equals the case version after the event.
    pub seq: u64,
    pub at: DateTime<Utc>,
    pub actor: Actor,
    #[serde(flatten)]
    pub kind: EventKind,
}

/// What happened. Payloads carry ids, dates and caseworker-entered texts, never form data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EventKind {
    CaseReceived {
        reference: String,
        org_unit_id: String,
        leika_id: String,
        submission_id: String,
        portal_client_id: String,
        attachments: u32,
    },
    CompetenceConfirmed,
    Forwarded {
        from_org_unit_id: String,
        to_org_unit_id: String,
        /// The receiving unit's holiday state (two-letter code); its deadlines count with it.
        holiday_state: String,
        /// The receiving unit's municipality key (AGS), whose municipal holidays count too.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        holiday_municipality: Option<String>,
        reason: String,
    },
    CompletenessConfirmed,
    DocumentsRequested {
        items: Vec<String>,
        /// The day the caseworker stated; `reply_by_rule` says whether it moves off a weekend.
        reply_by: NaiveDate,
        message_id: String,
        /// Absent in events written before § 31 Abs. 3 Satz 2 / Abs. 5 VwVfG were supported.
        #[serde(default)]
        reply_by_rule: crate::DateRule,
    },
    SuspensionStarted {
        on: NaiveDate,
    },
    ApplicantReplied {
        message_id: String,
        attachments: u32,
    },
    SuspensionEnded {
        from: NaiveDate,
        to: NaiveDate,
        days: u32,
    },
    /// A deadline starts running. A deadline is never moved in place: extension and suspension
    /// close it and set a new one, so the reminder ledger of the old one cannot block the new.
    DeadlineSet {
        deadline_id: String,
        kind: DeadlineKind,
        due_on: NaiveDate,
        warn_on: Option<NaiveDate>,
        escalate_on: Option<NaiveDate>,
        /// The calculator's explanation, German, one line per rule applied.
        basis: String,
    },
    DeadlineClosed {
        deadline_id: String,
        kind: DeadlineKind,
    },
    DeadlineOverdue {
        deadline_id: String,
        kind: DeadlineKind,
    },
    ReminderSent {
        deadline_id: String,
        kind: DeadlineKind,
        level: ReminderLevel,
    },
    ProcessingExtended {
        until: NaiveDate,
        reason: String,
    },
    FollowUpSet {
        deadline_id: String,
        on: NaiveDate,
        note: String,
    },
    ExportRequested {
        target: ExportTarget,
        attempt: u32,
    },
    ExportSkipped,
    ExportSucceeded {
        receipt: String,
        location: String,
    },
    ExportFailed {
        error: String,
    },
    ResultSent {
        outcome: Outcome,
        documents: Vec<String>,
        message_id: String,
        /// Whether the decision carries a Rechtsbehelfsbelehrung (without one the appeal
        /// period is one year, § 58 Abs. 2 VwGO). Absent in older events: it did.
        #[serde(default = "crate::law_default_true")]
        appeal_instructions: bool,
    },
    Commented {
        comment_id: String,
        text: String,
    },
    MessageSent {
        message_id: String,
        subject: String,
    },
    Assigned {
        from: Option<String>,
        to: Option<String>,
    },
    Cancelled {
        reason: String,
    },
    NotificationFailed {
        message_id: String,
        error: String,
    },
    PersonalDataPurged,
    /// A caseworker ticked (or unticked) a document of the case's checklist.
    DocumentChecked {
        document: String,
        received: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
    /// The requested documents arrived another way (post, in person); the wait ends.
    DocumentsArrived {
        note: String,
    },
    /// The document request is withdrawn (e.g. sent by mistake); the wait ends.
    DocumentRequestWithdrawn {
        reason: String,
        message_id: String,
    },
    /// The portal reports that the applicant opened a postbox message (Postfach-Abruf).
    MessageRetrieved {
        message_id: String,
        retrieved_on: NaiveDate,
    },
    /// The decision counts as announced (Bekanntgabe); the appeal period runs from here.
    ResultAnnounced {
        via: crate::AnnouncementVia,
        announced_on: NaiveDate,
        /// Last day of the appeal period that starts with the announcement.
        appeal_due: NaiveDate,
        /// The German explanation with its legal basis.
        basis: String,
    },
    /// The result was not retrieved in time (§ 41 Abs. 2a Satz 4 VwVfG): send it by post.
    PostalDeliveryRequired {
        message_id: String,
    },
    /// The caseworker recorded the day the decision was posted.
    ResultPosted {
        posted_on: NaiveDate,
    },
    /// An appeal (Widerspruch) was received; `late` when after the appeal deadline.
    AppealLodged {
        received_on: NaiveDate,
        late: bool,
    },
    /// The appeal period passed without an appeal: the decision is final (bestandskräftig).
    DecisionFinal {
        final_on: NaiveDate,
    },
}

impl EventKind {
    /// The stable snake_case name of the event, as written in `"type"`.
    pub fn name(&self) -> &'static str {
        match self {
            EventKind::CaseReceived { .. } => "case_received",
            EventKind::CompetenceConfirmed => "competence_confirmed",
            EventKind::Forwarded { .. } => "forwarded",
            EventKind::CompletenessConfirmed => "completeness_confirmed",
            EventKind::DocumentsRequested { .. } => "documents_requested",
            EventKind::SuspensionStarted { .. } => "suspension_started",
            EventKind::ApplicantReplied { .. } => "applicant_replied",
            EventKind::SuspensionEnded { .. } => "suspension_ended",
            EventKind::DeadlineSet { .. } => "deadline_set",
            EventKind::DeadlineClosed { .. } => "deadline_closed",
            EventKind::DeadlineOverdue { .. } => "deadline_overdue",
            EventKind::ReminderSent { .. } => "reminder_sent",
            EventKind::ProcessingExtended { .. } => "processing_extended",
            EventKind::FollowUpSet { .. } => "follow_up_set",
            EventKind::ExportRequested { .. } => "export_requested",
            EventKind::ExportSkipped => "export_skipped",
            EventKind::ExportSucceeded { .. } => "export_succeeded",
            EventKind::ExportFailed { .. } => "export_failed",
            EventKind::ResultSent { .. } => "result_sent",
            EventKind::Commented { .. } => "commented",
            EventKind::MessageSent { .. } => "message_sent",
            EventKind::Assigned { .. } => "assigned",
            EventKind::Cancelled { .. } => "cancelled",
            EventKind::NotificationFailed { .. } => "notification_failed",
            EventKind::PersonalDataPurged => "personal_data_purged",
            EventKind::DocumentChecked { .. } => "document_checked",
            EventKind::DocumentsArrived { .. } => "documents_arrived",
            EventKind::DocumentRequestWithdrawn { .. } => "document_request_withdrawn",
            EventKind::MessageRetrieved { .. } => "message_retrieved",
            EventKind::ResultAnnounced { .. } => "result_announced",
            EventKind::PostalDeliveryRequired { .. } => "postal_delivery_required",
            EventKind::ResultPosted { .. } => "result_posted",
            EventKind::AppealLodged { .. } => "appeal_lodged",
            EventKind::DecisionFinal { .. } => "decision_final",
        }
    }
}
