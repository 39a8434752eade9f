//! Login through the authority's identity provider (Keycloak, ADFS, …): the OpenID Connect
//! authorization code flow with PKCE (S256), `state` and `nonce`.
//!
//! - Start-up reads the provider's discovery document (`{issuer}/.well-known/openid-configuration`)
//!   and its key set (`jwks_uri`), so a wrong issuer fails the start, not the first login.
//! - `GET /login/oidc` creates state, nonce and code verifier, keeps them in a short-lived signed
//!   cookie (no server-side state, so every Lambda sandbox can finish a login another began) and
//!   sends the browser to the provider.
//! - `GET /login/oidc/callback` checks the state against that cookie, redeems the code with the
//!   verifier and the client secret, verifies the id_token (signature from the JWKS, `iss`, `aud`,
//!   `exp`, `nonce`) and then decides like the API: the token's `sub` is the account id, the user
//!   directory decides org units and roles, an unknown or inactive account is refused (unless users
//!   come from tokens, `FALLWERK_USERS_FROM_TOKEN=1`).

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use minijinja::context;
use reqwest::Url;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::WebConfig;
use super::form::safe_next;
use super::render;
use super::session::{Replace, Session, SessionData};
use crate::ApiState;
use crate::auth::JwtConfig;
use fallwerk_core::app::UserSource;

/// The path the provider sends the browser back to (below `FALLWERK_CASEWORKER_URL`).
pub const CALLBACK_PATH: &str = "/login/oidc/callback";

/// A login must come back from the provider within this time.
const FLOW_SECONDS: i64 = 10 * 60;

/// Bound on each call to the provider (discovery, token), so a hanging provider costs seconds.
const CALL_TIMEOUT: Duration = Duration::from_secs(10);

/// What the operator configures (`FALLWERK_OIDC_ISSUER`, `FALLWERK_OIDC_CLIENT_ID`,
/// `FALLWERK_OIDC_CLIENT_SECRET`; the redirect URL follows from `FALLWERK_CASEWORKER_URL`).
#[derive(Clone)]
pub struct OidcSettings {
    pub issuer: String,
    pub client_id: String,
    pub client_secret: String,
    /// `{FALLWERK_CASEWORKER_URL}/login/oidc/callback`, registered at the provider.
    pub redirect_url: String,
}

impl std::fmt::Debug for OidcSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the client secret.
        f.debug_struct("OidcSettings")
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("redirect_url", &self.redirect_url)
            .finish_non_exhaustive()
    }
}

impl OidcSettings {
    /// The settings with the redirect URL derived from the workplace's public base URL.
    pub fn new(
        issuer: &str,
        client_id: &str,
        client_secret: &str,
        caseworker_url: &str,
    ) -> OidcSettings {
        OidcSettings {
            issuer: issuer.trim().trim_end_matches('/').to_string(),
            client_id: client_id.trim().to_string(),
            client_secret: client_secret.trim().to_string(),
            redirect_url: format!("{}{CALLBACK_PATH}", caseworker_url.trim_end_matches('/')),
        }
    }
}

/// The provider could not be used. Messages name URLs (public), never the secret.
#[derive(Debug, thiserror::Error)]
pub enum OidcError {
    #[error("{0} must use https (plain http only for a loopback host)")]
    Insecure(String),
    #[error("cannot read the discovery document {url}: {reason}")]
    Discovery { url: String, reason: String },
    #[error("the discovery document names the issuer {found}, configured is {configured}")]
    IssuerMismatch { configured: String, found: String },
    #[error("the provider's keys: {0}")]
    Keys(String),
    #[error("client id and client secret must not be empty")]
    Client,
}

/// The parts of the discovery document a code flow needs.
#[derive(Debug, Deserialize)]
struct Discovery {
    issuer: String,
    authorization_endpoint: String,
    token_endpoint: String,
    jwks_uri: String,
}

/// A discovered provider, ready for logins.
pub struct Oidc {
    settings: OidcSettings,
    authorization_endpoint: Url,
    token_endpoint: Url,
    /// Verifies id_tokens: RS256 keys from `jwks_uri`, `iss` = the issuer, `aud` ∋ the client id.
    id_tokens: JwtConfig,
    http: reqwest::Client,
}

impl std::fmt::Debug for Oidc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Oidc")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

fn endpoint(url: &str) -> Result<Url, OidcError> {
    let parsed = Url::parse(url.trim()).map_err(|_| OidcError::Insecure(url.to_string()))?;
    if crate::auth::jwks::allowed(&parsed) {
        Ok(parsed)
    } else {
        Err(OidcError::Insecure(url.to_string()))
    }
}

