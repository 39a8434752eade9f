//! `POST /antrag/{client}/{token}` with bodies as two open-source form engines really build them
//! for their OZG-Cloud destination (issue 13). Written from their public source:
//!
//! - Aivot GOVER (github.com/aivot-digital/gover, `ozgCloud/services/OZGCloudDestinationService
//!   .java`, `OZGCloudDataFormatService.java`, models `OZGCloudFormDataItem`,
//!   `OZGCloudServiceKontoData`, `OZGCloudPostfachAdresse`): Spring `RestClient` multipart;
//!   `formData` is a `ByteArrayResource` of the JSON (no file name, so
//!   `application/octet-stream`), then `representation` (the PDF) and one `attachment` part per
//!   upload. Items `{name, label, stringValue|numberValue|dateValue|booleanValue, formItems}`
//!   serialised NON_NULL; steps, headlines and replicating containers nest through `formItems`;
//!   ids are the editor's generated element ids, so only the labels say what a field is; an
//!   empty number or date becomes `stringValue: "Keine Angabe"`; `serviceKonto` is `{type:
//!   OSI|BAYERN_ID, trustLevel: "STORK-QAA-Level-x", postfachAddress: {identifier, type:
//!   "Citizen"}}`.
//! - Startuphafen (github.com/pct-digital/startuphafen-gpl, `ozg-tool.ts`,
//!   `formDataBuilder.ts`, `formDataTest.json`): Node `FormData` via axios; `formData` is a
//!   `Blob` of type `application/json` appended without a file name (Node then sends
//!   `filename="blob"`); attachments `XML-Daten.xml`, `OIDC-Assertion.xml` and the generated
//!   `Gewerbeanmeldung.pdf`, all as repeated `attachment` parts (this engine sends no
//!   `representation`); items named by their German labels ("Nachname", "Vorname", "E-Mail")
//!   in groups "Antragstellende Person", "Kontaktinformationen"; `postfachAddress.type`
//!   "unternehmen".

use crate::common;
use axum::http::StatusCode;
use common::*;
use fallwerk_api::testing::{Part, multipart};
use serde_json::{Value, json};

const PDF: &[u8] = b"%PDF-1.7\n% Darstellung des Antrags\n%%EOF\n";

async fn deliver(h: &Harness, parts: &[Part<'_>]) -> (String, Value) {
    let r = deliver_antrag(h, multipart(parts)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.json());
    let id = vorgang_id(&r);
    let cw = h.caseworker(OE1);
    let case = h.case(&id, &cw).await.json();
    (id, case)
}

async fn fields(h: &Harness, id: &str) -> Value {
    let r = h
        .get(&format!("/v1/cases/{id}/form/fields"), &h.caseworker(OE1))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    r.json()
}

/// The field with `label` anywhere in the normalised view.
fn by_label<'a>(fields: &'a Value, label: &str) -> &'a Value {
    fn walk<'a>(v: &'a Value, label: &str) -> Option<&'a Value> {
        v.as_array()?.iter().find_map(|f| {
            if f["label"] == label {
                Some(f)
            } else {
                walk(&f["items"], label)
            }
        })
    }
    walk(&fields["fields"], label).unwrap_or_else(|| panic!("no field {label}"))
}

