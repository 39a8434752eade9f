//! The demo configuration a first `fallwerk serve` creates, so one command gives a working
//! system: one org unit, one service exporting to a directory, one portal client, the demo
//! caseworker `sb1`; and the first admin account `admin` with a random password, created on
//! any first start whose user directory is empty.

use fallwerk_core::case::{Caller, Role};
use fallwerk_core::model::{DeadlineRules, OrgUnit, PortalClient, Service, User};
use fallwerk_events::ExportTarget;

use crate::{Embedded, WiringError, random_secret};

pub const DEMO_ORG_UNIT: &str = "demo-buergeramt";
pub const DEMO_SERVICE: &str = "99050012104000";
pub const DEMO_CLIENT: &str = "demo-portal";
/// The demo caseworker of [`DEMO_ORG_UNIT`] (the README's walk works as this account).
pub const DEMO_CASEWORKER: &str = "sb1";
/// The first admin account.
pub const FIRST_ADMIN: &str = "admin";

/// The first admin's login, shown once; only the hash is stored.
#[derive(Clone)]
pub struct FirstAdmin {
    pub user: String,
    pub password: String,
}

impl std::fmt::Debug for FirstAdmin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FirstAdmin")
            .field("user", &self.user)
            .finish_non_exhaustive()
    }
}

/// Creates the account `admin` (role admin) with a random password when the user directory is
/// empty, and returns its login once. `None` when any user exists.
pub async fn ensure_first_admin(embedded: &Embedded) -> Result<Option<FirstAdmin>, WiringError> {
    use fallwerk_api::auth::password::{hash_password, random_password};
    use fallwerk_core::ports::UserStore;
    if !embedded.store.users(None).await?.is_empty() {
        return Ok(None);
    }
    let password = random_password();
    let hash = hash_password(&password).map_err(|e| WiringError::Worker(e.to_string()))?;
    embedded
        .app
        .save_user(User {
            id: FIRST_ADMIN.into(),
            family_name: "Administration".into(),
            given_name: "fallwerk".into(),
            email: "admin@fallwerk.invalid".into(),
            org_units: Vec::new(),
            roles: vec![Role::Admin],
            active: true,
            absence: None,
            password_hash: Some(hash),
        })
        .await?;
    Ok(Some(FirstAdmin {
        user: FIRST_ADMIN.into(),
        password,
    }))
}

/// What the operator needs to try the demo.
#[derive(Debug, Clone)]
pub struct DemoCredentials {
    pub org_unit_id: String,
    pub leika_id: String,
    pub portal_client_id: String,
    pub portal_secret: String,
}

/// Creates the demo configuration unless any org unit exists already.
pub async fn ensure_demo(embedded: &Embedded) -> Result<Option<DemoCredentials>, WiringError> {
    if !embedded.store_is_empty().await? {
        return Ok(None);
    }
    let admin = Caller::caseworker("fallwerk-setup", &[], &[Role::Admin]);
    let app = &embedded.app;
    app.put_service(
        &admin,
        Service {
            leika_id: DEMO_SERVICE.into(),
            name: "Wohngeld (Demo)".into(),
            rules: DeadlineRules::default(),
            required_documents: vec!["Einkommensnachweis".into(), "Mietvertrag".into()],
            export_target: Some(ExportTarget::Directory {
                path: embedded.exports_dir().display().to_string(),
            }),
        },
    )
    .await?;
    app.put_org_unit(
        &admin,
        OrgUnit {
            id: DEMO_ORG_UNIT.into(),
            name: "Bürgeramt (Demo)".into(),
            notification_email: "buergeramt@demo.fallwerk.invalid".into(),
            state: Default::default(),
            services: vec![DEMO_SERVICE.into()],
            municipality: None,
        },
    )
    .await?;
    let secret = random_secret();
    app.put_portal_client(
        &admin,
        PortalClient {
            id: DEMO_CLIENT.into(),
            name: "Demo-Serviceportal".into(),
            secret: secret.clone(),
            active: true,
            allow_signature_v1: false,
            applicant_fields: None,
        },
    )
    .await?;
    app.save_user(User {
        id: DEMO_CASEWORKER.into(),
        family_name: "Sachbearbeitung".into(),
        given_name: "Demo".into(),
        email: "sb1@demo.fallwerk.invalid".into(),
        org_units: vec![DEMO_ORG_UNIT.into()],
        roles: vec![Role::Caseworker],
        active: true,
        absence: None,
        password_hash: None,
    })
    .await?;
    Ok(Some(DemoCredentials {
        org_unit_id: DEMO_ORG_UNIT.into(),
        leika_id: DEMO_SERVICE.into(),
        portal_client_id: DEMO_CLIENT.into(),
        portal_secret: secret,
    }))
}

impl Embedded {
    async fn store_is_empty(&self) -> Result<bool, WiringError> {
        use fallwerk_core::ports::DirectoryStore;
        Ok(self.store.org_units().await?.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fallwerk_api::auth::password::verify_password;
    use fallwerk_core::ports::UserStore;

    #[tokio::test]
    async fn the_first_start_creates_an_admin_with_a_random_password_and_stores_only_its_hash() {
        let dir = tempfile::tempdir().expect("tempdir");
        let embedded = Embedded::open(
            dir.path(),
            crate::Settings::default(),
            std::sync::Arc::new(fallwerk_core::app::SystemClock),
        )
        .expect("open");
        let first = ensure_first_admin(&embedded)
            .await
            .expect("first admin")
            .expect("created on an empty directory");
        assert_eq!(first.user, FIRST_ADMIN);
        assert!(!format!("{first:?}").contains(&first.password));
        let stored = embedded
            .store
            .user(FIRST_ADMIN)
            .await
            .expect("read")
            .expect("stored");
        assert_eq!(stored.roles, vec![Role::Admin]);
        let hash = stored.password_hash.clone().expect("hash");
        assert!(!hash.0.contains(&first.password));
        assert!(verify_password(Some(&hash), &first.password));
        assert!(
            ensure_first_admin(&embedded)
                .await
                .expect("again")
                .is_none(),
            "only the first start creates one"
        );
        ensure_demo(&embedded)
            .await
            .expect("demo")
            .expect("created");
        let sb1 = embedded
            .store
            .user(DEMO_CASEWORKER)
            .await
            .expect("read")
            .expect("demo caseworker");
        assert!(sb1.active && sb1.member_of(DEMO_ORG_UNIT));
    }
}
