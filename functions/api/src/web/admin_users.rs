//! Administration of the user directory (role admin): list, create or change a person, set a
//! new password (generated, shown once; only the argon2id hash is stored), deactivate.

use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::{Value, context};

use super::admin::Done;
use super::csrf;
use super::error_page;
use super::form::{Fields, urlencode};
use super::render;
use super::session::User;
use crate::ApiState;
use crate::auth::password::{hash_password, random_password};
use crate::problem::Problem;
use fallwerk_core::case::Role;

const ROLES: [(Role, &str, &str); 3] = [
    (Role::Caseworker, "caseworker", "Sachbearbeitung"),
    (
        Role::Supervisor,
        "supervisor",
        "Leitung (darf Fälle anderen zuweisen)",
    ),
    (Role::Admin, "admin", "Administration"),
];

fn field_label(field: &str) -> &'static str {
    match field {
        "id" => "Benutzername",
        "family_name" => "Nachname",
        "given_name" => "Vorname",
        "email" => "E-Mail-Adresse",
        "org_units" => "Organisationseinheiten",
        _ => "Eingabe",
    }
}

async fn users_page(
    state: &ApiState,
    user: &User,
    status: StatusCode,
    errors: Vec<Value>,
    input: Option<&Fields>,
    notice: Option<Value>,
) -> Response {
    let caller = &user.user.caller;
    let (users, units) = match (
        state.app.list_users(caller, None).await,
        state.app.list_org_units(caller).await,
    ) {
        (Ok(u), Ok(o)) => (u, o),
        (Err(e), _) | (_, Err(e)) => {
            return error_page::problem_page(&user.session, &Problem::from(e), None);
        }
    };
    let rows: Vec<_> = users
        .iter()
        .map(|u| {
            context! {
                id => u.id,
                name => format!("{} {}", u.given_name, u.family_name).trim().to_string(),
                email => u.email,
                org_units => u.org_units,
                roles => u.roles.iter().filter_map(|r| ROLES.iter().find(|(x, _, _)| x == r).map(|(_, _, l)| *l)).collect::<Vec<_>>(),
                active => u.active,
                has_password => u.has_password,
            }
        })
        .collect();
    let chosen = |name: &str| -> Vec<String> {
        input
            .map(|f| {
                f.0.iter()
                    .filter(|(k, _)| k == name)
                    .map(|(_, v)| v.clone())
                    .collect()
            })
            .unwrap_or_default()
    };
    let chosen_units = chosen("org_units");
    let chosen_roles = chosen("roles");
    let units: Vec<_> = units
        .iter()
        .map(|o| context! { id => o.id, name => o.name, checked => chosen_units.contains(&o.id) })
        .collect();
    let roles: Vec<_> = ROLES
        .iter()
        .map(|(_, key, label)| context! { key, label, checked => chosen_roles.iter().any(|r| r == key) || (input.is_none() && *key == "caseworker") })
        .collect();
    render::page(
        status,
        "admin_users.html",
        &user.session,
        "Benutzerinnen und Benutzer",
        context! {
            rows, units, roles, errors, notice,
            input => input.map(Fields::input).unwrap_or_default(),
            nav => "admin",
        },
    )
}

pub async fn list(State(state): State<ApiState>, user: User, Query(d): Query<Done>) -> Response {
    let notice = d.done.map(|id| context! { saved => id });
    users_page(&state, &user, StatusCode::OK, vec![], None, notice).await
}

/// Creates or changes a person; a password is set separately (and shown once).
pub async fn save(
    State(state): State<ApiState>,
    user: User,
    Form(fields): Form<Fields>,
) -> Response {
    if let Some(refused) = csrf::refused(&user.session, &fields) {
        return refused;
    }
    let all = |name: &str| -> Vec<String> {
        fields
            .0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    };
    let roles: Vec<Role> = all("roles").iter().filter_map(|r| Role::parse(r)).collect();
    let record = fallwerk_core::model::User {
        id: fields.text("id").unwrap_or_default(),
        family_name: fields.text("family_name").unwrap_or_default(),
        given_name: fields.text("given_name").unwrap_or_default(),
        email: fields.text("email").unwrap_or_default(),
        org_units: all("org_units"),
        roles,
        active: fields.get("active") == Some("yes"),
        absence: None,
        password_hash: None,
    };
    // Keep an existing absence: this form does not edit it.
    let record = match state.app.user_record(&record.id).await {
        Ok(Some(old)) => fallwerk_core::model::User {
            absence: old.absence,
            ..record
        },
        _ => record,
    };
    let id = record.id.clone();
    match state.app.put_user(&user.user.caller, record).await {
        Ok(_) => Redirect::to(&format!("/admin/users?done={}", urlencode(&id))).into_response(),
        Err(e) => {
            let problem = Problem::from(e);
            match problem.field.clone() {
                Some(field) => {
                    let errors = vec![context! {
                        field => field,
                        target => format!("user-{field}"),
                        message => format!("{}: bitte prüfen", field_label(&field)),
                    }];
                    users_page(
                        &state,
                        &user,
                        StatusCode::UNPROCESSABLE_ENTITY,
                        errors,
                        Some(&fields),
                        None,
                    )
                    .await
                }
                None => error_page::problem_page(&user.session, &problem, None),
            }
        }
    }
}

/// Gives a local account a new, generated password and shows it once.
pub async fn new_password(
    State(state): State<ApiState>,
    user: User,
    Path(id): Path<String>,
    Form(fields): Form<Fields>,
) -> Response {
    if let Some(refused) = csrf::refused(&user.session, &fields) {
        return refused;
    }
    let caller = &user.user.caller;
    if let Err(e) = state.app.get_user(caller, &id).await {
        return error_page::problem_page(&user.session, &Problem::from(e), None);
    }
    let Ok(Some(mut record)) = state.app.user_record(&id).await else {
        return error_page::not_found(&user.session);
    };
    let password = random_password();
    match hash_password(&password) {
        Ok(hash) => record.password_hash = Some(hash),
        Err(_) => return error_page::internal(),
    }
    match state.app.put_user(caller, record).await {
        Ok(_) => {
            let notice = context! { password_for => id, password };
            users_page(&state, &user, StatusCode::OK, vec![], None, Some(notice)).await
        }
        Err(e) => error_page::problem_page(&user.session, &Problem::from(e), None),
    }
}

pub async fn deactivate(
    State(state): State<ApiState>,
    user: User,
    Path(id): Path<String>,
    Form(fields): Form<Fields>,
) -> Response {
    if let Some(refused) = csrf::refused(&user.session, &fields) {
        return refused;
    }
    match state.app.deactivate_user(&user.user.caller, &id).await {
        Ok(_) => Redirect::to(&format!("/admin/users?done={}", urlencode(&id))).into_response(),
        Err(e) => error_page::problem_page(&user.session, &Problem::from(e), None),
    }
}