impl Oidc {
    /// Reads the discovery document and the key set (at `now`, unix seconds).
    pub async fn discover(
        settings: OidcSettings,
        users: UserSource,
        now: i64,
    ) -> Result<Oidc, OidcError> {
        if settings.client_id.is_empty() || settings.client_secret.is_empty() {
            return Err(OidcError::Client);
        }
        let url = format!("{}/.well-known/openid-configuration", settings.issuer);
        endpoint(&url)?;
        let http = reqwest::Client::builder()
            .timeout(CALL_TIMEOUT)
            .connect_timeout(CALL_TIMEOUT)
            // Token answers are never redirected; a redirect here is an error, not a hop.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| OidcError::Discovery {
                url: url.clone(),
                reason: e.to_string(),
            })?;
        let failed = |reason: String| OidcError::Discovery {
            url: url.clone(),
            reason,
        };
        let res = http
            .get(&url)
            .header(header::ACCEPT.as_str(), "application/json")
            .send()
            .await
            .map_err(|e| failed(e.without_url().to_string()))?;
        if !res.status().is_success() {
            return Err(failed(format!("HTTP {}", res.status().as_u16())));
        }
        let doc: Discovery = res
            .json()
            .await
            .map_err(|e| failed(e.without_url().to_string()))?;
        // OpenID Connect Discovery 1.0 §4.3: the document's issuer is exactly the configured one.
        if doc.issuer.trim_end_matches('/') != settings.issuer {
            return Err(OidcError::IssuerMismatch {
                configured: settings.issuer.clone(),
                found: doc.issuer,
            });
        }
        let authorization_endpoint = endpoint(&doc.authorization_endpoint)?;
        let token_endpoint = endpoint(&doc.token_endpoint)?;
        let id_tokens = JwtConfig::jwks_url(&doc.jwks_uri, now)
            .await
            .map_err(|e| OidcError::Keys(e.to_string()))?
            .with_issuer(doc.issuer.clone())
            .with_audience(settings.client_id.clone())
            .with_users(users);
        tracing::info!(issuer = %settings.issuer, "OpenID provider discovered");
        Ok(Oidc {
            settings,
            authorization_endpoint,
            token_endpoint,
            id_tokens,
            http,
        })
    }

    /// Where the browser goes to log in, for a flow with these secrets.
    fn authorization_url(&self, flow: &Flow) -> String {
        let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(flow.verifier.as_bytes()));
        let mut url = self.authorization_endpoint.clone();
        url.query_pairs_mut()
            .append_pair("response_type", "code")
            .append_pair("client_id", &self.settings.client_id)
            .append_pair("redirect_uri", &self.settings.redirect_url)
            .append_pair("scope", "openid profile email")
            .append_pair("state", &flow.state)
            .append_pair("nonce", &flow.nonce)
            .append_pair("code_challenge", &challenge)
            .append_pair("code_challenge_method", "S256");
        url.into()
    }

    /// Redeems the code (client_secret_basic, RFC 6749 §2.3.1) and returns the id_token.
    async fn redeem(&self, code: &str, verifier: &str) -> Result<String, String> {
        #[derive(Deserialize)]
        struct TokenAnswer {
            id_token: Option<String>,
        }
        let form = [
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", &self.settings.redirect_url),
            ("code_verifier", verifier),
        ];
        let body = form
            .iter()
            .map(|(k, v)| format!("{k}={}", form_encode(v)))
            .collect::<Vec<_>>()
            .join("&");
        let res = self
            .http
            .post(self.token_endpoint.clone())
            .basic_auth(
                form_encode(&self.settings.client_id),
                Some(form_encode(&self.settings.client_secret)),
            )
            .header(
                header::CONTENT_TYPE.as_str(),
                "application/x-www-form-urlencoded",
            )
            .header(header::ACCEPT.as_str(), "application/json")
            .body(body)
            .send()
            .await
            .map_err(|e| e.without_url().to_string())?;
        let status = res.status();
        if !status.is_success() {
            // The provider's error code (invalid_grant, …) is safe to log; the body has no secrets.
            let text = res.text().await.unwrap_or_default();
            return Err(format!(
                "HTTP {}: {}",
                status.as_u16(),
                text.chars().take(200).collect::<String>()
            ));
        }
        let answer: TokenAnswer = res.json().await.map_err(|e| e.to_string())?;
        answer
            .id_token
            .ok_or_else(|| "the token answer has no id_token".to_string())
    }
}

