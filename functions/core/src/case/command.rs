//! Commands: what caseworkers (actions), the applicant, the queue consumers and the scheduler
//! ask of a case, and who is asking.

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::ActionName;
use fallwerk_events::{Actor, DateRule, Outcome, ReminderLevel};

/// A caseworker action as posted to `POST /v1/cases/{id}/actions` (without `expected_version`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum Action {
    ConfirmCompetence,
    Forward {
        org_unit_id: String,
        reason: String,
    },
    ConfirmComplete,
    RequestDocuments {
        items: Vec<String>,
        /// Defaults to the service's applicant reply period from today.
        #[serde(default)]
        reply_by: Option<NaiveDate>,
        /// Optional free text to the applicant, added to the generated request.
        #[serde(default)]
        message: Option<String>,
        /// How `reply_by` is stated in the notice: `period_end` (default; moves off a weekend or
        /// holiday, § 31 Abs. 3 Satz 1 VwVfG), `fixed_end` (stated with reference to § 31 Abs. 3
        /// Satz 2 VwVfG, not moved) or `appointment` (a Termin, § 31 Abs. 5 VwVfG). The two
        /// fixed kinds need an explicit `reply_by`.
        #[serde(default)]
        reply_by_rule: DateRule,
    },
    Extend {
        until: NaiveDate,
        reason: String,
    },
    SetFollowUp {
        at: NaiveDate,
        note: String,
    },
    /// Exports to the service's configured target (caseworkers cannot name arbitrary targets).
    Export,
    RetryExport,
    SendResult {
        outcome: Outcome,
        /// Names of documents sent another way (legacy; no files).
        #[serde(default)]
        documents: Vec<String>,
        message: String,
        /// Numbers of documents the authority uploaded to the case (`POST
        /// /v1/cases/{id}/documents`), delivered to the applicant's postbox with the result.
        #[serde(default)]
        attachments: Vec<u32>,
        /// Whether the decision carries a Rechtsbehelfsbelehrung; without one the appeal period
        /// is one year (§ 58 Abs. 2 VwGO). Default: it does.
        #[serde(default = "yes")]
        appeal_instructions: bool,
    },
    Comment {
        text: String,
    },
    Message {
        subject: String,
        text: String,
        /// Numbers of documents the authority uploaded to the case, sent with the message.
        #[serde(default)]
        attachments: Vec<u32>,
    },
    Assign {
        user: Option<String>,
    },
    Cancel {
        reason: String,
    },
    /// Ticks (`received: true`) or unticks a document of the case's checklist, with a note.
    CheckDocument {
        document: String,
        received: bool,
        #[serde(default)]
        note: Option<String>,
    },
    /// In `awaiting_applicant`: the requested documents arrived another way (post, in person).
    DocumentsArrived {
        note: String,
    },
    /// In `awaiting_applicant`: withdraw the document request (e.g. sent by mistake); the
    /// applicant is told with the reason.
    WithdrawRequest {
        reason: String,
    },
    /// After the decision: it was sent by post on `posted_on` (sets the announcement day by the
    /// org unit's state law, § 41 Abs. 2 VwVfG).
    RecordPosting {
        posted_on: NaiveDate,
    },
    /// After the decision: an appeal (Widerspruch) came in on `received_on`.
    RecordAppeal {
        received_on: NaiveDate,
    },
}

fn yes() -> bool {
    true
}

impl Action {
    /// The action's name (its `action` tag).
    pub fn name(&self) -> ActionName {
        match self {
            Action::ConfirmCompetence => ActionName::ConfirmCompetence,
            Action::Forward { .. } => ActionName::Forward,
            Action::ConfirmComplete => ActionName::ConfirmComplete,
            Action::RequestDocuments { .. } => ActionName::RequestDocuments,
            Action::Extend { .. } => ActionName::Extend,
            Action::SetFollowUp { .. } => ActionName::SetFollowUp,
            Action::Export => ActionName::Export,
            Action::RetryExport => ActionName::RetryExport,
            Action::SendResult { .. } => ActionName::SendResult,
            Action::Comment { .. } => ActionName::Comment,
            Action::Message { .. } => ActionName::Message,
            Action::Assign { .. } => ActionName::Assign,
            Action::Cancel { .. } => ActionName::Cancel,
            Action::CheckDocument { .. } => ActionName::CheckDocument,
            Action::DocumentsArrived { .. } => ActionName::DocumentsArrived,
            Action::WithdrawRequest { .. } => ActionName::WithdrawRequest,
            Action::RecordPosting { .. } => ActionName::RecordPosting,
            Action::RecordAppeal { .. } => ActionName::RecordAppeal,
        }
    }

