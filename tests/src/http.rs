//! HTTP clients of the public API: the portal (HMAC-signed with `fallwerk_api::testing::
//! PortalSigner`, the OZG-Cloud multipart `/antrag` built with its `multipart` helper) and
//! caseworkers (bearer tokens from `fallwerk token`).

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use fallwerk_api::testing::{BOUNDARY, Part, PortalSigner, multipart};
use serde_json::{Value, json};

/// A response: status and body (JSON when it parses, else `Value::Null`; the text always).
#[derive(Debug, Clone)]
pub struct Resp {
    pub status: u16,
    pub json: Value,
    pub text: String,
}

impl Resp {
    /// Panics with the body unless the status is `expected`.
    pub fn expect(self, expected: u16, what: &str) -> Value {
        assert_eq!(
            self.status, expected,
            "{what}: expected HTTP {expected}, got {}: {}",
            self.status, self.text
        );
        self.json
    }
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .expect("HTTP client")
}

async fn send(req: reqwest::RequestBuilder) -> Resp {
    let res = req.send().await.expect("HTTP request");
    let status = res.status().as_u16();
    let text = res.text().await.unwrap_or_default();
    let json = serde_json::from_str(&text).unwrap_or(Value::Null);
    Resp { status, json, text }
}

/// The offset of the server's clock from the real one (seconds), shared with the portal client
/// so that its signatures carry the server's time (the ±5 minute window is on that clock).
#[derive(Debug, Clone, Default)]
pub struct ServerClock(Arc<AtomicI64>);

impl ServerClock {
    pub fn offset(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }

    pub fn set_offset(&self, seconds: i64) {
        self.0.store(seconds, Ordering::SeqCst);
    }

    /// The server's current time.
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        chrono::Utc::now() + chrono::Duration::seconds(self.offset())
    }
}

/// The portal: signed requests as a portal client.
#[derive(Clone)]
pub struct Portal {
    base: String,
    http: reqwest::Client,
    pub signer: PortalSigner,
    clock: ServerClock,
    /// The last timestamp used per `METHOD path`: a signature is accepted once per route, so two
    /// identical requests in one second get different timestamps.
    last: Arc<Mutex<HashMap<String, i64>>>,
}

impl Portal {
    pub fn new(base: &str, client_id: &str, secret: &str, clock: ServerClock) -> Self {
        Portal {
            base: base.to_string(),
            http: client(),
            signer: PortalSigner::new(client_id, secret),
            clock,
            last: Arc::default(),
        }
    }

    /// The same portal client (sharing its used timestamps, so no signature repeats) against
    /// another base URL: the restarted server.
    pub fn rebased(&self, base: &str) -> Portal {
        Portal {
            base: base.to_string(),
            ..self.clone()
        }
    }

    fn timestamp(&self, target: &str) -> i64 {
        let now = self.clock.now().timestamp();
        let mut last = self.last.lock().expect("lock");
        let ts = match last.get(target) {
            Some(prev) if *prev >= now => prev + 1,
            _ => now,
        };
        last.insert(target.to_string(), ts);
        ts
    }

    async fn signed(&self, method: reqwest::Method, path: &str, body: Vec<u8>) -> Resp {
        let ts = self.timestamp(&format!("{method} {path}"));
        let headers = self.signer.headers_v2(method.as_str(), path, ts, &body);
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        for (name, value) in headers {
            req = req.header(name, value);
        }
        if !body.is_empty() {
            req = req.header("content-type", "application/json").body(body);
        }
        send(req).await
    }

    pub async fn get(&self, path: &str) -> Resp {
        self.signed(reqwest::Method::GET, path, Vec::new()).await
    }

    pub async fn post(&self, path: &str, body: &Value) -> Resp {
        let bytes = serde_json::to_vec(body).expect("json");
        self.signed(reqwest::Method::POST, path, bytes).await
    }

    /// `post`, but `None` when no answer came (the server was killed mid-request).
    pub async fn try_post(&self, path: &str, body: &Value) -> Option<Resp> {
        let bytes = serde_json::to_vec(body).expect("json");
        let ts = self.timestamp(&format!("POST {path}"));
        let headers = self.signer.headers_v2("POST", path, ts, &bytes);
        let mut req = self.http.post(format!("{}{path}", self.base));
        for (name, value) in headers {
            req = req.header(name, value);
        }
        let res = req
            .header("content-type", "application/json")
            .body(bytes)
            .send()
            .await
            .ok()?;
        let status = res.status().as_u16();
        let text = res.text().await.ok()?;
        let json = serde_json::from_str(&text).unwrap_or(Value::Null);
        Some(Resp { status, json, text })
    }

    /// A signed GET whose answer is raw bytes (document downloads): status and body.
    pub async fn get_bytes(&self, path: &str) -> (u16, Vec<u8>) {
        let ts = self.timestamp(&format!("GET {path}"));
        let headers = self.signer.headers_v2("GET", path, ts, &[]);
        let mut req = self.http.get(format!("{}{path}", self.base));
        for (name, value) in headers {
            req = req.header(name, value);
        }
        let res = req.send().await.expect("HTTP request");
        let status = res.status().as_u16();
        (status, res.bytes().await.unwrap_or_default().to_vec())
    }

