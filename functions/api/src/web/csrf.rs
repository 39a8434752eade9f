//! CSRF protection: every form carries the session's token in a hidden field `csrf`; a POST
//! without it, or with another session's, is refused with a German 403 page. The token is an
//! HMAC of the session's nonce, so nothing is stored and a new login makes old forms invalid.

use axum::response::Response;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

use super::WebConfig;
use super::form::Fields;
use super::session::{Session, SessionData};

/// The token of a session.
pub fn token(config: &WebConfig, data: &SessionData) -> String {
    let mut m = Hmac::<Sha256>::new_from_slice(&config.session_secret)
        .unwrap_or_else(|_| unreachable!("HMAC takes any key"));
    m.update(b"csrf\0");
    m.update(data.nonce.as_bytes());
    hex::encode(m.finalize().into_bytes())
}

/// Checks the form's `csrf` field against the session (constant time); the 403 page when it
/// is missing or wrong.
pub fn refused(session: &Session, fields: &Fields) -> Option<Response> {
    let presented = fields.get("csrf").unwrap_or("");
    if !presented.is_empty() && bool::from(presented.as_bytes().ct_eq(session.csrf.as_bytes())) {
        None
    } else {
        Some(super::error_page::csrf_refused(session))
    }
}
