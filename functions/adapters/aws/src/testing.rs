//! Test support for every crate that runs against emulated AWS: finds the emulators (DynamoDB Local, moto), makes a fresh table or bucket per
//! test and drops it afterwards. Skips (prints why) when no emulator answers, fails under `CI`.

use std::time::Duration;

use crate::{DynamoStore, QueueUrls, S3BlobStore, create_queues, create_table, s3_client};
use aws_config::{BehaviorVersion, SdkConfig};

const DDB_ENDPOINT_VAR: &str = "AWS_ENDPOINT_URL_DYNAMODB";
const S3_ENDPOINT_VARS: [&str; 2] = ["AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"];
const SQS_ENDPOINT_VARS: [&str; 2] = ["AWS_ENDPOINT_URL_SQS", "AWS_ENDPOINT_URL"];
const SES_ENDPOINT_VARS: [&str; 2] = ["AWS_ENDPOINT_URL_SES", "AWS_ENDPOINT_URL"];

/// The one skip rule of every test that needs a part outside the process (an emulator, a
/// browser, a Python package): locally it prints `SKIPPED: reason` and the caller returns
/// without checking anything; under CI (`CI` set) it fails the test, so a missing part can never
/// turn the suite green.
pub fn skip(reason: &str) {
    if std::env::var_os("CI").is_some() {
        panic!("CI is set but {reason}");
    }
    eprintln!("SKIPPED: {reason}");
}

/// Whether the emulators' SDK environment (`eval "$(scripts/emulators.sh env)"`) is set; when it
/// is not, [`skip`]s (fails under CI) and answers `false`.
pub fn emulator_env() -> bool {
    if std::env::var_os(DDB_ENDPOINT_VAR).is_some() {
        return true;
    }
    skip(&format!(
        "{DDB_ENDPOINT_VAR} is not set: run `eval \"$(scripts/emulators.sh env)\"`"
    ));
    false
}

/// `host:port` of an `http://host:port[/...]` URL.
fn host_port(url: &str) -> Option<String> {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let hp = rest.split('/').next()?;
    Some(if hp.contains(':') {
        hp.to_string()
    } else {
        format!("{hp}:80")
    })
}

async fn reachable(url: &str) -> bool {
    let Some(addr) = host_port(url) else {
        return false;
    };
    matches!(
        tokio::time::timeout(Duration::from_secs(2), tokio::net::TcpStream::connect(addr)).await,
        Ok(Ok(_))
    )
}

/// The endpoint from `vars`, else the emulator default of scripts/emulators.sh.
fn endpoint(vars: &[&str], default_port_var: &str, default_port: u16) -> String {
    vars.iter()
        .find_map(|v| std::env::var(v).ok().filter(|s| !s.is_empty()))
        .unwrap_or_else(|| {
            let port = std::env::var(default_port_var)
                .ok()
                .and_then(|p| p.parse().ok())
                .unwrap_or(default_port);
            format!("http://127.0.0.1:{port}")
        })
}

/// SDK config pointing at `endpoint`, or `None` (skip) when nothing answers there.
async fn emulator_config(service: &str, endpoint: String) -> Option<SdkConfig> {
    if !reachable(&endpoint).await {
        let reason = format!(
            "no {service} emulator answers at {endpoint}: run `scripts/emulators.sh start && eval \"$(scripts/emulators.sh env)\"`"
        );
        skip(&reason);
        return None;
    }
    let region = std::env::var("AWS_REGION").unwrap_or_else(|_| "eu-central-1".into());
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .region(aws_config::Region::new(region))
        .endpoint_url(endpoint);
    // Dummy keys unless the environment brings its own (emulators accept anything).
    if std::env::var_os("AWS_ACCESS_KEY_ID").is_none() {
        loader = loader.credentials_provider(aws_sdk_dynamodb::config::Credentials::new(
            "test",
            "test",
            None,
            None,
            "fallwerk-tests",
        ));
    }
    Some(loader.load().await)
}

pub fn unique(prefix: &str) -> String {
    format!("{prefix}-{}", uuid::Uuid::new_v4().simple())
}

/// Deletes the test table when the test is done (best effort).
pub struct TableGuard {
    pub client: aws_sdk_dynamodb::Client,
    pub table: String,
}

impl Drop for TableGuard {
    fn drop(&mut self) {
        let Ok(handle) = tokio::runtime::Handle::try_current() else {
            return;
        };
        if handle.runtime_flavor() != tokio::runtime::RuntimeFlavor::MultiThread {
            return;
        }
        let client = self.client.clone();
        let table = self.table.clone();
        tokio::task::block_in_place(|| {
            handle.block_on(async move {
                let _ = client.delete_table().table_name(table).send().await;
            })
        });
    }
}

/// A DynamoStore on its own fresh table, or `None` (skipped) without an emulator.
pub async fn dynamo() -> Option<(DynamoStore, TableGuard)> {
    let endpoint = endpoint(&[DDB_ENDPOINT_VAR], "FALLWERK_DDB_PORT", 8001);
    let config = emulator_config("DynamoDB", endpoint).await?;
    let client = aws_sdk_dynamodb::Client::new(&config);
    let table = unique("fw-test");
    create_table(&client, &table)
        .await
        .expect("create test table");
    Some((
        DynamoStore::new(client.clone(), &table),
        TableGuard { client, table },
    ))
}

