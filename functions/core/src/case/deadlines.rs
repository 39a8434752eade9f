//! Turning the service's deadline rules into `DeadlineSet` events with warning and escalation days.

use chrono::NaiveDate;

use crate::deadline::{self, Calendar, DeadlineError, Period, Suspension};
use crate::model::{Case, DeadlineRules};
use fallwerk_events::{DeadlineKind, EventKind};

/// Hands out deadline ids that are unique within a case and deterministic (replay-safe).
pub(crate) struct DeadlineIds {
    case_id: String,
    next: usize,
}

impl DeadlineIds {
    pub(crate) fn for_case(case: &Case) -> Self {
        DeadlineIds {
            case_id: case.id.clone(),
            next: case.deadlines.len() + 1,
        }
    }

    fn take(&mut self) -> String {
        let id = format!("{}-d{}", self.case_id, self.next);
        self.next += 1;
        id
    }
}

/// Which levels a kind of deadline has: follow-ups and retention fire once, on the day.
fn has_warning_and_escalation(kind: DeadlineKind) -> bool {
    !matches!(kind, DeadlineKind::FollowUp | DeadlineKind::RetentionDue)
}

/// A new deadline running `period` from `start` (the event day is not counted), with no
/// suspension inside it.
pub(crate) fn set(
    ids: &mut DeadlineIds,
    kind: DeadlineKind,
    start: NaiveDate,
    period: Period,
    state: impl Into<Calendar>,
    rules: &DeadlineRules,
) -> EventKind {
    let state: Calendar = state.into();
    let due = deadline::compute(start, period, state);
    set_on(ids, kind, due.due, deadline::explain_de(&due), state, rules)
}

/// A deadline set again after a suspension: the period runs from `start` and is pushed by the
/// suspended days. Suspensions the calculator refuses (overlapping intervals, one that ends
/// before it starts) are an error for the caller: computing without them would give an earlier
/// due date than the law allows, so there is no silent fallback.
pub(crate) fn set_resumed(
    ids: &mut DeadlineIds,
    kind: DeadlineKind,
    start: NaiveDate,
    period: Period,
    state: impl Into<Calendar>,
    suspensions: &[Suspension],
    rules: &DeadlineRules,
) -> Result<EventKind, DeadlineError> {
    let state: Calendar = state.into();
    let due = deadline::compute_with_suspensions(start, period, state, suspensions)?;
    Ok(set_on(
        ids,
        kind,
        due.due,
        deadline::explain_de(&due),
        state,
        rules,
    ))
}

/// A new deadline on a fixed day (follow-ups, extensions, explicit reply dates).
pub(crate) fn set_on(
    ids: &mut DeadlineIds,
    kind: DeadlineKind,
    due_on: NaiveDate,
    basis: String,
    state: impl Into<Calendar>,
    rules: &DeadlineRules,
) -> EventKind {
    let state: Calendar = state.into();
    let (warn_on, escalate_on) = if has_warning_and_escalation(kind) {
        (
            Some(deadline::warning_date(due_on, rules.warning_lead, state)),
            Some(deadline::escalation_date(
                due_on,
                rules.escalation_delay,
                state,
            )),
        )
    } else {
        (None, None)
    };
    EventKind::DeadlineSet {
        deadline_id: ids.take(),
        kind,
        due_on,
        warn_on,
        escalate_on,
        basis,
    }
}

/// Closes every open deadline except retention (the case is finished or cancelled).
pub(crate) fn close_all(case: &Case) -> Vec<EventKind> {
    case.deadlines
        .iter()
        .filter(|d| d.open && d.kind != DeadlineKind::RetentionDue)
        .map(|d| EventKind::DeadlineClosed {
            deadline_id: d.id.clone(),
            kind: d.kind,
        })
        .collect()
}

pub(crate) fn close(case: &Case, kind: DeadlineKind) -> Vec<EventKind> {
    case.deadlines
        .iter()
        .filter(|d| d.open && d.kind == kind)
        .map(|d| EventKind::DeadlineClosed {
            deadline_id: d.id.clone(),
            kind: d.kind,
        })
        .collect()
}

/// The case's closed suspension intervals, as the calculator takes them. A stored interval that
/// ends before it starts is refused here, not dropped.
pub(crate) fn suspensions(case: &Case) -> Result<Vec<Suspension>, DeadlineError> {
    case.suspensions
        .iter()
        .filter_map(|s| s.to.map(|to| Suspension::new(s.from, to)))
        .collect()
}
