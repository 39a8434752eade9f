//! The demo configuration a first `fallwerk serve` creates, so one command gives a working
//! system: one org unit, one service exporting to a directory, one portal client.

use fallwerk_core::case::{Caller, Role};
use fallwerk_core::model::{DeadlineRules, OrgUnit, PortalClient, Service};
use fallwerk_events::ExportTarget;

use crate::{Embedded, WiringError, random_secret};

pub const DEMO_ORG_UNIT: &str = "demo-buergeramt";
pub const DEMO_SERVICE: &str = "99050012104000";
pub const DEMO_CLIENT: &str = "demo-portal";

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
        },
    )
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
