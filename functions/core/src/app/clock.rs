//! Time and identity as ports, so tests and the scheduler can inject them.

use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};

pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

/// The real clock.
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that moves only when told to (tests, simulations).
pub struct ManualClock(Mutex<DateTime<Utc>>);

impl ManualClock {
    pub fn new(at: DateTime<Utc>) -> Self {
        ManualClock(Mutex::new(at))
    }

    pub fn set(&self, at: DateTime<Utc>) {
        if let Ok(mut t) = self.0.lock() {
            *t = at;
        }
    }

    pub fn advance(&self, by: Duration) {
        if let Ok(mut t) = self.0.lock() {
            *t += by;
        }
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        self.0
            .lock()
            .map(|t| *t)
            .unwrap_or_else(|p| *p.into_inner())
    }
}

/// A new case id: a UUID version 7, whose leading bits are the creation time (the rest random,
/// 74 bits). Time-ordered ids land at the end of every index keyed by case (cases, events,
/// messages, deadlines, inbox, queue): a batch of new cases touches a few index pages instead
/// of one per case and index, which is most of what SQLite writes per submission
/// (docs/BENCHMARKS.md).
pub fn new_case_id() -> String {
    uuid::Uuid::now_v7().to_string()
}
