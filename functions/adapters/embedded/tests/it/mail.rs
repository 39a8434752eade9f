//! `EmlMailer` writes `.eml` files that a MIME parser reads back: headers, the RFC 2047 subject
//! with German umlauts, both alternative parts; one file per mail id.

use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use fallwerk_core::ports::{Mail, MailError, Mailer};
use fallwerk_embedded::EmlMailer;
use mailparse::{MailHeaderMap, ParsedMail};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 9, 5, 7)
        .single()
        .expect("valid time")
}

const SUBJECT: &str = "Neue Nachricht zu Ihrem Antrag MV-2026-000123 – Änderung für Frau Müßig";
const TEXT: &str = "Guten Tag,\n\nin Ihrem Postfach liegt eine neue Nachricht zu Ihrem Antrag \
MV-2026-000123 (Bürgeramt Köln).\n\nhttps://portal.example/postfach/MV-2026-000123\n\nMit \
freundlichen Grüßen\nIhr Bürgeramt Köln – Straßenverkehrsangelegenheiten, Öffnungszeiten \
Mo–Fr; eine sehr lange Zeile, damit die Kodierung sie umbrechen muss: äöüÄÖÜß äöüÄÖÜß äöüÄÖÜß \
äöüÄÖÜß äöüÄÖÜß äöüÄÖÜß.\n";
const HTML: &str = "<p>Guten Tag,</p><p>in Ihrem <a href=\"https://portal.example/postfach\">\
Postfach</a> liegt eine neue Nachricht.</p><p>Mit freundlichen Grüßen<br>Ihr Bürgeramt Köln</p>";

fn mail(id: &str, html: bool) -> Mail {
    Mail {
        id: id.to_string(),
        from: "Bürgeramt Köln <noreply@koeln.example>".into(),
        to: vec![
            "anna.mueller@example.org".into(),
            "Jörg Weiß <joerg@example.org>".into(),
        ],
        subject: SUBJECT.into(),
        text: TEXT.into(),
        html: html.then(|| HTML.to_string()),
    }
}

fn mailer(dir: &std::path::Path) -> EmlMailer {
    EmlMailer::open(dir.join("outbox"))
        .expect("open outbox")
        .with_clock(Arc::new(t0))
}

fn files(mailer: &EmlMailer) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(mailer.dir())
        .expect("read outbox")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn header(parsed: &ParsedMail<'_>, name: &str) -> String {
    parsed
        .headers
        .get_first_value(name)
        .unwrap_or_else(|| panic!("header {name} missing"))
}

#[tokio::test]
async fn writes_a_multipart_mail_that_parses_back() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mailer = mailer(dir.path());
    let name = mailer.send(&mail("msg-42", true)).await.expect("send");
    assert_eq!(name, "20260302T090507-msg-42.eml");
    assert_eq!(
        files(&mailer),
        vec![name.clone()],
        "no temp file left behind"
    );

    let raw = std::fs::read(mailer.dir().join(&name)).expect("read eml");
    assert!(raw.is_ascii(), "headers and bodies are transfer-encoded");
    let text = String::from_utf8_lossy(&raw);
    assert!(text.lines().all(|l| l.len() <= 998), "RFC 5322 line length");
    assert!(text.contains("\r\n"), "CRLF line endings");
    let raw_subject = text
        .lines()
        .find(|l| l.starts_with("Subject:"))
        .expect("Subject line");
    assert!(
        raw_subject.contains("=?utf-8?"),
        "RFC 2047 encoded: {raw_subject}"
    );

    let parsed = mailparse::parse_mail(&raw).expect("parse eml");
    assert_eq!(header(&parsed, "Subject"), SUBJECT, "umlauts survive");
    assert_eq!(header(&parsed, "Message-ID"), "<msg-42@fallwerk.local>");
    assert_eq!(header(&parsed, "MIME-Version"), "1.0");
    let from = mailparse::addrparse_header(parsed.headers.get_first_header("From").expect("From"))
        .expect("parse From");
    assert_eq!(
        from.extract_single_info().map(|i| (i.display_name, i.addr)),
        Some((
            Some("Bürgeramt Köln".to_string()),
            "noreply@koeln.example".to_string()
        ))
    );
    let to = mailparse::addrparse_header(parsed.headers.get_first_header("To").expect("To"))
        .expect("parse To");
    assert_eq!(to.len(), 2);
    assert!(header(&parsed, "To").contains("joerg@example.org"));
    let date = mailparse::dateparse(&header(&parsed, "Date")).expect("parse Date");
    assert_eq!(date, t0().timestamp());

    assert_eq!(parsed.ctype.mimetype, "multipart/alternative");
    assert_eq!(parsed.subparts.len(), 2);
    let (plain, html) = (&parsed.subparts[0], &parsed.subparts[1]);
    assert_eq!(plain.ctype.mimetype, "text/plain");
    assert_eq!(plain.ctype.charset.to_ascii_lowercase(), "utf-8");
    assert_eq!(
        plain.get_body().expect("text body").replace("\r\n", "\n"),
        TEXT
    );
    assert_eq!(html.ctype.mimetype, "text/html");
    assert_eq!(html.ctype.charset.to_ascii_lowercase(), "utf-8");
    assert_eq!(
        html.get_body().expect("html body").replace("\r\n", "\n"),
        HTML
    );
}

