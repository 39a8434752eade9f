//! `WebhookSink`: delivers an export package to `ExportTarget::Webhook` as one `application/json`
//! POST (format in docs/export-format.md), signed like the portal signs to us:
//! `X-Fallwerk-Timestamp: <unix seconds>` and
//! `X-Fallwerk-Signature: sha256=<hex HMAC-SHA256 over timestamp + "." + body>` with the secret
//! named by `secret_ref`; `Idempotency-Key: <package name>`. Retried inside one delivery with
//! exponential backoff and jitter: 5xx, 408, 429, timeouts and connection errors are retryable,
//! other 4xx and 3xx are permanent.

mod body;
mod retry;

pub use body::{WireFile, WirePackage, request_body};
pub use retry::RetryPolicy;

use std::collections::HashMap;
use std::time::Duration;

use async_trait::async_trait;
use fallwerk_core::ports::{ExportError, ExportPackage, ExportReceipt, ExportSink, sha256_hex};
use fallwerk_events::ExportTarget;
use hmac::{Hmac, Mac};
use reqwest::StatusCode;
use sha2::Sha256;

pub const TIMESTAMP_HEADER: &str = "X-Fallwerk-Timestamp";
pub const SIGNATURE_HEADER: &str = "X-Fallwerk-Signature";
pub const IDEMPOTENCY_HEADER: &str = "Idempotency-Key";
/// A receiver may name its receipt in this header (or as `"receipt"` in a JSON body).
pub const RECEIPT_HEADER: &str = "X-Fallwerk-Receipt";
/// Prefix of the environment variables that hold webhook secrets in the binaries.
pub const SECRET_ENV_PREFIX: &str = "FALLWERK_WEBHOOK_SECRET_";
const MAX_RECEIPT: usize = 200;

/// How the sink talks HTTP.
#[derive(Debug, Clone)]
pub struct WebhookConfig {
    pub retry: RetryPolicy,
    /// Timeout of one request, including reading the response.
    pub timeout: Duration,
    pub connect_timeout: Duration,
    /// Allow `http://` URLs (tests and local receivers only); production targets are HTTPS.
    pub allow_http: bool,
}

impl Default for WebhookConfig {
    fn default() -> Self {
        WebhookConfig {
            retry: RetryPolicy::default(),
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            allow_http: false,
        }
    }
}

/// The export sink for webhook targets.
#[derive(Clone)]
pub struct WebhookSink {
    client: reqwest::Client,
    /// Keyed by [`secret_key`] of the `secret_ref`.
    secrets: HashMap<String, String>,
    config: WebhookConfig,
}

impl std::fmt::Debug for WebhookSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookSink")
            .field("secret_refs", &self.secrets.keys().collect::<Vec<_>>())
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// The lookup key of a `secret_ref`: ASCII upper case, every other character `_`
/// (`dms-prod` → `DMS_PROD`, read from `FALLWERK_WEBHOOK_SECRET_DMS_PROD`).
pub fn secret_key(secret_ref: &str) -> String {
    secret_ref
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect()
}

/// `sha256=<hex HMAC-SHA256 over timestamp + "." + body>`.
pub fn sign(secret: &str, timestamp: &str, body: &[u8]) -> String {
    // HMAC takes keys of any length; the error branch cannot happen.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        return String::new();
    };
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