    /// PUTs `bytes` to an upload slot from `POST /v1/uploads` (issue 13): an absolute S3
    /// presigned URL with its signed headers, or a URL relative to this server.
    pub async fn put_slot(&self, slot: &Value, bytes: Vec<u8>) -> u16 {
        let url = slot["url"].as_str().unwrap_or_default();
        let url = if url.starts_with("http://") || url.starts_with("https://") {
            url.to_string()
        } else {
            format!("{}{url}", self.base)
        };
        let mut req = self.http.put(url).body(bytes);
        if let Some(headers) = slot["headers"].as_object() {
            for (name, value) in headers {
                // The client sets the length from the body; the signed value is the same.
                if !name.eq_ignore_ascii_case("content-length") {
                    req = req.header(name.as_str(), value.as_str().unwrap_or_default());
                }
            }
        }
        req.send().await.expect("HTTP request").status().as_u16()
    }

    /// `POST /antrag/{client}/{secret}` as a form engine delivers (OZG-Cloud multipart).
    pub async fn antrag(&self, form_data: &Value, attachment: (&str, &[u8])) -> Resp {
        let form = serde_json::to_vec(form_data).expect("json");
        let body = multipart(&[
            // As Spring's RestClient sends a ByteArrayResource (GOVER): no file name,
            // application/octet-stream.
            Part {
                name: "formData",
                file_name: None,
                content_type: Some("application/octet-stream"),
                bytes: &form,
            },
            Part {
                name: "representation",
                file_name: Some("antrag.pdf"),
                content_type: Some("application/pdf"),
                bytes: b"%PDF-1.4 Antrag (Darstellung)",
            },
            Part {
                name: "attachment",
                file_name: Some(attachment.0),
                content_type: Some("application/pdf"),
                bytes: attachment.1,
            },
        ]);
        let url = format!(
            "{}/antrag/{}/{}",
            self.base, self.signer.client_id, self.signer.secret
        );
        send(
            self.http
                .post(url)
                .header(
                    "content-type",
                    format!("multipart/form-data; boundary={BOUNDARY}"),
                )
                .body(body),
        )
        .await
    }
}

/// One caseworker (a bearer token for some org units and roles).
#[derive(Clone)]
pub struct Caseworker {
    base: String,
    http: reqwest::Client,
    token: String,
    pub name: String,
}

impl Caseworker {
    pub fn new(base: &str, name: &str, token: String) -> Self {
        Caseworker {
            base: base.to_string(),
            http: client(),
            token,
            name: name.to_string(),
        }
    }

    pub async fn get(&self, path: &str) -> Resp {
        send(
            self.http
                .get(format!("{}{path}", self.base))
                .bearer_auth(&self.token),
        )
        .await
    }

    /// A GET whose answer is raw bytes (attachment downloads): status and body.
    pub async fn get_bytes(&self, path: &str) -> (u16, Vec<u8>) {
        let res = self
            .http
            .get(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .send()
            .await
            .expect("HTTP request");
        let status = res.status().as_u16();
        (status, res.bytes().await.unwrap_or_default().to_vec())
    }

    /// A JSON `POST` with the caseworker's token.
    pub async fn post(&self, path: &str, body: &Value) -> Resp {
        send(
            self.http
                .post(format!("{}{path}", self.base))
                .bearer_auth(&self.token)
                .json(body),
        )
        .await
    }

    /// `POST /v1/cases/{id}/documents` with one PDF.
    pub async fn upload_pdf(&self, case_id: &str, name: &str, bytes: &[u8]) -> Resp {
        let body = multipart(&[Part {
            name: "file",
            file_name: Some(name),
            content_type: Some("application/pdf"),
            bytes,
        }]);
        send(
            self.http
                .post(format!("{}/v1/cases/{case_id}/documents", self.base))
                .bearer_auth(&self.token)
                .header(
                    "content-type",
                    format!("multipart/form-data; boundary={BOUNDARY}"),
                )
                .body(body),
        )
        .await
    }

    /// `GET /v1/cases/{id}` (200 or the problem).
    pub async fn case(&self, case_id: &str) -> Resp {
        self.get(&format!("/v1/cases/{case_id}")).await
    }

    /// Runs `action` (`{"action": …, …}`) on the version the caseworker sees now (the answer of
    /// loading the case when that fails, e.g. 404 for a foreign case).
    pub async fn act(&self, case_id: &str, action: Value) -> Resp {
        let case = self.case(case_id).await;
        if case.status != 200 {
            return case;
        }
        let case = case.json;
        let mut body = action;
        body["expected_version"] = case["version"].clone();
        send(
            self.http
                .post(format!("{}/v1/cases/{case_id}/actions", self.base))
                .bearer_auth(&self.token)
                .json(&body),
        )
        .await
    }

    /// `act`, expecting 200; returns the case view after the action.
    pub async fn act_ok(&self, case_id: &str, action: Value) -> Value {
        let what = format!("{} {}", self.name, action["action"]);
        self.act(case_id, action).await.expect(200, &what)
    }

    /// The history's event types, oldest first.
    pub async fn history_types(&self, case_id: &str) -> Vec<String> {
        let h = self
            .get(&format!("/v1/cases/{case_id}/history?limit=500"))
            .await
            .expect(200, "history");
        h["items"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|e| e["type"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// A JSON attachment of `POST /v1/submissions` and replies (name, type, size, sha256, base64).
pub fn attachment(name: &str, content: &[u8]) -> Value {
    use base64::Engine;
    use sha2::{Digest, Sha256};
    json!({
        "name": name,
        "media_type": "application/pdf",
        "size": content.len(),
        "sha256": hex::encode(Sha256::digest(content)),
        "content": base64::engine::general_purpose::STANDARD.encode(content),
    })
}
