//! `fallwerk token`: mints a caseworker token signed with the data directory's local secret.

use std::path::PathBuf;
use std::sync::Arc;

use fallwerk_api::{Claims, mint_token};
use fallwerk_core::app::{Clock, SystemClock};
use fallwerk_runtime::{Embedded, Settings};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The data directory of `fallwerk serve` (its `jwt-secret` signs the token). With
    /// `FALLWERK_JWT_HS256_SECRET` set (AWS backend in development) that secret signs instead.
    #[arg(long, default_value = "fallwerk-data", env = "FALLWERK_DATA")]
    pub data: PathBuf,
    /// Account id (`sub`).
    #[arg(long)]
    pub user: String,
    /// Display name (`name`); defaults to the account id.
    #[arg(long)]
    pub name: Option<String>,
    #[arg(long)]
    pub email: Option<String>,
    /// Org unit membership; repeatable.
    #[arg(long = "org-unit")]
    pub org_units: Vec<String>,
    /// caseworker, supervisor or admin; repeatable.
    #[arg(long = "role", default_value = "caseworker")]
    pub roles: Vec<String>,
    /// Validity in hours.
    #[arg(long, default_value_t = 12)]
    pub hours: i64,
}

#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("unknown role `{0}` (caseworker, supervisor or admin)")]
    Role(String),
    #[error("--hours must be between 1 and 720")]
    Hours,
    #[error(transparent)]
    Wiring(#[from] fallwerk_runtime::WiringError),
    #[error("cannot sign the token: {0}")]
    Sign(String),
}

pub fn claims(args: &Args, now: i64) -> Result<Claims, TokenError> {
    for r in &args.roles {
        if fallwerk_core::case::Role::parse(r).is_none() {
            return Err(TokenError::Role(r.clone()));
        }
    }
    if !(1..=720).contains(&args.hours) {
        return Err(TokenError::Hours);
    }
    Ok(Claims {
        sub: args.user.clone(),
        name: args.name.clone().unwrap_or_else(|| args.user.clone()),
        email: args.email.clone(),
        given_name: None,
        family_name: None,
        org_units: args.org_units.clone(),
        roles: args.roles.clone(),
        exp: now + args.hours * 3600,
        nbf: Some(now),
        iat: Some(now),
        iss: None,
        aud: None,
    })
}

pub fn run(args: &Args) -> Result<(), TokenError> {
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let now = clock.now().timestamp();
    let claims = claims(args, now)?;
    let secret = match std::env::var("FALLWERK_JWT_HS256_SECRET") {
        Ok(s) if !s.is_empty() => s,
        _ => Embedded::open(&args.data, Settings::default(), clock)?
            .jwt_secret()
            .to_string(),
    };
    let token = mint_token(&secret, &claims).map_err(|e| TokenError::Sign(e.to_string()))?;
    println!("{token}");
    Ok(())
}
