//! A minimal Lambda Runtime API server and helpers to run a function binary against it the way
//! Lambda does (no arguments, `AWS_LAMBDA_RUNTIME_API`), on fresh emulated AWS resources; and
//! the API Gateway sample events of events/samples/. Shared by the intake and casework tests.

use std::collections::VecDeque;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, mpsc};

pub const CLIENT: &str = "portal-rt";
pub const PORTAL_SECRET: &str = "portal-secret-rt-0123456789abcdef0123456789";
pub const OE: &str = "oe-rt";
pub const LEIKA: &str = "99050012104000";

/// The Runtime API: hands out queued events, collects responses and errors.
pub struct RuntimeApi {
    pub port: u16,
    events: Arc<Mutex<VecDeque<(String, String)>>>,
    queued: Arc<Notify>,
    first_next: Arc<Mutex<Option<Instant>>>,
    results: mpsc::UnboundedReceiver<(String, String, Value)>,
}

impl RuntimeApi {
    pub async fn start() -> RuntimeApi {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let events = Arc::new(Mutex::new(VecDeque::new()));
        let queued = Arc::new(Notify::new());
        let first_next = Arc::new(Mutex::new(None));
        let (tx, results) = mpsc::unbounded_channel();
        let (ev, q, first) = (events.clone(), queued.clone(), first_next.clone());
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (ev, q, first, tx) = (ev.clone(), q.clone(), first.clone(), tx.clone());
                tokio::spawn(serve(stream, ev, q, first, tx));
            }
        });
        RuntimeApi {
            port,
            events,
            queued,
            first_next,
            results,
        }
    }

    pub fn push(&self, request_id: &str, event: String) {
        self.events
            .lock()
            .expect("lock")
            .push_back((request_id.to_string(), event));
        self.queued.notify_waiters();
        self.queued.notify_one();
    }

    /// (request id, "response" | "error", body) of the next finished invocation.
    pub async fn result(&mut self) -> (String, String, Value) {
        tokio::time::timeout(Duration::from_secs(30), self.results.recv())
            .await
            .expect("an invocation result within 30 s")
            .expect("server running")
    }

    pub fn first_next(&self) -> Option<Instant> {
        *self.first_next.lock().expect("lock")
    }
}

/// One keep-alive connection of the runtime client.
async fn serve(
    stream: TcpStream,
    events: Arc<Mutex<VecDeque<(String, String)>>>,
    queued: Arc<Notify>,
    first_next: Arc<Mutex<Option<Instant>>>,
    results: mpsc::UnboundedSender<(String, String, Value)>,
) {
    let mut reader = BufReader::new(stream);
    loop {
        let now = Instant::now();
        let mut head = Vec::new();
        loop {
            let mut line = String::new();
            match reader.read_line(&mut line).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
            if line == "\r\n" {
                break;
            }
            head.push(line.trim_end().to_string());
        }
        let Some(request_line) = head.first().cloned() else {
            return;
        };
        let header = |name: &str| {
            head.iter().skip(1).find_map(|h| {
                let (k, v) = h.split_once(':')?;
                k.eq_ignore_ascii_case(name).then(|| v.trim().to_string())
            })
        };
        let mut body = Vec::new();
        if let Some(len) = header("content-length").and_then(|l| l.parse::<usize>().ok()) {
            body.resize(len, 0);
            if reader.read_exact(&mut body).await.is_err() {
                return;
            }
        } else if header("transfer-encoding").is_some_and(|t| t.contains("chunked")) {
            loop {
                let mut size = String::new();
                if reader.read_line(&mut size).await.unwrap_or(0) == 0 {
                    return;
                }
                let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
                let mut chunk = vec![0; n + 2];
                if reader.read_exact(&mut chunk).await.is_err() {
                    return;
                }
                if n == 0 {
                    break;
                }
                body.extend_from_slice(&chunk[..n]);
            }
        }
        let path = request_line
            .split(' ')
            .nth(1)
            .unwrap_or_default()
            .to_string();
        let response = if path.ends_with("/runtime/invocation/next") {
            first_next.lock().expect("lock").get_or_insert(now);
            let (id, event) = loop {
                let notified = queued.notified();
                if let Some(next) = events.lock().expect("lock").pop_front() {
                    break next;
                }
                notified.await;
            };
            let deadline = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_millis() + 30_000)
                .unwrap_or_default();
            format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\
                 Lambda-Runtime-Aws-Request-Id: {id}\r\nLambda-Runtime-Deadline-Ms: {deadline}\r\n\
                 Lambda-Runtime-Invoked-Function-Arn: arn:aws:lambda:eu-central-1:123456789012:function:fallwerk-test\r\n\
                 Lambda-Runtime-Trace-Id: Root=1-00000000-000000000000000000000000\r\n\
                 Content-Length: {}\r\n\r\n{event}",
                event.len()
            )
        } else {
            // .../invocation/{id}/response, .../invocation/{id}/error, .../init/error
            let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
            let (id, kind) = match parts.as_slice() {
                [_, "runtime", "invocation", id, kind] => (id.to_string(), kind.to_string()),
                _ => ("init".to_string(), "error".to_string()),
            };
            let value = serde_json::from_slice(&body)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&body).into()));
            let _ = results.send((id, kind, value));
            "HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n".to_string()
        };
        if reader
            .get_mut()
            .write_all(response.as_bytes())
            .await
            .is_err()
        {
            return;
        }
    }
}

