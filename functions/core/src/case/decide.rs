//! The decision function: given a case, a caller and a command, either the events that happen
//! or a typed refusal. It reads the clock and the directory only through [`Ctx`].

use chrono::{DateTime, Utc};

use super::announce;
use super::command::{Action, Caller, Command, Role};
use super::deadlines::{self, DeadlineIds};
use super::error::CommandError;
use super::rules::allowed_actions;
use crate::deadline::berlin_date;
use crate::model::{Case, Deadline, OrgUnit, ProcessingStart, Service, Status};
use fallwerk_events::{DeadlineKind, EventKind};

/// What a decision may look at besides the case.
pub struct Ctx<'a> {
    pub now: DateTime<Utc>,
    /// The case's service (deadline rules, export target).
    pub service: &'a Service,
    /// For `forward`: the target org unit as stored (None if it does not exist).
    pub forward_target: Option<&'a OrgUnit>,
}

pub(super) const MAX_TEXT: usize = 10_000;
pub(super) const MAX_SHORT: usize = 2_000;

pub(super) fn text(field: &'static str, value: &str, max: usize) -> Result<(), CommandError> {
    if value.trim().is_empty() {
        return Err(CommandError::invalid(field, "must not be empty"));
    }
    if value.chars().count() > max {
        return Err(CommandError::invalid(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    Ok(())
}

/// Checks rights and status, then decides. The returned events are not yet applied.
pub fn decide(
    case: &Case,
    caller: &Caller,
    cmd: &Command,
    ctx: &Ctx,
) -> Result<Vec<EventKind>, CommandError> {
    match cmd {
        Command::Act(action) => {
            authorise(case, caller, action)?;
            let allowed = allowed_actions(case, ctx.service, ctx.now);
            if !allowed.contains(&action.name()) {
                if matches!(action, Action::Extend { .. })
                    && case.status == Status::InProgress
                    && case.extension.is_some()
                {
                    return Err(CommandError::AlreadyExtended);
                }
                return Err(CommandError::NotAllowed {
                    action: action.name().as_str(),
                    status: case.status,
                    allowed,
                });
            }
            super::act::act(case, action, ctx)
        }
        Command::UploadDocuments { attachments } => {
            if !caller.member_of(&case.org_unit_id) {
                return Err(CommandError::NotVisible);
            }
            if !(caller.has(Role::Caseworker) || caller.has(Role::Supervisor)) {
                return Err(CommandError::Forbidden(
                    "uploading documents needs the role caseworker or supervisor".into(),
                ));
            }
            if case.status.is_final() {
                return Err(not_allowed(case, cmd, ctx));
            }
            if attachments.is_empty() {
                return Err(CommandError::invalid("file", "no document uploaded"));
            }
            Ok(vec![EventKind::DocumentsUploaded {
                attachments: attachments.clone(),
            }])
        }
        _ => system(case, cmd, ctx),
    }
}

fn authorise(case: &Case, caller: &Caller, action: &Action) -> Result<(), CommandError> {
    if !caller.member_of(&case.org_unit_id) {
        return Err(CommandError::NotVisible);
    }
    if !(caller.has(Role::Caseworker) || caller.has(Role::Supervisor)) {
        return Err(CommandError::Forbidden(
            "acting on cases needs the role caseworker or supervisor".into(),
        ));
    }
    if let Action::Assign { user } = action {
        let me = caller.account();
        let own = match user {
            Some(u) => {
                Some(u.as_str()) == me && case.assignee.as_deref().is_none_or(|a| Some(a) == me)
            }
            None => case.assignee.as_deref() == me,
        };
        if !own && !caller.has(Role::Supervisor) {
            return Err(CommandError::Forbidden(
                "only a supervisor may assign a case to someone else or take it from someone"
                    .into(),
            ));
        }
    }
    Ok(())
}

/// The case ends: its deadlines close and the retention period starts.
pub(super) fn finish(case: &Case, ids: &mut DeadlineIds, ctx: &Ctx) -> Vec<EventKind> {
    let rules = &ctx.service.rules;
    let mut ev = deadlines::close_all(case);
    if let Some(open) = case.open_suspension() {
        let to = berlin_date(ctx.now);
        ev.push(EventKind::SuspensionEnded {
            from: open.from,
            to,
            // Both end days count (§ 209 BGB analog, docs/ARCHITECTURE.md).
            days: ((to - open.from).num_days() + 1).max(0) as u32,
        });
    }
    ev.push(deadlines::set(
        ids,
        DeadlineKind::RetentionDue,
        berlin_date(ctx.now),
        rules.retention,
        case.calendar(),
        rules,
    ));
    ev
}

fn not_allowed(case: &Case, cmd: &Command, ctx: &Ctx) -> CommandError {
    CommandError::NotAllowed {
        action: cmd.name(),
        status: case.status,
        allowed: allowed_actions(case, ctx.service, ctx.now),
    }
}

fn system(case: &Case, cmd: &Command, ctx: &Ctx) -> Result<Vec<EventKind>, CommandError> {
    let today = berlin_date(ctx.now);
    let rules = &ctx.service.rules;
    let mut ids = DeadlineIds::for_case(case);
    let mut ev = Vec::new();
    match cmd {
        Command::Act(_) => return Err(not_allowed(case, cmd, ctx)),
        Command::ApplicantReply {
            subject,
            text: t,
            attachments,
        } => {
            if case.status.is_final() {
                return Err(not_allowed(case, cmd, ctx));
            }
            text("subject", subject, 200)?;
            if t.chars().count() > MAX_TEXT {
                return Err(CommandError::invalid(
                    "text",
                    format!("must be at most {MAX_TEXT} characters"),
                ));
            }
            if t.trim().is_empty() && attachments.is_empty() {
                return Err(CommandError::invalid(
                    "text",
                    "a reply needs a text or an attachment",
                ));
            }
            ev.push(EventKind::ApplicantReplied {
                message_id: case.message_id(case.version + 1),
                attachments: attachments.len() as u32,
            });
            if case.status == Status::AwaitingApplicant {
                ev.extend(end_suspension(case, today, ctx.service, &mut ids)?);
            }
        }
        Command::ExportSucceeded { receipt, location } => {
            if case.status != Status::Exporting {
                return Err(not_allowed(case, cmd, ctx));
            }
            ev.push(EventKind::ExportSucceeded {
                receipt: receipt.clone(),
                location: location.clone(),
            });
        }
        Command::ExportFailed { error } => {
            if case.status != Status::Exporting {
                return Err(not_allowed(case, cmd, ctx));
            }
            ev.push(EventKind::ExportFailed {
                error: error.clone(),
            });
        }
        Command::MarkOverdue { deadline_id } => {
            let d = deadline(case, deadline_id)?;
            if !d.open || d.overdue {
                return Err(CommandError::invalid(
                    "deadline_id",
                    "the deadline is closed or already overdue",
                ));
            }
            ev.push(EventKind::DeadlineOverdue {
                deadline_id: d.id.clone(),
                kind: d.kind,
            });
            // Retrieval window over → send by post; appeal period over → final.
            ev.extend(announce::on_overdue(case, d.kind, d.due_on));
        }
        Command::MessageRetrieved { message_id } => {
            ev.extend(announce::message_retrieved(
                case, &mut ids, message_id, today, rules,
            )?);
        }
        Command::RecordReminder { deadline_id, level } => {
            let d = deadline(case, deadline_id)?;
            if d.sent.contains(level) {
                return Err(CommandError::invalid(
                    "level",
                    "this reminder was recorded before",
                ));
            }
            if !d.open || !d.levels().iter().any(|(l, _)| l == level) {
                return Err(CommandError::invalid(
                    "level",
                    "the deadline is closed or has no such reminder level",
                ));
            }
            ev.push(EventKind::ReminderSent {
                deadline_id: d.id.clone(),
                kind: d.kind,
                level: *level,
            });
        }
        Command::NotificationFailed { message_id, error } => {
            if case.notification_failures.contains(message_id) {
                return Err(CommandError::invalid(
                    "message_id",
                    "this failure was recorded before",
                ));
            }
            ev.push(EventKind::NotificationFailed {
                message_id: message_id.clone(),
                error: error.clone(),
            });
        }
        Command::UploadDocuments { .. } => return Err(not_allowed(case, cmd, ctx)),
        Command::PurgePersonalData => {
            if !case.status.is_final() || case.personal_data_purged {
                return Err(not_allowed(case, cmd, ctx));
            }
            ev.push(EventKind::PersonalDataPurged);
            ev.extend(deadlines::close(case, DeadlineKind::RetentionDue));
            // Nothing is owed to a purged case: announcement and appeal deadlines end too.
            ev.extend(deadlines::close(case, DeadlineKind::RetrievalDue));
            ev.extend(deadlines::close(case, DeadlineKind::AppealDue));
        }
    }
    Ok(ev)
}

/// The wait for the applicant ends today (a reply, documents that arrived another way, or a
/// withdrawn request): the suspension closes, the reply deadline closes, and the completeness
/// check (and a processing period running from receipt) resumes, pushed by the suspended time.
pub(super) fn end_suspension(
    case: &Case,
    today: chrono::NaiveDate,
    service: &Service,
    ids: &mut DeadlineIds,
) -> Result<Vec<EventKind>, CommandError> {
    let rules = &service.rules;
    let mut ev = Vec::new();
    let mut suspended = deadlines::suspensions(case)?;
    if let Some(open) = case.open_suspension() {
        // A wait cannot end before it began (a clock behind the one that started it): refused,
        // so the suspended days are never guessed.
        let interval = crate::deadline::Suspension::new(open.from, today)?;
        ev.push(EventKind::SuspensionEnded {
            from: open.from,
            to: today,
            // Both end days count (§ 209 BGB analog, docs/ARCHITECTURE.md).
            days: u32::try_from(interval.days()).unwrap_or(u32::MAX),
        });
        suspended.push(interval);
    }
    ev.extend(deadlines::close(case, DeadlineKind::ApplicantReplyDue));
    // The completeness check resumes where it stopped: its period is pushed by the
    // suspended time.
    let start = completeness_start(case).unwrap_or(today);
    ev.push(deadlines::set_resumed(
        ids,
        DeadlineKind::CompletenessCheckDue,
        start,
        rules.completeness_check,
        case.calendar(),
        &suspended,
        rules,
    )?);
    if rules.processing_starts == ProcessingStart::OnReceipt {
        ev.push(deadlines::set_resumed(
            ids,
            DeadlineKind::ProcessingDue,
            berlin_date(case.submission.received_at),
            rules.processing,
            case.calendar(),
            &suspended,
            rules,
        )?);
    }
    Ok(ev)
}

/// The day the completeness check started (competence confirmed), from the history in the case.
/// The case's deadline `id`; invalid `deadline_id` if the case has none such.
fn deadline<'a>(case: &'a Case, id: &str) -> Result<&'a Deadline, CommandError> {
    case.deadlines
        .iter()
        .find(|d| d.id == id)
        .ok_or_else(|| CommandError::invalid("deadline_id", "unknown deadline"))
}

fn completeness_start(case: &Case) -> Option<chrono::NaiveDate> {
    case.tasks
        .iter()
        .find(|t| t.kind == crate::model::TaskKind::CompletenessCheck)
        .map(|t| berlin_date(t.opened_at))
}