#[tokio::test]
async fn text_only_mail_is_a_single_part() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mailer = mailer(dir.path());
    let name = mailer.send(&mail("msg-1", false)).await.expect("send");
    let raw = std::fs::read(mailer.dir().join(&name)).expect("read eml");
    let parsed = mailparse::parse_mail(&raw).expect("parse eml");
    assert_eq!(parsed.ctype.mimetype, "text/plain");
    assert!(parsed.subparts.is_empty());
    assert_eq!(parsed.get_body().expect("body").replace("\r\n", "\n"), TEXT);
    assert_eq!(header(&parsed, "Subject"), SUBJECT);
}

#[tokio::test]
async fn the_same_mail_id_gives_one_file_first_write_wins() {
    let dir = tempfile::tempdir().expect("tempdir");
    let first = mailer(dir.path());
    let name = first.send(&mail("msg-7", true)).await.expect("send");
    let before = std::fs::read(first.dir().join(&name)).expect("read");
    // A redelivery an hour later, with a changed text: nothing new is written.
    let later = first
        .clone()
        .with_clock(Arc::new(|| t0() + chrono::Duration::hours(1)));
    let mut changed = mail("msg-7", true);
    changed.text = "anders".into();
    assert_eq!(later.send(&changed).await.expect("resend"), name);
    assert_eq!(files(&first), vec![name.clone()]);
    assert_eq!(
        std::fs::read(first.dir().join(&name)).expect("read"),
        before
    );
    // Another id is another file.
    let other = later.send(&mail("msg-7b", true)).await.expect("send");
    assert_eq!(other, "20260302T100507-msg-7b.eml");
    assert_eq!(files(&first).len(), 2);
}

#[tokio::test]
async fn a_restarted_mailer_finds_the_files_already_written() {
    let dir = tempfile::tempdir().expect("tempdir");
    let name = mailer(dir.path())
        .send(&mail("msg-9", false))
        .await
        .expect("send");
    // A new process (a new mailer on the same directory) gets the redelivery.
    let restarted = mailer(dir.path());
    assert_eq!(
        restarted.send(&mail("msg-9", false)).await.expect("resend"),
        name
    );
    assert_eq!(files(&restarted), vec![name]);
}

#[tokio::test]
async fn concurrent_sends_of_one_id_write_one_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mailer = mailer(dir.path());
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let m = mailer.clone();
        tasks.push(tokio::spawn(
            async move { m.send(&mail("msg-c", true)).await },
        ));
    }
    for t in tasks {
        t.await.expect("task").expect("send");
    }
    assert_eq!(files(&mailer).len(), 1);
}

#[tokio::test]
async fn odd_ids_are_sanitised_into_safe_file_names() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mailer = mailer(dir.path());
    let name = mailer
        .send(&mail("../../etc/passwd", false))
        .await
        .expect("send");
    assert!(!name.contains('/') && name.ends_with(".eml"), "{name}");
    assert!(mailer.dir().join(&name).is_file());
    let raw = std::fs::read(mailer.dir().join(&name)).expect("read eml");
    let parsed = mailparse::parse_mail(&raw).expect("parse");
    let id = header(&parsed, "Message-ID");
    assert!(
        id.starts_with("<______etc_passwd-") && id.ends_with("@fallwerk.local>"),
        "{id}"
    );
}

#[tokio::test]
async fn invalid_addresses_are_permanent_failures_and_write_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mailer = mailer(dir.path());
    let mut bad_to = mail("m", false);
    bad_to.to = vec!["not an address".into()];
    assert!(matches!(
        mailer.send(&bad_to).await,
        Err(MailError::Permanent(_))
    ));
    let mut no_to = mail("m", false);
    no_to.to.clear();
    assert!(matches!(
        mailer.send(&no_to).await,
        Err(MailError::Permanent(_))
    ));
    let mut bad_from = mail("m", false);
    bad_from.from = "@".into();
    assert!(matches!(
        mailer.send(&bad_from).await,
        Err(MailError::Permanent(_))
    ));
    assert!(files(&mailer).is_empty());
}

/// A process killed between writing a mail's temporary file and renaming it leaves a `.tmp`;
/// opening the outbox again removes it, and the mail written anew is complete (issue 16).
#[tokio::test]
async fn unfinished_temporaries_are_swept_on_open() {
    let dir = tempfile::tempdir().expect("tempdir");
    let outbox = dir.path().join("outbox");
    std::fs::create_dir_all(&outbox).expect("outbox");
    let stale = outbox.join(".20260302T090507-m-crash.eml.0f3c.tmp");
    std::fs::write(&stale, b"From: half a mail").expect("stale tmp");
    let keep = outbox.join("notes.txt");
    std::fs::write(&keep, b"not ours").expect("other file");
    let m = mailer(dir.path());
    assert!(!stale.exists(), "the temporary is gone");
    assert!(keep.exists(), "other files stay");
    m.send(&mail("m-crash", false)).await.expect("send");
    let names = files(&m);
    assert_eq!(names, vec!["20260302T090507-m-crash.eml", "notes.txt"]);
    let raw = std::fs::read(m.dir().join(&names[0])).expect("read");
    let parsed = mailparse::parse_mail(&raw).expect("parse");
    assert_eq!(header(&parsed, "X-Fallwerk-Message-ID"), "m-crash");
    assert_eq!(header(&parsed, "Message-ID"), "<m-crash@fallwerk.local>");
}
