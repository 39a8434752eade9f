//! `GET /v1/cases/{id}/form`: the case's form data as JSON, also when it is kept in the blob
//! store because it is large. `GET /v1/cases/{id}/form/fields`: the same form normalised
//! (`fallwerk_core::form`): labels, typed values, groups.

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use crate::ApiState;
use crate::auth::Caseworker;
use crate::problem::ApiResult;
use crate::telemetry::record_case;

pub async fn form(
    State(state): State<ApiState>,
    Caseworker(caller): Caseworker,
    Path(case_id): Path<String>,
) -> ApiResult<Response> {
    record_case(&case_id);
    let form = state.app.form(&caller, &case_id).await?;
    let mut res = Body::from(form.json).into_response();
    let headers = res.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    if let Ok(v) = HeaderValue::from_str(&form.form_id) {
        headers.insert("x-fallwerk-form-id", v);
    }
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    Ok(res)
}

pub async fn fields(
    State(state): State<ApiState>,
    Caseworker(caller): Caseworker,
    Path(case_id): Path<String>,
) -> ApiResult<Json<fallwerk_core::form::FormView>> {
    record_case(&case_id);
    Ok(Json(state.app.form_view(&caller, &case_id).await?))
}
