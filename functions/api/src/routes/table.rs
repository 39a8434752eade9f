//! The one route table (docs/ARCHITECTURE.md, "Routes"): every route fallwerk serves, with its
//! method, path, audience, body limit and handler, written once. The routers are built from it;
//! the OpenAPI test checks the document against it; and docs/routes.json, generated from it,
//! tells `infra/check.py` which API Gateway resource must reach which Lambda function.

use std::collections::BTreeMap;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{MethodFilter, MethodRouter, on};

use crate::ApiState;
use crate::routes::{
    admin, antrag, authority_documents, casework, form, meta, portal, retrieval, thread, uploads,
    users,
};
use crate::web::{admin as admin_pages, admin_users, assets, case_page, deadlines, inbox, login};
use crate::web::{oidc, session};

/// An HTTP method a route answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Method {
    Get,
    Post,
    Put,
}

impl Method {
    /// Upper case, as HTTP and API Gateway write it.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
        }
    }

    fn filter(self) -> MethodFilter {
        match self {
            Method::Get => MethodFilter::GET,
            Method::Post => MethodFilter::POST,
            Method::Put => MethodFilter::PUT,
        }
    }
}

/// Who calls a route. It decides the router (and with it the authentication), the Lambda
/// function behind API Gateway, and whether the OpenAPI document describes the route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// Portals (HMAC-signed, or the secret in the `/antrag` URL): the intake function.
    Portal,
    /// Caseworkers with a bearer token: the casework function.
    Casework,
    /// Admins with a bearer token: the casework function, behind one proxy resource.
    Admin,
    /// `/health` and `/openapi.json`: served everywhere, routed to the intake function.
    Meta,
    /// The web workplace's HTML pages (session cookie): the casework function, not in OpenAPI.
    Pages,
}

impl Audience {
    /// The Lambda function that serves the audience behind API Gateway.
    pub fn function(self) -> &'static str {
        match self {
            Audience::Portal | Audience::Meta => "intake",
            Audience::Casework | Audience::Admin | Audience::Pages => "casework",
        }
    }
}

/// The request body a route accepts; see [`crate::Limits`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyLimit {
    /// axum's default (2 MB): GETs and small bodies.
    Default,
    /// JSON or form fields: `Limits::json`.
    Json,
    /// Submissions, replies and uploaded documents: `Limits::submission`.
    Submission,
    /// One document of the upload-slot flow: `uploads::MAX_UPLOAD`.
    Upload,
}

/// Where API Gateway routes a route (see [`Route::gateway`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gateway {
    /// Its own resource, the route's path.
    Own,
    /// A `{proxy+}` resource below the route's first path segment.
    Proxy,
    /// Not behind API Gateway: on AWS the bytes of an upload slot go to S3 (presigned URL).
    LocalOnly,
}

/// One route of the table.
#[derive(Debug, Clone, Copy)]
pub struct Route {
    pub method: Method,
    pub path: &'static str,
    pub audience: Audience,
    pub limit: BodyLimit,
    pub gateway: Gateway,
}

/// Declares the table once: the metadata as [`ROUTES`], the handlers in the same order.
macro_rules! route_table {
    ($( $method:ident $path:expr, $audience:ident, $limit:ident, $gateway:ident => $handler:expr; )*) => {
        /// Every route fallwerk serves, in the order the routers add them.
        pub const ROUTES: &[Route] = &[$(
            Route {
                method: Method::$method,
                path: $path,
                audience: Audience::$audience,
                limit: BodyLimit::$limit,
                gateway: Gateway::$gateway,
            },
        )*];

        /// The handlers of [`ROUTES`], index for index.
        fn handlers() -> Vec<MethodRouter<ApiState>> {
            vec![$( on(Method::$method.filter(), $handler) ),*]
        }
    };
}

