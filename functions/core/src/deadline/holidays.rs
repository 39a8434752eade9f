//! Statewide public holidays per German state, computed from our own table (no external data).
//!
//! Covered: the statewide holidays that close authorities for the whole state, with the year
//! each one was introduced or abolished where that falls into the range we care about (1990+).
//!
//! Deliberately NOT covered, because they do not apply to a whole state or cannot move a deadline:
//! - regional or municipal holidays: Augsburger Hohes Friedensfest (8 Aug, city of Augsburg),
//!   Fronleichnam in the Catholic municipalities of Sachsen and Thüringen, Mariä Himmelfahrt in
//!   the predominantly Catholic municipalities of Bayern: they are in `local_holidays.rs`, chosen
//!   by the org unit's municipality key;
//! - Ostersonntag and Pfingstsonntag, which Brandenburg and Hessen list as holidays: they are
//!   Sundays, so §193 BGB already skips them;
//! - 24 and 31 December, which are not public holidays (even if offices close);
//! - one-off holidays other than Berlin's Tag der Befreiung 2020 and 2025 and its 17 June 2028
//!   (75 years after the uprising of 1953), and historic rules before 1990 (17 June as a
//!   national holiday, states that did not yet exist).
//!
//! Municipal holidays live in `local_holidays.rs`. The table is cross-checked for 1991–2100
//! against the PyPI package `holidays` (functions/core/tests/it/holiday_crosscheck.rs).
//!
//! When two holidays share a date (Christi Himmelfahrt on 1 May, as in 2008), one name is
//! returned; it does not matter for deadlines, which only ask "holiday or not".

use chrono::{Datelike, Days, NaiveDate, Weekday};

use super::state::State;

/// Easter Sunday of `year` by the anonymous Gregorian algorithm (Meeus/Jones/Butcher, a
/// correction of Gauss's method that needs no exception table).
///
/// `None` only when the year lies outside chrono's calendar range.
pub fn easter_sunday(year: i32) -> Option<NaiveDate> {
    let a = year.rem_euclid(19);
    let b = year.div_euclid(100);
    let c = year.rem_euclid(100);
    let d = b.div_euclid(4);
    let e = b.rem_euclid(4);
    let f = (b + 8).div_euclid(25);
    let g = (b - f + 1).div_euclid(3);
    let h = (19 * a + b - d - g + 15).rem_euclid(30);
    let i = c.div_euclid(4);
    let k = c.rem_euclid(4);
    let l = (32 + 2 * e + 2 * i - h - k).rem_euclid(7);
    let m = (a + 11 * h + 22 * l).div_euclid(451);
    let n = h + l - 7 * m + 114;
    let month = u32::try_from(n.div_euclid(31)).ok()?;
    let day = u32::try_from(n.rem_euclid(31) + 1).ok()?;
    NaiveDate::from_ymd_opt(year, month, day)
}

/// The German name of the statewide public holiday on `date` in `state`, if there is one.
pub fn public_holiday(state: State, date: NaiveDate) -> Option<&'static str> {
    fixed_holiday(state, date).or_else(|| movable_holiday(state, date))
}

/// Monday to Friday and not a public holiday of `state`: the days on which a period may end.
pub fn is_working_day(state: State, date: NaiveDate) -> bool {
    !matches!(date.weekday(), Weekday::Sat | Weekday::Sun) && public_holiday(state, date).is_none()
}

/// All statewide holidays of `state` in `year`, in date order (for admin views and tests).
pub fn holidays_in_year(state: State, year: i32) -> Vec<(NaiveDate, &'static str)> {
    let Some(first) = NaiveDate::from_ymd_opt(year, 1, 1) else {
        return Vec::new();
    };
    first
        .iter_days()
        .take_while(|d| d.year() == year)
        .filter_map(|d| public_holiday(state, d).map(|name| (d, name)))
        .collect()
}

