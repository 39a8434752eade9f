//! The intake Lambda function (`fallwerk-intake`): the portal routes of `fallwerk_api::intake_app`
//! on the AWS backend, served through `lambda_http` from API Gateway REST (v1) proxy events.
//! [`init`] is everything the function does before it asks for its first event; [`lambda`]
//! holds what the casework function shares with it (JSON logs, the request-id span).

pub mod lambda;

use std::sync::Arc;

use axum::Router;
use fallwerk_core::app::SystemClock;
use fallwerk_runtime::{Aws, Settings};

pub use lambda_http::Error;

/// Builds the intake router from the environment (`FALLWERK_*` and the AWS SDK's standard
/// variables) and warms the DynamoDB connection, so the first request pays no handshake.
pub async fn init() -> Result<Router, Error> {
    let aws = lambda::aws_from_env().await?;
    router(&aws)
}

/// The intake router over an already wired backend (tests build [`Aws`] directly), with the
/// body limits of a Lambda function behind API Gateway ([`fallwerk_api::Limits::lambda`]).
pub fn router(aws: &Aws) -> Result<Router, Error> {
    Ok(lambda::with_request_span(fallwerk_api::intake_app(
        aws.portal_state()
            .with_limits(fallwerk_api::Limits::lambda()),
    )))
}

/// The AWS backend from the environment with the system clock (no warm-up).
pub async fn aws(settings: Settings) -> Result<Aws, Error> {
    Ok(Aws::from_env(settings, Arc::new(SystemClock)).await?)
}
