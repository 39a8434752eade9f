//! End to end with the embedded mode's `EmlMailer`: a case walk's notices land as `.eml` files,
//! one per message, however often the messages are delivered.

use crate::common;
use std::sync::Arc;

use common::Harness;
use fallwerk_core::case::Action;
use fallwerk_embedded::EmlMailer;
use fallwerk_workers::{ExportSinks, Outcome, handle};

#[tokio::test]
async fn a_case_walk_writes_one_eml_per_message() {
    let mut h = Harness::new(None, ExportSinks::default()).await;
    let outbox_dir = tempfile::tempdir().expect("tempdir");
    h.ctx.mailer = Arc::new(EmlMailer::open(outbox_dir.path()).expect("mailer"));
    let id = h.submit(Some("erika@example.org")).await;
    h.act(&id, Action::ConfirmCompetence).await;
    h.act(
        &id,
        Action::Message {
            attachments: vec![],
            subject: "Rückfrage".into(),
            text: "Bitte rufen Sie uns an.".into(),
        },
    )
    .await;
    let messages = h.outbox(&id).await;
    assert_eq!(messages.len(), 3);
    for receive in 1..=2 {
        for m in &messages {
            assert_eq!(handle(&h.ctx, m, receive).await, Outcome::Done);
        }
    }
    let files: Vec<_> = std::fs::read_dir(outbox_dir.path())
        .expect("dir")
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "eml"))
        .collect();
    assert_eq!(files.len(), 3);
    let reference = h.case(&id).await.reference;
    let mut to_applicant = 0;
    for f in files {
        let raw = std::fs::read_to_string(f.path()).expect("eml");
        assert!(raw.contains("From: fallwerk@amt.example"), "{raw}");
        assert!(raw.contains("multipart/alternative"));
        if raw.contains("To: erika@example.org") {
            to_applicant += 1;
        }
        // The reference is ASCII and survives any transfer encoding's soft line breaks.
        let unfolded = raw.replace("=\r\n", "").replace("=\n", "");
        assert!(unfolded.contains(&reference) || raw.contains("base64"));
    }
    assert_eq!(to_applicant, 2);
}
