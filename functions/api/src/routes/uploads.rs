//! Upload slots for the native submission route (`fallwerk_core::app::uploads`):
//! `POST /v1/uploads` (signed like every portal request) hands out one slot per document; the
//! portal PUTs each document to its slot's URL and then submits with `uploads` references. On
//! AWS the URL is an S3 presigned PUT; in the embedded mode it is
//! `PUT /v1/uploads/{client_id}/{upload_id}?size&sha256&expires&signature` on `fallwerk serve`,
//! a capability signed with the client's secret, so the PUT needs no signature of its own.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, Request, State};
use axum::http::StatusCode;
use chrono::{DateTime, TimeZone, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::documents::valid_media_type;
use crate::ApiState;
use crate::auth::SignedRequest;
use crate::auth::portal::{active_client, secrets_equal, upload_signature};
use crate::body::{parse_json, read_bytes, require_json};
use crate::problem::{ApiResult, Kind, Problem};
use crate::telemetry::record_actor;
use fallwerk_core::app::uploads::{PlannedSlot, SlotRequest};

/// `POST /v1/uploads`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SlotsRequest {
    /// One entry per document (at most 50).
    pub documents: Vec<SlotDocument>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SlotDocument {
    pub name: String,
    pub media_type: String,
    /// Exact size in bytes (at most 100 MiB).
    pub size: u64,
    /// Lower-case hex SHA-256 of the bytes.
    pub sha256: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SlotsResponse {
    /// In the order of the request's documents.
    pub slots: Vec<UploadSlot>,
}

/// Where one document goes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct UploadSlot {
    /// Reference it in the submission's `uploads`.
    pub upload_id: String,
    /// Always `PUT`, with the document's bytes as the body.
    pub method: String,
    /// Absolute (S3) or relative to the API's base URL (`fallwerk serve`).
    pub url: String,
    /// Headers to send with the PUT exactly as given (they are signed).
    pub headers: BTreeMap<String, String>,
    /// The slot takes its upload until then; the upload is kept one day for the submission.
    pub expires_at: DateTime<Utc>,
}

/// 201 with one slot per document.
pub async fn slots(
    State(state): State<ApiState>,
    req: SignedRequest,
) -> ApiResult<(StatusCode, Json<SlotsResponse>)> {
    require_json(&req.headers)?;
    let input: SlotsRequest = parse_json(&req.body)?;
    for (i, d) in input.documents.iter().enumerate() {
        if !valid_media_type(&d.media_type) {
            return Err(Problem::invalid_field(
                format!("documents[{i}].media_type"),
                "is not a media type",
            ));
        }
    }
    let client = active_client(&state.app, &req.client.0).await?;
    let requests: Vec<SlotRequest> = input
        .documents
        .into_iter()
        .map(|d| SlotRequest {
            name: d.name,
            media_type: d.media_type,
            size: d.size,
            sha256: d.sha256,
        })
        .collect();
    let planned = state.app.upload_slots(&client.id, &requests).await?;
    let slots = planned
        .into_iter()
        .map(|p| slot(&client.id, &client.secret, p))
        .collect();
    Ok((StatusCode::CREATED, Json(SlotsResponse { slots })))
}

fn slot(client_id: &str, secret: &str, p: PlannedSlot) -> UploadSlot {
    let (url, headers) = match p.presigned {
        Some(pre) => (pre.url, pre.headers.into_iter().collect()),
        None => {
            let expires = p.expires_at.timestamp();
            let signature =
                upload_signature(secret, client_id, &p.upload_id, p.size, &p.sha256, expires);
            (
                format!(
                    "/v1/uploads/{client_id}/{}?size={}&sha256={}&expires={expires}&signature={signature}",
                    p.upload_id, p.size, p.sha256
                ),
                BTreeMap::new(),
            )
        }
    };
    UploadSlot {
        upload_id: p.upload_id,
        method: "PUT".into(),
        url,
        headers,
        expires_at: p.expires_at,
    }
}

/// The slot URL's query, as `POST /v1/uploads` wrote it.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
pub struct SlotQuery {
    pub size: u64,
    pub sha256: String,
    pub expires: i64,
    pub signature: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct UploadReceipt {
    pub upload_id: String,
    pub size: u64,
    pub sha256: String,
}

/// The embedded slot URL: 201 when the bytes are what the slot declared.
pub async fn put(
    State(state): State<ApiState>,
    Path((client_id, upload_id)): Path<(String, String)>,
    query: Result<Query<SlotQuery>, QueryRejection>,
    req: Request,
) -> ApiResult<(StatusCode, Json<UploadReceipt>)> {
    let Ok(Query(q)) = query else {
        return Err(Problem::unauthorized(
            "the upload URL is incomplete; use the URL of the slot as given",
        ));
    };
    let client = active_client(&state.app, &client_id).await?;
    let expected = upload_signature(
        &client.secret,
        &client.id,
        &upload_id,
        q.size,
        &q.sha256,
        q.expires,
    );
    if !secrets_equal(&q.signature, &expected) {
        tracing::info!(reason = "upload signature mismatch", "portal auth failed");
        return Err(Problem::unauthorized(
            "the request signature could not be verified",
        ));
    }
    record_actor(&format!("portal:{}", client.id));
    let expires = Utc.timestamp_opt(q.expires, 0).single();
    if expires.is_none_or(|e| e < state.app.clock.now()) {
        return Err(Problem::new(
            Kind::Forbidden,
            "the upload slot has expired; ask for a new one",
        ));
    }
    // Read only after the capability is checked: strangers cost no upload.
    let body = read_bytes(req).await?;
    let meta = state
        .app
        .put_upload(&client.id, &upload_id, q.size, &q.sha256, &body)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(UploadReceipt {
            upload_id,
            size: meta.size,
            sha256: meta.sha256,
        }),
    ))
}
