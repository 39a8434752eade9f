//! Bekanntgabe and Rechtsbehelfsfrist: when a decision counts as announced (§ 41 VwVfG and the
//! states' equivalents) and until when it can be challenged (§§ 58, 70, 74 VwGO). Pure dates.
//!
//! POSTAL ANNOUNCEMENT BY STATE (§ 41 Abs. 2 Satz 1 VwVfG and the state laws; as of 2026-12-01).
//! The federal rule moved from the third to the fourth day after posting on 1 January 2025
//! (Postrechtsmodernisierungsgesetz, BGBl. 2024 I Nr. 236). States whose law refers to the
//! federal VwVfG follow it; states with their own full text had to amend it.
//!
//! | state | rule | source |
//! |---|---|---|
//! | BE, BB, HB, NI, RP | federal rule (reference law): 3rd day, 4th from 01.01.2025 | weka.de, "Aus drei mach vier – längere Postlaufzeiten" (the federal change "gilt auch für Berlin, Brandenburg, Bremen, Niedersachsen, Nordrhein-Westfalen, Rheinland-Pfalz, …") |
//! | NW | § 41 Abs. 2 VwVfG NRW: 3rd day, 4th from 01.01.2025 | Städte- und Gemeindebund NRW, Mitteilung 784/2024 (December 2024) |
//! | all others (BW, BY, HH, HE, MV, SL, SN, ST, SH, TH) | NOT VERIFIED here: fallwerk assumes the federal rule (4th day from 01.01.2025), the later and so the safer day for the applicant, and says so in the explanation | — |
//!
//! The announcement day is a fiction, not the end of a period: § 31 Abs. 3 VwVfG does not move
//! it off a weekend or holiday (it is a "Termin"); the appeal period that starts from it does
//! move (§ 57 Abs. 2 VwGO, § 222 Abs. 2 ZPO).

use chrono::{Days, Months, NaiveDate};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::calc::compute;
use super::calendar::Calendar;
use super::due::DueDate;
use super::error::DeadlineError;
use super::explain::explain_de;
use super::names::format_date_de;
use super::period::Period;
use super::state::State;

/// The postal announcement rule in force for a state on a posting day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct PostalRule {
    /// The decision counts as announced on this day after posting.
    pub day_after_posting: u32,
    /// Since when this rule applies (`None`: since before fallwerk's range).
    pub effective_from: Option<NaiveDate>,
    /// Citation of the rule.
    pub source: &'static str,
    /// Whether the state's own law was checked; if not, the federal rule is assumed.
    pub verified: bool,
}

const FEDERAL_NEW: &str = "§ 41 Abs. 2 Satz 1 VwVfG i. d. F. des Postrechtsmodernisierungsgesetzes (BGBl. 2024 I Nr. 236), ab 01.01.2025";
const FEDERAL_OLD: &str = "§ 41 Abs. 2 Satz 1 VwVfG a. F. (bis 31.12.2024)";

fn federal_change() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 1, 1).unwrap_or_default()
}

/// The rule for a decision posted on `posted_on` by an authority in `state`.
pub fn postal_rule(state: State, posted_on: NaiveDate) -> PostalRule {
    use State::*;
    let verified = matches!(
        state,
        Berlin | Brandenburg | Bremen | Niedersachsen | RheinlandPfalz | NordrheinWestfalen
    );
    let (source_new, source_old) = match state {
        NordrheinWestfalen => (
            "§ 41 Abs. 2 Satz 1 VwVfG NRW, ab 01.01.2025",
            "§ 41 Abs. 2 Satz 1 VwVfG NRW a. F. (bis 31.12.2024)",
        ),
        _ => (FEDERAL_NEW, FEDERAL_OLD),
    };
    if posted_on >= federal_change() {
        PostalRule {
            day_after_posting: 4,
            effective_from: Some(federal_change()),
            source: source_new,
            verified,
        }
    } else {
        PostalRule {
            day_after_posting: 3,
            effective_from: None,
            source: source_old,
            verified,
        }
    }
}

