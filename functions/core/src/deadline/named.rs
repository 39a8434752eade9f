//! A date the authority names itself (an end date in a request, an appointment) instead of a
//! period to count: whether it moves off a weekend or holiday depends on how it was stated
//! (§ 31 Abs. 3 and 5 VwVfG).

use std::fmt::Write as _;

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::calc::skip_reason;
use super::calendar::Calendar;
use super::due::{LegalBasis, SkipReason, SkippedDay};
use super::error::DeadlineError;
use super::holidays::next_day;
use super::municipality::Municipality;
use super::names::format_date_de;
use super::state::State;

pub use fallwerk_events::DateRule;

/// The statute that decides whether a date stated under `rule` moves.
pub const fn rule_basis(rule: DateRule) -> LegalBasis {
    match rule {
        DateRule::PeriodEnd => LegalBasis::VwVfG31Abs3Satz1,
        DateRule::FixedEnd => LegalBasis::VwVfG31Abs3Satz2,
        DateRule::Appointment => LegalBasis::VwVfG31Abs5,
    }
}

/// A named date and the last day on which it is met.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct NamedDate {
    /// The day the authority stated.
    pub stated: NaiveDate,
    pub rule: DateRule,
    /// State whose public holidays apply.
    pub state: State,
    /// Municipality whose municipal holidays apply as well.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub municipality: Option<Municipality>,
    /// The last day on which the date is met (`stated`, or the next working day after it).
    pub due: NaiveDate,
    /// Days passed over when a period end was moved to the next working day.
    pub skipped: Vec<SkippedDay>,
    pub basis: LegalBasis,
}

/// Applies `rule` to the `stated` day in `state`.
pub fn named_date(
    stated: NaiveDate,
    rule: DateRule,
    state: impl Into<Calendar>,
) -> Result<NamedDate, DeadlineError> {
    let calendar: Calendar = state.into();
    let mut due = stated;
    let mut skipped = Vec::new();
    if rule == DateRule::PeriodEnd {
        while let Some(reason) = skip_reason(calendar, due) {
            skipped.push(SkippedDay { date: due, reason });
            due = next_day(due).ok_or(DeadlineError::OutOfRange)?;
        }
    }
    Ok(NamedDate {
        stated,
        rule,
        state: calendar.state,
        municipality: calendar.municipality,
        due,
        skipped,
        basis: rule_basis(rule),
    })
}

/// German explanation of a named date, with its legal basis, for caseworkers and the audit trail.
pub fn explain_named_de(named: &NamedDate) -> String {
    let mut out = String::new();
    let day = format_date_de(named.stated);
    let free_day = skip_reason(Calendar::new(named.state, named.municipality), named.stated).map(
        |r| match r {
            SkipReason::Saturday => "einen Samstag".to_owned(),
            SkipReason::Sunday => "einen Sonntag".to_owned(),
            SkipReason::Holiday(name) => format!("einen gesetzlichen Feiertag ({name})"),
        },
    );
    let basis = named.basis.citation();
    // Writing into a String cannot fail, so the results are ignored on purpose.
    let _ = match (named.rule, free_day) {
        (DateRule::PeriodEnd, None) => writeln!(
            out,
            "Die Behörde hat als Fristende {day} genannt; das ist ein Werktag. [{basis}]"
        ),
        (DateRule::PeriodEnd, Some(why)) => writeln!(
            out,
            "Die Behörde hat als Fristende {day} genannt. Der Tag fällt auf {why}; die Frist endet daher mit Ablauf des nächsten Werktags: {}. [{basis}]",
            format_date_de(named.due)
        ),
        (DateRule::FixedEnd, None) => writeln!(
            out,
            "Die Behörde hat unter Hinweis auf § 31 Abs. 3 Satz 2 VwVfG {day} als bestimmten Tag des Fristendes mitgeteilt; er wird nicht verschoben. [{basis}]"
        ),
        (DateRule::FixedEnd, Some(why)) => writeln!(
            out,
            "Die Behörde hat unter Hinweis auf § 31 Abs. 3 Satz 2 VwVfG {day} als bestimmten Tag des Fristendes mitgeteilt. Obwohl er auf {why} fällt, wird er nicht auf den nächsten Werktag verschoben. [{basis}]"
        ),
        (DateRule::Appointment, None) => writeln!(
            out,
            "Die Behörde hat einen Termin am {day} gesetzt; er ist einzuhalten. [{basis}]"
        ),
        (DateRule::Appointment, Some(why)) => writeln!(
            out,
            "Die Behörde hat einen Termin am {day} gesetzt. Er ist einzuhalten, auch wenn er auf {why} fällt. [{basis}]"
        ),
    };
    if !named.skipped.is_empty() {
        let _ = writeln!(out, "Übersprungene Tage:");
        for d in &named.skipped {
            let why = match &d.reason {
                SkipReason::Saturday | SkipReason::Sunday => "Wochenende".to_owned(),
                SkipReason::Holiday(name) => format!("gesetzlicher Feiertag ({name})"),
            };
            let _ = writeln!(out, "  - {}: {why}", format_date_de(d.date));
        }
    }
    let _ = write!(out, "Fristende: {}", format_date_de(named.due));
    out
}
