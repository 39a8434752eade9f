//! Errors of the application services; the HTTP edge maps each variant to one problem type.

use crate::case::CommandError;
use crate::ports::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Command(#[from] CommandError),
    /// Unknown or invisible resource (HTTP 404).
    #[error("{0} not found")]
    NotFound(String),
    /// The submission names an org unit or service that does not exist or does not fit (HTTP 422).
    #[error("cannot route the submission: {0}")]
    Unroutable(String),
    /// A field is invalid (HTTP 422).
    #[error("invalid `{field}`: {reason}")]
    Invalid { field: String, reason: String },
    /// The same submission id arrived before with a different body (HTTP 409); names the case
    /// the first delivery created, so the portal can tell what happened.
    #[error(
        "submission `{submission_id}` was already received with a different content (case {reference})"
    )]
    SubmissionMismatch {
        submission_id: String,
        case_id: String,
        reference: String,
    },
    /// An assignee that is unknown, inactive or not a member of the case's org unit (HTTP 422).
    #[error("{0}")]
    UnknownUser(String),
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// Optimistic locking lost against a concurrent writer (HTTP 409).
    #[error("the case was changed concurrently; reload and try again")]
    Conflict,
    /// The request's signature was used before (HTTP 401).
    #[error("this request was already received (replay)")]
    Replayed,
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::VersionConflict { .. } => AppError::Conflict,
            StoreError::NotFound(what) => AppError::NotFound(what),
            other => AppError::Store(other),
        }
    }
}

impl AppError {
    pub fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Self {
        AppError::Invalid {
            field: field.into(),
            reason: reason.into(),
        }
    }
}
