//! A Hemmung interval (case awaiting the applicant) during which the processing clock stands still.
//!
//! Counting (docs/ARCHITECTURE.md, "Counting suspended days"): by analogy to § 209 BGB the
//! suspended time is not counted into the period, and the Hemmung runs "taggenau" from the day
//! its cause arises to the day it falls away, both days included (Prütting/Wegen/Weinreich,
//! BGB, § 209 Rn. 1, citing BGH, Urteil vom 11.02.2009 – XII ZR 114/06, NJW 2009, 1488 Rn. 21);
//! § 187 Abs. 1 BGB does not apply to the suspension itself. Only days after the period began
//! count (BGH, Urteil vom 25.04.2017 – VI ZR 386/16, NJW 2017, 3144 Rn. 12).

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::error::DeadlineError;

/// The clock stops on `from` (the day the documents were requested) and runs again on the day
/// after `to` (the day the reply arrived); it stood still for `to - from + 1` days, because both
/// end days count fully as suspended days (§ 209 BGB analog, see the module comment).
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

    /// Length of the whole interval in days, both end days included (`to - from + 1`).
    pub fn days(&self) -> i64 {
        (self.to - self.from).num_days() + 1
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
