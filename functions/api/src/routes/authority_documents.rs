//! Documents of the authority: caseworkers upload them (multipart), the portal downloads those
//! sent to the applicant (signed route).

use axum::Json;
use axum::body::Body;
use axum::extract::multipart::{Multipart, MultipartError, MultipartRejection};
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use schemars::JsonSchema;
use serde::Serialize;

use super::casework::content_disposition;
use super::documents::valid_media_type;
use crate::ApiState;
use crate::auth::{Caseworker, SignedRequest};
use crate::problem::{ApiResult, Kind, Problem};
use crate::telemetry::record_case;
use fallwerk_core::app::{
    IncomingDocument, MAX_AUTHORITY_DOCUMENT, ThreadAttachment, authority_media_type_allowed,
};
use fallwerk_core::model::AttachmentMeta;

/// Answer of `POST /v1/cases/{id}/documents`: the stored documents with their numbers, to
/// name in `send_result.attachments` or `message.attachments`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct UploadedDocuments {
    pub documents: Vec<ThreadAttachment>,
}

fn multipart_problem(e: MultipartError) -> Problem {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        Problem::new(Kind::PayloadTooLarge, "the request body exceeds the limit")
    } else {
        Problem::new(
            Kind::MalformedRequest,
            format!("invalid multipart body: {e}"),
        )
    }
}

/// Parts `file` (repeatable: file name, content type, bytes) and optionally, in the same order,
/// `sha256` (lower-case hex, checked against the bytes).
async fn read_files(mut multipart: Multipart) -> Result<Vec<IncomingDocument>, Problem> {
    let mut files: Vec<IncomingDocument> = Vec::new();
    let mut checksums: Vec<String> = Vec::new();
    while let Some(field) = multipart.next_field().await.map_err(multipart_problem)? {
        match field.name().unwrap_or_default() {
            "file" => {
                let i = files.len();
                let media_type = field
                    .content_type()
                    .unwrap_or_default()
                    .split(';')
                    .next()
                    .unwrap_or_default()
                    .trim()
                    .to_ascii_lowercase();
                if !valid_media_type(&media_type) || !authority_media_type_allowed(&media_type) {
                    return Err(Problem::new(
                        Kind::UnsupportedMediaType,
                        format!(
                            "file[{i}]: media type `{media_type}` is not accepted (PDF, PNG, JPEG, TIFF, XML, text, DOCX)"
                        ),
                    ));
                }
                let name = field.file_name().unwrap_or_default().to_string();
                let bytes = field.bytes().await.map_err(multipart_problem)?;
                if bytes.len() > MAX_AUTHORITY_DOCUMENT {
                    return Err(Problem::new(
                        Kind::PayloadTooLarge,
                        format!("file[{i}] is larger than {MAX_AUTHORITY_DOCUMENT} bytes"),
                    ));
                }
                files.push(IncomingDocument {
                    name,
                    media_type,
                    bytes: bytes.to_vec(),
                    declared_sha256: None,
                    declared_size: None,
                    source: fallwerk_core::model::AttachmentSource::Authority,
                });
            }
            "sha256" => checksums.push(field.text().await.map_err(multipart_problem)?),
            other => {
                return Err(Problem::invalid_field(
                    other.to_string(),
                    "unknown part; send `file` (and optionally `sha256`)",
                ));
            }
        }
    }
    if checksums.len() > files.len() {
        return Err(Problem::invalid_field(
            "sha256",
            "more checksums than files",
        ));
    }
    for (f, c) in files.iter_mut().zip(checksums) {
        f.declared_sha256 = Some(c.trim().to_string());
    }
    Ok(files)
}

/// `POST /v1/cases/{id}/documents` (multipart/form-data).
pub async fn upload(
    State(state): State<ApiState>,
    Caseworker(caller): Caseworker,
    Path(case_id): Path<String>,
    multipart: Result<Multipart, MultipartRejection>,
) -> ApiResult<(StatusCode, Json<UploadedDocuments>)> {
    record_case(&case_id);
    let multipart = multipart.map_err(|_| {
        Problem::new(
            Kind::UnsupportedMediaType,
            "send the documents as multipart/form-data",
        )
    })?;
    let files = read_files(multipart).await?;
    let metas = state.app.upload_documents(&caller, &case_id, files).await?;
    Ok((
        StatusCode::CREATED,
        Json(UploadedDocuments {
            documents: metas.iter().map(ThreadAttachment::from).collect(),
        }),
    ))
}

fn file_response(meta: &AttachmentMeta, bytes: Vec<u8>) -> Response {
    let mut res = Body::from(bytes).into_response();
    let headers = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&meta.media_type) {
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
    res
}

/// `GET /v1/cases/{id}/documents/{n}` for the portal: a document the authority sent.
pub async fn portal_download(
    State(state): State<ApiState>,
    Path((case_id, n)): Path<(String, u32)>,
    req: SignedRequest,
) -> ApiResult<Response> {
    record_case(&case_id);
    let (meta, bytes) = state
        .app
        .applicant_document(&req.client.0, &case_id, n)
        .await?;
    Ok(file_response(&meta, bytes))
}
