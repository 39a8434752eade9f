//! The export consumer against the real SQLite store and a local webhook receiver: signed
//! delivery, receipts, retries with backoff, give-up with `export_failed`, and the package
//! itself (manifest checksums, well-formed XML without internal notes).

use crate::common;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use base64::Engine;
use common::receiver::Receiver;
use common::{ATTACHMENT_BYTES, COMMENT_SECRET, FORM_SECRET, Harness};
use fallwerk_core::case::Action;
use fallwerk_core::model::Status;
use fallwerk_core::ports::sha256_hex;
use fallwerk_events::{ExportRequested, ExportTarget, OrgUnitReason, QueueMessage};
use fallwerk_workers::export::Manifest;
use fallwerk_workers::webhook::WirePackage;
use fallwerk_workers::{
    ExportSinks, Outcome, RetryPolicy, WebhookConfig, WebhookSink, handle, handle_export,
};
use quick_xml::events::Event;

const SECRET: &str = "s3cr3t-webhook-key";

fn sinks(secret_ref: &str) -> ExportSinks {
    let config = WebhookConfig {
        retry: RetryPolicy {
            attempts: 3,
            base_delay: Duration::from_millis(5),
            max_delay: Duration::from_millis(20),
        },
        timeout: Duration::from_secs(5),
        connect_timeout: Duration::from_secs(2),
        allow_http: true,
    };
    let secrets = HashMap::from([(secret_ref.to_string(), SECRET.to_string())]);
    let sink = WebhookSink::new(secrets, config).expect("sink");
    ExportSinks::default()
        .with(Arc::new(fallwerk_embedded::DirectorySink::new()))
        .with(Arc::new(sink))
}

async fn setup(fail: u32) -> (Harness, Arc<Receiver>, String, ExportRequested) {
    let receiver = Receiver::start(SECRET, fail).await;
    let target = ExportTarget::Webhook {
        url: receiver.url.clone(),
        secret_ref: "dms-test".into(),
    };
    // The env-style key (DMS_TEST) finds the ref `dms-test`.
    let h = Harness::new(Some(target), sinks("DMS_TEST")).await;
    let id = h.exporting_case().await;
    let req = export_request(&h, &id).await;
    (h, receiver, id, req)
}

async fn export_request(h: &Harness, id: &str) -> ExportRequested {
    h.outbox(id)
        .await
        .into_iter()
        .rev()
        .find_map(|m| match m {
            QueueMessage::ExportRequested(r) => Some(r),
            _ => None,
        })
        .expect("export requested")
}

fn decode(body: &[u8]) -> (WirePackage, HashMap<String, Vec<u8>>) {
    let wire: WirePackage = serde_json::from_slice(body).expect("body is JSON");
    let files = wire
        .files
        .iter()
        .map(|f| {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(&f.content_base64)
                .expect("base64");
            assert_eq!(sha256_hex(&bytes), f.sha256, "{}", f.path);
            assert_eq!(bytes.len() as u64, f.size, "{}", f.path);
            (f.path.clone(), bytes)
        })
        .collect();
    (wire, files)
}

/// Parses the whole document; quick-xml checks nesting and end names. Returns the number of
/// comments and the text content of every element (references resolved).
fn parse_xml(xml: &str) -> (usize, Vec<String>) {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut comments = 0;
    let mut texts = Vec::new();
    let mut current = String::new();
    loop {
        match reader.read_event() {
            Ok(Event::Eof) => return (comments, texts),
            Ok(Event::Comment(_)) => comments += 1,
            Ok(Event::Text(t)) => current.push_str(&t.decode().expect("utf-8")),
            Ok(Event::CData(t)) => current.push_str(&String::from_utf8_lossy(&t)),
            Ok(Event::GeneralRef(r)) => {
                let name = r.decode().expect("utf-8");
                match r.resolve_char_ref().expect("char ref") {
                    Some(c) => current.push(c),
                    None => current.push_str(
                        quick_xml::escape::resolve_predefined_entity(&name).expect("known entity"),
                    ),
                }
            }
            Ok(_) => {
                if !current.trim().is_empty() {
                    texts.push(std::mem::take(&mut current));
                }
                current.clear();
            }
            Err(e) => panic!("malformed XML at {}: {e}", reader.buffer_position()),
        }
    }
}

