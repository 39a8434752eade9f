//! The caseworkers' workplace: server-rendered German HTML pages (inbox, case, deadlines,
//! administration) over the same `App` use cases as the JSON API, mounted in the same router.
//! Sessions are signed cookies (stateless, so the casework Lambda serves them too); every form
//! POST carries the session's CSRF token and redirects afterwards (POST-redirect-GET).

pub mod account;
pub mod admin;
pub mod admin_users;
pub mod assets;
pub mod case_page;
pub mod csrf;
pub mod deadlines;
pub mod error_page;
pub mod form;
pub mod inbox;
pub mod labels;
pub mod login;
pub mod login_limit;
pub mod names;
pub mod oidc;
pub mod render;
pub mod session;
pub mod upload;

use std::sync::Arc;
use std::time::Duration;

/// Settings of the web workplace.
#[derive(Clone)]
pub struct WebConfig {
    /// Signs session cookies and derives CSRF tokens (at least 32 bytes).
    pub session_secret: Vec<u8>,
    /// `Secure` cookies: true unless the workplace is served from http://localhost/127.0.0.1.
    pub secure_cookies: bool,
    /// A session not used for this long ends.
    pub idle_timeout: Duration,
    /// A session ends this long after login, however active.
    pub absolute_timeout: Duration,
    /// Login through the authority's OpenID provider, when configured (`web::oidc`).
    pub oidc: Option<Arc<oidc::Oidc>>,
    /// The brake on password guessing (`web::login_limit`).
    pub login_limiter: Arc<login_limit::LoginLimiter>,
}

impl WebConfig {
    /// Idle 30 minutes, absolute 10 hours; `Secure` decided from the base URL of the workplace.
    pub fn new(session_secret: impl Into<Vec<u8>>, base_url: &str) -> Self {
        WebConfig {
            session_secret: session_secret.into(),
            secure_cookies: !is_local_http(base_url),
            idle_timeout: Duration::from_secs(30 * 60),
            absolute_timeout: Duration::from_secs(10 * 60 * 60),
            oidc: None,
            login_limiter: Arc::new(login_limit::LoginLimiter::default()),
        }
    }

    /// Adds the login through an OpenID provider (discovered with [`oidc::Oidc::discover`]).
    pub fn with_oidc(mut self, oidc: oidc::Oidc) -> Self {
        self.oidc = Some(Arc::new(oidc));
        self
    }

    /// Replaces the login brake's limits.
    pub fn with_login_limits(mut self, limits: login_limit::Limits) -> Self {
        self.login_limiter = Arc::new(login_limit::LoginLimiter::new(limits));
        self
    }
}

/// `http://localhost…` or `http://127.0.0.1…`: the only places where cookies may go without TLS.
pub fn is_local_http(base_url: &str) -> bool {
    let Some(rest) = base_url.strip_prefix("http://") else {
        return false;
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = host.rsplit_once(':').map(|(h, _)| h).unwrap_or(host);
    matches!(host, "localhost" | "127.0.0.1" | "[::1]")
}
