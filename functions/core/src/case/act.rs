//! The caseworker actions, one function each. `decide` has checked rights and status already;
//! each function checks its own fields and plans the events ([`Plan`]).

use chrono::NaiveDate;

use super::announce;
use super::command::Action;
use super::decide::{Ctx, MAX_SHORT, MAX_TEXT, end_suspension, finish, text};
use super::error::CommandError;
use super::plan::Plan;
use crate::model::{AttachmentSource, Case, ProcessingStart, Status};
use fallwerk_events::{DateRule, DeadlineKind, EventKind, Outcome};

/// Plans the events of `action` on `case`.
pub(super) fn act(case: &Case, action: &Action, ctx: &Ctx) -> Result<Vec<EventKind>, CommandError> {
    let mut p = Plan::new(case, ctx);
    match action {
        Action::ConfirmCompetence => confirm_competence(&mut p),
        Action::Forward {
            org_unit_id,
            reason,
        } => forward(&mut p, org_unit_id, reason)?,
        Action::ConfirmComplete => confirm_complete(&mut p),
        Action::RequestDocuments {
            items,
            reply_by,
            message,
            reply_by_rule,
        } => request_documents(&mut p, items, *reply_by, message.as_deref(), *reply_by_rule)?,
        Action::CheckDocument {
            document,
            received,
            note,
        } => check_document(&mut p, document, *received, note.as_deref())?,
        Action::DocumentsArrived { note } => documents_arrived(&mut p, note)?,
        Action::WithdrawRequest { reason } => withdraw_request(&mut p, reason)?,
        Action::Extend { until, reason } => extend(&mut p, *until, reason)?,
        Action::SetFollowUp { at, note } => set_follow_up(&mut p, *at, note)?,
        Action::Export | Action::RetryExport => export(&mut p)?,
        Action::SendResult {
            outcome,
            documents,
            message,
            attachments,
            appeal_instructions,
        } => send_result(
            &mut p,
            *outcome,
            documents,
            message,
            attachments,
            *appeal_instructions,
        )?,
        Action::RecordPosting { posted_on } => {
            let rules = p.rules();
            let events = announce::record_posting(p.case, &mut p.ids, *posted_on, p.today, rules)?;
            p.extend(events);
        }
        Action::RecordAppeal { received_on } => {
            p.extend(announce::record_appeal(p.case, *received_on, p.today)?);
        }
        Action::Comment { text: t } => comment(&mut p, t)?,
        Action::Message {
            subject,
            text: t,
            attachments,
        } => message(&mut p, subject, t, attachments)?,
        Action::Assign { user } => assign(&mut p, user.as_ref())?,
        Action::Cancel { reason } => cancel(&mut p, reason)?,
    }
    Ok(p.events())
}

fn confirm_competence(p: &mut Plan) {
    p.push(EventKind::CompetenceConfirmed);
    p.close(DeadlineKind::CompetenceCheckDue);
    p.due_after(
        DeadlineKind::CompletenessCheckDue,
        p.rules().completeness_check,
    );
}

