//! Test support for every crate that runs against emulated AWS: finds the emulators (DynamoDB Local, moto), makes a fresh table or bucket per
//! test and drops it afterwards. Skips (prints why) when no emulator answers, fails under `CI`.

use std::time::Duration;

use crate::{DynamoStore, S3BlobStore, create_table, s3_client};
use aws_config::{BehaviorVersion, SdkConfig};

const DDB_ENDPOINT_VAR: &str = "AWS_ENDPOINT_URL_DYNAMODB";
const S3_ENDPOINT_VARS: [&str; 2] = ["AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"];

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
        if std::env::var_os("CI").is_some() {
            panic!("CI is set but {reason}");
        }
        eprintln!("SKIPPED: {reason}");
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
