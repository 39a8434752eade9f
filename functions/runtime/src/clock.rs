//! A test clock for whole processes: the system time plus an offset in seconds read from a file
//! on every call, so an end-to-end test can move `fallwerk serve` forward in time (deadlines,
//! reminders) without touching the machine's clock. Never used unless `--clock-file` is given.

use std::path::PathBuf;

use chrono::{DateTime, Duration, Utc};
use fallwerk_core::app::Clock;

pub struct OffsetFileClock {
    path: PathBuf,
}

impl OffsetFileClock {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        OffsetFileClock { path: path.into() }
    }

    /// The offset in the file; a missing or unreadable file means no offset.
    pub fn offset(&self) -> Duration {
        std::fs::read_to_string(&self.path)
            .ok()
            .and_then(|s| s.trim().parse::<i64>().ok())
            .map(Duration::seconds)
            .unwrap_or_else(Duration::zero)
    }
}

impl Clock for OffsetFileClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now() + self.offset()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn follows_the_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("offset");
        let clock = OffsetFileClock::new(&path);
        assert_eq!(clock.offset(), Duration::zero());
        std::fs::write(&path, "86400\n").expect("write");
        assert!(clock.now() - Utc::now() > Duration::hours(23));
        std::fs::write(&path, "not a number").expect("write");
        assert_eq!(clock.offset(), Duration::zero());
    }
}