fn gover_form(tx: &str) -> Vec<u8> {
    bytes(&json!({
        "control": {
            "transactionId": tx,
            "zustaendigeStelle": OE1,
            "leikaIds": [LEIKA],
            "formId": "gover-gewerbe-7",
            "name": "Gewerbeanmeldung",
            "serviceKonto": {
                "type": "BAYERN_ID",
                "trustLevel": "STORK-QAA-Level-3",
                "postfachAddress": {"identifier": "3f2b8c1e-9d4a-4e7b-a1c2-5d6e7f809a1b", "type": "Citizen"}
            }
        },
        "formData": [
            {"name": "s9c1d2e3", "label": "Angaben zur Person", "formItems": [
                {"name": "h4a5b6c7", "label": "Persönliche Daten", "formItems": [
                    {"name": "f1a2b3c4", "label": "Vorname", "stringValue": "Jürgen"},
                    {"name": "f5d6e7f8", "label": "Familienname", "stringValue": "Müller-Lüdenscheidt"},
                    {"name": "f9a0b1c2", "label": "Geburtsdatum", "dateValue": "1971-05-03"}
                ]},
                {"name": "fe1d2c3b", "label": "E-Mail-Adresse", "stringValue": "juergen.mueller@example.org"},
                {"name": "fa9b8c7d", "label": "Telefonnummer", "stringValue": "Keine Angabe"}
            ]},
            {"name": "s0a1b2c3", "label": "Angaben zum Betrieb", "formItems": [
                {"name": "f2b3c4d5", "label": "Anzahl Beschäftigte", "numberValue": 12},
                {"name": "f3c4d5e6", "label": "Nebenerwerb", "booleanValue": false},
                {"name": "r7e8f9a0", "label": "Betriebsstätten", "formItems": [
                    {"name": "r7e8f9a0_1", "label": "Betriebsstätte 1", "formItems": [
                        {"name": "r7e8f9a0_1_f4d5e6f7", "label": "Ort", "stringValue": "Würzburg"}
                    ]}
                ]},
                {"name": "f6a7b8c9", "label": "Nachweise", "stringValue": "meisterbrief.pdf, ausweis.png"}
            ]}
        ]
    }))
}

#[tokio::test]
async fn gover_delivery_reads_applicant_postbox_labels_and_types() {
    let h = Harness::new().await;
    let form = gover_form("gover-tx-1");
    let (id, case) = deliver(
        &h,
        &[
            form_data_part(Some("application/octet-stream"), &form),
            file_part(
                "representation",
                "Gewerbeanmeldung.pdf",
                Some("application/pdf"),
                PDF,
            ),
            file_part(
                "attachment",
                "meisterbrief.pdf",
                Some("application/pdf"),
                b"%PDF-1.4 Meisterbrief",
            ),
            file_part(
                "attachment",
                "ausweis.png",
                Some("image/png"),
                b"\x89PNG\r\n\x1a\nAusweis",
            ),
        ],
    )
    .await;
    let a = &case["applicant"];
    assert_eq!(a["name"], "Jürgen Müller-Lüdenscheidt");
    assert_eq!(a["email"], "juergen.mueller@example.org");
    assert_eq!(a["postbox_ref"], "3f2b8c1e-9d4a-4e7b-a1c2-5d6e7f809a1b");
    assert_eq!(a["trust_level"], "STORK-QAA-Level-3");
    assert!(case.get("applicant_hint").is_none(), "{case}");
    let sources = each(&case["attachments"], "source");
    assert_eq!(
        sources,
        ["representation", "submission", "submission", "form_data"]
    );

    let f = fields(&h, &id).await;
    assert_eq!(f["shape"], "ozg_cloud");
    assert_eq!(f["form_id"], "gover-gewerbe-7");
    assert_eq!(f["fields"][0]["label"], "Angaben zur Person");
    assert_eq!(f["fields"][0]["items"][0]["label"], "Persönliche Daten");
    assert_eq!(
        by_label(&f, "Geburtsdatum")["value"],
        json!({"type": "date", "value": "1971-05-03"})
    );
    assert_eq!(
        by_label(&f, "Anzahl Beschäftigte")["value"],
        json!({"type": "number", "value": 12})
    );
    assert_eq!(
        by_label(&f, "Nebenerwerb")["value"],
        json!({"type": "boolean", "value": false})
    );
    assert_eq!(
        by_label(&f, "Telefonnummer")["value"],
        json!({"type": "text", "value": "Keine Angabe"})
    );
    assert_eq!(by_label(&f, "Ort")["id"], "r7e8f9a0_1_f4d5e6f7");
    assert_eq!(
        by_label(&f, "Betriebsstätten")["items"][0]["label"],
        "Betriebsstätte 1"
    );

    // The original part, byte-exact, is the last document.
    let n = sources.len();
    let original = h
        .get(
            &format!("/v1/cases/{id}/attachments/{n}"),
            &h.caseworker(OE1),
        )
        .await;
    assert_eq!(original.bytes, form);
}

