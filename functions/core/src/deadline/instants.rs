//! Conversion between Berlin calendar dates and UTC instants, because the scheduler ticks in UTC
//! while deadlines end at midnight German time. EU DST rules are built in (no tz database).
//!
//! The rule (CEST from the last Sunday of March 01:00 UTC to the last Sunday of October 01:00
//! UTC) has applied since 1996; earlier years are computed with the same rule, which is wrong
//! for them but irrelevant for deadlines of a system built in 2026.

use chrono::{DateTime, Datelike, Days, NaiveDate, NaiveTime, TimeDelta, Utc, Weekday};

const CET_HOURS: i64 = 1;
const CEST_HOURS: i64 = 2;

/// The UTC instant at which `date` begins in Berlin (22:00 or 23:00 UTC of the previous day).
///
/// Local midnight never falls into a switch hour (switches happen at 02:00/03:00 local), so it
/// is always unambiguous. Saturates at chrono's earliest instant for the very first date.
pub fn berlin_midnight_utc(date: NaiveDate) -> DateTime<Utc> {
    let offset = berlin_offset_at_local_midnight(date);
    let naive = date.and_time(NaiveTime::MIN);
    naive
        .checked_sub_signed(TimeDelta::hours(offset))
        .map(|utc| utc.and_utc())
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
}

/// The Berlin calendar date of `instant`.
pub fn berlin_date(instant: DateTime<Utc>) -> NaiveDate {
    let offset = berlin_offset_at_instant(instant);
    instant
        .checked_add_signed(TimeDelta::hours(offset))
        .unwrap_or(instant)
        .date_naive()
}

/// Berlin's UTC offset in hours at `instant`.
pub fn berlin_offset_at_instant(instant: DateTime<Utc>) -> i64 {
    // The switches lie far from New Year, so the UTC year is the right year to look at.
    let year = instant.year();
    let (Some(begin), Some(end)) = (dst_switch_utc(year, 3), dst_switch_utc(year, 10)) else {
        return CET_HOURS;
    };
    if begin <= instant && instant < end {
        CEST_HOURS
    } else {
        CET_HOURS
    }
}

/// Berlin's UTC offset in hours at 00:00 local time on `date`.
fn berlin_offset_at_local_midnight(date: NaiveDate) -> i64 {
    let (Some(begin), Some(end)) = (last_sunday(date.year(), 3), last_sunday(date.year(), 10))
    else {
        return CET_HOURS;
    };
    // On the March switch day midnight is still winter time; on the October one still summer.
    if begin < date && date <= end {
        CEST_HOURS
    } else {
        CET_HOURS
    }
}

/// 01:00 UTC on the last Sunday of `month`: the EU switch instant.
fn dst_switch_utc(year: i32, month: u32) -> Option<DateTime<Utc>> {
    let day = last_sunday(year, month)?;
    let time = NaiveTime::from_hms_opt(1, 0, 0)?;
    Some(day.and_time(time).and_utc())
}

fn last_sunday(year: i32, month: u32) -> Option<NaiveDate> {
    // March and October both have 31 days.
    let last = NaiveDate::from_ymd_opt(year, month, 31)?;
    let back = last.weekday().days_since(Weekday::Sun);
    last.checked_sub_days(Days::new(u64::from(back)))
}