/// An announcement day with its German explanation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Announced {
    pub announced_on: NaiveDate,
    pub explanation_de: String,
}

/// § 41 Abs. 2a Satz 3 VwVfG: retrieved from the postbox → announced the day after.
pub fn announced_by_retrieval(retrieved_on: NaiveDate) -> Result<Announced, DeadlineError> {
    let announced_on = retrieved_on
        .checked_add_days(Days::new(1))
        .ok_or(DeadlineError::OutOfRange)?;
    Ok(Announced {
        announced_on,
        explanation_de: format!(
            "Der Bescheid wurde am {} aus dem Postfach abgerufen; er gilt am Tag nach dem Abruf als bekannt gegeben: {}. [§ 41 Abs. 2a Satz 3 VwVfG]",
            format_date_de(retrieved_on),
            format_date_de(announced_on)
        ),
    })
}

/// § 41 Abs. 2 VwVfG (and the state's law): posted → announced on the rule's day after posting.
pub fn announced_by_post(posted_on: NaiveDate, state: State) -> Result<Announced, DeadlineError> {
    let rule = postal_rule(state, posted_on);
    let announced_on = posted_on
        .checked_add_days(Days::new(u64::from(rule.day_after_posting)))
        .ok_or(DeadlineError::OutOfRange)?;
    let mut explanation_de = format!(
        "Der Bescheid wurde am {} zur Post gegeben; er gilt am {}. Tag nach der Aufgabe zur Post als bekannt gegeben: {}. Dieser Tag ist kein Fristende und wird nicht auf einen Werktag verschoben. [{}]",
        format_date_de(posted_on),
        rule.day_after_posting,
        format_date_de(announced_on),
        rule.source
    );
    if !rule.verified {
        explanation_de.push_str(&format!(
            " Hinweis: Das Verwaltungsverfahrensgesetz des Landes {} ist in fallwerk nicht geprüft; angenommen ist die Regel des Bundes.",
            state.name_de()
        ));
    }
    Ok(Announced {
        announced_on,
        explanation_de,
    })
}

/// The appeal period: one month from the announcement, one year without a
/// Rechtsbehelfsbelehrung (§ 58 Abs. 2 VwGO); moved off weekends and holidays.
pub fn appeal_due(
    announced_on: NaiveDate,
    with_instructions: bool,
    calendar: impl Into<Calendar>,
) -> Result<(DueDate, String), DeadlineError> {
    let period = if with_instructions {
        Period::Months(1)
    } else {
        Period::Months(12)
    };
    // Guard the calendar edge before `compute`, which panics only beyond it.
    announced_on
        .checked_add_months(Months::new(13))
        .ok_or(DeadlineError::OutOfRange)?;
    let due = compute(announced_on, period, calendar);
    let head = if with_instructions {
        "Rechtsbehelfsfrist (Widerspruch oder Klage): 1 Monat ab Bekanntgabe [§ 70 Abs. 1, § 74 Abs. 1 VwGO; Berechnung § 57 Abs. 2 VwGO, § 222 ZPO, §§ 187–193 BGB]"
    } else {
        "Rechtsbehelfsfrist: 1 Jahr ab Bekanntgabe, weil der Bescheid keine Rechtsbehelfsbelehrung enthält [§ 58 Abs. 2 VwGO; Berechnung § 57 Abs. 2 VwGO, § 222 ZPO, §§ 187–193 BGB]"
    };
    let text = format!("{head}\n{}", explain_de(&due));
    Ok((due, text))
}

/// The day the decision becomes final (bestandskräftig) when no appeal came in time.
pub fn final_on(appeal_due: NaiveDate) -> Option<NaiveDate> {
    appeal_due.succ_opt()
}

/// § 41 Abs. 2a Satz 4 VwVfG: ten days after the notice of provision the provision ends.
pub fn retrieval_window_end(sent_on: NaiveDate, calendar: impl Into<Calendar>) -> DueDate {
    compute(sent_on, Period::Days(10), calendar)
}