/// An S3 client and a fresh bucket on the S3 emulator, or `None` (skipped).
pub async fn s3_bucket() -> Option<(aws_sdk_s3::Client, String)> {
    let endpoint = endpoint(&S3_ENDPOINT_VARS, "FALLWERK_MOTO_PORT", 5000);
    let config = emulator_config("S3", endpoint).await?;
    let client = s3_client(&config);
    let bucket = unique("fw-test");
    S3BlobStore::create_bucket(&client, &bucket)
        .await
        .expect("create test bucket");
    Some((client, bucket))
}

/// `maxReceiveCount` of the queues made by [`sqs_queues`]: the fourth receive dead-letters.
pub const TEST_MAX_RECEIVE_COUNT: u32 = 3;

/// The moto endpoint the SES helpers use (`AWS_ENDPOINT_URL_SES`, `AWS_ENDPOINT_URL`, else
/// `http://127.0.0.1:$FALLWERK_MOTO_PORT`), for [`sent_mails`].
pub fn moto_endpoint() -> String {
    endpoint(&SES_ENDPOINT_VARS, "FALLWERK_MOTO_PORT", 5000)
}

/// An SQS client and fresh queues `fw-test-<uuid>-{messaging,export}[-dlq]` (redrive after
/// [`TEST_MAX_RECEIVE_COUNT`] receives), or `None` (skipped) without an emulator.
pub async fn sqs_queues() -> Option<(aws_sdk_sqs::Client, QueueUrls)> {
    sqs_queues_with(TEST_MAX_RECEIVE_COUNT).await
}

/// Like [`sqs_queues`] with another `maxReceiveCount`.
pub async fn sqs_queues_with(max_receive_count: u32) -> Option<(aws_sdk_sqs::Client, QueueUrls)> {
    let endpoint = endpoint(&SQS_ENDPOINT_VARS, "FALLWERK_MOTO_PORT", 5000);
    let config = emulator_config("SQS", endpoint).await?;
    let client = aws_sdk_sqs::Client::new(&config);
    let urls = create_queues(&client, &unique("fw-test"), max_receive_count)
        .await
        .expect("create test queues");
    Some((client, urls))
}

/// An SES v1 client and a fresh sender address `fw-test-<uuid>@fallwerk.test`, verified
/// (`VerifyEmailIdentity`), or `None` (skipped) without an emulator.
pub async fn ses_client() -> Option<(aws_sdk_ses::Client, String)> {
    let config = emulator_config("SES", moto_endpoint()).await?;
    let client = aws_sdk_ses::Client::new(&config);
    let sender = format!("{}@fallwerk.test", unique("fw-test"));
    crate::verify_sender(&client, &sender)
        .await
        .expect("verify test sender");
    Some((client, sender))
}

/// The e-mails moto's SES has sent (all tests' mails: filter by sender or recipient), read from
/// `GET {endpoint}/moto-api/data.json` → `.ses.Message`: objects with `id`, `source`, `subject`,
/// `body` (the HTML part if there is one, else the text), `destinations`; then
/// `.ses.RawMessage`: objects with `id`, `source`, `destinations` (a list) and `raw_data`. Panics when moto does not
/// answer with JSON, e.g. once any Lambda function was created on that moto (data.json then fails
/// with a Docker error until a reset, also after the function is deleted).
pub async fn sent_mails(endpoint: &str) -> Vec<serde_json::Value> {
    let body = match http_get(endpoint, "/moto-api/data.json").await {
        Ok(body) => body,
        Err(e) => panic!(
            "cannot read {endpoint}/moto-api/data.json: {e}. A 500 there means a Lambda function \
             was created on this moto at some time (even if deleted since): data.json then fails \
             with a Docker error until a reset. Run mail tests on a moto without Lambda functions."
        ),
    };
    let data: serde_json::Value = match serde_json::from_slice(&body) {
        Ok(data) => data,
        Err(e) => panic!("{endpoint}/moto-api/data.json is not JSON: {e}"),
    };
    // `SendEmail` lands in `Message`, `SendRawEmail` (what `SesMailer` uses) in `RawMessage`
    // with `raw_data` (the RFC 5322 text) instead of `subject` and `body`.
    ["/ses/Message", "/ses/RawMessage"]
        .iter()
        .filter_map(|p| data.pointer(p).and_then(|v| v.as_array()))
        .flatten()
        .cloned()
        .collect()
}

/// A minimal HTTP/1.0 GET over plain TCP (moto speaks plain http; 1.0 avoids chunked bodies):
/// the body of a 200 response.
async fn http_get(endpoint: &str, path: &str) -> Result<Vec<u8>, String> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let addr = host_port(endpoint).ok_or_else(|| format!("bad endpoint {endpoint}"))?;
    let mut stream = tokio::net::TcpStream::connect(&addr)
        .await
        .map_err(|e| format!("connect {addr}: {e}"))?;
    let request = format!("GET {path} HTTP/1.0\r\nHost: {addr}\r\nAccept: */*\r\n\r\n");
    stream
        .write_all(request.as_bytes())
        .await
        .map_err(|e| format!("send request: {e}"))?;
    let mut response = Vec::new();
    tokio::time::timeout(Duration::from_secs(30), stream.read_to_end(&mut response))
        .await
        .map_err(|_| "timed out".to_string())?
        .map_err(|e| format!("read response: {e}"))?;
    let split = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or("response without header end")?;
    let head = String::from_utf8_lossy(&response[..split]);
    let status = head.lines().next().unwrap_or_default();
    if status.split_whitespace().nth(1) != Some("200") {
        return Err(format!("status `{status}`"));
    }
    Ok(response[split + 4..].to_vec())
}
