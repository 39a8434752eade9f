//! `fallwerk admin apply FILE.yaml`: creates or updates org units, services, portal clients and
//! users from one YAML document, through the same validated use cases as the admin API;
//! `fallwerk admin backfill-inbox` writes missing inbox entries of old cases.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use fallwerk_core::app::{App, SystemClock};
use fallwerk_core::case::{Caller, Role};
use fallwerk_core::model::{User, UserInput};
#[cfg(feature = "aws")]
use fallwerk_runtime::Aws;
use fallwerk_runtime::{Embedded, Settings};

use crate::cmd::serve::Backend;

#[derive(clap::Subcommand, Debug)]
pub enum Command {
    /// Apply a YAML file with `org_units`, `services`, `portal_clients` and `users`.
    Apply(ApplyArgs),
    /// Write the inbox entries of cases (and, on DynamoDB, the org unit membership items of
    /// users) stored before those indexes existed (idempotent, safe beside live traffic). The
    /// embedded store does this itself when it opens.
    BackfillInbox(BackfillArgs),
}

#[derive(clap::Args, Debug)]
pub struct BackfillArgs {
    /// The data directory of the embedded backend.
    #[arg(long, default_value = "fallwerk-data", env = "FALLWERK_DATA")]
    pub data: PathBuf,
    /// Which backend (aws: the `FALLWERK_TABLE` from the SDK environment).
    #[arg(long, value_enum, default_value = "embedded", env = "FALLWERK_BACKEND")]
    pub backend: crate::cmd::serve::Backend,
}

#[derive(clap::Args, Debug)]
pub struct ApplyArgs {
    /// The YAML file.
    pub file: PathBuf,
    /// The data directory of the embedded backend.
    #[arg(long, default_value = "fallwerk-data", env = "FALLWERK_DATA")]
    pub data: PathBuf,
    /// Which backend to write to (aws: the `FALLWERK_TABLE` from the SDK environment).
    #[arg(long, value_enum, default_value = "embedded", env = "FALLWERK_BACKEND")]
    pub backend: crate::cmd::serve::Backend,
}

/// The document `admin apply` reads (in the core, so the fuzz targets parse the same type).
pub use fallwerk_core::model::DirectoryDocument as Directory;

#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    #[error("cannot read {path}: {reason}")]
    Read { path: String, reason: String },
    #[error("{path}: {reason}")]
    Parse { path: String, reason: String },
    #[error("{what}: {source}")]
    Apply {
        what: String,
        source: fallwerk_core::app::AppError,
    },
    #[error(transparent)]
    Wiring(#[from] fallwerk_runtime::WiringError),
    #[cfg(feature = "aws")]
    #[error("inbox backfill failed: {0}")]
    Backfill(String),
}

pub fn parse(path: &Path) -> Result<Directory, AdminError> {
    let text = std::fs::read_to_string(path).map_err(|e| AdminError::Read {
        path: path.display().to_string(),
        reason: e.to_string(),
    })?;
    serde_norway::from_str(&text).map_err(|e| AdminError::Parse {
        path: path.display().to_string(),
        reason: e.to_string(),
    })
}

/// Applies services first, then org units, then clients, then users (first without their
/// absences, so substitutes may come in any order); returns what was applied.
pub async fn apply(app: &App, directory: Directory) -> Result<Vec<String>, AdminError> {
    let admin = Caller::caseworker("fallwerk-admin-cli", &[], &[Role::Admin]);
    let mut done = Vec::new();
    for s in directory.services {
        let what = format!("service {}", s.leika_id);
        app.put_service(&admin, s)
            .await
            .map_err(|source| AdminError::Apply {
                what: what.clone(),
                source,
            })?;
        done.push(what);
    }
    for o in directory.org_units {
        let what = format!("org unit {}", o.id);
        app.put_org_unit(&admin, o)
            .await
            .map_err(|source| AdminError::Apply {
                what: what.clone(),
                source,
            })?;
        done.push(what);
    }
    for c in directory.portal_clients {
        let what = format!("portal client {}", c.id);
        app.put_portal_client(&admin, c)
            .await
            .map_err(|source| AdminError::Apply {
                what: what.clone(),
                source,
            })?;
        done.push(what);
    }
    let with_absence: Vec<UserInput> = directory
        .users
        .iter()
        .filter(|u| u.absence.is_some())
        .cloned()
        .collect();
    for u in directory.users {
        let what = format!("user {}", u.id);
        let mut user = User::from(u);
        user.absence = None;
        app.save_user(user)
            .await
            .map_err(|source| AdminError::Apply {
                what: what.clone(),
                source,
            })?;
        done.push(what);
    }
    for u in with_absence {
        let what = format!("absence of user {}", u.id);
        app.save_user(User::from(u))
            .await
            .map_err(|source| AdminError::Apply { what, source })?;
    }
    Ok(done)
}

pub async fn run(command: &Command) -> Result<(), AdminError> {
    match command {
        Command::Apply(args) => {
            let directory = parse(&args.file)?;
            let settings = Settings::from_env().map_err(fallwerk_runtime::WiringError::from)?;
            let app = match args.backend {
                Backend::Embedded => {
                    Embedded::open(&args.data, settings, Arc::new(SystemClock))?.app
                }
                #[cfg(feature = "aws")]
                Backend::Aws => Aws::from_env(settings, Arc::new(SystemClock)).await?.app,
                #[cfg(not(feature = "aws"))]
                Backend::Aws => return Err(fallwerk_runtime::WiringError::AwsNotBuilt.into()),
            };
            for line in apply(&app, directory).await? {
                println!("applied {line}");
            }
            Ok(())
        }
        Command::BackfillInbox(args) => {
            let settings = Settings::from_env().map_err(fallwerk_runtime::WiringError::from)?;
            match args.backend {
                Backend::Embedded => {
                    // Opening the store fills the inbox index of existing cases (migration 0004).
                    Embedded::open(&args.data, settings, Arc::new(SystemClock))?;
                    println!("inbox index of {} is complete", args.data.display());
                }
                #[cfg(not(feature = "aws"))]
                Backend::Aws => return Err(fallwerk_runtime::WiringError::AwsNotBuilt.into()),
                #[cfg(feature = "aws")]
                Backend::Aws => {
                    let aws = Aws::from_env(settings, Arc::new(SystemClock)).await?;
                    let report = aws
                        .store
                        .backfill_inbox()
                        .await
                        .map_err(|e| AdminError::Backfill(e.to_string()))?;
                    println!(
                        "{} cases read: {} got their inbox entries now, {} had them already",
                        report.cases, report.backfilled, report.present
                    );
                    let (users, memberships) = aws
                        .store
                        .backfill_memberships()
                        .await
                        .map_err(|e| AdminError::Backfill(e.to_string()))?;
                    println!("{users} users read: {memberships} org unit memberships written now");
                }
            }
            Ok(())
        }
    }
}
