//! What the caseworkers' workplace needs besides the API's use cases: the choices its forms
//! offer (forward targets) for a case the caller may see.

use super::{App, AppError};
use crate::case::Caller;
use crate::model::{OrgUnit, Service};

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
}
