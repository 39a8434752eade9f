//! One backend of the suite: the real `fallwerk` binary configured the way an operator would —
//! embedded (`serve --data TMP --no-demo`) or emulated AWS (`init-aws` against DynamoDB Local and
//! an SQS/SES/S3 emulator, its printed exports as the environment) — then `admin apply` of a
//! directory YAML, and `serve` on a free port with a fast scheduler (every second), quick
//! retries (`FALLWERK_RETRY_BASE_SECONDS=0`, `FALLWERK_MAX_RECEIVES=3`) and a movable clock
//! (`--clock-file`: the server's time is the real time plus the offset in that file).
//!
//! Which SQS/SES/S3 emulator the AWS run uses ([`AwsEndpoint`]): by default the suite's own moto;
//! with `FALLWERK_E2E_AWS_ENDPOINT=env` whatever the standard SDK variables name
//! (`AWS_ENDPOINT_URL`, and `AWS_ENDPOINT_URL_SQS`/`_SES`/`_S3` per service) — e.g. a LocalStack,
//! whose sent mail is then read with `FALLWERK_E2E_MAIL_API=localstack` ([`crate::mail`]).
//! DynamoDB always comes from `AWS_ENDPOINT_URL_DYNAMODB` (DynamoDB Local).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use chrono::{NaiveDate, TimeZone, Utc};
use serde_json::Value;

use crate::http::{Caseworker, Portal, ServerClock};
use crate::mail::MailSink;
use crate::moto::{self, Moto};
use crate::process::{ChildGuard, clean_env, free_port};
use crate::webhook::Receiver;

/// Which backend `fallwerk serve` runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Embedded,
    Aws,
}

impl Kind {
    /// The label of this run in the step log: `embedded`, `aws` (own moto) or `aws@endpoint`
    /// (the SDK variables' emulator, e.g. LocalStack), so the log says where each step ran.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Embedded => "embedded",
            Kind::Aws => match AwsEndpoint::from_env() {
                Ok(AwsEndpoint::FromEnv { .. }) => match crate::mail::MailApi::from_env() {
                    Ok(crate::mail::MailApi::LocalStack) => "aws@localstack",
                    _ => "aws@endpoint",
                },
                _ => "aws",
            },
        }
    }

    /// The value of `fallwerk serve --backend`.
    pub fn backend_flag(self) -> &'static str {
        match self {
            Kind::Embedded => "embedded",
            Kind::Aws => "aws",
        }
    }
}

/// Where the AWS run's SQS, SES and S3 are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AwsEndpoint {
    /// A moto server the suite starts on a free port (the default).
    OwnMoto,
    /// The endpoints of the standard SDK variables: `AWS_ENDPOINT_URL` and any per-service
    /// `AWS_ENDPOINT_URL_<SERVICE>` (passed on to `fallwerk` unchanged).
    FromEnv {
        endpoint: String,
        per_service: Vec<(String, String)>,
    },
}

impl AwsEndpoint {
    /// `FALLWERK_E2E_AWS_ENDPOINT`: unset or `own-moto`, or `env`.
    pub fn from_env() -> Result<AwsEndpoint, String> {
        Self::parse(
            std::env::var("FALLWERK_E2E_AWS_ENDPOINT").ok().as_deref(),
            std::env::vars(),
        )
    }

    /// The setting's value (`None`: unset) and the environment to take the endpoints from.
    pub fn parse(
        value: Option<&str>,
        vars: impl Iterator<Item = (String, String)>,
    ) -> Result<AwsEndpoint, String> {
        match value {
            None | Some("") | Some("own-moto") => Ok(AwsEndpoint::OwnMoto),
            Some("env") => {
                let vars: Vec<(String, String)> = vars.collect();
                let endpoint = vars
                    .iter()
                    .find(|(k, v)| k == "AWS_ENDPOINT_URL" && !v.is_empty())
                    .map(|(_, v)| v.clone())
                    .ok_or("FALLWERK_E2E_AWS_ENDPOINT=env but AWS_ENDPOINT_URL is not set")?;
                let per_service = vars
                    .into_iter()
                    .filter(|(k, v)| {
                        k.starts_with("AWS_ENDPOINT_URL_")
                            && k != "AWS_ENDPOINT_URL_DYNAMODB"
                            && !v.is_empty()
                    })
                    .collect();
                Ok(AwsEndpoint::FromEnv {
                    endpoint,
                    per_service,
                })
            }
            Some(other) => Err(format!(
                "FALLWERK_E2E_AWS_ENDPOINT={other}: expected `own-moto` or `env`"
            )),
        }
    }
}

