//! Golden tests for dates the authority names itself (§ 31 Abs. 3 and 5 VwVfG).

use chrono::NaiveDate;

use super::{DateRule, LegalBasis, State, explain_named_de, named_date, rule_basis};

fn date(s: &str) -> NaiveDate {
    match NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        Ok(d) => d,
        Err(e) => panic!("bad date {s}: {e}"),
    }
}

fn due(stated: &str, rule: DateRule) -> NaiveDate {
    match named_date(date(stated), rule, State::MecklenburgVorpommern) {
        Ok(n) => n.due,
        Err(e) => panic!("{stated}: {e}"),
    }
}

/// § 31 Abs. 3 Satz 1 VwVfG: an end date the authority set without the Satz 2 reference moves
/// like any period end: Saturday 04.04.2026 → Sunday → Ostermontag 06.04. → Tuesday 07.04.2026.
#[test]
fn period_end_on_easter_saturday_moves_to_tuesday_after_easter_monday() {
    assert_eq!(due("2026-04-04", DateRule::PeriodEnd), date("2026-04-07"));
}

/// § 31 Abs. 3 Satz 2 VwVfG: the same Saturday told as a specific end day with reference to the
/// rule stays the last day.
#[test]
fn fixed_end_on_a_saturday_is_not_moved() {
    assert_eq!(due("2026-04-04", DateRule::FixedEnd), date("2026-04-04"));
}

/// § 31 Abs. 3 Satz 2 VwVfG also keeps a fixed end on a holiday (Karfreitag 03.04.2026).
#[test]
fn fixed_end_on_good_friday_is_not_moved() {
    assert_eq!(due("2026-04-03", DateRule::FixedEnd), date("2026-04-03"));
}

/// § 31 Abs. 5 VwVfG: an appointment (Termin) on Easter Sunday 05.04.2026 stands.
#[test]
fn appointment_on_a_sunday_stands() {
    assert_eq!(due("2026-04-05", DateRule::Appointment), date("2026-04-05"));
}

/// On a working day (Wednesday 08.04.2026) the three rules agree.
#[test]
fn on_a_working_day_all_rules_agree() {
    for rule in [
        DateRule::PeriodEnd,
        DateRule::FixedEnd,
        DateRule::Appointment,
    ] {
        assert_eq!(due("2026-04-08", rule), date("2026-04-08"), "{rule:?}");
    }
}

#[test]
fn each_rule_names_its_basis_and_the_wire_names_are_stable() {
    assert_eq!(
        rule_basis(DateRule::PeriodEnd),
        LegalBasis::VwVfG31Abs3Satz1
    );
    assert_eq!(rule_basis(DateRule::FixedEnd), LegalBasis::VwVfG31Abs3Satz2);
    assert_eq!(rule_basis(DateRule::Appointment), LegalBasis::VwVfG31Abs5);
    assert_eq!(DateRule::default(), DateRule::PeriodEnd);
    let wire: Vec<String> = [
        DateRule::PeriodEnd,
        DateRule::FixedEnd,
        DateRule::Appointment,
    ]
    .iter()
    .filter_map(|r| serde_json::to_string(r).ok())
    .collect();
    assert_eq!(wire, ["\"period_end\"", "\"fixed_end\"", "\"appointment\""]);
}

#[test]
fn explain_named_de_golden_fixed_end_says_why_it_is_not_moved() {
    let Ok(named) = named_date(
        date("2026-04-04"),
        DateRule::FixedEnd,
        State::MecklenburgVorpommern,
    ) else {
        panic!("valid date rejected");
    };
    let expected = "\
Die Behörde hat unter Hinweis auf § 31 Abs. 3 Satz 2 VwVfG Samstag, 4. April 2026 als bestimmten Tag des Fristendes mitgeteilt. Obwohl er auf einen Samstag fällt, wird er nicht auf den nächsten Werktag verschoben. [§ 31 Abs. 3 Satz 2 VwVfG]
Fristende: Samstag, 4. April 2026";
    assert_eq!(explain_named_de(&named), expected);
}

#[test]
fn explain_named_de_golden_period_end_lists_the_days_passed_over() {
    let Ok(named) = named_date(
        date("2026-04-04"),
        DateRule::PeriodEnd,
        State::MecklenburgVorpommern,
    ) else {
        panic!("valid date rejected");
    };
    let expected = "\
Die Behörde hat als Fristende Samstag, 4. April 2026 genannt. Der Tag fällt auf einen Samstag; die Frist endet daher mit Ablauf des nächsten Werktags: Dienstag, 7. April 2026. [§ 31 Abs. 3 Satz 1 VwVfG]
Übersprungene Tage:
  - Samstag, 4. April 2026: Wochenende
  - Sonntag, 5. April 2026: Wochenende
  - Montag, 6. April 2026: gesetzlicher Feiertag (Ostermontag)
Fristende: Dienstag, 7. April 2026";
    assert_eq!(explain_named_de(&named), expected);
}

#[test]
fn explain_named_de_golden_appointment_on_a_holiday() {
    let Ok(named) = named_date(
        date("2026-04-03"),
        DateRule::Appointment,
        State::MecklenburgVorpommern,
    ) else {
        panic!("valid date rejected");
    };
    let expected = "\
Die Behörde hat einen Termin am Freitag, 3. April 2026 gesetzt. Er ist einzuhalten, auch wenn er auf einen gesetzlichen Feiertag (Karfreitag) fällt. [§ 31 Abs. 5 VwVfG]
Fristende: Freitag, 3. April 2026";
    assert_eq!(explain_named_de(&named), expected);
}
