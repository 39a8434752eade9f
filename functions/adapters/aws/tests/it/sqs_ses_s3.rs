//! The queue, mail and export adapters against moto: `SqsQueue` (send, receive, redelivery,
//! dead-lettering, delete), `SesMailer` (sent mail as moto records it, permanent failures) and
//! `S3ExportSink` (files, checksums, completion marker, idempotent redelivery).

use crate::common;
use std::collections::BTreeSet;

use fallwerk_aws::{
    COMPLETE_MARKER, MESSAGE_ID_ATTRIBUTE, S3ExportSink, SHA256_METADATA, SesMailer, SqsQueue,
    TYPE_ATTRIBUTE,
};
use fallwerk_core::ports::{
    ExportError, ExportPackage, ExportSink, Mail, MailError, Mailer, PackageFile, Queue,
};
use fallwerk_events::{
    ExportRequested, ExportTarget, OrgUnitNotification, OrgUnitReason, QueueMessage, QueueName,
};

fn notification(id: &str) -> QueueMessage {
    QueueMessage::OrgUnitNotification(OrgUnitNotification {
        v: 1,
        message_id: id.to_string(),
        case_id: "case-1".into(),
        reference: "MV-2026-000123".into(),
        org_unit_id: "ou-1".into(),
        reason: OrgUnitReason::NewCase,
    })
}

