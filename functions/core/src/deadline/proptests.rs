//! Property tests: invariants that must hold for every start date, period and state.

use chrono::{Days, NaiveDate};
use proptest::prelude::*;

use super::*;

fn any_date() -> impl Strategy<Value = NaiveDate> {
    // 1990..2100 covers every realistic case date and several leap-year cycles.
    (0u64..40_177).prop_map(|offset| {
        NaiveDate::from_ymd_opt(1990, 1, 1)
            .and_then(|d| d.checked_add_days(Days::new(offset)))
            .unwrap_or(NaiveDate::MIN)
    })
}

fn any_state() -> impl Strategy<Value = State> {
    (0usize..16).prop_map(|i| State::ALL[i])
}

fn any_period() -> impl Strategy<Value = Period> {
    prop_oneof![
        (1u32..=400).prop_map(Period::WorkingDays),
        (1u32..=1000).prop_map(Period::Days),
        (1u32..=150).prop_map(Period::Weeks),
        (1u32..=120).prop_map(Period::Months),
    ]
}

fn any_suspensions() -> impl Strategy<Value = Vec<(i64, i64)>> {
    prop::collection::vec((-30i64..400, 0i64..60), 0..5)
}

proptest! {
    #[test]
    fn due_not_before_unrolled_end_not_before_start(
        start in any_date(), period in any_period(), state in any_state()
    ) {
        let due = compute(start, period, state);
        prop_assert!(due.unrolled_end >= start);
        prop_assert!(due.due >= due.unrolled_end);
        prop_assert_eq!(due.unrolled_end, due.period_end);
    }

    #[test]
    fn due_is_a_working_day(start in any_date(), period in any_period(), state in any_state()) {
        let due = compute(start, period, state);
        prop_assert!(is_working_day(state, due.due), "{} is no working day", due.due);
        // Every day between the rolled end and the due date was skipped for a reason.
        for skipped in &due.skipped {
            prop_assert!(!is_working_day(state, skipped.date));
        }
    }

    #[test]
    fn days_are_monotone(start in any_date(), n in 1u32..2000, state in any_state()) {
        let shorter = compute(start, Period::Days(n), state).due;
        let longer = compute(start, Period::Days(n + 1), state).due;
        prop_assert!(shorter <= longer);
    }

    #[test]
    fn months_and_working_days_are_monotone(start in any_date(), n in 1u32..200, state in any_state()) {
        prop_assert!(
            compute(start, Period::Months(n), state).due
                <= compute(start, Period::Months(n + 1), state).due
        );
        prop_assert!(
            compute(start, Period::WorkingDays(n), state).due
                < compute(start, Period::WorkingDays(n + 1), state).due
        );
    }

    #[test]
    fn weeks_end_on_the_start_weekday(start in any_date(), n in 1u32..500, state in any_state()) {
        use chrono::Datelike;
        let due = compute(start, Period::Weeks(n), state);
        prop_assert_eq!(due.period_end.weekday(), start.weekday());
    }

    #[test]
    fn working_days_count_exactly_n(start in any_date(), n in 1u32..100, state in any_state()) {
        let due = compute(start, Period::WorkingDays(n), state);
        let counted = start
            .iter_days()
            .skip(1)
            .take_while(|d| *d <= due.due)
            .filter(|d| is_working_day(state, *d))
            .count();
        prop_assert_eq!(counted, n as usize);
    }

    #[test]
    fn suspensions_only_extend(
        start in any_date(), period in any_period(), state in any_state(),
        raw in any_suspensions()
    ) {
        // Lay the raw intervals out one after another so they never overlap.
        let mut cursor = start.checked_sub_days(Days::new(30)).unwrap_or(start);
        let mut suspensions = Vec::new();
        let mut total_len = 0;
        for (gap, len) in raw {
            let from = cursor.checked_add_days(Days::new(gap.unsigned_abs())).unwrap_or(cursor);
            let to = from.checked_add_days(Days::new(len.unsigned_abs())).unwrap_or(from);
            if let Ok(s) = Suspension::new(from, to) {
                total_len += s.days();
                suspensions.push(s);
            }
            cursor = to;
        }
        let plain = compute(start, period, state);
        let result = compute_with_suspensions(start, period, state, &suspensions);
        prop_assert!(result.is_ok(), "{result:?}");
        if let Ok(hemmed) = result {
            prop_assert!(hemmed.due >= plain.due);
            prop_assert!(i64::from(hemmed.suspended_days) <= total_len);
            prop_assert_eq!(
                hemmed.unrolled_end,
                plain.unrolled_end + chrono::TimeDelta::days(i64::from(hemmed.suspended_days))
            );
            prop_assert!(is_working_day(state, hemmed.due));
        }
    }

    #[test]
    fn warning_never_after_due(due in any_date(), lead in any_period(), state in any_state()) {
        prop_assert!(warning_date(due, lead, state) <= due);
    }

    #[test]
    fn escalation_never_before_due(due in any_date(), delay in any_period(), state in any_state()) {
        prop_assert!(escalation_date(due, delay, state) > due);
    }

    #[test]
    fn period_display_parse_round_trip(period in any_period()) {
        prop_assert_eq!(period.to_string().parse::<Period>(), Ok(period));
        prop_assert_eq!(period.to_string().to_lowercase().parse::<Period>(), Ok(period));
    }

    #[test]
    fn period_parse_never_panics(text in "\\PC{0,12}") {
        let _ = text.parse::<Period>();
        let _ = text.parse::<State>();
    }
}
