//! Why a command was refused. Mapped to HTTP problem types once, at the edge.

use super::ActionName;
use crate::model::Status;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CommandError {
    /// The action does not fit the case's status (HTTP 409, with the allowed actions).
    #[error("`{action}` is not allowed while the case is `{}`; allowed: {}", status.as_str(), allowed.iter().map(|a| a.as_str()).collect::<Vec<_>>().join(", "))]
    NotAllowed {
        action: &'static str,
        status: Status,
        allowed: Vec<ActionName>,
    },
    /// The caller lacks a role for this action (HTTP 403).
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// The case is not visible to the caller (HTTP 404, so existence does not leak).
    #[error("case not found")]
    NotVisible,
    /// A field of the command is invalid (HTTP 422).
    #[error("invalid `{field}`: {reason}")]
    Invalid { field: &'static str, reason: String },
    /// The processing period was extended before; it may be extended once only (HTTP 409).
    #[error("the processing period has already been extended once")]
    AlreadyExtended,
    /// The caller's version is not the case's current version (HTTP 409).
    #[error("stale version: expected {expected}, the case is at {actual}")]
    StaleVersion { expected: u64, actual: u64 },
    /// The case's suspensions cannot be counted (overlapping, or one that ends before it
    /// starts): no deadline is set from a guess (HTTP 409).
    #[error("the deadline cannot be computed: {0}")]
    DeadlineRefused(#[from] crate::deadline::DeadlineError),
}

impl CommandError {
    pub fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        CommandError::Invalid {
            field,
            reason: reason.into(),
        }
    }
}
