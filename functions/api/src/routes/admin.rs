//! Admin routes (role admin): org units, services, portal clients.

use axum::Json;
use axum::extract::{Path, State};

use crate::ApiState;
use crate::auth::{Admin, Caseworker};
use crate::body::StrictJson;
use crate::problem::{ApiResult, Problem};
use fallwerk_core::model::{OrgUnit, PortalClient, Service};

fn same_id(field: &str, path: &str, body: &str) -> Result<(), Problem> {
    if path == body {
        Ok(())
    } else {
        Err(Problem::invalid_field(
            field,
            "must equal the id in the path",
        ))
    }
}

pub async fn put_org_unit(
    State(state): State<ApiState>,
    Admin(caller): Admin,
    Path(id): Path<String>,
    StrictJson(ou): StrictJson<OrgUnit>,
) -> ApiResult<Json<OrgUnit>> {
    same_id("id", &id, &ou.id)?;
    Ok(Json(state.app.put_org_unit(&caller, ou).await?))
}

pub async fn put_service(
    State(state): State<ApiState>,
    Admin(caller): Admin,
    Path(leika_id): Path<String>,
    StrictJson(service): StrictJson<Service>,
) -> ApiResult<Json<Service>> {
    same_id("leika_id", &leika_id, &service.leika_id)?;
    Ok(Json(state.app.put_service(&caller, service).await?))
}

/// Answers without the secret.
pub async fn put_portal_client(
    State(state): State<ApiState>,
    Admin(caller): Admin,
    Path(id): Path<String>,
    StrictJson(client): StrictJson<PortalClient>,
) -> ApiResult<Json<PortalClient>> {
    same_id("id", &id, &client.id)?;
    let mut stored = state.app.put_portal_client(&caller, client).await?;
    stored.secret = "***".to_string();
    Ok(Json(stored))
}

pub async fn org_units(
    State(state): State<ApiState>,
    Caseworker(caller): Caseworker,
) -> ApiResult<Json<Vec<OrgUnit>>> {
    Ok(Json(state.app.list_org_units(&caller).await?))
}

pub async fn services(
    State(state): State<ApiState>,
    Caseworker(caller): Caseworker,
) -> ApiResult<Json<Vec<Service>>> {
    Ok(Json(state.app.list_services(&caller).await?))
}

pub async fn portal_clients(
    State(state): State<ApiState>,
    Caseworker(caller): Caseworker,
) -> ApiResult<Json<Vec<PortalClient>>> {
    Ok(Json(state.app.list_portal_clients(&caller).await?))
}
