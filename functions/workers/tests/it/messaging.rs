//! The messaging consumer against the real SQLite store: once-only sending, retries, give-up
//! with the failure on the case, and what the e-mails say (and never say).

use crate::common;
use common::{FORM_SECRET, Harness, REPLY_SECRET};
use fallwerk_core::case::Action;
use fallwerk_core::model::{Case, Deadline};
use fallwerk_core::ports::{ClaimState, MailError};
use fallwerk_events::{
    ApplicantNotification, ApplicantReason, CONTRACT_VERSION, DeadlineKind, DeadlineReminder,
    OrgUnitReason, QueueMessage, ReminderLevel, ReminderRecipient,
};
use fallwerk_workers::{ExportSinks, Outcome, handle, handle_message};

fn applicant_notice(h_case: &str, reference: &str, reason: ApplicantReason) -> QueueMessage {
    QueueMessage::ApplicantNotification(ApplicantNotification {
        v: CONTRACT_VERSION,
        message_id: format!("{h_case}:x:{reason:?}"),
        case_id: h_case.into(),
        reference: reference.into(),
        org_unit_id: "ou-rostock".into(),
        reason,
    })
}

/// A harness with one case submitted by erika@example.org, the case's id and a notice to her
/// for `reason`.
async fn notice_to_erika(reason: ApplicantReason) -> (Harness, String, QueueMessage) {
    let h = Harness::new(None, ExportSinks::default()).await;
    let id = h.submit(Some("erika@example.org")).await;
    let reference = h.case(&id).await.reference;
    let m = applicant_notice(&id, &reference, reason);
    (h, id, m)
}

#[tokio::test]
async fn new_case_notices_go_out_once_even_when_redelivered() {
    let h = Harness::new(None, ExportSinks::default()).await;
    let id = h.submit(Some("erika@example.org")).await;
    let case = h.case(&id).await;
    let outbox = h.outbox(&id).await;
    assert_eq!(outbox.len(), 2, "{outbox:?}");
    for m in &outbox {
        assert_eq!(handle(&h.ctx, m, 1).await, Outcome::Done);
        // The same message again (redelivery, or a second consumer): nothing is sent.
        assert_eq!(handle(&h.ctx, m, 2).await, Outcome::Done);
    }
    let sent = h.mailer.sent();
    assert_eq!(sent.len(), 2);

    let ou = sent
        .iter()
        .find(|m| m.to == ["buergeramt@rostock.example"])
        .expect("org unit notice");
    assert!(ou.subject.contains(&case.reference));
    assert!(ou.subject.contains("Wohngeld"));
    assert!(ou.text.contains(&format!("https://sb.example/cases/{id}")));
    assert!(ou.text.contains("Bürgeramt Rostock <Mitte> & Süd"));
    let html = ou.html.as_deref().expect("html");
    assert!(html.contains("Bürgeramt Rostock &lt;Mitte&gt; &amp; Süd"));
    assert!(!html.contains("<Mitte>"));

    let ap = sent
        .iter()
        .find(|m| m.to == ["erika@example.org"])
        .expect("applicant notice");
    assert_eq!(ap.from, "fallwerk@amt.example");
    assert!(ap.subject.contains(&case.reference));
    // The postbox ref is percent-encoded as a path segment; the portal URL's slash is trimmed.
    let link = "https://portal.example/postfach/pb%2F42%20%C3%A4";
    assert!(ap.text.contains(link), "{}", ap.text);
    assert!(ap.html.as_deref().expect("html").contains(link));
    for m in &sent {
        for body in [&m.subject, &m.text, m.html.as_ref().expect("html")] {
            assert!(!body.contains(FORM_SECRET));
            assert!(!body.contains("Erika"), "no applicant name in notices");
        }
    }
}