route_table! {
    // Portals.
    Post "/v1/submissions", Portal, Submission, Own => portal::submit;
    Post "/antrag/{client_id}/{token}", Portal, Submission, Own => antrag::antrag;
    Post "/v1/cases/{id}/replies", Portal, Submission, Own => portal::reply;
    Post "/v1/uploads", Portal, Default, Own => uploads::slots;
    Put "/v1/uploads/{client_id}/{upload_id}", Portal, Upload, LocalOnly => uploads::put;
    Get "/v1/cases/{id}/status", Portal, Default, Own => portal::status;
    Get "/v1/cases/{id}/messages", Portal, Default, Own => portal::messages;
    Post "/v1/cases/{id}/messages/{message_id}/retrieved", Portal, Default, Own => retrieval::retrieved;
    Get "/v1/cases/{id}/documents/{n}", Portal, Default, Own => authority_documents::portal_download;
    // Caseworkers.
    Get "/v1/cases", Casework, Default, Own => casework::inbox;
    Get "/v1/inbox/counts", Casework, Default, Own => casework::inbox_counts;
    Get "/v1/cases/{id}", Casework, Default, Own => casework::case;
    Get "/v1/cases/{id}/history", Casework, Default, Own => casework::history;
    Get "/v1/cases/{id}/attachments/{n}", Casework, Default, Own => casework::attachment;
    Post "/v1/cases/{id}/actions", Casework, Json, Own => casework::act;
    Get "/v1/cases/{id}/thread", Casework, Default, Own => thread::thread;
    Get "/v1/cases/{id}/form", Casework, Default, Own => form::form;
    Get "/v1/cases/{id}/form/fields", Casework, Default, Own => form::fields;
    Post "/v1/cases/{id}/documents", Casework, Submission, Own => authority_documents::upload;
    Post "/v1/cases/{id}/thread/read", Casework, Json, Own => thread::mark_read;
    Post "/v1/cases/reassign", Casework, Json, Own => users::reassign;
    // Admins.
    Get "/v1/admin/org-units", Admin, Default, Proxy => admin::org_units;
    Put "/v1/admin/org-units/{id}", Admin, Json, Proxy => admin::put_org_unit;
    Get "/v1/admin/services", Admin, Default, Proxy => admin::services;
    Put "/v1/admin/services/{leika_id}", Admin, Json, Proxy => admin::put_service;
    Get "/v1/admin/users", Admin, Default, Proxy => users::list;
    Get "/v1/admin/users/{id}", Admin, Json, Proxy => users::get;
    Put "/v1/admin/users/{id}", Admin, Json, Proxy => users::put;
    Post "/v1/admin/users/{id}/deactivate", Admin, Default, Proxy => users::deactivate;
    Get "/v1/admin/portal-clients", Admin, Default, Proxy => admin::portal_clients;
    Put "/v1/admin/portal-clients/{id}", Admin, Json, Proxy => admin::put_portal_client;
    // Everyone.
    Get "/health", Meta, Default, Own => meta::health;
    Get "/openapi.json", Meta, Default, Own => meta::openapi;
    // The web workplace.
    Get "/", Pages, Default, Own => inbox::page;
    Get "/login", Pages, Json, Own => login::form;
    Post "/login", Pages, Json, Own => login::submit;
    Post "/logout", Pages, Json, Own => login::logout;
    Get "/login/oidc", Pages, Default, Own => oidc::start;
    Get oidc::CALLBACK_PATH, Pages, Default, Own => oidc::callback;
    Get "/cases/{id}", Pages, Default, Proxy => case_page::page;
    // The send-result and message forms carry the uploaded documents.
    Post "/cases/{id}/actions", Pages, Submission, Proxy => case_page::act;
    Post "/cases/{id}/thread/read", Pages, Json, Proxy => case_page::mark_read;
    Get "/cases/{id}/attachments/{n}", Pages, Default, Proxy => case_page::attachment;
    Get "/deadlines", Pages, Default, Own => deadlines::page;
    Get "/admin", Pages, Default, Own => admin_pages::index;
    Get "/admin/org-units", Pages, Json, Proxy => admin_pages::org_units;
    Post "/admin/org-units", Pages, Json, Proxy => admin_pages::save_org_unit;
    Get "/admin/services", Pages, Default, Proxy => admin_pages::services;
    Get "/admin/portal-clients", Pages, Json, Proxy => admin_pages::portal_clients;
    Post "/admin/portal-clients", Pages, Json, Proxy => admin_pages::create_portal_client;
    Get "/admin/users", Pages, Json, Proxy => admin_users::list;
    Post "/admin/users", Pages, Json, Proxy => admin_users::save;
    Post "/admin/users/{id}/password", Pages, Json, Proxy => admin_users::new_password;
    Post "/admin/users/{id}/deactivate", Pages, Json, Proxy => admin_users::deactivate;
    Get "/assets/style.css", Pages, Default, Proxy => assets::style;
    Get "/assets/app.js", Pages, Default, Proxy => assets::script;
}

