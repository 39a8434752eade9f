//! Caseworkers: bearer JWTs (HS256 with a local secret, or RS256 with keys from a JWKS file or
//! URL), mapped to the core `Caller`. Expiry is checked against the App's clock, like every
//! other time.

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use jsonwebtoken::jwk::{Jwk, JwkSet};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use crate::ApiState;
use crate::auth::jwks::{self, JwksError, RemoteJwks};
use crate::problem::Problem;
use fallwerk_core::app::{AppError, TokenIdentity, UserSource};
use fallwerk_core::case::{Caller, Role};
use fallwerk_events::Actor;

/// The claims fallwerk reads (and `mint_token` writes).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    #[serde(default)]
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// OIDC standard claims, used when users are created from tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family_name: Option<String>,
    #[serde(default)]
    pub org_units: Vec<String>,
    #[serde(default)]
    pub roles: Vec<String>,
    /// Expiry, unix seconds.
    pub exp: i64,
    /// Not before, unix seconds: a token is refused until then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<i64>,
    /// Issued at, unix seconds: with `exp` it gives the token's lifetime.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iat: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iss: Option<String>,
    /// A string or a list of strings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aud: Option<serde_json::Value>,
}

impl Claims {
    /// What the token says about its holder, for the user directory.
    pub fn identity(&self) -> TokenIdentity {
        TokenIdentity {
            sub: self.sub.clone(),
            name: self.name.clone(),
            given_name: self.given_name.clone(),
            family_name: self.family_name.clone(),
            email: self.email.clone(),
            org_units: self.org_units.clone(),
            roles: self.roles.clone(),
        }
    }

    /// The core caller as the claims alone describe it (the directory decides in requests): the account id is `sub`; unknown roles are ignored.
    pub fn caller(&self) -> Caller {
        Caller {
            actor: Actor::Caseworker(self.sub.clone()),
            roles: self.roles.iter().filter_map(|r| Role::parse(r)).collect(),
            org_units: self.org_units.clone(),
        }
    }
}

/// Where verification keys come from.
#[derive(Clone)]
pub enum JwtKeys {
    /// Embedded mode: one shared secret, HS256.
    Hs256(String),
    /// RS256 keys from a JWKS file (selected by `kid`).
    Jwks(JwkSet),
    /// Production: RS256 keys from the identity provider's JWKS URL, refetched on rotation.
    Remote(Arc<RemoteJwks>),
}

/// How caseworker tokens are verified.
#[derive(Clone)]
pub struct JwtConfig {
    pub keys: JwtKeys,
    pub issuer: Option<String>,
    pub audience: Option<String>,
    /// Tolerance for clock skew on `exp` and `nbf`.
    pub leeway_seconds: i64,
    /// Whether the user directory or the token's claims define the caller
    /// (`FALLWERK_USERS_FROM_TOKEN`); either way an unknown or inactive account gets 401.
    pub users: UserSource,
    /// The longest lifetime a token may have: `exp - iat`, or `exp - now` without `iat`
    /// (`FALLWERK_JWT_MAX_LIFETIME_HOURS`, default 12 h).
    pub max_lifetime_seconds: i64,
}

/// The default maximum token lifetime: one working day.
pub const DEFAULT_MAX_LIFETIME_SECONDS: i64 = 12 * 3600;

impl JwtConfig {
    pub fn hs256(secret: impl Into<String>) -> Self {
        JwtConfig {
            keys: JwtKeys::Hs256(secret.into()),
            issuer: None,
            audience: None,
            leeway_seconds: 30,
            users: UserSource::Directory,
            max_lifetime_seconds: DEFAULT_MAX_LIFETIME_SECONDS,
        }
    }

    /// RS256 keys from the JSON text of a JWKS document.
    pub fn jwks_json(text: &str) -> Result<Self, String> {
        let set: JwkSet = serde_json::from_str(text).map_err(|e| format!("invalid JWKS: {e}"))?;
        Ok(JwtConfig {
            keys: JwtKeys::Jwks(set),
            issuer: None,
            audience: None,
            leeway_seconds: 30,
            users: UserSource::Directory,
            max_lifetime_seconds: DEFAULT_MAX_LIFETIME_SECONDS,
        })
    }

    /// RS256 keys from a JWKS file.
    pub fn jwks_file(path: &std::path::Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        Self::jwks_json(&text)
    }

    /// RS256 keys from a JWKS URL, fetched now (`now`, unix seconds, starts the refetch
    /// interval of [`RemoteJwks`]).
    pub async fn jwks_url(url: &str, now: i64) -> Result<Self, JwksError> {
        let remote = RemoteJwks::fetch(url, now).await?;
        Ok(JwtConfig {
            keys: JwtKeys::Remote(Arc::new(remote)),
            issuer: None,
            audience: None,
            leeway_seconds: 30,
            users: UserSource::Directory,
            max_lifetime_seconds: DEFAULT_MAX_LIFETIME_SECONDS,
        })
    }

