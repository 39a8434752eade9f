//! After the decision is sent: its announcement (Bekanntgabe) by postbox retrieval or by post,
//! the appeal deadline, the "send by post" task when the result is not retrieved in time, the
//! appeal (Widerspruch) and finality (Bestandskraft). docs/ARCHITECTURE.md, "Announcement and
//! appeal". All of it happens on a `completed` case.

use chrono::NaiveDate;

use super::deadlines::{self, DeadlineIds};
use super::error::CommandError;
use crate::deadline::{self as law, berlin_date};
use crate::model::{Case, DeadlineRules, ResultInfo};
use fallwerk_events::{AnnouncementVia, DeadlineKind, EventKind};

/// Right after `result_sent`: the result waits in the postbox for ten days (§ 41 Abs. 2a
/// Satz 4 VwVfG); without a postbox it has to go by post at once.
pub(crate) fn on_result_sent(
    case: &Case,
    ids: &mut DeadlineIds,
    today: NaiveDate,
    message_id: &str,
    rules: &DeadlineRules,
) -> Vec<EventKind> {
    if case.applicant.postbox_ref.is_none() {
        return vec![EventKind::PostalDeliveryRequired {
            message_id: message_id.to_owned(),
        }];
    }
    let window = law::retrieval_window_end(today, case.calendar());
    let basis = format!(
        "Der Bescheid liegt ab {} zum Abruf im Postfach bereit. Wird er nicht innerhalb von zehn Tagen abgerufen, wird die Bereitstellung beendet und die Bekanntgabe ist nicht bewirkt; er ist dann auf anderem Weg (per Post) bekannt zu geben. [§ 41 Abs. 2a Satz 4 und 5 VwVfG]\n{}",
        law::format_date_de(today),
        law::explain_de(&window)
    );
    vec![deadlines::set_on(
        ids,
        DeadlineKind::RetrievalDue,
        window.due,
        basis,
        case.calendar(),
        rules,
    )]
}

fn result(case: &Case) -> Option<&ResultInfo> {
    case.result.as_ref()
}

/// The announcement events: `result_announced`, the retrieval deadline closed, the appeal
/// deadline set.
fn announce(
    case: &Case,
    ids: &mut DeadlineIds,
    via: AnnouncementVia,
    announced: law::Announced,
    rules: &DeadlineRules,
) -> Result<Vec<EventKind>, CommandError> {
    let with_instructions = result(case).is_none_or(|r| r.appeal_instructions);
    let (due, text) = law::appeal_due(announced.announced_on, with_instructions, case.calendar())
        .map_err(|_| CommandError::invalid("date", "lies outside the calendar"))?;
    let mut ev = vec![EventKind::ResultAnnounced {
        via,
        announced_on: announced.announced_on,
        appeal_due: due.due,
        basis: announced.explanation_de.clone(),
    }];
    ev.extend(deadlines::close(case, DeadlineKind::RetrievalDue));
    ev.push(deadlines::set_on(
        ids,
        DeadlineKind::AppealDue,
        due.due,
        format!("{}\n{text}", announced.explanation_de),
        case.calendar(),
        rules,
    ));
    Ok(ev)
}

/// Whether the portal's report is news: the result message not yet retrieved.
pub fn retrieval_is_news(case: &Case, message_id: &str) -> bool {
    match result(case) {
        Some(r) if r.message_id.as_deref() == Some(message_id) => {
            r.announcement.retrieved_on.is_none()
        }
        _ => true,
    }
}

