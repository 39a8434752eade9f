//! Tells a transient AWS failure (throttling, 5xx, timeout, network) from a permanent one, the
//! same way for every SDK (S3, SES, SQS share the smithy `SdkError`).

use aws_sdk_s3::config::http::HttpResponse;
use aws_sdk_s3::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};

/// Error codes AWS services use for "try again later".
const TRANSIENT_CODES: [&str; 12] = [
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottled",
    "RequestThrottledException",
    "TooManyRequestsException",
    "SlowDown",
    "ServiceUnavailable",
    "InternalError",
    "InternalFailure",
    "RequestTimeout",
    "RequestTimeoutException",
];

/// Whether retrying the request later may succeed.
pub(crate) fn is_transient<E: ProvideErrorMetadata>(err: &SdkError<E, HttpResponse>) -> bool {
    match err {
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) | SdkError::ResponseError(_) => {
            true
        }
        SdkError::ServiceError(ctx) => {
            let status = ctx.raw().status().as_u16();
            status >= 500
                || status == 429
                || ctx
                    .err()
                    .code()
                    .is_some_and(|code| TRANSIENT_CODES.contains(&code))
        }
        // ConstructionFailure (invalid input) and future variants: retrying the same call
        // would fail the same way.
        _ => false,
    }
}

/// The error code of a service error (`NoSuchBucket`, `MessageRejected`, ...).
pub(crate) fn code<E: ProvideErrorMetadata>(err: &SdkError<E, HttpResponse>) -> Option<&str> {
    match err {
        SdkError::ServiceError(ctx) => ctx.err().code(),
        _ => None,
    }
}

/// The full cause chain of an SDK error, for logs and stored failure reasons.
pub(crate) fn describe<E: std::error::Error>(err: E) -> String {
    DisplayErrorContext(err).to_string()
}
