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

/// The casework router over a given HTTP state (tests bring their own token keys).
pub fn router_for(state: fallwerk_api::ApiState) -> Router {
    fallwerk_intake::lambda::with_request_span(
        fallwerk_api::casework_app(state).layer(axum::middleware::from_fn(client_address)),
    )
}

/// API Gateway's view of the caller's address (`requestContext.identity.sourceIp`) as the
/// workplace's [`ClientAddress`](fallwerk_api::web::login_limit::ClientAddress): the login
/// brake counts failed logins per address.
async fn client_address(
    mut req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use lambda_http::RequestExt;
    use lambda_http::request::RequestContext;
    let ip = match req.request_context_ref() {
        Some(RequestContext::ApiGatewayV1(ctx)) => ctx
            .identity
            .source_ip
            .as_deref()
            .and_then(|ip| ip.parse::<std::net::IpAddr>().ok()),
        _ => None,
    };
    if let Some(ip) = ip {
        req.extensions_mut()
            .insert(fallwerk_api::web::login_limit::ClientAddress(ip));
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use axum::Extension;
    use axum::body::Body;
    use axum::routing::get;
    use fallwerk_api::web::login_limit::ClientAddress;
    use lambda_http::aws_lambda_events::apigw::ApiGatewayProxyRequestContext;
    use lambda_http::request::RequestContext;
    use tower::ServiceExt;

    use super::*;

    async fn seen(context: Option<RequestContext>) -> String {
        let app = Router::new()
            .route(
                "/",
                get(|a: Option<Extension<ClientAddress>>| async move {
                    a.map(|Extension(ClientAddress(ip))| ip.to_string())
                        .unwrap_or_else(|| "none".into())
                }),
            )
            .layer(axum::middleware::from_fn(client_address));
        let mut req = axum::http::Request::get("/")
            .body(Body::empty())
            .expect("request");
        if let Some(c) = context {
            req.extensions_mut().insert(c);
        }
        let res = app.oneshot(req).await.expect("infallible");
        let bytes = axum::body::to_bytes(res.into_body(), 1024)
            .await
            .expect("body");
        String::from_utf8_lossy(&bytes).into_owned()
    }

    #[tokio::test]
    async fn api_gateways_source_ip_is_the_client_address_of_the_login_brake() {
        let mut ctx = ApiGatewayProxyRequestContext::default();
        ctx.identity.source_ip = Some("192.0.2.44".into());
        assert_eq!(
            seen(Some(RequestContext::ApiGatewayV1(ctx.clone()))).await,
            "192.0.2.44"
        );
        ctx.identity.source_ip = Some("not an address".into());
        assert_eq!(seen(Some(RequestContext::ApiGatewayV1(ctx))).await, "none");
        assert_eq!(seen(None).await, "none");
    }
}