/// `secret_ref` of the export target; the server reads `FALLWERK_WEBHOOK_SECRET_E2E`.
pub const SECRET_REF: &str = "e2e";
pub const LEIKA: &str = "99050012104000";
pub const SERVICE_NAME: &str = "Wohngeld";
pub const OE1: &str = "e2e-oe1";
pub const OE2: &str = "e2e-oe2";
pub const PORTAL_CLIENT: &str = "e2e-portal";

/// What `admin apply` configured for this run.
#[derive(Debug, Clone)]
pub struct Directory {
    pub oe1_mail: String,
    pub oe2_mail: String,
    pub portal_secret: String,
    pub mail_from: String,
}

struct AwsParts {
    /// The suite's own moto, when it runs one (stopped on drop).
    _moto: Option<Moto>,
    sqs: aws_sdk_sqs::Client,
    ddb: aws_sdk_dynamodb::Client,
    table: String,
    export_dlq_url: String,
}

/// A configured, running fallwerk.
pub struct Backend {
    pub kind: Kind,
    pub base_url: String,
    pub mails: MailSink,
    pub clock: ServerClock,
    pub directory: Directory,
    env: Vec<(String, String)>,
    data: PathBuf,
    clock_file: PathBuf,
    server: Option<ChildGuard>,
    aws: Option<AwsParts>,
    // Last: removed after the processes above are stopped.
    tmp: tempfile::TempDir,
}

/// `host:port` answers TCP within 2 s.
async fn reachable(endpoint: &str) -> bool {
    let hp = endpoint
        .split_once("://")
        .map_or(endpoint, |(_, r)| r)
        .trim_end_matches('/')
        .to_string();
    matches!(
        tokio::time::timeout(Duration::from_secs(2), tokio::net::TcpStream::connect(hp)).await,
        Ok(Ok(_))
    )
}

/// DynamoDB Local's endpoint as `scripts/emulators.sh env` names it.
fn dynamodb_endpoint() -> String {
    std::env::var("AWS_ENDPOINT_URL_DYNAMODB")
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| {
            let port = std::env::var("FALLWERK_DDB_PORT").unwrap_or_else(|_| "8001".into());
            format!("http://127.0.0.1:{port}")
        })
}

/// Skips (prints why) locally, fails under CI.
fn skip(reason: String) -> Option<Backend> {
    fallwerk_aws::testing::skip(&reason);
    None
}

async fn sdk_config(endpoint: &str) -> aws_config::SdkConfig {
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new("eu-central-1"))
        .endpoint_url(endpoint)
        .credentials_provider(aws_sdk_sqs::config::Credentials::new(
            "test", "test", None, None, "e2e",
        ))
        .load()
        .await
}

impl Backend {
    /// Configures and starts fallwerk on `kind`; `None` when the AWS emulators are missing
    /// outside CI. The export target is `webhook`, signed with `webhook_secret`.
    pub async fn start(kind: Kind, webhook: &Receiver, webhook_secret: &str) -> Option<Backend> {
        Self::start_with(kind, webhook, webhook_secret, free_port(), Vec::new()).await
    }