fn startuphafen_form(tx: &str) -> Vec<u8> {
    // Compact JSON as `JSON.stringify` writes it.
    serde_json::to_vec(&json!({
        "control": {
            "transactionId": tx,
            "zustaendigeStelle": OE1,
            "leikaIds": [LEIKA],
            "formId": "Gewerbeanmeldung",
            "name": "Antrag auf Gewerbeanmeldung",
            "serviceKonto": {
                "type": "OSI",
                "trustLevel": "STORK-QAA-Level-1",
                "postfachAddress": {"identifier": "d047d29f-5f2b-466d-a552-3a12f6623187", "type": "unternehmen"}
            }
        },
        "formData": [
            {"name": "Antragstellende Person", "label": "Antragstellende Person", "formItems": [
                {"name": "person_oder_firma", "label": "Angabe zur Person/Firma", "stringValue": "person"},
                {"name": "Nachname", "label": "Nachname", "stringValue": "Öztürk"},
                {"name": "Vorname", "label": "Vorname", "stringValue": "Ayşe"},
                {"name": "Geburtsdatum", "label": "Geburtsdatum", "dateValue": "1990-12-24"},
                {"name": "Adresse", "label": "Adresse", "formItems": [
                    {"name": "Straße", "label": "Straße", "stringValue": "Große Straße"},
                    {"name": "PLZ", "label": "PLZ", "stringValue": "25832"}
                ]}
            ]},
            {"name": "Betriebsdaten", "label": "Betriebsdaten", "formItems": [
                {"name": "Geschäftsbezeichnung", "label": "Geschäftsbezeichnung", "stringValue": "Öztürk Design"},
                {"name": "Hauptniederlassung", "label": "Hauptniederlassung", "booleanValue": true}
            ]},
            {"name": "Kontaktinformationen", "label": "Kontaktinformationen", "formItems": [
                {"name": "Telefonnummer", "label": "Telefonnummer", "stringValue": "+49 4861 1234"},
                {"name": "E-Mail", "label": "E-Mail", "stringValue": "ayse.oeztuerk@example.org"}
            ]}
        ]
    }))
    .expect("json")
}

#[tokio::test]
async fn startuphafen_delivery_reads_applicant_postbox_labels_and_types() {
    let h = Harness::new().await;
    let form = startuphafen_form("sh-tx-1");
    let (id, case) = deliver(
        &h,
        &[
            file_part("formData", "blob", Some("application/json"), &form),
            file_part(
                "attachment",
                "XML-Daten.xml",
                Some("application/xml"),
                b"<?xml version=\"1.0\"?><antrag/>",
            ),
            file_part(
                "attachment",
                "OIDC-Assertion.xml",
                Some("application/xml"),
                b"<?xml version=\"1.0\"?><token/>",
            ),
            file_part(
                "attachment",
                "Gewerbeanmeldung.pdf",
                Some("application/pdf"),
                PDF,
            ),
        ],
    )
    .await;
    let a = &case["applicant"];
    assert_eq!(a["name"], "Ayşe Öztürk");
    assert_eq!(a["email"], "ayse.oeztuerk@example.org");
    assert_eq!(a["postbox_ref"], "d047d29f-5f2b-466d-a552-3a12f6623187");
    assert_eq!(a["trust_level"], "STORK-QAA-Level-1");
    let names = each(&case["attachments"], "name");
    assert_eq!(
        names,
        [
            "XML-Daten.xml",
            "OIDC-Assertion.xml",
            "Gewerbeanmeldung.pdf",
            "formData.json"
        ]
    );

    let f = fields(&h, &id).await;
    assert_eq!(f["shape"], "ozg_cloud");
    assert_eq!(
        by_label(&f, "Geburtsdatum")["value"],
        json!({"type": "date", "value": "1990-12-24"})
    );
    assert_eq!(
        by_label(&f, "Hauptniederlassung")["value"],
        json!({"type": "boolean", "value": true})
    );
    assert_eq!(by_label(&f, "Adresse")["items"][0]["label"], "Straße");
    let original = h
        .get(&format!("/v1/cases/{id}/attachments/4"), &h.caseworker(OE1))
        .await;
    assert_eq!(original.bytes, form);
}

