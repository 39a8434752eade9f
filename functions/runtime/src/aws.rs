//! The AWS backend: DynamoDB (store), S3 (blobs, export drops), SQS (queues), SES (e-mail), all
//! from the SDK's standard environment plus `FALLWERK_*` names of the resources. The Lambda
//! binaries, the scheduler and `fallwerk serve --backend aws` build on this.

use std::path::Path;
use std::sync::Arc;

use fallwerk_api::{ApiState, JwtConfig};
use fallwerk_aws::{
    DynamoStore, S3BlobStore, S3ExportSink, SesMailer, SqsQueue, dynamodb_client, s3_client,
    ses_client, sqs_client,
};
use fallwerk_core::app::{App, AppConfig, Clock};
use fallwerk_workers::webhook::WebhookSink;

use crate::{Settings, SettingsError, WiringError};

/// Names of the AWS resources, from `FALLWERK_TABLE`, `FALLWERK_BUCKET`,
/// `FALLWERK_MESSAGING_QUEUE_URL`, `FALLWERK_EXPORT_QUEUE_URL`.
#[derive(Debug, Clone)]
pub struct AwsResources {
    pub table: String,
    pub bucket: String,
    pub messaging_queue_url: String,
    pub export_queue_url: String,
}

fn required(name: &'static str) -> Result<String, SettingsError> {
    std::env::var(name)
        .ok()
        .filter(|v| !v.trim().is_empty())
        .ok_or(SettingsError::Missing {
            name,
            backend: "aws",
        })
}

/// The variables that name the resources, in the order of [`AwsResources::env`].
const RESOURCE_VARS: [&str; 4] = [
    "FALLWERK_TABLE",
    "FALLWERK_BUCKET",
    "FALLWERK_MESSAGING_QUEUE_URL",
    "FALLWERK_EXPORT_QUEUE_URL",
];

impl AwsResources {
    pub fn from_env() -> Result<AwsResources, SettingsError> {
        let [table, bucket, messaging, export] = RESOURCE_VARS;
        Ok(AwsResources {
            table: required(table)?,
            bucket: required(bucket)?,
            messaging_queue_url: required(messaging)?,
            export_queue_url: required(export)?,
        })
    }

    /// The environment [`AwsResources::from_env`] reads these resources from (for a process
    /// started on them, e.g. in tests).
    pub fn env(&self) -> Vec<(&'static str, String)> {
        RESOURCE_VARS
            .into_iter()
            .zip([
                self.table.clone(),
                self.bucket.clone(),
                self.messaging_queue_url.clone(),
                self.export_queue_url.clone(),
            ])
            .collect()
    }
}

/// Caseworker token verification from the environment: `FALLWERK_JWKS_URL` (RS256 keys from
/// the identity provider, production), `FALLWERK_JWKS_FILE` (RS256 keys from a file) or
/// `FALLWERK_JWT_HS256_SECRET` (development), with optional `FALLWERK_JWT_ISSUER` and
/// `FALLWERK_JWT_AUDIENCE`. `None` when none is set (portal-only functions). A JWKS URL is
/// fetched here, at `now` (unix seconds), so an unreachable IdP fails start-up, not requests.
pub async fn jwt_from_env(now: i64) -> Result<Option<JwtConfig>, SettingsError> {
    jwt_from_vars(|name| std::env::var(name).ok(), now).await
}

/// The web workplace from `FALLWERK_SESSION_SECRET` (at least 32 characters; without it the
/// casework function serves no pages).
pub fn web_from_vars(
    var: impl Fn(&str) -> Option<String>,
    caseworker_url: &str,
) -> Result<Option<fallwerk_api::web::WebConfig>, SettingsError> {
    match var("FALLWERK_SESSION_SECRET") {
        None => Ok(None),
        Some(secret) if secret.trim().len() < 32 => Err(SettingsError::Invalid {
            name: "FALLWERK_SESSION_SECRET",
            reason: "must be at least 32 characters".into(),
        }),
        Some(secret) => Ok(Some(fallwerk_api::web::WebConfig::new(
            secret.trim().as_bytes().to_vec(),
            caseworker_url,
        ))),
    }
}

