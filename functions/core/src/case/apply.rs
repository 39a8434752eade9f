//! Evolving a case by its events. The only place where a case's state changes; used for new
//! events and for replaying a history alike.

use chrono::{DateTime, Utc};

use crate::model::{
    Case, Deadline, DocumentCheck, DocumentRequest, ExportState, Extension, FormData, ResultInfo,
    Status, SuspensionRecord, Task, TaskKind, TaskState,
};
use fallwerk_events::{Actor, DomainEvent, EventKind};

fn actor_label(actor: &Actor) -> String {
    match actor {
        Actor::Caseworker(id) | Actor::Portal(id) => id.clone(),
        Actor::Applicant => "applicant".into(),
        Actor::Scheduler => "scheduler".into(),
        Actor::System => "system".into(),
    }
}

fn open_task(case: &mut Case, kind: TaskKind, at: DateTime<Utc>) {
    if !case
        .tasks
        .iter()
        .any(|t| t.kind == kind && t.state == TaskState::Open)
    {
        case.tasks.push(Task {
            kind,
            state: TaskState::Open,
            opened_at: at,
            closed_at: None,
            closed_by: None,
        });
    }
}

fn close_task(case: &mut Case, kind: TaskKind, state: TaskState, at: DateTime<Utc>, by: &str) {
    match case
        .tasks
        .iter_mut()
        .find(|t| t.kind == kind && t.state == TaskState::Open)
    {
        Some(t) => {
            t.state = state;
            t.closed_at = Some(at);
            t.closed_by = Some(by.to_string());
        }
        None => case.tasks.push(Task {
            kind,
            state,
            opened_at: at,
            closed_at: Some(at),
            closed_by: Some(by.to_string()),
        }),
    }
}

/// Marks `kind` done if it is open; unlike [`close_task`] it never records a task that never ran.
fn end_task_if_open(case: &mut Case, kind: TaskKind, at: DateTime<Utc>, by: &str) {
    if case
        .tasks
        .iter()
        .any(|t| t.kind == kind && t.state == TaskState::Open)
    {
        close_task(case, kind, TaskState::Done, at, by);
    }
}

fn deadline<'a>(case: &'a mut Case, id: &str) -> Option<&'a mut Deadline> {
    case.deadlines.iter_mut().find(|d| d.id == id)
}