impl WebhookSink {
    /// `secrets` maps `secret_ref` (or its [`secret_key`]) to the shared secret.
    pub fn new(
        secrets: HashMap<String, String>,
        config: WebhookConfig,
    ) -> Result<Self, ExportError> {
        let client = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.connect_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("fallwerk/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ExportError::Permanent(format!("HTTP client: {e}")))?;
        let secrets = secrets
            .into_iter()
            .map(|(k, v)| (secret_key(&k), v))
            .collect();
        Ok(WebhookSink {
            client,
            secrets,
            config,
        })
    }

    /// The secrets from `FALLWERK_WEBHOOK_SECRET_<REF>` environment variables.
    pub fn secrets_from_env() -> HashMap<String, String> {
        std::env::vars()
            .filter_map(|(k, v)| {
                k.strip_prefix(SECRET_ENV_PREFIX)
                    .filter(|r| !r.is_empty() && !v.is_empty())
                    .map(|r| (r.to_string(), v.clone()))
            })
            .collect()
    }

    async fn post_once(
        &self,
        url: &str,
        secret: &str,
        package: &str,
        body: &[u8],
    ) -> Result<ExportReceipt, Attempt> {
        let timestamp = chrono::Utc::now().timestamp().to_string();
        let response = self
            .client
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(TIMESTAMP_HEADER, &timestamp)
            .header(SIGNATURE_HEADER, sign(secret, &timestamp, body))
            .header(IDEMPOTENCY_HEADER, package)
            .body(body.to_vec())
            .send()
            .await
            .map_err(|e| {
                if e.is_builder() {
                    Attempt::Permanent(format!("invalid request: {e}"))
                } else {
                    Attempt::Retry(format!("request failed: {e}"))
                }
            })?;
        let status = response.status();
        if status.is_success() {
            let header = response
                .headers()
                .get(RECEIPT_HEADER)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string);
            // A receipt in the body is optional; an unreadable body is not a failure.
            let text = response.text().await.unwrap_or_default();
            let receipt = header
                .or_else(|| receipt_from_body(&text))
                .and_then(|r| clean_receipt(&r))
                .unwrap_or_else(|| format!("sha256:{}", sha256_hex(body)));
            return Ok(ExportReceipt {
                receipt,
                location: url.to_string(),
            });
        }
        let message = format!("webhook answered HTTP {}", status.as_u16());
        if retryable(status) {
            Err(Attempt::Retry(message))
        } else {
            Err(Attempt::Permanent(message))
        }
    }
}

enum Attempt {
    Retry(String),
    Permanent(String),
}

fn retryable(status: StatusCode) -> bool {
    status.is_server_error()
        || status == StatusCode::REQUEST_TIMEOUT
        || status == StatusCode::TOO_MANY_REQUESTS
}

fn receipt_from_body(text: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(text).ok()?;
    value.get("receipt")?.as_str().map(str::to_string)
}

/// A receipt is stored on the case: printable, bounded.
fn clean_receipt(raw: &str) -> Option<String> {
    let r = raw.trim();
    (!r.is_empty() && r.len() <= MAX_RECEIPT && r.chars().all(|c| !c.is_control()))
        .then(|| r.to_string())
}

#[async_trait]
impl ExportSink for WebhookSink {
    async fn deliver(
        &self,
        target: &ExportTarget,
        package: &ExportPackage,
    ) -> Result<ExportReceipt, ExportError> {
        let ExportTarget::Webhook { url, secret_ref } = target else {
            return Err(ExportError::Unsupported(
                crate::sinks::target_kind(target).into(),
            ));
        };
        let parsed = reqwest::Url::parse(url)
            .map_err(|e| ExportError::Permanent(format!("invalid webhook URL: {e}")))?;
        match parsed.scheme() {
            "https" => {}
            "http" if self.config.allow_http => {}
            other => {
                return Err(ExportError::Permanent(format!(
                    "webhook URL scheme `{other}` is not allowed (https only)"
                )));
            }
        }
        let secret = self.secrets.get(&secret_key(secret_ref)).ok_or_else(|| {
            ExportError::Permanent(format!(
                "no secret configured for secret_ref `{secret_ref}` ({SECRET_ENV_PREFIX}{})",
                secret_key(secret_ref)
            ))
        })?;
        let body = request_body(package)?;

        let tries = self.config.retry.attempts.max(1);
        let mut last = String::new();
        for attempt in 0..tries {
            if attempt > 0 {
                tokio::time::sleep(self.config.retry.delay(attempt - 1)).await;
            }
            match self.post_once(url, secret, &package.name, &body).await {
                Ok(receipt) => return Ok(receipt),
                Err(Attempt::Permanent(e)) => return Err(ExportError::Permanent(e)),
                Err(Attempt::Retry(e)) => {
                    tracing::warn!(
                        package = package.name,
                        attempt = attempt + 1,
                        error = e,
                        "webhook delivery failed"
                    );
                    last = e;
                }
            }
        }
        Err(ExportError::Transient(format!(
            "{last} (after {tries} tries)"
        )))
    }
}
