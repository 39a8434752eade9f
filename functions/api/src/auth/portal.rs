//! Portal clients: HMAC-SHA256 signatures, a ±5 minute window on the App's clock, and a replay
//! ledger in the store so a signed write is accepted once across processes.
//!
//! Version 2 (`X-Fallwerk-Signature-Version: 2`, docs/PORTAL-SIGNING.md) signs
//! `fallwerk-v2\n{METHOD}\n{normalised path and query}\n{timestamp}\n{client id}\n{hex
//! SHA-256 of the body}`, so a signature is bound to one request. Version 1 (no version header)
//! signs `timestamp + "." + body` only; a client may use it only while its record allows it
//! (`allow_signature_v1`, for a migration), and every use is logged as deprecated.

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
use fallwerk_core::app::{App, SignatureClaim};
use fallwerk_core::model::PortalClient;

pub const CLIENT_HEADER: &str = "x-fallwerk-client";
pub const TIMESTAMP_HEADER: &str = "x-fallwerk-timestamp";
pub const SIGNATURE_HEADER: &str = "x-fallwerk-signature";
pub const VERSION_HEADER: &str = "x-fallwerk-signature-version";
/// How far a request's timestamp may be from the server's clock, either way.
pub const WINDOW_SECONDS: i64 = 300;

type HmacSha256 = Hmac<Sha256>;

/// The signature versions a portal request can carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureVersion {
    /// `timestamp.body`; deprecated, allowed per client for a migration.
    V1,
    /// Method, normalised path and query, timestamp, client id and body digest.
    V2,
}

fn signature_version(headers: &HeaderMap) -> Result<SignatureVersion, Problem> {
    match headers
        .get(VERSION_HEADER)
        .map(|v| v.to_str().map(str::trim))
    {
        None => Ok(SignatureVersion::V1),
        Some(Ok("2")) => Ok(SignatureVersion::V2),
        Some(Ok("1")) => Ok(SignatureVersion::V1),
        Some(_) => Err(Problem::unauthorized(
            "X-Fallwerk-Signature-Version must be 2",
        )),
    }
}

/// The v1 `X-Fallwerk-Signature` value for a body sent at `timestamp` (deprecated).
pub fn sign(secret: &str, timestamp: &str, body: &[u8]) -> String {
    let mut signed = timestamp.as_bytes().to_vec();
    signed.push(b'.');
    signed.extend_from_slice(body);
    signature_of(secret, &signed)
}

/// The v2 `X-Fallwerk-Signature` value (what portals compute): `target` is the path with its
/// query as sent; it is normalised here the way the server does.
pub fn sign_v2(
    secret: &str,
    method: &str,
    target: &str,
    timestamp: &str,
    client_id: &str,
    body: &[u8],
) -> String {
    let target = match target.parse::<axum::http::Uri>() {
        Ok(uri) => normalise_target(&uri),
        Err(_) => target.to_string(),
    };
    signature_of(
        secret,
        v2_string(method, &target, timestamp, client_id, body).as_bytes(),
    )
}

/// The string a v2 signature covers.
pub fn v2_string(
    method: &str,
    target: &str,
    timestamp: &str,
    client_id: &str,
    body: &[u8],
) -> String {
    format!(
        "fallwerk-v2\n{}\n{target}\n{timestamp}\n{client_id}\n{}",
        method.to_ascii_uppercase(),
        hex::encode(Sha256::digest(body))
    )
}

fn signature_of(secret: &str, signed: &[u8]) -> String {
    match mac(secret, signed) {
        Some(mac) => format!("sha256={}", hex::encode(mac.finalize().into_bytes())),
        None => String::new(),
    }
}

/// The capability in an embedded upload slot's URL: HMAC-SHA256 with the client's secret over
/// what the slot allows (which upload, how many bytes, which checksum, until when).
pub fn upload_signature(
    secret: &str,
    client_id: &str,
    upload_id: &str,
    size: u64,
    sha256: &str,
    expires: i64,
) -> String {
    let signed =
        format!("fallwerk-upload-v1\n{client_id}\n{upload_id}\n{size}\n{sha256}\n{expires}");
    match mac(secret, signed.as_bytes()) {
        Some(mac) => hex::encode(mac.finalize().into_bytes()),
        None => String::new(),
    }
}

