//! The user directory's use cases: maintaining users (role admin), turning a verified token into
//! a caller (unknown or inactive users are refused; optionally created from the token's claims)
//! and the check that an assignee is an active member of the case's org unit.

use super::{App, AppError, require_admin, validate_directory_id};
use crate::case::{Caller, Role};
use crate::model::{Case, User, UserView, validate_email};
use fallwerk_events::Actor;

/// What a verified token says about its holder (the claims `sub`, `name`, `email`,
/// `org_units`, `roles`; roles as the token spells them).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TokenIdentity {
    pub sub: String,
    pub name: String,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub email: Option<String>,
    pub org_units: Vec<String>,
    pub roles: Vec<String>,
}

/// Where a token's caller gets its org units and roles from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UserSource {
    /// The directory is the truth: the token names the account, the directory record gives
    /// org units and roles; unknown or inactive accounts are refused.
    #[default]
    Directory,
    /// The identity provider is the truth (`FALLWERK_USERS_FROM_TOKEN=1`): an unknown account
    /// is created from the claims and a known one follows them; an account an admin
    /// deactivated stays refused.
    Token,
}

fn not_blank(field: &str, value: &str) -> Result<(), AppError> {
    if value.trim().is_empty() || value.len() > 200 || value.chars().any(char::is_control) {
        Err(AppError::invalid(
            field,
            "must be 1 to 200 characters without control characters",
        ))
    } else {
        Ok(())
    }
}

/// "Maria Muster" → ("Maria", "Muster"); one word is the family name.
fn split_name(name: &str) -> (String, String) {
    match name.trim().rsplit_once(' ') {
        Some((given, family)) => (given.trim().to_string(), family.to_string()),
        None => (String::new(), name.trim().to_string()),
    }
}

impl App {
    /// Checks a user record: id, names, e-mail, existing org units, a substitute that exists.
    async fn validate_user(&self, user: &User) -> Result<(), AppError> {
        validate_directory_id("id", &user.id)?;
        not_blank("family_name", &user.family_name)?;
        if !user.given_name.is_empty() {
            not_blank("given_name", &user.given_name)?;
        }
        validate_email(&user.email).map_err(|e| AppError::invalid("email", e.to_string()))?;
        for ou in &user.org_units {
            validate_directory_id("org_units", ou)?;
            if self.store.org_unit(ou).await?.is_none() {
                return Err(AppError::invalid(
                    "org_units",
                    format!("unknown org unit `{ou}`"),
                ));
            }
        }
        if let Some(a) = &user.absence {
            if a.until < a.from {
                return Err(AppError::invalid("absence", "`until` is before `from`"));
            }
            if a.substitute == user.id {
                return Err(AppError::invalid(
                    "absence.substitute",
                    "a user cannot substitute themselves",
                ));
            }
            if self.store.user(&a.substitute).await?.is_none() {
                return Err(AppError::invalid(
                    "absence.substitute",
                    format!("unknown user `{}`", a.substitute),
                ));
            }
        }
        Ok(())
    }

    /// Creates or replaces a user (role admin). A password hash, if any, is kept unless the
    /// new record brings one: the admin API never sees hashes.
    pub async fn put_user(&self, caller: &Caller, user: User) -> Result<UserView, AppError> {
        require_admin(caller)?;
        self.save_user(user).await.map(|u| u.view())
    }

    /// [`App::put_user`] without the caller check: for the operator's CLI and the first start.
    pub async fn save_user(&self, mut user: User) -> Result<User, AppError> {
        self.validate_user(&user).await?;
        if user.password_hash.is_none()
            && let Some(old) = self.store.user(&user.id).await?
        {
            user.password_hash = old.password_hash;
        }
        self.store.put_user(&user).await?;
        self.forget_cached_user(&user.id);
        Ok(user)
    }

    fn forget_cached_user(&self, id: &str) {
        if let Some(cache) = &self.user_cache {
            cache.forget(id);
        }
    }

    pub async fn get_user(&self, caller: &Caller, id: &str) -> Result<UserView, AppError> {
        require_admin(caller)?;
        match self.store.user(id).await? {
            Some(u) => Ok(u.view()),
            None => Err(AppError::NotFound(format!("user {id}"))),
        }
    }

    /// All users, or the members of one org unit. Admins see any; a caseworker or supervisor
    /// may list the members of their own org units (the "assign" choice).
    pub async fn list_users(
        &self,
        caller: &Caller,
        org_unit: Option<&str>,
    ) -> Result<Vec<UserView>, AppError> {
        let own_unit = org_unit.is_some_and(|ou| caller.member_of(ou))
            && (caller.has(Role::Caseworker) || caller.has(Role::Supervisor));
        if !own_unit {
            require_admin(caller)?;
        }
        let users = self.store.users(org_unit).await?;
        Ok(users.iter().map(User::view).collect())
    }