#[tokio::test]
async fn applicant_notices_never_carry_form_data_or_free_text() {
    let h = Harness::new(None, ExportSinks::default()).await;
    let id = h.submit(Some("erika@example.org")).await;
    h.act(&id, Action::ConfirmCompetence).await;
    // Each step's messages are handled right away, as the queue would; handling everything
    // again after each step also shows that nothing is sent twice.
    let drain = async |h: &Harness| {
        for m in h.outbox(&id).await {
            assert_eq!(handle(&h.ctx, &m, 1).await, Outcome::Done, "{m:?}");
        }
    };
    drain(&h).await;
    h.act(
        &id,
        Action::RequestDocuments {
            items: vec!["Einkommensnachweis-GEHEIM".into()],
            reply_by: None,
            message: Some("Bitte-schnell-GEHEIM".into()),
            reply_by_rule: Default::default(),
        },
    )
    .await;
    drain(&h).await;
    let reply_by = h
        .case(&id)
        .await
        .document_request
        .expect("request")
        .reply_by;
    h.app
        .applicant_reply(
            common::PORTAL,
            &id,
            "Antwort".into(),
            REPLY_SECRET.into(),
            vec![],
        )
        .await
        .expect("reply");
    drain(&h).await;
    h.act(
        &id,
        Action::Message {
            attachments: vec![],
            subject: "Betreff-GEHEIM".into(),
            text: "Nachricht-GEHEIM".into(),
        },
    )
    .await;
    drain(&h).await;
    h.act(
        &id,
        Action::Cancel {
            reason: "Grund-GEHEIM".into(),
        },
    )
    .await;
    drain(&h).await;
    let case = h.case(&id).await;
    let outbox = h.outbox(&id).await;
    let sent = h.mailer.sent();
    // received + new case, documents requested, applicant replied (OE), message, cancelled
    assert_eq!(sent.len(), outbox.len());
    assert_eq!(
        sent.len(),
        6,
        "{:#?}",
        sent.iter().map(|m| &m.subject).collect::<Vec<_>>()
    );
    for m in &sent {
        let all = format!(
            "{}\n{}\n{}",
            m.subject,
            m.text,
            m.html.as_deref().unwrap_or("")
        );
        assert!(all.contains(&case.reference), "{}", m.subject);
        for secret in [FORM_SECRET, REPLY_SECRET, "GEHEIM"] {
            assert!(!all.contains(secret), "{secret} leaked into {}", m.subject);
        }
        if m.to == ["erika@example.org"] {
            assert!(all.contains("https://portal.example/postfach/"));
            assert!(all.contains("Bürgeramt Rostock"));
        }
    }
    let requested = sent
        .iter()
        .find(|m| m.subject.starts_with("Unterlagen nachgefordert"))
        .expect("documents requested notice");
    assert!(
        requested
            .text
            .contains(&reply_by.format("%d.%m.%Y").to_string())
    );
    assert!(sent.iter().any(|m| m.to == ["buergeramt@rostock.example"]
        && m.subject.starts_with("Antwort der antragstellenden Person")));
}

#[tokio::test]
async fn transient_failure_is_retried_and_sends_once() {
    let (h, id, m) = notice_to_erika(ApplicantReason::Message).await;
    h.mailer.fail_next(MailError::Transient("throttled".into()));
    assert!(matches!(
        handle_message(&h.ctx, &m, 1).await,
        Outcome::Retry(_)
    ));
    assert!(h.mailer.sent().is_empty());
    // The claim was given back, so the redelivery sends; a further one does not.
    assert_eq!(handle_message(&h.ctx, &m, 2).await, Outcome::Done);
    assert_eq!(handle_message(&h.ctx, &m, 3).await, Outcome::Done);
    assert_eq!(h.mailer.sent().len(), 1);
    assert!(h.case(&id).await.notification_failures.is_empty());
}

