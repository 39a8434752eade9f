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
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post, put};

use fallwerk_core::app::App;

pub use auth::{Claims, JwtConfig, mint_token};
pub use problem::Problem;

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
    use routes::{antrag, portal};
    let big = DefaultBodyLimit::max(state.limits.submission);
    let upload = DefaultBodyLimit::max(
        usize::try_from(fallwerk_core::app::uploads::MAX_UPLOAD).unwrap_or(usize::MAX),
    );
    Router::new()
        .route("/v1/submissions", post(portal::submit).layer(big))
        .route(
            "/antrag/{client_id}/{token}",
            post(antrag::antrag).layer(big),
        )
        .route("/v1/cases/{id}/replies", post(portal::reply).layer(big))
        .route("/v1/uploads", post(routes::uploads::slots))
        .route(
            "/v1/uploads/{client_id}/{upload_id}",
            put(routes::uploads::put).layer(upload),
        )
        .route("/v1/cases/{id}/status", get(portal::status))
        .route("/v1/cases/{id}/messages", get(portal::messages))
        .route(
            "/v1/cases/{id}/messages/{message_id}/retrieved",
            post(routes::retrieval::retrieved),
        )
        .route(
            "/v1/cases/{id}/documents/{n}",
            get(routes::authority_documents::portal_download),
        )
        .with_state(state)
}

/// Caseworker routes: inbox, case, history, attachments, actions.
pub fn casework_router(state: ApiState) -> Router {
    use routes::casework;
    let small = DefaultBodyLimit::max(state.limits.json);
    Router::new()
        .route("/v1/cases", get(casework::inbox))
        .route("/v1/inbox/counts", get(casework::inbox_counts))
        .route("/v1/cases/{id}", get(casework::case))
        .route("/v1/cases/{id}/history", get(casework::history))
        .route("/v1/cases/{id}/attachments/{n}", get(casework::attachment))
        .route("/v1/cases/{id}/actions", post(casework::act).layer(small))
        .route("/v1/cases/{id}/thread", get(routes::thread::thread))
        .route("/v1/cases/{id}/form", get(routes::form::form))
        .route("/v1/cases/{id}/form/fields", get(routes::form::fields))
        .route(
            "/v1/cases/{id}/documents",
            post(routes::authority_documents::upload)
                .layer(DefaultBodyLimit::max(state.limits.submission)),
        )
        .route(
            "/v1/cases/{id}/thread/read",
            post(routes::thread::mark_read).layer(small),
        )
        .route(
            "/v1/cases/reassign",
            post(routes::users::reassign).layer(small),
        )
        .with_state(state)
}

/// Admin routes (role admin).
pub fn admin_router(state: ApiState) -> Router {
    use routes::admin;
    let small = DefaultBodyLimit::max(state.limits.json);
    Router::new()
        .route("/v1/admin/org-units", get(admin::org_units))
        .route(
            "/v1/admin/org-units/{id}",
            put(admin::put_org_unit).layer(small),
        )
        .route("/v1/admin/services", get(admin::services))
        .route(
            "/v1/admin/services/{leika_id}",
            put(admin::put_service).layer(small),
        )
        .route("/v1/admin/users", get(routes::users::list))
        .route(
            "/v1/admin/users/{id}",
            get(routes::users::get).put(routes::users::put).layer(small),
        )
        .route(
            "/v1/admin/users/{id}/deactivate",
            post(routes::users::deactivate),
        )
        .route("/v1/admin/portal-clients", get(admin::portal_clients))
        .route(
            "/v1/admin/portal-clients/{id}",
            put(admin::put_portal_client).layer(small),
        )
        .with_state(state)
}

/// `GET /health` and `GET /openapi.json`.
pub fn meta_router() -> Router {
    Router::new()
        .route("/health", get(routes::meta::health))
        .route("/openapi.json", get(routes::meta::openapi))
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
    observe(portal_router(state).merge(meta_router()))
}

/// The web workplace's pages, when the state configures them.
fn pages(state: &ApiState) -> Router {
    if state.web.is_some() {
        web::web_router(state.clone())
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
            .merge(meta_router()),
    )
}

/// Everything in one router (`fallwerk serve`).
pub fn app_router(state: ApiState) -> Router {
    observe(
        portal_router(state.clone())
            .merge(casework_router(state.clone()))
            .merge(admin_router(state.clone()))
            .merge(pages(&state))
            .merge(meta_router()),
    )
}