    pub fn with_issuer(mut self, iss: impl Into<String>) -> Self {
        self.issuer = Some(iss.into());
        self
    }

    pub fn with_audience(mut self, aud: impl Into<String>) -> Self {
        self.audience = Some(aud.into());
        self
    }

    pub fn with_users(mut self, users: UserSource) -> Self {
        self.users = users;
        self
    }

    pub fn with_max_lifetime(mut self, seconds: i64) -> Self {
        self.max_lifetime_seconds = seconds;
        self
    }

    fn validation(&self, alg: Algorithm) -> Validation {
        let mut v = Validation::new(alg);
        // `exp` is required but checked against the App's clock in `verify`, as is `nbf`.
        v.validate_exp = false;
        v.validate_nbf = false;
        let mut required = vec!["exp", "sub"];
        if let Some(iss) = &self.issuer {
            v.set_issuer(&[iss]);
            required.push("iss");
        }
        match &self.audience {
            Some(aud) => {
                v.set_audience(&[aud]);
                required.push("aud");
            }
            None => v.validate_aud = false,
        }
        // A configured issuer or audience must be present, not merely match when present.
        v.set_required_spec_claims(&required);
        v
    }

    /// Verifies signature, issuer, audience and expiry (at `now`, unix seconds). With a JWKS
    /// URL, a token naming an unknown key may refetch the key set first.
    pub async fn verify(&self, token: &str, now: i64) -> Result<Claims, Problem> {
        let invalid = |_| Problem::unauthorized("the bearer token is invalid");
        let unknown = || Problem::unauthorized("the bearer token's key is unknown");
        let rs256 = |jwk: &Jwk| {
            let key = DecodingKey::from_jwk(jwk).map_err(invalid)?;
            jsonwebtoken::decode::<Claims>(token, &key, &self.validation(Algorithm::RS256))
                .map_err(invalid)
        };
        let data = match &self.keys {
            JwtKeys::Hs256(secret) => jsonwebtoken::decode::<Claims>(
                token,
                &DecodingKey::from_secret(secret.as_bytes()),
                &self.validation(Algorithm::HS256),
            )
            .map_err(invalid)?,
            JwtKeys::Jwks(set) => {
                let header = rs256_header(token)?;
                rs256(jwks::find(set, header.kid.as_deref()).ok_or_else(unknown)?)?
            }
            JwtKeys::Remote(remote) => {
                let header = rs256_header(token)?;
                let jwk = remote.key(header.kid.as_deref(), now).await;
                rs256(&jwk.ok_or_else(unknown)?)?
            }
        };
        let claims = data.claims;
        if claims.exp.saturating_add(self.leeway_seconds) < now {
            return Err(Problem::unauthorized("the bearer token has expired"));
        }
        if claims
            .nbf
            .is_some_and(|nbf| nbf.saturating_sub(self.leeway_seconds) > now)
        {
            return Err(Problem::unauthorized("the bearer token is not valid yet"));
        }
        let issued = claims.iat.map_or(now, |iat| iat.min(now));
        if claims.exp.saturating_sub(issued)
            > self
                .max_lifetime_seconds
                .saturating_add(self.leeway_seconds)
        {
            return Err(Problem::unauthorized(
                "the bearer token's lifetime exceeds the maximum",
            ));
        }
        if claims.sub.trim().is_empty() {
            return Err(Problem::unauthorized("the bearer token has no subject"));
        }
        Ok(claims)
    }
}

/// The header of a token that claims RS256. Checked before any key lookup, so a token of another
/// algorithm can neither trigger a JWKS refetch nor be tried against an RSA key.
fn rs256_header(token: &str) -> Result<jsonwebtoken::Header, Problem> {
    let invalid = || Problem::unauthorized("the bearer token is invalid");
    let header = jsonwebtoken::decode_header(token).map_err(|_| invalid())?;
    if header.alg != Algorithm::RS256 {
        return Err(invalid());
    }
    Ok(header)
}

/// Signs `claims` with HS256 (embedded mode, `fallwerk token`, tests).
pub fn mint_token(secret: &str, claims: &Claims) -> Result<String, jsonwebtoken::errors::Error> {
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
}

/// The authenticated caseworker of a request.
#[derive(Debug, Clone)]
pub struct Caseworker(pub Caller);

