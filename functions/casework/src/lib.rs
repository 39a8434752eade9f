//! The casework Lambda function (`fallwerk-casework`): the caseworker and admin routes of
//! `fallwerk_api::casework_app` on the AWS backend, served through `lambda_http` from API
//! Gateway REST (v1) proxy events. Logging and wiring are shared with the intake function
//! ([`fallwerk_intake::lambda`]).

use axum::Router;
use fallwerk_runtime::Aws;

pub use lambda_http::Error;

/// Builds the casework router from the environment (`FALLWERK_*`, the caseworker token keys
/// `FALLWERK_JWKS_URL`, `FALLWERK_JWKS_FILE` or `FALLWERK_JWT_HS256_SECRET`, the AWS SDK's
/// standard variables) and warms the DynamoDB connection.
pub async fn init() -> Result<Router, Error> {
    let aws = fallwerk_intake::lambda::aws_from_env().await?;
    router(&aws).await
}

/// The casework router over an already wired backend; fetches a JWKS URL. Without token keys
/// every caseworker route answers 401.
pub async fn router(aws: &Aws) -> Result<Router, Error> {
    Ok(router_for(aws.api_state().await?))
}

/// The casework router over a given HTTP state (tests bring their own token keys). Responses
/// are bounded by Lambda's 6 MB ([`fallwerk_api::LAMBDA_RESPONSE_LIMIT`]): `lambda_http`
/// buffers every body, so nothing can stream here.
pub fn router_for(state: fallwerk_api::ApiState) -> Router {
    let state = state.with_response_limit(fallwerk_api::LAMBDA_RESPONSE_LIMIT);
    fallwerk_intake::lambda::with_request_span(fallwerk_api::casework_app(state))
}
