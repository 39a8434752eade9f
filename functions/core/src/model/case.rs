//! The case aggregate's state. It changes only by applying domain events (see `apply.rs`).

use chrono::{DateTime, NaiveDate, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Status, Task, TaskKind, TaskState};
use crate::deadline::{Calendar, Municipality, State};
use fallwerk_events::{AnnouncementVia, DeadlineKind, ExportTarget, Outcome, ReminderLevel};

/// The applicant as the portal identified them. Personal data: purged after retention.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Applicant {
    pub name: String,
    pub email: Option<String>,
    /// The applicant's postbox in the portal; messages are delivered there.
    pub postbox_ref: Option<String>,
    /// eIDAS trust level as the portal reports it (e.g. "low", "substantial", "high").
    #[serde(default)]
    pub trust_level: Option<String>,
}

impl Applicant {
    /// `false` when the sender's form named nobody (the name is empty): the case then shows
    /// [`crate::form::NOT_RECOGNISED`] instead of a name.
    pub fn recognised(&self) -> bool {
        !self.name.trim().is_empty()
    }

    /// The name, or the hint that nobody was recognised.
    pub fn display_name(&self) -> &str {
        if self.recognised() {
            &self.name
        } else {
            crate::form::NOT_RECOGNISED
        }
    }
}

/// Form data: inline when small, in the blob store when it would bloat the case record.
// Read back by `form_data_de.rs` (one pass, no buffering), in this same format.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(tag = "storage", rename_all = "snake_case")]
pub enum FormData {
    Inline {
        form_id: String,
        data: serde_json::Value,
    },
    Blob {
        form_id: String,
        key: String,
        sha256: String,
        size: u64,
    },
    Purged,
}

/// Inline form data above this size always goes to the blob store (DynamoDB items must stay
/// < 400 KB); a backend may set a smaller limit (`AppConfig::inline_form_limit`).
pub const INLINE_FORM_LIMIT: usize = 64 * 1024;

/// Metadata of a stored document; the bytes live in the blob store under `key`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AttachmentMeta {
    /// Position in the case's attachment list, 1-based, stable.
    pub n: u32,
    pub name: String,
    pub media_type: String,
    pub size: u64,
    pub sha256: String,
    pub key: String,
    /// Where it came from.
    pub source: AttachmentSource,
}

crate::names::names! {
    /// Where a document of a case came from.
    pub enum AttachmentSource {
        /// Sent with the application.
        Submission = "submission",
        /// Sent later by the applicant (a reply in the postbox).
        Reply = "reply",
        /// The form engine's PDF rendering of the application.
        Representation = "representation",
        /// The form engine's original `formData` part, kept byte-exact.
        FormData = "form_data",
        /// Uploaded by the authority (a decision, a letter), sent to the applicant only when a
        /// message or the result names it.
        Authority = "authority",
        /// A decision document recorded by earlier versions; kept readable.
        Result = "result",
    }
}

/// A deadline of the case as the scheduler sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Deadline {
    pub id: String,
    pub kind: DeadlineKind,
    pub due_on: NaiveDate,
    pub warn_on: Option<NaiveDate>,
    pub escalate_on: Option<NaiveDate>,
    /// The calculator's explanation in German.
    pub basis: String,
    pub open: bool,
    pub overdue: bool,
    #[serde(default)]
    pub note: Option<String>,
    /// Reminder levels already sent (mirrors the ledger, so the due index can be derived).
    #[serde(default)]
    pub sent: Vec<ReminderLevel>,
}

impl Deadline {
    /// The reminder levels this deadline can owe, with the day each becomes owed.
    pub fn levels(&self) -> Vec<(ReminderLevel, NaiveDate)> {
        let mut out = Vec::with_capacity(3);
        if let Some(w) = self.warn_on.filter(|w| *w < self.due_on) {
            out.push((ReminderLevel::Warning, w));
        }
        out.push((ReminderLevel::Due, self.due_on));
        if let Some(e) = self.escalate_on.filter(|e| *e > self.due_on) {
            out.push((ReminderLevel::Escalation, e));
        }
        out
    }

