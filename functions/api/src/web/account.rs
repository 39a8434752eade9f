//! Who is signed in: the account from the user directory, re-read on every request, and the
//! local password check of the embedded mode.

use fallwerk_core::app::{App, AppError};
use fallwerk_core::case::{Caller, Role};

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

/// The active account `uid`; `None` when unknown or deactivated.
pub async fn load(_app: &App, _uid: &str) -> Result<Option<SignedIn>, AppError> {
    // Filled in with the user directory (issue 14, branch people).
    Ok(None)
}

/// Checks a local login (argon2id); the account id on success. Unknown users and wrong
/// passwords are indistinguishable to the caller.
pub async fn authenticate(
    _app: &App,
    _login: &str,
    _password: &str,
) -> Result<Option<String>, AppError> {
    Ok(None)
}
