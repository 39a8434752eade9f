//! Case statuses and the generic tasks of the Fallmanagement process (docs/ARCHITECTURE.md, "Case lifecycle").

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Received,
    CompletenessCheck,
    AwaitingApplicant,
    InProgress,
    Exporting,
    Exported,
    ExportFailed,
    Completed,
    Cancelled,
}

impl Status {
    pub const ALL: [Status; 9] = [
        Status::Received,
        Status::CompletenessCheck,
        Status::AwaitingApplicant,
        Status::InProgress,
        Status::Exporting,
        Status::Exported,
        Status::ExportFailed,
        Status::Completed,
        Status::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Received => "received",
            Status::CompletenessCheck => "completeness_check",
            Status::AwaitingApplicant => "awaiting_applicant",
            Status::InProgress => "in_progress",
            Status::Exporting => "exporting",
            Status::Exported => "exported",
            Status::ExportFailed => "export_failed",
            Status::Completed => "completed",
            Status::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// Final statuses accept only comments.
    pub fn is_final(self) -> bool {
        matches!(self, Status::Completed | Status::Cancelled)
    }

    /// What the applicant sees in the portal.
    pub fn label_de(self) -> &'static str {
        match self {
            Status::Received => "Eingegangen",
            Status::CompletenessCheck => "In Prüfung",
            Status::AwaitingApplicant => "Unterlagen nachgefordert",
            Status::InProgress | Status::Exporting | Status::Exported | Status::ExportFailed => {
                "In Bearbeitung"
            }
            Status::Completed => "Abgeschlossen",
            Status::Cancelled => "Beendet",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TaskKind {
    CompetenceCheck,
    CompletenessCheck,
    DeadlineMonitoring,
    Export,
    SendResult,
    /// The result was not retrieved from the postbox in time: send it by post.
    SendByPost,
}

impl TaskKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TaskKind::CompetenceCheck => "competence_check",
            TaskKind::CompletenessCheck => "completeness_check",
            TaskKind::DeadlineMonitoring => "deadline_monitoring",
            TaskKind::Export => "export",
            TaskKind::SendResult => "send_result",
            TaskKind::SendByPost => "send_by_post",
        }
    }

    pub fn parse(s: &str) -> Option<TaskKind> {
        [
            TaskKind::CompetenceCheck,
            TaskKind::CompletenessCheck,
            TaskKind::DeadlineMonitoring,
            TaskKind::Export,
            TaskKind::SendResult,
            TaskKind::SendByPost,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TaskState {
    Open,
    Done,
    Skipped,
}

/// One generic step of a case, with who closed it and when.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Task {
    pub kind: TaskKind,
    pub state: TaskState,
    pub opened_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    /// Account id of who closed it (or "system" / "applicant").
    pub closed_by: Option<String>,
}
