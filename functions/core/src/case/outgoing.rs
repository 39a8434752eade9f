//! What events cause outside the case: queue messages (into the transactional outbox) and
//! postbox messages to the applicant, with German texts. Ids derive from the event, so a replay
//! or a retried write produces the same message ids and consumers stay idempotent.

use crate::model::{Case, Direction, Message};
use fallwerk_events::{
    ApplicantNotification, ApplicantReason, AssigneeNotification, CONTRACT_VERSION, DeadlineKind,
    DeadlineReminder, DomainEvent, EventKind, ExportRequested, OrgUnitNotification, OrgUnitReason,
    QueueMessage, ReminderLevel, ReminderRecipient, ResultDelivery,
};

fn de_date(d: chrono::NaiveDate) -> String {
    d.format("%d.%m.%Y").to_string()
}

fn to_applicant(
    case: &Case,
    id: &str,
    subject: String,
    text: String,
    event: &DomainEvent,
) -> Message {
    Message {
        id: id.to_string(),
        case_id: case.id.clone(),
        direction: Direction::ToApplicant,
        subject,
        text,
        attachments: Vec::new(),
        at: event.at,
        author: Some(event.actor.clone()),
        read: None,
    }
}

/// Queue messages owed for `events` (already applied to `case`).
pub fn outbox(case: &Case, events: &[DomainEvent]) -> Vec<QueueMessage> {
    let mut out = Vec::new();
    for e in events {
        let id = |suffix: &str| format!("{}:{}:{}", case.id, e.seq, suffix);
        let ou = |ou: &str, reason| {
            QueueMessage::OrgUnitNotification(OrgUnitNotification {
                v: CONTRACT_VERSION,
                message_id: id("ou"),
                case_id: case.id.clone(),
                reference: case.reference.clone(),
                org_unit_id: ou.to_string(),
                reason,
            })
        };
        let applicant = |reason| {
            QueueMessage::ApplicantNotification(ApplicantNotification {
                v: CONTRACT_VERSION,
                message_id: id("applicant"),
                case_id: case.id.clone(),
                reference: case.reference.clone(),
                org_unit_id: case.org_unit_id.clone(),
                reason,
            })
        };
        match &e.kind {
            EventKind::CaseReceived { org_unit_id, .. } => {
                out.push(ou(org_unit_id, OrgUnitReason::NewCase));
                out.push(applicant(ApplicantReason::Received));
            }
            EventKind::Forwarded { to_org_unit_id, .. } => {
                out.push(ou(to_org_unit_id, OrgUnitReason::ForwardedIn));
                out.push(applicant(ApplicantReason::Forwarded));
            }
            EventKind::DocumentsRequested { .. } => {
                out.push(applicant(ApplicantReason::DocumentsRequested))
            }
            EventKind::ApplicantReplied { .. } => {
                out.push(ou(&case.org_unit_id, OrgUnitReason::ApplicantReplied))
            }
            EventKind::ProcessingExtended { .. } => out.push(applicant(ApplicantReason::Extended)),
            EventKind::MessageSent { .. } | EventKind::DocumentRequestWithdrawn { .. } => {
                out.push(applicant(ApplicantReason::Message))
            }
            EventKind::Cancelled { .. } => out.push(applicant(ApplicantReason::Cancelled)),
            EventKind::ExportFailed { .. } => {
                out.push(ou(&case.org_unit_id, OrgUnitReason::ExportFailed))
            }
            // The org unit hears of a notice that did not reach the applicant or the assignee;
            // not of its own notices or reminders (its address is the one failing then: the
            // case's history shows it).
            EventKind::NotificationFailed { message_id, .. }
                if !message_id.ends_with(":ou") && !message_id.contains(":reminder-") =>
            {
                out.push(ou(&case.org_unit_id, OrgUnitReason::NotificationFailed))
            }
            EventKind::ExportRequested { target, attempt } => {
                out.push(QueueMessage::ExportRequested(ExportRequested {
                    v: CONTRACT_VERSION,
                    message_id: id("export"),
                    case_id: case.id.clone(),
                    reference: case.reference.clone(),
                    target: target.clone(),
                    attempt: *attempt,
                }))
            }
            // Taking a case oneself needs no e-mail; being given one does.
            EventKind::Assigned { to: Some(user), .. }
                if e.actor != fallwerk_events::Actor::Caseworker(user.clone()) =>
            {
                out.push(QueueMessage::AssigneeNotification(AssigneeNotification {
                    v: CONTRACT_VERSION,
                    message_id: id("assignee"),
                    case_id: case.id.clone(),
                    reference: case.reference.clone(),
                    org_unit_id: case.org_unit_id.clone(),
                    assignee: user.clone(),
                }))
            }
            EventKind::ReminderSent {
                deadline_id,
                kind,
                level,
            } => {
                let Some(d) = case.deadlines.iter().find(|d| &d.id == deadline_id) else {
                    continue;
                };
                let recipient = match (kind, level) {
                    (DeadlineKind::ApplicantReplyDue, ReminderLevel::Warning) => {
                        ReminderRecipient::Applicant
                    }
                    (_, ReminderLevel::Escalation) => {
                        ReminderRecipient::OrgUnit(case.org_unit_id.clone())
                    }
                    _ => match &case.assignee {
                        Some(user) => ReminderRecipient::Assignee(user.clone()),
                        None => ReminderRecipient::OrgUnit(case.org_unit_id.clone()),
                    },
                };
                out.push(QueueMessage::DeadlineReminder(DeadlineReminder {
                    v: CONTRACT_VERSION,
                    message_id: id(&format!("reminder-{}", level.as_str())),
                    case_id: case.id.clone(),
                    reference: case.reference.clone(),
                    org_unit_id: case.org_unit_id.clone(),
                    deadline_id: deadline_id.clone(),
                    kind: *kind,
                    level: *level,
                    due_on: d.due_on,
                    recipient,
                }))
            }
            EventKind::ResultSent {
                outcome, documents, ..
            } => out.push(QueueMessage::ResultDelivery(ResultDelivery {
                v: CONTRACT_VERSION,
                message_id: id("result"),
                case_id: case.id.clone(),
                reference: case.reference.clone(),
                org_unit_id: case.org_unit_id.clone(),
                outcome: *outcome,
                documents: documents.clone(),
            })),
            _ => {}
        }
    }
    out
}

