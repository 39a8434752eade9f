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

impl AwsResources {
    pub fn from_env() -> Result<AwsResources, SettingsError> {
        Ok(AwsResources {
            table: required("FALLWERK_TABLE")?,
            bucket: required("FALLWERK_BUCKET")?,
            messaging_queue_url: required("FALLWERK_MESSAGING_QUEUE_URL")?,
            export_queue_url: required("FALLWERK_EXPORT_QUEUE_URL")?,
        })
    }
}

/// Caseworker token verification from the environment: `FALLWERK_JWKS_FILE` (RS256, production)
/// or `FALLWERK_JWT_HS256_SECRET` (development), with optional `FALLWERK_JWT_ISSUER` and
/// `FALLWERK_JWT_AUDIENCE`. `None` when neither is set (portal-only functions).
pub fn jwt_from_env() -> Result<Option<JwtConfig>, SettingsError> {
    let base = if let Ok(path) = std::env::var("FALLWERK_JWKS_FILE") {
        JwtConfig::jwks_file(Path::new(&path)).map_err(|reason| SettingsError::Invalid {
            name: "FALLWERK_JWKS_FILE",
            reason,
        })?
    } else if let Ok(secret) = std::env::var("FALLWERK_JWT_HS256_SECRET") {
        if secret.len() < 32 {
            return Err(SettingsError::Invalid {
                name: "FALLWERK_JWT_HS256_SECRET",
                reason: "must be at least 32 characters".into(),
            });
        }
        JwtConfig::hs256(secret)
    } else if std::env::var_os("FALLWERK_JWKS_URL").is_some() {
        return Err(SettingsError::Invalid {
            name: "FALLWERK_JWKS_URL",
            reason: "fetching keys from a URL is not supported yet; download the JWKS and set FALLWERK_JWKS_FILE"
                .into(),
        });
    } else {
        return Ok(None);
    };
    let mut config = base;
    if let Ok(iss) = std::env::var("FALLWERK_JWT_ISSUER") {
        config = config.with_issuer(iss);
    }
    if let Ok(aud) = std::env::var("FALLWERK_JWT_AUDIENCE") {
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

    /// The HTTP state with the token verification from the environment.
    pub fn api_state(&self) -> Result<ApiState, WiringError> {
        let state = ApiState::new(self.app.clone());
        Ok(match jwt_from_env()? {
            Some(jwt) => state.with_jwt(jwt),
            None => state,
        })
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
