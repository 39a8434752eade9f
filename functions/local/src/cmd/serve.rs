//! `fallwerk serve`: the whole system in one process on embedded storage — HTTP (portal,
//! caseworkers, admin), the queue consumers and the deadline scheduler.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use fallwerk_core::app::{Clock, SystemClock, TickOptions};
#[cfg(feature = "aws")]
use fallwerk_runtime::Aws;
use fallwerk_runtime::demo::{DemoCredentials, FirstAdmin, ensure_demo, ensure_first_admin};
use fallwerk_runtime::{Embedded, Settings};
use fallwerk_scheduler::{Cron, DEFAULT_CRON, run_daemon};
use tokio::sync::watch;

/// Where fallwerk keeps its data.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// SQLite and files in `--data` (the default).
    Embedded,
    /// DynamoDB, S3, SQS and SES from the SDK environment and `FALLWERK_TABLE`, `FALLWERK_BUCKET`,
    /// `FALLWERK_MESSAGING_QUEUE_URL`, `FALLWERK_EXPORT_QUEUE_URL` (see `fallwerk init-aws`);
    /// only in a build with the feature `aws` (`cargo build --release -p fallwerk --features aws`).
    Aws,
}

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Storage and queues: embedded or aws.
    #[arg(long, value_enum, default_value = "embedded", env = "FALLWERK_BACKEND")]
    pub backend: Backend,
    /// Data directory: database, documents, e-mail outbox, export packages.
    #[arg(long, default_value = "fallwerk-data", env = "FALLWERK_DATA")]
    pub data: PathBuf,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080", env = "FALLWERK_LISTEN")]
    pub listen: SocketAddr,
    /// Do not create the demo configuration on first start (embedded backend).
    #[arg(long)]
    pub no_demo: bool,
    /// Test only: a file holding a clock offset in seconds, re-read on every use, so end-to-end
    /// tests can move this process forward in time.
    #[arg(long, hide = true, env = "FALLWERK_CLOCK_FILE")]
    pub clock_file: Option<PathBuf>,
    /// Seconds a client may take to send a request's headers, counted from the connection's
    /// start or the previous response (so idle and half-open connections end, too).
    #[arg(long, default_value_t = 10, env = "FALLWERK_HEADER_TIMEOUT_SECONDS",
          value_parser = clap::value_parser!(u64).range(1..=300))]
    pub header_timeout: u64,
    /// Seconds a client may take to send a request's body.
    #[arg(long, default_value_t = 60, env = "FALLWERK_BODY_TIMEOUT_SECONDS",
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub body_timeout: u64,
    /// Seconds after which an outbox entry that was never handed to the queue (the process died
    /// between the commit and the send) is sent again by the scheduler. Consumers recognise a
    /// message they handled, so a second send is harmless; the wait only avoids racing the
    /// normal hand-over.
    #[arg(long, default_value_t = 300, env = "FALLWERK_OUTBOX_STUCK_SECONDS",
          value_parser = clap::value_parser!(u32).range(1..=86400))]
    pub outbox_stuck_seconds: u32,
    /// Scheduler cron expression (UTC, seconds first).
    #[arg(long, default_value = DEFAULT_CRON, env = "FALLWERK_SCHEDULER_CRON")]
    pub cron: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(transparent)]
    Wiring(#[from] fallwerk_runtime::WiringError),
    #[error(transparent)]
    Scheduler(#[from] fallwerk_scheduler::SchedulerError),
    #[error("cannot listen on {addr}: {reason}")]
    Listen { addr: SocketAddr, reason: String },
    #[error("server failed: {0}")]
    Server(String),
}

pub async fn run(args: &Args) -> Result<(), ServeError> {
    let settings = Settings::from_env().map_err(fallwerk_runtime::WiringError::from)?;
    let clock: Arc<dyn Clock> = match &args.clock_file {
        Some(path) => {
            tracing::warn!(path = %path.display(), "test clock: time is shifted by the file's offset");
            Arc::new(fallwerk_runtime::clock::OffsetFileClock::new(path))
        }
        None => Arc::new(SystemClock),
    };
    let cron = Cron::parse(&args.cron)?;
    let (stop_tx, stop_rx) = watch::channel(false);
    let (app, router, consumers) = match args.backend {
        Backend::Embedded => {
            let embedded = Embedded::open(&args.data, settings, clock)?;
            // Before the demo: the demo's caseworker would make the directory non-empty.
            if let Some(first) = ensure_first_admin(&embedded).await? {
                print_first_admin(&first, args);
            }
            if !args.no_demo
                && let Some(demo) = ensure_demo(&embedded).await?
            {
                print_demo(&embedded, &demo, args);
            }
            // With FALLWERK_OIDC_ISSUER the login page also offers the authority's provider.
            let state = fallwerk_runtime::oidc::with_oidc_from_vars(
                embedded.api_state(),
                |n| std::env::var(n).ok(),
                &embedded.settings,
                embedded.app.clock.now().timestamp(),
            )
            .await
            .map_err(fallwerk_runtime::WiringError::from)?;
            let consumers = crate::consumers::spawn_embedded(&embedded, stop_rx.clone())?;
            (
                embedded.app.clone(),
                fallwerk_api::app_router(state),
                consumers,
            )
        }
        #[cfg(not(feature = "aws"))]
        Backend::Aws => return Err(fallwerk_runtime::WiringError::AwsNotBuilt.into()),
        #[cfg(feature = "aws")]
        Backend::Aws => {
            let aws = Aws::from_env(settings, clock).await?;
            aws.warm_up().await;
            let consumers = crate::consumers::spawn_aws(&aws, stop_rx.clone())?;
            (
                aws.app.clone(),
                fallwerk_api::app_router(aws.api_state().await?),
                consumers,
            )
        }
    };

    let scheduler = {
        let rx = stop_rx.clone();
        let outbox_stuck_after = chrono::Duration::seconds(i64::from(args.outbox_stuck_seconds));
        tokio::spawn(async move {
            let options = TickOptions {
                // Without the pid: a `fallwerk serve` restarted after a crash on this host takes
                // its own lease over at once instead of waiting out the dead process's lease
                // (and with it the resend of outbox entries the crash left behind). Two serve
                // processes on one host and one store would both tick; that stays correct, as
                // exactly-once rests on the case write, not on the lease.
                holder: format!("serve@{}", fallwerk_scheduler::host_name()),
                outbox_stuck_after,
                ..TickOptions::default()
            };
            run_daemon(&app, &cron, &options, rx).await
        })
    };
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .map_err(|e| ServeError::Listen {
            addr: args.listen,
            reason: e.to_string(),
        })?;
    tracing::info!(listen = %args.listen, backend = ?args.backend, "fallwerk serves");
    let router = fallwerk_api::listener_edge(router);
    let timeouts = crate::listener::Timeouts {
        header: std::time::Duration::from_secs(args.header_timeout),
        body: std::time::Duration::from_secs(args.body_timeout),
    };
    let server = crate::listener::serve(listener, router, timeouts, stop_rx.clone());
    let signals = tokio::spawn(async move {
        shutdown_signal().await;
        tracing::info!("shutting down: finishing running work");
        let _ = stop_tx.send(true);
    });
    let served = server.await.map_err(|e| ServeError::Server(e.to_string()));
    signals.abort();
    if let Ok(Err(e)) = scheduler.await {
        tracing::error!(error = %e, "scheduler stopped with an error");
    }
    consumers.join().await;
    served
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}

/// How the user runs this very build again: a hint for a debug binary must not send them into
/// a second, release build of the whole workspace, nor the other way round.
const RUN_AGAIN: &str = if cfg!(debug_assertions) {
    "cargo run -q -p fallwerk --"
} else {
    "cargo run -q --release -p fallwerk --"
};

/// Shown once: the password is stored only as an argon2id hash.
fn print_first_admin(first: &FirstAdmin, args: &Args) {
    println!(
        "\nfallwerk: erstes Administrationskonto angelegt (das Passwort wird nur jetzt angezeigt)\n\
         \x20 Anmeldung: http://{listen}/login\n\
         \x20 Benutzer: {user}\n\
         \x20 Passwort: {password}\n\
         Ein Token für die API:\n\
         \x20 {RUN_AGAIN} token --data {data} --user {user}\n\
         Weitere Konten: unter Verwaltung im Browser, mit `fallwerk user add …` oder PUT /v1/admin/users/{{id}}\n",
        listen = args.listen,
        user = first.user,
        password = first.password,
        data = args.data.display(),
    );
}

fn print_demo(embedded: &Embedded, demo: &DemoCredentials, args: &Args) {
    let data = args.data.display();
    println!(
        "\nfallwerk: Demo-Konfiguration angelegt in {data}\n\
         \x20 Organisationseinheit: {ou}\n\
         \x20 Verwaltungsleistung:  {leika}\n\
         \x20 Portal-Client:        {client}\n\
         \x20 Portal-Secret:        {secret}\n\
         \x20 E-Mails:              {outbox}\n\
         \x20 Exporte:              {exports}\n\
         Sachbearbeitung (Konto sb1): Token für die API bzw. ein Passwort für die Anmeldung:\n\
         \x20 {RUN_AGAIN} token --data {data} --user sb1\n\
         \x20 {RUN_AGAIN} user set-password sb1 --data {data} --generate\n",
        ou = demo.org_unit_id,
        leika = demo.leika_id,
        client = demo.portal_client_id,
        secret = demo.portal_secret,
        outbox = embedded.outbox_dir().display(),
        exports = embedded.exports_dir().display(),
    );
}
