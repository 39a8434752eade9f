//! `fallwerk user add|list|deactivate|set-password`: the operator's user directory tools,
//! writing straight to the backend's store (embedded data directory, or `--backend aws`).
//! Passwords are read from standard input (never from the command line, where `ps` shows
//! them) or generated and printed once; only the argon2id hash is stored.

use std::io::BufRead;
use std::path::PathBuf;
use std::sync::Arc;

use fallwerk_api::auth::password::{hash_password, random_password};
use fallwerk_core::app::{App, AppError, SystemClock};
use fallwerk_core::case::Role;
use fallwerk_core::model::User;
#[cfg(feature = "aws")]
use fallwerk_runtime::Aws;
use fallwerk_runtime::{Embedded, Settings};

use crate::cmd::serve::Backend;

#[derive(clap::Args, Debug, Clone)]
pub struct Where {
    /// The data directory of the embedded backend.
    #[arg(long, default_value = "fallwerk-data", env = "FALLWERK_DATA")]
    pub data: PathBuf,
    /// Which backend to write to (aws: the `FALLWERK_TABLE` from the SDK environment).
    #[arg(long, value_enum, default_value = "embedded", env = "FALLWERK_BACKEND")]
    pub backend: Backend,
}

#[derive(clap::Subcommand, Debug)]
pub enum Command {
    /// Create or replace a user.
    Add(AddArgs),
    /// List users (one line each, tab-separated), optionally of one org unit.
    List {
        #[arg(long = "org-unit")]
        org_unit: Option<String>,
        #[command(flatten)]
        at: Where,
    },
    /// Deactivate a user: their tokens are refused (401) from now on.
    Deactivate {
        id: String,
        #[command(flatten)]
        at: Where,
    },
    /// Set a local account's password: read from standard input, or generated and printed.
    SetPassword {
        id: String,
        /// Generate a random password and print it once.
        #[arg(long)]
        generate: bool,
        #[command(flatten)]
        at: Where,
    },
}

#[derive(clap::Args, Debug)]
pub struct AddArgs {
    /// Account id: the token's `sub`, or the local login name.
    pub id: String,
    #[arg(long)]
    pub family_name: String,
    #[arg(long, default_value = "")]
    pub given_name: String,
    #[arg(long)]
    pub email: String,
    /// Org unit membership; repeatable.
    #[arg(long = "org-unit")]
    pub org_units: Vec<String>,
    /// caseworker, supervisor or admin; repeatable.
    #[arg(long = "role", default_value = "caseworker")]
    pub roles: Vec<String>,
    #[command(flatten)]
    pub at: Where,
}

#[derive(Debug, thiserror::Error)]
pub enum UserError {
    #[error("unknown role `{0}` (caseworker, supervisor or admin)")]
    Role(String),
    #[error(transparent)]
    App(#[from] AppError),
    #[error(transparent)]
    Wiring(#[from] fallwerk_runtime::WiringError),
    #[error("{0}")]
    Password(#[from] fallwerk_api::auth::password::PasswordError),
    #[error("cannot read the password from standard input: {0}")]
    Stdin(String),
}

async fn open(at: &Where) -> Result<App, UserError> {
    let settings = Settings::from_env().map_err(fallwerk_runtime::WiringError::from)?;
    Ok(match at.backend {
        Backend::Embedded => Embedded::open(&at.data, settings, Arc::new(SystemClock))?.app,
        #[cfg(feature = "aws")]
        Backend::Aws => Aws::from_env(settings, Arc::new(SystemClock)).await?.app,
        #[cfg(not(feature = "aws"))]
        Backend::Aws => return Err(fallwerk_runtime::WiringError::AwsNotBuilt.into()),
    })
}

fn line(u: &User) -> String {
    let roles: Vec<&str> = u
        .roles
        .iter()
        .map(|r| match r {
            Role::Caseworker => "caseworker",
            Role::Supervisor => "supervisor",
            Role::Admin => "admin",
        })
        .collect();
    format!(
        "{}\t{}\t{}\t{}\t{}\t{}",
        u.id,
        u.display_name().trim(),
        u.email,
        u.org_units.join(","),
        roles.join(","),
        if u.active { "active" } else { "inactive" }
    )
}

pub async fn run(command: &Command) -> Result<(), UserError> {
    match command {
        Command::Add(a) => {
            let roles = a
                .roles
                .iter()
                .map(|r| Role::parse(r).ok_or_else(|| UserError::Role(r.clone())))
                .collect::<Result<Vec<_>, _>>()?;
            let app = open(&a.at).await?;
            let user = app
                .save_user(User {
                    id: a.id.clone(),
                    family_name: a.family_name.clone(),
                    given_name: a.given_name.clone(),
                    email: a.email.clone(),
                    org_units: a.org_units.clone(),
                    roles,
                    active: true,
                    absence: None,
                    password_hash: None,
                })
                .await?;
            println!("{}", line(&user));
        }
        Command::List { org_unit, at } => {
            let app = open(at).await?;
            for u in app
                .user_records(org_unit.as_deref())
                .await
                .map_err(AppError::from)?
            {
                println!("{}", line(&u));
            }
        }
        Command::Deactivate { id, at } => {
            let user = open(at).await?.set_user_active(id, false).await?;
            println!("{}", line(&user));
        }
        Command::SetPassword { id, generate, at } => {
            let password = if *generate {
                random_password()
            } else {
                let mut text = String::new();
                std::io::stdin()
                    .lock()
                    .read_line(&mut text)
                    .map_err(|e| UserError::Stdin(e.to_string()))?;
                text.trim_end_matches(['\r', '\n']).to_string()
            };
            let hash = hash_password(&password)?;
            let app = open(at).await?;
            let Some(mut user) = app.user_record(id).await.map_err(AppError::from)? else {
                return Err(AppError::NotFound(format!("user {id}")).into());
            };
            user.password_hash = Some(hash);
            app.save_user(user).await?;
            if *generate {
                println!("Benutzer: {id}\nPasswort: {password}");
            } else {
                println!("Passwort für {id} gesetzt.");
            }
        }
    }
    Ok(())
}
