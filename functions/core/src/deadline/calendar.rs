//! Which holidays count for a deadline: the state's, plus the municipal holidays of the
//! authority's seat when its municipality key is known (§ 193 BGB: holidays at the place of
//! performance).

use chrono::{Datelike, NaiveDate, Weekday};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::holidays::public_holiday;
use super::local_holidays::local_holiday;
use super::municipality::Municipality;
use super::state::State;

/// The holiday calendar of an authority: its state and, optionally, its municipality.
/// A `State` converts into a calendar without a municipality, so every calculator function
/// takes either.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, JsonSchema)]
pub struct Calendar {
    pub state: State,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub municipality: Option<Municipality>,
}

impl Calendar {
    /// A municipality of another state is ignored: its holidays are another state's law.
    pub fn new(state: State, municipality: Option<Municipality>) -> Self {
        Calendar {
            state,
            municipality: municipality.filter(|m| m.state() == state),
        }
    }

    /// The holiday on `date`: statewide first, then municipal (marked as such).
    pub fn holiday(&self, date: NaiveDate) -> Option<String> {
        if let Some(name) = public_holiday(self.state, date) {
            return Some(name.to_owned());
        }
        self.municipality
            .and_then(|m| local_holiday(m, date))
            .map(|name| format!("{name}, örtlicher Feiertag"))
    }

    /// Monday to Friday and no holiday of this calendar.
    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        !matches!(date.weekday(), Weekday::Sat | Weekday::Sun) && self.holiday(date).is_none()
    }
}

impl From<State> for Calendar {
    fn from(state: State) -> Self {
        Calendar {
            state,
            municipality: None,
        }
    }
}
