//! RFC 9457 `application/problem+json` errors: the one mapping from core errors to HTTP.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use schemars::JsonSchema;
use serde::Serialize;

use fallwerk_core::app::AppError;
use fallwerk_core::case::CommandError;
use fallwerk_core::ports::StoreError;

/// Base of the stable problem `type` URIs.
pub const TYPE_BASE: &str = "https://fallwerk.dev/problems/";

/// Declares [`Kind`] from one table: each kind's slug (its `type` URI is [`TYPE_BASE`] + slug),
/// title and status in one row, so none of them can be forgotten for a new kind.
macro_rules! kinds {
    ($($(#[$doc:meta])* $kind:ident = ($slug:literal, $title:literal, $status:ident),)*) => {
        /// The kinds of problems this API reports; each has a stable `type` URI and one status.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Kind {
            $($(#[$doc])* $kind,)*
        }

        impl Kind {
            pub const ALL: &'static [Kind] = &[$(Kind::$kind,)*];

            pub fn slug(self) -> &'static str {
                match self {
                    $(Kind::$kind => $slug,)*
                }
            }

            /// The stable `type` URI: [`TYPE_BASE`] + slug.
            pub fn uri(self) -> &'static str {
                match self {
                    $(Kind::$kind => concat!("https://fallwerk.dev/problems/", $slug),)*
                }
            }

            pub fn title(self) -> &'static str {
                match self {
                    $(Kind::$kind => $title,)*
                }
            }

            pub fn status(self) -> StatusCode {
                match self {
                    $(Kind::$kind => StatusCode::$status,)*
                }
            }
        }
    };
}

kinds! {
    MalformedRequest = ("malformed-request", "Malformed request", BAD_REQUEST),
    Unauthorized = ("unauthorized", "Authentication required", UNAUTHORIZED),
    Forbidden = ("forbidden", "Forbidden", FORBIDDEN),
    NotFound = ("not-found", "Not found", NOT_FOUND),
    MethodNotAllowed = ("method-not-allowed", "Method not allowed", METHOD_NOT_ALLOWED),
    NotAllowed = ("not-allowed", "Action not allowed in the case's status", CONFLICT),
    StaleVersion = ("stale-version", "Stale case version", CONFLICT),
    Conflict = ("conflict", "Concurrent change", CONFLICT),
    SubmissionMismatch = ("submission-mismatch", "Submission id reused with a different body", CONFLICT),
    AlreadyExtended = ("already-extended", "Processing period already extended", CONFLICT),
    DeadlineRefused = ("deadline-refused", "Deadline cannot be computed", CONFLICT),
    PayloadTooLarge = ("payload-too-large", "Request body too large", PAYLOAD_TOO_LARGE),
    UnsupportedMediaType = ("unsupported-media-type", "Unsupported media type", UNSUPPORTED_MEDIA_TYPE),
    InvalidBody = ("invalid-body", "Invalid request body", UNPROCESSABLE_ENTITY),
    InvalidField = ("invalid-field", "Invalid field", UNPROCESSABLE_ENTITY),
    Unroutable = ("unroutable", "Submission cannot be routed", UNPROCESSABLE_ENTITY),
    UnknownUser = ("unknown-user", "Unknown, inactive or foreign user", UNPROCESSABLE_ENTITY),
    /// A response this deployment cannot deliver (Lambda's 6 MB response limit). 501: the request
    /// is fine; this deployment does not support what it needs.
    ResponseTooLarge = ("response-too-large", "Response too large for this deployment", NOT_IMPLEMENTED),
    Internal = ("internal", "Internal error", INTERNAL_SERVER_ERROR),
}

/// An RFC 9457 problem document.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub type_uri: &'static str,
    pub title: &'static str,
    pub status: u16,
    pub detail: String,
    /// For `not-allowed`: the actions the case accepts in its current status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_actions: Option<Vec<String>>,
    /// For `invalid-field`: the offending field.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// For `submission-mismatch`: the case the first delivery of this submission id created
    /// (members `case_id` and `reference`). Boxed: it keeps `Problem` small on every error path.
    #[serde(flatten)]
    pub existing: Option<Box<ExistingCase>>,
}