#[tokio::test]
async fn webhook_export_is_signed_and_the_case_stores_the_receipt() {
    let (h, receiver, id, req) = setup(0).await;
    let case = h.case(&id).await;
    assert_eq!(case.status, Status::Exporting);
    assert_eq!(
        handle(&h.ctx, &QueueMessage::ExportRequested(req.clone()), 1).await,
        Outcome::Done
    );

    let case = h.case(&id).await;
    assert_eq!(case.status, Status::Exported);
    let export = case.export.expect("export state");
    assert_eq!(export.receipt.as_deref(), Some("DMS-1"));
    assert_eq!(export.location.as_deref(), Some(receiver.url.as_str()));
    assert_eq!(receiver.bad_signatures.load(Ordering::SeqCst), 0);

    let accepted = receiver.accepted.lock().await.clone();
    assert_eq!(accepted.len(), 1);
    let got = &accepted[0];
    let package = format!("{}-1", case.reference);
    assert_eq!(got.headers["idempotency-key"], package.as_str());
    assert_eq!(got.headers["content-type"], "application/json");
    let ts = got.headers["x-fallwerk-timestamp"].to_str().expect("ts");
    assert!(ts.parse::<i64>().is_ok());
    assert_eq!(
        got.headers["x-fallwerk-signature"].to_str().expect("sig"),
        fallwerk_workers::webhook::sign(SECRET, ts, &got.body)
    );

    // Redelivery of the same message: nothing is delivered again.
    assert_eq!(handle_export(&h.ctx, &req, 2).await, Outcome::Done);
    assert_eq!(receiver.requests.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn the_package_lists_every_file_with_its_checksum_and_the_xml_is_clean() {
    let (h, receiver, id, req) = setup(0).await;
    assert_eq!(handle_export(&h.ctx, &req, 1).await, Outcome::Done);
    let case = h.case(&id).await;
    let body = receiver.accepted.lock().await[0].body.clone();
    let (wire, files) = decode(&body);
    assert_eq!(wire.format, "fallwerk-export");
    assert_eq!(wire.format_version, 1);
    assert_eq!(wire.files[0].path, "manifest.json");

    let manifest: Manifest = serde_json::from_slice(&files["manifest.json"]).expect("manifest");
    assert_eq!(manifest.format_version, 1);
    assert_eq!(manifest.package, format!("{}-1", case.reference));
    assert_eq!(manifest.case_id, id);
    assert_eq!(manifest.reference, case.reference);
    assert_eq!(manifest.org_unit.id, "ou-rostock");
    assert_eq!(manifest.service.name, "Wohngeld");
    assert_eq!(files.len(), manifest.files.len() + 1);
    for f in &manifest.files {
        let bytes = files.get(&f.path).expect("listed file is in the package");
        assert_eq!(sha256_hex(bytes), f.sha256, "{}", f.path);
        assert_eq!(bytes.len() as u64, f.size);
    }
    let paths: Vec<&str> = manifest.files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "case.xml",
            "form.json",
            "attachments/1-Melde_bescheinigung_.pdf"
        ]
    );
    assert_eq!(
        files["attachments/1-Melde_bescheinigung_.pdf"],
        ATTACHMENT_BYTES
    );
    let form: serde_json::Value = serde_json::from_slice(&files["form.json"]).expect("form");
    assert_eq!(form["antragsteller"]["1. Feld"], FORM_SECRET);

    let xml = String::from_utf8(files["case.xml"].clone()).expect("utf-8");
    let (comments, texts) = parse_xml(&xml);
    assert_eq!(comments, 0);
    assert!(!xml.contains("<!--"));
    assert!(!xml.contains(COMMENT_SECRET), "internal comment leaked");
    assert!(
        xml.contains("type=\"commented\""),
        "the comment event itself is in the history"
    );
    assert!(xml.contains("<string key=\"1. Feld\">"));
    // The normalised view next to the tree (issue 13): native keys are the labels.
    assert!(xml.contains("<formFields shape=\"native\">"), "{xml}");
    assert!(xml.contains("<group id=\"antragsteller\" label=\"antragsteller\">"));
    assert!(xml.contains("id=\"1. Feld\" label=\"1. Feld\" type=\"text\""));
    assert!(texts.iter().any(|t| t == FORM_SECRET));
    assert!(
        texts.iter().any(|t| t == "a < b & \"c\" ]]> \u{FFFD}"),
        "{texts:?}"
    );
    assert!(texts.iter().any(|t| t == "Erika Mustermann"));
    assert!(
        texts.iter().any(|t| t == common::REPLY_SECRET),
        "correspondence is exported"
    );
    assert!(xml.contains(&format!("sha256=\"{}\"", sha256_hex(ATTACHMENT_BYTES))));
    assert!(xml.contains("kind=\"processing_due\""));
    assert!(xml.contains("type=\"export_requested\""));
}

