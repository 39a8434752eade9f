//! Upload slots on the AWS backend (issue 13): the intake Lambda's router on DynamoDB Local and
//! moto's S3 (fresh table and bucket). A 20 MB application: slots from `POST /v1/uploads`, each
//! document PUT over HTTP to its S3 presigned URL with the slot's headers, a small signed
//! submission with references; the case's documents read back byte-identical. A PUT of other
//! bytes than the slot declared is refused by the submission.

use axum::body::{Body, to_bytes};
use axum::http::{Method, StatusCode};
use fallwerk_api::testing::PortalSigner;
use fallwerk_core::case::{Caller, Role};
use fallwerk_core::ports::sha256_hex;
use fallwerk_runtime::Aws;
use serde_json::{Value, json};
use tower::ServiceExt;

const OE: &str = "oe-upload";
const LEIKA: &str = "99050012104000";
const CLIENT: &str = "portal-upload";
const SECRET: &str = "portal-secret-upload-0123456789abcdef0123456789";

/// The backend on fresh emulator resources with one org unit, service and portal client (v2
/// signatures only); `None` (skipped) without emulators.
struct Backend {
    aws: Aws,
    _table: fallwerk_aws::testing::TableGuard,
}

async fn backend() -> Option<Backend> {
    let fixture = fallwerk_runtime::testing::aws_backend(&fallwerk_runtime::testing::Seed {
        org_unit: OE,
        leika_id: LEIKA,
        client: CLIENT,
        secret: SECRET,
        allow_signature_v1: false,
        caseworker: None,
    })
    .await?;
    Some(Backend {
        aws: fixture.aws,
        _table: fixture.table,
    })
}

async fn signed(b: &Backend, method: Method, uri: &str, body: Vec<u8>) -> (StatusCode, Value) {
    let signer = PortalSigner::new(CLIENT, SECRET);
    let req = signer.request(method, uri, chrono::Utc::now().timestamp(), body);
    let router = fallwerk_intake::router(&b.aws);
    let res = router
        .oneshot(req.map(Body::from))
        .await
        .expect("infallible");
    let status = res.status();
    let bytes = to_bytes(res.into_body(), usize::MAX).await.expect("body");
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

/// Deterministic, varied bytes.
fn document(len: usize, seed: u32) -> Vec<u8> {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            (x >> 24) as u8
        })
        .collect()
}

/// PUTs `bytes` to the slot's URL with the slot's headers, as a portal would.
async fn put_to_slot(slot: &Value, bytes: Vec<u8>) -> reqwest::StatusCode {
    let url = slot["url"].as_str().expect("url");
    assert!(url.starts_with("http"), "an absolute S3 URL: {url}");
    let mut req = reqwest::Client::new().put(url).body(bytes);
    for (k, v) in slot["headers"].as_object().expect("headers") {
        // reqwest sets the length from the body; the signed value is the same.
        if !k.eq_ignore_ascii_case("content-length") {
            req = req.header(k.as_str(), v.as_str().expect("header value"));
        }
    }
    req.send().await.expect("PUT to S3").status()
}

fn slot_body(docs: &[(&str, &[u8])]) -> Vec<u8> {
    serde_json::to_vec(&json!({"documents": docs.iter().map(|(n, b)| json!({
        "name": n, "media_type": "application/pdf", "size": b.len(), "sha256": sha256_hex(b)
    })).collect::<Vec<_>>()}))
    .expect("json")
}

fn submission(id: &str, uploads: Vec<Value>) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "submission_id": id, "leika_id": LEIKA, "org_unit_id": OE,
        "applicant": {"name": "Erika Mustermann", "email": "erika@example.org", "postbox_ref": "pb-1"},
        "form": {"id": "wohngeld-v1", "data": {"miete": 612.5}},
        "uploads": uploads
    }))
    .expect("json")
}

