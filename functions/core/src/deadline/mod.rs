//! Legal deadline calculator (Fristberechnung) for German administrative procedures: pure date
//! arithmetic under §31 VwVfG with §§187–193 BGB, statewide public holidays, Hemmung, and the
//! Berlin-time/UTC bridge the scheduler needs. No I/O, no clock reads.

mod announcement;
mod calc;
mod calendar;
mod due;
mod error;
mod explain;
mod holidays;
mod instants;
mod local_holidays;
mod municipality;
mod named;
mod names;
mod period;
mod state;
mod suspension;

#[cfg(test)]
mod announcement_tests;
#[cfg(test)]
mod cases;
#[cfg(test)]
mod local_tests;
#[cfg(test)]
mod named_tests;
#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;

pub use announcement::{
    Announced, PostalRule, announced_by_post, announced_by_retrieval, appeal_due, final_on,
    postal_rule, retrieval_window_end,
};
pub use calc::{
    compute, compute_with_suspensions, escalation_date, skip_reason, try_compute,
    try_escalation_date, try_warning_date, warning_date,
};
pub use calendar::Calendar;
pub use due::{DueDate, LegalBasis, SkipReason, SkippedDay, Step};
pub use error::{DeadlineError, PeriodParseError, StateParseError};
pub use explain::explain_de;
pub use holidays::{easter_sunday, holidays_in_year, is_working_day, public_holiday};
pub use instants::{berlin_date, berlin_midnight_utc, berlin_offset_at_instant};
pub use local_holidays::{local_holiday, local_holiday_gap, local_holiday_names};
pub use municipality::{Municipality, MunicipalityParseError};
pub use named::{DateRule, NamedDate, explain_named_de, named_date, rule_basis};
pub use names::{format_date_de, format_date_short_de, month_de, weekday_de};
pub use period::Period;
pub use state::State;
pub use suspension::Suspension;