impl Route {
    /// The API Gateway resource that carries the route, or `None` when it is not behind the
    /// gateway. A proxy resource hangs below the path's first segment (`/v1/admin/…` below
    /// `/v1/admin`).
    pub fn gateway_resource(&self) -> Option<String> {
        match self.gateway {
            Gateway::Own => Some(self.path.to_string()),
            Gateway::LocalOnly => None,
            Gateway::Proxy => {
                let segments: Vec<&str> = self.path.trim_start_matches('/').split('/').collect();
                // `/v1/admin/...` keeps its version segment; pages proxy below their first one.
                let keep = if segments.first() == Some(&"v1") {
                    2
                } else {
                    1
                };
                let base = segments[..keep.min(segments.len())].join("/");
                Some(format!("/{base}/{{proxy+}}"))
            }
        }
    }

    /// Whether the OpenAPI document describes the route (everything but the HTML pages).
    pub fn documented(&self) -> bool {
        self.audience != Audience::Pages
    }
}

/// The API Gateway resources with their methods and functions, as docs/routes.json holds
/// them: `{resource: {method: function}}`. A resource with more than one method (or a proxy
/// over routes with more than one) takes `ANY`.
pub fn gateway_resources() -> BTreeMap<String, BTreeMap<String, &'static str>> {
    let mut methods: BTreeMap<String, (Vec<Method>, &'static str)> = BTreeMap::new();
    for route in ROUTES {
        if let Some(resource) = route.gateway_resource() {
            let entry = methods
                .entry(resource)
                .or_insert((Vec::new(), route.audience.function()));
            if !entry.0.contains(&route.method) {
                entry.0.push(route.method);
            }
        }
    }
    methods
        .into_iter()
        .map(|(resource, (methods, function))| {
            let method = match methods.as_slice() {
                [one] => one.as_str(),
                _ => "ANY",
            };
            (resource, BTreeMap::from([(method.to_string(), function)]))
        })
        .collect()
}

/// docs/routes.json: the gateway resources, pretty-printed with a final newline.
pub fn routes_json() -> String {
    let doc = serde_json::json!({
        "$comment": "Generated from functions/api/src/routes/table.rs; regenerate with FALLWERK_BLESS=1 cargo test -p fallwerk-api --test it route_table. infra/check.py reads it.",
        "resources": gateway_resources(),
    });
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    text.push('\n');
    text
}

/// The routes of `audiences`, with their body limits, as one router.
pub fn router(audiences: &[Audience], state: &ApiState) -> Router<ApiState> {
    ROUTES
        .iter()
        .zip(handlers())
        .fold(Router::new(), |router, (route, handler)| {
            if !audiences.contains(&route.audience) {
                return router;
            }
            let handler = match body_limit(route.limit, state) {
                Some(bytes) => handler.layer(DefaultBodyLimit::max(bytes)),
                None => handler,
            };
            router.route(route.path, handler)
        })
}

fn body_limit(limit: BodyLimit, state: &ApiState) -> Option<usize> {
    match limit {
        BodyLimit::Default => None,
        BodyLimit::Json => Some(state.limits.json),
        BodyLimit::Submission => Some(state.limits.submission),
        BodyLimit::Upload => {
            Some(usize::try_from(fallwerk_core::app::uploads::MAX_UPLOAD).unwrap_or(usize::MAX))
        }
    }
}

/// The pages' router: the page routes behind the session layer.
pub fn pages_router(state: ApiState) -> Router {
    router(&[Audience::Pages], &state)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            session::layer,
        ))
        .with_state(state)
}