#[tokio::test]
async fn permanent_failure_is_recorded_on_the_case_and_given_up() {
    let (h, id, m) = notice_to_erika(ApplicantReason::Message).await;
    h.mailer
        .fail_next(MailError::Permanent("address rejected".into()));
    let outcome = handle_message(&h.ctx, &m, 1).await;
    assert!(
        matches!(&outcome, Outcome::GiveUp(e) if e.contains("address rejected")),
        "{outcome:?}"
    );
    let case = h.case(&id).await;
    assert_eq!(case.notification_failures, vec![m.message_id().to_string()]);
    let history = h.app.whole_history(&id).await.expect("history");
    assert!(
        history
            .iter()
            .any(|e| e.kind.name() == "notification_failed")
    );
    assert!(h.mailer.sent().is_empty());
}

#[tokio::test]
async fn the_last_receive_gives_up_and_records_the_failure_once() {
    let (h, id, m) = notice_to_erika(ApplicantReason::Extended).await;
    for receive in 1..=2 {
        h.mailer.fail_next(MailError::Transient("SES down".into()));
        assert!(matches!(
            handle_message(&h.ctx, &m, receive).await,
            Outcome::Retry(_)
        ));
    }
    h.mailer.fail_next(MailError::Transient("SES down".into()));
    assert!(matches!(
        handle_message(&h.ctx, &m, 3).await,
        Outcome::GiveUp(_)
    ));
    // A redrive from the dead-letter queue that fails again does not record twice.
    h.mailer.fail_next(MailError::Transient("SES down".into()));
    assert!(matches!(
        handle_message(&h.ctx, &m, 4).await,
        Outcome::GiveUp(_)
    ));
    assert_eq!(h.case(&id).await.notification_failures.len(), 1);
    // A redrive after the cause is fixed sends it.
    assert_eq!(handle_message(&h.ctx, &m, 1).await, Outcome::Done);
    assert_eq!(h.mailer.sent().len(), 1);
}

#[tokio::test]
async fn applicant_without_address_gets_nothing() {
    let h = Harness::new(None, ExportSinks::default()).await;
    let id = h.submit(None).await;
    for m in h.outbox(&id).await {
        assert_eq!(handle(&h.ctx, &m, 1).await, Outcome::Done);
    }
    let sent = h.mailer.sent();
    assert_eq!(sent.len(), 1, "only the org unit notice");
    assert_eq!(sent[0].to, ["buergeramt@rostock.example"]);
}

/// A harness with erika's case submitted, the case and its open competence-check deadline.
async fn competence_check_due() -> (Harness, Case, Deadline) {
    let h = Harness::new(None, ExportSinks::default()).await;
    let id = h.submit(Some("erika@example.org")).await;
    let case = h.case(&id).await;
    let deadline = case
        .open_deadline(DeadlineKind::CompetenceCheckDue)
        .expect("deadline")
        .clone();
    (h, case, deadline)
}

/// The reminder `message_id` of the case's `deadline` (org unit ou-rostock).
fn deadline_reminder(
    case: &Case,
    deadline: &Deadline,
    message_id: String,
    level: ReminderLevel,
    recipient: ReminderRecipient,
) -> QueueMessage {
    QueueMessage::DeadlineReminder(DeadlineReminder {
        v: CONTRACT_VERSION,
        message_id,
        case_id: case.id.clone(),
        reference: case.reference.clone(),
        org_unit_id: "ou-rostock".into(),
        deadline_id: deadline.id.clone(),
        kind: deadline.kind,
        level,
        due_on: deadline.due_on,
        recipient,
    })
}

