//! The export sink as a Fachverfahren sees it: a webhook receiver on `127.0.0.1:0` that checks
//! what docs/export-format.md promises — `X-Fallwerk-Signature` (HMAC-SHA256 over
//! `timestamp + "." + body` with the shared secret, compared in constant time), a fresh
//! `X-Fallwerk-Timestamp`, `Idempotency-Key` = package name, every file's size and SHA-256 —
//! and keeps the packages. It can be switched to answer 503 to everything (export failure).

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// Path of the receiver's endpoint.
pub const PATH: &str = "/fachverfahren/eingang";

/// One accepted delivery.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub package: String,
    pub idempotency_key: String,
    pub case_id: String,
    /// Each file's path and decoded bytes (`manifest.json` first).
    pub files: Vec<(String, Vec<u8>)>,
    /// The whole request body as received.
    pub body: String,
}

impl Delivery {
    pub fn file(&self, path: &str) -> Option<&[u8]> {
        self.files
            .iter()
            .find(|(p, _)| p == path)
            .map(|(_, b)| b.as_slice())
    }
}

#[derive(Default)]
struct Inner {
    secret: String,
    failing: AtomicBool,
    /// Requests answered 503 while failing.
    refused: AtomicUsize,
    /// Requests whose signature, timestamp or content did not verify (answered 401/400).
    rejected: Mutex<Vec<String>>,
    delivered: Mutex<Vec<Delivery>>,
}

/// The running receiver; the server task ends with the test's runtime.
#[derive(Clone)]
pub struct Receiver {
    pub url: String,
    inner: Arc<Inner>,
}

impl Receiver {
    /// Starts the receiver; `secret` is what the server gets as `FALLWERK_WEBHOOK_SECRET_<REF>`.
    pub async fn start(secret: &str) -> Receiver {
        let inner = Arc::new(Inner {
            secret: secret.to_string(),
            ..Inner::default()
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind webhook receiver");
        let addr = listener.local_addr().expect("addr");
        let app = Router::new()
            .route(PATH, post(receive))
            .with_state(inner.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Receiver {
            url: format!("http://{addr}{PATH}"),
            inner,
        }
    }

    /// From now on answer every request with 503 (`true`) or accept again (`false`).
    pub fn set_failing(&self, failing: bool) {
        self.inner.failing.store(failing, Ordering::SeqCst);
    }

    pub fn refused(&self) -> usize {
        self.inner.refused.load(Ordering::SeqCst)
    }

    pub fn rejected(&self) -> Vec<String> {
        self.inner.rejected.lock().expect("lock").clone()
    }

    pub fn deliveries(&self) -> Vec<Delivery> {
        self.inner.delivered.lock().expect("lock").clone()
    }
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// Checks signature, timestamp and files; the accepted delivery or why not.
fn verify(secret: &str, headers: &HeaderMap, body: &[u8]) -> Result<Delivery, String> {
    let ts = header(headers, "x-fallwerk-timestamp").ok_or("no X-Fallwerk-Timestamp")?;
    let sig = header(headers, "x-fallwerk-signature").ok_or("no X-Fallwerk-Signature")?;
    let sig = sig
        .strip_prefix("sha256=")
        .and_then(|h| hex::decode(h).ok())
        .ok_or("signature is not sha256=<hex>")?;
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).map_err(|e| e.to_string())?;
    mac.update(ts.as_bytes());
    mac.update(b".");
    mac.update(body);
    // verify_slice compares in constant time.
    mac.verify_slice(&sig)
        .map_err(|_| "signature does not verify".to_string())?;
    let ts: i64 = ts.parse().map_err(|_| "timestamp is not unix seconds")?;
    if (chrono::Utc::now().timestamp() - ts).abs() > 300 {
        return Err(format!("stale timestamp {ts}"));
    }
    let key = header(headers, "idempotency-key").ok_or("no Idempotency-Key")?;
    let v: serde_json::Value = serde_json::from_slice(body).map_err(|e| e.to_string())?;
    if v["format"] != "fallwerk-export" || v["format_version"] != 1 {
        return Err(format!(
            "unexpected format {} {}",
            v["format"], v["format_version"]
        ));
    }
    let package = v["package"].as_str().ok_or("no package")?.to_string();
    if package != key {
        return Err(format!(
            "Idempotency-Key {key} is not the package {package}"
        ));
    }
    let mut files = Vec::new();
    for f in v["files"].as_array().ok_or("no files")? {
        let path = f["path"].as_str().ok_or("file without path")?.to_string();
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(f["content_base64"].as_str().unwrap_or_default())
            .map_err(|e| format!("{path}: {e}"))?;
        if f["size"].as_u64() != Some(bytes.len() as u64) {
            return Err(format!("{path}: size mismatch"));
        }
        if f["sha256"].as_str() != Some(hex::encode(Sha256::digest(&bytes)).as_str()) {
            return Err(format!("{path}: sha256 mismatch"));
        }
        files.push((path, bytes));
    }
    if files.first().map(|(p, _)| p.as_str()) != Some("manifest.json") {
        return Err("manifest.json is not the first file".into());
    }
    Ok(Delivery {
        package,
        idempotency_key: key.to_string(),
        case_id: v["case_id"].as_str().unwrap_or_default().to_string(),
        files,
        body: String::from_utf8_lossy(body).into_owned(),
    })
}

async fn receive(
    State(inner): State<Arc<Inner>>,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, HeaderMap, String) {
    let mut out = HeaderMap::new();
    if inner.failing.load(Ordering::SeqCst) {
        inner.refused.fetch_add(1, Ordering::SeqCst);
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            out,
            "down for the test".into(),
        );
    }
    match verify(&inner.secret, &headers, &body) {
        Ok(delivery) => {
            let receipt = format!("e2e-receipt-{}", delivery.package);
            if let Ok(v) = receipt.parse() {
                out.insert("x-fallwerk-receipt", v);
            }
            let mut delivered = inner.delivered.lock().expect("lock");
            // A repeated Idempotency-Key is answered with the same receipt, stored once.
            if !delivered.iter().any(|d| d.package == delivery.package) {
                delivered.push(delivery);
            }
            (
                StatusCode::OK,
                out,
                format!("{{\"receipt\":\"{receipt}\"}}"),
            )
        }
        Err(why) => {
            inner.rejected.lock().expect("lock").push(why.clone());
            (StatusCode::UNAUTHORIZED, out, why)
        }
    }
}
