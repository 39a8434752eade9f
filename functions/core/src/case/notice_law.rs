//! The legal sentences the applicant's notices carry about dates (§ 31 Abs. 3 and 5 VwVfG):
//! a fixed end date only binds when the notice states it with reference to the rule.

use chrono::NaiveDate;

#[cfg(test)]
use crate::deadline::State;
use crate::deadline::{self, Calendar, DateRule};

/// The sentence appended to a document request after "bis zum {reply_by}" (with a leading
/// space), or an empty string when nothing needs saying (a period end on a working day).
pub(crate) fn reply_by_note_de(
    reply_by: NaiveDate,
    rule: DateRule,
    state: impl Into<Calendar>,
) -> String {
    match rule {
        DateRule::PeriodEnd => match deadline::named_date(reply_by, rule, state) {
            Ok(named) if named.due != reply_by => format!(
                " Da dieser Tag kein Werktag ist, endet die Frist mit Ablauf des {} \
                 (§ 31 Abs. 3 Satz 1 VwVfG).",
                deadline::format_date_short_de(named.due)
            ),
            _ => String::new(),
        },
        DateRule::FixedEnd => " Dieser Tag ist das Ende der Frist im Sinne von § 31 Abs. 3 \
             Satz 2 VwVfG: Es wird nicht verschoben, auch wenn es auf einen Samstag, Sonntag \
             oder gesetzlichen Feiertag fällt."
            .to_owned(),
        DateRule::Appointment => " Dieser Termin ist nach § 31 Abs. 5 VwVfG einzuhalten, auch \
             wenn er auf einen Samstag, Sonntag oder gesetzlichen Feiertag fällt."
            .to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
    }

    /// § 31 Abs. 3 Satz 2 VwVfG binds only when the notice names the rule: the text must.
    #[test]
    fn fixed_end_notice_cites_satz_2() {
        let note = reply_by_note_de(date("2026-04-04"), DateRule::FixedEnd, State::default());
        assert!(note.contains("§ 31 Abs. 3 Satz 2 VwVfG"), "{note}");
    }

    /// A period end on Saturday 04.04.2026 is told as Tuesday 07.04.2026 (after Ostermontag).
    #[test]
    fn period_end_on_a_saturday_tells_the_real_last_day() {
        let note = reply_by_note_de(date("2026-04-04"), DateRule::PeriodEnd, State::default());
        assert!(note.contains("07.04.2026"), "{note}");
        assert!(note.contains("§ 31 Abs. 3 Satz 1 VwVfG"), "{note}");
        assert_eq!(
            reply_by_note_de(date("2026-04-08"), DateRule::PeriodEnd, State::default()),
            ""
        );
    }

    #[test]
    fn appointment_notice_cites_abs_5() {
        let note = reply_by_note_de(date("2026-04-05"), DateRule::Appointment, State::default());
        assert!(note.contains("§ 31 Abs. 5 VwVfG"), "{note}");
    }
}
