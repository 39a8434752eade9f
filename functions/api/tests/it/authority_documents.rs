//! Documents of the authority over HTTP: upload (multipart, limits, checksum), attach to
//! `send_result` and `message` by number, the portal downloads them byte-identical; every
//! rejection.

use crate::common;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::*;
use fallwerk_api::Limits;
use serde_json::json;

const BOUNDARY: &str = "fallwerk-test-boundary";

/// One part: `(part name, file name, content type, bytes)`.
type TestPart<'a> = (&'a str, Option<&'a str>, Option<&'a str>, &'a [u8]);

/// A multipart body.
fn multipart(parts: &[TestPart<'_>]) -> Vec<u8> {
    let mut out = Vec::new();
    for (name, file, ct, bytes) in parts {
        out.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
        match file {
            Some(f) => out.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\n")
                    .as_bytes(),
            ),
            None => out.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"\r\n").as_bytes(),
            ),
        }
        if let Some(ct) = ct {
            out.extend_from_slice(format!("Content-Type: {ct}\r\n").as_bytes());
        }
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(bytes);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    out
}

async fn upload(h: &Harness, case_id: &str, token: &str, body: Vec<u8>) -> Res {
    let req = Request::post(format!("/v1/cases/{case_id}/documents"))
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(Body::from(body))
        .expect("request");
    h.send(req).await
}

const BESCHEID: &[u8] = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\nBescheid ueber Gewerbeanmeldung\n%%EOF";

#[tokio::test]
async fn a_decision_uploaded_sent_and_downloaded_by_the_portal() {
    let h = Harness::new().await;
    let (case_id, cw) = ready_case(&h, "doc-1").await;
    let c = h.case_as(&case_id, &cw);
    let sha = fallwerk_core::ports::sha256_hex(BESCHEID);
    let r = upload(
        &h,
        &case_id,
        &cw,
        multipart(&[
            (
                "file",
                Some("Bescheid.pdf"),
                Some("application/pdf"),
                BESCHEID,
            ),
            (
                "file",
                Some("Hinweise.txt"),
                Some("text/plain; charset=utf-8"),
                b"Hinweise",
            ),
            ("sha256", None, None, sha.as_bytes()),
        ]),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.json());
    let docs = r.json()["documents"].clone();
    assert_eq!(docs[0]["name"], "Bescheid.pdf");
    assert_eq!(docs[0]["sha256"], sha.as_str());
    assert_eq!(docs[0]["size"], BESCHEID.len());
    assert_eq!(docs[1]["media_type"], "text/plain");
    let n = docs[0]["n"].as_u64().expect("n");
    let n2 = docs[1]["n"].as_u64().expect("n");
    assert_eq!(n, 2, "after the submission's attachment");

    // The caseworker reads it back; the history records the upload.
    let back = h
        .get(&format!("/v1/cases/{case_id}/attachments/{n}"), &cw)
        .await;
    assert_eq!(back.bytes, BESCHEID);
    // Not yet sent: the portal cannot download it.
    let r = h
        .portal_get(&format!("/v1/cases/{case_id}/documents/{n}"))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    // Attaching an unknown number or the applicant's own attachment: 422.
    for bad in [json!([99]), json!([1]), json!([n, n])] {
        let send = json!({"action": "send_result", "outcome": "granted", "message": "Anbei.",
                          "attachments": bad});
        let r = c.act(send).await;
        assert_status(&r, StatusCode::UNPROCESSABLE_ENTITY, &format!("{bad}"));
    }
    let message = json!({"action": "message", "subject": "Hinweise", "text": "Bitte beachten.",
                         "attachments": [n2]});
    c.act_ok(message).await;
    let send = json!({"action": "send_result", "outcome": "granted",
                      "message": "Anbei Ihr Bescheid.", "attachments": [n]});
    let r = c.act_ok(send).await;
    assert_eq!(r["result"]["attachments"], json!([n]));

    // The applicant's postbox message carries it; the portal downloads it byte-identical.
    let msgs = h
        .portal_get(&format!("/v1/cases/{case_id}/messages"))
        .await
        .json();
    let result = msgs
        .as_array()
        .and_then(|m| {
            m.iter().find(|m| {
                m["subject"]
                    .as_str()
                    .is_some_and(|s| s.starts_with("Entscheidung"))
            })
        })
        .cloned()
        .expect("result message");
    assert_eq!(result["attachments"], json!([n]));
    let r = h
        .portal_get(&format!("/v1/cases/{case_id}/documents/{n}"))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.bytes, BESCHEID);
    assert_eq!(r.headers["content-type"], "application/pdf");
    let r = h
        .portal_get(&format!("/v1/cases/{case_id}/documents/{n2}"))
        .await;
    assert_eq!(r.bytes, b"Hinweise");
    // The applicant's own attachment is not served on this route.
    let r = h
        .portal_get(&format!("/v1/cases/{case_id}/documents/1"))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    // After the result, uploads are refused (final status).
    let r = upload(
        &h,
        &case_id,
        &cw,
        multipart(&[("file", Some("x.pdf"), Some("application/pdf"), b"%PDF")]),
    )
    .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{:?}", r.json());
}

#[tokio::test]
async fn upload_rejections() {
    let h = Harness::with_limits(Limits {
        submission: 64 * 1024,
        ..Limits::default()
    })
    .await;
    let (case_id, cw) = ready_case(&h, "doc-2").await;
    let pdf = |bytes: &[u8]| multipart(&[("file", Some("a.pdf"), Some("application/pdf"), bytes)]);

    // Too large for the route: 413.
    let big = vec![b'x'; 80 * 1024];
    let r = upload(&h, &case_id, &cw, pdf(&big)).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{:?}", r.json());
    // A media type outside the list: 415; not multipart at all: 415.
    let r = upload(
        &h,
        &case_id,
        &cw,
        multipart(&[(
            "file",
            Some("a.exe"),
            Some("application/x-msdownload"),
            b"MZ",
        )]),
    )
    .await;
    assert_eq!(
        r.status,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "{:?}",
        r.json()
    );
    let r = h
        .post(&format!("/v1/cases/{case_id}/documents"), &cw, json!({}))
        .await;
    assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    // Wrong checksum, no file, an empty file, an unknown part: 422.
    for body in [
        multipart(&[
            ("file", Some("a.pdf"), Some("application/pdf"), b"%PDF-1"),
            ("sha256", None, None, b"00"),
        ]),
        multipart(&[]),
        pdf(b""),
        multipart(&[(
            "attachment",
            Some("a.pdf"),
            Some("application/pdf"),
            b"%PDF",
        )]),
        multipart(&[("file", None, Some("application/pdf"), b"%PDF")]),
    ] {
        let r = upload(&h, &case_id, &cw, body).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{:?}", r.json());
    }
    // Another org unit: 404; no caseworker role: 403; no token: 401.
    let r = upload(&h, &case_id, &h.caseworker(OE2), pdf(b"%PDF")).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = upload(
        &h,
        &case_id,
        &h.token("adm", &[OE1], &["admin"]),
        pdf(b"%PDF"),
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = upload(&h, &case_id, "not-a-token", pdf(b"%PDF")).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    // Nothing of the refused uploads stayed behind: only the submission's attachment.
    let view = h.case(&case_id, &cw).await.json();
    assert_eq!(view["attachments"].as_array().map(Vec::len), Some(1));
    assert_eq!(h.blob_files().len(), 1, "{:?}", h.blob_files());
    // A valid upload still goes through afterwards.
    let r = upload(&h, &case_id, &cw, pdf(b"%PDF-ok")).await;
    assert_eq!(r.status, StatusCode::CREATED);
}