/// [`jwt_from_env`] over any source of variables (tests).
pub async fn jwt_from_vars(
    var: impl Fn(&str) -> Option<String>,
    now: i64,
) -> Result<Option<JwtConfig>, SettingsError> {
    let base = match (var("FALLWERK_JWKS_URL"), var("FALLWERK_JWKS_FILE")) {
        // Two sources of keys would leave one silently unused.
        (Some(_), Some(_)) => {
            return Err(SettingsError::Invalid {
                name: "FALLWERK_JWKS_URL",
                reason: "set FALLWERK_JWKS_URL or FALLWERK_JWKS_FILE, not both".into(),
            });
        }
        (Some(url), None) => {
            let config =
                JwtConfig::jwks_url(&url, now)
                    .await
                    .map_err(|e| SettingsError::Invalid {
                        name: "FALLWERK_JWKS_URL",
                        reason: e.to_string(),
                    })?;
            tracing::info!(url = %url.trim(), "caseworker token keys fetched");
            config
        }
        (None, Some(path)) => {
            JwtConfig::jwks_file(Path::new(&path)).map_err(|reason| SettingsError::Invalid {
                name: "FALLWERK_JWKS_FILE",
                reason,
            })?
        }
        (None, None) => match var("FALLWERK_JWT_HS256_SECRET") {
            Some(secret) if secret.len() < 32 => {
                return Err(SettingsError::Invalid {
                    name: "FALLWERK_JWT_HS256_SECRET",
                    reason: "must be at least 32 characters".into(),
                });
            }
            Some(secret) => JwtConfig::hs256(secret),
            None => return Ok(None),
        },
    };
    let mut config = base;
    if let Some(v) = var("FALLWERK_USERS_FROM_TOKEN")
        && crate::settings::users_from_token(&v)?
    {
        config = config.with_users(fallwerk_core::app::UserSource::Token);
    }
    if let Some(iss) = var("FALLWERK_JWT_ISSUER") {
        config = config.with_issuer(iss);
    }
    if let Some(aud) = var("FALLWERK_JWT_AUDIENCE") {
        config = config.with_audience(aud);
    }
    Ok(Some(config))
}

/// Everything an AWS-hosted fallwerk part runs on.
#[derive(Clone)]
pub struct Aws {
    pub settings: Settings,
    pub resources: AwsResources,
    pub store: Arc<DynamoStore>,
    pub queue: Arc<SqsQueue>,
    pub app: App,
    sdk: fallwerk_aws::SdkConfig,
}

impl Aws {
    /// Builds the clients from the SDK environment and the resources from `FALLWERK_*`.
    pub async fn from_env(settings: Settings, clock: Arc<dyn Clock>) -> Result<Aws, WiringError> {
        let resources = AwsResources::from_env()?;
        let sdk = fallwerk_aws::sdk_config().await;
        Ok(Self::new(&sdk, resources, settings, clock))
    }

    pub fn new(
        sdk: &fallwerk_aws::SdkConfig,
        resources: AwsResources,
        settings: Settings,
        clock: Arc<dyn Clock>,
    ) -> Aws {
        let store = Arc::new(DynamoStore::new(dynamodb_client(sdk), &resources.table));
        let blobs = Arc::new(S3BlobStore::new(s3_client(sdk), &resources.bucket, ""));
        let queue = Arc::new(SqsQueue::new(
            sqs_client(sdk),
            resources.messaging_queue_url.clone(),
            resources.export_queue_url.clone(),
        ));
        let config = AppConfig {
            reference_prefix: settings.reference_prefix.clone(),
            export_root: settings.export_root.clone(),
            webhook_allow_http: settings.webhook_allow_http,
            inline_form_limit: fallwerk_aws::INLINE_FORM_LIMIT,
        };
        let app = App::new(store.clone(), blobs, clock, config).with_queue(queue.clone());
        Aws {
            settings,
            resources,
            store,
            queue,
            app,
            sdk: sdk.clone(),
        }
    }

