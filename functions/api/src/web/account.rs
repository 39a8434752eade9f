//! Who is signed in: the account from the user directory, re-read on every request, and the
//! local password check of the embedded mode (argon2id, `auth::password`).

use fallwerk_core::app::{App, AppError};
use fallwerk_core::case::{Caller, Role};
use fallwerk_core::model::User;
use fallwerk_events::Actor;

use crate::auth::password::verify_password;

/// A signed-in, active user as the pages need them.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub account_id: String,
    /// "Given Family", for the page header.
    pub display_name: String,
    pub caller: Caller,
}

impl SignedIn {
    pub fn is_admin(&self) -> bool {
        self.caller.has(Role::Admin)
    }
}

impl From<User> for SignedIn {
    fn from(u: User) -> Self {
        SignedIn {
            display_name: u.display_name(),
            caller: Caller {
                actor: Actor::Caseworker(u.id.clone()),
                roles: u.roles,
                org_units: u.org_units,
            },
            account_id: u.id,
        }
    }
}

/// The active account `uid`; `None` when unknown or deactivated.
pub async fn load(app: &App, uid: &str) -> Result<Option<SignedIn>, AppError> {
    Ok(app.session_user(uid).await?.map(SignedIn::from))
}

/// Checks a local login; the account id on success. Unknown users, deactivated users, accounts
/// without a password and wrong passwords are all the same `None` and take the same time (the
/// argon2 check runs against a dummy hash when there is no real one).
pub async fn authenticate(
    app: &App,
    login: &str,
    password: &str,
) -> Result<Option<String>, AppError> {
    let user = app.session_user(login).await?;
    let hash = user.as_ref().and_then(|u| u.password_hash.clone());
    let password = password.to_string();
    let ok = tokio::task::spawn_blocking(move || verify_password(hash.as_ref(), &password))
        .await
        .unwrap_or(false);
    Ok(user.filter(|_| ok).map(|u| u.id))
}
