//! Typed errors of the deadline calculator, one enum per kind of input that can be wrong.

use chrono::NaiveDate;
use thiserror::Error;

/// A state code that is not one of the 16 two-letter codes.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error(
    "unknown German state code {input:?}; expected one of BW, BY, BE, BB, HB, HH, HE, MV, NI, NW, RP, SL, SN, ST, SH, TH"
)]
pub struct StateParseError {
    pub input: String,
}

/// Why a period string such as `"10WD"` was rejected.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PeriodParseError {
    #[error("period is empty; expected e.g. \"10WD\", \"14D\", \"2W\" or \"3M\"")]
    Empty,
    #[error("period {input:?} does not start with a number; expected e.g. \"14D\"")]
    MissingNumber { input: String },
    #[error("period {input:?} has no unit; expected one of WD, D, W, M after the number")]
    MissingUnit { input: String },
    #[error("period {input:?} has unknown unit {unit:?}; expected one of WD, D, W, M")]
    UnknownUnit { input: String, unit: String },
    #[error("period {input:?} has length zero; a deadline needs at least one unit")]
    Zero { input: String },
    #[error("period {input:?} does not fit into a 32-bit number")]
    Overflow { input: String },
    #[error("period {input:?} is longer than the maximum of {max} units")]
    TooLarge { input: String, max: u32 },
}

/// Why a deadline could not be computed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DeadlineError {
    #[error("suspension ends ({to}) before it starts ({from})")]
    SuspensionEndsBeforeStart { from: NaiveDate, to: NaiveDate },
    #[error("suspensions {first_from}..{first_to} and {second_from}..{second_to} overlap")]
    OverlappingSuspensions {
        first_from: NaiveDate,
        first_to: NaiveDate,
        second_from: NaiveDate,
        second_to: NaiveDate,
    },
    #[error("the computed date lies outside the supported calendar range")]
    OutOfRange,
}
