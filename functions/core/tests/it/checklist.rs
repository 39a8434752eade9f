//! The checklist of documents and the two ways to end a wait for the applicant without a
//! portal reply: documents that arrived another way, and a withdrawn request. Both must move the
//! deadlines exactly as a portal reply on the same day does.

use crate::common;
use common::*;
use fallwerk_core::case::{Action, Command, CommandError};
use fallwerk_core::model::{
    Case, ProcessingStart, Status, checklist, checklist_documents, missing_documents,
};
use fallwerk_events::{ApplicantReason, DeadlineKind};

/// The deadlines as the scheduler sees them, without their (sequence-derived) ids.
fn deadline_shape(case: &Case) -> Vec<(DeadlineKind, bool, chrono::NaiveDate, String)> {
    let mut v: Vec<_> = case
        .deadlines
        .iter()
        .map(|d| (d.kind, d.open, d.due_on, d.basis.clone()))
        .collect();
    v.sort_by_key(|a| (a.0, a.1, a.2));
    v
}

fn waiting(start: ProcessingStart, days: i64) -> H {
    let mut h = H::new(service(false, start));
    h.drive(Status::AwaitingApplicant);
    h.advance_days(days);
    h
}

#[test]
fn ending_the_wait_otherwise_moves_deadlines_like_a_portal_reply() {
    for start in [ProcessingStart::OnComplete, ProcessingStart::OnReceipt] {
        for days in [1, 9, 40] {
            let mut by_reply = waiting(start, days);
            by_reply.run(&applicant(), reply("anbei"));

            let mut arrived = waiting(start, days);
            let d = arrived.act(Action::DocumentsArrived {
                note: "per Post eingegangen".into(),
            });
            assert_eq!(event_names(&d)[0], "documents_arrived");
            assert!(has_event(&d, "suspension_ended"));
            assert!(
                applicant_reasons(&d.outbox).is_empty(),
                "nothing to tell the applicant"
            );

            let mut withdrawn = waiting(start, days);
            let d = withdrawn.act(Action::WithdrawRequest {
                reason: "irrtümlich angefordert".into(),
            });
            assert_eq!(event_names(&d)[0], "document_request_withdrawn");
            assert_eq!(applicant_reasons(&d.outbox), vec![ApplicantReason::Message]);
            let told = to_applicant(&d);
            assert_eq!(told.len(), 1);
            assert!(told[0].text.contains("irrtümlich angefordert"));
            assert!(told[0].subject.contains("Nachforderung zurückgenommen"));

            for h in [&arrived, &withdrawn] {
                assert_eq!(h.case.status, Status::CompletenessCheck);
                assert_eq!(h.case.document_request, None);
                assert_eq!(h.case.suspensions, by_reply.case.suspensions);
                assert_eq!(
                    deadline_shape(&h.case),
                    deadline_shape(&by_reply.case),
                    "{start:?} after {days} days"
                );
                assert_eq!(open_deadlines(&h.case, DeadlineKind::ApplicantReplyDue), 0);
                assert_eq!(h.replay(), h.case, "replay rebuilds the case");
                assert_deadline_shape(&h.case);
            }
        }
    }
}

#[test]
fn ending_the_wait_needs_a_note_or_reason_and_a_wait() {
    let h = H::at(Status::AwaitingApplicant);
    for (action, field) in [
        (Action::DocumentsArrived { note: " ".into() }, "note"),
        (
            Action::WithdrawRequest {
                reason: "x".repeat(2001),
            },
            "reason",
        ),
    ] {
        match h.try_act(action) {
            Err(CommandError::Invalid { field: f, .. }) => assert_eq!(f, field),
            other => panic!("expected invalid {field}, got {other:?}"),
        }
    }
    // Outside awaiting_applicant both are refused with the allowed actions listed.
    let h = H::at(Status::CompletenessCheck);
    for action in [
        Action::DocumentsArrived { note: "da".into() },
        Action::WithdrawRequest {
            reason: "irrtum".into(),
        },
    ] {
        assert!(matches!(
            h.try_act(action),
            Err(CommandError::NotAllowed {
                status: Status::CompletenessCheck,
                ..
            })
        ));
    }
}

