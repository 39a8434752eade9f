//! The brake on password guessing at the login form: failed logins are counted per account and
//! per client address in a fixed window; past the limit the form answers 429 with a German page
//! until the window ends. The count lives in the process (each Lambda sandbox counts for
//! itself, so on AWS the limit is per sandbox; API Gateway throttling or a WAF rate rule bound the
//! total). A successful login clears the account's count.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Mutex, PoisonError};

/// The address of the client that sent a request: put into the request's extensions by the
/// listener of `fallwerk serve` (the TCP peer) or the casework Lambda (API Gateway's source IP).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddress(pub IpAddr);

/// Limits of the login brake.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Failed logins per account within one window.
    pub per_account: u32,
    /// Failed logins per client address within one window (an office behind one NAT address
    /// shares it, so it is higher).
    pub per_address: u32,
    /// Window length in seconds.
    pub window_seconds: i64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            per_account: 5,
            per_address: 20,
            window_seconds: 15 * 60,
        }
    }
}

/// Entries kept at most; beyond it expired entries are dropped, and if none are, the oldest.
const MAX_ENTRIES: usize = 50_000;

#[derive(Debug, Clone, Copy)]
struct Window {
    start: i64,
    failures: u32,
}

/// Counts failed logins.
#[derive(Debug)]
pub struct LoginLimiter {
    limits: Limits,
    windows: Mutex<HashMap<String, Window>>,
}

impl Default for LoginLimiter {
    fn default() -> Self {
        Self::new(Limits::default())
    }
}

fn account_key(login: &str) -> String {
    format!("a:{}", login.trim().to_lowercase())
}

fn address_key(address: IpAddr) -> String {
    match address {
        // One IPv6 client usually has a whole /64: count the network, not the address.
        IpAddr::V6(v6) => {
            let s = v6.segments();
            format!("n:{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        IpAddr::V4(v4) => format!("n:{v4}"),
    }
}

impl LoginLimiter {
    pub fn new(limits: Limits) -> Self {
        LoginLimiter {
            limits,
            windows: Mutex::new(HashMap::new()),
        }
    }

    /// Seconds until another try is allowed, when the account or the address is over its limit
    /// at `now` (unix seconds); `None` when the login may be tried.
    pub fn blocked(&self, login: &str, address: Option<IpAddr>, now: i64) -> Option<i64> {
        let windows = self.windows.lock().unwrap_or_else(PoisonError::into_inner);
        let over = |key: String, limit: u32| {
            windows
                .get(&key)
                .filter(|w| now - w.start < self.limits.window_seconds && w.failures >= limit)
                .map(|w| (w.start + self.limits.window_seconds - now).max(1))
        };
        let account = over(account_key(login), self.limits.per_account);
        let network = address.and_then(|a| over(address_key(a), self.limits.per_address));
        account.into_iter().chain(network).max()
    }

    /// Counts a failed login.
    pub fn failed(&self, login: &str, address: Option<IpAddr>, now: i64) {
        let mut windows = self.windows.lock().unwrap_or_else(PoisonError::into_inner);
        if windows.len() >= MAX_ENTRIES {
            let window = self.limits.window_seconds;
            windows.retain(|_, w| now - w.start < window);
            if windows.len() >= MAX_ENTRIES
                && let Some(oldest) = windows
                    .iter()
                    .min_by_key(|(_, w)| w.start)
                    .map(|(k, _)| k.clone())
            {
                windows.remove(&oldest);
            }
        }
        let keys = std::iter::once(account_key(login)).chain(address.map(address_key));
        for key in keys {
            let w = windows.entry(key).or_insert(Window {
                start: now,
                failures: 0,
            });
            if now - w.start >= self.limits.window_seconds {
                *w = Window {
                    start: now,
                    failures: 0,
                };
            }
            w.failures = w.failures.saturating_add(1);
        }
    }

    /// A successful login: the account's count starts again (the address's stays).
    pub fn succeeded(&self, login: &str) {
        self.windows
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&account_key(login));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limiter() -> LoginLimiter {
        LoginLimiter::new(Limits {
            per_account: 3,
            per_address: 5,
            window_seconds: 100,
        })
    }

    #[test]
    fn an_account_is_braked_after_its_limit_until_the_window_ends() {
        let l = limiter();
        let ip: IpAddr = "192.0.2.1".parse().expect("ip");
        for _ in 0..3 {
            assert_eq!(l.blocked("Anna", Some(ip), 10), None);
            l.failed("anna", Some(ip), 10);
        }
        assert_eq!(
            l.blocked("ANNA ", None, 50),
            Some(60),
            "case and blanks do not matter"
        );
        assert_eq!(
            l.blocked("bert", Some(ip), 50),
            None,
            "other accounts not yet"
        );
        assert_eq!(l.blocked("anna", None, 110), None, "the window ended");
    }

    #[test]
    fn an_address_is_braked_across_accounts() {
        let l = limiter();
        let ip: IpAddr = "2001:db8:1:2:aaaa::1".parse().expect("ip");
        let neighbour: IpAddr = "2001:db8:1:2:bbbb::2".parse().expect("ip");
        for i in 0..5 {
            l.failed(&format!("user{i}"), Some(ip), 0);
        }
        assert_eq!(
            l.blocked("someone-else", Some(neighbour), 1),
            Some(99),
            "same /64"
        );
        let elsewhere: IpAddr = "2001:db8:9::1".parse().expect("ip");
        assert_eq!(l.blocked("someone-else", Some(elsewhere), 1), None);
    }

    #[test]
    fn success_clears_the_account_but_not_the_address() {
        let l = limiter();
        let ip: IpAddr = "198.51.100.7".parse().expect("ip");
        for _ in 0..2 {
            l.failed("anna", Some(ip), 0);
        }
        l.succeeded("anna");
        l.failed("anna", Some(ip), 1);
        assert_eq!(
            l.blocked("anna", None, 2),
            None,
            "one failure since the success"
        );
        for _ in 0..2 {
            l.failed("bert", Some(ip), 3);
        }
        assert_eq!(
            l.blocked("carl", Some(ip), 4),
            Some(96),
            "5 failures from the address"
        );
    }
}