#[tokio::test]
async fn a_503_is_retried_within_one_delivery() {
    let (h, receiver, id, req) = setup(2).await;
    assert_eq!(handle_export(&h.ctx, &req, 1).await, Outcome::Done);
    assert_eq!(receiver.requests.load(Ordering::SeqCst), 3);
    assert_eq!(h.case(&id).await.status, Status::Exported);
    // All three tries carried the same package name.
    assert_eq!(receiver.accepted.lock().await.len(), 1);
}

#[tokio::test]
async fn a_failing_webhook_is_retried_then_given_up_with_export_failed() {
    let (h, receiver, id, req) = setup(1000).await;
    for receive in 1..=2 {
        let outcome = handle_export(&h.ctx, &req, receive).await;
        assert!(
            matches!(&outcome, Outcome::Retry(e) if e.contains("503")),
            "{outcome:?}"
        );
        assert_eq!(h.case(&id).await.status, Status::Exporting);
    }
    assert_eq!(receiver.requests.load(Ordering::SeqCst), 6);
    let outcome = handle_export(&h.ctx, &req, 3).await;
    assert!(matches!(outcome, Outcome::GiveUp(_)), "{outcome:?}");
    let case = h.case(&id).await;
    assert_eq!(case.status, Status::ExportFailed);
    let error = case.export.and_then(|e| e.last_error).expect("error");
    assert!(error.contains("503"), "{error}");

    // The core told the org unit; the messaging consumer mails it.
    let notice = h
        .outbox(&id)
        .await
        .into_iter()
        .find(|m| {
            matches!(m, QueueMessage::OrgUnitNotification(n) if n.reason == OrgUnitReason::ExportFailed)
        })
        .expect("export failed notice");
    assert_eq!(handle(&h.ctx, &notice, 1).await, Outcome::Done);
    let mail = h.mailer.sent().pop().expect("mail");
    assert_eq!(mail.to, ["buergeramt@rostock.example"]);
    assert!(mail.subject.starts_with("Export fehlgeschlagen"));
    assert!(mail.text.contains("503"));

    // retry_export starts attempt 2 with a new message; it succeeds once the receiver is back.
    receiver.fail.store(0, Ordering::SeqCst);
    h.act(&id, Action::RetryExport).await;
    let second = export_request(&h, &id).await;
    assert_eq!(second.attempt, 2);
    // The old message, redelivered late, does nothing.
    assert_eq!(handle_export(&h.ctx, &req, 4).await, Outcome::Done);
    assert_eq!(receiver.accepted.lock().await.len(), 0);
    assert_eq!(handle_export(&h.ctx, &second, 1).await, Outcome::Done);
    let case = h.case(&id).await;
    assert_eq!(case.status, Status::Exported);
    let accepted = receiver.accepted.lock().await;
    assert_eq!(
        accepted[0].headers["idempotency-key"],
        format!("{}-2", case.reference).as_str()
    );
}