/// `application/x-www-form-urlencoded` encoding of one value.
fn form_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The secrets of one login in flight, kept in the flow cookie.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Flow {
    state: String,
    nonce: String,
    /// PKCE code verifier (RFC 7636): 64 characters from the unreserved set.
    verifier: String,
    /// Where to go after the login.
    next: String,
    /// Started at (unix seconds).
    iat: i64,
}

/// 244 random bits as 64 hex characters (two v4 UUIDs from the OS's random source).
fn random_token() -> String {
    format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    )
}

impl Flow {
    fn new(next: String, now: i64) -> Flow {
        Flow {
            state: random_token(),
            nonce: random_token(),
            verifier: random_token(),
            next,
            iat: now,
        }
    }
}

/// The flow cookie's name (`__Host-` where cookies are `Secure`).
fn flow_cookie_name(config: &WebConfig) -> &'static str {
    if config.secure_cookies {
        "__Host-fallwerk-oidc"
    } else {
        "fallwerk-oidc"
    }
}

fn flow_mac(config: &WebConfig, body: &str) -> Hmac<Sha256> {
    let mut m = Hmac::<Sha256>::new_from_slice(&config.session_secret)
        .unwrap_or_else(|_| unreachable!("HMAC takes any key"));
    // Domain separation: a flow cookie can never pass as a session cookie, nor the reverse.
    m.update(b"oidc-flow\0");
    m.update(body.as_bytes());
    m
}

fn encode_flow(config: &WebConfig, flow: &Flow) -> String {
    let body = URL_SAFE_NO_PAD.encode(serde_json::to_vec(flow).unwrap_or_default());
    let sig = hex::encode(flow_mac(config, &body).finalize().into_bytes());
    format!("{body}.{sig}")
}

fn decode_flow(config: &WebConfig, value: &str, now: i64) -> Option<Flow> {
    let (body, sig) = value.split_once('.')?;
    flow_mac(config, body)
        .verify_slice(&hex::decode(sig).ok()?)
        .ok()?;
    let flow: Flow = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(body).ok()?).ok()?;
    (flow.iat <= now + 60 && now - flow.iat <= FLOW_SECONDS).then_some(flow)
}

/// `Set-Cookie` for the flow (or, with `None`, its removal). SameSite=Lax: the provider's
/// redirect back is a top-level GET, which carries Lax cookies.
fn flow_cookie(config: &WebConfig, flow: Option<&Flow>) -> Option<HeaderValue> {
    let secure = if config.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let (value, max_age) = match flow {
        Some(f) => (encode_flow(config, f), FLOW_SECONDS),
        None => (String::new(), 0),
    };
    HeaderValue::from_str(&format!(
        "{}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}",
        flow_cookie_name(config)
    ))
    .ok()
}

fn cookie<'a>(headers: &'a axum::http::HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

#[derive(Debug, Default, Deserialize)]
pub struct StartParams {
    pub next: Option<String>,
}

/// `GET /login/oidc`: off to the provider.
pub async fn start(
    State(state): State<ApiState>,
    session: Session,
    Query(p): Query<StartParams>,
) -> Response {
    let (Some(config), Some(oidc)) = (state.web.clone(), oidc_of(&state)) else {
        return super::error_page::not_found(&session);
    };
    let next = safe_next(p.next.as_deref());
    if session.user.is_some() {
        return Redirect::to(&next).into_response();
    }
    let flow = Flow::new(next, state.app.clock.now().timestamp());
    let mut res = Redirect::to(&oidc.authorization_url(&flow)).into_response();
    if let Some(c) = flow_cookie(&config, Some(&flow)) {
        res.headers_mut().append(header::SET_COOKIE, c);
    }
    res
}

fn oidc_of(state: &ApiState) -> Option<Arc<Oidc>> {
    state.web.as_ref().and_then(|w| w.oidc.clone())
}

#[derive(Debug, Default, Deserialize)]
pub struct CallbackParams {
    pub code: Option<String>,
    pub state: Option<String>,
    pub error: Option<String>,
    /// RFC 9207: the provider names itself; when present it must be ours (mix-up defence).
    pub iss: Option<String>,
}

/// Why a login through the provider did not end in a session; each becomes a German page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// No flow cookie, a forged or expired one, or a `state` that is not this browser's.
    FlowInvalid,
    /// The provider reported an error (the person cancelled, consent refused, …).
    ProviderError,
    /// Code redemption failed or the id_token did not verify (signature, iss, aud, exp, nonce).
    TokenInvalid,
    /// The account is unknown to the user directory or deactivated.
    NoAccess,
}

