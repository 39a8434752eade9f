//! Admin routes of the user directory: list (optionally per org unit), get, put, deactivate;
//! and a supervisor's reassignment of all open cases of one user.
//! Answers are `UserView`s: never a password hash.

use axum::Json;
use axum::extract::{Path, Query, State};
use serde::Deserialize;

use crate::ApiState;
use crate::auth::Caseworker;
use crate::body::StrictJson;
use crate::problem::{ApiResult, Problem};
use fallwerk_core::app::{ReassignReport, ReassignRequest};
use fallwerk_core::model::{UserInput, UserView};

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UsersQuery {
    /// Only the members of this org unit.
    pub org_unit: Option<String>,
}

pub async fn list(
    State(state): State<ApiState>,
    Caseworker(caller): Caseworker,
    q: Result<Query<UsersQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Json<Vec<UserView>>> {
    let Query(q) = q.map_err(|e| Problem::new(crate::problem::Kind::InvalidBody, e.body_text()))?;
    Ok(Json(
        state.app.list_users(&caller, q.org_unit.as_deref()).await?,
    ))
}

pub async fn get(
    State(state): State<ApiState>,
    Caseworker(caller): Caseworker,
    Path(id): Path<String>,
) -> ApiResult<Json<UserView>> {
    Ok(Json(state.app.get_user(&caller, &id).await?))
}

pub async fn put(
    State(state): State<ApiState>,
    Caseworker(caller): Caseworker,
    Path(id): Path<String>,
    StrictJson(user): StrictJson<UserInput>,
) -> ApiResult<Json<UserView>> {
    if user.id != id {
        return Err(Problem::invalid_field(
            "id",
            "must equal the id in the path",
        ));
    }
    Ok(Json(state.app.put_user(&caller, user.into()).await?))
}

pub async fn deactivate(
    State(state): State<ApiState>,
    Caseworker(caller): Caseworker,
    Path(id): Path<String>,
) -> ApiResult<Json<UserView>> {
    Ok(Json(state.app.deactivate_user(&caller, &id).await?))
}

/// `POST /v1/cases/reassign` (supervisor): all open cases of one user to another, one `assign`
/// event per case; the answer lists what moved and what could not.
pub async fn reassign(
    State(state): State<ApiState>,
    Caseworker(caller): Caseworker,
    StrictJson(request): StrictJson<ReassignRequest>,
) -> ApiResult<Json<ReassignReport>> {
    Ok(Json(state.app.reassign_all(&caller, request).await?))
}