#[test]
fn checklist_ticks_record_who_and_when_and_drive_the_proposal() {
    let mut svc = plain();
    svc.required_documents = vec!["Mietvertrag".into(), "Einkommensnachweis".into()];
    let mut h = H::new(svc);
    h.drive(Status::CompletenessCheck);
    assert_eq!(
        missing_documents(&h.case, &h.service),
        vec!["Mietvertrag", "Einkommensnachweis"]
    );
    let d = h.run(
        &worker(),
        Command::Act(Action::CheckDocument {
            document: "Mietvertrag".into(),
            received: true,
            note: Some("Original gesehen".into()),
        }),
    );
    assert_eq!(event_names(&d), vec!["document_checked"]);
    assert!(
        d.outbox.is_empty() && d.messages.is_empty(),
        "internal only"
    );
    let list = checklist(&h.case, &h.service);
    assert_eq!(list.len(), 2);
    assert!(list[0].received && list[0].required);
    assert_eq!(list[0].checked_by.as_deref(), Some("cw-anna"));
    assert_eq!(list[0].checked_at, Some(h.now));
    assert_eq!(list[0].note.as_deref(), Some("Original gesehen"));
    assert!(!list[1].received && list[1].checked_by.is_none());
    assert_eq!(
        missing_documents(&h.case, &h.service),
        vec!["Einkommensnachweis"]
    );

    // Untick: missing again, the latest tick counts.
    h.advance_days(1);
    h.run(
        &colleague(),
        Command::Act(Action::CheckDocument {
            document: "Mietvertrag".into(),
            received: false,
            note: None,
        }),
    );
    let list = checklist(&h.case, &h.service);
    assert!(!list[0].received);
    assert_eq!(list[0].checked_by.as_deref(), Some("cw-bernd"));
    assert_eq!(list[0].note, None);
    assert_eq!(missing_documents(&h.case, &h.service).len(), 2);

    // Documents named by the open request join the checklist and may be ticked.
    h.act(request_documents(&["Meldebescheinigung"]));
    assert_eq!(
        checklist_documents(&h.case, &h.service),
        vec!["Mietvertrag", "Einkommensnachweis", "Meldebescheinigung"]
    );
    h.act(Action::CheckDocument {
        document: "Meldebescheinigung".into(),
        received: true,
        note: Some("per Post".into()),
    });
    let list = checklist(&h.case, &h.service);
    assert!(list[2].requested && !list[2].required && list[2].received);
    assert_eq!(h.replay(), h.case);

    // Unknown documents and overlong notes are refused.
    for (action, field) in [
        (
            Action::CheckDocument {
                document: "Steuerbescheid".into(),
                received: true,
                note: None,
            },
            "document",
        ),
        (
            Action::CheckDocument {
                document: "Mietvertrag".into(),
                received: true,
                note: Some("x".repeat(2001)),
            },
            "note",
        ),
    ] {
        match h.try_act(action) {
            Err(CommandError::Invalid { field: f, .. }) => assert_eq!(f, field),
            other => panic!("expected invalid {field}, got {other:?}"),
        }
    }
}

#[test]
fn purge_removes_checklist_notes() {
    let mut h = H::at(Status::CompletenessCheck);
    h.act(Action::CheckDocument {
        document: "Mietvertrag".into(),
        received: true,
        note: Some("Mietvertrag Erika Mustermann, Hauptstr. 1".into()),
    });
    h.act(Action::Cancel {
        reason: "zurückgenommen".into(),
    });
    h.run(&system(), Command::PurgePersonalData);
    assert!(h.case.document_checks.iter().all(|c| c.note.is_none()));
    assert!(h.case.document_checks[0].received, "the tick itself stays");
    assert_eq!(h.replay(), h.case);
}
