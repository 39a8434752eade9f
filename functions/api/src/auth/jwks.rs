//! RS256 keys from an identity provider's JWKS URL (e.g. Keycloak's
//! `.../protocol/openid-connect/certs`): fetched once at start-up, cached, and fetched again when
//! a token names a key the cache does not know (the IdP rotated its keys) — at most once per
//! [`REFETCH_INTERVAL`], so tokens with made-up `kid`s cannot make us hammer the IdP. Time is the
//! caller's `now` (the App's clock), which keeps the limit testable without sleeping.

use std::net::IpAddr;
use std::sync::{PoisonError, RwLock};
use std::time::Duration;

use jsonwebtoken::jwk::{Jwk, JwkSet};
use reqwest::Url;
use reqwest::redirect::{Attempt, Policy};

/// Least time between two fetches of the key set, in seconds.
pub const REFETCH_INTERVAL: i64 = 60;

/// Bound on one fetch (connect and answer): start-up and the request that triggers a refetch
/// wait on it, so a hanging IdP costs seconds, not the Lambda's whole timeout.
pub const FETCH_TIMEOUT: Duration = Duration::from_secs(5);

/// A real key set is a few KiB; anything far larger is not one and is not read into memory.
const MAX_BYTES: usize = 256 * 1024;

/// A JWKS URL could not be used or fetched. Messages carry the URL (it is public), never keys.
#[derive(Debug, thiserror::Error)]
pub enum JwksError {
    #[error("not a URL: {0}")]
    Url(String),
    #[error("{0} must use https (plain http only for a loopback host)")]
    Insecure(String),
    #[error("cannot fetch {url}: {reason}")]
    Fetch { url: String, reason: String },
    #[error("{url} answered HTTP {status}")]
    Status { url: String, status: u16 },
    #[error("{url} answered more than {MAX_BYTES} bytes, not a JWKS")]
    TooLarge { url: String },
    #[error("{url} did not answer a JWKS: {reason}")]
    NotJwks { url: String, reason: String },
    #[error("{url} answered a JWKS without a usable key")]
    NoKeys { url: String },
}

/// The cached key set of one JWKS URL.
pub struct RemoteJwks {
    url: Url,
    client: reqwest::Client,
    keys: RwLock<JwkSet>,
    /// When the last fetch started (unix seconds). Behind an async lock so requests that miss
    /// the same new key wait for one refetch instead of each failing or each fetching.
    last_fetch: tokio::sync::Mutex<i64>,
}

impl std::fmt::Debug for RemoteJwks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Only the URL: the keys are public, but nothing here needs them in a log line.
        f.debug_struct("RemoteJwks")
            .field("url", &self.url.as_str())
            .finish_non_exhaustive()
    }
}

impl RemoteJwks {
    /// Checks the URL and fetches the key set once; `now` (unix seconds) starts the refetch
    /// interval. Fails when the URL is not https (except loopback) or the answer is no JWKS.
    pub async fn fetch(url: &str, now: i64) -> Result<RemoteJwks, JwksError> {
        let url = Url::parse(url.trim()).map_err(|e| JwksError::Url(e.to_string()))?;
        if !allowed(&url) {
            return Err(JwksError::Insecure(url.to_string()));
        }
        let client = reqwest::Client::builder()
            .timeout(FETCH_TIMEOUT)
            .connect_timeout(FETCH_TIMEOUT)
            .redirect(Policy::custom(redirect))
            .build()
            .map_err(|e| JwksError::Fetch {
                url: url.to_string(),
                reason: reason(e),
            })?;
        let keys = load(&client, &url).await?;
        Ok(RemoteJwks {
            url,
            client,
            keys: RwLock::new(keys),
            last_fetch: tokio::sync::Mutex::new(now),
        })
    }

    pub fn url(&self) -> &str {
        self.url.as_str()
    }

    /// The key a token names. On a miss with a `kid`, refetches the set unless the last fetch
    /// started less than [`REFETCH_INTERVAL`] before `now`; a failed refetch keeps the cache.
    pub async fn key(&self, kid: Option<&str>, now: i64) -> Option<Jwk> {
        if let Some(jwk) = self.cached(kid) {
            return Some(jwk);
        }
        // Without a kid a fresh key set could not say which key was meant either.
        let kid = kid?;
        let mut last = self.last_fetch.lock().await;
        // Another request may have refetched while this one waited for the lock.
        if let Some(jwk) = self.cached(Some(kid)) {
            return Some(jwk);
        }
        // A clock that went backwards (a test clock moved back) allows a fetch rather than
        // blocking new keys until it catches up.
        if now >= *last && now - *last < REFETCH_INTERVAL {
            return None;
        }
        // Counted before the fetch, so an IdP that is down is not asked on every request either.
        *last = now;
        match load(&self.client, &self.url).await {
            Ok(set) => {
                tracing::info!(url = %self.url, keys = set.keys.len(), "JWKS refetched");
                *self.keys.write().unwrap_or_else(PoisonError::into_inner) = set;
            }
            Err(e) => tracing::warn!(error = %e, "JWKS refetch failed; keeping the cached keys"),
        }
        self.cached(Some(kid))
    }

