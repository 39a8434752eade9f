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
    fallwerk_intake::lambda::with_request_span(fallwerk_api::casework_app(state))
}

#[cfg(test)]
mod tests {
    use super::*;

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
