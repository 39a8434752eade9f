//! The casework Lambda function (`fallwerk-casework`): the caseworker and admin routes of
//! `fallwerk_api::casework_app` on the AWS backend, served through `lambda_http` from API
//! Gateway REST (v1) proxy events. Logging and wiring are shared with the other functions
//! (`fallwerk_runtime::lambda`).

use axum::Router;
use fallwerk_runtime::Aws;

pub use lambda_http::Error;

/// Builds the casework router from the environment (`FALLWERK_*`, the caseworker token keys
/// `FALLWERK_JWKS_URL`, `FALLWERK_JWKS_FILE` or `FALLWERK_JWT_HS256_SECRET`, the AWS SDK's
/// standard variables) and warms the DynamoDB connection.
pub async fn init() -> Result<Router, Error> {
    let aws = fallwerk_runtime::lambda::aws_from_env().await?;
    router(&aws).await
}

/// How long an instance keeps an active user of the auth path by default (seconds): a
/// deactivation made elsewhere takes effect here within this time (docs/ARCHITECTURE.md, Users).
pub const USER_CACHE_SECONDS: i64 = 30;

/// `FALLWERK_USER_CACHE_SECONDS` (0 turns the cache off), else [`USER_CACHE_SECONDS`].
pub fn user_cache_seconds(value: Option<&str>) -> Result<i64, Error> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(USER_CACHE_SECONDS),
        Some(v) => match v.parse::<i64>() {
            Ok(n) if (0..=3600).contains(&n) => Ok(n),
            _ => Err(format!(
                "FALLWERK_USER_CACHE_SECONDS must be a number of seconds from 0 to 3600, not `{v}`"
            )
            .into()),
        },
    }
}

/// The casework router over an already wired backend; fetches a JWKS URL. Without token keys
/// every caseworker route answers 401. Active users are cached per instance for
/// `FALLWERK_USER_CACHE_SECONDS` (default 30): one directory read per user and TTL instead of
/// one per request.
pub async fn router(aws: &Aws) -> Result<Router, Error> {
    let ttl = user_cache_seconds(std::env::var("FALLWERK_USER_CACHE_SECONDS").ok().as_deref())?;
    let mut state = aws.api_state().await?;
    state.app = state
        .app
        .clone()
        .with_user_cache(chrono::Duration::seconds(ttl));
    Ok(router_for(state))
}

/// The casework router over a given HTTP state (tests bring their own token keys). Responses
/// are bounded by Lambda's 6 MB ([`fallwerk_api::LAMBDA_RESPONSE_LIMIT`]): `lambda_http`
/// buffers every body, so nothing can stream here.
pub fn router_for(state: fallwerk_api::ApiState) -> Router {
    let state = state.with_response_limit(fallwerk_api::LAMBDA_RESPONSE_LIMIT);
    fallwerk_runtime::lambda::http::with_request_span(
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

    #[test]
    fn the_user_cache_setting_is_checked() {
        assert_eq!(user_cache_seconds(None).ok(), Some(USER_CACHE_SECONDS));
        assert_eq!(user_cache_seconds(Some(" ")).ok(), Some(USER_CACHE_SECONDS));
        assert_eq!(user_cache_seconds(Some("0")).ok(), Some(0));
        assert_eq!(user_cache_seconds(Some("120")).ok(), Some(120));
        for bad in ["-1", "3601", "30s", "viel"] {
            assert!(user_cache_seconds(Some(bad)).is_err(), "{bad}");
        }
    }
}
