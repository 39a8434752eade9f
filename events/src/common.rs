//! Small value types shared by events and queue messages.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Who did something. Never carries a name or address: the audit trail names accounts, not people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Actor {
    /// A caseworker account (`sub` of the token).
    Caseworker(String),
    /// The applicant, acting through the portal.
    Applicant,
    /// A portal client (the machine that delivered the submission).
    Portal(String),
    /// The deadline scheduler.
    Scheduler,
    /// fallwerk itself (queue consumers, export).
    System,
}

/// The deadlines the scheduler watches (docs/ARCHITECTURE.md, "Deadlines").
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum DeadlineKind {
    CompetenceCheckDue,
    CompletenessCheckDue,
    ApplicantReplyDue,
    ProcessingDue,
    FollowUp,
    RetentionDue,
    /// The result waits in the postbox: ten days to retrieve it (§ 41 Abs. 2a Satz 4 VwVfG).
    RetrievalDue,
    /// Rechtsbehelfsfrist: one month (one year without instructions) from the announcement.
    AppealDue,
}

impl DeadlineKind {
    pub const ALL: [DeadlineKind; 8] = [
        DeadlineKind::CompetenceCheckDue,
        DeadlineKind::CompletenessCheckDue,
        DeadlineKind::ApplicantReplyDue,
        DeadlineKind::ProcessingDue,
        DeadlineKind::FollowUp,
        DeadlineKind::RetentionDue,
        DeadlineKind::RetrievalDue,
        DeadlineKind::AppealDue,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DeadlineKind::CompetenceCheckDue => "competence_check_due",
            DeadlineKind::CompletenessCheckDue => "completeness_check_due",
            DeadlineKind::ApplicantReplyDue => "applicant_reply_due",
            DeadlineKind::ProcessingDue => "processing_due",
            DeadlineKind::FollowUp => "follow_up",
            DeadlineKind::RetentionDue => "retention_due",
            DeadlineKind::RetrievalDue => "retrieval_due",
            DeadlineKind::AppealDue => "appeal_due",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// German label for e-mails and explanations.
    pub fn label_de(self) -> &'static str {
        match self {
            DeadlineKind::CompetenceCheckDue => "Zuständigkeitsprüfung",
            DeadlineKind::CompletenessCheckDue => "Vollständigkeitsprüfung",
            DeadlineKind::ApplicantReplyDue => "Antwortfrist der antragstellenden Person",
            DeadlineKind::ProcessingDue => "Bearbeitungsfrist",
            DeadlineKind::FollowUp => "Wiedervorlage",
            DeadlineKind::RetentionDue => "Aufbewahrungsfrist",
            DeadlineKind::RetrievalDue => "Abruf des Bescheids im Postfach",
            DeadlineKind::AppealDue => "Rechtsbehelfsfrist",
        }
    }
}

/// How urgent a reminder is; the scheduler owes at most one message per (deadline, level).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ReminderLevel {
    Warning,
    Due,
    Escalation,
}

impl ReminderLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            ReminderLevel::Warning => "warning",
            ReminderLevel::Due => "due",
            ReminderLevel::Escalation => "escalation",
        }
    }
}

/// The decision delivered with `send_result`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Granted,
    PartiallyGranted,
    Rejected,
}

impl Outcome {
    pub fn label_de(self) -> &'static str {
        match self {
            Outcome::Granted => "bewilligt",
            Outcome::PartiallyGranted => "teilweise bewilligt",
            Outcome::Rejected => "abgelehnt",
        }
    }
}

/// Where a case's export goes (docs/export-format.md).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum ExportTarget {
    /// A DMS drop: an S3 prefix.
    S3 { bucket: String, prefix: String },
    /// A Fachverfahren's HTTPS endpoint; requests are HMAC-signed with the named secret.
    Webhook { url: String, secret_ref: String },
    /// Embedded mode: a directory on the local file system.
    Directory { path: String },
}
