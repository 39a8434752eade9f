//! A small time-bounded cache of active users for the auth path: every authenticated request
//! turns its token into a caller through the user directory, and on DynamoDB that is one
//! strongly consistent read per request. With the cache a process reads each account at most
//! once per TTL.
//!
//! What it costs: a deactivation made through *another* process (another Lambda instance, the
//! CLI) takes effect there within the TTL, not at once. Writes through the same `App`
//! (`save_user`, `set_user_active`, just-in-time creation) drop the entry at once. Only
//! active users are kept; an unknown or inactive account is read again every time, so a newly
//! created or reactivated account works immediately. Time comes from the app's clock.

use std::collections::HashMap;
use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};

use crate::model::User;

/// At most this many accounts; a full cache starts over (cheap, and rare: one entry per person).
const MAX_ENTRIES: usize = 10_000;

#[derive(Debug)]
pub struct UserCache {
    ttl: Duration,
    entries: Mutex<HashMap<String, (User, DateTime<Utc>)>>,
}

impl UserCache {
    pub fn new(ttl: Duration) -> Self {
        UserCache {
            ttl,
            entries: Mutex::new(HashMap::new()),
        }
    }

    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    /// The cached active user, if it was read less than the TTL before `now`.
    pub fn get(&self, id: &str, now: DateTime<Utc>) -> Option<User> {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries
            .get(id)
            .filter(|(_, read_at)| now - *read_at < self.ttl && *read_at <= now)
            .map(|(u, _)| u.clone())
    }

    /// Remembers an active user read at `now`; anything else is forgotten.
    pub fn put(&self, user: &User, now: DateTime<Utc>) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if !user.active {
            entries.remove(&user.id);
            return;
        }
        if entries.len() >= MAX_ENTRIES && !entries.contains_key(&user.id) {
            entries.clear();
        }
        entries.insert(user.id.clone(), (user.clone(), now));
    }

    pub fn forget(&self, id: &str) {
        self.entries
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(id);
    }
}
