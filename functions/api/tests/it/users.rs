//! The user directory over HTTP: the admin API with each rejection (non-admin 403, unknown org
//! unit 422, bad e-mail 422, unknown user 404), answers without password hashes, and `assign`
//! accepting only active members of the case's org unit (unknown-user 422).

use crate::common;
use axum::http::StatusCode;
use serde_json::{Value, json};

use common::{Harness, OE1, OE2, assert_unprocessable, each, submit};
use fallwerk_core::model::PasswordHash;

fn maria() -> Value {
    json!({
        "id": "mmuster",
        "family_name": "Muster",
        "given_name": "Maria",
        "email": "maria.muster@schwerin.example.de",
        "org_units": [OE1],
        "roles": ["caseworker"],
    })
}

/// `PUT /v1/admin/users/{id}` with `body`.
async fn put(h: &Harness, token: &str, id: &str, body: Value) -> common::Res {
    h.put(&format!("/v1/admin/users/{id}"), token, body).await
}

/// The admin reads of users: the list, the user `id`, the members of OE2.
fn user_reads(id: &str) -> [String; 3] {
    [
        "/v1/admin/users".to_string(),
        format!("/v1/admin/users/{id}"),
        "/v1/admin/users?org_unit=oe-2".to_string(),
    ]
}

/// `POST /v1/admin/users/{id}/deactivate`.
async fn deactivate(h: &Harness, token: &str, id: &str) -> common::Res {
    h.post_empty(&format!("/v1/admin/users/{id}/deactivate"), token)
        .await
}

#[tokio::test]
async fn admins_maintain_users_and_answers_never_show_a_hash() {
    let (h, admin) = Harness::with_admin().await;
    let res = put(&h, &admin, "mmuster", maria()).await;
    assert_eq!(res.status, StatusCode::OK, "{:?}", res.json());
    assert_eq!(res.json()["active"], true);
    assert_eq!(res.json()["has_password"], false);

    // A local password set by the operator survives an admin's PUT and never shows.
    let mut stored = h.stored_user("mmuster").await;
    stored.password_hash = Some(PasswordHash(
        "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaA".into(),
    ));
    h.store.put_user(&stored).await.expect("put");
    let mut changed = maria();
    changed["org_units"] = json!([OE1, OE2]);
    let res = put(&h, &admin, "mmuster", changed).await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.json()["has_password"], true);
    for uri in user_reads("mmuster") {
        let res = h.get(&uri, &admin).await;
        assert_eq!(res.status, StatusCode::OK, "{uri}");
        let text = String::from_utf8_lossy(&res.bytes).to_string();
        assert!(text.contains("mmuster"), "{uri}: {text}");
        assert!(
            !text.contains("argon2") && !text.contains("password_hash"),
            "{uri}: {text}"
        );
    }
    let kept = h.stored_user("mmuster").await;
    assert!(kept.password_hash.is_some());

    // Members of one org unit.
    let res = h.get("/v1/admin/users?org_unit=oe-3", &admin).await;
    assert_eq!(res.json(), json!([]));

    // A hash cannot be written through the API.
    let mut with_hash = maria();
    with_hash["password_hash"] = json!("$argon2id$v=19$x");
    let res = put(&h, &admin, "mmuster", with_hash).await;
    assert_eq!(
        res.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{:?}",
        res.json()
    );

    // Deactivate.
    let res = deactivate(&h, &admin, "mmuster").await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.json()["active"], false);
    let res = deactivate(&h, &admin, "nobody").await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    let res = h.get("/v1/admin/users/nobody", &admin).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn bad_user_records_are_refused_with_422() {
    let (h, admin) = Harness::with_admin().await;
    let cases: Vec<(&str, Value, &str)> = vec![
        ("org_units", json!(["oe-unknown"]), "unknown org unit"),
        ("email", json!("maria.muster"), "name@domain"),
        ("email", json!("a@b.de\r\nBcc: x@y.de"), "one address"),
        ("email", json!("a@b.de, c@d.de"), "one address"),
        ("family_name", json!(" "), "1 to 200"),
        ("id", json!("mmuster"), ""),
    ];
    for (field, value, says) in cases {
        let mut body = maria();
        body[field] = value.clone();
        let path_id = if field == "id" { "other" } else { "mmuster" };
        let res = put(&h, &admin, path_id, body).await;
        assert_unprocessable(&res, "invalid-field", says, &format!("{field}={value}"));
    }
    let mut away = maria();
    away["absence"] = json!({"from": "2026-03-02", "until": "2026-03-06", "substitute": "ghost"});
    let res = put(&h, &admin, "mmuster", away).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.detail().contains("ghost"));
    assert_eq!(
        h.store.user("mmuster").await.expect("read"),
        None,
        "nothing stored"
    );
}