    /// [`Backend::start`] on a given port with more environment for `fallwerk serve` (the OpenID
    /// login needs the port before the start: the provider must know the redirect URL).
    pub async fn start_with(
        kind: Kind,
        webhook: &Receiver,
        webhook_secret: &str,
        port: u16,
        extra_env: Vec<(String, String)>,
    ) -> Option<Backend> {
        let run = crate::run_id();
        let tmp = tempfile::Builder::new()
            .prefix(&format!("fallwerk-e2e-{}-", kind.name()))
            .tempdir()
            .expect("tempdir");
        let data = tmp.path().join("data");
        let clock_file = tmp.path().join("clock-offset");
        std::fs::write(&clock_file, "0\n").expect("clock file");
        let directory = Directory {
            oe1_mail: format!("oe1-{run}@behoerde.example"),
            oe2_mail: format!("oe2-{run}@behoerde.example"),
            portal_secret: format!("{}{}", uuid::Uuid::new_v4().simple(), run),
            mail_from: format!("fallwerk-{run}@fallwerk.test"),
        };
        let mut env: Vec<(String, String)> = vec![
            ("RUST_LOG".into(), "info".into()),
            ("NO_COLOR".into(), "1".into()),
            ("FALLWERK_RETRY_BASE_SECONDS".into(), "0".into()),
            ("FALLWERK_MAX_RECEIVES".into(), "3".into()),
            ("FALLWERK_SCHEDULER_CRON".into(), "* * * * * *".into()),
            (
                "FALLWERK_CLOCK_FILE".into(),
                clock_file.display().to_string(),
            ),
            ("FALLWERK_MAIL_FROM".into(), directory.mail_from.clone()),
            (
                format!(
                    "FALLWERK_WEBHOOK_SECRET_{}",
                    SECRET_REF.to_ascii_uppercase()
                ),
                webhook_secret.to_string(),
            ),
            // Lets the export worker post to the plain-http receiver on 127.0.0.1 (see the
            // report: the runtime must offer this switch; production targets stay https-only).
            ("FALLWERK_WEBHOOK_ALLOW_HTTP".into(), "true".into()),
            // `caseworker()` tokens live 30 days: the clock moves by weeks.
            ("FALLWERK_JWT_MAX_LIFETIME_HOURS".into(), "720".into()),
        ];
        env.extend(extra_env);
        let mut aws = None;
        let mails = match kind {
            Kind::Embedded => MailSink::Outbox(data.join("outbox")),
            Kind::Aws => {
                let ddb = dynamodb_endpoint();
                if !reachable(&ddb).await {
                    return skip(format!(
                        "no DynamoDB Local answers at {ddb}: run `scripts/emulators.sh start`"
                    ));
                }
                let mail_api = match crate::mail::MailApi::from_env() {
                    Ok(api) => api,
                    Err(reason) => panic!("{reason}"),
                };
                let (own_moto, endpoint, per_service) = match AwsEndpoint::from_env() {
                    Err(reason) => panic!("{reason}"),
                    Ok(AwsEndpoint::OwnMoto) => {
                        assert_eq!(
                            mail_api,
                            crate::mail::MailApi::Moto,
                            "FALLWERK_E2E_MAIL_API=localstack needs FALLWERK_E2E_AWS_ENDPOINT=env"
                        );
                        if let Err(reason) = moto::available() {
                            return skip(reason);
                        }
                        let moto = Moto::start(tmp.path()).await;
                        let endpoint = moto.endpoint.clone();
                        (Some(moto), endpoint, Vec::new())
                    }
                    Ok(AwsEndpoint::FromEnv {
                        endpoint,
                        per_service,
                    }) => {
                        if !reachable(&endpoint).await {
                            return skip(format!(
                                "nothing answers at AWS_ENDPOINT_URL={endpoint} \
                                 (FALLWERK_E2E_AWS_ENDPOINT=env)"
                            ));
                        }
                        (None, endpoint, per_service)
                    }
                };
                for (k, v) in [
                    ("AWS_REGION", "eu-central-1"),
                    ("AWS_DEFAULT_REGION", "eu-central-1"),
                    ("AWS_ACCESS_KEY_ID", "test"),
                    ("AWS_SECRET_ACCESS_KEY", "test"),
                    ("AWS_EC2_METADATA_DISABLED", "true"),
                    ("AWS_REQUEST_CHECKSUM_CALCULATION", "WHEN_REQUIRED"),
                    ("AWS_RESPONSE_CHECKSUM_VALIDATION", "WHEN_REQUIRED"),
                ] {
                    env.push((k.into(), v.into()));
                }
                env.push(("AWS_ENDPOINT_URL".into(), endpoint.clone()));
                env.extend(per_service.iter().cloned());
                env.push(("AWS_ENDPOINT_URL_DYNAMODB".into(), ddb.clone()));
                env.push((
                    "FALLWERK_JWT_HS256_SECRET".into(),
                    format!(
                        "{}{}",
                        uuid::Uuid::new_v4().simple(),
                        uuid::Uuid::new_v4().simple()
                    ),
                ));
                // Mail is read where SES runs: its own variable if set, else the common one.
                let ses_endpoint = per_service
                    .iter()
                    .find(|(k, _)| k == "AWS_ENDPOINT_URL_SES")
                    .map_or(endpoint.clone(), |(_, v)| v.clone());
                let sqs_endpoint = per_service
                    .iter()
                    .find(|(k, _)| k == "AWS_ENDPOINT_URL_SQS")
                    .map_or(endpoint.clone(), |(_, v)| v.clone());
                eprintln!(
                    "[e2e:{}] SQS at {sqs_endpoint}, SES at {ses_endpoint} (sent mail read from {}), \
                     S3 at {}, DynamoDB at {ddb}",
                    kind.name(),
                    mail_api.path(),
                    per_service
                        .iter()
                        .find(|(k, _)| k == "AWS_ENDPOINT_URL_S3")
                        .map_or(endpoint.as_str(), |(_, v)| v.as_str()),
                );
                let mails = MailSink::Ses {
                    endpoint: ses_endpoint,
                    api: mail_api,
                };
                let sqs = aws_sdk_sqs::Client::new(&sdk_config(&sqs_endpoint).await);
                let ddb_client = aws_sdk_dynamodb::Client::new(&sdk_config(&ddb).await);
                aws = Some(AwsParts {
                    _moto: own_moto,
                    sqs,
                    ddb: ddb_client,
                    table: String::new(),
                    export_dlq_url: String::new(),
                });
                mails
            }
        };
        // Find (or build) the binary only now, after the emulator checks: a skipped run needs
        // none. Building blocks, so not on the runtime's worker.
        tokio::task::spawn_blocking(crate::binary::fallwerk_binary)
            .await
            .expect("locate the fallwerk binary");
        let mut backend = Backend {
            kind,
            base_url: String::new(),
            mails,
            clock: ServerClock::default(),
            directory,
            env,
            data,
            clock_file,
            server: None,
            aws,
            tmp,
        };
        if kind == Kind::Aws {
            let out = backend.fallwerk(&[
                "init-aws",
                "--name",
                &format!("e2e-{run}"),
                "--max-receives",
                "3",
                "--mail-from",
                &backend.directory.mail_from.clone(),
            ]);
            for line in out.lines() {
                if let Some((k, v)) = line
                    .strip_prefix("export ")
                    .and_then(|kv| kv.split_once('='))
                {
                    backend.env.push((k.to_string(), v.to_string()));
                }
            }
            let table = backend.env_var("FALLWERK_TABLE");
            let dlq = backend.env_var("FALLWERK_EXPORT_DLQ_URL");
            let parts = backend.aws.as_mut().expect("aws parts");
            parts.table = table;
            parts.export_dlq_url = dlq;
        }
        backend.apply_directory(&webhook.url);
        backend.start_server(port).await;
        Some(backend)
    }

