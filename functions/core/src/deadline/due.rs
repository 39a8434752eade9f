//! The result of a deadline computation: the date plus the audit trail of how it was reached.

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::calendar::Calendar;
use super::municipality::Municipality;
use super::period::Period;
use super::state::State;

/// A computed deadline with every rule that shaped it, so that it can be explained and audited.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct DueDate {
    /// Day of the triggering event (not counted itself).
    pub start: NaiveDate,
    pub period: Period,
    /// State whose public holidays apply.
    pub state: State,
    /// Municipality (AGS) whose municipal holidays apply as well, if the org unit has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub municipality: Option<Municipality>,
    /// End of the bare period, before suspensions and §193 rollover.
    pub period_end: NaiveDate,
    /// End after adding suspended days, before §193 rollover.
    pub unrolled_end: NaiveDate,
    /// The last day on which the deadline is met.
    pub due: NaiveDate,
    /// Days added because the clock was suspended.
    pub suspended_days: u32,
    /// The rules applied, in order.
    pub steps: Vec<Step>,
    /// Days passed over while counting working days or rolling to the next working day.
    pub skipped: Vec<SkippedDay>,
}

impl DueDate {
    /// The holiday calendar the date was computed with.
    pub fn calendar(&self) -> Calendar {
        Calendar::new(self.state, self.municipality)
    }
}

/// The statute behind a step, serialised as its citation so JSON consumers can show it directly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub enum LegalBasis {
    #[serde(rename = "§ 187 Abs. 1 BGB")]
    Bgb187Abs1,
    #[serde(rename = "§ 188 Abs. 1 BGB")]
    Bgb188Abs1,
    #[serde(rename = "§ 188 Abs. 2 BGB")]
    Bgb188Abs2,
    #[serde(rename = "§ 188 Abs. 3 BGB")]
    Bgb188Abs3,
    #[serde(rename = "§ 193 BGB, § 31 Abs. 3 VwVfG")]
    Bgb193VwVfG31Abs3,
    #[serde(rename = "§ 209 BGB analog")]
    Bgb209Analog,
    /// Working-day periods come from the service's own rules, not from the BGB.
    #[serde(rename = "Arbeitstagefrist nach Leistungsregel")]
    WorkingDayRule,
    /// An end date named by the authority moves off a weekend or holiday.
    #[serde(rename = "§ 31 Abs. 3 Satz 1 VwVfG")]
    VwVfG31Abs3Satz1,
    /// A specific end day told with reference to the rule does not move.
    #[serde(rename = "§ 31 Abs. 3 Satz 2 VwVfG")]
    VwVfG31Abs3Satz2,
    /// A date (Termin) set by the authority stands.
    #[serde(rename = "§ 31 Abs. 5 VwVfG")]
    VwVfG31Abs5,
}

impl LegalBasis {
    /// The citation as written in German legal texts.
    pub const fn citation(self) -> &'static str {
        match self {
            LegalBasis::Bgb187Abs1 => "§ 187 Abs. 1 BGB",
            LegalBasis::Bgb188Abs1 => "§ 188 Abs. 1 BGB",
            LegalBasis::Bgb188Abs2 => "§ 188 Abs. 2 BGB",
            LegalBasis::Bgb188Abs3 => "§ 188 Abs. 3 BGB",
            LegalBasis::Bgb193VwVfG31Abs3 => "§ 193 BGB, § 31 Abs. 3 VwVfG",
            LegalBasis::Bgb209Analog => "§ 209 BGB analog",
            LegalBasis::WorkingDayRule => "Arbeitstagefrist nach Leistungsregel",
            LegalBasis::VwVfG31Abs3Satz1 => "§ 31 Abs. 3 Satz 1 VwVfG",
            LegalBasis::VwVfG31Abs3Satz2 => "§ 31 Abs. 3 Satz 2 VwVfG",
            LegalBasis::VwVfG31Abs5 => "§ 31 Abs. 5 VwVfG",
        }
    }
}

/// One rule application. The basis is fixed per rule; it is carried as a field so that the
/// serialised trail is self-explanatory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum Step {
    /// The event day itself does not count; counting starts the next day.
    StartDayNotCounted { start: NaiveDate, basis: LegalBasis },
    /// A period in days ends with the expiry of its last day.
    EndOfPeriodDays {
        days: u32,
        end: NaiveDate,
        basis: LegalBasis,
    },
    /// A period in weeks ends on the weekday that bears the name of the start day.
    EndOfPeriodWeeks {
        weeks: u32,
        end: NaiveDate,
        basis: LegalBasis,
    },
    /// A period in months ends on the day with the same number as the start day.
    MonthEnd {
        months: u32,
        end: NaiveDate,
        basis: LegalBasis,
    },
    /// The end month has no day with the start day's number; its last day is taken instead.
    ShortMonth {
        months: u32,
        missing_day: u32,
        end: NaiveDate,
        basis: LegalBasis,
    },
    /// Working days after the start were counted, passing over weekends and holidays.
    WorkingDaysCounted {
        working_days: u32,
        days_passed_over: u32,
        end: NaiveDate,
        basis: LegalBasis,
    },
    /// The part of a suspension that fell into the running period was appended to it.
    SuspensionAdded {
        from: NaiveDate,
        to: NaiveDate,
        days: u32,
        end: NaiveDate,
        basis: LegalBasis,
    },
    /// The end fell on a Saturday, Sunday or public holiday and moved to the next working day.
    RolledToWorkingDay {
        from: NaiveDate,
        to: NaiveDate,
        basis: LegalBasis,
    },
}

impl Step {
    pub fn basis(&self) -> LegalBasis {
        match self {
            Step::StartDayNotCounted { basis, .. }
            | Step::EndOfPeriodDays { basis, .. }
            | Step::EndOfPeriodWeeks { basis, .. }
            | Step::MonthEnd { basis, .. }
            | Step::ShortMonth { basis, .. }
            | Step::WorkingDaysCounted { basis, .. }
            | Step::SuspensionAdded { basis, .. }
            | Step::RolledToWorkingDay { basis, .. } => *basis,
        }
    }
}

/// A day that was passed over, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SkippedDay {
    pub date: NaiveDate,
    pub reason: SkipReason,
}

/// Why a day is not a working day. A holiday on a weekend is reported as the holiday, because
/// the name says more than the weekday (which follows from the date anyway).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", content = "name", rename_all = "snake_case")]
pub enum SkipReason {
    Saturday,
    Sunday,
    Holiday(String),
}
