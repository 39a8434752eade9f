//! A Hemmung interval (case awaiting the applicant) during which the processing clock stands still.

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::error::DeadlineError;

/// The clock stops on `from` (the day the documents were requested) and runs again after `to`
/// (the day the reply arrived); it stood still for `to - from` days.
///
/// Fields are private so that `to >= from` always holds; deserialisation validates it too.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(try_from = "RawSuspension")]
pub struct Suspension {
    from: NaiveDate,
    to: NaiveDate,
}

impl Suspension {
    /// Rejects an interval that ends before it starts.
    pub fn new(from: NaiveDate, to: NaiveDate) -> Result<Self, DeadlineError> {
        if to < from {
            return Err(DeadlineError::SuspensionEndsBeforeStart { from, to });
        }
        Ok(Suspension { from, to })
    }

    pub fn from(&self) -> NaiveDate {
        self.from
    }

    pub fn to(&self) -> NaiveDate {
        self.to
    }

    /// Length of the whole interval in days (`to - from`).
    pub fn days(&self) -> i64 {
        (self.to - self.from).num_days()
    }
}

/// The unvalidated wire shape; only used to route deserialisation through [`Suspension::new`].
#[derive(Deserialize, JsonSchema)]
struct RawSuspension {
    from: NaiveDate,
    to: NaiveDate,
}

impl TryFrom<RawSuspension> for Suspension {
    type Error = DeadlineError;

    fn try_from(raw: RawSuspension) -> Result<Self, Self::Error> {
        Suspension::new(raw.from, raw.to)
    }
}
