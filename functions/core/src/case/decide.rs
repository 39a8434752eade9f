//! The decision function: given a case, a caller and a command, either the events that happen
//! or a typed refusal. It reads the clock and the directory only through [`Ctx`].

use chrono::{DateTime, Utc};

use super::announce;
use super::command::{Action, Caller, Command, Role};
use super::deadlines::{self, DeadlineIds};
use super::error::CommandError;
use super::rules::allowed_actions;
use crate::deadline::berlin_date;
use crate::model::{Case, OrgUnit, ProcessingStart, Service, Status};
use fallwerk_events::{DateRule, DeadlineKind, EventKind};

/// What a decision may look at besides the case.
pub struct Ctx<'a> {
    pub now: DateTime<Utc>,
    /// The case's service (deadline rules, export target).
    pub service: &'a Service,
    /// For `forward`: the target org unit as stored (None if it does not exist).
    pub forward_target: Option<&'a OrgUnit>,
}

const MAX_TEXT: usize = 10_000;
const MAX_SHORT: usize = 2_000;

fn text(field: &'static str, value: &str, max: usize) -> Result<(), CommandError> {
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

/// Source of documents caseworkers upload (`AttachmentMeta::source`).
pub const AUTHORITY_SOURCE: &str = "authority";

/// Documents sent to the applicant must be the authority's own uploads on this case, each once.
fn authority_documents(case: &Case, numbers: &[u32]) -> Result<(), CommandError> {
    if numbers.len() > 20 {
        return Err(CommandError::invalid("attachments", "at most 20 documents"));
    }
    for (i, n) in numbers.iter().enumerate() {
        if numbers[..i].contains(n) {
            return Err(CommandError::invalid(
                "attachments",
                format!("document {n} is named twice"),
            ));
        }
        if !case
            .attachments
            .iter()
            .any(|a| a.n == *n && a.source == AUTHORITY_SOURCE)
        {
            return Err(CommandError::invalid(
                "attachments",
                format!("the case has no document {n} uploaded by the authority"),
            ));
        }
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
            act(case, action, ctx)
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

fn act(case: &Case, action: &Action, ctx: &Ctx) -> Result<Vec<EventKind>, CommandError> {
    let today = berlin_date(ctx.now);
    let rules = &ctx.service.rules;
    let mut ids = DeadlineIds::for_case(case);
    let mut ev = Vec::new();
    match action {
        Action::ConfirmCompetence => {
            ev.push(EventKind::CompetenceConfirmed);
            ev.extend(deadlines::close(case, DeadlineKind::CompetenceCheckDue));
            ev.push(deadlines::set(
                &mut ids,
                DeadlineKind::CompletenessCheckDue,
                today,
                rules.completeness_check,
                case.calendar(),
                rules,
            ));
        }
        Action::Forward {
            org_unit_id,
            reason,
        } => {
            text("reason", reason, MAX_SHORT)?;
            if org_unit_id == &case.org_unit_id {
                return Err(CommandError::invalid(
                    "org_unit_id",
                    "the case is already in this org unit",
                ));
            }
            let target = ctx
                .forward_target
                .filter(|t| &t.id == org_unit_id)
                .ok_or_else(|| {
                    CommandError::invalid(
                        "org_unit_id",
                        format!("unknown org unit `{org_unit_id}`"),
                    )
                })?;
            if !target.offers(&case.leika_id) {
                return Err(CommandError::invalid(
                    "org_unit_id",
                    format!(
                        "org unit `{org_unit_id}` does not offer service `{}`",
                        case.leika_id
                    ),
                ));
            }
            ev.push(EventKind::Forwarded {
                from_org_unit_id: case.org_unit_id.clone(),
                to_org_unit_id: target.id.clone(),
                holiday_state: target.state.to_string(),
                holiday_municipality: target.calendar().municipality.map(|m| m.to_string()),
                reason: reason.clone(),
            });
            if case.assignee.is_some() {
                ev.push(EventKind::Assigned {
                    from: case.assignee.clone(),
                    to: None,
                });
            }
            ev.extend(deadlines::close(case, DeadlineKind::CompetenceCheckDue));
            ev.push(deadlines::set(
                &mut ids,
                DeadlineKind::CompetenceCheckDue,
                today,
                rules.competence_check,
                target.calendar(),
                rules,
            ));
        }
        Action::ConfirmComplete => {
            ev.push(EventKind::CompletenessConfirmed);
            ev.extend(deadlines::close(case, DeadlineKind::CompletenessCheckDue));
            if rules.processing_starts == ProcessingStart::OnComplete {
                ev.push(deadlines::set(
                    &mut ids,
                    DeadlineKind::ProcessingDue,
                    today,
                    rules.processing,
                    case.calendar(),
                    rules,
                ));
            }
        }
        Action::RequestDocuments {
            items,
            reply_by,
            message,
            reply_by_rule,
        } => {
            if items.is_empty() {
                return Err(CommandError::invalid(
                    "items",
                    "name at least one missing document",
                ));
            }
            for item in items {
                text("items", item, 200)?;
            }
            if let Some(m) = message {
                text("message", m, MAX_TEXT)?;
            }
            let reply_by = match reply_by {
                Some(d) if *d <= today => {
                    return Err(CommandError::invalid("reply_by", "must be after today"));
                }
                Some(d) => *d,
                None if *reply_by_rule != DateRule::PeriodEnd => {
                    return Err(CommandError::invalid(
                        "reply_by",
                        "a fixed end date or an appointment needs an explicit reply_by",
                    ));
                }
                None => crate::deadline::compute(today, rules.applicant_reply, case.calendar()).due,
            };
            // § 31 Abs. 3 Satz 1 / Satz 2 / Abs. 5 VwVfG: whether the stated day moves.
            let named = crate::deadline::named_date(reply_by, *reply_by_rule, case.calendar())
                .map_err(|_| CommandError::invalid("reply_by", "lies outside the calendar"))?;
            ev.push(EventKind::DocumentsRequested {
                items: items.clone(),
                reply_by,
                message_id: case.message_id(case.version + 1),
                reply_by_rule: *reply_by_rule,
            });
            ev.push(EventKind::SuspensionStarted { on: today });
            // The completeness check waits for the applicant: its clock stops.
            ev.extend(deadlines::close(case, DeadlineKind::CompletenessCheckDue));
            ev.extend(deadlines::close(case, DeadlineKind::ProcessingDue));
            ev.push(deadlines::set_on(
                &mut ids,
                DeadlineKind::ApplicantReplyDue,
                named.due,
                crate::deadline::explain_named_de(&named),
                case.calendar(),
                rules,
            ));
        }
        Action::CheckDocument {
            document,
            received,
            note,
        } => {
            if let Some(n) = note {
                text("note", n, MAX_SHORT)?;
            }
            if !crate::model::checklist_documents(case, ctx.service).contains(document) {
                return Err(CommandError::invalid(
                    "document",
                    "not on the case's checklist (the service's required documents and the open request)",
                ));
            }
            ev.push(EventKind::DocumentChecked {
                document: document.clone(),
                received: *received,
                note: note.clone(),
            });
        }
        Action::DocumentsArrived { note } => {
            text("note", note, MAX_SHORT)?;
            ev.push(EventKind::DocumentsArrived { note: note.clone() });
            ev.extend(end_suspension(case, today, ctx.service, &mut ids)?);
        }
        Action::WithdrawRequest { reason } => {
            text("reason", reason, MAX_SHORT)?;
            ev.push(EventKind::DocumentRequestWithdrawn {
                reason: reason.clone(),
                message_id: case.message_id(case.version + 1),
            });
            ev.extend(end_suspension(case, today, ctx.service, &mut ids)?);
        }
        Action::Extend { until, reason } => {
            text("reason", reason, MAX_SHORT)?;
            if case.extension.is_some() {
                return Err(CommandError::AlreadyExtended);
            }
            let current = case.open_deadline(DeadlineKind::ProcessingDue);
            if let Some(d) = current {
                if *until <= d.due_on {
                    return Err(CommandError::invalid(
                        "until",
                        format!("must be after the current processing deadline {}", d.due_on),
                    ));
                }
            } else if *until <= today {
                return Err(CommandError::invalid("until", "must be after today"));
            }
            ev.push(EventKind::ProcessingExtended {
                until: *until,
                reason: reason.clone(),
            });
            ev.extend(deadlines::close(case, DeadlineKind::ProcessingDue));
            ev.push(deadlines::set_on(
                &mut ids,
                DeadlineKind::ProcessingDue,
                *until,
                format!("Bearbeitungsfrist einmalig verlängert bis {until}: {reason}"),
                case.calendar(),
                rules,
            ));
        }
        Action::SetFollowUp { at, note } => {
            text("note", note, MAX_SHORT)?;
            if *at <= today {
                return Err(CommandError::invalid("at", "must be after today"));
            }
            let set = deadlines::set_on(
                &mut ids,
                DeadlineKind::FollowUp,
                *at,
                format!("Wiedervorlage am {at}"),
                case.calendar(),
                rules,
            );
            let deadline_id = match &set {
                EventKind::DeadlineSet { deadline_id, .. } => deadline_id.clone(),
                _ => String::new(),
            };
            ev.push(set);
            ev.push(EventKind::FollowUpSet {
                deadline_id,
                on: *at,
                note: note.clone(),
            });
        }
        Action::Export | Action::RetryExport => {
            let target = ctx.service.export_target.clone().ok_or_else(|| {
                CommandError::invalid("action", "the service has no export target")
            })?;
            let attempt = case.export.as_ref().map_or(0, |e| e.attempts) + 1;
            ev.push(EventKind::ExportRequested { target, attempt });
        }
        Action::SendResult {
            outcome,
            documents,
            message,
            attachments,
            appeal_instructions,
        } => {
            text("message", message, MAX_TEXT)?;
            for d in documents {
                text("documents", d, 200)?;
            }
            authority_documents(case, attachments)?;
            if case.status == Status::InProgress {
                ev.push(EventKind::ExportSkipped);
            }
            let message_id = case.message_id(case.version + 1);
            ev.push(EventKind::ResultSent {
                outcome: *outcome,
                documents: documents.clone(),
                message_id: message_id.clone(),
                appeal_instructions: *appeal_instructions,
                attachments: attachments.clone(),
            });
            ev.extend(finish(case, &mut ids, ctx));
            // The announcement starts: ten days to retrieve it from the postbox.
            ev.extend(announce::on_result_sent(
                case,
                &mut ids,
                today,
                &message_id,
                rules,
            ));
        }
        Action::RecordPosting { posted_on } => {
            ev.extend(announce::record_posting(
                case, &mut ids, *posted_on, today, rules,
            )?);
        }
        Action::RecordAppeal { received_on } => {
            ev.extend(announce::record_appeal(case, *received_on, today)?);
        }
        Action::Comment { text: t } => {
            text("text", t, MAX_TEXT)?;
            ev.push(EventKind::Commented {
                comment_id: case.comment_id(case.version + 1),
                text: t.clone(),
            });
        }
        Action::Message {
            subject,
            text: t,
            attachments,
        } => {
            text("subject", subject, 200)?;
            text("text", t, MAX_TEXT)?;
            authority_documents(case, attachments)?;
            ev.push(EventKind::MessageSent {
                message_id: case.message_id(case.version + 1),
                subject: subject.clone(),
                attachments: attachments.clone(),
            });
        }
        Action::Assign { user } => {
            if let Some(u) = user {
                text("user", u, 200)?;
            }
            if user == &case.assignee {
                return Err(CommandError::invalid(
                    "user",
                    "the case is already assigned so",
                ));
            }
            ev.push(EventKind::Assigned {
                from: case.assignee.clone(),
                to: user.clone(),
            });
        }
        Action::Cancel { reason } => {
            text("reason", reason, MAX_SHORT)?;
            ev.push(EventKind::Cancelled {
                reason: reason.clone(),
            });
            ev.extend(finish(case, &mut ids, ctx));
        }
    }
    Ok(ev)
}

/// The case ends: its deadlines close and the retention period starts.
fn finish(case: &Case, ids: &mut DeadlineIds, ctx: &Ctx) -> Vec<EventKind> {
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
            let d = case
                .deadlines
                .iter()
                .find(|d| &d.id == deadline_id)
                .ok_or_else(|| CommandError::invalid("deadline_id", "unknown deadline"))?;
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
            let d = case
                .deadlines
                .iter()
                .find(|d| &d.id == deadline_id)
                .ok_or_else(|| CommandError::invalid("deadline_id", "unknown deadline"))?;
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
fn end_suspension(
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
fn completeness_start(case: &Case) -> Option<chrono::NaiveDate> {
    case.tasks
        .iter()
        .find(|t| t.kind == crate::model::TaskKind::CompletenessCheck)
        .map(|t| berlin_date(t.opened_at))
}
