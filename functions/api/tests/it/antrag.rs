//! `POST /antrag/{client}/{token}`: the OZG-Cloud intake as form engines send it.

use crate::common;
use axum::http::StatusCode;
use common::*;
use fallwerk_api::testing::{antrag_request, multipart};
use serde_json::{Value, json};

fn form(transaction: &str, oe: &str, leika_ids: &[&str]) -> Vec<u8> {
    bytes(&json!({
        "control": {
            "transactionId": transaction,
            "zustaendigeStelle": oe,
            "leikaIds": leika_ids,
            "formId": "gewerbe-an",
            "name": "Gewerbeanmeldung",
            "serviceKonto": {"type": "OSI", "trustLevel": "STORK-QAA-Level-3",
                "postfachAddresses": [{"identifier": {"postfachId": "pf-42"}, "type": 1}]},
            "extraFromEngine": true
        },
        "formData": [{"antragsteller": {"pers_vorname": "Erika", "pers_nachname": "Mustermann",
                                        "kont_email": "erika@example.org"}}]
    }))
}

#[tokio::test]
async fn form_engine_delivery_creates_one_case() {
    let h = Harness::new().await;
    let formdata = form("tx-1", OE1, &["000", LEIKA]);
    // formData without a content type, an attachment without one, as browsers' FormData do.
    let body = multipart(&[
        form_data_part(None, &formdata),
        file_part(
            "representation",
            "antrag.pdf",
            Some("application/pdf"),
            b"%PDF rep",
        ),
        file_part("attachment", "../../Ausweis.jpg", None, b"jpeg"),
        file_part(
            "attachment",
            "nachweis.xml",
            Some("application/xml"),
            b"<x/>",
        ),
    ]);
    let r = deliver_antrag(&h, body.clone()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.json());
    let v: Value = r.json();
    assert_eq!(v["transactionId"], "tx-1");
    assert_eq!(v["vorgang"]["status"], "received");
    assert!(
        v["vorgang"]["vorgangNummer"]
            .as_str()
            .is_some_and(|n| n.starts_with("MV-"))
    );
    let case_id = vorgang_id(&r);

    let cw = h.caseworker(OE1);
    let case = h.case(&case_id, &cw).await.json();
    assert_eq!(case["leika_id"], LEIKA);
    assert_eq!(case["applicant"]["name"], "Erika Mustermann");
    assert_eq!(case["applicant"]["postbox_ref"], "pf-42");
    let atts = case["attachments"].as_array().cloned().unwrap_or_default();
    assert_eq!(atts.len(), 4);
    assert_eq!(atts[0]["source"], "representation");
    assert_eq!(atts[1]["name"], "Ausweis.jpg");
    assert_eq!(atts[1]["media_type"], "application/octet-stream");
    assert_eq!(atts[2]["media_type"], "application/xml");
    // The formData part itself, byte-exact (issue 13).
    assert_eq!(atts[3]["source"], "form_data");
    let original = h
        .get(&format!("/v1/cases/{case_id}/attachments/4"), &cw)
        .await;
    assert_eq!(original.bytes, formdata);

    // The same delivery again (new multipart boundary would not matter): 200, same Vorgang.
    let again = deliver_antrag(&h, body).await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(again.json()["vorgang"]["vorgangId"], case_id.as_str());
    assert_eq!(case_count(&h).await, 1);
}

#[tokio::test]
async fn form_data_as_text_plain_and_unknown_names() {
    let h = Harness::new().await;
    let mut f: Value = serde_json::from_slice(&form("tx-2", OE1, &[LEIKA])).expect("json");
    f["formData"] = json!([]);
    let fb = bytes(&f);
    let body = multipart(&[form_data_part(Some("text/plain;charset=UTF-8"), &fb)]);
    let r = deliver_antrag(&h, body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.json());
    let id = vorgang_id(&r);
    let case = h.case(&id, &h.caseworker(OE1)).await.json();
    // Nobody is named: no invented name, the caseworker sees the hint (issue 13).
    assert_eq!(case["applicant"]["name"], "");
    assert_eq!(case["applicant_hint"], "Antragsteller nicht erkannt");
}

#[tokio::test]
async fn wrong_token_or_client_is_401() {
    let h = Harness::new().await;
    let fb = form("tx-3", OE1, &[LEIKA]);
    let body = multipart(&[form_data_part(Some("application/json"), &fb)]);
    for (client, token) in [
        ("portal-1", "wrong"),
        ("nobody", PORTAL_SECRET),
        ("portal-off", PORTAL_SECRET),
    ] {
        let r = h.send(antrag_request(client, token, body.clone())).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{client}");
        assert_eq!(
            r.problem_type(),
            "https://fallwerk.dev/problems/unauthorized"
        );
    }
    assert_eq!(case_count(&h).await, 0);
}

#[tokio::test]
async fn unknown_org_unit_or_service_is_422_and_nothing_is_stored() {
    let h = Harness::new().await;
    for fb in [
        form("tx-4", "oe-unknown", &[LEIKA]),
        form("tx-5", OE1, &["0815"]),
        form("tx-6", OE3, &[LEIKA]),
    ] {
        let body = multipart(&[
            form_data_part(Some("application/json"), &fb),
            file_part("attachment", "a.pdf", Some("application/pdf"), b"%PDF"),
        ]);
        let r = deliver_antrag(&h, body).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.json());
        assert_eq!(r.problem_type(), "https://fallwerk.dev/problems/unroutable");
    }
    assert_eq!(case_count(&h).await, 0);
}

#[tokio::test]
async fn missing_or_broken_form_data_is_rejected() {
    let h = Harness::new().await;
    let body = multipart(&[file_part("attachment", "a.pdf", None, b"x")]);
    let r = deliver_antrag(&h, body).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["field"], "formData");
    let body = multipart(&[form_data_part(None, b"{oops")]);
    let r = deliver_antrag(&h, body).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let body = multipart(&[form_data_part(None, b"{\"control\": {}}")]);
    let r = deliver_antrag(&h, body).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = h
        .send(
            axum::http::Request::post(format!("/antrag/portal-1/{PORTAL_SECRET}"))
                .header("content-type", "application/json")
                .body(axum::body::Body::from("{}"))
                .expect("request"),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
}
