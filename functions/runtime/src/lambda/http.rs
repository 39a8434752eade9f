//! The HTTP functions' (intake, casework) `lambda` span: the invocation's request ids around the
//! API crate's `http` span (route, status, duration, case id, actor).

use axum::Router;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use lambda_http::RequestExt;
use lambda_http::request::RequestContext;
use tracing::Instrument;

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

/// The intake function's router over an already wired backend: the portal routes with the body
/// limits of a Lambda function behind API Gateway ([`fallwerk_api::Limits::lambda`]), in the
/// request span. Here, not in the intake crate, so the casework function's tests can serve
/// both without depending on another function crate.
pub fn intake_router(aws: &crate::Aws) -> Router {
    with_request_span(fallwerk_api::intake_app(
        aws.portal_state()
            .with_limits(fallwerk_api::Limits::lambda()),
    ))
}