/// Applies one event. `event.seq` must be `case.version + 1`; the version follows it.
pub fn apply(case: &mut Case, event: &DomainEvent) {
    let at = event.at;
    let by = actor_label(&event.actor);
    match &event.kind {
        EventKind::CaseReceived { .. } => {
            case.status = Status::Received;
            open_task(case, TaskKind::CompetenceCheck, at);
        }
        EventKind::CompetenceConfirmed => {
            close_task(case, TaskKind::CompetenceCheck, TaskState::Done, at, &by);
            open_task(case, TaskKind::CompletenessCheck, at);
            case.status = Status::CompletenessCheck;
        }
        EventKind::Forwarded {
            to_org_unit_id,
            holiday_state,
            holiday_municipality,
            ..
        } => {
            case.org_unit_id = to_org_unit_id.clone();
            if let Ok(state) = holiday_state.parse() {
                case.state = state;
            }
            case.municipality = holiday_municipality.as_deref().and_then(|m| m.parse().ok());
            case.status = Status::Received;
        }
        EventKind::CompletenessConfirmed => {
            close_task(case, TaskKind::CompletenessCheck, TaskState::Done, at, &by);
            open_task(case, TaskKind::DeadlineMonitoring, at);
            case.status = Status::InProgress;
        }
        EventKind::DocumentsRequested {
            items,
            reply_by,
            message_id,
            reply_by_rule,
        } => {
            case.document_request = Some(DocumentRequest {
                items: items.clone(),
                reply_by: *reply_by,
                message_id: message_id.clone(),
                reply_by_rule: *reply_by_rule,
            });
            case.status = Status::AwaitingApplicant;
        }
        EventKind::SuspensionStarted { on } => {
            case.suspensions.push(SuspensionRecord {
                from: *on,
                to: None,
            });
        }
        EventKind::ApplicantReplied { .. }
        | EventKind::DocumentsArrived { .. }
        | EventKind::DocumentRequestWithdrawn { .. } => {
            if case.status == Status::AwaitingApplicant {
                case.status = Status::CompletenessCheck;
                case.document_request = None;
            }
        }
        EventKind::SuspensionEnded { to, .. } => {
            if let Some(s) = case.suspensions.iter_mut().find(|s| s.to.is_none()) {
                s.to = Some(*to);
            }
        }
        EventKind::DeadlineSet {
            deadline_id,
            kind,
            due_on,
            warn_on,
            escalate_on,
            basis,
        } => {
            case.deadlines.push(Deadline {
                id: deadline_id.clone(),
                kind: *kind,
                due_on: *due_on,
                warn_on: *warn_on,
                escalate_on: *escalate_on,
                basis: basis.clone(),
                open: true,
                overdue: false,
                note: None,
                sent: Vec::new(),
            });
        }
        EventKind::DeadlineClosed { deadline_id, .. } => {
            if let Some(d) = deadline(case, deadline_id) {
                d.open = false;
            }
        }
        EventKind::DeadlineOverdue { deadline_id, .. } => {
            if let Some(d) = deadline(case, deadline_id) {
                d.overdue = true;
            }
        }
        EventKind::ReminderSent {
            deadline_id, level, ..
        } => {
            if let Some(d) = deadline(case, deadline_id)
                && !d.sent.contains(level)
            {
                d.sent.push(*level);
            }
        }
        EventKind::ProcessingExtended { until, reason } => {
            case.extension = Some(Extension {
                until: *until,
                reason: reason.clone(),
            });
        }
        EventKind::FollowUpSet {
            deadline_id, note, ..
        } => {
            if let Some(d) = deadline(case, deadline_id) {
                d.note = Some(note.clone());
            }
        }
        EventKind::ExportRequested { target, attempt } => {
            let export = case.export.get_or_insert(ExportState {
                target: target.clone(),
                attempts: 0,
                receipt: None,
                location: None,
                last_error: None,
                requested_at: None,
            });
            export.target = target.clone();
            export.attempts = *attempt;
            export.requested_at = Some(at);
            end_task_if_open(case, TaskKind::DeadlineMonitoring, at, &by);
            open_task(case, TaskKind::Export, at);
            case.status = Status::Exporting;
        }
        EventKind::ExportSkipped => {
            close_task(case, TaskKind::Export, TaskState::Skipped, at, &by);
        }
        EventKind::ExportSucceeded { receipt, location } => {
            if let Some(e) = case.export.as_mut() {
                e.receipt = Some(receipt.clone());
                e.location = Some(location.clone());
                e.last_error = None;
            }
            close_task(case, TaskKind::Export, TaskState::Done, at, &by);
            open_task(case, TaskKind::SendResult, at);
            case.status = Status::Exported;
        }
        EventKind::ExportFailed { error } => {
            if let Some(e) = case.export.as_mut() {
                e.last_error = Some(error.clone());
            }
            case.status = Status::ExportFailed;
        }
        EventKind::ResultSent {
            outcome,
            documents,
            attachments,
            message_id,
            appeal_instructions,
        } => {
            case.result = Some(ResultInfo {
                outcome: *outcome,
                documents: documents.clone(),
                sent_at: at,
                attachments: attachments.clone(),
                message_id: Some(message_id.clone()),
                appeal_instructions: *appeal_instructions,
                announcement: Default::default(),
            });
            close_task(case, TaskKind::SendResult, TaskState::Done, at, &by);
            end_task_if_open(case, TaskKind::DeadlineMonitoring, at, &by);
            case.status = Status::Completed;
        }
        // Uploaded documents' metadata is added to the case with the event (as for replies).
        EventKind::Commented { .. }
        | EventKind::MessageSent { .. }
        | EventKind::DocumentsUploaded { .. } => {}
        EventKind::Assigned { to, .. } => {
            case.assignee = to.clone();
        }
        EventKind::Cancelled { reason } => {
            case.cancel_reason = Some(reason.clone());
            for t in case.tasks.iter_mut().filter(|t| t.state == TaskState::Open) {
                t.state = TaskState::Skipped;
                t.closed_at = Some(at);
                t.closed_by = Some(by.clone());
            }
            case.document_request = None;
            case.status = Status::Cancelled;
        }
        EventKind::NotificationFailed { message_id, .. } => {
            case.notification_failures.push(message_id.clone());
        }
        EventKind::MessageRetrieved {
            message_id,
            retrieved_on,
        } => {
            if let Some(r) = case.result.as_mut()
                && r.message_id.as_deref() == Some(message_id.as_str())
                && r.announcement.retrieved_on.is_none()
            {
                r.announcement.retrieved_on = Some(*retrieved_on);
            }
        }
        EventKind::ResultAnnounced {
            via,
            announced_on,
            appeal_due,
            ..
        } => {
            if let Some(r) = case.result.as_mut() {
                r.announcement.announced_on = Some(*announced_on);
                r.announcement.announced_via = Some(*via);
                r.announcement.appeal_due = Some(*appeal_due);
            }
            end_task_if_open(case, TaskKind::SendByPost, at, &by);
        }
        EventKind::PostalDeliveryRequired { .. } => {
            if let Some(r) = case.result.as_mut() {
                r.announcement.postal_delivery_required = true;
            }
            open_task(case, TaskKind::SendByPost, at);
        }
        EventKind::ResultPosted { posted_on } => {
            if let Some(r) = case.result.as_mut() {
                r.announcement.posted_on = Some(*posted_on);
            }
            // Done when it was required; posting early needs no task.
            end_task_if_open(case, TaskKind::SendByPost, at, &by);
        }
        EventKind::AppealLodged { received_on, .. } => {
            if let Some(r) = case.result.as_mut() {
                r.announcement.appeal_lodged_on = Some(*received_on);
            }
        }
        EventKind::DecisionFinal { final_on } => {
            if let Some(r) = case.result.as_mut() {
                r.announcement.final_on = Some(*final_on);
            }
        }
        EventKind::PersonalDataPurged => {
            case.applicant.name = String::new();
            case.applicant.email = None;
            case.applicant.postbox_ref = None;
            case.form = FormData::Purged;
            // File names often carry names ("Ausweis_Erika_Mustermann.pdf"); keep the skeleton.
            for a in case.attachments.iter_mut() {
                a.name = format!("dokument-{}", a.n);
            }
            // Checklist notes are caseworker text about the applicant's documents.
            for c in case.document_checks.iter_mut() {
                c.note = None;
            }
            case.personal_data_purged = true;
        }
        EventKind::DocumentChecked {
            document,
            received,
            note,
        } => {
            let check = DocumentCheck {
                document: document.clone(),
                received: *received,
                by: by.clone(),
                at,
                note: note.clone(),
            };
            match case
                .document_checks
                .iter_mut()
                .find(|c| &c.document == document)
            {
                Some(c) => *c = check,
                None => case.document_checks.push(check),
            }
        }
    }
    case.version = event.seq;
    case.updated_at = at;
}
