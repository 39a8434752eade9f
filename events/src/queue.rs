//! Queue messages (docs/ARCHITECTURE.md, "Queues and workers"). Each carries a `message_id` that makes its processing
//! idempotent. They carry ids and references only: consumers load contact data from the store,
//! so no personal data sits in queues, dead-letter queues or their logs.

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::{DeadlineKind, ExportTarget, Outcome, ReminderLevel};

/// Everything that travels over fallwerk's queues, tagged by `"type"`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type")]
pub enum QueueMessage {
    OrgUnitNotification(OrgUnitNotification),
    ApplicantNotification(ApplicantNotification),
    DeadlineReminder(DeadlineReminder),
    ExportRequested(ExportRequested),
    ResultDelivery(ResultDelivery),
    AssigneeNotification(AssigneeNotification),
}

impl QueueMessage {
    pub fn message_id(&self) -> &str {
        match self {
            QueueMessage::OrgUnitNotification(m) => &m.message_id,
            QueueMessage::ApplicantNotification(m) => &m.message_id,
            QueueMessage::DeadlineReminder(m) => &m.message_id,
            QueueMessage::ExportRequested(m) => &m.message_id,
            QueueMessage::ResultDelivery(m) => &m.message_id,
            QueueMessage::AssigneeNotification(m) => &m.message_id,
        }
    }

    pub fn case_id(&self) -> &str {
        match self {
            QueueMessage::OrgUnitNotification(m) => &m.case_id,
            QueueMessage::ApplicantNotification(m) => &m.case_id,
            QueueMessage::DeadlineReminder(m) => &m.case_id,
            QueueMessage::ExportRequested(m) => &m.case_id,
            QueueMessage::ResultDelivery(m) => &m.case_id,
            QueueMessage::AssigneeNotification(m) => &m.case_id,
        }
    }

    /// The queue a message belongs on: export work is isolated from e-mail so that a slow
    /// Fachverfahren cannot hold up reminders.
    pub fn queue(&self) -> QueueName {
        match self {
            QueueMessage::ExportRequested(_) => QueueName::Export,
            _ => QueueName::Messaging,
        }
    }
}

/// The logical queues; adapters map them to SQS URLs or embedded queue names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum QueueName {
    Messaging,
    Export,
}

impl QueueName {
    pub fn as_str(self) -> &'static str {
        match self {
            QueueName::Messaging => "messaging",
            QueueName::Export => "export",
        }
    }
}

/// Why an org unit is notified.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum OrgUnitReason {
    NewCase,
    ForwardedIn,
    ApplicantReplied,
    ExportFailed,
    /// An e-mail about the case to someone else (the applicant, the assignee) was rejected or
    /// bounced; the failure is in the case's history.
    NotificationFailed,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OrgUnitNotification {
    pub v: u8,
    pub message_id: String,
    pub case_id: String,
    pub reference: String,
    pub org_unit_id: String,
    pub reason: OrgUnitReason,
}

/// What the applicant is told about; the e-mail only says there is news in the postbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ApplicantReason {
    Received,
    Forwarded,
    DocumentsRequested,
    ReplyReminder,
    Message,
    Extended,
    Cancelled,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplicantNotification {
    pub v: u8,
    pub message_id: String,
    pub case_id: String,
    pub reference: String,
    pub org_unit_id: String,
    pub reason: ApplicantReason,
}

/// Who a reminder goes to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum ReminderRecipient {
    /// The assigned caseworker (account id).
    Assignee(String),
    /// The org unit's notification address.
    OrgUnit(String),
    /// The applicant (only for `applicant_reply_due` warnings).
    Applicant,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeadlineReminder {
    pub v: u8,
    pub message_id: String,
    pub case_id: String,
    pub reference: String,
    pub org_unit_id: String,
    pub deadline_id: String,
    pub kind: DeadlineKind,
    pub level: ReminderLevel,
    pub due_on: NaiveDate,
    pub recipient: ReminderRecipient,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExportRequested {
    pub v: u8,
    pub message_id: String,
    pub case_id: String,
    pub reference: String,
    pub target: ExportTarget,
    pub attempt: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ResultDelivery {
    pub v: u8,
    pub message_id: String,
    pub case_id: String,
    pub reference: String,
    pub org_unit_id: String,
    pub outcome: Outcome,
    pub documents: Vec<String>,
}

/// A case was assigned to a caseworker by someone else: the assignee (during an absence the
/// substitute) is told at their personal address. Carries no applicant data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AssigneeNotification {
    pub v: u8,
    pub message_id: String,
    pub case_id: String,
    pub reference: String,
    pub org_unit_id: String,
    /// The new assignee's account id.
    pub assignee: String,
}
