//! German plain-text explanation of a computed deadline, for caseworkers and the audit trail.

use std::fmt::Write as _;

use chrono::Datelike;

use super::calc::skip_reason;
use super::calendar::Calendar;
use super::due::{DueDate, SkipReason, Step};
use super::local_holidays::{local_holiday_gap, local_holiday_names};
use super::names::{format_date_de, month_de};

/// A multi-line German explanation: start, length, every rule with its legal basis, the days
/// passed over with their reasons, and the resulting end of the period.
pub fn explain_de(due: &DueDate) -> String {
    let mut out = String::new();
    // Writing into a String cannot fail, so the results are ignored on purpose.
    let _ = writeln!(
        out,
        "Fristbeginn: Ereignis am {}",
        format_date_de(due.start)
    );
    let _ = writeln!(out, "Dauer: {}", due.period.describe_de());
    let _ = writeln!(out, "Feiertagsregelung: {}", holiday_rule_de(due));
    let _ = writeln!(out, "Berechnung:");
    for (i, step) in due.steps.iter().enumerate() {
        let _ = writeln!(
            out,
            "  {}. {} [{}]",
            i + 1,
            describe_step(step, due.calendar()),
            step.basis().citation()
        );
    }
    if !due.skipped.is_empty() {
        let _ = writeln!(out, "Übersprungene Tage:");
        for day in &due.skipped {
            let _ = writeln!(
                out,
                "  - {}: {}",
                format_date_de(day.date),
                describe_reason(&day.reason)
            );
        }
    }
    let _ = write!(out, "Fristende: {}", format_date_de(due.due));
    out
}

fn describe_step(step: &Step, state: Calendar) -> String {
    match step {
        Step::StartDayNotCounted { start, .. } => format!(
            "Der Tag des Ereignisses ({}) wird nicht mitgerechnet; die Frist beginnt am Folgetag.",
            format_date_de(*start)
        ),
        Step::EndOfPeriodDays { days, end, .. } => format!(
            "Eine Frist von {} endet mit Ablauf des letzten Tages: {}.",
            plural(*days, "Tag", "Tagen"),
            format_date_de(*end)
        ),
        Step::EndOfPeriodWeeks { weeks, end, .. } => format!(
            "Eine Frist von {} endet am Wochentag, der dem Tag des Ereignisses entspricht: {}.",
            plural(*weeks, "Woche", "Wochen"),
            format_date_de(*end)
        ),
        Step::MonthEnd { months, end, .. } => format!(
            "Eine Frist von {} endet am Tag mit derselben Zahl wie der Tag des Ereignisses: {}.",
            plural(*months, "Monat", "Monaten"),
            format_date_de(*end)
        ),
        Step::ShortMonth {
            months,
            missing_day,
            end,
            ..
        } => format!(
            "Eine Frist von {} endet am Tag mit derselben Zahl; der {} {} hat keinen {}. Tag, daher endet sie am letzten Tag des Monats: {}.",
            plural(*months, "Monat", "Monaten"),
            month_de(end.month()),
            end.year(),
            missing_day,
            format_date_de(*end)
        ),
        Step::WorkingDaysCounted {
            working_days,
            days_passed_over,
            end,
            ..
        } => format!(
            "Gezählt werden {} nach dem Ereignis; übersprungen: {} (Wochenenden und Feiertage). Der letzte Arbeitstag ist {}.",
            plural(*working_days, "Arbeitstag", "Arbeitstage"),
            plural(*days_passed_over, "Tag", "Tage"),
            format_date_de(*end)
        ),
        Step::SuspensionAdded {
            from,
            to,
            days,
            end,
            ..
        } => format!(
            "Hemmung vom {} bis {} (Anfangs- und Endtag zählen voll): {} innerhalb der laufenden Frist werden nicht eingerechnet und angehängt; neues Fristende {}.",
            format_date_de(*from),
            format_date_de(*to),
            plural(*days, "Tag", "Tage"),
            format_date_de(*end)
        ),
        Step::RolledToWorkingDay { from, to, .. } => {
            // Recomputed rather than stored, so the step stays small in the serialised trail.
            let why = match skip_reason(state, *from) {
                Some(SkipReason::Saturday) => "einen Samstag".to_owned(),
                Some(SkipReason::Sunday) => "einen Sonntag".to_owned(),
                Some(SkipReason::Holiday(name)) => format!("einen gesetzlichen Feiertag ({name})"),
                None => "einen arbeitsfreien Tag".to_owned(),
            };
            format!(
                "Das rechnerische Fristende ({}) fällt auf {why}; die Frist endet daher mit Ablauf des nächsten Werktags: {}.",
                format_date_de(*from),
                format_date_de(*to)
            )
        }
    }
}

/// "Mecklenburg-Vorpommern", or with a municipality "Bayern, Gemeinde 09761000 (örtliche
/// Feiertage: …; § 193 BGB: Feiertage am Sitz der Behörde)" plus a note where the list has a gap.
fn holiday_rule_de(due: &DueDate) -> String {
    let Some(m) = due.calendar().municipality else {
        return due.state.name_de().to_owned();
    };
    let names = local_holiday_names(m);
    let local = if names.is_empty() {
        "keine örtlichen Feiertage in der mitgelieferten Liste".to_owned()
    } else {
        format!("örtliche Feiertage: {}", names.join(", "))
    };
    let mut out = format!(
        "{}, Gemeinde {m} ({local}; § 193 BGB: Feiertage am Sitz der Behörde)",
        due.state.name_de()
    );
    if let Some(gap) = local_holiday_gap(m) {
        out.push_str(". ");
        out.push_str(&gap);
    }
    out
}

fn describe_reason(reason: &SkipReason) -> String {
    match reason {
        SkipReason::Saturday | SkipReason::Sunday => "Wochenende".to_owned(),
        SkipReason::Holiday(name) => format!("gesetzlicher Feiertag ({name})"),
    }
}

fn plural(n: u32, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}