/// HMAC accepts keys of any length, so this is `Some` in practice.
fn mac(secret: &str, signed: &[u8]) -> Option<HmacSha256> {
    mac_of_parts(secret, &[signed])
}

/// The HMAC of `parts` one after the other, without copying them into one buffer first (a v1
/// signature covers the whole body).
fn mac_of_parts(secret: &str, parts: &[&[u8]]) -> Option<HmacSha256> {
    let mut mac = HmacSha256::new_from_slice(secret.as_bytes()).ok()?;
    for part in parts {
        mac.update(part);
    }
    Some(mac)
}

/// Path and query in their normal form (RFC 3986 §6.2.2): percent-encoded unreserved
/// characters are decoded, the remaining escapes get upper-case hex, an empty path is `/`.
/// `/v1/cases/ab%63` and `/v1/cases/abc` are one request.
pub fn normalise_target(uri: &axum::http::Uri) -> String {
    let path = match uri.path() {
        "" => "/",
        p => p,
    };
    let mut out = normalise_escapes(path);
    if let Some(q) = uri.query() {
        out.push('?');
        out.push_str(&normalise_escapes(q));
    }
    out
}

fn normalise_escapes(raw: &str) -> String {
    let bytes = raw.as_bytes();
    let mut out = String::with_capacity(raw.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(h), Some(l)) = (hex_val(bytes[i + 1]), hex_val(bytes[i + 2]))
        {
            let b = h * 16 + l;
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
                out.push(b as char);
            } else {
                out.push('%');
                out.push(bytes[i + 1].to_ascii_uppercase() as char);
                out.push(bytes[i + 2].to_ascii_uppercase() as char);
            }
            i += 3;
        } else {
            // `Uri` only holds ASCII, so byte-wise copying keeps the text intact.
            out.push(bytes[i] as char);
            i += 1;
        }
    }
    out
}

