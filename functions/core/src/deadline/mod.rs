//! TEMPORARY stand-in for the deadline calculator (replaced by the real module).
use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc, Weekday};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, JsonSchema)]
pub enum State {
    #[default]
    MV,
    BY,
}
impl std::str::FromStr for State {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "MV" => Ok(State::MV),
            "BY" => Ok(State::BY),
            _ => Err(s.into()),
        }
    }
}
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum Period {
    WorkingDays(u32),
    Days(u32),
    Weeks(u32),
    Months(u32),
}
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Suspension {
    pub from: NaiveDate,
    pub to: NaiveDate,
}
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct DueDate {
    pub start: NaiveDate,
    pub due: NaiveDate,
    pub suspended_days: u32,
}
#[derive(Debug, thiserror::Error)]
#[error("overlap")]
pub struct DeadlineError;
fn add(start: NaiveDate, p: Period) -> NaiveDate {
    match p {
        Period::WorkingDays(n) | Period::Days(n) => start + Duration::days(n as i64),
        Period::Weeks(n) => start + Duration::days(7 * n as i64),
        Period::Months(n) => start + Duration::days(30 * n as i64),
    }
}
fn roll(mut d: NaiveDate) -> NaiveDate {
    while matches!(d.weekday(), Weekday::Sat | Weekday::Sun) {
        d += Duration::days(1);
    }
    d
}
pub fn compute(start: NaiveDate, period: Period, _state: State) -> DueDate {
    DueDate {
        start,
        due: roll(add(start, period)),
        suspended_days: 0,
    }
}
pub fn compute_with_suspensions(
    start: NaiveDate,
    period: Period,
    _state: State,
    s: &[Suspension],
) -> Result<DueDate, DeadlineError> {
    let days: i64 = s.iter().map(|s| (s.to - s.from).num_days()).sum();
    Ok(DueDate {
        start,
        due: roll(add(start, period) + Duration::days(days)),
        suspended_days: days as u32,
    })
}
pub fn explain_de(d: &DueDate) -> String {
    format!("Fristbeginn {} Fristende {}", d.start, d.due)
}
pub fn warning_date(due: NaiveDate, lead: Period, _s: State) -> NaiveDate {
    match lead {
        Period::WorkingDays(n) | Period::Days(n) => due - Duration::days(n as i64),
        Period::Weeks(n) => due - Duration::days(7 * n as i64),
        Period::Months(n) => due - Duration::days(30 * n as i64),
    }
}
pub fn escalation_date(due: NaiveDate, delay: Period, _s: State) -> NaiveDate {
    roll(add(due, delay))
}
pub fn berlin_midnight_utc(date: NaiveDate) -> DateTime<Utc> {
    Utc.from_utc_datetime(&date.and_hms_opt(0, 0, 0).unwrap_or_default()) - Duration::hours(1)
}
pub fn berlin_date(i: DateTime<Utc>) -> NaiveDate {
    (i + Duration::hours(1)).date_naive()
}
impl std::fmt::Display for State {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{self:?}")
    }
}