    fn env_var(&self, name: &str) -> String {
        self.env
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| panic!("{name} not set (init-aws output)"))
    }

    fn command(&self) -> Command {
        let mut cmd = Command::new(crate::binary::fallwerk_binary());
        clean_env(&mut cmd);
        cmd.envs(self.env.iter().map(|(k, v)| (k, v)));
        cmd
    }

    /// Runs a `fallwerk` subcommand to completion; its stdout. Panics with stderr on failure.
    pub fn fallwerk(&self, args: &[&str]) -> String {
        let out = self
            .command()
            .args(args)
            .stdin(Stdio::null())
            .output()
            .expect("run fallwerk");
        assert!(
            out.status.success(),
            "fallwerk {} failed ({}):\n{}",
            args.join(" "),
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn backend_args(&self) -> Vec<String> {
        vec![
            "--backend".into(),
            self.kind.backend_flag().into(),
            "--data".into(),
            self.data.display().to_string(),
        ]
    }

    /// `fallwerk admin apply`: two org units offering the service, the service exporting to the
    /// webhook receiver, the portal client with a known secret, the caseworkers `sb1` (OE1) and
    /// `sb2` (OE2) the journey's tokens name.
    fn apply_directory(&self, webhook_url: &str) {
        let d = &self.directory;
        let yaml = format!(
            r#"services:
  - leika_id: "{LEIKA}"
    name: {SERVICE_NAME}
    rules:
      competence_check: 3WD
      completeness_check: 10WD
      applicant_reply: 2W
      processing: 10WD
      processing_starts: on_complete
      warning_lead: 2WD
      escalation_delay: 2WD
      retention: 24M
    required_documents: [Einkommensnachweis, Mietvertrag]
    export_target: {{kind: webhook, url: "{webhook_url}", secret_ref: {SECRET_REF}}}
org_units:
  - id: {OE1}
    name: Wohngeldstelle Nord
    notification_email: {oe1}
    state: MV
    services: ["{LEIKA}"]
  - id: {OE2}
    name: Wohngeldstelle Süd
    notification_email: {oe2}
    state: MV
    services: ["{LEIKA}"]
portal_clients:
  - id: {PORTAL_CLIENT}
    name: E2E-Serviceportal
    secret: {secret}
    active: true
users:
  - id: sb1
    family_name: Eins
    given_name: Sachbearbeitung
    email: sb1@nord.example
    org_units: [{OE1}]
    roles: [caseworker]
  - id: sb2
    family_name: Zwei
    given_name: Sachbearbeitung
    email: sb2@sued.example
    org_units: [{OE2}]
    roles: [caseworker]
"#,
            oe1 = d.oe1_mail,
            oe2 = d.oe2_mail,
            secret = d.portal_secret,
        );
        let file = self.tmp.path().join("directory.yaml");
        std::fs::write(&file, yaml).expect("write directory.yaml");
        let mut args = vec!["admin".to_string(), "apply".to_string()];
        args.push(file.display().to_string());
        args.extend(self.backend_args());
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = self.fallwerk(&args);
        assert!(out.contains("applied portal client"), "admin apply: {out}");
    }

    /// Starts `fallwerk serve` on a free port and waits (up to 30 s) for `GET /health`.
    async fn start_server(&mut self, port: u16) {
        let log_path = self.tmp.path().join("serve.log");
        let log = std::fs::File::create(&log_path).expect("serve log");
        let mut cmd = self.command();
        cmd.arg("serve")
            .args(self.backend_args())
            .args(["--listen", &format!("127.0.0.1:{port}"), "--no-demo"])
            .stdin(Stdio::null())
            .stdout(Stdio::from(log.try_clone().expect("log")))
            .stderr(Stdio::from(log));
        let child = cmd.spawn().expect("start fallwerk serve");
        let mut server = ChildGuard::new(child, "fallwerk serve", &log_path);
        self.base_url = format!("http://127.0.0.1:{port}");
        let http = reqwest::Client::new();
        let started = Instant::now();
        loop {
            let ok = http
                .get(format!("{}/health", self.base_url))
                .timeout(Duration::from_secs(2))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success());
            if ok {
                break;
            }
            if let Some(status) = server.exited() {
                panic!(
                    "fallwerk serve exited ({status}) before answering:\n{}",
                    server.log_tail(40)
                );
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "fallwerk serve did not answer /health within 30 s:\n{}",
                server.log_tail(40)
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        eprintln!(
            "[e2e:{}] fallwerk serve --backend {} at {} (pid {}, healthy in {:.1} s, log {})",
            self.kind.name(),
            self.kind.backend_flag(),
            self.base_url,
            server.id(),
            started.elapsed().as_secs_f64(),
            log_path.display()
        );
        self.server = Some(server);
    }

    /// A caseworker token from `fallwerk token` (valid 30 days: the clock moves by weeks).
    pub fn caseworker(&self, user: &str, org_units: &[&str], roles: &[&str]) -> Caseworker {
        let mut args = vec![
            "token".to_string(),
            "--user".into(),
            user.into(),
            "--hours".into(),
            "720".into(),
            "--data".into(),
            self.data.display().to_string(),
        ];
        for ou in org_units {
            args.extend(["--org-unit".to_string(), ou.to_string()]);
        }
        for r in roles {
            args.extend(["--role".to_string(), r.to_string()]);
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let token = self.fallwerk(&args).trim().to_string();
        Caseworker::new(&self.base_url, user, token)
    }

    pub fn portal(&self) -> Portal {
        Portal::new(
            &self.base_url,
            PORTAL_CLIENT,
            &self.directory.portal_secret,
            self.clock.clone(),
        )
    }

    /// Moves the server's clock: it now runs `seconds` ahead of the real one.
    pub fn set_clock_offset(&self, seconds: i64) {
        let tmp = self.clock_file.with_extension("tmp");
        std::fs::write(&tmp, format!("{seconds}\n")).expect("write clock offset");
        std::fs::rename(&tmp, &self.clock_file).expect("replace clock file");
        self.clock.set_offset(seconds);
    }

    /// Moves the server's clock to `day` at 10:00 UTC (11:00 or 12:00 in Berlin, the same day).
    pub fn set_clock_to(&self, day: NaiveDate) {
        let at = Utc
            .from_utc_datetime(&day.and_hms_opt(10, 0, 0).expect("time"))
            .timestamp();
        self.set_clock_offset(at - Utc::now().timestamp());
    }

    /// The server's current day: the calendar day in Berlin, as the server counts it (between
    /// 22:00/23:00 UTC and midnight UTC it is already the next day there).
    pub fn today(&self) -> NaiveDate {
        fallwerk_core::deadline::berlin_date(self.clock.now())
    }

    /// The export dead letters: on AWS the messages in the export DLQ (read without consuming
    /// them), embedded the lines of `fallwerk queue dead-letters --queue export --json`.
    pub async fn export_dead_letters(&self) -> Option<Vec<Value>> {
        let Some(aws) = self.aws.as_ref() else {
            let data = self.data.display().to_string();
            let out = self.fallwerk(&[
                "queue",
                "dead-letters",
                "--queue",
                "export",
                "--data",
                &data,
                "--json",
            ]);
            return Some(
                out.lines()
                    .filter_map(|l| serde_json::from_str(l).ok())
                    .collect(),
            );
        };
        let out = aws
            .sqs
            .receive_message()
            .queue_url(&aws.export_dlq_url)
            .max_number_of_messages(10)
            .visibility_timeout(0)
            .wait_time_seconds(1)
            .send()
            .await
            .expect("receive from the export DLQ");
        Some(
            out.messages()
                .iter()
                .filter_map(|m| m.body())
                .map(|b| serde_json::from_str(b).unwrap_or(Value::String(b.to_string())))
                .collect(),
        )
    }

    /// Sets (or with `None` removes) an environment variable of later `fallwerk` runs.
    pub fn set_env(&mut self, name: &str, value: Option<&str>) {
        self.env.retain(|(k, _)| k != name);
        if let Some(v) = value {
            self.env.push((name.to_string(), v.to_string()));
        }
    }

    /// SIGKILLs `fallwerk serve` (a crash); its pid.
    pub fn kill_server(&mut self) -> u32 {
        let mut server = self.server.take().expect("a running server");
        let pid = server.id();
        server.kill();
        eprintln!(
            "[e2e:{}] KILLED fallwerk serve (pid {pid}) with SIGKILL",
            self.kind.name()
        );
        self.server = Some(server);
        pid
    }

    /// Waits (up to `limit`) until `fallwerk serve` ended by itself (e.g. an injected fault);
    /// its exit status as text.
    pub async fn wait_server_exit(&mut self, limit: Duration) -> Option<String> {
        let server = self.server.as_mut()?;
        let end = Instant::now() + limit;
        loop {
            if let Some(status) = server.exited() {
                return Some(status.to_string());
            }
            if Instant::now() >= end {
                return None;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Starts `fallwerk serve` again on the same data (after a kill), with the current
    /// environment; the previous log is kept as `serve.log.{n}`.
    pub async fn restart_server(&mut self) {
        if let Some(mut old) = self.server.take() {
            old.kill();
            let log = old.log_path().to_path_buf();
            let mut n = 1;
            while log.with_extension(format!("log.{n}")).exists() {
                n += 1;
            }
            let _ = std::fs::rename(&log, log.with_extension(format!("log.{n}")));
        }
        self.start_server(free_port()).await;
    }

    /// The whole log of the current or last `fallwerk serve` and of its predecessors.
    pub fn server_logs(&self) -> String {
        let log = self.tmp.path().join("serve.log");
        let mut out = String::new();
        let mut n = 1;
        while let Ok(text) = std::fs::read_to_string(log.with_extension(format!("log.{n}"))) {
            out.push_str(&text);
            n += 1;
        }
        out.push_str(&std::fs::read_to_string(&log).unwrap_or_default());
        out
    }

    /// The server's log so far (for failure messages).
    pub fn server_log_tail(&self, lines: usize) -> String {
        self.server
            .as_ref()
            .map(|s| s.log_tail(lines))
            .unwrap_or_default()
    }

    pub fn data_dir(&self) -> &Path {
        &self.data
    }

    /// Stops the server (SIGTERM, it drains running work) and removes the run's table.
    pub async fn finish(mut self) {
        if let Some(mut server) = self.server.take() {
            server.stop();
        }
        if let Some(aws) = &self.aws
            && !aws.table.is_empty()
        {
            let _ = aws.ddb.delete_table().table_name(&aws.table).send().await;
        }
    }
}

impl Drop for Backend {
    fn drop(&mut self) {
        if std::thread::panicking()
            && let Some(server) = &self.server
        {
            eprintln!(
                "[e2e:{}] --- last lines of the fallwerk serve log ---\n{}",
                self.kind.name(),
                server.log_tail(80)
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> impl Iterator<Item = (String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect::<Vec<_>>()
            .into_iter()
    }

    #[test]
    fn the_endpoint_comes_from_the_sdk_variables_only_when_asked() {
        let env = [
            ("AWS_ENDPOINT_URL", "http://127.0.0.1:4566"),
            ("AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:8001"),
            ("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:4567"),
            ("AWS_ENDPOINT_URL_SES", ""),
        ];
        assert_eq!(
            AwsEndpoint::parse(None, vars(&env)),
            Ok(AwsEndpoint::OwnMoto)
        );
        assert_eq!(
            AwsEndpoint::parse(Some("own-moto"), vars(&env)),
            Ok(AwsEndpoint::OwnMoto)
        );
        assert_eq!(
            AwsEndpoint::parse(Some("env"), vars(&env)),
            Ok(AwsEndpoint::FromEnv {
                endpoint: "http://127.0.0.1:4566".into(),
                // DynamoDB is configured on its own; an empty variable is no endpoint.
                per_service: vec![("AWS_ENDPOINT_URL_S3".into(), "http://127.0.0.1:4567".into())],
            })
        );
    }

    #[test]
    fn an_env_endpoint_without_aws_endpoint_url_or_an_unknown_mode_is_refused() {
        let err = AwsEndpoint::parse(Some("env"), vars(&[("AWS_ENDPOINT_URL", "")]))
            .expect_err("no endpoint");
        assert!(err.contains("AWS_ENDPOINT_URL is not set"), "{err}");
        let err = AwsEndpoint::parse(Some("localstack"), vars(&[])).expect_err("unknown mode");
        assert!(err.contains("expected `own-moto` or `env`"), "{err}");
    }
}
