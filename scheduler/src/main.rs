//! `fallwerk-scheduler`: the deadline scheduler as a cron daemon, a one-shot tick (`--once`) or
//! a Lambda function for an EventBridge schedule rule (`--lambda`, or automatically when
//! `AWS_LAMBDA_RUNTIME_API` is set). All three run `fallwerk_scheduler::tick_once`; see
//! `--help` for every option and environment variable.

mod cli;

use std::process::ExitCode;
use std::sync::Arc;

use aws_lambda_events::eventbridge::EventBridgeEvent;
use clap::Parser;
use fallwerk_core::app::{App, SystemClock, TickOptions};
use fallwerk_runtime::{Aws, Embedded, Settings};
use fallwerk_scheduler::{Cron, run_daemon, tick_once};
use lambda_runtime::{LambdaEvent, service_fn};
use tokio::sync::watch;
use tracing::Instrument;

use cli::{Args, Backend, LogFormat, Mode};

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    init_logging(args.log_format);
    let mode = args.mode(std::env::var_os("AWS_LAMBDA_RUNTIME_API").is_some());
    match run(&args, mode).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %e, "scheduler failed");
            ExitCode::FAILURE
        }
    }
}

/// The CLI's choice as the runtime's log format (one logging set-up for every process).
fn init_logging(format: LogFormat) {
    fallwerk_runtime::init_logging(match format {
        LogFormat::Json => fallwerk_runtime::LogFormat::Json,
        LogFormat::Text => fallwerk_runtime::LogFormat::Text,
    });
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

async fn run(args: &Args, mode: Mode) -> Result<(), BoxError> {
    let options = TickOptions {
        holder: args.holder_id(),
        lease_seconds: args.lease_seconds,
        concurrency: usize::from(args.concurrency),
        outbox_stuck_after: chrono::Duration::seconds(i64::from(args.outbox_stuck_seconds)),
        ..TickOptions::default()
    };
    // Parse the schedule before opening anything: a typo fails fast.
    let cron = match mode {
        Mode::Daemon => Some(Cron::parse(&args.cron)?),
        _ => None,
    };
    let app = open_backend(args, mode).await?;
    match (mode, cron) {
        (Mode::Once, _) => {
            tick_once(&app, &options).await?;
            Ok(())
        }
        (Mode::Daemon, Some(cron)) => {
            tracing::info!(cron = %args.cron, holder = %options.holder, "scheduler daemon started");
            daemon(&app, &cron, &options).await
        }
        (Mode::Daemon, None) => Err("no schedule".into()),
        (Mode::Lambda, _) => lambda(&app, &options).await,
    }
}

async fn open_backend(args: &Args, mode: Mode) -> Result<App, BoxError> {
    let settings = Settings::from_env()?;
    let clock = Arc::new(SystemClock);
    Ok(match args.backend_for(mode) {
        Backend::Embedded => {
            let data = args
                .data
                .as_deref()
                .ok_or("the embedded backend needs --data DIR (or FALLWERK_DATA)")?;
            Embedded::open(data, settings, clock)?.app
        }
        Backend::Aws => {
            let aws = Aws::from_env(settings, clock).await?;
            aws.warm_up().await;
            aws.app
        }
    })
}

async fn daemon(app: &App, cron: &Cron, options: &TickOptions) -> Result<(), BoxError> {
    let (stop_tx, stop_rx) = watch::channel(false);
    tokio::spawn(async move {
        let signal = shutdown_signal().await;
        tracing::info!(signal, "shutting down after the running tick");
        let _ = stop_tx.send(true);
    });
    let ticks = run_daemon(app, cron, options, stop_rx).await?;
    tracing::info!(ticks, "scheduler daemon stopped");
    Ok(())
}

/// Resolves on SIGTERM or SIGINT with the signal's name.
async fn shutdown_signal() -> &'static str {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match (
            signal(SignalKind::terminate()),
            signal(SignalKind::interrupt()),
        ) {
            (Ok(mut term), Ok(mut int)) => tokio::select! {
                _ = term.recv() => "SIGTERM",
                _ = int.recv() => "SIGINT",
            },
            _ => {
                let _ = tokio::signal::ctrl_c().await;
                "SIGINT"
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
        "SIGINT"
    }
}

/// One tick per invocation. The payload is normally an EventBridge scheduled event (logged by
/// id and time); anything else (a manual test invocation) also ticks.
async fn lambda(app: &App, options: &TickOptions) -> Result<(), BoxError> {
    lambda_runtime::run(service_fn(
        move |event: LambdaEvent<serde_json::Value>| async move {
            let (event_id, event_time) = match serde_json::from_value::<
                EventBridgeEvent<serde_json::Value>,
            >(event.payload)
            {
                Ok(e) => (
                    e.id.unwrap_or_default(),
                    e.time.map(|t| t.to_rfc3339()).unwrap_or_default(),
                ),
                Err(_) => (String::new(), String::new()),
            };
            let span = tracing::info_span!(
                "lambda",
                request_id = %event.context.request_id,
                event_id,
                event_time,
            );
            let report = tick_once(app, options).instrument(span).await?;
            Ok::<_, lambda_runtime::Error>(serde_json::to_value(report)?)
        },
    ))
    .await
}
