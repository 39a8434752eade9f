//! Builds the export package (format version 1, docs/export-format.md): `manifest.json`,
//! `case.xml`, `form.json` (when the case has form data) and `attachments/{n}-{name}`.

use chrono::{DateTime, SecondsFormat, Utc};
use fallwerk_core::app::{App, sanitize_file_name};
use fallwerk_core::model::{Case, FormData};
use fallwerk_core::ports::{ExportPackage, PackageFile, StoreError};
use fallwerk_events::DomainEvent;

use super::case_xml::{self, XmlInput};
use super::format::{
    AttachmentRef, FORMAT_NAME, FORMAT_VERSION, Manifest, ManifestFile, NamedRef, package_name,
};

/// Why a package could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BuildError {
    #[error("{0}")]
    Transient(String),
    /// Missing or corrupt blobs, unreadable form data: retrying will not help.
    #[error("{0}")]
    Permanent(String),
}

impl From<StoreError> for BuildError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Backend(_) => BuildError::Transient(e.to_string()),
            other => BuildError::Permanent(other.to_string()),
        }
    }
}

fn listed(f: &PackageFile, role: &str, attachment: Option<AttachmentRef>) -> ManifestFile {
    ManifestFile {
        path: f.path.clone(),
        media_type: f.media_type.clone(),
        size: f.bytes.len() as u64,
        sha256: f.sha256.clone(),
        role: role.to_string(),
        attachment,
    }
}

/// Builds the package of `case` for export attempt `attempt`. `created_at` is the time of the
/// export request, so a redelivered request builds the same manifest.
pub async fn build_package(
    app: &App,
    case: &Case,
    attempt: u32,
    created_at: DateTime<Utc>,
    history: &[DomainEvent],
) -> Result<ExportPackage, BuildError> {
    let name = package_name(&case.reference, attempt);
    let names = app.directory_names(case).await?;

    // Form data: the exact JSON as form.json, the parsed tree for case.xml.
    let form_bytes = match &case.form {
        FormData::Inline { data, .. } => Some(
            serde_json::to_vec_pretty(data)
                .map_err(|e| BuildError::Permanent(format!("form data: {e}")))?,
        ),
        FormData::Blob { key, sha256, .. } => Some(app.blob(key, sha256).await?),
        FormData::Purged => None,
    };
    let form_tree: Option<serde_json::Value> = match &form_bytes {
        Some(bytes) => Some(
            serde_json::from_slice(bytes)
                .map_err(|e| BuildError::Permanent(format!("stored form data is not JSON: {e}")))?,
        ),
        None => None,
    };

    let mut attachments = Vec::with_capacity(case.attachments.len());
    let mut paths = Vec::with_capacity(case.attachments.len());
    for a in &case.attachments {
        let bytes = app.blob(&a.key, &a.sha256).await?;
        let path = format!("attachments/{}-{}", a.n, sanitize_file_name(&a.name));
        paths.push(path.clone());
        attachments.push((PackageFile::new(path, &a.media_type, bytes), a));
    }

    let messages = app.case_messages(&case.id).await?;
    let xml = case_xml::render(&XmlInput {
        case,
        names: &names,
        package: &name,
        created_at,
        form: form_tree.as_ref(),
        attachment_paths: &paths,
        history,
        messages: &messages,
    });

    let mut files = vec![PackageFile::new(
        "case.xml",
        "application/xml",
        xml.into_bytes(),
    )];
    let mut listing = vec![listed(&files[0], "case", None)];
    if let Some(bytes) = form_bytes {
        let f = PackageFile::new("form.json", "application/json", bytes);
        listing.push(listed(&f, "form", None));
        files.push(f);
    }
    for (f, a) in attachments {
        listing.push(listed(
            &f,
            "attachment",
            Some(AttachmentRef {
                n: a.n,
                name: a.name.clone(),
                source: a.source.to_string(),
            }),
        ));
        files.push(f);
    }

    let manifest = Manifest {
        format: FORMAT_NAME.into(),
        format_version: FORMAT_VERSION,
        package: name.clone(),
        case_id: case.id.clone(),
        reference: case.reference.clone(),
        attempt,
        status: case.status.as_str().into(),
        org_unit: NamedRef {
            id: case.org_unit_id.clone(),
            name: names.org_unit,
        },
        service: NamedRef {
            id: case.leika_id.clone(),
            name: names.service,
        },
        created_at: created_at.to_rfc3339_opts(SecondsFormat::AutoSi, true),
        files: listing,
    };
    let manifest = serde_json::to_vec_pretty(&manifest)
        .map_err(|e| BuildError::Permanent(format!("manifest: {e}")))?;
    files.insert(
        0,
        PackageFile::new("manifest.json", "application/json", manifest),
    );

    Ok(ExportPackage {
        name,
        case_id: case.id.clone(),
        files,
    })
}
