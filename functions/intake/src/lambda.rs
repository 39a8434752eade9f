//! What both HTTP Lambda functions (intake, casework) share: JSON log lines for CloudWatch, the
//! AWS wiring with its warm-up, and a `lambda` span carrying the invocation's request ids around
//! the API crate's `http` span (route, status, duration, case id, actor).

use axum::Router;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use fallwerk_runtime::{Aws, Settings};
use lambda_http::RequestExt;
use lambda_http::request::RequestContext;
use tracing::Instrument;

use crate::Error;

/// JSON lines without ANSI colours, filtered by `RUST_LOG` (default `info`); each line carries
/// the list of open spans, so the request id of the `lambda` span is on every request's lines.
/// Does nothing when a subscriber is set already.
pub fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .json()
        .with_env_filter(filter)
        .with_ansi(false)
        .with_current_span(false)
        .with_span_list(true)
        .with_target(false)
        .try_init();
}

/// Settings and AWS clients from the environment, with the DynamoDB connection warmed.
pub async fn aws_from_env() -> Result<Aws, Error> {
    let aws = crate::aws(Settings::from_env()?).await?;
    aws.warm_up().await;
    Ok(aws)
}

/// Wraps every request of `router` (including its fallbacks) in the `lambda` span.
pub fn with_request_span(router: Router) -> Router {
    router.layer(axum::middleware::from_fn(request_span))
}

/// The `lambda` span: `request_id` is the Lambda invocation id (what CloudWatch's REPORT line
/// shows), `apigw_request_id` the API Gateway request id (what a client sees in errors).
async fn request_span(req: Request, next: Next) -> Response {
    let request_id = req
        .lambda_context_ref()
        .map(|c| c.request_id.clone())
        .unwrap_or_default();
    let apigw_request_id = match req.request_context_ref() {
        Some(RequestContext::ApiGatewayV1(ctx)) => ctx.request_id.clone().unwrap_or_default(),
        _ => String::new(),
    };
    let span = tracing::info_span!("lambda", request_id, apigw_request_id);
    next.run(req).instrument(span).await
}