/// Nothing names the applicant: no invented name, the hint for the caseworker, and the postbox
/// (the only thing known, as an `identifier` object in `postfachAddresses`) still works.
#[tokio::test]
async fn nobody_named_gives_the_hint_and_keeps_the_postbox() {
    let h = Harness::new().await;
    let form = bytes(&json!({
        "control": {"transactionId": "anon-1", "zustaendigeStelle": OE1, "leikaIds": [LEIKA],
            "formId": "f", "name": "Anzeige",
            "serviceKonto": {"type": "OSI", "trustLevel": "STORK-QAA-Level-2",
                "postfachAddresses": [{"identifier": {"postfachId": "pf-anon"}, "type": 1}]}},
        "formData": [{"name": "x1", "label": "Beschreibung", "stringValue": "Laterne defekt"}]
    }));
    let (id, case) = deliver(
        &h,
        &[form_data_part(Some("application/octet-stream"), &form)],
    )
    .await;
    assert_eq!(case["applicant"]["name"], "");
    assert_eq!(case["applicant"]["email"], Value::Null);
    assert_eq!(case["applicant"]["postbox_ref"], "pf-anon");
    assert_eq!(case["applicant_hint"], "Antragsteller nicht erkannt");
    let inbox = h.get("/v1/cases", &h.caseworker(OE1)).await.json();
    assert_eq!(
        inbox["items"][0]["applicant_name"],
        "Antragsteller nicht erkannt"
    );
    // The applicant's postbox gets the receipt although nobody is named.
    let msgs = h.portal_get(&format!("/v1/cases/{id}/messages")).await;
    assert_eq!(msgs.status, StatusCode::OK);
    assert!(
        msgs.json().as_array().is_some_and(|m| !m.is_empty()),
        "{:?}",
        msgs.json()
    );
}

/// A client whose form ids no heuristic can guess maps them through the admin API; an empty
/// id in the mapping is refused.
#[tokio::test]
async fn client_mapping_from_the_admin_api() {
    let h = Harness::new().await;
    let admin = h.token("admin", &[], &["admin"]);
    let mut client = json!({"id": "portal-1", "name": "Portal", "secret": PORTAL_SECRET,
        "applicant_fields": {"given_name": "F17", "family_name": "f18", "email": "f19",
                             "postbox": "f20"}});
    let r = h
        .put("/v1/admin/portal-clients/portal-1", &admin, client.clone())
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.json());
    client["applicant_fields"]["email"] = json!(" ");
    let bad = h
        .put("/v1/admin/portal-clients/portal-1", &admin, client)
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.json()["field"], "applicant_fields.email");

    let form = bytes(&json!({
        "control": {"transactionId": "map-1", "zustaendigeStelle": OE1, "leikaIds": [LEIKA],
            "formId": "f", "name": "Antrag"},
        "formData": [
            {"name": "f17", "label": "Feld 17", "stringValue": "Kim"},
            {"name": "f18", "label": "Feld 18", "stringValue": "Lee"},
            {"name": "f19", "label": "Feld 19", "stringValue": "kim.lee@example.org"},
            {"name": "f20", "label": "Feld 20", "stringValue": "pf-kim"}]
    }));
    let (_, case) = deliver(&h, &[form_data_part(None, &form)]).await;
    assert_eq!(case["applicant"]["name"], "Kim Lee");
    assert_eq!(case["applicant"]["email"], "kim.lee@example.org");
    assert_eq!(case["applicant"]["postbox_ref"], "pf-kim");
}

/// Native JSON submissions get the same view: their keys are the labels.
#[tokio::test]
async fn native_submission_has_the_same_view() {
    let h = Harness::new().await;
    let id = submit(&h, "native-1", OE1).await;
    let f = fields(&h, &id).await;
    assert_eq!(f["shape"], "native");
    assert_eq!(
        by_label(&f, "betrieb")["value"],
        json!({"type": "text", "value": "Bäckerei"})
    );
    // Foreign org units see nothing.
    let other = h
        .get(&format!("/v1/cases/{id}/form/fields"), &h.caseworker(OE2))
        .await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
}
