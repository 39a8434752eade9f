//! The form data of a case for caseworkers: inline forms from the case record, large ones
//! (above `INLINE_FORM_LIMIT`) from the blob store, checksum-verified — whole ([`App::form`])
//! or as a stream of chunks that never holds a large form in memory ([`App::form_stream`]).

use super::{App, AppError};
use crate::case::Caller;
use crate::form::{FormView, normalise};
use crate::model::FormData;
use crate::ports::BlobChunks;

/// The form's id and its data as JSON bytes.
#[derive(Debug, Clone, PartialEq)]
pub struct FormDocument {
    pub form_id: String,
    pub json: Vec<u8>,
}

/// The form's id, its size in bytes and its JSON as chunks (see [`App::form_stream`]).
pub struct FormStream {
    pub form_id: String,
    pub size: u64,
    /// Ends with `StoreError::Corrupt` when a blob's bytes do not match their checksum.
    pub chunks: BlobChunks,
}

impl App {
    /// `GET /v1/cases/{id}/form` streamed: an inline form as one chunk, a blob form as the blob
    /// store reads it. The same 404s as [`App::form`]; a missing blob is `NotFound` before the
    /// first byte, a checksum mismatch the stream's last item.
    pub async fn form_stream(
        &self,
        caller: &Caller,
        case_id: &str,
    ) -> Result<FormStream, AppError> {
        let case = self.visible_case(caller, case_id).await?;
        match case.form {
            FormData::Inline { form_id, data } => {
                let json = serde_json::to_vec(&data)
                    .map_err(|e| AppError::invalid("form", e.to_string()))?;
                Ok(FormStream {
                    form_id,
                    size: json.len() as u64,
                    chunks: Box::pin(futures_util::stream::iter([Ok(json)])),
                })
            }
            FormData::Blob {
                form_id,
                key,
                sha256,
                size,
            } => {
                let reader = self.blobs.open_blob(&key, &sha256).await?;
                // A blob of another length is corrupt for sure: say so before the first byte.
                if reader.size != size {
                    return Err(crate::ports::StoreError::Corrupt(key).into());
                }
                Ok(FormStream {
                    form_id,
                    size: reader.size,
                    chunks: reader.chunks,
                })
            }
            FormData::Purged => Err(AppError::NotFound(format!(
                "form data of case {case_id} (purged after retention)"
            ))),
        }
    }

    /// `GET /v1/cases/{id}/form`: 404 for foreign cases and for purged form data.
    pub async fn form(&self, caller: &Caller, case_id: &str) -> Result<FormDocument, AppError> {
        let case = self.visible_case(caller, case_id).await?;
        match case.form {
            FormData::Inline { form_id, data } => Ok(FormDocument {
                form_id,
                json: serde_json::to_vec(&data)
                    .map_err(|e| AppError::invalid("form", e.to_string()))?,
            }),
            FormData::Blob {
                form_id,
                key,
                sha256,
                ..
            } => Ok(FormDocument {
                form_id,
                json: self.blobs.get_blob(&key, &sha256).await?,
            }),
            FormData::Purged => Err(AppError::NotFound(format!(
                "form data of case {case_id} (purged after retention)"
            ))),
        }
    }

    /// `GET /v1/cases/{id}/form/fields`: the normalised view of the form (labels, typed values,
    /// groups), whichever shape the sender used.
    pub async fn form_view(&self, caller: &Caller, case_id: &str) -> Result<FormView, AppError> {
        let doc = self.form(caller, case_id).await?;
        let data: serde_json::Value = serde_json::from_slice(&doc.json)
            .map_err(|e| AppError::invalid("form", e.to_string()))?;
        let (shape, fields) = normalise(&data);
        Ok(FormView {
            form_id: doc.form_id,
            shape,
            fields,
        })
    }
}