#[tokio::test]
async fn reminders_go_to_the_org_unit_naming_the_assignee() {
    let (h, case, deadline) = competence_check_due().await;
    let id = case.id.clone();
    let reminder = |level, recipient, n: u32| {
        deadline_reminder(&case, &deadline, format!("rem-{n}"), level, recipient)
    };
    let due = deadline.due_on.format("%d.%m.%Y").to_string();
    let msgs = [
        reminder(
            ReminderLevel::Warning,
            ReminderRecipient::Assignee("sb-7".into()),
            1,
        ),
        reminder(
            ReminderLevel::Due,
            ReminderRecipient::OrgUnit("ou-rostock".into()),
            2,
        ),
        reminder(
            ReminderLevel::Escalation,
            ReminderRecipient::OrgUnit("ou-rostock".into()),
            3,
        ),
        reminder(ReminderLevel::Warning, ReminderRecipient::Applicant, 4),
    ];
    for m in &msgs {
        assert_eq!(handle_message(&h.ctx, m, 1).await, Outcome::Done);
    }
    let sent = h.mailer.sent();
    assert_eq!(sent.len(), 4);
    for m in &sent[..3] {
        assert_eq!(m.to, ["buergeramt@rostock.example"]);
        assert!(m.subject.contains("Zuständigkeitsprüfung"), "{}", m.subject);
        assert!(m.text.contains(&due));
        assert!(m.text.contains(&format!("https://sb.example/cases/{id}")));
    }
    assert!(sent[0].text.contains("sb-7"));
    assert!(sent[1].text.contains("nicht zugewiesen"));
    assert!(sent[2].subject.starts_with("Eskalation"));
    assert_eq!(sent[3].to, ["erika@example.org"]);
    assert!(sent[3].text.contains("https://portal.example/postfach/"));

    // A reminder for a deadline closed meanwhile is dropped.
    h.act(&id, Action::ConfirmCompetence).await;
    let late = reminder(
        ReminderLevel::Due,
        ReminderRecipient::OrgUnit("ou-rostock".into()),
        5,
    );
    assert_eq!(handle_message(&h.ctx, &late, 1).await, Outcome::Done);
    assert_eq!(h.mailer.sent().len(), 4);
}

#[tokio::test]
async fn unknown_org_unit_is_a_permanent_failure() {
    let h = Harness::new(None, ExportSinks::default()).await;
    let id = h.submit(Some("erika@example.org")).await;
    let case = h.case(&id).await;
    let m = QueueMessage::OrgUnitNotification(fallwerk_events::OrgUnitNotification {
        v: CONTRACT_VERSION,
        message_id: "ou-missing".into(),
        case_id: id.clone(),
        reference: case.reference.clone(),
        org_unit_id: "ou-gone".into(),
        reason: OrgUnitReason::ForwardedIn,
    });
    assert!(matches!(
        handle_message(&h.ctx, &m, 1).await,
        Outcome::GiveUp(_)
    ));
    assert_eq!(
        h.case(&id).await.notification_failures,
        vec!["ou-missing".to_string()]
    );
}

fn person(
    id: &str,
    email: &str,
    absence: Option<fallwerk_core::model::Absence>,
) -> fallwerk_core::model::User {
    fallwerk_core::model::User {
        id: id.into(),
        family_name: format!("Familie {id}"),
        given_name: "Vorname".into(),
        email: email.into(),
        org_units: vec!["ou-rostock".into()],
        roles: vec![fallwerk_core::case::Role::Caseworker],
        active: true,
        absence,
        password_hash: None,
    }
}