fn hex_val(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
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

/// A verified portal request whose signature is not claimed yet: for intake only, which hands
/// the claim to `App::submit_claimed` so it is made while the documents are written. Every other
/// route takes [`SignedRequest`], which claims before the route runs.
#[derive(Debug)]
pub struct SignedSubmission {
    pub request: SignedRequest,
    /// `None` only for reads, which are not claimed.
    pub claim: Option<SignatureClaim>,
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
    match app.portal_client(id).await.map_err(Problem::from)? {
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

fn verify_signature(secret: &str, signed: &[&[u8]], given: &str) -> Result<Vec<u8>, Problem> {
    let sig = given
        .strip_prefix("sha256=")
        .and_then(|h| hex::decode(h).ok())
        .ok_or_else(rejected)?;
    let mac = mac_of_parts(secret, signed).ok_or_else(rejected)?;
    mac.verify_slice(&sig).map_err(|_| {
        tracing::info!(reason = "signature mismatch", "portal auth failed");
        rejected()
    })?;
    Ok(sig)
}

/// Headers, timestamp, client and signature version are checked before a byte of the body is
/// read: an unknown client or a stale request costs no memory. Then the body is read within the
/// route's limit and the signature verified. The claim that makes the signature one-time is
/// returned, not made.
async fn verify(req: Request, state: &ApiState) -> Result<SignedSubmission, Problem> {
    let headers = req.headers().clone();
    let method = req.method().as_str().to_string();
    let target = normalise_target(req.uri());
    let client_id = header(&headers, CLIENT_HEADER)?.to_string();
    let timestamp = header(&headers, TIMESTAMP_HEADER)?.to_string();
    let signature = header(&headers, SIGNATURE_HEADER)?.to_string();
    let version = signature_version(&headers)?;
    let now = state.app.clock.now();
    let ts = timestamp_in_window(&timestamp, now)?;
    let client = active_client(&state.app, &client_id).await?;
    if version == SignatureVersion::V1 {
        if !client.allow_signature_v1 {
            tracing::info!(reason = "signature v1 not allowed", "portal auth failed");
            return Err(rejected());
        }
        tracing::warn!(
            client = %crate::telemetry::safe_id(&client.id),
            "portal signature v1 is deprecated: sign with version 2"
        );
    }
    let body = read_bytes(req).await?;

    // The replay key is the normalised signed request: re-encoding the path gives no new
    // key. v2 reads (GET, HEAD) are not claimed: reading again within the window is what a
    // portal does and changes nothing. v1 signatures do not bind the request, so every v1
    // request stays one-shot.
    let key = match version {
        SignatureVersion::V2 => {
            let signed = v2_string(&method, &target, &timestamp, &client.id, &body);
            verify_signature(&client.secret, &[signed.as_bytes()], &signature)?;
            if matches!(method.as_str(), "GET" | "HEAD") {
                None
            } else {
                Some(format!(
                    "replay2:{}:{}",
                    client.id,
                    hex::encode(Sha256::digest(signed.as_bytes()))
                ))
            }
        }
        SignatureVersion::V1 => {
            let signed: [&[u8]; 3] = [timestamp.as_bytes(), b".", &body];
            let sig = verify_signature(&client.secret, &signed, &signature)?;
            Some(format!(
                "replay:{}:{}:{}",
                client.id,
                hex::encode(Sha256::digest(format!("{method} {target}").as_bytes())),
                hex::encode(sig)
            ))
        }
    };
    // A valid signature is good once: the ledger entry outlives the window.
    let claim = key.map(|key| SignatureClaim {
        key,
        expires: DateTime::<Utc>::from_timestamp(ts.max(now.timestamp()), 0).unwrap_or(now)
            + Duration::seconds(WINDOW_SECONDS + 60),
    });
    crate::telemetry::record_actor(&format!("portal:{}", client.id));
    Ok(SignedSubmission {
        request: SignedRequest {
            client: PortalClientId(client.id),
            headers,
            body,
        },
        claim,
    })
}

impl FromRequest<ApiState> for SignedSubmission {
    type Rejection = Problem;

    async fn from_request(req: Request, state: &ApiState) -> Result<Self, Problem> {
        verify(req, state).await
    }
}

impl FromRequest<ApiState> for SignedRequest {
    type Rejection = Problem;

    /// Verifies the request and claims its signature before the route runs.
    async fn from_request(req: Request, state: &ApiState) -> Result<Self, Problem> {
        let SignedSubmission { request, claim } = verify(req, state).await?;
        if let Some(claim) = claim {
            state.app.claim_signature(&claim).await?;
        }
        Ok(request)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_are_normalised() {
        let n = |s: &str| normalise_target(&s.parse().expect("uri"));
        assert_eq!(n("/v1/cases/ab%63/status"), "/v1/cases/abc/status");
        assert_eq!(n("/v1/cases/%61%62c/status"), "/v1/cases/abc/status");
        assert_eq!(n("/a%2fb?x=%7e%2f"), "/a%2Fb?x=~%2F");
        assert_eq!(n("/v1/cases?limit=5"), "/v1/cases?limit=5");
        assert_eq!(n("/bad%zz%4"), "/bad%zz%4");
    }

    #[test]
    fn the_worked_example_of_the_guide() {
        // docs/PORTAL-SIGNING.md: keep both in step.
        let body = br#"{"subject":"Nachweis","text":"anbei"}"#;
        let signed = v2_string(
            "POST",
            "/v1/cases/0b6c6f2e-4d0f-4b7e-9a51-1f7a3c2d9e10/replies",
            "1767225600",
            "portal-1",
            body,
        );
        assert_eq!(
            signed,
            "fallwerk-v2\nPOST\n/v1/cases/0b6c6f2e-4d0f-4b7e-9a51-1f7a3c2d9e10/replies\n1767225600\nportal-1\n".to_string()
                + &hex::encode(Sha256::digest(body))
        );
        let sig = sign_v2(
            "example-secret-0123456789abcdef0123456789",
            "POST",
            "/v1/cases/0b6c6f2e-4d0f-4b7e-9a51-1f7a3c2d9e10/replies",
            "1767225600",
            "portal-1",
            body,
        );
        assert_eq!(
            sig,
            "sha256=3e5a3cf181bdabae22b52c32ac405372388d0c50690e631ac52b41e18e16748b"
        );
    }
}
