//! Administration pages (role admin): org units (list, create, change), services (list),
//! portal clients (list, create with a secret that is shown exactly once).

use axum::extract::{Form, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::{Value, context};
use serde::Deserialize;

use super::csrf;
use super::error_page;
use super::form::{Fields, urlencode};
use super::render;
use super::session::User;
use crate::ApiState;
use crate::problem::Problem;
use fallwerk_core::deadline::State as Land;
use fallwerk_core::model::{OrgUnit, PortalClient};

#[derive(Debug, Default, Deserialize)]
pub struct Done {
    pub done: Option<String>,
}

fn field_label(field: &str) -> &'static str {
    match field {
        "id" => "Kennung",
        "name" => "Name",
        "notification_email" => "E-Mail-Adresse für Benachrichtigungen",
        "services" => "Leistungen",
        "state" => "Bundesland",
        _ => "Eingabe",
    }
}

/// German error list for a refused admin form: the problem's field, or the form as a whole.
fn form_errors(problem: &Problem, prefix: &str) -> Vec<Value> {
    let field = problem.field.clone().unwrap_or_else(|| "id".into());
    vec![context! {
        field => field,
        target => format!("{prefix}-{field}"),
        message => format!("{}: bitte prüfen ({})", field_label(&field), german_reason(&problem.detail)),
    }]
}

/// The core's reasons are English; the ones an admin meets get German words.
fn german_reason(detail: &str) -> &'static str {
    if detail.contains("must not be empty") {
        "darf nicht leer sein"
    } else if detail.contains("e-mail") {
        "muss eine E-Mail-Adresse sein"
    } else if detail.contains("characters") {
        "1 bis 64 Zeichen aus A–Z, a–z, 0–9, Bindestrich, Unterstrich oder Punkt"
    } else {
        "ungültiger Wert"
    }
}

async fn org_units_page(
    state: &ApiState,
    user: &User,
    status: StatusCode,
    errors: Vec<Value>,
    input: Option<&Fields>,
    done: Option<String>,
) -> Response {
    let caller = &user.user.caller;
    let (units, services) = match (
        state.app.list_org_units(caller).await,
        state.app.list_services(caller).await,
    ) {
        (Ok(u), Ok(s)) => (u, s),
        (Err(e), _) | (_, Err(e)) => {
            return error_page::problem_page(&user.session, &Problem::from(e), None);
        }
    };
    let service_names: std::collections::HashMap<_, _> = services
        .iter()
        .map(|s| (s.leika_id.clone(), s.name.clone()))
        .collect();
    let units: Vec<_> = units
        .iter()
        .map(|o| {
            context! {
                id => o.id,
                name => o.name,
                email => o.notification_email,
                state => o.state.name_de(),
                services => o.services.iter().map(|s| service_names.get(s).cloned().unwrap_or_else(|| s.clone())).collect::<Vec<_>>(),
            }
        })
        .collect();
    let chosen: Vec<String> = input
        .map(|f| {
            f.0.iter()
                .filter(|(k, _)| k == "services")
                .map(|(_, v)| v.clone())
                .collect()
        })
        .unwrap_or_default();
    let services: Vec<_> = services
        .iter()
        .map(|s| context! { id => s.leika_id, name => s.name, checked => chosen.contains(&s.leika_id) })
        .collect();
    let lands: Vec<_> = Land::ALL
        .iter()
        .map(|l| context! { code => l.code(), name => l.name_de() })
        .collect();
    render::page(
        status,
        "admin_org_units.html",
        &user.session,
        "Organisationseinheiten",
        context! {
            units, services, lands, errors,
            input => input.map(Fields::input).unwrap_or_default(),
            done,
            nav => "admin",
        },
    )
}

pub async fn org_units(
    State(state): State<ApiState>,
    user: User,
    Query(d): Query<Done>,
) -> Response {
    org_units_page(&state, &user, StatusCode::OK, vec![], None, d.done).await
}

