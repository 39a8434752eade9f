//! Bounded lengths for the free-text fields that enter through the portal and the admin
//! directory (case actions bound theirs in `case::decide`). A too-long value is refused with a
//! problem naming the field and the limit, never truncated silently.

use super::AppError;
use crate::model::{OrgUnit, PortalClient, Service};
use fallwerk_events::ExportTarget;

/// Names of people, org units, services and portal clients.
pub const MAX_NAME: usize = 200;
/// E-mail addresses (RFC 5321 path limit).
pub const MAX_EMAIL: usize = 254;
/// References and short identifiers a portal sends (postbox, form, trust level, routing keys).
pub const MAX_REF: usize = 128;
/// Media types of documents.
pub const MAX_MEDIA_TYPE: usize = 255;
/// URLs and paths of export targets.
pub const MAX_LOCATION: usize = 2048;
/// Entries of a list field (required documents, services of an org unit).
pub const MAX_ENTRIES: usize = 200;

/// `value` has at most `max` characters.
pub fn bounded(field: &str, value: &str, max: usize) -> Result<(), AppError> {
    if value.chars().count() > max {
        Err(AppError::invalid(
            field,
            format!("must be at most {max} characters"),
        ))
    } else {
        Ok(())
    }
}

fn entries<T>(field: &str, list: &[T]) -> Result<(), AppError> {
    if list.len() > MAX_ENTRIES {
        Err(AppError::invalid(
            field,
            format!("at most {MAX_ENTRIES} entries"),
        ))
    } else {
        Ok(())
    }
}

/// The free-text fields of a submission (the attachment names are sanitised and cut instead).
pub fn check_submission(s: &super::Submission) -> Result<(), AppError> {
    bounded("leika_id", &s.leika_id, MAX_REF)?;
    bounded("org_unit_id", &s.org_unit_id, MAX_REF)?;
    bounded("applicant.name", &s.applicant.name, MAX_NAME)?;
    if let Some(email) = &s.applicant.email {
        bounded("applicant.email", email, MAX_EMAIL)?;
    }
    if let Some(postbox) = &s.applicant.postbox_ref {
        bounded("applicant.postbox_ref", postbox, MAX_REF)?;
    }
    if let Some(level) = &s.applicant.trust_level {
        bounded("applicant.trust_level", level, MAX_REF)?;
    }
    bounded("form.id", &s.form_id, MAX_REF)?;
    check_documents(&s.documents)
}

/// Media types of incoming documents.
pub fn check_documents(documents: &[super::IncomingDocument]) -> Result<(), AppError> {
    for (i, d) in documents.iter().enumerate() {
        bounded(
            &format!("attachments[{i}].media_type"),
            &d.media_type,
            MAX_MEDIA_TYPE,
        )?;
    }
    Ok(())
}

pub fn check_org_unit(ou: &OrgUnit) -> Result<(), AppError> {
    bounded("name", &ou.name, MAX_NAME)?;
    bounded("notification_email", &ou.notification_email, MAX_EMAIL)?;
    entries("services", &ou.services)
}

pub fn check_service(service: &Service) -> Result<(), AppError> {
    bounded("name", &service.name, MAX_NAME)?;
    entries("required_documents", &service.required_documents)?;
    for d in &service.required_documents {
        bounded("required_documents", d, MAX_NAME)?;
    }
    match &service.export_target {
        Some(ExportTarget::S3 { bucket, prefix }) => {
            bounded("export_target.bucket", bucket, 63)?;
            bounded("export_target.prefix", prefix, MAX_LOCATION)
        }
        Some(ExportTarget::Webhook { url, secret_ref }) => {
            bounded("export_target.url", url, MAX_LOCATION)?;
            bounded("export_target.secret_ref", secret_ref, MAX_REF)
        }
        Some(ExportTarget::Directory { path }) => bounded("export_target.path", path, MAX_LOCATION),
        None => Ok(()),
    }
}

pub fn check_portal_client(client: &PortalClient) -> Result<(), AppError> {
    bounded("name", &client.name, MAX_NAME)?;
    bounded("secret", &client.secret, 512)?;
    if let Some(m) = &client.applicant_fields {
        for (field, id) in [
            ("applicant_fields.family_name", &m.family_name),
            ("applicant_fields.given_name", &m.given_name),
            ("applicant_fields.email", &m.email),
            ("applicant_fields.postbox", &m.postbox),
        ] {
            if let Some(id) = id {
                if id.trim().is_empty() {
                    return Err(AppError::invalid(field, "must name a field id"));
                }
                bounded(field, id, MAX_REF)?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_characters_not_bytes() {
        assert!(bounded("f", &"ä".repeat(200), 200).is_ok());
        let err = bounded("f", &"ä".repeat(201), 200).expect_err("too long");
        assert!(
            matches!(&err, AppError::Invalid { field, reason } if field == "f" && reason == "must be at most 200 characters"),
            "{err:?}"
        );
    }
}