impl Refusal {
    fn status(self) -> StatusCode {
        match self {
            Refusal::FlowInvalid => StatusCode::BAD_REQUEST,
            Refusal::ProviderError => StatusCode::UNAUTHORIZED,
            Refusal::TokenInvalid => StatusCode::BAD_GATEWAY,
            Refusal::NoAccess => StatusCode::FORBIDDEN,
        }
    }

    fn slug(self) -> &'static str {
        match self {
            Refusal::FlowInvalid => "oidc-flow",
            Refusal::ProviderError => "oidc-provider",
            Refusal::TokenInvalid => "oidc-token",
            Refusal::NoAccess => "oidc-no-access",
        }
    }

    fn text(self) -> (&'static str, &'static str) {
        match self {
            Refusal::FlowInvalid => (
                "Anmeldung nicht abgeschlossen",
                "Die Anmeldung ist abgelaufen oder wurde nicht in diesem Browser begonnen. Aus Sicherheitsgründen wurde sie nicht übernommen. Bitte melden Sie sich erneut an.",
            ),
            Refusal::ProviderError => (
                "Anmeldung abgebrochen",
                "Der Anmeldedienst Ihrer Behörde hat die Anmeldung nicht bestätigt, zum Beispiel weil sie abgebrochen wurde. Bitte melden Sie sich erneut an.",
            ),
            Refusal::TokenInvalid => (
                "Anmeldung nicht bestätigt",
                "Die Antwort des Anmeldedienstes konnte nicht geprüft werden. Bitte versuchen Sie es noch einmal. Besteht das Problem weiter, wenden Sie sich an Ihre IT-Betreuung.",
            ),
            Refusal::NoAccess => (
                "Kein Zugang zur Fallbearbeitung",
                "Sie sind beim Anmeldedienst angemeldet, aber für die Fallbearbeitung ist kein aktives Konto für Sie eingerichtet. Wenden Sie sich bitte an Ihre Administration.",
            ),
        }
    }
}

fn refused(config: &WebConfig, session: &Session, why: Refusal) -> Response {
    let (heading, explanation) = why.text();
    let mut res = render::page(
        why.status(),
        "error.html",
        session,
        heading,
        context! { heading, explanation, kind => why.slug(), login_again => true },
    );
    // The flow is used up either way; no session is started.
    if let Some(c) = flow_cookie(config, None) {
        res.headers_mut().append(header::SET_COOKIE, c);
    }
    res
}

/// `GET /login/oidc/callback`: the provider's answer.
pub async fn callback(
    State(state): State<ApiState>,
    session: Session,
    headers: axum::http::HeaderMap,
    Query(p): Query<CallbackParams>,
) -> Response {
    let (Some(config), Some(oidc)) = (state.web.clone(), oidc_of(&state)) else {
        return super::error_page::not_found(&session);
    };
    let now = state.app.clock.now().timestamp();
    let flow =
        cookie(&headers, flow_cookie_name(&config)).and_then(|v| decode_flow(&config, v, now));
    let Some(flow) = flow else {
        return refused(&config, &session, Refusal::FlowInvalid);
    };
    let presented = p.state.as_deref().unwrap_or("");
    if !bool::from(presented.as_bytes().ct_eq(flow.state.as_bytes())) {
        tracing::warn!("OpenID login refused: state does not match");
        return refused(&config, &session, Refusal::FlowInvalid);
    }
    if p.iss
        .as_deref()
        .is_some_and(|iss| iss.trim_end_matches('/') != oidc.settings.issuer)
    {
        tracing::warn!("OpenID login refused: the answer names another issuer");
        return refused(&config, &session, Refusal::TokenInvalid);
    }
    if let Some(error) = p.error.as_deref() {
        tracing::info!(error = %error.chars().take(64).collect::<String>(), "OpenID provider reported an error");
        return refused(&config, &session, Refusal::ProviderError);
    }
    let Some(code) = p.code.as_deref().filter(|c| !c.is_empty()) else {
        return refused(&config, &session, Refusal::ProviderError);
    };
    let id_token = match oidc.redeem(code, &flow.verifier).await {
        Ok(t) => t,
        Err(reason) => {
            tracing::warn!(%reason, "OpenID code redemption failed");
            return refused(&config, &session, Refusal::TokenInvalid);
        }
    };
    let claims = match oidc.id_tokens.verify(&id_token, now).await {
        Ok(c) => c,
        Err(p) => {
            tracing::warn!(reason = %p.detail, "OpenID id_token refused");
            return refused(&config, &session, Refusal::TokenInvalid);
        }
    };
    // `verify` checked the signature of exactly this payload; the nonce is read from it here.
    let nonce = token_nonce(&id_token);
    if !nonce.is_some_and(|n| bool::from(n.as_bytes().ct_eq(flow.nonce.as_bytes()))) {
        tracing::warn!("OpenID id_token refused: nonce does not match");
        return refused(&config, &session, Refusal::TokenInvalid);
    }
    crate::telemetry::record_actor(&claims.sub);
    match state
        .app
        .caller_for_token(&claims.identity(), oidc.id_tokens.users)
        .await
    {
        Ok(Some(_)) => {
            tracing::info!("OpenID login");
            let mut res = Redirect::to(&flow.next).into_response();
            res.extensions_mut()
                .insert(Replace(SessionData::signed_in(claims.sub, now)));
            if let Some(c) = flow_cookie(&config, None) {
                res.headers_mut().append(header::SET_COOKIE, c);
            }
            res
        }
        Ok(None) => {
            tracing::warn!("OpenID login refused: account unknown or inactive");
            refused(&config, &session, Refusal::NoAccess)
        }
        Err(fallwerk_core::app::AppError::Invalid { .. }) => {
            // Users from tokens, but the claims describe no valid user.
            refused(&config, &session, Refusal::NoAccess)
        }
        Err(e) => {
            tracing::error!(error = %e, "user directory unavailable");
            super::error_page::internal()
        }
    }
}

