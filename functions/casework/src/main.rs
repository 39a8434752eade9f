//! `fallwerk-casework`: the caseworker and admin routes as a Lambda function (handler
//! `bootstrap`, provided.al2023). Environment as for `fallwerk-intake`, plus the caseworker
//! token keys: `FALLWERK_JWKS_URL` (RS256, the identity provider's JWKS, fetched during init and
//! refetched at most once a minute when a token names an unknown key), `FALLWERK_JWKS_FILE`
//! (RS256) or `FALLWERK_JWT_HS256_SECRET`, and optionally `FALLWERK_JWT_ISSUER`,
//! `FALLWERK_JWT_AUDIENCE`. An unreachable JWKS URL fails init with an error naming the variable.

#[tokio::main]
async fn main() -> Result<(), fallwerk_casework::Error> {
    fallwerk_runtime::lambda::init_logging();
    let router = match fallwerk_casework::init().await {
        Ok(router) => router,
        Err(e) => {
            tracing::error!(error = %e, "init failed");
            return Err(e);
        }
    };
    lambda_http::run(router).await
}
