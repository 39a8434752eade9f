//! What the caseworkers' workplace needs besides the API's use cases: the choices its forms
//! offer (forward targets, assignees) for a case the caller may see, and the account behind a
//! session.

use super::{App, AppError};
use crate::case::Caller;
use crate::model::{OrgUnit, Service, User};

impl App {
    /// The org units a visible case can be forwarded to: every other org unit offering the
    /// case's service, by name.
    pub async fn forward_targets(
        &self,
        caller: &Caller,
        case_id: &str,
    ) -> Result<Vec<OrgUnit>, AppError> {
        let case = self.visible_case(caller, case_id).await?;
        let mut units: Vec<OrgUnit> = self
            .store
            .org_units()
            .await?
            .into_iter()
            .filter(|ou| ou.id != case.org_unit_id && ou.services.contains(&case.leika_id))
            .collect();
        units.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(units)
    }

    /// The service of a visible case (its name and required documents for the case page).
    pub async fn case_service(&self, caller: &Caller, case_id: &str) -> Result<Service, AppError> {
        let case = self.visible_case(caller, case_id).await?;
        self.service_of(&case).await
    }

    /// The people a visible case can be assigned to: the active members of its org unit, by
    /// family name.
    pub async fn assign_candidates(
        &self,
        caller: &Caller,
        case_id: &str,
    ) -> Result<Vec<User>, AppError> {
        let case = self.visible_case(caller, case_id).await?;
        let mut users: Vec<User> = self
            .store
            .users(Some(&case.org_unit_id))
            .await?
            .into_iter()
            .filter(|u| u.active)
            .collect();
        users.sort_by(|a, b| (&a.family_name, &a.given_name).cmp(&(&b.family_name, &b.given_name)));
        Ok(users)
    }

    /// The org unit of a visible case (its name for the case page).
    pub async fn case_org_unit(
        &self,
        caller: &Caller,
        case_id: &str,
    ) -> Result<Option<OrgUnit>, AppError> {
        let case = self.visible_case(caller, case_id).await?;
        Ok(self.store.org_unit(&case.org_unit_id).await?)
    }

    /// How the pages name people: "Family, Given" for each of `ids` the user directory knows
    /// (deactivated accounts too: their names still identify what they did). Unknown ids are
    /// left out; the page shows the id then. Each distinct id is read once.
    pub async fn people_names(
        &self,
        ids: impl IntoIterator<Item = &str>,
    ) -> Result<std::collections::HashMap<String, String>, AppError> {
        let wanted: std::collections::BTreeSet<&str> = ids.into_iter().collect();
        let mut names = std::collections::HashMap::new();
        for id in wanted {
            if let Some(u) = self.store.user(id).await? {
                names.insert(
                    id.to_string(),
                    format!("{}, {}", u.family_name, u.given_name),
                );
            }
        }
        Ok(names)
    }

    /// The account of a session: the user if it exists and is active (read on every request,
    /// so a deactivated user is signed out at once).
    pub async fn session_user(&self, account_id: &str) -> Result<Option<User>, AppError> {
        Ok(self.store.user(account_id).await?.filter(|u| u.active))
    }
}
