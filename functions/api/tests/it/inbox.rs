//! The inbox over HTTP: all open by default, combinable filters, sort, search (umlauts), counts,
//! paging, and every rejection.

use crate::common;
use axum::http::StatusCode;
use common::*;
use serde_json::{Value, json};

async fn submit_named(h: &Harness, id: &str, oe: &str, name: &str) -> String {
    let mut body = submission(id, oe);
    body["applicant"]["name"] = json!(name);
    submit_body(h, &body).await
}

#[tokio::test]
async fn inbox_filters_sorts_searches_and_counts() {
    let h = Harness::new().await;
    let a = submit_named(&h, "in-a", OE1, "Jürgen Müller").await;
    let b = submit_named(&h, "in-b", OE1, "Erika Mustermann").await;
    let c = submit_named(&h, "in-c", OE1, "Anna Weiß").await;
    let foreign = submit_named(&h, "in-x", OE2, "Jürgen Müller").await;
    let cw = h.caseworker(OE1);
    // b moves on (new, later completeness deadline) and is taken by the caller; c is cancelled.
    h.act_ok(&b, &cw, json!({"action": "confirm_competence"}))
        .await;
    h.act_ok(&b, &cw, json!({"action": "assign", "user": "cw-oe-1"}))
        .await;
    h.act_ok(
        &c,
        &cw,
        json!({"action": "cancel", "reason": "zurückgenommen"}),
    )
    .await;

    let get = |q: &str| {
        let uri = format!("/v1/cases{q}");
        let cw = cw.clone();
        let h = &h;
        async move { h.get(&uri, &cw).await }
    };
    // All open by default, next due date first; never another org unit's case.
    let r = get("").await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.json());
    assert_eq!(ids(&r), vec![a.clone(), b.clone()]);
    assert!(!ids(&r).contains(&foreign));
    assert_eq!(r.json()["items"][0]["applicant_name"], "Jürgen Müller");
    assert!(r.json()["items"][0]["next_due"].is_string());
    assert_eq!(
        r.json()["items"][0]["next_due_kind"],
        "competence_check_due"
    );
    // By receipt, closed, status lists, task, assignee me/none, service.
    assert_eq!(ids(&get("?sort=receipt").await), vec![a.clone(), b.clone()]);
    assert_eq!(ids(&get("?status=cancelled").await), vec![c.clone()]);
    assert_eq!(ids(&get("?scope=closed").await), vec![c.clone()]);
    assert_eq!(
        ids(&get("?status=received,completeness_check").await),
        vec![a.clone(), b.clone()]
    );
    assert_eq!(ids(&get("?task=completeness_check").await), vec![b.clone()]);
    assert_eq!(ids(&get("?assignee=me").await), vec![b.clone()]);
    assert_eq!(ids(&get("?assignee=cw-oe-1").await), vec![b.clone()]);
    assert_eq!(ids(&get("?assignee=none").await), vec![a.clone()]);
    assert_eq!(ids(&get("?overdue=true").await), Vec::<String>::new());
    assert_eq!(
        ids(&get(&format!("?service={LEIKA}&assignee=none&status=received")).await),
        vec![a.clone()]
    );
    assert_eq!(
        ids(&get("?service=00000000000000").await),
        Vec::<String>::new()
    );
    // Search: name either spelling, case-insensitive; reference prefix.
    for q in ["mueller", "MÜLLER", "j%C3%BCrgen", "juergen%20m"] {
        assert_eq!(
            ids(&get(&format!("?q={q}")).await),
            vec![a.clone()],
            "q={q}"
        );
    }
    assert_eq!(ids(&get("?q=weiss&scope=closed").await), vec![c.clone()]);
    let reference = r.json()["items"][1]["reference"]
        .as_str()
        .expect("ref")
        .to_string();
    let prefix = &reference[..reference.len() - 1];
    let found = ids(&get(&format!("?q={}", prefix.to_lowercase())).await);
    assert!(found.contains(&b), "{found:?}");

    // Counts of the open cases per status and task.
    let counts = h.get("/v1/inbox/counts", &cw).await;
    assert_eq!(counts.status, StatusCode::OK, "{:?}", counts.json());
    assert_eq!(
        counts.json(),
        json!({"open": 2, "overdue": 0, "unassigned": 1,
               "by_status": {"received": 1, "completeness_check": 1},
               "by_task": {"competence_check": 1, "completeness_check": 1}})
    );

    // Paging with a cursor; a cursor of another sort is refused.
    let first = get("?limit=1").await;
    assert_eq!(ids(&first), vec![a.clone()]);
    let cursor = first.json()["next_cursor"]
        .as_str()
        .expect("cursor")
        .to_string();
    let second = get(&format!("?limit=1&cursor={cursor}")).await;
    assert_eq!(ids(&second), vec![b.clone()]);
    assert_eq!(second.json()["next_cursor"], Value::Null);
    let r = get(&format!("?limit=1&sort=receipt&cursor={cursor}")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn inbox_rejections() {
    let h = Harness::new().await;
    let cw = h.caseworker(OE1);
    for q in [
        "?status=bogus",
        "?status=received,completed",
        "?scope=closed&status=received",
        "?scope=sideways",
        "?sort=name",
        "?task=nothing",
        "?assignee=",
        "?overdue=maybe",
        "?unknown=1",
        "?cursor=garbage",
    ] {
        let r = h.get(&format!("/v1/cases{q}"), &cw).await;
        assert_status(&r, StatusCode::UNPROCESSABLE_ENTITY, q);
    }
    let long = "x".repeat(101);
    let r = h.get(&format!("/v1/cases?q={long}"), &cw).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Another org unit: 403, for the list and for the counts.
    for uri in [
        format!("/v1/cases?org_unit={OE2}"),
        format!("/v1/inbox/counts?org_unit={OE2}"),
    ] {
        let r = h.get(&uri, &cw).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{uri}");
    }
    // Without a caseworker role: 403; without a token: 401.
    let admin = h.token("adm", &[OE1], &["admin"]);
    let r = h.get("/v1/inbox/counts", &admin).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = h
        .send(
            axum::http::Request::get("/v1/inbox/counts")
                .body(axum::body::Body::empty())
                .expect("request"),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}