/// The extension members of `submission-mismatch`.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct ExistingCase {
    /// For `submission-mismatch`: the case the first delivery of this submission id created.
    pub case_id: String,
    /// For `submission-mismatch`: that case's reference (Aktenzeichen).
    pub reference: String,
}

impl Problem {
    pub fn new(kind: Kind, detail: impl Into<String>) -> Self {
        Problem {
            type_uri: kind.uri(),
            title: kind.title(),
            status: kind.status().as_u16(),
            detail: detail.into(),
            allowed_actions: None,
            field: None,
            existing: None,
        }
    }

    pub fn invalid_field(field: impl Into<String>, detail: impl Into<String>) -> Self {
        let field = field.into();
        let mut p = Problem::new(Kind::InvalidField, detail);
        p.field = Some(field);
        p
    }

    pub fn unauthorized(detail: impl Into<String>) -> Self {
        Problem::new(Kind::Unauthorized, detail)
    }

    pub fn not_found(detail: impl Into<String>) -> Self {
        Problem::new(Kind::NotFound, detail)
    }

    /// The generic 500: the cause is logged, never shown.
    pub fn internal() -> Self {
        Problem::new(
            Kind::Internal,
            "the request could not be completed; try again later",
        )
    }

    pub fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

impl From<CommandError> for Problem {
    fn from(e: CommandError) -> Self {
        match e {
            CommandError::NotAllowed { ref allowed, .. } => {
                let allowed = allowed.iter().map(|a| a.to_string()).collect();
                let mut p = Problem::new(Kind::NotAllowed, e.to_string());
                p.allowed_actions = Some(allowed);
                p
            }
            CommandError::Forbidden(_) => Problem::new(Kind::Forbidden, e.to_string()),
            CommandError::NotVisible => Problem::not_found(e.to_string()),
            CommandError::Invalid { field, ref reason } => {
                Problem::invalid_field(field, reason.clone())
            }
            CommandError::AlreadyExtended => Problem::new(Kind::AlreadyExtended, e.to_string()),
            CommandError::StaleVersion { .. } => Problem::new(Kind::StaleVersion, e.to_string()),
            CommandError::DeadlineRefused(_) => Problem::new(Kind::DeadlineRefused, e.to_string()),
        }
    }
}

impl From<StoreError> for Problem {
    fn from(e: StoreError) -> Self {
        Problem::from(AppError::from(e))
    }
}

impl From<AppError> for Problem {
    fn from(e: AppError) -> Self {
        match e {
            AppError::Command(c) => Problem::from(c),
            AppError::NotFound(_) => Problem::not_found(e.to_string()),
            AppError::Unroutable(_) => Problem::new(Kind::Unroutable, e.to_string()),
            AppError::Invalid { field, reason } => Problem::invalid_field(field, reason),
            AppError::SubmissionMismatch {
                ref case_id,
                ref reference,
                ..
            } => {
                let mut p = Problem::new(Kind::SubmissionMismatch, e.to_string());
                p.existing = Some(Box::new(ExistingCase {
                    case_id: case_id.clone(),
                    reference: reference.clone(),
                }));
                p
            }
            AppError::UnknownUser(_) => Problem::new(Kind::UnknownUser, e.to_string()),
            AppError::Forbidden(_) => Problem::new(Kind::Forbidden, e.to_string()),
            AppError::Conflict => Problem::new(Kind::Conflict, e.to_string()),
            AppError::Replayed => {
                tracing::info!(reason = "replay", "portal auth failed");
                Problem::unauthorized(e.to_string())
            }
            AppError::Store(StoreError::InvalidCursor) => {
                Problem::invalid_field("cursor", "the paging cursor is invalid")
            }
            AppError::Store(StoreError::TooLarge(what)) => Problem::new(
                Kind::PayloadTooLarge,
                format!("{what} is too large to store"),
            ),
            AppError::Store(store) => {
                // Store messages name keys and backends, never personal data.
                tracing::error!(error = %store, "store failed");
                Problem::internal()
            }
        }
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = self.status_code();
        let body = serde_json::to_vec(&self).unwrap_or_default();
        let mut res = (status, body).into_response();
        res.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if status == StatusCode::UNAUTHORIZED {
            res.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer, Fallwerk-HMAC"),
            );
        }
        res
    }
}