/// The portal reports that the applicant opened `message_id` on `now`'s day. For the result
/// message that is the announcement (§ 41 Abs. 2a Satz 3 VwVfG), unless it was announced before.
pub(crate) fn message_retrieved(
    case: &Case,
    ids: &mut DeadlineIds,
    message_id: &str,
    today: NaiveDate,
    rules: &DeadlineRules,
) -> Result<Vec<EventKind>, CommandError> {
    if message_id.is_empty() || message_id.len() > 200 || !message_id.starts_with(case.id.as_str())
    {
        return Err(CommandError::invalid(
            "message_id",
            "not a postbox message of this case",
        ));
    }
    let mut ev = vec![EventKind::MessageRetrieved {
        message_id: message_id.to_owned(),
        retrieved_on: today,
    }];
    let is_result = result(case).is_some_and(|r| r.message_id.as_deref() == Some(message_id));
    let announced = result(case).is_some_and(|r| r.announcement.announced_on.is_some());
    if is_result && !announced {
        let a = law::announced_by_retrieval(today)
            .map_err(|_| CommandError::invalid("date", "lies outside the calendar"))?;
        ev.extend(announce(case, ids, AnnouncementVia::Postbox, a, rules)?);
    }
    Ok(ev)
}

/// `record_posting`: the decision went out by post on `posted_on`.
pub(crate) fn record_posting(
    case: &Case,
    ids: &mut DeadlineIds,
    posted_on: NaiveDate,
    now_day: NaiveDate,
    rules: &DeadlineRules,
) -> Result<Vec<EventKind>, CommandError> {
    let Some(r) = result(case) else {
        return Err(CommandError::invalid("posted_on", "no decision was sent"));
    };
    if posted_on > now_day {
        return Err(CommandError::invalid(
            "posted_on",
            "must not be in the future",
        ));
    }
    if posted_on < berlin_date(r.sent_at) {
        return Err(CommandError::invalid(
            "posted_on",
            "must not be before the decision was sent",
        ));
    }
    let a = law::announced_by_post(posted_on, case.state)
        .map_err(|_| CommandError::invalid("posted_on", "lies outside the calendar"))?;
    let mut ev = vec![EventKind::ResultPosted { posted_on }];
    ev.extend(announce(case, ids, AnnouncementVia::Post, a, rules)?);
    Ok(ev)
}

/// `record_appeal`: a Widerspruch came in on `received_on`.
pub(crate) fn record_appeal(
    case: &Case,
    received_on: NaiveDate,
    now_day: NaiveDate,
) -> Result<Vec<EventKind>, CommandError> {
    if received_on > now_day {
        return Err(CommandError::invalid(
            "received_on",
            "must not be in the future",
        ));
    }
    let sent = result(case).map(|r| berlin_date(r.sent_at));
    if sent.is_some_and(|s| received_on < s) {
        return Err(CommandError::invalid(
            "received_on",
            "must not be before the decision was sent",
        ));
    }
    let due = result(case).and_then(|r| r.announcement.appeal_due);
    let mut ev = vec![EventKind::AppealLodged {
        received_on,
        late: due.is_some_and(|d| received_on > d),
    }];
    ev.extend(deadlines::close(case, DeadlineKind::AppealDue));
    Ok(ev)
}

/// What follows when the scheduler marks a deadline of this module overdue.
pub(crate) fn on_overdue(case: &Case, kind: DeadlineKind, due_on: NaiveDate) -> Vec<EventKind> {
    let Some(r) = result(case) else {
        return Vec::new();
    };
    let a = &r.announcement;
    match kind {
        DeadlineKind::RetrievalDue if a.announced_on.is_none() && !a.postal_delivery_required => {
            vec![EventKind::PostalDeliveryRequired {
                message_id: r.message_id.clone().unwrap_or_default(),
            }]
        }
        DeadlineKind::AppealDue if a.appeal_lodged_on.is_none() && a.final_on.is_none() => {
            let mut ev: Vec<EventKind> = law::final_on(due_on)
                .map(|final_on| EventKind::DecisionFinal { final_on })
                .into_iter()
                .collect();
            // Nothing more is owed for this period (no escalation about a final decision).
            ev.extend(deadlines::close(case, DeadlineKind::AppealDue));
            ev
        }
        _ => Vec::new(),
    }
}

/// The caseworker actions of this module a completed case allows now.
pub(crate) fn allowed(case: &Case) -> Vec<super::ActionName> {
    let Some(r) = result(case) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if r.announcement.announced_on.is_none() {
        out.push(super::ActionName::RecordPosting);
    }
    if r.announcement.appeal_lodged_on.is_none() {
        out.push(super::ActionName::RecordAppeal);
    }
    out
}
