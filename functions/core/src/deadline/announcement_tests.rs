//! Golden tests for Bekanntgabe (§ 41 VwVfG) and the appeal deadline (§§ 58, 70, 74 VwGO).

use chrono::NaiveDate;

use super::{
    State, announced_by_post, announced_by_retrieval, appeal_due, final_on, postal_rule,
    retrieval_window_end,
};

fn date(s: &str) -> NaiveDate {
    match NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        Ok(d) => d,
        Err(e) => panic!("bad date {s}: {e}"),
    }
}

/// § 41 Abs. 2a Satz 3 VwVfG: retrieved Friday 06.03.2026 → announced Saturday 07.03.2026
/// (a fiction day, not moved).
#[test]
fn retrieval_announces_on_the_next_day_even_a_saturday() {
    let a = announced_by_retrieval(date("2026-03-06")).expect("in range");
    assert_eq!(a.announced_on, date("2026-03-07"));
    assert!(
        a.explanation_de.contains("§ 41 Abs. 2a Satz 3 VwVfG"),
        "{}",
        a.explanation_de
    );
}

/// § 41 Abs. 2 VwVfG since 01.01.2025: posted Monday 02.03.2026 → fourth day Friday 06.03.2026.
#[test]
fn post_since_2025_announces_on_the_fourth_day() {
    let a = announced_by_post(date("2026-03-02"), State::Berlin).expect("in range");
    assert_eq!(a.announced_on, date("2026-03-06"));
    assert!(a.explanation_de.contains("4. Tag"), "{}", a.explanation_de);
    assert!(
        !a.explanation_de.contains("nicht geprüft"),
        "{}",
        a.explanation_de
    );
}

/// Before 2025 the third day: posted Monday 02.12.2024 → Thursday 05.12.2024.
#[test]
fn post_before_2025_announces_on_the_third_day() {
    let a = announced_by_post(date("2024-12-02"), State::Niedersachsen).expect("in range");
    assert_eq!(a.announced_on, date("2024-12-05"));
    assert_eq!(
        postal_rule(State::Niedersachsen, date("2024-12-31")).day_after_posting,
        3
    );
    assert_eq!(
        postal_rule(State::Niedersachsen, date("2025-01-01")).day_after_posting,
        4
    );
}

/// Posted Wednesday 04.03.2026 → fourth day Sunday 08.03.2026 stays (no § 31 Abs. 3 VwVfG:
/// the fiction is no period end).
#[test]
fn postal_announcement_on_a_sunday_is_not_moved() {
    let a = announced_by_post(date("2026-03-04"), State::Berlin).expect("in range");
    assert_eq!(a.announced_on, date("2026-03-08"));
}

/// A state whose own law is not verified gets the federal rule and a note saying so.
#[test]
fn unverified_state_says_so() {
    let a = announced_by_post(date("2026-03-02"), State::MecklenburgVorpommern).expect("in range");
    assert_eq!(a.announced_on, date("2026-03-06"));
    assert!(
        a.explanation_de.contains("nicht geprüft"),
        "{}",
        a.explanation_de
    );
    assert!(!postal_rule(State::MecklenburgVorpommern, date("2026-03-02")).verified);
}

/// § 70 Abs. 1 VwGO: announced Saturday 07.03.2026 + 1 month = Tuesday 07.04.2026 (after
/// Easter Monday 06.04., a working day itself); final on 08.04.2026.
#[test]
fn appeal_period_is_one_month_from_the_announcement() {
    let (due, text) =
        appeal_due(date("2026-03-07"), true, State::MecklenburgVorpommern).expect("in range");
    assert_eq!(due.due, date("2026-04-07"));
    assert_eq!(final_on(due.due), Some(date("2026-04-08")));
    assert!(text.contains("§ 70 Abs. 1, § 74 Abs. 1 VwGO"), "{text}");
}

/// § 58 Abs. 2 VwGO: without a Rechtsbehelfsbelehrung one year: 07.03.2026 → Sunday
/// 07.03.2027 → Monday 08.03.2027 is Internationaler Frauentag in Mecklenburg-Vorpommern
/// → Tuesday 09.03.2027 (§ 193 BGB).
#[test]
fn appeal_period_without_instructions_is_one_year() {
    let (due, text) =
        appeal_due(date("2026-03-07"), false, State::MecklenburgVorpommern).expect("in range");
    assert_eq!(due.due, date("2027-03-09"));
    assert!(text.contains("§ 58 Abs. 2 VwGO"), "{text}");
}

/// An announcement on 31.01. gives an appeal end on the last day of February (§ 188 Abs. 3 BGB):
/// 31.01.2026 + 1M = Saturday 28.02.2026 → Monday 02.03.2026.
#[test]
fn appeal_period_from_the_31st_ends_with_february() {
    let (due, _) =
        appeal_due(date("2026-01-31"), true, State::MecklenburgVorpommern).expect("in range");
    assert_eq!(due.due, date("2026-03-02"));
}

/// § 41 Abs. 2a Satz 4 VwVfG: sent Monday 02.03.2026, ten days → Thursday 12.03.2026.
#[test]
fn retrieval_window_is_ten_days() {
    assert_eq!(
        retrieval_window_end(date("2026-03-02"), State::MecklenburgVorpommern).due,
        date("2026-03-12")
    );
}
