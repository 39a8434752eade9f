//! Turns a queue message into the e-mail to send: recipient, template and variables, read from
//! the store. Applicant notices get no form data and no caseworker text (that is in the postbox).

use chrono::NaiveDate;
use fallwerk_core::model::{Case, OrgUnit};
use fallwerk_core::ports::Mail;
use fallwerk_events::{
    ApplicantReason, DeadlineKind, OrgUnitReason, QueueMessage, ReminderLevel, ReminderRecipient,
};

use super::ComposeError;
use crate::ctx::WorkerCtx;
use crate::templates::{MailKind, MailVars, render};

/// What a message asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Composed {
    Send(Mail),
    /// Nothing to send (no e-mail address, case gone, deadline closed meanwhile).
    Skip(&'static str),
}

fn de_date(d: NaiveDate) -> String {
    d.format("%d.%m.%Y").to_string()
}

/// Percent-encodes one URL path segment (RFC 3986 unreserved characters stay).
fn segment(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for b in raw.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `{portal_url}/postfach/{postbox_ref or reference}`.
pub fn postbox_link(portal_url: &str, case: &Case) -> String {
    let target = case
        .applicant
        .postbox_ref
        .as_deref()
        .filter(|r| !r.trim().is_empty())
        .unwrap_or(&case.reference);
    format!(
        "{}/postfach/{}",
        portal_url.trim_end_matches('/'),
        segment(target)
    )
}

fn case_link(caseworker_url: &str, case: &Case) -> String {
    format!(
        "{}/cases/{}",
        caseworker_url.trim_end_matches('/'),
        segment(&case.id)
    )
}

fn transient(e: impl std::fmt::Display) -> ComposeError {
    ComposeError::Transient(e.to_string())
}

async fn org_unit(ctx: &WorkerCtx, id: &str) -> Result<OrgUnit, ComposeError> {
    ctx.app
        .org_unit(id)
        .await
        .map_err(transient)?
        .ok_or_else(|| ComposeError::Permanent(format!("org unit `{id}` does not exist")))
}

fn applicant_address(case: &Case) -> Option<String> {
    if case.personal_data_purged {
        return None;
    }
    case.applicant
        .email
        .as_deref()
        .map(str::trim)
        .filter(|e| e.contains('@'))
        .map(str::to_string)
}

/// Where a user's personal notices go today ([`App::personal_address`](fallwerk_core::app::App::personal_address)).
pub async fn personal_address(
    ctx: &WorkerCtx,
    account: &str,
) -> Result<Option<String>, ComposeError> {
    ctx.app.personal_address(account).await.map_err(transient)
}

/// Composes the e-mail `message` asks for (never for `ExportRequested`).
pub async fn compose(ctx: &WorkerCtx, message: &QueueMessage) -> Result<Composed, ComposeError> {
    let Some(case) = ctx
        .app
        .case_for_work(message.case_id())
        .await
        .map_err(transient)?
    else {
        return Ok(Composed::Skip("the case does not exist (any more)"));
    };
    let service_name = ctx
        .app
        .service_name(&case.leika_id)
        .await
        .map_err(transient)?;
    let s = &ctx.settings;
    let mut vars = MailVars {
        reference: case.reference.clone(),
        service_name,
        case_link: case_link(&s.caseworker_url, &case),
        postbox_link: postbox_link(&s.portal_url, &case),
        ..MailVars::default()
    };

    let (kind, to, ou_id) = match message {
        QueueMessage::OrgUnitNotification(m) => {
            let ou = org_unit(ctx, &m.org_unit_id).await?;
            let kind = match m.reason {
                OrgUnitReason::NewCase => MailKind::OrgUnitNewCase,
                OrgUnitReason::ForwardedIn => MailKind::OrgUnitForwardedIn,
                OrgUnitReason::ApplicantReplied => MailKind::OrgUnitApplicantReplied,
                OrgUnitReason::ExportFailed => {
                    vars.error = case.export.as_ref().and_then(|e| e.last_error.clone());
                    MailKind::OrgUnitExportFailed
                }
                OrgUnitReason::NotificationFailed => MailKind::OrgUnitNotificationFailed,
            };
            (kind, ou.notification_email, m.org_unit_id.as_str())
        }
        QueueMessage::ApplicantNotification(m) => {
            let Some(to) = applicant_address(&case) else {
                return Ok(Composed::Skip("the applicant has no e-mail address"));
            };
            let kind = match m.reason {
                ApplicantReason::Received => MailKind::ApplicantReceived,
                ApplicantReason::Forwarded => MailKind::ApplicantForwarded,
                ApplicantReason::DocumentsRequested => {
                    vars.reply_by = case.document_request.as_ref().map(|r| de_date(r.reply_by));
                    MailKind::ApplicantDocumentsRequested
                }
                ApplicantReason::ReplyReminder => {
                    vars.due_on = case
                        .open_deadline(DeadlineKind::ApplicantReplyDue)
                        .map(|d| de_date(d.due_on));
                    MailKind::ApplicantReplyReminder
                }
                ApplicantReason::Message => MailKind::ApplicantMessage,
                ApplicantReason::Extended => {
                    vars.until = case.extension.as_ref().map(|x| de_date(x.until));
                    MailKind::ApplicantExtended
                }
                ApplicantReason::Cancelled => MailKind::ApplicantCancelled,
            };
            (kind, to, m.org_unit_id.as_str())
        }
        QueueMessage::ResultDelivery(m) => {
            let Some(to) = applicant_address(&case) else {
                return Ok(Composed::Skip("the applicant has no e-mail address"));
            };
            vars.documents = case.result.as_ref().map_or(0, |r| r.attachments.len());
            (MailKind::ApplicantResult, to, m.org_unit_id.as_str())
        }
        QueueMessage::DeadlineReminder(m) => {
            if case
                .deadlines
                .iter()
                .any(|d| d.id == m.deadline_id && !d.open)
            {
                return Ok(Composed::Skip("the deadline was closed meanwhile"));
            }
            vars.deadline_label = Some(m.kind.label_de().to_string());
            vars.due_on = Some(de_date(m.due_on));
            match &m.recipient {
                ReminderRecipient::Applicant => {
                    let Some(to) = applicant_address(&case) else {
                        return Ok(Composed::Skip("the applicant has no e-mail address"));
                    };
                    (MailKind::ApplicantReplyReminder, to, m.org_unit_id.as_str())
                }
                // The assignee's own address (the substitute's during an absence); an account
                // the directory does not know (any more) falls back to the org unit's address.
                ReminderRecipient::Assignee(account) => {
                    vars.assignee = Some(account.clone());
                    let to = match personal_address(ctx, account).await? {
                        Some(address) => address,
                        None => org_unit(ctx, &m.org_unit_id).await?.notification_email,
                    };
                    (reminder_kind(m.level), to, m.org_unit_id.as_str())
                }
                ReminderRecipient::OrgUnit(id) => {
                    vars.assignee = case.assignee.clone();
                    let ou = org_unit(ctx, id).await?;
                    (reminder_kind(m.level), ou.notification_email, id.as_str())
                }
            }
        }
        QueueMessage::AssigneeNotification(m) => {
            vars.assignee = Some(m.assignee.clone());
            let Some(to) = personal_address(ctx, &m.assignee).await? else {
                return Ok(Composed::Skip("the assignee is unknown or inactive"));
            };
            (MailKind::AssigneeAssigned, to, m.org_unit_id.as_str())
        }
        QueueMessage::ExportRequested(_) => {
            return Err(ComposeError::Permanent(
                "an export request is not an e-mail".into(),
            ));
        }
    };
    vars.org_unit_name = ctx.app.org_unit_name(ou_id).await.map_err(transient)?;

    let rendered = render(kind, &vars).map_err(|e| ComposeError::Permanent(e.to_string()))?;
    Ok(Composed::Send(Mail {
        id: message.message_id().to_string(),
        from: ctx.settings.mail_from.clone(),
        to: vec![to],
        subject: rendered.subject,
        text: rendered.text,
        html: Some(rendered.html),
    }))
}

fn reminder_kind(level: ReminderLevel) -> MailKind {
    match level {
        ReminderLevel::Warning => MailKind::ReminderWarning,
        ReminderLevel::Due => MailKind::ReminderDue,
        ReminderLevel::Escalation => MailKind::ReminderEscalation,
    }
}

#[cfg(test)]
mod tests {
    use super::segment;

    #[test]
    fn path_segments_are_percent_encoded() {
        assert_eq!(segment("MV-2026-000123"), "MV-2026-000123");
        assert_eq!(segment("a/b c?ä"), "a%2Fb%20c%3F%C3%A4");
    }
}
