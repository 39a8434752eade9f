//! `POST /antrag/{client_id}/{token}`: the OZG-Cloud intake format, so form engines that deliver
//! to OZG-Cloud can deliver here unchanged. Form engines set no custom headers, so the client's
//! secret travels in the URL (compared in constant time, never logged: spans use the template).
//!
//! Parts: `formData` (JSON `{control: {...}, formData: [...]}`; any or no content type),
//! `representation` (the PDF rendering), repeated `attachment`. Files without a content type
//! are `application/octet-stream`. Other parts are ignored. The `formData` part itself is kept
//! byte-exact as the document `formData.json` (source `form_data`); the applicant is read by
//! `fallwerk_core::form` (docs/intake.md).

use axum::Json;
use axum::extract::multipart::{Multipart, MultipartError, MultipartRejection};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::documents::valid_media_type;
use crate::ApiState;
use crate::auth::portal::{active_client, secrets_equal};
use crate::body::parse_json;
use crate::problem::{ApiResult, Kind, Problem};
use crate::telemetry::{record_actor, record_case};
use fallwerk_core::app::{IncomingDocument, Submission};
use fallwerk_core::form::{FormField, ServiceAccount, normalise, recognise_applicant};
use fallwerk_core::model::{Applicant, AttachmentSource, PortalClient};

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Control {
    pub transaction_id: String,
    pub zustaendige_stelle: String,
    #[serde(default)]
    pub leika_ids: Vec<String>,
    #[serde(default)]
    pub form_id: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub service_konto: Option<serde_json::Value>,
}

