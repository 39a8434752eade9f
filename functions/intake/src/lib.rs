//! The intake Lambda function (`fallwerk-intake`): the portal routes of `fallwerk_api::intake_app`
//! on the AWS backend, served through `lambda_http` from API Gateway REST (v1) proxy events.
//! [`init`] is everything the function does before it asks for its first event; the glue it
//! shares with the other functions is in `fallwerk_runtime::lambda`.

use axum::Router;
use fallwerk_runtime::Aws;
use fallwerk_runtime::lambda::{aws_from_env, http};

pub use lambda_http::Error;

/// Builds the intake router from the environment (`FALLWERK_*` and the AWS SDK's standard
/// variables) and warms the DynamoDB connection, so the first request pays no handshake.
pub async fn init() -> Result<Router, Error> {
    Ok(router(&aws_from_env().await?))
}

/// The intake router over an already wired backend (tests build [`Aws`] directly).
pub fn router(aws: &Aws) -> Router {
    http::intake_router(aws)
}