    /// The instant the scheduler next owes something for this deadline: the Berlin midnight that
    /// starts the day of the earliest level not yet sent (or of the day it becomes overdue). `None` when closed or all levels are sent;
    /// such deadlines leave the due index (it is sparse).
    pub fn next_fire_at(&self) -> Option<DateTime<Utc>> {
        if !self.open {
            return None;
        }
        let mut days: Vec<NaiveDate> = self
            .levels()
            .into_iter()
            .filter(|(level, _)| !self.sent.contains(level))
            .map(|(_, day)| day)
            .collect();
        // Deadlines that escalate also become overdue the day after they run out.
        if !self.overdue && self.escalate_on.is_some() {
            days.extend(self.due_on.succ_opt());
        }
        days.into_iter()
            .min()
            .map(crate::deadline::berlin_midnight_utc)
    }
}

/// An interval in which the case waited for the applicant (processing clock suspended).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SuspensionRecord {
    pub from: NaiveDate,
    pub to: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct DocumentRequest {
    pub items: Vec<String>,
    /// The day stated in the request; see `reply_by_rule` for whether it moves.
    pub reply_by: NaiveDate,
    pub message_id: String,
    /// § 31 Abs. 3 Satz 1 (default) / Satz 2 / Abs. 5 VwVfG.
    #[serde(default)]
    pub reply_by_rule: fallwerk_events::DateRule,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Extension {
    pub until: NaiveDate,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ExportState {
    pub target: ExportTarget,
    pub attempts: u32,
    pub receipt: Option<String>,
    pub location: Option<String>,
    pub last_error: Option<String>,
    /// When the current attempt was requested (cases exported before this was kept: unknown).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requested_at: Option<DateTime<Utc>>,
}

/// How long an export attempt may stay in `exporting` before the caseworker is offered
/// `retry_export`: the export queue's visibility timeout (30 minutes), after which the queue has
/// redelivered an attempt whose consumer did not finish. A retry is a new attempt; the old
/// attempt's messages then find the case on another attempt and deliver nothing.
pub const EXPORT_STALE_AFTER_SECONDS: i64 = 30 * 60;

impl ExportState {
    /// The attempt has been `exporting` for longer than [`EXPORT_STALE_AFTER_SECONDS`] at `now`.
    pub fn stale(&self, now: DateTime<Utc>, fallback_since: DateTime<Utc>) -> bool {
        let since = self.requested_at.unwrap_or(fallback_since);
        now - since > chrono::Duration::seconds(EXPORT_STALE_AFTER_SECONDS)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ResultInfo {
    pub outcome: Outcome,
    pub documents: Vec<String>,
    pub sent_at: DateTime<Utc>,
    /// Numbers of the uploaded documents delivered with the result.
    #[serde(default)]
    pub attachments: Vec<u32>,
    /// The postbox message that carries the decision (older cases: unknown).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
    /// Whether the decision has a Rechtsbehelfsbelehrung (§ 58 VwGO).
    #[serde(default = "yes")]
    pub appeal_instructions: bool,
    /// Bekanntgabe and appeal (docs/ARCHITECTURE.md "Announcement and appeal").
    #[serde(default, flatten)]
    pub announcement: Announcement,
}

fn yes() -> bool {
    true
}

/// When the decision counts as announced, until when it can be challenged, and whether it is
/// final. Every date is set by an event; `final_on` only once the appeal period passed unused.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Announcement {
    /// The applicant opened the result in the portal postbox (Postfach-Abruf).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retrieved_on: Option<NaiveDate>,
    /// Not retrieved within ten days (§ 41 Abs. 2a VwVfG): it must be sent by post.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub postal_delivery_required: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub posted_on: Option<NaiveDate>,
    /// Bekanntgabe (§ 41 VwVfG).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub announced_on: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub announced_via: Option<AnnouncementVia>,
    /// Last day of the appeal period (Rechtsbehelfsfrist).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub appeal_due: Option<NaiveDate>,
    /// An appeal (Widerspruch) came in on this day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub appeal_lodged_on: Option<NaiveDate>,
    /// Bestandskräftig ab: the day after the appeal period ran out without an appeal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub final_on: Option<NaiveDate>,
}

/// Where the case came from; `(portal_client_id, submission_id)` is the idempotency key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SubmissionRef {
    pub portal_client_id: String,
    pub submission_id: String,
    pub received_at: DateTime<Utc>,
}

/// Fall: the unit of work created from a submission.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Case {
    pub id: String,
    pub reference: String,
    /// Optimistic-locking version; equals the number of events in the history.
    pub version: u64,
    pub status: Status,
    pub org_unit_id: String,
    /// Holiday state of the current org unit (deadlines are computed with it).
    pub state: State,
    /// The current org unit's municipality key, whose municipal holidays count too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub municipality: Option<Municipality>,
    pub leika_id: String,
    pub submission: SubmissionRef,
    pub applicant: Applicant,
    pub form: FormData,
    pub attachments: Vec<AttachmentMeta>,
    pub tasks: Vec<Task>,
    pub assignee: Option<String>,
    pub deadlines: Vec<Deadline>,
    pub suspensions: Vec<SuspensionRecord>,
    pub document_request: Option<DocumentRequest>,
    /// Ticks on the checklist of documents (see `model::checklist`), latest per document.
    #[serde(default)]
    pub document_checks: Vec<super::DocumentCheck>,
    pub extension: Option<Extension>,
    pub export: Option<ExportState>,
    pub result: Option<ResultInfo>,
    pub cancel_reason: Option<String>,
    /// Messages to the applicant that could not be delivered (visible to caseworkers).
    pub notification_failures: Vec<String>,
    pub personal_data_purged: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Case {
    /// The id of a message in this case's postbox thread, `{case}-m{seq}`: `seq` is the number
    /// of the event that sent it, so a redelivered notice keeps its id (and the mail its
    /// Message-ID). The one place this format is built.
    pub fn message_id(&self, seq: u64) -> String {
        format!("{}-m{seq}", self.id)
    }

    /// The id of an internal comment, `{case}-c{seq}` (`seq` as for [`Case::message_id`]).
    pub fn comment_id(&self, seq: u64) -> String {
        format!("{}-c{seq}", self.id)
    }

    /// The holidays that count for this case's deadlines (state and municipality of its org unit).
    pub fn calendar(&self) -> Calendar {
        Calendar::new(self.state, self.municipality)
    }

    pub fn open_task(&self) -> Option<TaskKind> {
        self.tasks
            .iter()
            .rev()
            .find(|t| t.state == TaskState::Open)
            .map(|t| t.kind)
    }

    pub fn open_deadline(&self, kind: DeadlineKind) -> Option<&Deadline> {
        self.deadlines.iter().find(|d| d.open && d.kind == kind)
    }

    pub fn is_overdue(&self) -> bool {
        self.deadlines.iter().any(|d| d.open && d.overdue)
    }

    /// The date processing is expected to end, as the applicant may see it.
    pub fn expected_decision_on(&self) -> Option<NaiveDate> {
        self.open_deadline(DeadlineKind::ProcessingDue)
            .map(|d| d.due_on)
    }

    /// The open suspension, if the case waits for the applicant now.
    pub fn open_suspension(&self) -> Option<&SuspensionRecord> {
        self.suspensions.iter().find(|s| s.to.is_none())
    }
}

/// A message in the case's postbox thread, to or from the applicant. Never an internal comment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Message {
    pub id: String,
    pub case_id: String,
    pub direction: Direction,
    pub subject: String,
    pub text: String,
    /// Attachment numbers (see [`AttachmentMeta::n`]) that came with or belong to the message.
    pub attachments: Vec<u32>,
    pub at: DateTime<Utc>,
    /// Who wrote it: the caseworker account, the applicant, or fallwerk for generated notices.
    /// Internal: the portal never receives it (see `App::applicant_messages`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<fallwerk_events::Actor>,
    /// When a caseworker of the case's org unit first read a message from the applicant.
    /// Internal: the portal never receives it. Set only through `CaseStore::mark_message_read`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read: Option<ReadMark>,
}

impl Message {
    /// The message after the retention purge: subject and text removed, and the references to
    /// caseworker accounts (author, read mark); direction, time and attachment numbers stay.
    pub fn redacted(&self) -> Message {
        Message {
            subject: String::new(),
            text: String::new(),
            author: self
                .author
                .clone()
                .filter(|a| !matches!(a, fallwerk_events::Actor::Caseworker(_))),
            read: None,
            ..self.clone()
        }
    }
}

/// The first reading of an applicant's message by a caseworker (who and when).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ReadMark {
    /// The caseworker account that read it.
    pub by: String,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    ToApplicant,
    FromApplicant,
}