    /// Sets `active = false` (role admin); the user's tokens are refused from now on.
    pub async fn deactivate_user(&self, caller: &Caller, id: &str) -> Result<UserView, AppError> {
        require_admin(caller)?;
        self.set_user_active(id, false).await.map(|u| u.view())
    }

    /// [`App::deactivate_user`] and its reverse without the caller check (operator CLI).
    pub async fn set_user_active(&self, id: &str, active: bool) -> Result<User, AppError> {
        let Some(mut user) = self.store.user(id).await? else {
            return Err(AppError::NotFound(format!("user {id}")));
        };
        user.active = active;
        self.store.put_user(&user).await?;
        self.forget_cached_user(id);
        Ok(user)
    }

    /// The caller a verified token stands for, or `None` (→ 401) when its account is unknown
    /// or inactive.
    pub async fn caller_for_token(
        &self,
        token: &TokenIdentity,
        source: UserSource,
    ) -> Result<Option<Caller>, AppError> {
        let now = self.clock.now();
        let cache = self
            .user_cache
            .as_ref()
            .filter(|_| source == UserSource::Directory);
        let known = match cache.and_then(|c| c.get(&token.sub, now)) {
            Some(u) => Some(u),
            None => {
                let read = self.store.user(&token.sub).await?;
                match (cache, &read) {
                    (Some(c), Some(u)) => c.put(u, now),
                    (Some(c), None) => c.forget(&token.sub),
                    (None, _) => {}
                }
                read
            }
        };
        let user = match (known, source) {
            (Some(u), _) if !u.active => return Ok(None),
            (Some(u), UserSource::Directory) => u,
            (None, UserSource::Directory) => return Ok(None),
            (known, UserSource::Token) => {
                let user = self.user_from_token(token, known.as_ref())?;
                if known.as_ref() != Some(&user) {
                    self.store.put_user(&user).await?;
                    self.forget_cached_user(&user.id);
                }
                user
            }
        };
        Ok(Some(Caller {
            actor: Actor::Caseworker(user.id.clone()),
            roles: user.roles.clone(),
            org_units: user.org_units.clone(),
        }))
    }

    /// The record a token's claims describe (identity provider as the source of truth); the
    /// absence and the password hash of a known record are kept.
    fn user_from_token(
        &self,
        token: &TokenIdentity,
        known: Option<&User>,
    ) -> Result<User, AppError> {
        validate_directory_id("sub", &token.sub)?;
        let (given, family) = match (&token.given_name, &token.family_name) {
            (Some(g), Some(f)) => (g.clone(), f.clone()),
            _ => split_name(&token.name),
        };
        let email = token.email.clone().unwrap_or_default();
        validate_email(&email).map_err(|e| AppError::invalid("email", e.to_string()))?;
        let mut roles: Vec<Role> = token.roles.iter().filter_map(|r| Role::parse(r)).collect();
        roles.dedup();
        Ok(User {
            id: token.sub.clone(),
            family_name: if family.is_empty() {
                token.sub.clone()
            } else {
                family
            },
            given_name: given,
            email,
            org_units: token.org_units.clone(),
            roles,
            active: true,
            absence: known.and_then(|u| u.absence.clone()),
            password_hash: known.and_then(|u| u.password_hash.clone()),
        })
    }

    /// An assignee must be an active user who is a member of the case's org unit.
    pub(crate) async fn check_assignee(&self, case: &Case, user_id: &str) -> Result<(), AppError> {
        match self.store.user(user_id).await? {
            Some(u) if u.active && u.member_of(&case.org_unit_id) => Ok(()),
            Some(u) if !u.active => Err(AppError::UnknownUser(format!(
                "user `{user_id}` is deactivated"
            ))),
            Some(_) => Err(AppError::UnknownUser(format!(
                "user `{user_id}` is not a member of org unit `{}`",
                case.org_unit_id
            ))),
            None => Err(AppError::UnknownUser(format!("unknown user `{user_id}`"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::split_name;

    #[test]
    fn names_split_at_the_last_space() {
        assert_eq!(
            split_name("Maria Anna Muster"),
            ("Maria Anna".into(), "Muster".into())
        );
        assert_eq!(split_name("Muster"), (String::new(), "Muster".into()));
    }
}
