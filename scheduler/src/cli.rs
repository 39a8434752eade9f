//! Command line and environment of the `fallwerk-scheduler` binary.

use std::path::PathBuf;

use clap::{Parser, ValueEnum};
use fallwerk_scheduler::DEFAULT_CRON;

const AFTER_HELP: &str = "\
MODES:
  (default)   daemon: ticks on --cron until SIGTERM or SIGINT; a running tick is finished first.
  --once      one tick, then exit: 0 when the tick ran (also when another instance held the
              lease), 1 when it failed or the backend could not be opened.
  --lambda    Lambda function for an EventBridge schedule rule: each invocation runs one tick
              and returns its report as JSON. Chosen automatically when AWS_LAMBDA_RUNTIME_API
              is set (Lambda starts the binary without arguments) and --once is not given.

ENVIRONMENT:
  FALLWERK_BACKEND              embedded | aws (default: aws in Lambda mode, else embedded)
  FALLWERK_DATA                 data directory of the embedded backend
  FALLWERK_SCHEDULER_CRON       daemon schedule (default \"0 * * * * *\", 6 fields, UTC)
  FALLWERK_SCHEDULER_HOLDER     lease holder id (default <hostname>-<pid>)
  FALLWERK_SCHEDULER_LEASE_SECONDS  lease duration (default 300)
  FALLWERK_SCHEDULER_CONCURRENCY    cases handled at once in a tick (default 16)
  FALLWERK_OUTBOX_STUCK_SECONDS     outbox entries never queued are sent again after (default 300)
  FALLWERK_LOG_FORMAT           json | text (default json)
  RUST_LOG                      log filter (default info)
  AWS_LAMBDA_RUNTIME_API        set by Lambda; selects the Lambda mode
  aws backend: FALLWERK_TABLE, FALLWERK_BUCKET, FALLWERK_MESSAGING_QUEUE_URL,
               FALLWERK_EXPORT_QUEUE_URL and the AWS SDK's standard variables (AWS_REGION,
               AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_DYNAMODB, credentials, ...)
  both backends: FALLWERK_REFERENCE_PREFIX, FALLWERK_PORTAL_URL, FALLWERK_CASEWORKER_URL,
               FALLWERK_MAIL_FROM, FALLWERK_MAX_RECEIVES, FALLWERK_RETRY_BASE_SECONDS

EXAMPLES:
  fallwerk-scheduler --backend embedded --data ./fallwerk-data --once
  fallwerk-scheduler --backend aws --cron \"0 */5 * * * *\"";

/// fallwerk's deadline scheduler: takes the scheduler lease, sends owed deadline reminders,
/// marks overdue deadlines, re-sends stuck outbox entries and purges expired personal data.
#[derive(Debug, Parser)]
#[command(name = "fallwerk-scheduler", version, after_help = AFTER_HELP)]
pub struct Args {
    /// Run one tick and exit (exit code 0 on success, 1 on failure).
    #[arg(long, conflicts_with = "lambda")]
    pub once: bool,

    /// Run as a Lambda function (one tick per EventBridge scheduled event). Also selected by
    /// AWS_LAMBDA_RUNTIME_API in the environment.
    #[arg(long)]
    pub lambda: bool,

    /// Daemon schedule: cron expression with seconds first (6 or 7 fields), evaluated in UTC.
    #[arg(long, env = "FALLWERK_SCHEDULER_CRON", default_value = DEFAULT_CRON)]
    pub cron: String,

    /// Storage backend [default: aws in Lambda mode, else embedded].
    #[arg(long, value_enum, env = "FALLWERK_BACKEND")]
    pub backend: Option<Backend>,

    /// Data directory of the embedded backend (required with --backend embedded).
    #[arg(long, env = "FALLWERK_DATA")]
    pub data: Option<PathBuf>,

    /// Identifies this instance in the scheduler lease [default: <hostname>-<pid>].
    #[arg(long, env = "FALLWERK_SCHEDULER_HOLDER")]
    pub holder: Option<String>,

    /// How long the lease is held; a crashed holder's lease expires after this.
    #[arg(long, env = "FALLWERK_SCHEDULER_LEASE_SECONDS", default_value_t = 300)]
    pub lease_seconds: u32,

    /// How many cases a tick handles at the same time (their writes share commits on SQLite
    /// and overlap on DynamoDB).
    #[arg(long, env = "FALLWERK_SCHEDULER_CONCURRENCY", default_value_t = 16,
          value_parser = clap::value_parser!(u16).range(1..=256))]
    pub concurrency: u16,

    /// Seconds after which an outbox entry that was never handed to the queue (the process died
    /// between the commit and the send) is sent again by the scheduler. Consumers recognise a
    /// message they handled, so a second send is harmless; the wait only avoids racing the
    /// normal hand-over.
    #[arg(long, env = "FALLWERK_OUTBOX_STUCK_SECONDS", default_value_t = 300,
          value_parser = clap::value_parser!(u32).range(1..=86400))]
    pub outbox_stuck_seconds: u32,

    /// Log format: one JSON object per line, or human-readable text.
    #[arg(long, value_enum, env = "FALLWERK_LOG_FORMAT", default_value = "json")]
    pub log_format: LogFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Backend {
    /// SQLite, files and the .eml outbox in --data.
    Embedded,
    /// DynamoDB, S3, SQS, SES from FALLWERK_* and the AWS SDK environment.
    Aws,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Json,
    Text,
}

/// How the process runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Daemon,
    Once,
    Lambda,
}

impl Args {
    /// `--lambda`, or `AWS_LAMBDA_RUNTIME_API` set without `--once`; else `--once` or daemon.
    pub fn mode(&self, runtime_api_set: bool) -> Mode {
        if self.lambda || (runtime_api_set && !self.once) {
            Mode::Lambda
        } else if self.once {
            Mode::Once
        } else {
            Mode::Daemon
        }
    }

    pub fn backend_for(&self, mode: Mode) -> Backend {
        self.backend.unwrap_or(if mode == Mode::Lambda {
            Backend::Aws
        } else {
            Backend::Embedded
        })
    }

    pub fn holder_id(&self) -> String {
        self.holder.clone().unwrap_or_else(default_holder)
    }
}

/// `<hostname>-<pid>`.
pub fn default_holder() -> String {
    format!("{}-{}", fallwerk_scheduler::host_name(), std::process::id())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Args {
        Args::try_parse_from(std::iter::once("fallwerk-scheduler").chain(args.iter().copied()))
            .expect("valid arguments")
    }

    #[test]
    fn modes_and_backends() {
        let a = parse(&[]);
        assert_eq!(a.mode(false), Mode::Daemon);
        assert_eq!(a.mode(true), Mode::Lambda);
        assert_eq!(a.backend_for(Mode::Lambda), Backend::Aws);
        assert_eq!(a.backend_for(Mode::Daemon), Backend::Embedded);
        let a = parse(&["--once", "--backend", "aws"]);
        assert_eq!(a.mode(true), Mode::Once);
        assert_eq!(a.backend_for(Mode::Once), Backend::Aws);
        assert!(
            Args::try_parse_from(["fallwerk-scheduler", "--once", "--lambda"]).is_err(),
            "--once and --lambda exclude each other"
        );
    }

    #[test]
    fn holder_defaults_to_host_and_pid() {
        let h = parse(&[]).holder_id();
        assert!(h.ends_with(&format!("-{}", std::process::id())), "{h}");
        assert_eq!(parse(&["--holder", "node-a"]).holder_id(), "node-a");
    }
}
