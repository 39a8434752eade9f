//! Caseworker routes of the postbox thread: read it, mark the applicant's messages read.

use axum::Json;
use axum::extract::{Path, State};
use schemars::JsonSchema;
use serde::Deserialize;

use crate::ApiState;
use crate::auth::Caseworker;
use crate::body::StrictJson;
use crate::problem::ApiResult;
use crate::telemetry::record_case;
use fallwerk_core::app::Thread;

/// Body of `POST /v1/cases/{id}/thread/read`.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MarkReadRequest {
    /// Messages from the applicant to mark read; all unread ones when absent.
    #[serde(default)]
    pub message_ids: Option<Vec<String>>,
}

pub async fn thread(
    State(state): State<ApiState>,
    Caseworker(caller): Caseworker,
    Path(case_id): Path<String>,
) -> ApiResult<Json<Thread>> {
    record_case(&case_id);
    Ok(Json(state.app.thread(&caller, &case_id).await?))
}

pub async fn mark_read(
    State(state): State<ApiState>,
    Caseworker(caller): Caseworker,
    Path(case_id): Path<String>,
    StrictJson(body): StrictJson<MarkReadRequest>,
) -> ApiResult<Json<Thread>> {
    record_case(&case_id);
    Ok(Json(
        state
            .app
            .mark_thread_read(&caller, &case_id, body.message_ids)
            .await?,
    ))
}
