//! Action forms with files: the send-result and message forms post `multipart/form-data` with
//! the uploaded Bescheid (part `file`, repeatable) next to their text fields. The files go through
//! the casework upload use case (`App::upload_documents`, as `POST /v1/cases/{id}/documents`)
//! and are then attached to the action by their numbers, all in the one POST.

use axum::extract::multipart::{Multipart, MultipartError};
use axum::extract::{Form, FromRequest, Request};
use axum::http::{StatusCode, header};

use super::form::Fields;
use crate::ApiState;
use crate::routes::documents::valid_media_type;
use fallwerk_core::app::{
    IncomingDocument, MAX_AUTHORITY_DOCUMENT, MAX_AUTHORITY_DOCUMENTS, authority_media_type_allowed,
};

/// The actions whose forms carry files.
pub fn takes_files(action: &str) -> bool {
    matches!(action, "send_result" | "message")
}

/// A submitted action form: its fields, its files and, when a file could not be taken, the
/// German message for the file field.
#[derive(Debug, Default)]
pub struct ActionForm {
    pub fields: Fields,
    pub files: Vec<IncomingDocument>,
    pub file_error: Option<String>,
}

/// Why a form could not be read at all.
#[derive(Debug)]
pub enum Unreadable {
    TooLarge,
    Malformed,
}

fn unreadable(e: MultipartError) -> Unreadable {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        Unreadable::TooLarge
    } else {
        Unreadable::Malformed
    }
}

/// What the file field says when a file is not taken.
pub fn unsupported_type() -> String {
    "Dieses Dateiformat wird nicht angenommen. Bitte laden Sie den Bescheid als PDF hoch (möglich sind auch PNG, JPEG, TIFF, XML, Text und DOCX).".into()
}

pub fn too_large() -> String {
    format!(
        "Die Datei ist zu groß. Erlaubt sind höchstens {} MB je Datei.",
        MAX_AUTHORITY_DOCUMENT / (1024 * 1024)
    )
}

/// Reads an urlencoded or a multipart action form.
pub async fn read(state: &ApiState, req: Request) -> Result<ActionForm, Unreadable> {
    let multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("multipart/form-data"));
    if !multipart {
        return match Form::<Fields>::from_request(req, state).await {
            Ok(Form(fields)) => Ok(ActionForm {
                fields,
                ..Default::default()
            }),
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => Err(Unreadable::TooLarge),
            Err(_) => Err(Unreadable::Malformed),
        };
    }
    let mut parts = Multipart::from_request(req, state)
        .await
        .map_err(|_| Unreadable::Malformed)?;
    let mut form = ActionForm::default();
    while let Some(field) = parts.next_field().await.map_err(unreadable)? {
        let name = field.name().unwrap_or_default().to_string();
        if name != "file" {
            let value = field.text().await.map_err(unreadable)?;
            form.fields.0.push((name, value));
            continue;
        }
        let file_name = field.file_name().unwrap_or_default().trim().to_string();
        let media_type = field
            .content_type()
            .unwrap_or_default()
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        let bytes = field.bytes().await.map_err(unreadable)?;
        // A file field left empty still sends a part: no name, no bytes.
        if file_name.is_empty() && bytes.is_empty() {
            continue;
        }
        if form.file_error.is_some() {
            continue;
        }
        if !valid_media_type(&media_type) || !authority_media_type_allowed(&media_type) {
            form.file_error = Some(unsupported_type());
        } else if bytes.len() > MAX_AUTHORITY_DOCUMENT {
            form.file_error = Some(too_large());
        } else if bytes.is_empty() {
            form.file_error = Some("Die gewählte Datei ist leer.".into());
        } else if form.files.len() >= MAX_AUTHORITY_DOCUMENTS {
            form.file_error = Some(format!(
                "Bitte laden Sie höchstens {MAX_AUTHORITY_DOCUMENTS} Dateien auf einmal hoch."
            ));
        } else {
            form.files.push(IncomingDocument {
                name: file_name,
                media_type,
                bytes: bytes.to_vec(),
                declared_sha256: None,
                declared_size: None,
                source: fallwerk_core::model::AttachmentSource::Authority,
            });
        }
    }
    Ok(form)
}