fn reference(slot: &Value, name: &str, b: &[u8]) -> Value {
    json!({"upload_id": slot["upload_id"], "name": name, "media_type": "application/pdf",
           "size": b.len(), "sha256": sha256_hex(b)})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_megabytes_through_s3_presigned_slots() {
    let Some(b) = backend().await else { return };
    let scan = document(12 * 1024 * 1024, 3);
    let proof = document(8 * 1024 * 1024, 5);
    let (status, v) = signed(
        &b,
        Method::POST,
        "/v1/uploads",
        slot_body(&[("scan.pdf", &scan), ("nachweis.pdf", &proof)]),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    let slots = v["slots"].as_array().expect("slots").clone();
    // S3 takes only what the signature covers: the exact length and the checksum metadata.
    // (moto does not verify signatures, so this is asserted on the URL itself.)
    let url = slots[0]["url"].as_str().expect("url");
    let signed_headers = url
        .split(['?', '&'])
        .find_map(|p| p.strip_prefix("X-Amz-SignedHeaders="))
        .expect("a SigV4 presigned URL");
    assert!(
        signed_headers.contains("content-length") && signed_headers.contains("x-amz-meta-sha256"),
        "{signed_headers}"
    );
    assert_eq!(slots[0]["headers"]["x-amz-meta-sha256"], sha256_hex(&scan));
    for (slot, bytes) in slots.iter().zip([&scan, &proof]) {
        let status = put_to_slot(slot, bytes.clone()).await;
        assert!(status.is_success(), "S3 PUT: {status}");
    }
    let body = submission(
        &format!("big-{}", uuid_like()),
        vec![
            reference(&slots[0], "scan.pdf", &scan),
            reference(&slots[1], "nachweis.pdf", &proof),
        ],
    );
    assert!(
        body.len() < 4096,
        "the request stays far below Lambda's 6 MB"
    );
    let (status, v) = signed(&b, Method::POST, "/v1/submissions", body).await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    let case_id = v["case_id"].as_str().expect("case id");

    let cw = Caller::caseworker("cw", &[OE], &[Role::Caseworker]);
    for (n, expected) in [(1, &scan), (2, &proof)] {
        let (meta, bytes) = b
            .aws
            .app
            .attachment(&cw, case_id, n)
            .await
            .expect("attachment");
        assert_eq!(meta.size, expected.len() as u64);
        assert!(bytes == *expected, "attachment {n} differs");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn other_bytes_in_a_slot_are_refused_at_submission() {
    let Some(b) = backend().await else { return };
    let doc = b"%PDF-1.7 angekuendigt".to_vec();
    let (status, v) = signed(
        &b,
        Method::POST,
        "/v1/uploads",
        slot_body(&[("a.pdf", &doc)]),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    let slot = &v["slots"][0];
    // Same length, other content: S3 takes it (the length is signed, the content is not
    // checked by the emulator), the submission does not.
    let mut other = doc.clone();
    other[0] ^= 1;
    let status = put_to_slot(slot, other).await;
    assert!(status.is_success(), "S3 PUT: {status}");
    let (status, v) = signed(
        &b,
        Method::POST,
        "/v1/submissions",
        submission(
            &format!("swap-{}", uuid_like()),
            vec![reference(slot, "a.pdf", &doc)],
        ),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["field"], "uploads[0].sha256");
}

fn uuid_like() -> String {
    format!(
        "{:x}",
        chrono::Utc::now().timestamp_nanos_opt().unwrap_or_default()
    )
}

/// `/antrag` senders cannot split their one request: above the Lambda limit the intake answers
/// a 413 problem that names the limit, and nothing is stored.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn antrag_above_the_lambda_limit_is_a_413_problem() {
    let Some(b) = backend().await else { return };
    let form = serde_json::to_vec(&json!({
        "control": {"transactionId": "too-big-1", "zustaendigeStelle": OE, "leikaIds": [LEIKA],
                    "formId": "f", "name": "Antrag"},
        "formData": [{"name": "a", "label": "Vorname", "stringValue": "Erika"}]
    }))
    .expect("json");
    let scan = document(fallwerk_api::Limits::LAMBDA_SUBMISSION + 1, 9);
    let body = fallwerk_api::testing::multipart(&[
        fallwerk_api::testing::Part {
            name: "formData",
            file_name: None,
            content_type: Some("application/octet-stream"),
            bytes: &form,
        },
        fallwerk_api::testing::Part {
            name: "attachment",
            file_name: Some("scan.pdf"),
            content_type: Some("application/pdf"),
            bytes: &scan,
        },
    ]);
    let req = fallwerk_api::testing::antrag_request(CLIENT, SECRET, body);
    let router = fallwerk_intake::router(&b.aws);
    let res = router.oneshot(req).await.expect("infallible");
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(
        res.headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/problem+json")
    );
    let bytes = to_bytes(res.into_body(), usize::MAX).await.expect("body");
    let v: Value = serde_json::from_slice(&bytes).expect("problem");
    assert_eq!(v["type"], "https://fallwerk.dev/problems/payload-too-large");
    assert!(
        v["detail"]
            .as_str()
            .is_some_and(|d| d.contains(&fallwerk_api::Limits::LAMBDA_SUBMISSION.to_string())),
        "{v}"
    );
    let cw = Caller::caseworker("cw", &[OE], &[Role::Caseworker]);
    let inbox = b
        .aws
        .app
        .search_inbox(&cw, Default::default())
        .await
        .expect("inbox");
    assert!(inbox.items.is_empty(), "nothing stored");
}
