//! Admin: the org unit's optional municipality key (AGS) that selects municipal holidays.

use crate::common;
use axum::http::StatusCode;
use common::*;
use serde_json::json;

#[tokio::test]
async fn org_unit_municipality_is_stored_and_validated() {
    let (h, admin) = Harness::with_admin().await;
    let put = |body: serde_json::Value| {
        let h = &h;
        let admin = admin.clone();
        async move { h.put("/v1/admin/org-units/oe-augsburg", &admin, body).await }
    };
    let r = put(json!({"id": "oe-augsburg", "name": "Stadt Augsburg", "notification_email": "a@augsburg.example",
        "state": "BY", "municipality": "09761000", "services": [LEIKA]}))
    .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.json());
    assert_eq!(r.json()["municipality"], "09761000");
    let listed = h.get("/v1/admin/org-units", &admin).await;
    assert!(listed.json().as_array().is_some_and(|a| {
        a.iter()
            .any(|o| o["id"] == "oe-augsburg" && o["municipality"] == "09761000")
    }));

    // A Bavarian key for an org unit in Mecklenburg-Vorpommern is refused, naming the field.
    let r = put(json!({"id": "oe-augsburg", "name": "Stadt Augsburg", "notification_email": "a@augsburg.example",
        "state": "MV", "municipality": "09761000"}))
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.json());
    assert_eq!(
        r.problem_type(),
        "https://fallwerk.dev/problems/invalid-field"
    );
    assert_eq!(r.json()["field"], "municipality");

    // Not 8 digits: refused by the body's schema.
    for bad in ["0976100", "0976100x", "17000000"] {
        let r = put(json!({"id": "oe-augsburg", "name": "Stadt Augsburg", "notification_email": "a@augsburg.example",
            "state": "BY", "municipality": bad}))
        .await;
        assert_status(&r, StatusCode::UNPROCESSABLE_ENTITY, bad);
        assert_eq!(
            r.problem_type(),
            "https://fallwerk.dev/problems/invalid-body",
            "{bad}"
        );
    }
}
