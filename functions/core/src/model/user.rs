//! The user directory: a person's account (Nutzer:in) with name, e-mail, org units, roles, an
//! active flag and an optional absence with a substitute (Vertretung). Stored through
//! [`crate::ports::UserStore`]; the API shows [`UserView`], never the password hash.

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::case::Role;

/// A PHC string (argon2id) of a local account's password. Its `Debug` never shows the hash, so a
/// logged `User` leaks nothing.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(transparent)]
pub struct PasswordHash(pub String);

impl std::fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordHash(***)")
    }
}

/// Abwesenheit: from `from` to `until` (both inclusive, the authority's calendar days) the
/// user's personal notices go to `substitute` (an account id).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Absence {
    pub from: NaiveDate,
    pub until: NaiveDate,
    pub substitute: String,
}

impl Absence {
    pub fn covers(&self, day: NaiveDate) -> bool {
        self.from <= day && day <= self.until
    }
}

/// Nutzer:in: one personal (or, where the portal operator allows it, one shared) account.
/// The record as the stores keep it; [`UserView`] is what leaves the system.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct User {
    /// Account id: the token's `sub`, or the local login name.
    pub id: String,
    pub family_name: String,
    pub given_name: String,
    pub email: String,
    #[serde(default)]
    pub org_units: Vec<String>,
    #[serde(default)]
    pub roles: Vec<Role>,
    #[serde(default = "yes")]
    pub active: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub absence: Option<Absence>,
    /// Only local accounts of the embedded mode have one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_hash: Option<PasswordHash>,
}

fn yes() -> bool {
    true
}

impl User {
    pub fn member_of(&self, org_unit_id: &str) -> bool {
        self.org_units.iter().any(|o| o == org_unit_id)
    }

    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// The substitute's account id when an absence covers `day`.
    pub fn substitute_on(&self, day: NaiveDate) -> Option<&str> {
        self.absence
            .as_ref()
            .filter(|a| a.covers(day))
            .map(|a| a.substitute.as_str())
    }

    /// "Given Family", for greetings and lists.
    pub fn display_name(&self) -> String {
        format!("{} {}", self.given_name, self.family_name)
    }

    pub fn view(&self) -> UserView {
        UserView::from(self)
    }
}

/// A user as the API and the CLI show it: everything but the password hash.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct UserView {
    pub id: String,
    pub family_name: String,
    pub given_name: String,
    pub email: String,
    pub org_units: Vec<String>,
    pub roles: Vec<Role>,
    pub active: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub absence: Option<Absence>,
    /// Whether the account can log in locally with a password.
    pub has_password: bool,
}

impl From<&User> for UserView {
    fn from(u: &User) -> Self {
        UserView {
            id: u.id.clone(),
            family_name: u.family_name.clone(),
            given_name: u.given_name.clone(),
            email: u.email.clone(),
            org_units: u.org_units.clone(),
            roles: u.roles.clone(),
            active: u.active,
            absence: u.absence.clone(),
            has_password: u.password_hash.is_some(),
        }
    }
}

/// A user as an admin writes it (API body, `admin apply` YAML): no password hash, which only
/// the operator's CLI sets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UserInput {
    pub id: String,
    pub family_name: String,
    #[serde(default)]
    pub given_name: String,
    pub email: String,
    #[serde(default)]
    pub org_units: Vec<String>,
    #[serde(default)]
    pub roles: Vec<Role>,
    #[serde(default = "yes")]
    pub active: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub absence: Option<Absence>,
}

impl From<UserInput> for User {
    fn from(u: UserInput) -> Self {
        User {
            id: u.id,
            family_name: u.family_name,
            given_name: u.given_name,
            email: u.email,
            org_units: u.org_units,
            roles: u.roles,
            active: u.active,
            absence: u.absence,
            password_hash: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user() -> User {
        User {
            id: "mmuster".into(),
            family_name: "Muster".into(),
            given_name: "Maria".into(),
            email: "maria.muster@schwerin.example.de".into(),
            org_units: vec!["OE-SN-WOHNGELD".into()],
            roles: vec![Role::Caseworker],
            active: true,
            absence: None,
            password_hash: Some(PasswordHash("$argon2id$v=19$secret".into())),
        }
    }

    #[test]
    fn debug_and_view_never_show_the_hash() {
        let u = user();
        assert!(!format!("{u:?}").contains("secret"));
        let view = serde_json::to_string(&u.view()).expect("json");
        assert!(!view.contains("secret") && !view.contains("password_hash"));
        assert!(u.view().has_password);
    }

    #[test]
    fn stored_record_keeps_the_hash() {
        let u = user();
        let back: User =
            serde_json::from_str(&serde_json::to_string(&u).expect("json")).expect("parse");
        assert_eq!(back, u);
    }

    #[test]
    fn absence_is_inclusive() {
        let mut u = user();
        let d = |s: &str| s.parse::<NaiveDate>().expect("date");
        u.absence = Some(Absence {
            from: d("2026-03-02"),
            until: d("2026-03-06"),
            substitute: "kvertretung".into(),
        });
        assert_eq!(u.substitute_on(d("2026-03-01")), None);
        assert_eq!(u.substitute_on(d("2026-03-02")), Some("kvertretung"));
        assert_eq!(u.substitute_on(d("2026-03-06")), Some("kvertretung"));
        assert_eq!(u.substitute_on(d("2026-03-07")), None);
    }
}
