//! Sessions of the workplace: a signed cookie (HMAC-SHA256 over its JSON), no server-side
//! state, so every instance (and every Lambda sandbox) accepts it. The cookie carries the
//! account id, when the session started (absolute timeout), when it was last used (idle
//! timeout; re-issued on every request) and a random nonce the CSRF token derives from.
//! Every request re-reads the account from the user directory: a deactivated user's next
//! request is treated as signed out.

use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use super::WebConfig;
use super::account::{self, SignedIn};
use crate::ApiState;

/// What the cookie carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionData {
    /// The signed-in account; `None` before login (the session then only protects the login form).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uid: Option<String>,
    /// Issued at (unix seconds): start of the absolute timeout.
    pub iat: i64,
    /// Last seen (unix seconds): start of the idle timeout.
    pub seen: i64,
    /// Random; the CSRF token is derived from it. A new one at every login and logout.
    pub nonce: String,
}

impl SessionData {
    pub fn anonymous(now: i64) -> Self {
        SessionData {
            uid: None,
            iat: now,
            seen: now,
            nonce: new_nonce(),
        }
    }

    pub fn signed_in(uid: String, now: i64) -> Self {
        SessionData {
            uid: Some(uid),
            iat: now,
            seen: now,
            nonce: new_nonce(),
        }
    }
}

fn new_nonce() -> String {
    format!("{}", uuid::Uuid::new_v4().simple())
}

/// The session of the current request, put into the request by [`layer`].
#[derive(Clone)]
pub struct Session {
    pub data: SessionData,
    /// The account, re-read from the directory on this request.
    pub user: Option<SignedIn>,
    /// The CSRF token of this session.
    pub csrf: String,
}

/// A handler's answer that replaces the session (login, logout).
#[derive(Clone)]
pub struct Replace(pub SessionData);

/// The cookie's name: `__Host-` binds it to this host and path `/` (only allowed with `Secure`).
pub fn cookie_name(config: &WebConfig) -> &'static str {
    if config.secure_cookies {
        "__Host-fallwerk"
    } else {
        "fallwerk"
    }
}

type HmacSha256 = Hmac<Sha256>;

fn mac(secret: &[u8]) -> HmacSha256 {
    // HMAC accepts keys of any length.
    HmacSha256::new_from_slice(secret).unwrap_or_else(|_| unreachable!("HMAC takes any key"))
}

/// `base64url(json).hex(hmac)`.
pub fn encode(config: &WebConfig, data: &SessionData) -> String {
    let json = serde_json::to_vec(data).unwrap_or_default();
    let body = URL_SAFE_NO_PAD.encode(json);
    let mut m = mac(&config.session_secret);
    m.update(body.as_bytes());
    format!("{body}.{}", hex::encode(m.finalize().into_bytes()))
}

/// The session in a cookie value, if its signature is ours (checked in constant time).
pub fn decode(config: &WebConfig, value: &str) -> Option<SessionData> {
    let (body, sig) = value.split_once('.')?;
    let sig = hex::decode(sig).ok()?;
    let mut m = mac(&config.session_secret);
    m.update(body.as_bytes());
    m.verify_slice(&sig).ok()?;
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(body).ok()?).ok()
}

/// Within both timeouts at `now`?
pub fn is_current(config: &WebConfig, data: &SessionData, now: i64) -> bool {
    let idle = config.idle_timeout.as_secs() as i64;
    let absolute = config.absolute_timeout.as_secs() as i64;
    data.seen <= now + 60 && now - data.seen <= idle && now - data.iat <= absolute
}

