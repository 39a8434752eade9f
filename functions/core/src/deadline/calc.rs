//! Forward and backward deadline arithmetic under §31 VwVfG with §§187–193 BGB.

use chrono::{Datelike, Days, Months, NaiveDate, Weekday};

use super::calendar::Calendar;
use super::due::{DueDate, LegalBasis, SkipReason, SkippedDay, Step};
use super::error::DeadlineError;
use super::holidays::{next_day, previous_day};
use super::period::Period;
use super::suspension::Suspension;

/// The due date of `period` started by an event on `start`, in `state`, without suspensions.
///
/// # Panics
/// Only if the result lies beyond chrono's calendar (after the year 262142), which no period
/// accepted by `Period::from_str` can reach from a date before the year 250000. Use
/// [`try_compute`] for untrusted values.
pub fn compute(start: NaiveDate, period: Period, state: impl Into<Calendar>) -> DueDate {
    match try_compute(start, period, state) {
        Ok(due) => due,
        Err(e) => panic!("deadline {start} + {period}: {e}"),
    }
}

/// Like [`compute`], but reports a result outside the calendar as an error.
pub fn try_compute(
    start: NaiveDate,
    period: Period,
    state: impl Into<Calendar>,
) -> Result<DueDate, DeadlineError> {
    compute_with_suspensions(start, period, state, &[])
}

/// The due date of `period` started on `start`, extended by the suspended time that falls into
/// the running period, then moved off weekends and holidays.
///
/// Suspensions may be given in any order; overlapping ones are rejected because the same days
/// would be counted twice.
pub fn compute_with_suspensions(
    start: NaiveDate,
    period: Period,
    state: impl Into<Calendar>,
    suspensions: &[Suspension],
) -> Result<DueDate, DeadlineError> {
    let calendar: Calendar = state.into();
    let state = calendar;
    let sorted = sorted_without_overlap(suspensions)?;
    let mut steps = vec![Step::StartDayNotCounted {
        start,
        basis: LegalBasis::Bgb187Abs1,
    }];
    let mut skipped = Vec::new();

    let period_end = match period {
        Period::Days(n) => {
            let end = add_days(start, u64::from(n))?;
            steps.push(Step::EndOfPeriodDays {
                days: n,
                end,
                basis: LegalBasis::Bgb188Abs1,
            });
            end
        }
        Period::Weeks(n) => {
            let end = add_days(start, u64::from(n) * 7)?;
            steps.push(Step::EndOfPeriodWeeks {
                weeks: n,
                end,
                basis: LegalBasis::Bgb188Abs2,
            });
            end
        }
        Period::Months(n) => {
            // chrono already falls back to the month's last day, which is exactly §188(3).
            let end = start
                .checked_add_months(Months::new(n))
                .ok_or(DeadlineError::OutOfRange)?;
            steps.push(if end.day() == start.day() {
                Step::MonthEnd {
                    months: n,
                    end,
                    basis: LegalBasis::Bgb188Abs2,
                }
            } else {
                Step::ShortMonth {
                    months: n,
                    missing_day: start.day(),
                    end,
                    basis: LegalBasis::Bgb188Abs3,
                }
            });
            end
        }
        Period::WorkingDays(n) => {
            let mut day = start;
            let mut counted = 0;
            let mut passed_over = 0;
            while counted < n {
                day = next_day(day).ok_or(DeadlineError::OutOfRange)?;
                match skip_reason(state, day) {
                    Some(reason) => {
                        skipped.push(SkippedDay { date: day, reason });
                        passed_over += 1;
                    }
                    None => counted += 1,
                }
            }
            steps.push(Step::WorkingDaysCounted {
                working_days: n,
                days_passed_over: passed_over,
                end: day,
                basis: LegalBasis::WorkingDayRule,
            });
            day
        }
    };

    let (unrolled_end, suspended_days) = add_suspensions(start, period_end, &sorted, &mut steps)?;

    let mut due = unrolled_end;
    while let Some(reason) = skip_reason(state, due) {
        skipped.push(SkippedDay { date: due, reason });
        due = next_day(due).ok_or(DeadlineError::OutOfRange)?;
    }
    if due != unrolled_end {
        steps.push(Step::RolledToWorkingDay {
            from: unrolled_end,
            to: due,
            basis: LegalBasis::Bgb193VwVfG31Abs3,
        });
    }

    Ok(DueDate {
        start,
        period,
        state: calendar.state,
        municipality: calendar.municipality,
        period_end,
        unrolled_end,
        due,
        suspended_days,
        steps,
        skipped,
    })
}

/// When the warning for a deadline due on `due` should go out: `lead` counted backwards.
/// Working days are counted back over working days only; other units are plain subtraction
/// (a warning may well go out on a weekend, it is an e-mail). Never after `due`.
///
/// # Panics
/// Only if the result lies before chrono's calendar; see [`try_warning_date`].
pub fn warning_date(due: NaiveDate, lead: Period, state: impl Into<Calendar>) -> NaiveDate {
    match try_warning_date(due, lead, state) {
        Ok(date) => date,
        Err(e) => panic!("warning date {due} - {lead}: {e}"),
    }
}

