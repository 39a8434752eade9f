//! `POST /antrag/{client_id}/{token}`: the OZG-Cloud intake format, so form engines that deliver
//! to OZG-Cloud can deliver here unchanged. Form engines set no custom headers, so the client's
//! secret travels in the URL (compared in constant time, never logged: spans use the template).
//!
//! Parts: `formData` (JSON `{control: {...}, formData: [...]}`; any or no content type),
//! `representation` (the PDF rendering), repeated `attachment`. Files without a content type
//! are `application/octet-stream`. Other parts are ignored.

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
use fallwerk_core::model::Applicant;

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

const FIRST_NAMES: &[&str] = &["pers_vorname", "vorname", "firstname", "givenname"];
const LAST_NAMES: &[&str] = &[
    "pers_nachname",
    "nachname",
    "familienname",
    "lastname",
    "familyname",
];
const EMAILS: &[&str] = &["kont_email", "email", "e-mail", "emailadresse"];
const POSTBOX_IDS: &[&str] = &["postfachid"];
const TRUST_LEVELS: &[&str] = &["trustlevel"];

/// The first non-empty string under one of `keys` (case-insensitive), as an object member or as
/// a node `{name|key|id: <key>, value: "..."}`, searched depth-first.
fn find_text(v: &serde_json::Value, keys: &[&str], depth: u8) -> Option<String> {
    use serde_json::Value;
    let matches = |k: &str| keys.iter().any(|x| x.eq_ignore_ascii_case(k));
    let text = |v: &Value| {
        v.as_str()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    if depth == 0 {
        return None;
    }
    match v {
        Value::Object(map) => {
            for (k, val) in map {
                if matches(k)
                    && let Some(t) = text(val)
                {
                    return Some(t);
                }
            }
            let label = ["name", "key", "id"]
                .iter()
                .find_map(|f| map.get(*f).and_then(Value::as_str));
            if let (Some(label), Some(val)) = (label, map.get("value"))
                && matches(label)
                && let Some(t) = text(val)
            {
                return Some(t);
            }
            map.values().find_map(|x| find_text(x, keys, depth - 1))
        }
        Value::Array(items) => items.iter().find_map(|x| find_text(x, keys, depth - 1)),
        _ => None,
    }
}

fn applicant(form: &AntragFormData) -> Applicant {
    let data = &form.form_data;
    let konto = form.control.service_konto.clone().unwrap_or_default();
    let first = find_text(data, FIRST_NAMES, 32);
    let last = find_text(data, LAST_NAMES, 32);
    let name = match (first, last) {
        (Some(f), Some(l)) => format!("{f} {l}"),
        (Some(n), None) | (None, Some(n)) => n,
        (None, None) => "unbekannt".to_string(),
    };
    Applicant {
        name,
        email: find_text(data, EMAILS, 32),
        postbox_ref: find_text(&konto, POSTBOX_IDS, 32),
        trust_level: find_text(&konto, TRUST_LEVELS, 32),
    }
}

struct Parts {
    form_raw: Option<Vec<u8>>,
    documents: Vec<IncomingDocument>,
}

async fn read_parts(mut multipart: Multipart) -> Result<Parts, Problem> {
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
            "representation" => "representation",
            "attachment" => "submission",
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
            if source == "representation" {
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
        h.update(d.source.as_bytes());
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
    let parts = read_parts(multipart).await?;
    let form_raw = parts
        .form_raw
        .ok_or_else(|| Problem::invalid_field("formData", "the part formData is missing"))?;
    let form: AntragFormData = parse_json(&form_raw)?;
    let control = &form.control;
    let leika_id = choose_leika(&state, control).await?;
    let submission = Submission {
        submission_id: control.transaction_id.clone(),
        leika_id,
        org_unit_id: control.zustaendige_stelle.clone(),
        applicant: applicant(&form),
        form_id: control
            .form_id
            .clone()
            .or_else(|| control.name.clone())
            .unwrap_or_else(|| "antrag".to_string()),
        form_data: form.form_data.clone(),
        documents: parts.documents,
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
        .store
        .org_unit(&control.zustaendige_stelle)
        .await
        .map_err(Problem::from)?;
    Ok(org_unit
        .and_then(|ou| control.leika_ids.iter().find(|l| ou.offers(l)).cloned())
        .unwrap_or(first))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn finds_names_in_members_and_nodes() {
        let data = json!([{"antragsteller": {"pers_vorname": "Erika", "pers_nachname": "Muster"}}]);
        assert_eq!(find_text(&data, FIRST_NAMES, 32).as_deref(), Some("Erika"));
        let nodes = json!([{"name": "Nachname", "value": "Muster"}]);
        assert_eq!(find_text(&nodes, LAST_NAMES, 32).as_deref(), Some("Muster"));
        assert_eq!(find_text(&json!({"x": 1}), LAST_NAMES, 32), None);
    }

    #[test]
    fn postbox_from_service_konto() {
        let form: AntragFormData = serde_json::from_value(json!({
            "control": {"transactionId": "t", "zustaendigeStelle": "oe", "leikaIds": ["l"],
                "serviceKonto": {"type": "OSI", "trustLevel": "STORK-QAA-Level-3",
                    "postfachAddresses": [{"identifier": {"postfachId": "pf-1"}}]}},
            "formData": []
        }))
        .expect("valid");
        let a = applicant(&form);
        assert_eq!(a.name, "unbekannt");
        assert_eq!(a.postbox_ref.as_deref(), Some("pf-1"));
        assert_eq!(a.trust_level.as_deref(), Some("STORK-QAA-Level-3"));
    }
}