impl FromRequestParts<ApiState> for Caseworker {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &ApiState) -> Result<Self, Problem> {
        let config: &Arc<JwtConfig> = state
            .jwt
            .as_ref()
            .ok_or_else(|| Problem::unauthorized("caseworker authentication is not configured"))?;
        let raw = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| Problem::unauthorized("missing Authorization: Bearer token"))?;
        let token = raw
            .split_once(' ')
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, t)| t.trim())
            .ok_or_else(|| Problem::unauthorized("missing Authorization: Bearer token"))?;
        let claims = config
            .verify(token, state.app.clock.now().timestamp())
            .await?;
        crate::telemetry::record_actor(&claims.sub);
        let caller = state
            .app
            .caller_for_token(&claims.identity(), config.users)
            .await
            .map_err(|e| match e {
                // A token whose claims cannot become a user (users from tokens) is not accepted.
                AppError::Invalid { .. } => {
                    Problem::unauthorized("the bearer token's claims do not describe a user")
                }
                other => Problem::from(other),
            })?
            .ok_or_else(|| {
                Problem::unauthorized("the bearer token's user is unknown or inactive")
            })?;
        Ok(Caseworker(caller))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(exp: i64) -> Claims {
        crate::testing::claims("u1", &["oe-1"], &["caseworker", "wizard"], exp)
    }

    #[tokio::test]
    async fn hs256_round_trip_maps_to_the_caller() {
        let cfg = JwtConfig::hs256("s3cret");
        let t = mint_token("s3cret", &claims(1_000)).expect("token");
        let c = cfg.verify(&t, 900).await.expect("valid").caller();
        assert_eq!(c.actor, Actor::Caseworker("u1".into()));
        assert_eq!(c.roles, vec![Role::Caseworker]);
        assert!(
            cfg.verify(&t, 1_000 + 31).await.is_err(),
            "expired beyond leeway"
        );
    }

    #[tokio::test]
    async fn not_before_is_enforced() {
        let cfg = JwtConfig::hs256("k");
        let mut c = claims(10_000);
        c.nbf = Some(5_000);
        let t = mint_token("k", &c).expect("t");
        let early = cfg.verify(&t, 4_000).await.expect_err("before nbf");
        assert!(early.detail.contains("not valid yet"), "{}", early.detail);
        assert!(cfg.verify(&t, 4_980).await.is_ok(), "within the leeway");
        assert!(cfg.verify(&t, 5_000).await.is_ok());
    }

    #[tokio::test]
    async fn lifetime_is_bounded() {
        let cfg = JwtConfig::hs256("k");
        let now = 1_000_000;
        // A 100-year token, with and without `iat`.
        let mut c = claims(now + 100 * 365 * 86_400);
        let t = mint_token("k", &c).expect("t");
        let long = cfg.verify(&t, now).await.expect_err("100 years");
        assert!(long.detail.contains("lifetime"), "{}", long.detail);
        c.iat = Some(now);
        assert!(
            cfg.verify(&mint_token("k", &c).expect("t"), now)
                .await
                .is_err()
        );
        // Issued long ago with a long lifetime: still refused although little of it is left.
        c.iat = Some(now - 30 * 86_400);
        c.exp = now + 3_600;
        assert!(
            cfg.verify(&mint_token("k", &c).expect("t"), now)
                .await
                .is_err()
        );
        // Twelve hours are fine; the setting allows more.
        c.iat = Some(now);
        c.exp = now + 12 * 3_600;
        let t = mint_token("k", &c).expect("t");
        assert!(cfg.verify(&t, now).await.is_ok());
        c.exp = now + 720 * 3_600;
        let t = mint_token("k", &c).expect("t");
        assert!(cfg.verify(&t, now).await.is_err());
        let cfg = cfg.with_max_lifetime(720 * 3_600);
        assert!(cfg.verify(&t, now).await.is_ok());
    }

    #[tokio::test]
    async fn issuer_and_audience_are_enforced_when_configured() {
        let cfg = JwtConfig::hs256("k")
            .with_issuer("idp")
            .with_audience("fallwerk");
        let mut c = claims(1_000);
        assert!(
            cfg.verify(&mint_token("k", &c).expect("t"), 0)
                .await
                .is_err()
        );
        c.iss = Some("idp".into());
        c.aud = Some(serde_json::json!(["fallwerk"]));
        assert!(
            cfg.verify(&mint_token("k", &c).expect("t"), 0)
                .await
                .is_ok()
        );
        c.aud = Some(serde_json::json!("other"));
        assert!(
            cfg.verify(&mint_token("k", &c).expect("t"), 0)
                .await
                .is_err()
        );
    }

    #[tokio::test]
    async fn a_jwks_config_refuses_hs256_tokens() {
        let cfg = JwtConfig::jwks_json(r#"{"keys": []}"#).expect("jwks");
        let t = mint_token("k", &claims(1_000)).expect("t");
        assert!(cfg.verify(&t, 0).await.is_err());
    }
}
