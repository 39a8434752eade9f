//! German weekday, month and date wording for explanations (no locale library needed).

use chrono::{Datelike, NaiveDate, Weekday};

pub fn weekday_de(weekday: Weekday) -> &'static str {
    match weekday {
        Weekday::Mon => "Montag",
        Weekday::Tue => "Dienstag",
        Weekday::Wed => "Mittwoch",
        Weekday::Thu => "Donnerstag",
        Weekday::Fri => "Freitag",
        Weekday::Sat => "Samstag",
        Weekday::Sun => "Sonntag",
    }
}

/// Month name for 1..=12; anything else yields an empty string rather than a panic.
pub fn month_de(month: u32) -> &'static str {
    match month {
        1 => "Januar",
        2 => "Februar",
        3 => "März",
        4 => "April",
        5 => "Mai",
        6 => "Juni",
        7 => "Juli",
        8 => "August",
        9 => "September",
        10 => "Oktober",
        11 => "November",
        12 => "Dezember",
        _ => "",
    }
}

/// Long form used in letters, e.g. "Montag, 2. März 2026".
pub fn format_date_de(date: NaiveDate) -> String {
    format!(
        "{}, {}. {} {}",
        weekday_de(date.weekday()),
        date.day(),
        month_de(date.month()),
        date.year()
    )
}

/// Numeric form, e.g. "02.03.2026".
pub fn format_date_short_de(date: NaiveDate) -> String {
    date.format("%d.%m.%Y").to_string()
}