#[tokio::test]
async fn only_admins_maintain_users() {
    let h = Harness::new().await;
    let caseworker = h.token("cw", &[OE1], &["caseworker", "supervisor"]);
    let res = put(&h, &caseworker, "mmuster", maria()).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert!(res.problem_type().ends_with("/forbidden"));
    for uri in user_reads("cw") {
        let res = h.get(&uri, &caseworker).await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{uri}");
    }
    let res = deactivate(&h, &caseworker, "cw").await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    // The members of the caller's own org unit are the "assign" choice.
    let res = h.get("/v1/admin/users?org_unit=oe-1", &caseworker).await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.json()[0]["id"], "cw");
}

#[tokio::test]
async fn assign_takes_only_active_members_of_the_case_org_unit() {
    let h = Harness::new().await;
    let sup = h.token("sup", &[OE1], &["caseworker", "supervisor"]);
    h.user("colleague", &[OE1], &["caseworker"]).await;
    h.user("elsewhere", &[OE2], &["caseworker"]).await;
    h.user("gone", &[OE1], &["caseworker"]).await;
    h.app
        .set_user_active("gone", false)
        .await
        .expect("deactivate");
    let case_id = submit(&h, "sub-assign", OE1).await;
    let c = h.case_as(&case_id, &sup);
    for (user, says) in [
        ("ghost", "unknown user"),
        ("elsewhere", "not a member"),
        ("gone", "deactivated"),
    ] {
        let res = c.act(json!({"action": "assign", "user": user})).await;
        assert_unprocessable(&res, "unknown-user", says, user);
    }
    let res = c
        .act(json!({"action": "assign", "user": "colleague"}))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{:?}", res.json());
    assert_eq!(res.json()["assignee"], "colleague");
    // The case and its history name the account only, never the person's name or e-mail, so
    // the retention purge leaves no user's personal data beyond the account id.
    let history = h.get(&format!("/v1/cases/{case_id}/history"), &sup).await;
    for text in [
        String::from_utf8_lossy(&res.bytes),
        String::from_utf8_lossy(&history.bytes),
    ] {
        assert!(text.contains("colleague"));
        assert!(
            !text.contains("colleague@example.org") && !text.contains("Test colleague"),
            "{text}"
        );
    }
    // Unassigning needs no user.
    c.act_ok(json!({"action": "assign", "user": null})).await;
}

#[tokio::test]
async fn a_supervisor_reassigns_all_open_cases_of_a_user_in_one_request() {
    let h = Harness::new().await;
    let sup = h.token("sup", &[OE1, OE2], &["caseworker", "supervisor"]);
    h.user("leaving", &[OE1, OE2], &["caseworker"]).await;
    h.user("staying", &[OE1], &["caseworker"]).await;
    let mut cases = Vec::new();
    for (n, oe) in [(1, OE1), (2, OE1), (3, OE2), (4, OE1)] {
        let id = submit(&h, &format!("sub-re-{n}"), oe).await;
        h.act_ok(&id, &sup, json!({"action": "assign", "user": "leaving"}))
            .await;
        cases.push(id);
    }
    h.act_ok(
        &cases[3],
        &sup,
        json!({"action": "cancel", "reason": "zurückgezogen"}),
    )
    .await;

    let body = json!({"from": "leaving", "to": "staying"});
    let caseworker = h.token("cw", &[OE1], &["caseworker"]);
    let res = h.reassign(&caseworker, body.clone()).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);

    let res = h.reassign(&sup, body.clone()).await;
    assert_eq!(res.status, StatusCode::OK, "{:?}", res.json());
    let report = res.json();
    let moved = each(&report["moved"], "case_id");
    let mut expected = vec![cases[0].as_str(), cases[1].as_str()];
    expected.sort();
    let mut moved_sorted = moved.clone();
    moved_sorted.sort();
    assert_eq!(moved_sorted, expected, "{report}");
    let not_moved = report["not_moved"].as_array().expect("not moved");
    assert_eq!(not_moved.len(), 1, "{report}");
    assert_eq!(not_moved[0]["case_id"], cases[2].as_str());
    assert!(
        not_moved[0]["reason"]
            .as_str()
            .unwrap_or_default()
            .contains("not a member"),
        "{report}"
    );
    // Each moved case has its own assignment event; the cancelled one kept its assignee.
    for id in &cases[..2] {
        let case = h.case(id, &sup).await;
        assert_eq!(case.json()["assignee"], "staying");
        let history = h.get(&format!("/v1/cases/{id}/history"), &sup).await;
        let last = history.json()["items"]
            .as_array()
            .and_then(|a| a.last().cloned())
            .unwrap_or(Value::Null);
        assert_eq!(last["type"], "assigned", "{last}");
        assert_eq!(last["to"], "staying", "{last}");
    }
    let kept = h.get(&format!("/v1/cases/{}", cases[2]), &sup).await;
    assert_eq!(kept.json()["assignee"], "leaving");
    // Nothing left to move: an empty report, not an error.
    let res = h
        .reassign(
            &sup,
            json!({"from": "leaving", "to": "staying", "org_unit_id": OE1}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.json()["moved"], json!([]));
    let res = h
        .reassign(
            &sup,
            json!({"from": "leaving", "to": null, "org_unit_id": "oe-3"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
}
