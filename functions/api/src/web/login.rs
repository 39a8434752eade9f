//! Login and logout with a local account (embedded mode; the password is checked with argon2id
//! against the user directory). A login starts a new session (new nonce, so a session id fixed
//! by someone else is worthless); logout replaces it with an anonymous one. Failed logins are
//! braked per account and client address (`login_limit`); with an OpenID provider configured
//! the page also offers the login there (`oidc`).

use axum::extract::{Extension, Form, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::context;
use serde::Deserialize;

use super::account;
use super::csrf;
use super::form::{Fields, safe_next, urlencode};
use super::login_limit::ClientAddress;
use super::render;
use super::session::{Replace, Session, SessionData};
use crate::ApiState;

#[derive(Debug, Default, Deserialize)]
pub struct LoginParams {
    pub next: Option<String>,
    /// Set after logout: the page says so.
    pub bye: Option<String>,
}

fn login_page(
    state: &ApiState,
    session: &Session,
    status: StatusCode,
    next: &str,
    login: &str,
    errors: Vec<minijinja::Value>,
    bye: bool,
) -> Response {
    let oidc = state
        .web
        .as_ref()
        .is_some_and(|w| w.oidc.is_some())
        .then(|| format!("/login/oidc?next={}", urlencode(next)));
    render::page(
        status,
        "login.html",
        session,
        "Anmeldung",
        context! { next, login, errors, bye, oidc },
    )
}

pub async fn form(
    State(state): State<ApiState>,
    session: Session,
    Query(p): Query<LoginParams>,
) -> Response {
    if session.user.is_some() {
        return Redirect::to(&safe_next(p.next.as_deref())).into_response();
    }
    let next = safe_next(p.next.as_deref());
    login_page(
        &state,
        &session,
        StatusCode::OK,
        &next,
        "",
        vec![],
        p.bye.is_some(),
    )
}

pub async fn submit(
    State(state): State<ApiState>,
    session: Session,
    address: Option<Extension<ClientAddress>>,
    Form(fields): Form<Fields>,
) -> Response {
    if let Some(refused) = csrf::refused(&session, &fields) {
        return refused;
    }
    let next = safe_next(fields.get("next"));
    let login = fields.text("login").unwrap_or_default();
    let password = fields.get("password").unwrap_or("");
    let mut errors = Vec::new();
    if login.is_empty() {
        errors.push(
            context! { field => "login", message => "Bitte geben Sie Ihren Benutzernamen ein." },
        );
    }
    if password.is_empty() {
        errors
            .push(context! { field => "password", message => "Bitte geben Sie Ihr Passwort ein." });
    }
    let address = address.map(|Extension(ClientAddress(a))| a);
    let now = state.app.clock.now().timestamp();
    let limiter = state.web.as_ref().map(|w| w.login_limiter.clone());
    if errors.is_empty()
        && let Some(limiter) = &limiter
        && let Some(wait) = limiter.blocked(&login, address, now)
    {
        tracing::warn!("login braked: too many failed attempts");
        return too_many(&state, &session, &next, &login, wait);
    }
    if errors.is_empty() {
        match account::authenticate(&state.app, &login, password).await {
            Ok(Some(uid)) => {
                if let Some(limiter) = &limiter {
                    limiter.succeeded(&login);
                }
                let mut res = Redirect::to(&next).into_response();
                res.extensions_mut()
                    .insert(Replace(SessionData::signed_in(uid, now)));
                return res;
            }
            Ok(None) => {
                if let Some(limiter) = &limiter {
                    limiter.failed(&login, address, now);
                }
                errors.push(context! {
                    field => "login",
                    message => "Benutzername oder Passwort ist falsch.",
                })
            }
            Err(e) => {
                tracing::error!(error = %e, "login failed");
                return super::error_page::internal();
            }
        }
    }
    login_page(
        &state,
        &session,
        StatusCode::UNPROCESSABLE_ENTITY,
        &next,
        &login,
        errors,
        false,
    )
}

/// The 429 page: the login form again, with the wait in minutes, and `Retry-After`.
fn too_many(state: &ApiState, session: &Session, next: &str, login: &str, wait: i64) -> Response {
    let minutes = (wait + 59) / 60;
    let message = if minutes <= 1 {
        "Zu viele fehlgeschlagene Anmeldeversuche. Bitte warten Sie eine Minute und versuchen Sie es dann erneut.".to_string()
    } else {
        format!(
            "Zu viele fehlgeschlagene Anmeldeversuche. Bitte warten Sie {minutes} Minuten und versuchen Sie es dann erneut."
        )
    };
    let mut res = login_page(
        state,
        session,
        StatusCode::TOO_MANY_REQUESTS,
        next,
        login,
        vec![context! { field => "login", message }],
        false,
    );
    if let Ok(v) = HeaderValue::from_str(&wait.to_string()) {
        res.headers_mut().insert(header::RETRY_AFTER, v);
    }
    res
}

pub async fn logout(
    State(state): State<ApiState>,
    session: Session,
    Form(fields): Form<Fields>,
) -> Response {
    if let Some(refused) = csrf::refused(&session, &fields) {
        return refused;
    }
    let now = state.app.clock.now().timestamp();
    let mut res = Redirect::to("/login?bye=1").into_response();
    res.extensions_mut()
        .insert(Replace(SessionData::anonymous(now)));
    res
}