fn export_requested(id: &str) -> QueueMessage {
    QueueMessage::ExportRequested(ExportRequested {
        v: 1,
        message_id: id.to_string(),
        case_id: "case-1".into(),
        reference: "MV-2026-000123".into(),
        target: ExportTarget::S3 {
            bucket: "dms".into(),
            prefix: "eingang".into(),
        },
        attempt: 1,
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn send_routes_by_queue_and_round_trips_with_attributes() {
    let Some((client, urls)) = common::sqs_queues().await else {
        return;
    };
    let queue = SqsQueue::from_urls(client, &urls);
    let note = notification("msg-note-1");
    let export = export_requested("msg-export-1");
    queue.send(&note).await.expect("send notification");
    queue.send(&export).await.expect("send export");

    let got = queue
        .receive(QueueName::Messaging, 10, 1, 30)
        .await
        .expect("receive messaging");
    assert_eq!(got.len(), 1, "{got:?}");
    let d = &got[0];
    assert_eq!(d.body.as_ref().ok(), Some(&note));
    assert_eq!(d.receive_count, 1);
    assert!(!d.message_id.is_empty());
    assert_eq!(
        d.attributes.get(MESSAGE_ID_ATTRIBUTE).map(String::as_str),
        Some("msg-note-1")
    );
    assert_eq!(
        d.attributes.get(TYPE_ATTRIBUTE).map(String::as_str),
        Some("OrgUnitNotification")
    );

    let got_export = queue
        .receive(QueueName::Export, 10, 1, 30)
        .await
        .expect("receive export");
    assert_eq!(got_export.len(), 1, "{got_export:?}");
    assert_eq!(got_export[0].body.as_ref().ok(), Some(&export));
    assert_eq!(
        got_export[0]
            .attributes
            .get(TYPE_ATTRIBUTE)
            .map(String::as_str),
        Some("ExportRequested")
    );

    // delete removes it for good: even with the visibility timeout over, nothing comes back.
    queue
        .delete(QueueName::Messaging, &d.receipt_handle)
        .await
        .expect("delete");
    queue
        .retry_later(QueueName::Export, &got_export[0].receipt_handle, 0)
        .await
        .expect("make export visible again");
    assert!(
        queue
            .receive(QueueName::Messaging, 10, 0, 0)
            .await
            .expect("receive after delete")
            .is_empty()
    );
    let again = queue
        .receive(QueueName::Export, 10, 0, 30)
        .await
        .expect("receive export again");
    assert_eq!(again.len(), 1, "retry_later(0) makes the message visible");
    assert_eq!(again[0].receive_count, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn undeleted_message_is_redelivered_then_dead_lettered() {
    let Some((client, urls)) = common::sqs_queues().await else {
        return;
    };
    let queue = SqsQueue::from_urls(client.clone(), &urls);
    let msg = notification("msg-redrive-1");
    queue.send(&msg).await.expect("send");

    // Received and never deleted, with visibility 0: back at once, counting up.
    for expected in 1..=common::TEST_MAX_RECEIVE_COUNT {
        let got = queue
            .receive(QueueName::Messaging, 10, 1, 0)
            .await
            .expect("receive");
        assert_eq!(got.len(), 1, "receive #{expected}: {got:?}");
        assert_eq!(got[0].receive_count, expected);
        assert_eq!(got[0].body.as_ref().ok(), Some(&msg));
    }
    // The next receive finds the count exhausted: the message moves to the DLQ instead.
    assert!(
        queue
            .receive(QueueName::Messaging, 10, 1, 0)
            .await
            .expect("receive after max")
            .is_empty()
    );
    let dlq = SqsQueue::new(client, urls.messaging_dlq.clone(), urls.export_dlq.clone());
    let dead = dlq
        .receive(QueueName::Messaging, 10, 1, 30)
        .await
        .expect("receive dlq");
    assert_eq!(dead.len(), 1, "{dead:?}");
    assert_eq!(dead[0].body.as_ref().ok(), Some(&msg));
    assert_eq!(
        dead[0]
            .attributes
            .get(MESSAGE_ID_ATTRIBUTE)
            .map(String::as_str),
        Some("msg-redrive-1"),
        "attributes travel into the DLQ"
    );
    eprintln!("receive_count in the DLQ: {}", dead[0].receive_count);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn poison_body_is_delivered_as_error() {
    let Some((client, urls)) = common::sqs_queues().await else {
        return;
    };
    client
        .send_message()
        .queue_url(&urls.messaging)
        .message_body(r#"{"type":"Unknown","message_id":"x"}"#)
        .send()
        .await
        .expect("raw send");
    let queue = SqsQueue::from_urls(client, &urls);
    let got = queue
        .receive(QueueName::Messaging, 10, 1, 30)
        .await
        .expect("receive");
    assert_eq!(got.len(), 1);
    assert!(got[0].body.is_err(), "{:?}", got[0].body);
    assert!(got[0].attributes.is_empty());
}

fn mail(id: &str, from: &str, to: &str) -> Mail {
    Mail {
        id: id.to_string(),
        from: from.to_string(),
        to: vec![to.to_string()],
        subject: "Neuer Antrag für Ihre Behörde: Größe überprüfen (MV-2026-000123)".into(),
        text: "Guten Tag,\n\nein neuer Antrag ist eingegangen. Grüße".into(),
        html: Some("<p>Guten Tag,</p><p>ein neuer Antrag ist eingegangen. Grüße</p>".into()),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ses_mail_arrives_in_moto_with_umlauts_and_recipients() {
    let Some((client, sender)) = common::ses_client().await else {
        return;
    };
    let to = format!("{}@behoerde.example", common::unique("oe"));
    let m = mail("msg-mail-1", &sender, &to);
    let ses_id = SesMailer::new(client).send(&m).await.expect("send mail");
    assert!(!ses_id.is_empty());

    let sent = common::sent_mails(&common::moto_endpoint()).await;
    let found: Vec<_> = sent
        .iter()
        .filter(|s| s["source"] == sender.as_str())
        .collect();
    assert_eq!(found.len(), 1, "{sent:?}");
    let s = found[0];
    assert_eq!(s["id"], ses_id.as_str());
    assert_eq!(s["destinations"][0], to.as_str(), "{s}");
    // Sent raw: the mail as fallwerk renders it, with its id in both id headers.
    let raw = s["raw_data"].as_str().expect("raw_data");
    let parsed = mailparse::parse_mail(raw.as_bytes()).expect("RFC 5322");
    use mailparse::MailHeaderMap;
    assert_eq!(
        parsed.headers.get_first_value("Subject").as_deref(),
        Some(m.subject.as_str())
    );
    assert_eq!(
        parsed
            .headers
            .get_first_value("X-Fallwerk-Message-ID")
            .as_deref(),
        Some(m.id.as_str())
    );
    assert_eq!(
        parsed.headers.get_first_value("Message-ID"),
        Some(fallwerk_core::mail::message_id(&m.id))
    );
    let mut body = String::new();
    for part in std::iter::once(&parsed).chain(parsed.subparts.iter()) {
        body.push_str(&part.get_body().unwrap_or_default());
    }
    assert!(body.contains("Grüße"), "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ses_unverified_sender_and_missing_recipient_are_permanent() {
    let Some((client, _sender)) = common::ses_client().await else {
        return;
    };
    let mailer = SesMailer::new(client);
    let unverified = format!("{}@nicht-verifiziert.example", common::unique("fw"));
    match mailer
        .send(&mail("msg-mail-2", &unverified, "a@b.example"))
        .await
    {
        Err(MailError::Permanent(reason)) => assert!(reason.contains("msg-mail-2"), "{reason}"),
        other => panic!("expected a permanent error, got {other:?}"),
    }
    let mut none = mail("msg-mail-3", &unverified, "a@b.example");
    none.to.clear();
    assert!(matches!(
        mailer.send(&none).await,
        Err(MailError::Permanent(_))
    ));
}

fn file(path: &str, media_type: &str, bytes: &[u8]) -> PackageFile {
    PackageFile::new(path, media_type, bytes.to_vec())
}

fn package(name: &str) -> ExportPackage {
    ExportPackage {
        name: name.to_string(),
        case_id: "case-1".into(),
        files: vec![
            file(
                "manifest.json",
                "application/json",
                br#"{"format":"fallwerk-export","version":1}"#,
            ),
            file(
                "case.xml",
                "application/xml",
                "<fall>Größe</fall>".as_bytes(),
            ),
            file(
                "attachments/1-antrag.pdf",
                "application/pdf",
                b"%PDF-1.7 ...",
            ),
        ],
    }
}

async fn objects(client: &aws_sdk_s3::Client, bucket: &str) -> BTreeSet<String> {
    let resp = client
        .list_objects_v2()
        .bucket(bucket)
        .send()
        .await
        .expect("list");
    resp.contents()
        .iter()
        .filter_map(|o| o.key().map(str::to_string))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s3_export_sink_writes_package_with_checksums_and_is_idempotent() {
    let Some((client, bucket)) = common::s3_bucket().await else {
        return;
    };
    let sink = S3ExportSink::new(client.clone());
    let target = ExportTarget::S3 {
        bucket: bucket.clone(),
        prefix: "dms/eingang/".into(),
    };
    let pkg = package("MV-2026-000123-1");
    let receipt = sink.deliver(&target, &pkg).await.expect("deliver");
    assert_eq!(receipt.receipt, pkg.files[0].sha256);
    assert_eq!(
        receipt.location,
        format!("s3://{bucket}/dms/eingang/MV-2026-000123-1/")
    );

    let root = "dms/eingang/MV-2026-000123-1/";
    let expected: BTreeSet<String> = [
        "manifest.json",
        "case.xml",
        "attachments/1-antrag.pdf",
        COMPLETE_MARKER,
    ]
    .iter()
    .map(|p| format!("{root}{p}"))
    .collect();
    assert_eq!(objects(&client, &bucket).await, expected);

    for f in &pkg.files {
        let obj = client
            .get_object()
            .bucket(&bucket)
            .key(format!("{root}{}", f.path))
            .send()
            .await
            .expect("get");
        assert_eq!(obj.content_type(), Some(f.media_type.as_str()));
        assert_eq!(
            obj.metadata().and_then(|m| m.get(SHA256_METADATA)),
            Some(&f.sha256)
        );
        let bytes = obj.body.collect().await.expect("body").into_bytes();
        assert_eq!(bytes.as_ref(), f.bytes.as_slice());
    }
    let marker = client
        .get_object()
        .bucket(&bucket)
        .key(format!("{root}{COMPLETE_MARKER}"))
        .send()
        .await
        .expect("get marker")
        .body
        .collect()
        .await
        .expect("marker body")
        .into_bytes();
    assert_eq!(marker.as_ref(), receipt.receipt.as_bytes());

    // Redelivery: same receipt, same objects.
    let again = sink.deliver(&target, &pkg).await.expect("redeliver");
    assert_eq!(again, receipt);
    assert_eq!(objects(&client, &bucket).await, expected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s3_export_sink_refuses_other_targets_missing_buckets_and_bad_packages() {
    let Some((client, bucket)) = common::s3_bucket().await else {
        return;
    };
    let sink = S3ExportSink::new(client.clone());
    let pkg = package("MV-2026-000124-1");
    let webhook = ExportTarget::Webhook {
        url: "https://fachverfahren.example/import".into(),
        secret_ref: "hmac".into(),
    };
    match sink.deliver(&webhook, &pkg).await {
        Err(ExportError::Unsupported(kind)) => assert_eq!(kind, "webhook"),
        other => panic!("expected Unsupported, got {other:?}"),
    }
    let dir = ExportTarget::Directory {
        path: "/tmp/x".into(),
    };
    assert!(matches!(
        sink.deliver(&dir, &pkg).await,
        Err(ExportError::Unsupported(_))
    ));

    let missing = ExportTarget::S3 {
        bucket: common::unique("fw-missing"),
        prefix: "x".into(),
    };
    match sink.deliver(&missing, &pkg).await {
        Err(ExportError::Permanent(reason)) => assert!(reason.contains("NoSuchBucket"), "{reason}"),
        other => panic!("expected Permanent, got {other:?}"),
    }

    let target = ExportTarget::S3 {
        bucket: bucket.clone(),
        prefix: "x".into(),
    };
    let mut corrupt = package("MV-2026-000125-1");
    corrupt.files[1].bytes.push(b'!');
    assert!(matches!(
        sink.deliver(&target, &corrupt).await,
        Err(ExportError::Permanent(_))
    ));
    let mut no_manifest = package("MV-2026-000126-1");
    no_manifest.files.remove(0);
    assert!(matches!(
        sink.deliver(&target, &no_manifest).await,
        Err(ExportError::Permanent(_))
    ));
    let mut escaping = package("MV-2026-000127-1");
    escaping.files[1].path = "../../other/case.xml".into();
    assert!(matches!(
        sink.deliver(&target, &escaping).await,
        Err(ExportError::Permanent(_))
    ));
    assert!(
        objects(&client, &bucket).await.is_empty(),
        "bad packages write nothing"
    );
}