/// Reminders of a user's own cases reach their own address, during an absence the substitute's;
/// an inactive account falls back to the org unit; escalations stay with the org unit.
#[tokio::test]
async fn reminders_reach_the_assignee_or_the_substitute_personally() {
    let (h, case, deadline) = competence_check_due().await;
    let store = &h.store;
    let day = |s: &str| s.parse::<chrono::NaiveDate>().expect("date");
    // The harness clock stands at 2026-03-02 (Monday).
    store
        .put_user(&person("sb-own", "sb.own@rostock.example", None))
        .await
        .expect("user");
    store
        .put_user(&person("sb-sub", "sb.sub@rostock.example", None))
        .await
        .expect("user");
    let away = |from: &str, until: &str| fallwerk_core::model::Absence {
        from: day(from),
        until: day(until),
        substitute: "sb-sub".into(),
    };
    store
        .put_user(&person(
            "sb-away",
            "sb.away@rostock.example",
            Some(away("2026-03-02", "2026-03-06")),
        ))
        .await
        .expect("user");
    store
        .put_user(&person(
            "sb-back",
            "sb.back@rostock.example",
            Some(away("2026-02-23", "2026-03-01")),
        ))
        .await
        .expect("user");
    let mut gone = person("sb-gone", "sb.gone@rostock.example", None);
    gone.active = false;
    store.put_user(&gone).await.expect("user");

    let reminder = |level, account: &str, n: u32| {
        deadline_reminder(
            &case,
            &deadline,
            format!("personal-{n}"),
            level,
            ReminderRecipient::Assignee(account.into()),
        )
    };
    let msgs = [
        reminder(ReminderLevel::Warning, "sb-own", 1),
        reminder(ReminderLevel::Due, "sb-away", 2),
        reminder(ReminderLevel::Warning, "sb-back", 3),
        reminder(ReminderLevel::Warning, "sb-gone", 4),
        deadline_reminder(
            &case,
            &deadline,
            "personal-5".into(),
            ReminderLevel::Escalation,
            ReminderRecipient::OrgUnit("ou-rostock".into()),
        ),
    ];
    for m in &msgs {
        assert_eq!(handle_message(&h.ctx, m, 1).await, Outcome::Done);
    }
    let to: Vec<String> = h.mailer.sent().iter().map(|m| m.to.join(",")).collect();
    assert_eq!(
        to,
        [
            "sb.own@rostock.example",
            "sb.sub@rostock.example",
            "sb.back@rostock.example",
            "buergeramt@rostock.example",
            "buergeramt@rostock.example",
        ]
    );
    // No personal data of the applicant in any of them.
    for m in h.mailer.sent() {
        assert!(
            !m.text.contains("Erika") && !m.text.contains("erika@"),
            "{}",
            m.text
        );
    }
}

/// A supervisor assigns a case: the outbox owes the assignee a personal notice, which goes to
/// their own address (the substitute's while away) and names no applicant data; taking a case
/// oneself sends nothing; an unknown assignee's notice is skipped.
#[tokio::test]
async fn assignment_notices_reach_the_assignee_personally() {
    use fallwerk_core::case::{Caller, Role};
    let h = Harness::new(None, ExportSinks::default()).await;
    let store = &h.store;
    store
        .put_user(&person("sb-1", "sb.eins@rostock.example", None))
        .await
        .expect("user");
    store
        .put_user(&person("sb-2", "sb.zwei@rostock.example", None))
        .await
        .expect("user");
    let id = h.submit(Some("erika@example.org")).await;

    // sb-1 takes the case: no notice.
    h.act(
        &id,
        Action::Assign {
            user: Some("sb-1".into()),
        },
    )
    .await;
    let own: Vec<QueueMessage> = h
        .outbox(&id)
        .await
        .into_iter()
        .filter(|m| matches!(m, QueueMessage::AssigneeNotification(_)))
        .collect();
    assert!(own.is_empty(), "{own:?}");

    // A supervisor gives it to sb-2.
    let sup = Caller::caseworker(
        "chefin",
        &["ou-rostock"],
        &[Role::Caseworker, Role::Supervisor],
    );
    let version = h.case(&id).await.version;
    h.app
        .act(
            &sup,
            &id,
            version,
            Action::Assign {
                user: Some("sb-2".into()),
            },
        )
        .await
        .expect("assign");
    let notices: Vec<QueueMessage> = h
        .outbox(&id)
        .await
        .into_iter()
        .filter(|m| matches!(m, QueueMessage::AssigneeNotification(_)))
        .collect();
    assert_eq!(notices.len(), 1, "{notices:?}");
    assert_eq!(handle_message(&h.ctx, &notices[0], 1).await, Outcome::Done);
    let sent = h.mailer.sent();
    let mail = sent.last().expect("sent");
    assert_eq!(mail.to, ["sb.zwei@rostock.example"]);
    assert!(mail.subject.contains("zugewiesen"), "{}", mail.subject);
    assert!(
        mail.text
            .contains(&format!("https://sb.example/cases/{id}")),
        "{}",
        mail.text
    );
    assert!(
        !mail.text.contains("Erika") && !mail.text.contains("erika@"),
        "{}",
        mail.text
    );

    // Unknown account: nothing is sent.
    let before = h.mailer.sent().len();
    let QueueMessage::AssigneeNotification(mut ghost) = notices[0].clone() else {
        unreachable!()
    };
    ghost.message_id = "ghost-1".into();
    ghost.assignee = "ghost".into();
    assert_eq!(
        handle_message(&h.ctx, &QueueMessage::AssigneeNotification(ghost), 1).await,
        Outcome::Done
    );
    assert_eq!(h.mailer.sent().len(), before);
}