    /// Parses the body of an action request: `{"action": ..., "expected_version": N, ...}`.
    /// Unknown fields are rejected with serde's precise message.
    pub fn parse_request(mut body: serde_json::Value) -> Result<(u64, Action), String> {
        let obj = body
            .as_object_mut()
            .ok_or("the body must be a JSON object")?;
        let version = obj
            .remove("expected_version")
            .ok_or("missing field `expected_version`")?
            .as_u64()
            .ok_or("`expected_version` must be a non-negative integer")?;
        // serde ignores extra fields of internally tagged unit variants: check those here.
        let extra = obj.keys().find(|k| *k != "action").cloned();
        let action = serde_json::from_value(body).map_err(|e| e.to_string())?;
        if let (
            Some(field),
            Action::ConfirmCompetence
            | Action::ConfirmComplete
            | Action::Export
            | Action::RetryExport,
        ) = (extra, &action)
        {
            return Err(format!(
                "unknown field `{field}`, `{}` takes no fields",
                action.name()
            ));
        }
        Ok((version, action))
    }
}

/// Everything that can change a case.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// A caseworker action.
    Act(Action),
    /// The applicant answered through the portal (a message, or the documents requested).
    ApplicantReply {
        subject: String,
        text: String,
        /// Attachment numbers already stored for this reply.
        attachments: Vec<u32>,
    },
    ExportSucceeded {
        receipt: String,
        location: String,
    },
    ExportFailed {
        error: String,
    },
    MarkOverdue {
        deadline_id: String,
    },
    RecordReminder {
        deadline_id: String,
        level: ReminderLevel,
    },
    NotificationFailed {
        message_id: String,
        error: String,
    },
    PurgePersonalData,
    /// A caseworker uploaded documents; their blobs are stored and numbered already.
    UploadDocuments {
        attachments: Vec<u32>,
    },
    /// The portal reports that the applicant opened a postbox message.
    MessageRetrieved {
        message_id: String,
    },
}

impl Command {
    pub fn name(&self) -> &'static str {
        match self {
            Command::Act(a) => a.name().as_str(),
            Command::ApplicantReply { .. } => "applicant_reply",
            Command::ExportSucceeded { .. } => "export_succeeded",
            Command::ExportFailed { .. } => "export_failed",
            Command::MarkOverdue { .. } => "mark_overdue",
            Command::RecordReminder { .. } => "record_reminder",
            Command::NotificationFailed { .. } => "notification_failed",
            Command::PurgePersonalData => "purge_personal_data",
            Command::UploadDocuments { .. } => "upload_documents",
            Command::MessageRetrieved { .. } => "message_retrieved",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Caseworker,
    Supervisor,
    Admin,
}

impl Role {
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "caseworker" => Some(Role::Caseworker),
            "supervisor" => Some(Role::Supervisor),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }
}

/// Who issues a command, with the rights that matter for it.
#[derive(Debug, Clone, PartialEq)]
pub struct Caller {
    pub actor: Actor,
    pub roles: Vec<Role>,
    pub org_units: Vec<String>,
}

impl Caller {
    pub fn caseworker(id: &str, org_units: &[&str], roles: &[Role]) -> Caller {
        Caller {
            actor: Actor::Caseworker(id.to_string()),
            roles: roles.to_vec(),
            org_units: org_units.iter().map(|s| s.to_string()).collect(),
        }
    }

    pub fn system(actor: Actor) -> Caller {
        Caller {
            actor,
            roles: Vec::new(),
            org_units: Vec::new(),
        }
    }

    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    pub fn member_of(&self, org_unit_id: &str) -> bool {
        self.org_units.iter().any(|o| o == org_unit_id)
    }

    pub fn account(&self) -> Option<&str> {
        match &self.actor {
            Actor::Caseworker(id) => Some(id),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Action, ActionName};

    /// Every [`ActionName`] is a tag serde knows for [`Action`] (a missing field is fine here, an
    /// unknown variant is not), and an action parsed from its tag is named by that tag.
    #[test]
    fn every_action_name_is_the_tag_of_its_action() {
        for name in ActionName::ALL {
            let body = serde_json::json!({ "action": name.as_str() });
            match serde_json::from_value::<Action>(body) {
                Ok(action) => assert_eq!(action.name(), *name),
                Err(e) => assert!(!e.to_string().contains("unknown variant"), "{name}: {e}"),
            }
        }
    }
}
