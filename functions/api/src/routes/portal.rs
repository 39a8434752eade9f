//! Portal routes (HMAC-signed): submissions, applicant replies, status and postbox.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::documents::{AttachmentInput, decode, valid_media_type};
use crate::ApiState;
use crate::auth::{SignedRequest, SignedSubmission};
use crate::body::{parse_json, require_json};
use crate::problem::{ApiResult, Problem};
use crate::telemetry::record_case;
use fallwerk_core::app::uploads::UploadRef;
use fallwerk_core::app::{
    ApplicantStatus, Fingerprint, Submission, canonical_json_sha256, fingerprint_v2,
};
use fallwerk_core::model::{Applicant, AttachmentSource, Message, Status};
use fallwerk_core::ports::sha256_hex;

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FormInput {
    pub id: String,
    pub data: serde_json::Value,
}

/// `POST /v1/submissions`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SubmissionRequest {
    /// The portal's id of this submission: the idempotency key (per portal client).
    pub submission_id: String,
    pub leika_id: String,
    pub org_unit_id: String,
    pub applicant: Applicant,
    pub form: FormInput,
    #[serde(default)]
    pub attachments: Vec<AttachmentInput>,
    /// Documents put to upload slots before (`POST /v1/uploads`): large scans travel there,
    /// not in this body. Size and checksum must match what was uploaded.
    #[serde(default)]
    pub uploads: Vec<UploadInput>,
}

/// A document in an upload slot.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UploadInput {
    pub upload_id: String,
    pub name: String,
    pub media_type: String,
    pub size: u64,
    /// Lower-case hex SHA-256 of the uploaded bytes.
    pub sha256: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SubmissionResponse {
    pub case_id: String,
    pub reference: String,
    pub status: Status,
}

/// `POST /v1/cases/{id}/replies`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplyRequest {
    pub subject: String,
    pub text: String,
    #[serde(default)]
    pub attachments: Vec<AttachmentInput>,
}

/// 201 for a new case, 200 with the same body for a duplicate.
pub async fn submit(
    State(state): State<ApiState>,
    SignedSubmission {
        request: req,
        claim,
    }: SignedSubmission,
) -> ApiResult<(StatusCode, Json<SubmissionResponse>)> {
    require_json(&req.headers)?;
    let input: SubmissionRequest = parse_json(&req.body)?;
    // A retry of a submission stored before fingerprints had versions compares with the
    // fingerprint of that time: the canonical JSON of the whole body.
    let body = req.body.clone();
    let fingerprint = Fingerprint::new(submission_fingerprint(&input)).with_earlier(move || {
        Some(canonical_json_sha256(&body).unwrap_or_else(|| sha256_hex(&body)))
    });
    let mut documents = decode(input.attachments, AttachmentSource::Submission)?;
    let uploads = upload_refs(input.uploads)?;
    documents.extend(
        state
            .app
            .uploaded_documents(&req.client.0, &uploads)
            .await?,
    );
    let submission = Submission {
        submission_id: input.submission_id,
        leika_id: input.leika_id,
        org_unit_id: input.org_unit_id,
        applicant: input.applicant,
        form_id: input.form.id,
        form_data: input.form.data,
        documents,
    };
    let outcome = state
        .app
        .submit_claimed(&req.client.0, submission, fingerprint, claim)
        .await?;
    record_case(&outcome.case_id);
    // The case holds the documents now (or held them already, for a repeated submission).
    state.app.discard_uploads(&req.client.0, &uploads).await;
    let status = if outcome.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((
        status,
        Json(SubmissionResponse {
            case_id: outcome.case_id,
            reference: outcome.reference,
            status: outcome.status,
        }),
    ))
}

/// The idempotency fingerprint of a submission (version 2, `fallwerk_core::app::fingerprint_v2`):
/// the request as parsed, so a retry serialised anew is the same submission, with each document
/// named by its declared size and checksum instead of its base64 text (the checksum is checked
/// against the bytes before a case is created).
fn submission_fingerprint(input: &SubmissionRequest) -> String {
    let attachments: Vec<serde_json::Value> = input
        .attachments
        .iter()
        .map(|a| {
            serde_json::json!({
                "name": a.name,
                "media_type": a.media_type,
                "size": a.size,
                "sha256": a.sha256.to_ascii_lowercase(),
            })
        })
        .collect();
    let uploads: Vec<serde_json::Value> = input
        .uploads
        .iter()
        .map(|u| {
            serde_json::json!({
                "upload_id": u.upload_id,
                "name": u.name,
                "media_type": u.media_type,
                "size": u.size,
                "sha256": u.sha256.to_ascii_lowercase(),
            })
        })
        .collect();
    let head = serde_json::json!({
        "submission_id": input.submission_id,
        "leika_id": input.leika_id,
        "org_unit_id": input.org_unit_id,
        "applicant": input.applicant,
        "form_id": input.form.id,
        "attachments": attachments,
        "uploads": uploads,
    });
    fingerprint_v2(&[&head, &input.form.data])
}

fn upload_refs(inputs: Vec<UploadInput>) -> Result<Vec<UploadRef>, Problem> {
    inputs
        .into_iter()
        .enumerate()
        .map(|(i, u)| {
            if valid_media_type(&u.media_type) {
                Ok(UploadRef {
                    upload_id: u.upload_id,
                    name: u.name,
                    media_type: u.media_type,
                    size: u.size,
                    sha256: u.sha256,
                })
            } else {
                Err(Problem::invalid_field(
                    format!("uploads[{i}].media_type"),
                    "is not a media type",
                ))
            }
        })
        .collect()
}

pub async fn reply(
    State(state): State<ApiState>,
    Path(case_id): Path<String>,
    req: SignedRequest,
) -> ApiResult<Json<ApplicantStatus>> {
    record_case(&case_id);
    require_json(&req.headers)?;
    let input: ReplyRequest = parse_json(&req.body)?;
    let documents = decode(input.attachments, AttachmentSource::Reply)?;
    let status = state
        .app
        .applicant_reply(
            &req.client.0,
            &case_id,
            input.subject,
            input.text,
            documents,
        )
        .await?;
    Ok(Json(status))
}

pub async fn status(
    State(state): State<ApiState>,
    Path(case_id): Path<String>,
    req: SignedRequest,
) -> ApiResult<Json<ApplicantStatus>> {
    record_case(&case_id);
    Ok(Json(
        state.app.applicant_status(&req.client.0, &case_id).await?,
    ))
}

pub async fn messages(
    State(state): State<ApiState>,
    Path(case_id): Path<String>,
    req: SignedRequest,
) -> ApiResult<Json<Vec<Message>>> {
    record_case(&case_id);
    Ok(Json(
        state
            .app
            .applicant_messages(&req.client.0, &case_id)
            .await?,
    ))
}