fn fixed_holiday(state: State, date: NaiveDate) -> Option<&'static str> {
    use State::*;
    let year = date.year();
    match (date.month(), date.day()) {
        (1, 1) => Some("Neujahr"),
        (1, 6) if matches!(state, BadenWuerttemberg | Bayern | SachsenAnhalt) => {
            Some("Heilige Drei Könige")
        }
        (3, 8)
            if (state == Berlin && year >= 2019)
                || (state == MecklenburgVorpommern && year >= 2023) =>
        {
            Some("Internationaler Frauentag")
        }
        (5, 1) => Some("Tag der Arbeit"),
        // Berlin made the 75th and 80th anniversaries of the end of the war one-off holidays.
        (5, 8) if state == Berlin && (year == 2020 || year == 2025) => Some("Tag der Befreiung"),
        // Berlin: one-off holiday for the 75th anniversary of the uprising of 17 June 1953
        // (found missing by the cross-check with the `holidays` package, issue 19).
        (6, 17) if state == Berlin && year == 2028 => {
            Some("75. Jahrestag des Aufstandes vom 17. Juni 1953")
        }
        (8, 15) if state == Saarland => Some("Mariä Himmelfahrt"),
        (9, 20) if state == Thueringen && year >= 2019 => Some("Weltkindertag"),
        (10, 3) if year >= 1990 => Some("Tag der Deutschen Einheit"),
        (10, 31) if has_reformation_day(state, year) => Some("Reformationstag"),
        (11, 1)
            if matches!(
                state,
                BadenWuerttemberg | Bayern | NordrheinWestfalen | RheinlandPfalz | Saarland
            ) =>
        {
            Some("Allerheiligen")
        }
        (12, 25) => Some("1. Weihnachtstag"),
        (12, 26) => Some("2. Weihnachtstag"),
        // Buß- und Bettag: the Wednesday before 23 November, i.e. between 16 and 22 November.
        // Abolished from 1995 everywhere except Sachsen (to fund the Pflegeversicherung).
        (11, 16..=22) if date.weekday() == Weekday::Wed && (state == Sachsen || year <= 1994) => {
            Some("Buß- und Bettag")
        }
        _ => None,
    }
}

fn has_reformation_day(state: State, year: i32) -> bool {
    use State::*;
    match state {
        Brandenburg | MecklenburgVorpommern | Sachsen | SachsenAnhalt | Thueringen => true,
        // Introduced from 2018; 2017 is covered by the nationwide one-off below.
        Bremen | Hamburg | Niedersachsen | SchleswigHolstein => year >= 2017,
        // 2017 (500 years of the Reformation) was a one-off holiday in every state.
        _ => year == 2017,
    }
}

fn movable_holiday(state: State, date: NaiveDate) -> Option<&'static str> {
    use State::*;
    let easter = easter_sunday(date.year())?;
    // Easter is at least 22 March, so every offset below stays inside the same year; comparing
    // day offsets avoids building dates that could overflow at the calendar's edges.
    let offset = i64::from(date.ordinal()) - i64::from(easter.ordinal());
    match offset {
        -2 => Some("Karfreitag"),
        1 => Some("Ostermontag"),
        39 => Some("Christi Himmelfahrt"),
        50 => Some("Pfingstmontag"),
        60 if matches!(
            state,
            BadenWuerttemberg | Bayern | Hessen | NordrheinWestfalen | RheinlandPfalz | Saarland
        ) =>
        {
            Some("Fronleichnam")
        }
        _ => None,
    }
}

/// The next day, or `None` at the end of the calendar; shared by the forward walks.
pub(crate) fn next_day(date: NaiveDate) -> Option<NaiveDate> {
    date.checked_add_days(Days::new(1))
}

/// The previous day, or `None` at the start of the calendar; shared by the backward walks.
pub(crate) fn previous_day(date: NaiveDate) -> Option<NaiveDate> {
    date.checked_sub_days(Days::new(1))
}