fn forward(p: &mut Plan, org_unit_id: &str, reason: &str) -> Result<(), CommandError> {
    text("reason", reason, MAX_SHORT)?;
    let case = p.case;
    if org_unit_id == case.org_unit_id {
        return Err(CommandError::invalid(
            "org_unit_id",
            "the case is already in this org unit",
        ));
    }
    let target = p
        .ctx
        .forward_target
        .filter(|t| t.id == org_unit_id)
        .ok_or_else(|| {
            CommandError::invalid("org_unit_id", format!("unknown org unit `{org_unit_id}`"))
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
    p.push(EventKind::Forwarded {
        from_org_unit_id: case.org_unit_id.clone(),
        to_org_unit_id: target.id.clone(),
        holiday_state: target.state.to_string(),
        holiday_municipality: target.calendar().municipality.map(|m| m.to_string()),
        reason: reason.to_string(),
    });
    if case.assignee.is_some() {
        p.push(EventKind::Assigned {
            from: case.assignee.clone(),
            to: None,
        });
    }
    p.close(DeadlineKind::CompetenceCheckDue);
    // The new org unit checks its competence afresh, counting in its own holidays.
    p.due_after_in(
        DeadlineKind::CompetenceCheckDue,
        p.rules().competence_check,
        target.calendar(),
    );
    Ok(())
}

fn confirm_complete(p: &mut Plan) {
    p.push(EventKind::CompletenessConfirmed);
    p.close(DeadlineKind::CompletenessCheckDue);
    if p.rules().processing_starts == ProcessingStart::OnComplete {
        p.due_after(DeadlineKind::ProcessingDue, p.rules().processing);
    }
}

fn request_documents(
    p: &mut Plan,
    items: &[String],
    reply_by: Option<NaiveDate>,
    message: Option<&str>,
    reply_by_rule: DateRule,
) -> Result<(), CommandError> {
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
    let calendar = p.case.calendar();
    let reply_by = match reply_by {
        Some(d) if d <= p.today => {
            return Err(CommandError::invalid("reply_by", "must be after today"));
        }
        Some(d) => d,
        None if reply_by_rule != DateRule::PeriodEnd => {
            return Err(CommandError::invalid(
                "reply_by",
                "a fixed end date or an appointment needs an explicit reply_by",
            ));
        }
        None => crate::deadline::compute(p.today, p.rules().applicant_reply, calendar).due,
    };
    // § 31 Abs. 3 Satz 1 / Satz 2 / Abs. 5 VwVfG: whether the stated day moves.
    let named = crate::deadline::named_date(reply_by, reply_by_rule, calendar)
        .map_err(|_| CommandError::invalid("reply_by", "lies outside the calendar"))?;
    p.push(EventKind::DocumentsRequested {
        items: items.to_vec(),
        reply_by,
        message_id: p.message_id(),
        reply_by_rule,
    });
    p.push(EventKind::SuspensionStarted { on: p.today });
    // The completeness check waits for the applicant: its clock stops.
    p.close(DeadlineKind::CompletenessCheckDue);
    p.close(DeadlineKind::ProcessingDue);
    p.due_on(
        DeadlineKind::ApplicantReplyDue,
        named.due,
        crate::deadline::explain_named_de(&named),
    );
    Ok(())
}

fn check_document(
    p: &mut Plan,
    document: &str,
    received: bool,
    note: Option<&str>,
) -> Result<(), CommandError> {
    if let Some(n) = note {
        text("note", n, MAX_SHORT)?;
    }
    if !crate::model::checklist_documents(p.case, p.ctx.service)
        .iter()
        .any(|d| d == document)
    {
        return Err(CommandError::invalid(
            "document",
            "not on the case's checklist (the service's required documents and the open request)",
        ));
    }
    p.push(EventKind::DocumentChecked {
        document: document.to_string(),
        received,
        note: note.map(str::to_string),
    });
    Ok(())
}

fn documents_arrived(p: &mut Plan, note: &str) -> Result<(), CommandError> {
    text("note", note, MAX_SHORT)?;
    p.push(EventKind::DocumentsArrived {
        note: note.to_string(),
    });
    let resumed = end_suspension(p.case, p.today, p.ctx.service, &mut p.ids)?;
    p.extend(resumed);
    Ok(())
}

fn withdraw_request(p: &mut Plan, reason: &str) -> Result<(), CommandError> {
    text("reason", reason, MAX_SHORT)?;
    p.push(EventKind::DocumentRequestWithdrawn {
        reason: reason.to_string(),
        message_id: p.message_id(),
    });
    let resumed = end_suspension(p.case, p.today, p.ctx.service, &mut p.ids)?;
    p.extend(resumed);
    Ok(())
}

fn extend(p: &mut Plan, until: NaiveDate, reason: &str) -> Result<(), CommandError> {
    text("reason", reason, MAX_SHORT)?;
    if p.case.extension.is_some() {
        return Err(CommandError::AlreadyExtended);
    }
    match p.case.open_deadline(DeadlineKind::ProcessingDue) {
        Some(d) if until <= d.due_on => {
            return Err(CommandError::invalid(
                "until",
                format!("must be after the current processing deadline {}", d.due_on),
            ));
        }
        None if until <= p.today => {
            return Err(CommandError::invalid("until", "must be after today"));
        }
        _ => {}
    }
    p.push(EventKind::ProcessingExtended {
        until,
        reason: reason.to_string(),
    });
    p.close(DeadlineKind::ProcessingDue);
    p.due_on(
        DeadlineKind::ProcessingDue,
        until,
        format!("Bearbeitungsfrist einmalig verlängert bis {until}: {reason}"),
    );
    Ok(())
}

fn set_follow_up(p: &mut Plan, at: NaiveDate, note: &str) -> Result<(), CommandError> {
    text("note", note, MAX_SHORT)?;
    if at <= p.today {
        return Err(CommandError::invalid("at", "must be after today"));
    }
    let deadline_id = p.due_on(DeadlineKind::FollowUp, at, format!("Wiedervorlage am {at}"));
    p.push(EventKind::FollowUpSet {
        deadline_id,
        on: at,
        note: note.to_string(),
    });
    Ok(())
}

fn export(p: &mut Plan) -> Result<(), CommandError> {
    let target = p
        .ctx
        .service
        .export_target
        .clone()
        .ok_or_else(|| CommandError::invalid("action", "the service has no export target"))?;
    let attempt = p.case.export.as_ref().map_or(0, |e| e.attempts) + 1;
    p.push(EventKind::ExportRequested { target, attempt });
    Ok(())
}

fn send_result(
    p: &mut Plan,
    outcome: Outcome,
    documents: &[String],
    message: &str,
    attachments: &[u32],
    appeal_instructions: bool,
) -> Result<(), CommandError> {
    text("message", message, MAX_TEXT)?;
    for d in documents {
        text("documents", d, 200)?;
    }
    authority_documents(p.case, attachments)?;
    if p.case.status == Status::InProgress {
        p.push(EventKind::ExportSkipped);
    }
    let message_id = p.message_id();
    p.push(EventKind::ResultSent {
        outcome,
        documents: documents.to_vec(),
        message_id: message_id.clone(),
        appeal_instructions,
        attachments: attachments.to_vec(),
    });
    let finished = finish(p.case, &mut p.ids, p.ctx);
    p.extend(finished);
    // The announcement starts: ten days to retrieve it from the postbox.
    let rules = p.rules();
    let announced = announce::on_result_sent(p.case, &mut p.ids, p.today, &message_id, rules);
    p.extend(announced);
    Ok(())
}

fn comment(p: &mut Plan, t: &str) -> Result<(), CommandError> {
    text("text", t, MAX_TEXT)?;
    p.push(EventKind::Commented {
        comment_id: p.case.comment_id(p.case.version + 1),
        text: t.to_string(),
    });
    Ok(())
}

fn message(p: &mut Plan, subject: &str, t: &str, attachments: &[u32]) -> Result<(), CommandError> {
    text("subject", subject, 200)?;
    text("text", t, MAX_TEXT)?;
    authority_documents(p.case, attachments)?;
    p.push(EventKind::MessageSent {
        message_id: p.message_id(),
        subject: subject.to_string(),
        attachments: attachments.to_vec(),
    });
    Ok(())
}

fn assign(p: &mut Plan, user: Option<&String>) -> Result<(), CommandError> {
    if let Some(u) = user {
        text("user", u, 200)?;
    }
    if user == p.case.assignee.as_ref() {
        return Err(CommandError::invalid(
            "user",
            "the case is already assigned so",
        ));
    }
    p.push(EventKind::Assigned {
        from: p.case.assignee.clone(),
        to: user.cloned(),
    });
    Ok(())
}

fn cancel(p: &mut Plan, reason: &str) -> Result<(), CommandError> {
    text("reason", reason, MAX_SHORT)?;
    p.push(EventKind::Cancelled {
        reason: reason.to_string(),
    });
    let finished = finish(p.case, &mut p.ids, p.ctx);
    p.extend(finished);
    Ok(())
}

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
            .any(|a| a.n == *n && a.source == AttachmentSource::Authority)
        {
            return Err(CommandError::invalid(
                "attachments",
                format!("the case has no document {n} uploaded by the authority"),
            ));
        }
    }
    Ok(())
}
