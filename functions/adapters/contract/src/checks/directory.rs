//! Checks of the directory: org units, services and portal clients.

use std::sync::Arc;

use fallwerk_core::model::{DeadlineRules, OrgUnit, PortalClient, Service};
use fallwerk_core::ports::Store;
use fallwerk_events::ExportTarget;

use super::ok;
use crate::fixtures::LEIKA_WOHNGELD;

fn org_unit(id: &str, name: &str) -> OrgUnit {
    OrgUnit {
        id: id.into(),
        name: name.into(),
        notification_email: format!("{}@schwerin.example.de", id.to_lowercase()),
        state: Default::default(),
        municipality: None,
        services: vec![LEIKA_WOHNGELD.into(), "99050012104000".into()],
    }
}

fn service(leika_id: &str, name: &str) -> Service {
    Service {
        leika_id: leika_id.into(),
        name: name.into(),
        rules: DeadlineRules::default(),
        required_documents: vec!["Mietvertrag".into(), "Einkommensnachweis".into()],
        export_target: Some(ExportTarget::Directory {
            path: "/var/lib/fallwerk/export".into(),
        }),
    }
}

fn client(id: &str, active: bool) -> PortalClient {
    PortalClient {
        id: id.into(),
        name: format!("Portal {id}"),
        secret: format!("geheim-{id}"),
        active,
        // Both values round-trip: the inactive client is also the one still allowed v1.
        allow_signature_v1: !active,
        applicant_fields: None,
    }
}

fn by<T: Clone, K: Ord>(mut v: Vec<T>, key: impl Fn(&T) -> K) -> Vec<T> {
    v.sort_by_key(|x| key(x));
    v
}

/// put/get/list round trips; a second put with the same id overwrites.
pub async fn directory_round_trip<S: Store + 'static>(store: Arc<S>) {
    let (a, b) = (
        org_unit("OE-SN-WOHNGELD", "Wohngeldstelle Schwerin"),
        org_unit("OE-HRO-BAU", "Bauamt Rostock"),
    );
    ok(store.put_org_unit(&a).await, "put a");
    ok(store.put_org_unit(&b).await, "put b");
    assert_eq!(ok(store.org_unit(&a.id).await, "get a"), Some(a.clone()));
    assert_eq!(ok(store.org_unit("OE-NONE").await, "get unknown"), None);
    let mut a2 = a.clone();
    a2.name = "Wohngeldbehörde Schwerin".into();
    a2.services.pop();
    ok(store.put_org_unit(&a2).await, "overwrite a");
    assert_eq!(
        ok(store.org_unit(&a.id).await, "get a again"),
        Some(a2.clone())
    );
    assert_eq!(
        by(ok(store.org_units().await, "list"), |o| o.id.clone()),
        by(vec![a2, b], |o| o.id.clone())
    );

    let (s1, s2) = (
        service(LEIKA_WOHNGELD, "Wohngeld"),
        service("99050012104000", "Baugenehmigung"),
    );
    ok(store.put_service(&s1).await, "put s1");
    ok(store.put_service(&s2).await, "put s2");
    let mut s1b = s1.clone();
    s1b.export_target = None;
    ok(store.put_service(&s1b).await, "overwrite s1");
    assert_eq!(
        ok(store.service(LEIKA_WOHNGELD).await, "get s1"),
        Some(s1b.clone())
    );
    assert_eq!(ok(store.service("0").await, "get unknown"), None);
    assert_eq!(
        by(ok(store.services().await, "list"), |s| s.leika_id.clone()),
        by(vec![s1b, s2], |s| s.leika_id.clone())
    );

    let (c1, c2) = (
        client("mv-serviceportal", true),
        client("formsolutions", true),
    );
    ok(store.put_portal_client(&c1).await, "put c1");
    ok(store.put_portal_client(&c2).await, "put c2");
    let c2b = client("formsolutions", false);
    ok(store.put_portal_client(&c2b).await, "overwrite c2");
    assert_eq!(
        ok(store.portal_client("formsolutions").await, "get c2"),
        Some(c2b.clone())
    );
    assert_eq!(ok(store.portal_client("nobody").await, "get unknown"), None);
    assert_eq!(
        by(ok(store.portal_clients().await, "list"), |c| c.id.clone()),
        by(vec![c1, c2b], |c| c.id.clone())
    );
}