pub async fn save_org_unit(
    State(state): State<ApiState>,
    user: User,
    Form(fields): Form<Fields>,
) -> Response {
    if let Some(refused) = csrf::refused(&user.session, &fields) {
        return refused;
    }
    let state_code = fields.text("state").unwrap_or_default();
    let land = Land::ALL
        .into_iter()
        .find(|l| l.code() == state_code)
        .unwrap_or_default();
    let id = fields.text("id").unwrap_or_default();
    // This form does not edit the municipality: an existing one stays.
    let municipality = match state.app.org_unit(&id).await {
        Ok(Some(old)) => old.municipality,
        _ => None,
    };
    let ou = OrgUnit {
        id,
        municipality,
        name: fields.text("name").unwrap_or_default(),
        notification_email: fields.text("notification_email").unwrap_or_default(),
        state: land,
        services: fields
            .0
            .iter()
            .filter(|(k, _)| k == "services")
            .map(|(_, v)| v.clone())
            .collect(),
    };
    let id = ou.id.clone();
    match state.app.put_org_unit(&user.user.caller, ou).await {
        Ok(_) => Redirect::to(&format!("/admin/org-units?done={}", urlencode(&id))).into_response(),
        Err(e) => {
            let problem = Problem::from(e);
            if problem.field.is_some() {
                let errors = form_errors(&problem, "ou");
                org_units_page(
                    &state,
                    &user,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    errors,
                    Some(&fields),
                    None,
                )
                .await
            } else {
                error_page::problem_page(&user.session, &problem, None)
            }
        }
    }
}

pub async fn services(State(state): State<ApiState>, user: User) -> Response {
    let services = match state.app.list_services(&user.user.caller).await {
        Ok(s) => s,
        Err(e) => return error_page::problem_page(&user.session, &Problem::from(e), None),
    };
    let rows: Vec<_> = services
        .iter()
        .map(|s| {
            let r = &s.rules;
            context! {
                id => s.leika_id,
                name => s.name,
                competence => r.competence_check.describe_de(),
                completeness => r.completeness_check.describe_de(),
                reply => r.applicant_reply.describe_de(),
                processing => r.processing.describe_de(),
                required => s.required_documents,
                export => match &s.export_target {
                    Some(fallwerk_events::ExportTarget::Webhook { url, .. }) => format!("Webhook {url}"),
                    Some(fallwerk_events::ExportTarget::S3 { bucket, prefix }) => format!("S3 {bucket}/{prefix}"),
                    Some(fallwerk_events::ExportTarget::Directory { path }) => format!("Verzeichnis {path}"),
                    None => "keine Übergabe".into(),
                },
            }
        })
        .collect();
    render::page(
        StatusCode::OK,
        "admin_services.html",
        &user.session,
        "Leistungen",
        context! { rows, nav => "admin" },
    )
}

async fn clients_page(
    state: &ApiState,
    user: &User,
    status: StatusCode,
    errors: Vec<Value>,
    input: Option<&Fields>,
    created: Option<Value>,
) -> Response {
    let clients = match state.app.list_portal_clients(&user.user.caller).await {
        Ok(c) => c,
        Err(e) => return error_page::problem_page(&user.session, &Problem::from(e), None),
    };
    let rows: Vec<_> = clients
        .iter()
        .map(|c| context! { id => c.id, name => c.name, active => c.active })
        .collect();
    render::page(
        status,
        "admin_clients.html",
        &user.session,
        "Portal-Zugänge",
        context! {
            rows, errors, created,
            input => input.map(Fields::input).unwrap_or_default(),
            nav => "admin",
        },
    )
}

pub async fn portal_clients(State(state): State<ApiState>, user: User) -> Response {
    clients_page(&state, &user, StatusCode::OK, vec![], None, None).await
}

/// Creates a portal client (or gives an existing one a new secret) and shows the secret once:
/// no page or API answer shows it again (lists mask it).
pub async fn create_portal_client(
    State(state): State<ApiState>,
    user: User,
    Form(fields): Form<Fields>,
) -> Response {
    if let Some(refused) = csrf::refused(&user.session, &fields) {
        return refused;
    }
    let secret = format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    );
    let client = PortalClient {
        id: fields.text("id").unwrap_or_default(),
        name: fields.text("name").unwrap_or_default(),
        secret: secret.clone(),
        active: true,
        // New clients sign with version 2 (docs/PORTAL-SIGNING.md).
        allow_signature_v1: false,
        applicant_fields: None,
    };
    match state.app.put_portal_client(&user.user.caller, client).await {
        Ok(c) => {
            let created = context! { id => c.id, name => c.name, secret };
            clients_page(
                &state,
                &user,
                StatusCode::CREATED,
                vec![],
                None,
                Some(created),
            )
            .await
        }
        Err(e) => {
            let problem = Problem::from(e);
            if problem.field.is_some() {
                let errors = form_errors(&problem, "pc");
                clients_page(
                    &state,
                    &user,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    errors,
                    Some(&fields),
                    None,
                )
                .await
            } else {
                error_page::problem_page(&user.session, &problem, None)
            }
        }
    }
}

pub async fn index(user: User) -> Response {
    if !user.user.is_admin() {
        return error_page::problem_page(
            &user.session,
            &Problem::new(crate::problem::Kind::Forbidden, "admin"),
            None,
        );
    }
    Redirect::to("/admin/org-units").into_response()
}