/// A consumer that crashed after claiming (the claim's lease ran out unconfirmed) does not keep
/// the mail from going out: the redelivery sends it, once (issue 16: "599 of 600 e-mails").
#[tokio::test]
async fn a_claim_left_by_a_crashed_consumer_expires_and_the_redelivery_sends_once() {
    let (h, _, m) = notice_to_erika(ApplicantReason::Message).await;
    let now = h.app.clock.now();
    let lease = chrono::Duration::seconds(120);
    // The crashed consumer's claim, taken three minutes ago, never confirmed.
    let then = now - chrono::Duration::minutes(3);
    let state = h.store.claim_work(m.message_id(), then, then + lease);
    assert_eq!(state.await.expect("claim"), ClaimState::Claimed);
    assert_eq!(handle_message(&h.ctx, &m, 2).await, Outcome::Done);
    assert_eq!(handle_message(&h.ctx, &m, 3).await, Outcome::Done);
    let sent = h.mailer.sent();
    assert_eq!(sent.len(), 1, "sent exactly once: {sent:?}");
    assert_eq!(
        sent[0].id,
        m.message_id(),
        "the Message-ID is the message id"
    );
}

/// While another consumer's claim holds (a second copy of the message arrived while the first
/// is being worked on), nothing is sent and the message waits for a later receive.
#[tokio::test]
async fn a_running_claim_makes_a_second_copy_wait() {
    let (h, id, m) = notice_to_erika(ApplicantReason::Message).await;
    let now = h.app.clock.now();
    let state = h
        .store
        .claim_work(m.message_id(), now, now + chrono::Duration::seconds(120));
    assert_eq!(state.await.expect("claim"), ClaimState::Claimed);
    let outcome = handle_message(&h.ctx, &m, 1).await;
    assert!(
        matches!(&outcome, Outcome::Retry(why) if why.contains("another consumer")),
        "{outcome:?}"
    );
    assert!(h.mailer.sent().is_empty());
    assert!(h.case(&id).await.notification_failures.is_empty());
}

/// A notice the mail service rejects is recorded on the case, and the org unit is told by
/// e-mail (issue 16: "only a notification_failed entry in the case's history shows it").
#[tokio::test]
async fn a_rejected_applicant_notice_is_told_to_the_org_unit() {
    let (h, id, m) = notice_to_erika(ApplicantReason::Message).await;
    let reference = h.case(&id).await.reference;
    h.mailer
        .fail_next(MailError::Permanent("mailbox unavailable".into()));
    assert!(matches!(
        handle_message(&h.ctx, &m, 1).await,
        Outcome::GiveUp(_)
    ));
    let told = h
        .outbox(&id)
        .await
        .into_iter()
        .find(|q| {
            matches!(q, QueueMessage::OrgUnitNotification(n)
                if n.reason == OrgUnitReason::NotificationFailed)
        })
        .expect("the org unit is owed a notice");
    assert_eq!(handle_message(&h.ctx, &told, 1).await, Outcome::Done);
    let sent = h.mailer.sent();
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(sent[0].to, ["buergeramt@rostock.example"]);
    assert!(
        sent[0].subject.starts_with("E-Mail nicht zugestellt"),
        "{}",
        sent[0].subject
    );
    assert!(sent[0].text.contains(&reference));
    assert!(
        !sent[0].text.contains("erika@example.org"),
        "no address in the notice"
    );
}
