//! Checks of the user directory: round trip (the password hash included), overwrite with
//! changed memberships, and the per-org-unit member list.

use std::sync::Arc;

use chrono::NaiveDate;
use fallwerk_core::case::Role;
use fallwerk_core::model::{Absence, PasswordHash, User};
use fallwerk_core::ports::Store;

use super::ok;

fn user(id: &str, org_units: &[&str]) -> User {
    User {
        id: id.into(),
        family_name: format!("Familie-{id}"),
        given_name: "Maria".into(),
        email: format!("{id}@schwerin.example.de"),
        org_units: org_units.iter().map(|s| s.to_string()).collect(),
        roles: vec![Role::Caseworker],
        active: true,
        absence: None,
        password_hash: None,
    }
}

fn ids(users: Vec<User>) -> Vec<String> {
    users.into_iter().map(|u| u.id).collect()
}

/// put/get/list round trips; an overwrite replaces the record and its memberships; lists are
/// ordered by id; the member list of an org unit holds exactly its members.
pub async fn users_round_trip<S: Store + 'static>(store: Arc<S>) {
    assert_eq!(ok(store.user("nobody").await, "get unknown"), None);
    assert!(ok(store.users(None).await, "empty list").is_empty());

    let mut a = user("mmuster", &["OE-SN-WOHNGELD", "OE-SN-BAU"]);
    a.roles = vec![Role::Caseworker, Role::Supervisor];
    a.password_hash = Some(PasswordHash(
        "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
    ));
    a.absence = Some(Absence {
        from: NaiveDate::from_ymd_opt(2026, 3, 2).expect("date"),
        until: NaiveDate::from_ymd_opt(2026, 3, 13).expect("date"),
        substitute: "kvertretung".into(),
    });
    let b = user("kvertretung", &["OE-SN-WOHNGELD"]);
    let c = user("Ä-not-ascii-but-stored", &[]);
    for u in [&a, &b, &c] {
        ok(store.put_user(u).await, "put");
    }
    assert_eq!(ok(store.user("mmuster").await, "get a"), Some(a.clone()));
    assert_eq!(
        ok(store.user("kvertretung").await, "get b"),
        Some(b.clone())
    );
    assert_eq!(
        ids(ok(store.users(None).await, "list all")),
        vec!["kvertretung", "mmuster", "Ä-not-ascii-but-stored"]
    );
    assert_eq!(
        ids(ok(store.users(Some("OE-SN-WOHNGELD")).await, "members")),
        vec!["kvertretung", "mmuster"]
    );
    assert_eq!(
        ids(ok(store.users(Some("OE-SN-BAU")).await, "members")),
        vec!["mmuster"]
    );
    assert!(ok(store.users(Some("OE-NONE")).await, "no members").is_empty());
    // A prefix of an org unit id is not membership.
    assert!(ok(store.users(Some("OE-SN")).await, "prefix").is_empty());

    // Overwrite: leaves one org unit, joins another, is deactivated, loses the password.
    let mut a2 = a.clone();
    a2.org_units = vec!["OE-SN-BAU".into(), "OE-HRO-BAU".into()];
    a2.active = false;
    a2.password_hash = None;
    a2.absence = None;
    ok(store.put_user(&a2).await, "overwrite a");
    assert_eq!(ok(store.user("mmuster").await, "get a2"), Some(a2.clone()));
    assert_eq!(
        ids(ok(
            store.users(Some("OE-SN-WOHNGELD")).await,
            "members after"
        )),
        vec!["kvertretung"]
    );
    assert_eq!(
        ids(ok(store.users(Some("OE-HRO-BAU")).await, "new members")),
        vec!["mmuster"]
    );
    let all = ok(store.users(None).await, "list after");
    assert_eq!(all.len(), 3);
    assert_eq!(all.iter().find(|u| u.id == "mmuster"), Some(&a2));
}