/// The `nonce` claim of a (verified) JWT's payload.
fn token_nonce(token: &str) -> Option<String> {
    #[derive(Deserialize)]
    struct Nonce {
        nonce: Option<String>,
    }
    let payload = token.split('.').nth(1)?;
    let bytes = URL_SAFE_NO_PAD.decode(payload).ok()?;
    serde_json::from_slice::<Nonce>(&bytes).ok()?.nonce
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
    fn a_flow_cookie_round_trips_and_is_refused_when_changed_old_or_foreign() {
        let c = config();
        let flow = Flow::new("/cases/1".into(), 1_000);
        let v = encode_flow(&c, &flow);
        assert_eq!(decode_flow(&c, &v, 1_100), Some(flow.clone()));
        assert_eq!(
            decode_flow(&c, &v, 1_000 + FLOW_SECONDS + 1),
            None,
            "expired"
        );
        let other = Flow::new("/".into(), 1_000);
        let forged = format!(
            "{}.{}",
            encode_flow(&c, &other).split_once('.').expect("dot").0,
            v.split_once('.').expect("dot").1
        );
        assert_eq!(decode_flow(&c, &forged, 1_100), None, "forged body");
        // A session cookie signed with the same secret does not pass as a flow.
        let session = super::super::session::encode(&c, &SessionData::signed_in("a".into(), 1_000));
        assert_eq!(decode_flow(&c, &session, 1_100), None);
    }

    #[test]
    fn flows_have_distinct_long_secrets() {
        let a = Flow::new("/".into(), 0);
        let b = Flow::new("/".into(), 0);
        assert_ne!(a.state, b.state);
        assert_ne!(a.nonce, a.state);
        // RFC 7636 §4.1: 43 to 128 characters.
        assert!((43..=128).contains(&a.verifier.len()));
    }

    #[test]
    fn the_nonce_is_read_from_the_payload() {
        let payload = URL_SAFE_NO_PAD.encode(br#"{"sub":"a","nonce":"n-1"}"#);
        assert_eq!(
            token_nonce(&format!("h.{payload}.s")).as_deref(),
            Some("n-1")
        );
        let without = URL_SAFE_NO_PAD.encode(br#"{"sub":"a"}"#);
        assert_eq!(token_nonce(&format!("h.{without}.s")), None);
        assert_eq!(token_nonce("garbage"), None);
    }

    #[test]
    fn the_redirect_url_follows_the_workplace_address() {
        let s = OidcSettings::new(
            "https://idp.example/realms/a/",
            "fw",
            "geheim",
            "https://fw.example/",
        );
        assert_eq!(s.issuer, "https://idp.example/realms/a");
        assert_eq!(s.redirect_url, "https://fw.example/login/oidc/callback");
        assert!(!format!("{s:?}").contains("geheim"));
    }
}