    /// Opens the connection to DynamoDB during init, so the first request does not pay for the
    /// TLS handshake (one GetItem on a key that never exists).
    pub async fn warm_up(&self) {
        use fallwerk_core::ports::CaseStore;
        if let Err(e) = self.store.load_case("warm-up").await {
            tracing::warn!(error = %e, "DynamoDB warm-up failed");
        }
    }

    /// The HTTP state with the token verification from the environment (a JWKS URL is fetched
    /// now, so call this during init).
    pub async fn api_state(&self) -> Result<ApiState, WiringError> {
        let mut state = ApiState::new(self.app.clone());
        if let Some(web) = web_from_vars(|n| std::env::var(n).ok(), &self.settings.caseworker_url)?
        {
            state = state.with_web(web);
        }
        let now = self.app.clock.now().timestamp();
        let state =
            crate::oidc::with_oidc_from_vars(state, |n| std::env::var(n).ok(), &self.settings, now)
                .await?;
        Ok(match jwt_from_env(now).await? {
            Some(jwt) => {
                state.with_jwt(jwt.with_max_lifetime(self.settings.jwt_max_lifetime_hours * 3600))
            }
            None => state,
        })
    }

    /// The HTTP state of the portal routes: they take no caseworker tokens, so the intake
    /// function neither reads the token keys nor waits on the identity provider at cold start.
    pub fn portal_state(&self) -> ApiState {
        ApiState::new(self.app.clone())
    }

    /// The queue workers' context: SES, export to S3 and webhooks.
    pub fn worker_ctx(&self) -> Result<fallwerk_workers::WorkerCtx, WiringError> {
        let webhook = WebhookSink::new(WebhookSink::secrets_from_env(), self.settings.webhook())
            .map_err(|e| WiringError::Worker(e.to_string()))?;
        Ok(fallwerk_workers::WorkerCtx {
            app: self.app.clone(),
            mailer: Arc::new(SesMailer::new(ses_client(&self.sdk))),
            sinks: fallwerk_workers::ExportSinks::new(vec![
                Arc::new(S3ExportSink::new(s3_client(&self.sdk))),
                Arc::new(webhook),
            ]),
            settings: self.settings.workers(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn jwt(vars: &[(&str, &str)]) -> Result<Option<JwtConfig>, SettingsError> {
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let var = |name: &str| {
            vars.iter()
                .find(|(k, _)| k.as_str() == name)
                .map(|(_, v)| v.clone())
        };
        jwt_from_vars(var, 0).await
    }

    fn refused(r: Result<Option<JwtConfig>, SettingsError>) -> String {
        match r {
            Err(e) => e.to_string(),
            Ok(_) => panic!("expected a settings error"),
        }
    }

    #[tokio::test]
    async fn no_token_keys_means_no_caseworker_auth() {
        assert!(jwt(&[]).await.expect("settings").is_none());
    }

    #[tokio::test]
    async fn a_jwks_url_must_be_https_off_loopback() {
        let e = refused(jwt(&[("FALLWERK_JWKS_URL", "http://idp.example.org/certs")]).await);
        assert!(e.starts_with("FALLWERK_JWKS_URL:"), "{e}");
        assert!(e.contains("https"), "{e}");
    }

    #[tokio::test]
    async fn an_unreachable_jwks_url_fails_start_up_naming_the_variable() {
        // A port that was just free: nothing listens there.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("port")
            .port();
        let url = format!("http://127.0.0.1:{port}/certs");
        let e = refused(jwt(&[("FALLWERK_JWKS_URL", &url)]).await);
        assert!(e.starts_with("FALLWERK_JWKS_URL: cannot fetch"), "{e}");
    }

    #[tokio::test]
    async fn url_and_file_together_are_refused() {
        let e = refused(
            jwt(&[
                ("FALLWERK_JWKS_URL", "https://idp.example.org/certs"),
                ("FALLWERK_JWKS_FILE", "/var/task/jwks.json"),
            ])
            .await,
        );
        assert!(e.contains("not both"), "{e}");
    }

    #[tokio::test]
    async fn a_short_hs256_secret_is_refused() {
        let e = refused(jwt(&[("FALLWERK_JWT_HS256_SECRET", "short")]).await);
        assert!(e.contains("FALLWERK_JWT_HS256_SECRET"), "{e}");
    }
}