/// Like [`warning_date`], but reports a result outside the calendar as an error.
pub fn try_warning_date(
    due: NaiveDate,
    lead: Period,
    state: impl Into<Calendar>,
) -> Result<NaiveDate, DeadlineError> {
    let state: Calendar = state.into();
    let date = match lead {
        Period::WorkingDays(n) => {
            let mut day = due;
            let mut counted = 0;
            while counted < n {
                day = previous_day(day).ok_or(DeadlineError::OutOfRange)?;
                if skip_reason(state, day).is_none() {
                    counted += 1;
                }
            }
            Some(day)
        }
        Period::Days(n) => due.checked_sub_days(Days::new(u64::from(n))),
        Period::Weeks(n) => due.checked_sub_days(Days::new(u64::from(n) * 7)),
        Period::Months(n) => due.checked_sub_months(Months::new(n)),
    }
    .ok_or(DeadlineError::OutOfRange)?;
    Ok(date.min(due))
}

/// When an overdue deadline escalates: `delay` after `due`, by the same forward rules as
/// [`compute`] (including §193 rollover, so escalations never land on a day off).
///
/// # Panics
/// Only if the result lies beyond chrono's calendar; see [`try_escalation_date`].
pub fn escalation_date(due: NaiveDate, delay: Period, state: impl Into<Calendar>) -> NaiveDate {
    compute(due, delay, state).due
}

/// Like [`escalation_date`], but reports a result outside the calendar as an error.
pub fn try_escalation_date(
    due: NaiveDate,
    delay: Period,
    state: impl Into<Calendar>,
) -> Result<NaiveDate, DeadlineError> {
    try_compute(due, delay, state).map(|d| d.due)
}

/// Why `date` is not a working day in `state` (a state or a calendar with the municipal
/// holidays of the authority's seat), or `None` if it is one.
pub fn skip_reason(state: impl Into<Calendar>, date: NaiveDate) -> Option<SkipReason> {
    if let Some(name) = state.into().holiday(date) {
        return Some(SkipReason::Holiday(name));
    }
    match date.weekday() {
        Weekday::Sat => Some(SkipReason::Saturday),
        Weekday::Sun => Some(SkipReason::Sunday),
        _ => None,
    }
}

fn add_days(date: NaiveDate, days: u64) -> Result<NaiveDate, DeadlineError> {
    date.checked_add_days(Days::new(days))
        .ok_or(DeadlineError::OutOfRange)
}

fn sorted_without_overlap(suspensions: &[Suspension]) -> Result<Vec<Suspension>, DeadlineError> {
    let mut sorted = suspensions.to_vec();
    sorted.sort_by_key(|s| (s.from(), s.to()));
    // Touching intervals (one ends the day the next starts) do not share a suspended day.
    if let Some(pair) = sorted.windows(2).find(|w| w[1].from() < w[0].to()) {
        return Err(DeadlineError::OverlappingSuspensions {
            first_from: pair[0].from(),
            first_to: pair[0].to(),
            second_from: pair[1].from(),
            second_to: pair[1].to(),
        });
    }
    Ok(sorted)
}

/// Appends to the period the suspended time that lies inside it.
///
/// The period runs on the days `start + 1 ..= period_end` (§ 187 Abs. 1 BGB). A suspension
/// covers the days `from ..= to`, both included (§ 209 BGB analog: the Hemmung begins with the
/// day its cause arises and ends with the day it falls away), and counts only as far as it lies
/// after `start` and before the period has run out. Every suspended day pushes the end by one,
/// which can pull a later suspension into range. Walking the sorted intervals while spending the
/// period's running days between them finds that end in one pass. A suspension that begins on
/// the period's last day still counts: the period runs out only at the end of that day. Touching
/// intervals (one ends on the day the next starts) share that day, and it counts once.
fn add_suspensions(
    start: NaiveDate,
    period_end: NaiveDate,
    sorted: &[Suspension],
    steps: &mut Vec<Step>,
) -> Result<(NaiveDate, u32), DeadlineError> {
    let mut remaining = (period_end - start).num_days();
    // The last day already accounted for (running or suspended).
    let mut cursor = start;
    let mut total: i64 = 0;
    for s in sorted {
        let first = next_day(cursor).ok_or(DeadlineError::OutOfRange)?;
        let from = s.from().max(first);
        if s.to() < from {
            continue;
        }
        let running = (from - cursor).num_days() - 1;
        if running >= remaining {
            break;
        }
        remaining -= running;
        let days = (s.to() - from).num_days() + 1;
        total += days;
        cursor = s.to();
        let days = u32::try_from(days).map_err(|_| DeadlineError::OutOfRange)?;
        let end = add_days(
            period_end,
            u64::try_from(total).map_err(|_| DeadlineError::OutOfRange)?,
        )?;
        steps.push(Step::SuspensionAdded {
            from: s.from(),
            to: s.to(),
            days,
            end,
            basis: LegalBasis::Bgb209Analog,
        });
    }
    let total_u64 = u64::try_from(total).map_err(|_| DeadlineError::OutOfRange)?;
    let end = add_days(period_end, total_u64)?;
    let total = u32::try_from(total).map_err(|_| DeadlineError::OutOfRange)?;
    Ok((end, total))
}
