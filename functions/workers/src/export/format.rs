//! The package format's names and the manifest (format version 1, docs/export-format.md): what
//! the package builder writes and `case.xml` and the webhook body name.

use serde::{Deserialize, Serialize};

/// The version of the package format; bumped on any incompatible change.
pub const FORMAT_VERSION: u32 = 1;
/// The `format` value of every manifest.
pub const FORMAT_NAME: &str = "fallwerk-export";

/// `manifest.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    pub format_version: u32,
    /// `{reference}-{attempt}`, unique per case and export attempt.
    pub package: String,
    pub case_id: String,
    pub reference: String,
    pub attempt: u32,
    pub status: String,
    pub org_unit: NamedRef,
    pub service: NamedRef,
    /// RFC 3339, UTC: when the export was requested.
    pub created_at: String,
    /// Every other file of the package (the manifest does not list itself).
    pub files: Vec<ManifestFile>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NamedRef {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestFile {
    pub path: String,
    pub media_type: String,
    pub size: u64,
    pub sha256: String,
    /// `case`, `form` or `attachment`.
    pub role: String,
    /// For attachments: the case's attachment number, original name and origin.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attachment: Option<AttachmentRef>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachmentRef {
    pub n: u32,
    pub name: String,
    pub source: String,
}

/// The package name: `{reference}-{attempt}`.
pub fn package_name(reference: &str, attempt: u32) -> String {
    format!("{reference}-{attempt}")
}
