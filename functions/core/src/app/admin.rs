//! Maintaining org units, services and portal clients (role admin).

use super::{App, AppError, limits, require_admin};
use crate::case::Caller;
use crate::model::{OrgUnit, PortalClient, Service};

/// Ids end up in keys and URLs: a conservative alphabet keeps them safe everywhere.
pub fn validate_directory_id(field: &str, id: &str) -> Result<(), AppError> {
    let ok = !id.is_empty()
        && id.len() <= 64
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(())
    } else {
        Err(AppError::invalid(
            field,
            "use 1 to 64 characters of A–Z, a–z, 0–9, '-', '_' or '.'",
        ))
    }
}

impl App {
    pub async fn put_org_unit(
        &self,
        caller: &Caller,
        mut ou: OrgUnit,
    ) -> Result<OrgUnit, AppError> {
        require_admin(caller)?;
        validate_directory_id("id", &ou.id)?;
        if ou.name.trim().is_empty() {
            return Err(AppError::invalid("name", "must not be empty"));
        }
        ou.notification_email = crate::model::EmailAddress::parse(&ou.notification_email)
            .map_err(|e| AppError::invalid("notification_email", e.to_string()))?
            .into_string();
        limits::check_org_unit(&ou)?;
        for s in &ou.services {
            validate_directory_id("services", s)?;
        }
        if let Some(m) = ou.municipality
            && m.state() != ou.state
        {
            return Err(AppError::invalid(
                "municipality",
                format!(
                    "Gemeindeschlüssel {m} liegt in {}, die Organisationseinheit in {}",
                    m.state().name_de(),
                    ou.state.name_de()
                ),
            ));
        }
        self.store.put_org_unit(&ou).await?;
        Ok(ou)
    }

    pub async fn put_service(
        &self,
        caller: &Caller,
        service: Service,
    ) -> Result<Service, AppError> {
        require_admin(caller)?;
        validate_directory_id("leika_id", &service.leika_id)?;
        if service.name.trim().is_empty() {
            return Err(AppError::invalid("name", "must not be empty"));
        }
        limits::check_service(&service)?;
        if let Some(target) = &service.export_target {
            super::targets::check_export_target(&self.config, target)?;
        }
        self.store.put_service(&service).await?;
        Ok(service)
    }

    pub async fn put_portal_client(
        &self,
        caller: &Caller,
        client: PortalClient,
    ) -> Result<PortalClient, AppError> {
        require_admin(caller)?;
        validate_directory_id("id", &client.id)?;
        if client.secret.len() < 32 {
            return Err(AppError::invalid(
                "secret",
                "must be at least 32 characters",
            ));
        }
        limits::check_portal_client(&client)?;
        self.store.put_portal_client(&client).await?;
        Ok(client)
    }

    pub async fn list_org_units(&self, caller: &Caller) -> Result<Vec<OrgUnit>, AppError> {
        require_admin(caller)?;
        Ok(self.store.org_units().await?)
    }

    pub async fn list_services(&self, caller: &Caller) -> Result<Vec<Service>, AppError> {
        require_admin(caller)?;
        Ok(self.store.services().await?)
    }

    /// Portal clients without their secrets.
    pub async fn list_portal_clients(
        &self,
        caller: &Caller,
    ) -> Result<Vec<PortalClient>, AppError> {
        require_admin(caller)?;
        let mut clients = self.store.portal_clients().await?;
        for c in clients.iter_mut() {
            c.secret = String::from("***");
        }
        Ok(clients)
    }
}
