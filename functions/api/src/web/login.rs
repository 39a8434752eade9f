//! Login and logout with a local account (embedded mode; the password is checked with argon2id
//! against the user directory). A login starts a new session (new nonce, so a session id fixed
//! by someone else is worthless); logout replaces it with an anonymous one.

use axum::extract::{Form, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::context;
use serde::Deserialize;

use super::account;
use super::csrf;
use super::form::{Fields, safe_next};
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
    session: &Session,
    status: StatusCode,
    next: &str,
    login: &str,
    errors: Vec<minijinja::Value>,
    bye: bool,
) -> Response {
    render::page(
        status,
        "login.html",
        session,
        "Anmeldung",
        context! { next, login, errors, bye },
    )
}

pub async fn form(session: Session, Query(p): Query<LoginParams>) -> Response {
    if session.user.is_some() {
        return Redirect::to(&safe_next(p.next.as_deref())).into_response();
    }
    let next = safe_next(p.next.as_deref());
    login_page(&session, StatusCode::OK, &next, "", vec![], p.bye.is_some())
}

pub async fn submit(
    State(state): State<ApiState>,
    session: Session,
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
    if errors.is_empty() {
        match account::authenticate(&state.app, &login, password).await {
            Ok(Some(uid)) => {
                let now = state.app.clock.now().timestamp();
                let mut res = Redirect::to(&next).into_response();
                res.extensions_mut()
                    .insert(Replace(SessionData::signed_in(uid, now)));
                return res;
            }
            Ok(None) => errors.push(context! {
                field => "login",
                message => "Benutzername oder Passwort ist falsch.",
            }),
            Err(e) => {
                tracing::error!(error = %e, "login failed");
                return super::error_page::internal();
            }
        }
    }
    login_page(
        &session,
        StatusCode::UNPROCESSABLE_ENTITY,
        &next,
        &login,
        errors,
        false,
    )
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