    fn cached(&self, kid: Option<&str>) -> Option<Jwk> {
        let set = self.keys.read().unwrap_or_else(PoisonError::into_inner);
        find(&set, kid).cloned()
    }
}

/// The key a token names: by `kid`, or the only key when the token names none.
pub(crate) fn find<'a>(set: &'a JwkSet, kid: Option<&str>) -> Option<&'a Jwk> {
    match kid {
        Some(kid) => set.find(kid),
        None if set.keys.len() == 1 => set.keys.first(),
        None => None,
    }
}

/// Key material travels in the answer: only a local IdP (tests, a sidecar) may skip TLS.
pub(crate) fn allowed(url: &Url) -> bool {
    match url.scheme() {
        "https" => true,
        "http" => url.host_str().is_some_and(|host| {
            host.eq_ignore_ascii_case("localhost")
                || host
                    .trim_start_matches('[')
                    .trim_end_matches(']')
                    .parse::<IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback())
        }),
        _ => false,
    }
}

/// Follows a few redirects, but never from https to plain http.
fn redirect(attempt: Attempt<'_>) -> reqwest::redirect::Action {
    if attempt.previous().len() >= 3 {
        attempt.error("more than 3 redirects")
    } else if !allowed(attempt.url()) {
        attempt.error("redirect to a URL that is not https")
    } else {
        attempt.follow()
    }
}

async fn load(client: &reqwest::Client, url: &Url) -> Result<JwkSet, JwksError> {
    let fetch_error = |e: reqwest::Error| JwksError::Fetch {
        url: url.to_string(),
        reason: reason(e),
    };
    let mut res = client
        .get(url.clone())
        .header(reqwest::header::ACCEPT, "application/json")
        .send()
        .await
        .map_err(fetch_error)?;
    if !res.status().is_success() {
        return Err(JwksError::Status {
            url: url.to_string(),
            status: res.status().as_u16(),
        });
    }
    let too_large = || JwksError::TooLarge {
        url: url.to_string(),
    };
    if res.content_length().is_some_and(|n| n > MAX_BYTES as u64) {
        return Err(too_large());
    }
    let mut body = Vec::new();
    while let Some(chunk) = res.chunk().await.map_err(fetch_error)? {
        body.extend_from_slice(&chunk);
        if body.len() > MAX_BYTES {
            return Err(too_large());
        }
    }
    let set = parse(&body).map_err(|reason| JwksError::NotJwks {
        url: url.to_string(),
        reason,
    })?;
    if set.keys.is_empty() {
        return Err(JwksError::NoKeys {
            url: url.to_string(),
        });
    }
    Ok(set)
}

/// A JWKS, skipping keys this library cannot read: IdPs publish encryption keys and newer
/// algorithms next to their signing keys, and one of those must not hide the others.
fn parse(body: &[u8]) -> Result<JwkSet, String> {
    #[derive(serde::Deserialize)]
    struct Raw {
        keys: Vec<serde_json::Value>,
    }
    let raw: Raw = serde_json::from_slice(body).map_err(|e| e.to_string())?;
    let keys = raw
        .keys
        .into_iter()
        .filter_map(|k| serde_json::from_value::<Jwk>(k).ok())
        .collect();
    Ok(JwkSet { keys })
}

/// The error and its causes ("connection refused" sits a few sources down), without the URL
/// reqwest would repeat.
fn reason(e: reqwest::Error) -> String {
    let e = e.without_url();
    let mut out = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(url: &str) -> bool {
        allowed(&Url::parse(url).expect("url"))
    }

    #[test]
    fn https_anywhere_plain_http_only_on_loopback() {
        assert!(ok(
            "https://idp.example.org/realms/x/protocol/openid-connect/certs"
        ));
        assert!(ok("http://127.0.0.1:8080/certs"));
        assert!(ok("http://127.1.2.3/certs"));
        assert!(ok("http://localhost:8080/certs"));
        assert!(ok("http://[::1]:8080/certs"));
        assert!(!ok("http://idp.example.org/certs"));
        assert!(!ok("http://10.0.0.1/certs"));
        assert!(!ok("http://localhost.example.org/certs"));
        assert!(!ok("ftp://127.0.0.1/certs"));
        assert!(!ok("file:///etc/jwks.json"));
    }

    #[test]
    fn unreadable_keys_do_not_hide_the_others() {
        let set = parse(
            br#"{"keys": [
                {"kty": "RSA", "kid": "a", "n": "AQAB", "e": "AQAB"},
                {"kty": "future", "kid": "b"}
            ]}"#,
        )
        .expect("jwks");
        assert_eq!(set.keys.len(), 1);
        assert!(find(&set, Some("a")).is_some());
        assert!(
            find(&set, None).is_some(),
            "the only key serves a token without kid"
        );
        assert!(parse(b"<html>").is_err());
        assert!(parse(br#"{"no": "keys"}"#).is_err());
    }
}