/// Postbox messages to the applicant owed for `events`; `free_text` is the caseworker's text of
/// the command (message body, result letter, note to a document request), if any.
pub fn postbox(case: &Case, events: &[DomainEvent], free_text: Option<&str>) -> Vec<Message> {
    let mut out = Vec::new();
    let extra = free_text.map(|t| format!("\n\n{t}")).unwrap_or_default();
    for e in events {
        match &e.kind {
            EventKind::CaseReceived { .. } => out.push(to_applicant(
                case,
                &case.message_id(e.seq),
                format!("Eingangsbestätigung {}", case.reference),
                format!(
                    "Ihr Antrag ist bei uns eingegangen. Ihr Aktenzeichen lautet {}. \
                     Bitte geben Sie es bei Rückfragen an.",
                    case.reference
                ),
                e,
            )),
            EventKind::Forwarded { .. } => out.push(to_applicant(
                case,
                &case.message_id(e.seq),
                format!("Ihr Antrag {} wurde weitergeleitet", case.reference),
                "Ihr Antrag wurde an die zuständige Stelle weitergeleitet. \
                 Sie müssen nichts weiter tun."
                    .to_string(),
                e,
            )),
            EventKind::DocumentsRequested { items, reply_by, message_id, reply_by_rule } => {
                let list: String = items.iter().map(|i| format!("\n- {i}")).collect();
                let rule = super::notice_law::reply_by_note_de(*reply_by, *reply_by_rule, case.calendar());
                out.push(to_applicant(
                    case,
                    message_id,
                    format!("Unterlagen nachgefordert zu {}", case.reference),
                    format!(
                        "Für die Bearbeitung Ihres Antrags benötigen wir noch folgende Unterlagen:{list}\n\n\
                         Bitte reichen Sie diese bis zum {} über Ihr Postfach ein.{rule} \
                         Bis dahin ruht die Bearbeitung.{extra}",
                        de_date(*reply_by)
                    ),
                    e,
                ));
            }
            EventKind::ProcessingExtended { until, reason } => out.push(to_applicant(
                case,
                &case.message_id(e.seq),
                format!("Bearbeitungsfrist verlängert zu {}", case.reference),
                format!(
                    "Die Bearbeitungsfrist für Ihren Antrag wurde einmalig bis zum {} verlängert. Begründung: {reason}",
                    de_date(*until)
                ),
                e,
            )),
            EventKind::MessageSent {
                message_id,
                subject,
                attachments,
            } => out.push(Message {
                attachments: attachments.clone(),
                ..to_applicant(
                    case,
                    message_id,
                    subject.clone(),
                    free_text.unwrap_or_default().to_string(),
                    e,
                )
            }),
            EventKind::ResultSent {
                outcome,
                message_id,
                attachments,
                ..
            } => out.push(Message {
                attachments: attachments.clone(),
                ..to_applicant(
                    case,
                    message_id,
                    format!("Entscheidung zu Ihrem Antrag {}", case.reference),
                    format!("Ihr Antrag wurde {}.{extra}", outcome.label_de()),
                    e,
                )
            }),
            EventKind::DocumentRequestWithdrawn { reason, message_id } => out.push(to_applicant(
                case,
                message_id,
                format!("Nachforderung zurückgenommen zu {}", case.reference),
                format!(
                    "Die Nachforderung von Unterlagen zu Ihrem Antrag ist zurückgenommen. \
                     Sie müssen dazu nichts mehr einreichen; die Bearbeitung läuft weiter. \
                     Begründung: {reason}"
                ),
                e,
            )),
            EventKind::Cancelled { reason } => out.push(to_applicant(
                case,
                &case.message_id(e.seq),
                format!("Verfahren beendet: {}", case.reference),
                format!("Das Verfahren zu Ihrem Antrag wurde beendet. Grund: {reason}"),
                e,
            )),
            _ => {}
        }
    }
    out
}
