//! fallwerk's HTTP edge: axum routers for the portal (HMAC), the OZG-Cloud intake (`/antrag`),
//! caseworkers (bearer JWT) and admins. Handlers are thin: parse, authenticate, call the core
//! `App`, map the result; errors are RFC 9457 problems. The Lambda binaries mount only their
//! part (`intake_app`, `casework_app`); `fallwerk serve` mounts `app_router`.

pub mod auth;
pub mod body;
pub mod edge;
pub mod openapi;
pub mod problem;
pub mod routes;
pub mod telemetry;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
pub mod web;

use std::sync::Arc;

use axum::Router;

use fallwerk_core::app::App;

pub use auth::{Claims, JwtConfig, mint_token};
pub use problem::Problem;
use routes::table::Audience;

/// Request body limits per route group.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Caseworker actions, admin documents, applicant replies without attachments.
    pub json: usize,
    /// Submissions, `/antrag` and replies (they carry attachments).
    pub submission: usize,
}

impl Limits {
    /// Behind API Gateway and Lambda: an invocation carries at most 6 MiB of event, and a
    /// multipart body arrives base64-encoded (4/3) inside it, so about 4.4 MiB of body reach the
    /// function at most. From 4 MiB on fallwerk answers its own 413 problem; larger bodies end
    /// before the function (docs/intake.md "Limits per backend"). Large documents of native
    /// submissions go through upload slots.
    pub const LAMBDA_SUBMISSION: usize = 4 * 1024 * 1024;

    /// The limits of the intake Lambda function.
    pub fn lambda() -> Self {
        Limits {
            submission: Self::LAMBDA_SUBMISSION,
            ..Limits::default()
        }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            json: 1024 * 1024,
            submission: 32 * 1024 * 1024,
        }
    }
}

/// What every handler gets: the use cases, the token verifier (casework only) and the limits.
#[derive(Clone)]
pub struct ApiState {
    pub app: App,
    pub jwt: Option<Arc<JwtConfig>>,
    pub limits: Limits,
    /// The web workplace (session secret, cookie settings); without it no pages are served.
    pub web: Option<Arc<web::WebConfig>>,
    /// Where responses are buffered whole and bounded (Lambda behind API Gateway): the largest
    /// response envelope in bytes. `None` (local serve): large bodies stream.
    pub response_limit: Option<u64>,
}

/// Lambda's limit of a synchronous response: 6 MB, counted on the JSON envelope that carries
/// the body as an escaped string (docs/ARCHITECTURE.md, "Large forms").
pub const LAMBDA_RESPONSE_LIMIT: u64 = 6 * 1024 * 1024;

impl ApiState {
    pub fn new(app: App) -> Self {
        ApiState {
            app,
            jwt: None,
            limits: Limits::default(),
            web: None,
            response_limit: None,
        }
    }

    /// Bounds responses as a buffering deployment must (see [`ApiState::response_limit`]).
    pub fn with_response_limit(mut self, bytes: u64) -> Self {
        self.response_limit = Some(bytes);
        self
    }

    pub fn with_jwt(mut self, config: JwtConfig) -> Self {
        self.jwt = Some(Arc::new(config));
        self
    }

    pub fn with_web(mut self, config: web::WebConfig) -> Self {
        self.web = Some(Arc::new(config));
        self
    }

    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }
}

/// Portal routes: `POST /v1/submissions`, `POST /antrag/{client}/{token}`, replies, status, messages.
pub fn portal_router(state: ApiState) -> Router {
    audience_router(&[Audience::Portal], state)
}

/// Caseworker routes: inbox, case, history, attachments, actions.
pub fn casework_router(state: ApiState) -> Router {
    audience_router(&[Audience::Casework], state)
}

/// Admin routes (role admin).
pub fn admin_router(state: ApiState) -> Router {
    audience_router(&[Audience::Admin], state)
}

/// `GET /health` and `GET /openapi.json`.
pub fn meta_router(state: ApiState) -> Router {
    audience_router(&[Audience::Meta], state)
}

/// The table's routes of `audiences` (routes::table), with the state.
fn audience_router(audiences: &[Audience], state: ApiState) -> Router {
    routes::table::router(audiences, &state).with_state(state)
}

/// Adds what every deployed router needs: problem+json fallbacks, the security headers of every
/// response (`edge::security_headers`) and the request span.
pub fn observe(router: Router) -> Router {
    router
        .fallback(routes::meta::not_found)
        .method_not_allowed_fallback(routes::meta::method_not_allowed)
        .layer(axum::middleware::from_fn(edge::security_headers))
        .layer(axum::middleware::from_fn(telemetry::trace))
}

/// What a router served straight from a listener (`fallwerk serve`) needs on top: exactly one
/// Host header (API Gateway checks that for the Lambda functions).
pub fn listener_edge(router: Router) -> Router {
    router.layer(axum::middleware::from_fn(edge::one_host))
}

/// The intake Lambda: portal routes.
pub fn intake_app(state: ApiState) -> Router {
    observe(portal_router(state.clone()).merge(meta_router(state)))
}

/// The web workplace's pages, when the state configures them.
fn pages(state: &ApiState) -> Router {
    if state.web.is_some() {
        routes::table::pages_router(state.clone())
    } else {
        Router::new()
    }
}

/// The casework Lambda: caseworker and admin routes and the web workplace.
pub fn casework_app(state: ApiState) -> Router {
    observe(
        casework_router(state.clone())
            .merge(admin_router(state.clone()))
            .merge(pages(&state))
            .merge(meta_router(state)),
    )
}

/// Everything in one router (`fallwerk serve`).
pub fn app_router(state: ApiState) -> Router {
    observe(
        portal_router(state.clone())
            .merge(casework_router(state.clone()))
            .merge(admin_router(state.clone()))
            .merge(pages(&state))
            .merge(meta_router(state)),
    )
}
