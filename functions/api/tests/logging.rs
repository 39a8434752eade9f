//! The request log names route templates, statuses, case and actor ids, and never secrets,
//! URL tokens, signatures, names, e-mail addresses or form data.

// This binary uses a few of the shared helpers; the `it` binary uses them all.
#[allow(dead_code)]
mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use axum::http::{Method, StatusCode};
use common::*;
use fallwerk_api::testing::{Part, antrag_request, multipart};
use serde_json::json;

#[derive(Clone, Default)]
struct Buf(Arc<Mutex<Vec<u8>>>);

impl Write for Buf {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        if let Ok(mut b) = self.0.lock() {
            b.extend_from_slice(data);
        }
        Ok(data.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Buf {
    type Writer = Buf;
    fn make_writer(&'a self) -> Buf {
        self.clone()
    }
}

#[tokio::test]
async fn logs_carry_ids_and_no_secrets_or_personal_data() {
    let buf = Buf::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(buf.clone())
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let h = Harness::new().await;
    let case_id = submit(&h, "log-1", OE1).await;
    let cw = h.caseworker(OE1);
    h.act(&case_id, &cw, json!({"action": "confirm_competence"}))
        .await;
    let fb = bytes(
        &json!({"control": {"transactionId": "tx-log", "zustaendigeStelle": OE1,
        "leikaIds": [LEIKA]}, "formData": [{"pers_vorname": "Erika", "pers_nachname": "Mustermann"}]}),
    );
    let body = multipart(&[Part {
        name: "formData",
        file_name: None,
        content_type: None,
        bytes: &fb,
    }]);
    let r = h
        .send(antrag_request("portal-1", PORTAL_SECRET, body))
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let r = h
        .send(antrag_request("portal-1", "wrong-token-value", vec![]))
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let signed = h
        .signer
        .request(Method::GET, "/v1/cases/x/status", h.now(), vec![]);
    let signature = signed.headers()["x-fallwerk-signature"]
        .to_str()
        .unwrap_or_default()
        .to_string();
    h.send(signed).await;

    let log =
        String::from_utf8(buf.0.lock().map(|b| b.clone()).unwrap_or_default()).unwrap_or_default();
    assert!(log.contains("route=/antrag/{client_id}/{token}"), "{log}");
    assert!(log.contains("route=/v1/cases/{id}/actions"), "{log}");
    assert!(log.contains(&format!("case_id={case_id}")), "{log}");
    assert!(log.contains("actor=cw-oe-1"), "{log}");
    assert!(log.contains("status=201"), "{log}");
    for secret in [
        PORTAL_SECRET,
        "wrong-token-value",
        JWT_SECRET,
        &cw,
        signature.trim_start_matches("sha256="),
        "Erika",
        "Mustermann",
        "erika@example.org",
        "Bäckerei",
    ] {
        assert!(!log.contains(secret), "log leaks {secret}:\n{log}");
    }
}