/// The JSON of the `formData` part; unknown members are tolerated (form engines add their own).
#[derive(Debug, Clone, Deserialize)]
pub struct AntragFormData {
    pub control: Control,
    #[serde(default, rename = "formData")]
    pub form_data: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Vorgang {
    pub vorgang_id: String,
    pub vorgang_nummer: String,
    pub status: String,
    pub status_since: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AntragResponse {
    pub transaction_id: String,
    pub vorgang: Vorgang,
}

fn multipart_problem(e: MultipartError, limit: usize) -> Problem {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        Problem::new(
            Kind::PayloadTooLarge,
            format!(
                "the application exceeds the limit of {limit} bytes of this intake (docs/intake.md: limits per backend)"
            ),
        )
    } else {
        Problem::new(
            Kind::MalformedRequest,
            format!("invalid multipart body: {e}"),
        )
    }
}

/// The applicant as the form engine describes them: names and e-mail from the form (the
/// client's mapping first), postbox and trust level from `control.serviceKonto`.
fn applicant(form: &AntragFormData, fields: &[FormField], client: &PortalClient) -> Applicant {
    let account = form
        .control
        .service_konto
        .as_ref()
        .map(ServiceAccount::from_json)
        .unwrap_or_default();
    recognise_applicant(fields, &account, client.applicant_fields.as_ref())
}

struct Parts {
    form_raw: Option<Vec<u8>>,
    documents: Vec<IncomingDocument>,
}

async fn read_parts(mut multipart: Multipart, limit: usize) -> Result<Parts, Problem> {
    let multipart_problem = |e| multipart_problem(e, limit);
    let mut parts = Parts {
        form_raw: None,
        documents: Vec::new(),
    };
    while let Some(field) = multipart.next_field().await.map_err(multipart_problem)? {
        let name = field.name().unwrap_or_default().to_owned();
        let source = match name.as_str() {
            "formData" => {
                let bytes = field.bytes().await.map_err(multipart_problem)?;
                parts.form_raw = Some(bytes.to_vec());
                continue;
            }
            "representation" => AttachmentSource::Representation,
            "attachment" => AttachmentSource::Submission,
            _ => continue,
        };
        let media_type = field
            .content_type()
            .map(|ct| {
                ct.split(';')
                    .next()
                    .unwrap_or_default()
                    .trim()
                    .to_ascii_lowercase()
            })
            .filter(|ct| valid_media_type(ct))
            .unwrap_or_else(|| "application/octet-stream".to_string());
        let file_name = field.file_name().map(str::to_owned).unwrap_or_else(|| {
            if source == AttachmentSource::Representation {
                "antrag.pdf".to_string()
            } else {
                format!("anhang-{}", parts.documents.len() + 1)
            }
        });
        let bytes = field.bytes().await.map_err(multipart_problem)?;
        parts.documents.push(IncomingDocument {
            name: file_name,
            media_type,
            bytes: bytes.to_vec(),
            declared_sha256: None,
            declared_size: None,
            source,
        });
    }
    Ok(parts)
}

/// The idempotency fingerprint: the form part and the documents, not the multipart framing
/// (whose boundary changes on every retry).
fn fingerprint(form_raw: &[u8], documents: &[IncomingDocument]) -> String {
    let mut h = Sha256::new();
    // Canonical JSON: a re-serialised `formData` is the same submission.
    match fallwerk_core::app::canonical_json_sha256(form_raw) {
        Some(canonical) => h.update(canonical.as_bytes()),
        None => h.update(Sha256::digest(form_raw)),
    }
    for d in documents {
        h.update(d.source.as_str().as_bytes());
        h.update(d.name.as_bytes());
        h.update(Sha256::digest(&d.bytes));
    }
    hex::encode(h.finalize())
}

pub async fn antrag(
    State(state): State<ApiState>,
    Path((client_id, token)): Path<(String, String)>,
    multipart: Result<Multipart, MultipartRejection>,
) -> ApiResult<(StatusCode, Json<AntragResponse>)> {
    let client = active_client(&state.app, &client_id).await?;
    if !secrets_equal(&token, &client.secret) {
        tracing::info!(reason = "token mismatch", "antrag auth failed");
        return Err(Problem::unauthorized(
            "the request signature could not be verified",
        ));
    }
    record_actor(&format!("portal:{}", client.id));
    let multipart = multipart.map_err(|_| {
        Problem::new(
            Kind::UnsupportedMediaType,
            "send the application as multipart/form-data",
        )
    })?;
    let parts = read_parts(multipart, state.limits.submission).await?;
    let form_raw = parts
        .form_raw
        .ok_or_else(|| Problem::invalid_field("formData", "the part formData is missing"))?;
    let form: AntragFormData = parse_json(&form_raw)?;
    let control = &form.control;
    let leika_id = choose_leika(&state, control).await?;
    let (_, fields) = normalise(&form.form_data);
    let applicant = applicant(&form, &fields, &client);
    let mut documents = parts.documents;
    // The part as the engine sent it, byte-exact: the export package carries it.
    documents.push(IncomingDocument {
        name: "formData.json".to_string(),
        media_type: "application/json".to_string(),
        bytes: form_raw.clone(),
        declared_sha256: None,
        declared_size: None,
        source: AttachmentSource::FormData,
    });
    let submission = Submission {
        submission_id: control.transaction_id.clone(),
        leika_id,
        org_unit_id: control.zustaendige_stelle.clone(),
        applicant,
        form_id: control
            .form_id
            .clone()
            .or_else(|| control.name.clone())
            .unwrap_or_else(|| "antrag".to_string()),
        form_data: form.form_data.clone(),
        documents,
    };
    let body_sha = fingerprint(&form_raw, &submission.documents);
    let outcome = state.app.submit(&client.id, submission, &body_sha).await?;
    record_case(&outcome.case_id);
    let status = if outcome.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((
        status,
        Json(AntragResponse {
            transaction_id: form.control.transaction_id,
            vorgang: Vorgang {
                vorgang_id: outcome.case_id,
                vorgang_nummer: outcome.reference,
                status: outcome.status.as_str().to_string(),
                status_since: outcome.status_since,
            },
        }),
    ))
}

/// The first LeiKa id the org unit offers, else the first one (the core then refuses it).
async fn choose_leika(state: &ApiState, control: &Control) -> Result<String, Problem> {
    let first = control
        .leika_ids
        .first()
        .cloned()
        .ok_or_else(|| Problem::invalid_field("control.leikaIds", "must name a service"))?;
    let org_unit = state
        .app
        .org_unit(&control.zustaendige_stelle)
        .await
        .map_err(Problem::from)?;
    Ok(org_unit
        .and_then(|ou| control.leika_ids.iter().find(|l| ou.offers(l)).cloned())
        .unwrap_or(first))
}