#[tokio::test]
async fn a_4xx_is_permanent() {
    let (h, receiver, id, req) = setup(1).await;
    receiver.fail_status.store(422, Ordering::SeqCst);
    let outcome = handle_export(&h.ctx, &req, 1).await;
    assert!(
        matches!(&outcome, Outcome::GiveUp(e) if e.contains("422")),
        "{outcome:?}"
    );
    assert_eq!(receiver.requests.load(Ordering::SeqCst), 1);
    assert_eq!(h.case(&id).await.status, Status::ExportFailed);
}

#[tokio::test]
async fn a_missing_secret_fails_without_sending() {
    let receiver = Receiver::start(SECRET, 0).await;
    let target = ExportTarget::Webhook {
        url: receiver.url.clone(),
        secret_ref: "other".into(),
    };
    let h = Harness::new(Some(target), sinks("dms-test")).await;
    let id = h.exporting_case().await;
    let req = export_request(&h, &id).await;
    assert!(matches!(
        handle_export(&h.ctx, &req, 1).await,
        Outcome::GiveUp(_)
    ));
    assert_eq!(receiver.requests.load(Ordering::SeqCst), 0);
    assert_eq!(h.case(&id).await.status, Status::ExportFailed);
}

#[tokio::test]
async fn a_case_cancelled_meanwhile_is_not_delivered() {
    let (h, receiver, id, req) = setup(0).await;
    h.act(
        &id,
        Action::Cancel {
            reason: "zurückgezogen".into(),
        },
    )
    .await;
    assert_eq!(handle_export(&h.ctx, &req, 1).await, Outcome::Done);
    assert_eq!(receiver.requests.load(Ordering::SeqCst), 0);
    assert_eq!(h.case(&id).await.status, Status::Cancelled);
}

#[tokio::test]
async fn the_directory_sink_receives_the_same_package() {
    let out = tempfile::tempdir().expect("tempdir");
    let target = ExportTarget::Directory {
        path: out.path().to_string_lossy().into_owned(),
    };
    let h = Harness::new(Some(target), sinks("dms-test")).await;
    let id = h.exporting_case().await;
    let req = export_request(&h, &id).await;
    assert_eq!(handle_export(&h.ctx, &req, 1).await, Outcome::Done);
    let case = h.case(&id).await;
    assert_eq!(case.status, Status::Exported);
    let dir = out.path().join(format!("{}-1", case.reference));
    let manifest: Manifest =
        serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).expect("manifest"))
            .expect("json");
    for f in &manifest.files {
        let bytes = std::fs::read(dir.join(&f.path)).expect("file");
        assert_eq!(sha256_hex(&bytes), f.sha256);
    }
}

/// The export consumer crashed after delivering (its claim expired unconfirmed, the receipt was
/// never stored): the redelivery delivers the same package again and stores the receipt, so the
/// case does not stay `exporting` (issue 16: "1 of 118 cases stuck").
#[tokio::test]
async fn a_crash_after_delivery_is_repaired_by_the_redelivery() {
    let (h, receiver, id, req) = setup(0).await;
    let now = h.app.clock.now();
    let then = now - chrono::Duration::minutes(5);
    let state = h
        .store
        .claim_work(&req.message_id, then, then + chrono::Duration::seconds(120));
    assert_eq!(
        state.await.expect("claim"),
        fallwerk_core::ports::ClaimState::Claimed
    );
    assert_eq!(handle_export(&h.ctx, &req, 2).await, Outcome::Done);
    let case = h.case(&id).await;
    assert_eq!(case.status, Status::Exported);
    let accepted = receiver.accepted.lock().await.clone();
    assert_eq!(accepted.len(), 1);
    assert_eq!(
        accepted[0].headers["idempotency-key"],
        format!("{}-1", case.reference).as_str(),
        "the package name is the same on every delivery of the attempt"
    );
    // Confirmed now: a further copy delivers nothing.
    assert_eq!(handle_export(&h.ctx, &req, 3).await, Outcome::Done);
    assert_eq!(receiver.requests.load(Ordering::SeqCst), 1);
}
