//! The length of a deadline ("10WD", "14D", "2W", "3M") as configured per service.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::error::PeriodParseError;

/// A deadline length. Working days are not a BGB unit; they exist because many service rules
/// (and internal targets such as the competence check) are stated in Arbeitstagen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Period {
    WorkingDays(u32),
    Days(u32),
    Weeks(u32),
    Months(u32),
}

impl Period {
    /// Upper bound for parsed periods: far beyond any legal period (100 000 months are over
    /// 8 000 years) yet small enough that no realistic start date can leave the calendar.
    pub const MAX_VALUE: u32 = 100_000;

    /// The number of units.
    pub const fn value(self) -> u32 {
        match self {
            Period::WorkingDays(n) | Period::Days(n) | Period::Weeks(n) | Period::Months(n) => n,
        }
    }

    /// The unit suffix of the string form.
    pub const fn unit(self) -> &'static str {
        match self {
            Period::WorkingDays(_) => "WD",
            Period::Days(_) => "D",
            Period::Weeks(_) => "W",
            Period::Months(_) => "M",
        }
    }

    /// German wording with correct singular/plural, e.g. "1 Monat", "10 Arbeitstage".
    pub fn describe_de(self) -> String {
        let n = self.value();
        let unit = match (self, n == 1) {
            (Period::WorkingDays(_), true) => "Arbeitstag",
            (Period::WorkingDays(_), false) => "Arbeitstage",
            (Period::Days(_), true) => "Tag",
            (Period::Days(_), false) => "Tage",
            (Period::Weeks(_), true) => "Woche",
            (Period::Weeks(_), false) => "Wochen",
            (Period::Months(_), true) => "Monat",
            (Period::Months(_), false) => "Monate",
        };
        format!("{n} {unit}")
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.value(), self.unit())
    }
}

impl FromStr for Period {
    type Err = PeriodParseError;

    /// Strict on purpose (no whitespace, no sign): these strings come from service configuration
    /// and a typo there must fail loudly instead of silently meaning something else.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.is_empty() {
            return Err(PeriodParseError::Empty);
        }
        let input = || s.to_owned();
        let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
        let (digits, unit) = s.split_at(split);
        if digits.is_empty() {
            return Err(PeriodParseError::MissingNumber { input: input() });
        }
        if unit.is_empty() {
            return Err(PeriodParseError::MissingUnit { input: input() });
        }
        let make: fn(u32) -> Period = match unit.to_ascii_uppercase().as_str() {
            "WD" => Period::WorkingDays,
            "D" => Period::Days,
            "W" => Period::Weeks,
            "M" => Period::Months,
            _ => {
                return Err(PeriodParseError::UnknownUnit {
                    input: input(),
                    unit: unit.to_owned(),
                });
            }
        };
        // Only ASCII digits remain, so the sole possible parse failure is overflow.
        let n: u32 = digits
            .parse()
            .map_err(|_| PeriodParseError::Overflow { input: input() })?;
        if n == 0 {
            return Err(PeriodParseError::Zero { input: input() });
        }
        if n > Period::MAX_VALUE {
            return Err(PeriodParseError::TooLarge {
                input: input(),
                max: Period::MAX_VALUE,
            });
        }
        Ok(make(n))
    }
}

impl Serialize for Period {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Period {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

impl JsonSchema for Period {
    fn schema_name() -> Cow<'static, str> {
        "Period".into()
    }

    fn json_schema(_generator: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "description": "Deadline length: a positive number followed by WD (working days), D (days), W (weeks) or M (months); case-insensitive.",
            "pattern": "^[0-9]+([Ww][Dd]|[DdWwMm])$",
            "examples": ["10WD", "14D", "2W", "3M"],
        })
    }
}
