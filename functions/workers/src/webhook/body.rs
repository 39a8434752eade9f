//! The webhook request body: the whole package as one JSON document, each file base64-encoded
//! with its path, media type, size and SHA-256 (the receiver checks them).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use fallwerk_core::ports::{ExportError, ExportPackage};
use serde::{Deserialize, Serialize};

use crate::export::{FORMAT_NAME, FORMAT_VERSION};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WirePackage {
    pub format: String,
    pub format_version: u32,
    pub package: String,
    pub case_id: String,
    /// `manifest.json` first, then the files in manifest order.
    pub files: Vec<WireFile>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WireFile {
    pub path: String,
    pub media_type: String,
    pub size: u64,
    pub sha256: String,
    pub content_base64: String,
}

/// The exact bytes POSTed (and signed) for `package`.
pub fn request_body(package: &ExportPackage) -> Result<Vec<u8>, ExportError> {
    let wire = WirePackage {
        format: FORMAT_NAME.into(),
        format_version: FORMAT_VERSION,
        package: package.name.clone(),
        case_id: package.case_id.clone(),
        files: package
            .files
            .iter()
            .map(|f| WireFile {
                path: f.path.clone(),
                media_type: f.media_type.clone(),
                size: f.bytes.len() as u64,
                sha256: f.sha256.clone(),
                content_base64: STANDARD.encode(&f.bytes),
            })
            .collect(),
    };
    serde_json::to_vec(&wire).map_err(|e| ExportError::Permanent(format!("request body: {e}")))
}