fn cookie_value(headers: &axum::http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// `Set-Cookie` for a session: HttpOnly, SameSite=Lax, Path=/, `Secure` outside localhost; it
/// lives as long as the absolute timeout allows (the idle timeout is checked on the server).
pub fn set_cookie(config: &WebConfig, data: &SessionData, now: i64) -> String {
    let max_age = (data.iat + config.absolute_timeout.as_secs() as i64 - now).max(0);
    let secure = if config.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    format!(
        "{}={}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}",
        cookie_name(config),
        encode(config, data)
    )
}

/// Middleware of the web routes: reads and checks the cookie, re-reads the account, and
/// re-issues the cookie with the new last-seen time (or the handler's replacement).
pub async fn layer(State(state): State<ApiState>, mut req: Request, next: Next) -> Response {
    let Some(config) = state.web.clone() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let now = state.app.clock.now().timestamp();
    let presented = cookie_value(req.headers(), cookie_name(&config))
        .and_then(|v| decode(&config, &v))
        .filter(|d| is_current(&config, d, now));
    let mut data = presented.unwrap_or_else(|| SessionData::anonymous(now));
    let mut user = None;
    if let Some(uid) = data.uid.clone() {
        match account::load(&state.app, &uid).await {
            Ok(Some(u)) => user = Some(u),
            Ok(None) => data = SessionData::anonymous(now),
            Err(e) => {
                tracing::error!(error = %e, "user directory unavailable");
                return super::error_page::internal();
            }
        }
    }
    if let Some(u) = &user {
        crate::telemetry::record_actor(&u.account_id);
    }
    data.seen = now;
    let session = Session {
        csrf: super::csrf::token(&config, &data),
        data: data.clone(),
        user,
    };
    req.extensions_mut().insert(session);
    let mut res = next.run(req).await;
    let data = match res.extensions_mut().remove::<Replace>() {
        Some(Replace(new)) => new,
        None => data,
    };
    if let Ok(v) = HeaderValue::from_str(&set_cookie(&config, &data, now)) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    let headers = res.headers_mut();
    headers
        .entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("private, no-store"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
        ),
    );
    res
}

impl<S: Send + Sync> FromRequestParts<S> for Session {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Response> {
        parts
            .extensions
            .get::<Session>()
            .cloned()
            .ok_or_else(|| StatusCode::NOT_FOUND.into_response())
    }
}

/// A signed-in user and their session; without one, GET requests go to the login page (and
/// come back afterwards), everything else to the login page alone.
#[derive(Clone)]
pub struct User {
    pub user: SignedIn,
    pub session: Session,
}

impl<S: Send + Sync> FromRequestParts<S> for User {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, s: &S) -> Result<Self, Response> {
        let session = Session::from_request_parts(parts, s).await?;
        match session.user.clone() {
            Some(user) => Ok(User { user, session }),
            None => {
                let target = if parts.method == Method::GET {
                    let path = parts
                        .uri
                        .path_and_query()
                        .map(|p| p.as_str())
                        .unwrap_or("/");
                    format!("/login?next={}", super::form::urlencode(path))
                } else {
                    "/login".to_string()
                };
                Err(Redirect::to(&target).into_response())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> WebConfig {
        WebConfig::new(
            b"0123456789abcdef0123456789abcdef".to_vec(),
            "https://x.example",
        )
    }

    #[test]
    fn a_signed_session_round_trips_and_a_changed_one_is_refused() {
        let c = config();
        let d = SessionData::signed_in("anna".into(), 1000);
        let v = encode(&c, &d);
        assert_eq!(decode(&c, &v), Some(d.clone()));
        let (body, sig) = v.split_once('.').unwrap();
        let forged = SessionData::signed_in("admin".into(), 1000);
        let forged_body = encode(&c, &forged);
        let forged_body = forged_body.split_once('.').unwrap().0;
        assert_eq!(decode(&c, &format!("{forged_body}.{sig}")), None);
        assert_eq!(decode(&c, body), None);
        let other = WebConfig::new(b"another secret of enough length!!".to_vec(), "https://x");
        assert_eq!(decode(&other, &v), None);
    }

    #[test]
    fn idle_and_absolute_timeouts_end_a_session() {
        let c = config();
        let mut d = SessionData::signed_in("anna".into(), 0);
        assert!(is_current(&c, &d, 30 * 60));
        assert!(!is_current(&c, &d, 30 * 60 + 1), "idle");
        d.seen = 10 * 3600;
        assert!(is_current(&c, &d, 10 * 3600));
        assert!(!is_current(&c, &d, 10 * 3600 + 1), "absolute");
    }

    #[test]
    fn cookies_are_secure_outside_localhost() {
        assert!(config().secure_cookies);
        let local = WebConfig::new(b"x".repeat(32), "http://127.0.0.1:8080");
        assert!(!local.secure_cookies);
        let d = SessionData::anonymous(0);
        let cookie = set_cookie(&local, &d, 0);
        assert!(cookie.starts_with("fallwerk="));
        assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"));
        assert!(!cookie.contains("Secure"));
        let remote = set_cookie(&config(), &d, 0);
        assert!(remote.starts_with("__Host-fallwerk=") && remote.contains("; Secure"));
        assert!(WebConfig::new(b"x".repeat(32), "http://localhost.evil.example").secure_cookies);
    }
}
