//! Caseworker routes (bearer JWT): inbox, case, history, attachments, actions.

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use schemars::JsonSchema;
use serde::Deserialize;

use super::documents::valid_media_type;
use crate::ApiState;
use crate::auth::Caseworker;
use crate::body::StrictJson;
use crate::problem::{ApiResult, Problem};
use crate::telemetry::record_case;
use fallwerk_core::app::CaseView;
use fallwerk_core::case::Action;
use fallwerk_core::inbox::{InboxCounts, InboxItem};
use fallwerk_core::ports::Page;
use fallwerk_events::DomainEvent;

pub use fallwerk_core::app::InboxParams;

#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HistoryParams {
    /// Events with a sequence number above this (0 = from the start).
    pub after: Option<u64>,
    pub limit: Option<u32>,
}

fn query_problem(e: axum::extract::rejection::QueryRejection) -> Problem {
    Problem::new(crate::problem::Kind::InvalidBody, e.body_text())
}

/// `GET /v1/cases`: the inbox (see `InboxParams`).
pub async fn inbox(
    State(state): State<ApiState>,
    Caseworker(caller): Caseworker,
    params: Result<Query<InboxParams>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Json<Page<InboxItem>>> {
    let Query(p) = params.map_err(query_problem)?;
    Ok(Json(state.app.search_inbox(&caller, p).await?))
}

/// Query of `GET /v1/inbox/counts`.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CountParams {
    /// One org unit of the caller; all of them when absent.
    pub org_unit: Option<String>,
}

/// `GET /v1/inbox/counts`: open cases per status and task.
pub async fn inbox_counts(
    State(state): State<ApiState>,
    Caseworker(caller): Caseworker,
    params: Result<Query<CountParams>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Json<InboxCounts>> {
    let Query(p) = params.map_err(query_problem)?;
    Ok(Json(state.app.inbox_counts(&caller, p.org_unit).await?))
}

pub async fn case(
    State(state): State<ApiState>,
    Caseworker(caller): Caseworker,
    Path(case_id): Path<String>,
) -> ApiResult<Json<CaseView>> {
    record_case(&case_id);
    Ok(Json(state.app.case_view(&caller, &case_id).await?))
}

pub async fn history(
    State(state): State<ApiState>,
    Caseworker(caller): Caseworker,
    Path(case_id): Path<String>,
    params: Result<Query<HistoryParams>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Json<Page<DomainEvent>>> {
    record_case(&case_id);
    let Query(p) = params.map_err(query_problem)?;
    let page = state
        .app
        .history(
            &caller,
            &case_id,
            p.after.unwrap_or(0),
            p.limit.unwrap_or(100),
        )
        .await?;
    Ok(Json(page))
}

/// `filename*=UTF-8''…` (RFC 6266/8187) plus an ASCII fallback.
pub fn content_disposition(name: &str) -> String {
    let mut encoded = String::with_capacity(name.len() * 3);
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            encoded.push(b as char);
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    let fallback: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ' ') {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

pub async fn attachment(
    State(state): State<ApiState>,
    Caseworker(caller): Caseworker,
    Path((case_id, n)): Path<(String, u32)>,
) -> ApiResult<Response> {
    record_case(&case_id);
    let (meta, bytes) = state.app.attachment(&caller, &case_id, n).await?;
    let media_type = if valid_media_type(&meta.media_type) {
        meta.media_type.as_str()
    } else {
        "application/octet-stream"
    };
    let mut res = Body::from(bytes).into_response();
    let headers = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(media_type) {
        headers.insert(header::CONTENT_TYPE, v);
    }
    if let Ok(v) = HeaderValue::from_str(&content_disposition(&meta.name)) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    Ok(res)
}

/// Body `{action, expected_version, ...}`; unknown fields are 422.
pub async fn act(
    State(state): State<ApiState>,
    Caseworker(caller): Caseworker,
    Path(case_id): Path<String>,
    StrictJson(body): StrictJson<serde_json::Value>,
) -> ApiResult<Json<CaseView>> {
    record_case(&case_id);
    let (version, action) = Action::parse_request(body)
        .map_err(|e| Problem::new(crate::problem::Kind::InvalidBody, e))?;
    Ok(Json(
        state.app.act(&caller, &case_id, version, action).await?,
    ))
}