/// An API Gateway sample event of events/samples/.
pub fn sample(name: &str) -> String {
    let path = format!("{}/../../events/samples/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {path}: {e}"))
}

/// `text` with each `{{KEY}}` replaced by its value.
pub fn fill(text: &str, values: &[(&str, &str)]) -> String {
    values.iter().fold(text.to_string(), |t, (k, v)| {
        t.replace(&format!("{{{{{k}}}}}"), v)
    })
}

/// The submission sample event, signed (v2) for [`CLIENT`] with `secret`.
pub fn signed_submission(submission_id: &str, secret: &str) -> String {
    signed_submission_for(CLIENT, OE, submission_id, secret)
}

/// The submission sample event for `org_unit`, signed (v2) for `client` with `secret` at now.
pub fn signed_submission_for(
    client: &str,
    org_unit: &str,
    submission_id: &str,
    secret: &str,
) -> String {
    let text = fill(
        &sample("apigw-rest-submission.json"),
        &[("SUBMISSION_ID", submission_id), ("ORG_UNIT_ID", org_unit)],
    );
    let event: Value = serde_json::from_str(&text).expect("json");
    let body = event["body"].as_str().expect("body").as_bytes().to_vec();
    let ts = chrono::Utc::now().timestamp();
    let headers = fallwerk_api::testing::PortalSigner::new(client, secret).headers(ts, &body);
    let signature = headers
        .iter()
        .find(|(name, _)| *name == "x-fallwerk-signature")
        .map(|(_, v)| v.clone())
        .expect("signature");
    fill(
        &text,
        &[
            ("CLIENT_ID", client),
            ("TIMESTAMP", &ts.to_string()),
            ("SIGNATURE", &signature),
        ],
    )
}

/// Fresh table, bucket and queues with one org unit, service, portal client and caseworker
/// (`sb-rt`): the `FALLWERK_*` environment for a function process. `None` (skipped) without
/// emulators.
pub async fn aws_env() -> Option<(Vec<(String, String)>, fallwerk_aws::testing::TableGuard)> {
    let fixture = super::aws_backend(&super::Seed {
        org_unit: OE,
        leika_id: LEIKA,
        client: CLIENT,
        secret: PORTAL_SECRET,
        allow_signature_v1: true,
        caseworker: Some("sb-rt"),
    })
    .await?;
    let mut env = fixture.env();
    env.push((
        "FALLWERK_JWT_HS256_SECRET".into(),
        "jwt-secret-rt-0123456789abcdef0123456789".into(),
    ));
    Some((env, fixture.table))
}

/// Starts a function binary the way Lambda does: no arguments, the runtime API address and
/// the function's environment.
pub fn spawn_function(bin: &str, port: u16, env: &[(String, String)]) -> Child {
    Command::new(bin)
        .env("AWS_LAMBDA_RUNTIME_API", format!("127.0.0.1:{port}"))
        .env("AWS_LAMBDA_FUNCTION_NAME", "fallwerk-test")
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256")
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .env("AWS_LAMBDA_LOG_STREAM_NAME", "test-stream")
        .env("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/fallwerk-test")
        .env("AWS_LAMBDA_HTTP_IGNORE_STAGE_IN_PATH", "true")
        .env("RUST_LOG", "info")
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("start {bin}: {e}"))
}

/// Stops the child (SIGKILL: a Lambda process is frozen or killed, never asked) and returns
/// its stdout.
pub fn stop(mut child: Child) -> String {
    let _ = child.kill();
    let out = child.wait_with_output().expect("output");
    String::from_utf8_lossy(&out.stdout).into_owned()
}