/// What handlers return.
pub type ApiResult<T> = Result<T, Problem>;

/// A short description per status, for the OpenAPI document.
pub fn title_for(status: u16) -> &'static str {
    match status {
        400 => "malformed request",
        401 => "missing or invalid authentication",
        403 => "a role is missing",
        404 => "unknown or not visible",
        409 => "conflict: not allowed in this status, stale version, or reused submission id",
        413 => "body too large",
        415 => "unsupported media type",
        422 => "invalid body or field, or the submission cannot be routed",
        501 => "response too large for this deployment (Lambda: 6 MB)",
        _ => "error",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fallwerk_core::case::ActionName;
    use fallwerk_core::model::Status;

    #[test]
    fn uris_are_base_plus_slug() {
        for k in Kind::ALL {
            assert_eq!(k.uri(), format!("{TYPE_BASE}{}", k.slug()));
        }
    }

    #[test]
    fn one_mapping_from_core_errors() {
        let cases: Vec<(AppError, u16, &str)> = vec![
            (
                CommandError::NotAllowed {
                    action: "export",
                    status: Status::Received,
                    allowed: vec![ActionName::ConfirmCompetence],
                }
                .into(),
                409,
                "not-allowed",
            ),
            (
                CommandError::StaleVersion {
                    expected: 1,
                    actual: 2,
                }
                .into(),
                409,
                "stale-version",
            ),
            (AppError::Conflict, 409, "conflict"),
            (AppError::Replayed, 401, "unauthorized"),
            (CommandError::NotVisible.into(), 404, "not-found"),
            (AppError::NotFound("case x".into()), 404, "not-found"),
            (AppError::Forbidden("no".into()), 403, "forbidden"),
            (
                CommandError::Forbidden("no".into()).into(),
                403,
                "forbidden",
            ),
            (AppError::invalid("f", "bad"), 422, "invalid-field"),
            (
                CommandError::invalid("f", "bad").into(),
                422,
                "invalid-field",
            ),
            (AppError::Unroutable("oe".into()), 422, "unroutable"),
            (AppError::UnknownUser("u".into()), 422, "unknown-user"),
            (
                AppError::SubmissionMismatch {
                    submission_id: "s".into(),
                    case_id: "c".into(),
                    reference: "MV-2026-000001".into(),
                },
                409,
                "submission-mismatch",
            ),
            (
                CommandError::AlreadyExtended.into(),
                409,
                "already-extended",
            ),
            (
                CommandError::DeadlineRefused(fallwerk_core::deadline::DeadlineError::OutOfRange)
                    .into(),
                409,
                "deadline-refused",
            ),
            (
                AppError::Store(StoreError::Backend("disk".into())),
                500,
                "internal",
            ),
            (
                AppError::Store(StoreError::InvalidCursor),
                422,
                "invalid-field",
            ),
        ];
        for (err, status, slug) in cases {
            let p = Problem::from(err);
            assert_eq!(p.status, status, "{p:?}");
            assert_eq!(p.type_uri, format!("{TYPE_BASE}{slug}"));
        }
        let p = Problem::from(AppError::Store(StoreError::Backend("secret detail".into())));
        assert!(!p.detail.contains("secret"));
        let p = Problem::from(AppError::from(CommandError::NotAllowed {
            action: "export",
            status: Status::Received,
            allowed: vec![ActionName::ConfirmCompetence, ActionName::Forward],
        }));
        assert_eq!(
            p.allowed_actions,
            Some(vec![
                "confirm_competence".to_string(),
                "forward".to_string()
            ])
        );
    }
}
