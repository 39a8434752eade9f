//! Every template renders; values are escaped in HTML and kept verbatim in text.

use super::*;

fn vars() -> MailVars {
    MailVars {
        reference: "MV-2026-000123".into(),
        org_unit_name: "Bürgeramt <Rostock> & Co".into(),
        service_name: "Wohngeld".into(),
        case_link: "https://sb.example/cases/c1".into(),
        postbox_link: "https://portal.example/postfach/pb-1".into(),
        deadline_label: Some("Bearbeitungsfrist".into()),
        due_on: Some("03.02.2026".into()),
        assignee: Some("u-7".into()),
        reply_by: Some("04.02.2026".into()),
        until: Some("05.02.2026".into()),
        error: Some("HTTP 500".into()),
        documents: 0,
    }
}

#[test]
fn the_result_notice_says_how_many_documents_came() {
    let render_with = |documents| {
        render(
            MailKind::ApplicantResult,
            &MailVars {
                documents,
                ..vars()
            },
        )
        .expect("renders")
    };
    let none = render_with(0);
    assert!(
        none.text.contains("Sie finden sie in Ihrem Postfach."),
        "{}",
        none.text
    );
    assert!(!none.text.contains("Dokument"), "{}", none.text);
    let one = render_with(1);
    assert!(
        one.text.contains("mit einem Dokument in Ihrem Postfach"),
        "{}",
        one.text
    );
    let two = render_with(2);
    assert!(
        two.text.contains("mit 2 Dokumenten in Ihrem Postfach"),
        "{}",
        two.text
    );
    assert!(
        two.html.contains("mit 2 Dokumenten in Ihrem Postfach"),
        "{}",
        two.html
    );
}

#[test]
fn all_kinds_render_with_reference_and_escaping() {
    for kind in MailKind::ALL {
        let r = render(kind, &vars()).unwrap_or_else(|e| panic!("{}: {e:#}", kind.name()));
        assert!(r.subject.contains("MV-2026-000123"), "{}", kind.name());
        assert!(!r.subject.contains('\n'));
        assert!(r.text.contains("MV-2026-000123"), "{}", kind.name());
        assert!(
            r.text.starts_with("Guten Tag,"),
            "{}: {}",
            kind.name(),
            r.text
        );
        assert!(!r.text.contains("\n\n\n"), "{}", kind.name());
        assert!(!r.html.contains("<Rostock>"), "{}: unescaped", kind.name());
        if r.html.contains("Rostock") {
            assert!(
                r.html.contains("&lt;Rostock&gt; &amp; Co"),
                "{}",
                kind.name()
            );
        }
        if kind.to_applicant() {
            assert!(r.text.contains("https://portal.example/postfach/pb-1"));
            assert!(
                r.html
                    .contains("href=\"https://portal.example/postfach/pb-1\"")
            );
            assert!(r.text.contains("Bürgeramt <Rostock> & Co"));
            assert!(!r.text.contains("sb.example"));
        } else {
            assert!(
                r.text.contains("https://sb.example/cases/c1"),
                "{}",
                kind.name()
            );
        }
    }
}

#[test]
fn reminder_names_assignee_or_says_unassigned() {
    let r = render(MailKind::ReminderDue, &vars()).unwrap();
    assert!(r.text.contains("u-7"));
    assert!(r.text.contains("03.02.2026"));
    let r = render(
        MailKind::ReminderWarning,
        &MailVars {
            assignee: None,
            ..vars()
        },
    )
    .unwrap();
    assert!(r.text.contains("nicht zugewiesen"));
    assert!(!r.text.contains("none"));
}
