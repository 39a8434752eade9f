//! Portal clients: HMAC-SHA256 over `timestamp + "." + body`, a ±5 minute window on the App's
//! clock, and a replay ledger in the store so a signature is accepted once across processes.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::HeaderMap;
use chrono::{DateTime, Duration, Utc};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::ApiState;
use crate::body::read_bytes;
use crate::problem::Problem;
use fallwerk_core::app::App;
use fallwerk_core::model::PortalClient;

pub const CLIENT_HEADER: &str = "x-fallwerk-client";
pub const TIMESTAMP_HEADER: &str = "x-fallwerk-timestamp";
pub const SIGNATURE_HEADER: &str = "x-fallwerk-signature";
/// How far a request's timestamp may be from the server's clock, either way.
pub const WINDOW_SECONDS: i64 = 300;

type HmacSha256 = Hmac<Sha256>;

/// The `X-Fallwerk-Signature` value for a body sent at `timestamp` (what portals compute).
pub fn sign(secret: &str, timestamp: &str, body: &[u8]) -> String {
    match mac(secret, timestamp, body) {
        Some(mac) => format!("sha256={}", hex::encode(mac.finalize().into_bytes())),
        None => String::new(),
    }
}

/// HMAC accepts keys of any length, so this is `Some` in practice.
fn mac(secret: &str, timestamp: &str, body: &[u8]) -> Option<HmacSha256> {
    let mut mac = HmacSha256::new_from_slice(secret.as_bytes()).ok()?;
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(body);
    Some(mac)
}

/// The authenticated portal client of a request.
#[derive(Debug, Clone, PartialEq)]
pub struct PortalClientId(pub String);

/// A portal request whose signature, timestamp and freshness were verified; carries the raw body.
#[derive(Debug)]
pub struct SignedRequest {
    pub client: PortalClientId,
    pub headers: HeaderMap,
    pub body: Bytes,
}

/// One reason for all credential failures, so probing tells nothing about which part failed.
fn rejected() -> Problem {
    Problem::unauthorized("the request signature could not be verified")
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Result<&'a str, Problem> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| Problem::unauthorized(format!("missing header {name}")))
}

/// An active client by id, or 401.
pub async fn active_client(app: &App, id: &str) -> Result<PortalClient, Problem> {
    match app.store.portal_client(id).await.map_err(Problem::from)? {
        Some(c) if c.active => Ok(c),
        _ => {
            tracing::info!(reason = "unknown or inactive client", "portal auth failed");
            Err(rejected())
        }
    }
}

/// Compares two secrets in constant time (hashing first hides the length, too).
pub fn secrets_equal(given: &str, expected: &str) -> bool {
    let a = Sha256::digest(given.as_bytes());
    let b = Sha256::digest(expected.as_bytes());
    a.ct_eq(&b).into()
}

fn timestamp_in_window(raw: &str, now: DateTime<Utc>) -> Result<i64, Problem> {
    let ts: i64 = raw
        .parse()
        .map_err(|_| Problem::unauthorized("X-Fallwerk-Timestamp must be unix seconds"))?;
    // Checked: `i64::MIN + now` would wrap around to a small difference.
    let distance = now.timestamp().checked_sub(ts).and_then(i64::checked_abs);
    if distance.is_none_or(|d| d > WINDOW_SECONDS) {
        tracing::info!(reason = "stale timestamp", "portal auth failed");
        return Err(Problem::unauthorized(
            "X-Fallwerk-Timestamp is more than 5 minutes away from the server's clock",
        ));
    }
    Ok(ts)
}

fn verify_signature(
    secret: &str,
    timestamp: &str,
    body: &[u8],
    given: &str,
) -> Result<Vec<u8>, Problem> {
    let sig = given
        .strip_prefix("sha256=")
        .and_then(|h| hex::decode(h).ok())
        .ok_or_else(rejected)?;
    let mac = mac(secret, timestamp, body).ok_or_else(rejected)?;
    mac.verify_slice(&sig).map_err(|_| {
        tracing::info!(reason = "signature mismatch", "portal auth failed");
        rejected()
    })?;
    Ok(sig)
}

impl FromRequest<ApiState> for SignedRequest {
    type Rejection = Problem;

    async fn from_request(req: Request, state: &ApiState) -> Result<Self, Problem> {
        let headers = req.headers().clone();
        // The v1 signature covers timestamp and body only; the replay key adds method and path,
        // so a status and a messages GET signed in the same second are not taken for a replay.
        let target = format!("{} {}", req.method(), req.uri().path());
        let client_id = header(&headers, CLIENT_HEADER)?.to_string();
        let timestamp = header(&headers, TIMESTAMP_HEADER)?.to_string();
        let signature = header(&headers, SIGNATURE_HEADER)?.to_string();
        let now = state.app.clock.now();
        let ts = timestamp_in_window(&timestamp, now)?;
        let body = read_bytes(req).await?;
        let client = active_client(&state.app, &client_id).await?;
        let sig = verify_signature(&client.secret, &timestamp, &body, &signature)?;

        // A valid signature is good once: the ledger entry outlives the window.
        let expires = DateTime::<Utc>::from_timestamp(ts.max(now.timestamp()), 0).unwrap_or(now)
            + Duration::seconds(WINDOW_SECONDS + 60);
        let key = format!(
            "replay:{}:{}:{}",
            client.id,
            hex::encode(Sha256::digest(target.as_bytes())),
            hex::encode(sig)
        );
        let fresh = state
            .app
            .store
            .claim_message(&key, expires)
            .await
            .map_err(Problem::from)?;
        if !fresh {
            tracing::info!(reason = "replay", "portal auth failed");
            return Err(Problem::unauthorized(
                "this request was already received (replay)",
            ));
        }
        crate::telemetry::record_actor(&format!("portal:{}", client.id));
        Ok(SignedRequest {
            client: PortalClientId(client.id),
            headers,
            body,
        })
    }
}
