//! Every transition of the case lifecycle (docs/ARCHITECTURE.md, "Case lifecycle"), driven through `receive` and `execute`.
//! Deadline dates are asserted by relation only, never by exact calendar arithmetic.

use crate::common;
use chrono::Duration;

use common::*;
use fallwerk_core::case::{Action, Command, CommandError};
use fallwerk_core::model::{Direction, FormData, ProcessingStart, Status, TaskKind, TaskState};
use fallwerk_events::{
    ApplicantReason, DeadlineKind, EventKind, OrgUnitReason, Outcome, QueueMessage, ReminderLevel,
};

// ------------------------------------------------------------------------------------ receive

#[test]
fn receive_creates_a_received_case_with_competence_deadline() {
    let h = H::new(plain());
    let c = &h.case;
    assert_eq!(c.status, Status::Received);
    assert_eq!(c.version, h.events.len() as u64);
    assert_eq!(h.events[0].kind.name(), "case_received");
    assert_eq!(open_tasks(c), vec![TaskKind::CompetenceCheck]);
    assert_eq!(open_deadlines(c, DeadlineKind::CompetenceCheckDue), 1);
    assert_eq!(open_deadlines(c, DeadlineKind::ProcessingDue), 0);
    let d = c.open_deadline(DeadlineKind::CompetenceCheckDue).unwrap();
    assert!(d.due_on > h.today());
    assert_deadline_shape(c);
    assert_eq!(
        org_unit_notices(&h.outbox),
        vec![(OU_A.to_string(), OrgUnitReason::NewCase)]
    );
    assert_eq!(
        applicant_reasons(&h.outbox),
        vec![ApplicantReason::Received]
    );
    assert_eq!(h.messages.len(), 1);
    assert!(h.messages[0].text.contains(REFERENCE));
    assert_eq!(h.replay(), h.case);
}

#[test]
fn receive_with_processing_on_receipt_sets_the_processing_deadline() {
    let h = H::new(service(false, ProcessingStart::OnReceipt));
    assert_eq!(open_deadlines(&h.case, DeadlineKind::ProcessingDue), 1);
    let p = h.case.open_deadline(DeadlineKind::ProcessingDue).unwrap();
    let c = h
        .case
        .open_deadline(DeadlineKind::CompetenceCheckDue)
        .unwrap();
    assert!(
        p.due_on > c.due_on,
        "a 3-month period ends after 3 working days"
    );
    assert_deadline_shape(&h.case);
}

// -------------------------------------------------------------------------- received → ...

#[test]
fn confirm_competence_moves_to_completeness_check() {
    let mut h = H::new(plain());
    let d = h.act(Action::ConfirmCompetence);
    assert_eq!(d.case.status, Status::CompletenessCheck);
    assert_eq!(event_names(&d)[0], "competence_confirmed");
    assert_eq!(open_tasks(&d.case), vec![TaskKind::CompletenessCheck]);
    let cc = d
        .case
        .tasks
        .iter()
        .find(|t| t.kind == TaskKind::CompetenceCheck)
        .unwrap();
    assert_eq!(cc.state, TaskState::Done);
    assert_eq!(cc.closed_by.as_deref(), Some("sv-clara"));
    assert_eq!(open_deadlines(&d.case, DeadlineKind::CompetenceCheckDue), 0);
    assert_eq!(
        open_deadlines(&d.case, DeadlineKind::CompletenessCheckDue),
        1
    );
    assert!(
        d.case
            .open_deadline(DeadlineKind::CompletenessCheckDue)
            .unwrap()
            .due_on
            > h.today()
    );
    assert_deadline_shape(&d.case);
    assert!(d.outbox.is_empty() && d.messages.is_empty());
}

#[test]
fn plain_caseworker_may_confirm_competence() {
    let mut h = H::new(plain());
    let d = h.run(&worker(), act(Action::ConfirmCompetence));
    assert_eq!(d.case.status, Status::CompletenessCheck);
}

#[test]
fn forward_moves_the_case_to_the_target_org_unit() {
    let mut h = H::new(plain());
    h.act(Action::Assign {
        user: Some("cw-anna".into()),
    });
    assert_eq!(h.case.assignee.as_deref(), Some("cw-anna"));
    let old_deadline = h
        .case
        .open_deadline(DeadlineKind::CompetenceCheckDue)
        .unwrap()
        .id
        .clone();
    let d = h.run(&worker(), act(forward(OU_B)));

    let c = &d.case;
    assert_eq!(c.status, Status::Received);
    assert_eq!(c.org_unit_id, OU_B);
    assert_eq!(
        c.state.code(),
        "BY",
        "deadlines now count with the target's holidays"
    );
    assert_eq!(c.assignee, None, "the assignee belongs to the old org unit");
    assert_eq!(open_tasks(c), vec![TaskKind::CompetenceCheck]);
    assert!(matches!(
        &d.events[0].kind,
        EventKind::Forwarded { from_org_unit_id, to_org_unit_id, .. }
            if from_org_unit_id == OU_A && to_org_unit_id == OU_B
    ));
    // A fresh competence check in the new org unit.
    assert_eq!(open_deadlines(c, DeadlineKind::CompetenceCheckDue), 1);
    let new = c.open_deadline(DeadlineKind::CompetenceCheckDue).unwrap();
    assert_ne!(new.id, old_deadline);
    assert!(new.due_on > h.today());
    assert_deadline_shape(c);

    // Applicant told, new org unit notified.
    let msgs = to_applicant(&d);
    assert_eq!(msgs.len(), 1);
    assert!(msgs[0].subject.contains("weitergeleitet"));
    assert_eq!(
        applicant_reasons(&d.outbox),
        vec![ApplicantReason::Forwarded]
    );
    assert_eq!(
        org_unit_notices(&d.outbox),
        vec![(OU_B.to_string(), OrgUnitReason::ForwardedIn)]
    );

    // The old org unit lost access; the new one has it.
    for caller in [worker(), supervisor()] {
        assert_eq!(
            h.try_run(&caller, &act(comment("noch da?"))).unwrap_err(),
            CommandError::NotVisible
        );
    }
    h.run(&worker_b(), act(Action::ConfirmCompetence));
    assert_eq!(h.case.status, Status::CompletenessCheck);
    assert_eq!(h.replay(), h.case);
}

#[test]
fn forward_without_assignee_emits_no_assignment() {
    let mut h = H::new(plain());
    let d = h.act(forward(OU_B));
    assert!(!has_event(&d, "assigned"));
}

// ------------------------------------------------------------------ completeness_check → ...

#[test]
fn confirm_complete_starts_processing_when_on_complete() {
    let mut h = H::at(Status::CompletenessCheck);
    assert_eq!(open_deadlines(&h.case, DeadlineKind::ProcessingDue), 0);
    let d = h.act(Action::ConfirmComplete);
    let c = &d.case;
    assert_eq!(c.status, Status::InProgress);
    assert_eq!(open_tasks(c), vec![TaskKind::DeadlineMonitoring]);
    assert_eq!(open_deadlines(c, DeadlineKind::CompletenessCheckDue), 0);
    assert_eq!(open_deadlines(c, DeadlineKind::ProcessingDue), 1);
    assert!(c.expected_decision_on().unwrap() > h.today());
    assert_deadline_shape(c);
}

#[test]
fn confirm_complete_keeps_the_receipt_deadline_when_on_receipt() {
    let mut h = H::new(service(false, ProcessingStart::OnReceipt));
    let at_receipt = h.case.open_deadline(DeadlineKind::ProcessingDue).cloned();
    h.drive(Status::InProgress);
    assert_eq!(open_deadlines(&h.case, DeadlineKind::ProcessingDue), 1);
    assert_eq!(
        h.case.open_deadline(DeadlineKind::ProcessingDue).cloned(),
        at_receipt
    );
}

#[test]
fn on_receipt_processing_deadline_moves_after_a_suspension() {
    let mut h = H::new(service(false, ProcessingStart::OnReceipt));
    h.drive(Status::CompletenessCheck);
    let before = h
        .case
        .open_deadline(DeadlineKind::ProcessingDue)
        .unwrap()
        .clone();
    h.act(request_documents(&["Mietvertrag"]));
    assert_eq!(
        open_deadlines(&h.case, DeadlineKind::ProcessingDue),
        0,
        "the clock stands still while awaiting the applicant"
    );
    h.advance_days(20);
    let d = h.run(&applicant(), reply("anbei"));
    let after = d.case.open_deadline(DeadlineKind::ProcessingDue).unwrap();
    assert_ne!(after.id, before.id, "a moved deadline is a new deadline");
    assert!(after.due_on > before.due_on, "{after:?} vs {before:?}");
    assert!(
        !d.case
            .deadlines
            .iter()
            .find(|x| x.id == before.id)
            .unwrap()
            .open
    );
    assert_eq!(open_deadlines(&d.case, DeadlineKind::ProcessingDue), 1);
    assert_deadline_shape(&d.case);
}

#[test]
fn request_documents_suspends_and_tells_the_applicant() {
    let mut h = H::at(Status::CompletenessCheck);
    let d = h.act(Action::RequestDocuments {
        items: vec!["Mietvertrag".into(), "Einkommensnachweis 2025".into()],
        reply_by: None,
        message: Some("Gern auch als Foto.".into()),
        reply_by_rule: Default::default(),
    });
    let c = &d.case;
    assert_eq!(c.status, Status::AwaitingApplicant);
    assert_eq!(open_tasks(c), vec![TaskKind::CompletenessCheck]);
    let s = c.open_suspension().expect("open suspension");
    assert_eq!(s.from, h.today());
    assert_eq!(open_deadlines(c, DeadlineKind::CompletenessCheckDue), 0);
    assert_eq!(open_deadlines(c, DeadlineKind::ApplicantReplyDue), 1);
    let reply_due = c.open_deadline(DeadlineKind::ApplicantReplyDue).unwrap();
    assert!(reply_due.due_on > h.today());
    let req = c.document_request.as_ref().unwrap();
    assert_eq!(req.reply_by, reply_due.due_on);
    assert_eq!(req.items.len(), 2);
    assert_deadline_shape(c);

    let msgs = to_applicant(&d);
    assert_eq!(msgs.len(), 1);
    assert_eq!(msgs[0].id, req.message_id);
    assert!(msgs[0].text.contains("- Mietvertrag"));
    assert!(msgs[0].text.contains("- Einkommensnachweis 2025"));
    assert!(msgs[0].text.contains("Gern auch als Foto."));
    assert!(
        msgs[0]
            .text
            .contains(&reply_due.due_on.format("%d.%m.%Y").to_string())
    );
    assert_eq!(
        applicant_reasons(&d.outbox),
        vec![ApplicantReason::DocumentsRequested]
    );
}

#[test]
fn request_documents_with_explicit_reply_date() {
    let mut h = H::at(Status::CompletenessCheck);
    let by = h.today() + Duration::days(10);
    let d = h.act(Action::RequestDocuments {
        items: vec!["Mietvertrag".into()],
        reply_by: Some(by),
        message: None,
        reply_by_rule: Default::default(),
    });
    assert_eq!(
        d.case
            .open_deadline(DeadlineKind::ApplicantReplyDue)
            .unwrap()
            .due_on,
        by
    );
}

// ------------------------------------------------------------------ awaiting_applicant → ...

#[test]
fn applicant_reply_resumes_the_completeness_check() {
    let mut h = H::at(Status::AwaitingApplicant);
    let completeness_before = h
        .case
        .deadlines
        .iter()
        .find(|d| d.kind == DeadlineKind::CompletenessCheckDue)
        .unwrap()
        .clone();
    h.advance_days(9);
    let d = h.run(
        &applicant(),
        reply("Hier der Mietvertrag, Erika Mustermann"),
    );
    let c = &d.case;
    assert_eq!(c.status, Status::CompletenessCheck);
    assert_eq!(c.document_request, None);
    assert_eq!(c.open_suspension(), None);
    assert_eq!(c.suspensions.len(), 1);
    assert_eq!(c.suspensions[0].to, Some(h.today()));
    assert!(
        d.events
            .iter()
            // Requested on day 0, replied on day 9: days 0..=9 are suspended, both end days
            // count (§ 209 BGB analog, docs/ARCHITECTURE.md "Counting suspended days").
            .any(|e| matches!(e.kind, EventKind::SuspensionEnded { days: 10, .. }))
    );
    assert_eq!(open_deadlines(c, DeadlineKind::ApplicantReplyDue), 0);
    assert_eq!(open_deadlines(c, DeadlineKind::CompletenessCheckDue), 1);
    let resumed = c.open_deadline(DeadlineKind::CompletenessCheckDue).unwrap();
    assert!(resumed.due_on > completeness_before.due_on);
    assert_eq!(open_tasks(c), vec![TaskKind::CompletenessCheck]);
    assert_deadline_shape(c);

    assert_eq!(d.messages.len(), 1);
    let m = &d.messages[0];
    assert_eq!(m.direction, Direction::FromApplicant);
    assert_eq!(m.text, "Hier der Mietvertrag, Erika Mustermann");
    assert_eq!(m.attachments, vec![3]);
    assert_eq!(
        org_unit_notices(&d.outbox),
        vec![(OU_A.to_string(), OrgUnitReason::ApplicantReplied)]
    );
    assert!(applicant_reasons(&d.outbox).is_empty());
    // The completeness check goes on: request again or confirm.
    h.act(Action::ConfirmComplete);
    assert_eq!(h.case.status, Status::InProgress);
    assert_eq!(h.replay(), h.case);
}

#[test]
fn applicant_reply_outside_a_request_is_just_a_message() {
    let mut h = H::at(Status::InProgress);
    let before = h.case.clone();
    let d = h.run(&applicant(), reply("Wie ist der Stand?"));
    assert_eq!(event_names(&d), vec!["applicant_replied"]);
    assert_eq!(d.case.status, Status::InProgress);
    assert_eq!(d.case.deadlines, before.deadlines);
    assert_eq!(d.messages[0].direction, Direction::FromApplicant);
}

#[test]
fn applicant_reply_with_only_an_attachment_is_accepted() {
    let mut h = H::at(Status::AwaitingApplicant);
    let d = h.run(
        &applicant(),
        Command::ApplicantReply {
            subject: "Unterlagen".into(),
            text: String::new(),
            attachments: vec![3, 4],
        },
    );
    assert_eq!(d.case.status, Status::CompletenessCheck);
}

/// The legal point of refusing: with the stored wait left out, the completeness check would
/// be due earlier than the law allows (§ 209 BGB analog pushes it by every suspended day). The
/// case must stay as it was, with the refusal told to the caller.
#[test]
fn a_suspension_that_cannot_be_counted_is_refused_not_left_out() {
    let mut h = H::at(Status::AwaitingApplicant);
    let open_from = h.case.open_suspension().expect("open suspension").from;
    // A stored earlier wait that overlaps the open one (data from a clock that ran ahead, or a
    // damaged import): the calculator cannot count both.
    let mut damaged = h.case.clone();
    damaged.suspensions.insert(
        0,
        fallwerk_core::model::SuspensionRecord {
            from: open_from - Duration::days(3),
            to: Some(open_from + Duration::days(2)),
        },
    );
    h.case = damaged.clone();
    h.advance_days(9);
    let refused = h.try_run(&applicant(), &reply("anbei"));
    assert!(
        matches!(
            refused,
            Err(CommandError::DeadlineRefused(
                fallwerk_core::deadline::DeadlineError::OverlappingSuspensions { .. }
            ))
        ),
        "{refused:?}"
    );
    let by_post = h.try_act(Action::DocumentsArrived {
        note: "per Post".into(),
    });
    assert!(
        matches!(by_post, Err(CommandError::DeadlineRefused(_))),
        "{by_post:?}"
    );
    // Nothing was decided from a guess.
    assert_eq!(h.case, damaged);

    // What the silent fallback used to set: the same reply on the undamaged case gets a later
    // completeness date than a computation without the suspension would give.
    let mut sound = H::at(Status::AwaitingApplicant);
    sound.advance_days(9);
    let d = sound.run(&applicant(), reply("anbei"));
    let resumed = d
        .case
        .open_deadline(DeadlineKind::CompletenessCheckDue)
        .expect("completeness check set again");
    let without_wait = fallwerk_core::deadline::compute(
        open_from,
        sound.service.rules.completeness_check,
        d.case.calendar(),
    );
    assert!(resumed.due_on > without_wait.due, "{resumed:?}");
    assert!(
        resumed.basis.contains("Hemmung") || resumed.basis.contains("gehemmt"),
        "{}",
        resumed.basis
    );
}

/// A wait cannot end before it began: a reply stamped before the request (a clock behind the
/// one that sent the request) is refused instead of counting zero suspended days.
#[test]
fn a_wait_that_would_end_before_it_began_is_refused() {
    let mut h = H::at(Status::AwaitingApplicant);
    let before = h.case.clone();
    h.advance_days(-2);
    let refused = h.try_run(&applicant(), &reply("anbei"));
    assert!(
        matches!(
            refused,
            Err(CommandError::DeadlineRefused(
                fallwerk_core::deadline::DeadlineError::SuspensionEndsBeforeStart { .. }
            ))
        ),
        "{refused:?}"
    );
    assert_eq!(h.case, before);
}

#[test]
fn second_request_after_a_reply_makes_a_second_suspension() {
    let mut h = H::at(Status::AwaitingApplicant);
    h.advance_days(3);
    h.run(&applicant(), reply("anbei"));
    h.advance_days(1);
    h.act(request_documents(&["Unterschrift"]));
    assert_eq!(h.case.suspensions.len(), 2);
    assert_eq!(open_deadlines(&h.case, DeadlineKind::ApplicantReplyDue), 1);
    h.advance_days(2);
    h.run(&applicant(), reply("unterschrieben"));
    assert!(h.case.suspensions.iter().all(|s| s.to.is_some()));
    assert_eq!(
        open_deadlines(&h.case, DeadlineKind::CompletenessCheckDue),
        1
    );
    assert_deadline_shape(&h.case);
}

// ------------------------------------------------------------------------------ in_progress

#[test]
fn extend_once_moves_the_processing_deadline_and_tells_the_applicant() {
    let mut h = H::at(Status::InProgress);
    let old = h
        .case
        .open_deadline(DeadlineKind::ProcessingDue)
        .unwrap()
        .clone();
    let until = old.due_on + Duration::days(30);
    let d = h.act(Action::Extend {
        until,
        reason: "Gutachten steht aus".into(),
    });
    let c = &d.case;
    assert_eq!(c.status, Status::InProgress);
    assert_eq!(c.extension.as_ref().unwrap().until, until);
    assert_eq!(open_deadlines(c, DeadlineKind::ProcessingDue), 1);
    assert_eq!(c.expected_decision_on(), Some(until));
    assert!(!c.deadlines.iter().find(|x| x.id == old.id).unwrap().open);
    assert_deadline_shape(c);
    assert_eq!(
        applicant_reasons(&d.outbox),
        vec![ApplicantReason::Extended]
    );
    let msgs = to_applicant(&d);
    assert_eq!(msgs.len(), 1);
    assert!(msgs[0].text.contains("Gutachten steht aus"));
    assert!(!h.allowed().contains(&"extend"));

    // Once only.
    let again = h.try_act(Action::Extend {
        until: until + Duration::days(30),
        reason: "noch länger".into(),
    });
    assert_eq!(again.unwrap_err(), CommandError::AlreadyExtended);
}

#[test]
fn extend_must_go_beyond_the_current_deadline() {
    let h = H::at(Status::InProgress);
    let due = h.case.expected_decision_on().unwrap();
    for until in [due, due - Duration::days(1)] {
        let e = h
            .try_act(Action::Extend {
                until,
                reason: "x".into(),
            })
            .unwrap_err();
        assert!(
            matches!(e, CommandError::Invalid { field: "until", .. }),
            "{e:?}"
        );
    }
}

#[test]
fn set_follow_up_adds_a_follow_up_deadline_each_time() {
    let mut h = H::at(Status::InProgress);
    let at = h.today() + Duration::days(5);
    let d = h.act(Action::SetFollowUp {
        at,
        note: "Rückruf Vermieter".into(),
    });
    assert_eq!(d.case.status, Status::InProgress);
    let f = d.case.open_deadline(DeadlineKind::FollowUp).unwrap();
    assert_eq!(f.due_on, at);
    assert_eq!(f.note.as_deref(), Some("Rückruf Vermieter"));
    assert!(matches!(
        &d.events[1].kind,
        EventKind::FollowUpSet { deadline_id, .. } if deadline_id == &f.id
    ));
    assert!(
        d.outbox.is_empty() && d.messages.is_empty(),
        "follow-ups are internal"
    );
    h.act(Action::SetFollowUp {
        at: at + Duration::days(1),
        note: "zweite".into(),
    });
    assert_eq!(open_deadlines(&h.case, DeadlineKind::FollowUp), 2);
    assert_deadline_shape(&h.case);
}

// ------------------------------------------------------------------------------------ export

#[test]
fn export_requests_the_export_and_succeeds() {
    let mut h = H::new(exporting());
    h.drive(Status::InProgress);
    assert!(h.allowed().contains(&"export"));
    assert!(!h.allowed().contains(&"send_result"));
    let d = h.act(Action::Export);
    assert_eq!(d.case.status, Status::Exporting);
    assert_eq!(open_tasks(&d.case), vec![TaskKind::Export]);
    assert_eq!(d.case.export.as_ref().unwrap().attempts, 1);
    let exports: Vec<_> = d
        .outbox
        .iter()
        .filter_map(|m| match m {
            QueueMessage::ExportRequested(x) => Some(x),
            _ => None,
        })
        .collect();
    assert_eq!(exports.len(), 1);
    assert_eq!(exports[0].attempt, 1);
    assert_eq!(exports[0].target, export_target());
    assert_eq!(exports[0].case_id, CASE_ID);
    assert_eq!(d.outbox[0].queue().as_str(), "export");

    let d = h.run(&system(), export_ok());
    assert_eq!(d.case.status, Status::Exported);
    let e = d.case.export.as_ref().unwrap();
    assert_eq!(e.receipt.as_deref(), Some("rcpt-1"));
    assert_eq!(open_tasks(&d.case), vec![TaskKind::SendResult]);
    assert_eq!(
        d.case
            .tasks
            .iter()
            .find(|t| t.kind == TaskKind::Export)
            .unwrap()
            .state,
        TaskState::Done
    );
    assert_eq!(
        open_deadlines(&d.case, DeadlineKind::ProcessingDue),
        1,
        "the processing period runs until the result is sent"
    );
}

#[test]
fn export_failure_and_retry() {
    let mut h = H::at(Status::Exporting);
    let d = h.run(&system(), export_failed());
    assert_eq!(d.case.status, Status::ExportFailed);
    assert_eq!(
        d.case.export.as_ref().unwrap().last_error.as_deref(),
        Some("connection refused")
    );
    assert_eq!(
        org_unit_notices(&d.outbox),
        vec![(OU_A.to_string(), OrgUnitReason::ExportFailed)]
    );
    assert_eq!(open_tasks(&d.case), vec![TaskKind::Export]);

    let d = h.act(Action::RetryExport);
    assert_eq!(d.case.status, Status::Exporting);
    assert_eq!(d.case.export.as_ref().unwrap().attempts, 2);
    assert!(d.outbox.iter().any(|m| matches!(
        m,
        QueueMessage::ExportRequested(x) if x.attempt == 2
    )));
    assert_eq!(open_tasks(&d.case), vec![TaskKind::Export]);
    let d = h.run(&system(), export_ok());
    assert_eq!(d.case.status, Status::Exported);
    assert_eq!(d.case.export.as_ref().unwrap().last_error, None);
    assert_eq!(h.replay(), h.case);
}

// ------------------------------------------------------------------------------- send_result

#[track_caller]
fn assert_completed(h: &H, d: &fallwerk_core::case::Decision) {
    let c = &d.case;
    assert_eq!(c.status, Status::Completed);
    assert!(open_tasks(c).is_empty(), "{:?}", c.tasks);
    assert_eq!(
        c.result.as_ref().expect("a result").outcome,
        Outcome::Granted
    );
    let open: Vec<_> = c.deadlines.iter().filter(|d| d.open).collect();
    // Retention, and the ten days in which the result can be retrieved from the postbox
    // (§ 41 Abs. 2a VwVfG, issue 19).
    assert_eq!(open.len(), 2, "retention and retrieval stay open: {open:?}");
    assert_eq!(open[0].kind, DeadlineKind::RetentionDue);
    assert!(open[0].due_on > h.today());
    assert_eq!(open[1].kind, DeadlineKind::RetrievalDue);
    assert!(open[1].due_on >= h.today() + Duration::days(10));
    assert_deadline_shape(c);
    let deliveries: Vec<_> = d
        .outbox
        .iter()
        .filter_map(|m| match m {
            QueueMessage::ResultDelivery(r) => Some(r),
            _ => None,
        })
        .collect();
    assert_eq!(deliveries.len(), 1);
    assert_eq!(deliveries[0].documents, vec!["Bescheid.pdf".to_string()]);
    let msgs = to_applicant(d);
    assert_eq!(msgs.len(), 1);
    assert!(msgs[0].text.contains("bewilligt"));
    assert!(msgs[0].text.contains("Anbei Ihr Bescheid."));
    assert_eq!(h.replay(), h.case);
}

#[test]
fn send_result_from_exported() {
    let mut h = H::new(exporting());
    h.drive(Status::InProgress);
    h.act(Action::SetFollowUp {
        at: h.today() + Duration::days(3),
        note: "x".into(),
    });
    h.act(Action::Export);
    h.run(&system(), export_ok());
    assert_eq!(open_deadlines(&h.case, DeadlineKind::FollowUp), 1);
    let d = h.act(send_result());
    assert!(!has_event(&d, "export_skipped"));
    assert_eq!(
        d.case
            .tasks
            .iter()
            .find(|t| t.kind == TaskKind::Export)
            .unwrap()
            .state,
        TaskState::Done
    );
    assert_completed(&h, &d);
}

#[test]
fn send_result_from_in_progress_skips_the_export() {
    let mut h = H::at(Status::InProgress);
    assert!(!h.allowed().contains(&"export"));
    h.act(Action::SetFollowUp {
        at: h.today() + Duration::days(3),
        note: "x".into(),
    });
    let d = h.act(send_result());
    assert_eq!(event_names(&d)[0], "export_skipped");
    let export = d
        .case
        .tasks
        .iter()
        .find(|t| t.kind == TaskKind::Export)
        .unwrap();
    assert_eq!(export.state, TaskState::Skipped);
    assert_completed(&h, &d);
}

// ------------------------------------------------------------------------------------ cancel

#[test]
fn cancel_from_every_non_final_status() {
    for status in [
        Status::Received,
        Status::CompletenessCheck,
        Status::AwaitingApplicant,
        Status::InProgress,
        Status::Exporting,
        Status::Exported,
        Status::ExportFailed,
    ] {
        let mut h = H::at(status);
        let open_before = open_tasks(&h.case);
        assert_eq!(open_before.len(), 1, "{status:?}: {:?}", h.case.tasks);
        let d = h.act(Action::Cancel {
            reason: "Antrag zurückgenommen".into(),
        });
        let c = &d.case;
        assert_eq!(c.status, Status::Cancelled, "{status:?}");
        assert_eq!(c.cancel_reason.as_deref(), Some("Antrag zurückgenommen"));
        assert!(open_tasks(c).is_empty());
        let kind = open_before[0];
        assert!(
            c.tasks
                .iter()
                .any(|t| t.kind == kind && t.state == TaskState::Skipped),
            "{status:?}: the open task is skipped"
        );
        assert_eq!(c.open_suspension(), None, "{status:?}");
        assert_eq!(c.document_request, None);
        let open: Vec<_> = c
            .deadlines
            .iter()
            .filter(|d| d.open)
            .map(|d| d.kind)
            .collect();
        assert_eq!(open, vec![DeadlineKind::RetentionDue], "{status:?}");
        assert_eq!(
            applicant_reasons(&d.outbox),
            vec![ApplicantReason::Cancelled]
        );
        let msgs = to_applicant(&d);
        assert_eq!(msgs.len(), 1);
        assert!(msgs[0].text.contains("Antrag zurückgenommen"));
        assert_deadline_shape(c);
        assert_eq!(h.replay(), h.case);
    }
}

// ----------------------------------------------------------------------- comment and message

#[test]
fn comment_in_every_status_including_final_ones() {
    for status in Status::ALL {
        let mut h = H::at(status);
        let d = h.run(&worker(), act(comment("Vermerk: Vermieter angerufen")));
        assert_eq!(d.case.status, status);
        assert_eq!(event_names(&d), vec!["commented"]);
        assert!(d.outbox.is_empty(), "comments are internal");
        assert!(d.messages.is_empty(), "comments never reach the postbox");
        assert!(matches!(
            &d.events[0].kind,
            EventKind::Commented { text, .. } if text == "Vermerk: Vermieter angerufen"
        ));
    }
}

#[test]
fn message_goes_to_the_postbox_and_notifies() {
    for status in Status::ALL.into_iter().filter(|s| !s.is_final()) {
        let mut h = H::at(status);
        let d = h.act(Action::Message {
            attachments: vec![],
            subject: "Rückfrage".into(),
            text: "Bitte rufen Sie uns an.".into(),
        });
        assert_eq!(d.case.status, status);
        let msgs = to_applicant(&d);
        assert_eq!(msgs.len(), 1);
        assert_eq!(msgs[0].subject, "Rückfrage");
        assert_eq!(msgs[0].text, "Bitte rufen Sie uns an.");
        assert_eq!(applicant_reasons(&d.outbox), vec![ApplicantReason::Message]);
    }
}

// ------------------------------------------------------------------------------------ assign

#[test]
fn assign_self_other_and_unassign() {
    let mut h = H::new(plain());
    // A caseworker takes the case.
    let d = h.run(
        &worker(),
        act(Action::Assign {
            user: Some("cw-anna".into()),
        }),
    );
    assert_eq!(d.case.assignee.as_deref(), Some("cw-anna"));
    assert!(d.outbox.is_empty() && d.messages.is_empty());
    // A colleague may not take it from her, nor give it to someone else.
    for user in [
        Some("cw-bernd".to_string()),
        Some("cw-xaver".to_string()),
        None,
    ] {
        let e = h
            .try_run(&colleague(), &act(Action::Assign { user }))
            .unwrap_err();
        assert!(matches!(e, CommandError::Forbidden(_)), "{e:?}");
    }
    // She may give it back.
    h.run(&worker(), act(Action::Assign { user: None }));
    assert_eq!(h.case.assignee, None);
    // A supervisor may assign anyone and take it away again.
    h.run(
        &supervisor(),
        act(Action::Assign {
            user: Some("cw-bernd".into()),
        }),
    );
    assert_eq!(h.case.assignee.as_deref(), Some("cw-bernd"));
    let d = h.run(&supervisor(), act(Action::Assign { user: None }));
    assert!(matches!(
        &d.events[0].kind,
        EventKind::Assigned { from: Some(f), to: None } if f == "cw-bernd"
    ));
    assert_eq!(h.case.assignee, None);
}

// ---------------------------------------------------------------------------- system commands

#[test]
fn mark_overdue_flags_the_case() {
    let mut h = H::new(plain());
    assert!(!h.case.is_overdue());
    let id = h
        .case
        .open_deadline(DeadlineKind::CompetenceCheckDue)
        .unwrap()
        .id
        .clone();
    let d = h.run(
        &scheduler(),
        Command::MarkOverdue {
            deadline_id: id.clone(),
        },
    );
    assert!(d.case.is_overdue());
    assert_eq!(event_names(&d), vec!["deadline_overdue"]);
    // Twice is refused; the flag goes away when the deadline closes.
    assert!(matches!(
        h.try_run(&scheduler(), &Command::MarkOverdue { deadline_id: id }),
        Err(CommandError::Invalid { .. })
    ));
    h.act(Action::ConfirmCompetence);
    assert!(!h.case.is_overdue());
}

#[test]
fn mark_overdue_of_unknown_or_closed_deadline_is_invalid() {
    let mut h = H::new(plain());
    let id = h.case.deadlines[0].id.clone();
    h.act(Action::ConfirmCompetence);
    for deadline_id in [id, "nope".to_string()] {
        assert!(matches!(
            h.try_run(&scheduler(), &Command::MarkOverdue { deadline_id }),
            Err(CommandError::Invalid {
                field: "deadline_id",
                ..
            })
        ));
    }
}

#[test]
fn record_reminder_once_per_level() {
    let mut h = H::new(plain());
    let id = h.case.deadlines[0].id.clone();
    let cmd = Command::RecordReminder {
        deadline_id: id.clone(),
        level: ReminderLevel::Warning,
    };
    let d = h.run(&scheduler(), cmd.clone());
    assert_eq!(d.case.deadlines[0].sent, vec![ReminderLevel::Warning]);
    assert!(matches!(
        h.try_run(&scheduler(), &cmd),
        Err(CommandError::Invalid { field: "level", .. })
    ));
    h.run(
        &scheduler(),
        Command::RecordReminder {
            deadline_id: id,
            level: ReminderLevel::Due,
        },
    );
    assert_eq!(
        h.case.deadlines[0].sent,
        vec![ReminderLevel::Warning, ReminderLevel::Due]
    );
    assert!(matches!(
        h.try_run(
            &scheduler(),
            &Command::RecordReminder {
                deadline_id: "nope".into(),
                level: ReminderLevel::Due
            }
        ),
        Err(CommandError::Invalid { .. })
    ));
}

#[test]
fn notification_failed_is_recorded_in_any_status() {
    for status in Status::ALL {
        let mut h = H::at(status);
        let d = h.run(
            &system(),
            Command::NotificationFailed {
                message_id: "c-0001:1:applicant".into(),
                error: "mailbox full".into(),
            },
        );
        assert_eq!(d.case.status, status);
        assert_eq!(
            d.case.notification_failures,
            vec!["c-0001:1:applicant".to_string()]
        );
    }
}

#[test]
fn purge_personal_data_only_in_final_states() {
    for status in Status::ALL {
        let mut h = H::at(status);
        let r = h.try_run(&system(), &Command::PurgePersonalData);
        if !status.is_final() {
            assert!(
                matches!(
                    r,
                    Err(CommandError::NotAllowed {
                        action: "purge_personal_data",
                        ..
                    })
                ),
                "{status:?}: {r:?}"
            );
            continue;
        }
        let d = r.unwrap();
        h.keep(&d);
        let c = &h.case;
        assert!(c.personal_data_purged);
        assert_eq!(c.applicant.name, "");
        assert_eq!(c.applicant.email, None);
        assert_eq!(c.applicant.postbox_ref, None);
        assert_eq!(c.form, FormData::Purged);
        assert_eq!(c.attachments.len(), 2);
        for a in &c.attachments {
            assert_eq!(a.name, format!("dokument-{}", a.n));
            assert!(!a.name.contains("Mustermann"));
        }
        assert!(c.deadlines.iter().all(|d| !d.open), "retention closes");
        let json = serde_json::to_string(c).unwrap();
        assert!(!json.contains("Mustermann"), "{json}");
        assert!(!json.contains(APPLICANT_EMAIL));
        // Once only.
        assert!(matches!(
            h.try_run(&system(), &Command::PurgePersonalData),
            Err(CommandError::NotAllowed { .. })
        ));
        assert_eq!(h.replay(), h.case);
    }
}

// ------------------------------------------------------------------------- the whole journey

#[test]
fn full_journey_with_export_keeps_history_consistent() {
    let mut h = H::new(exporting());
    h.act(forward(OU_B));
    h.run(&worker_b(), act(Action::ConfirmCompetence));
    h.run(&worker_b(), act(request_documents(&["Mietvertrag"])));
    h.advance_days(4);
    h.run(&applicant(), reply("anbei"));
    h.run(&worker_b(), act(Action::ConfirmComplete));
    let due = h.case.expected_decision_on().unwrap();
    h.run(
        &worker_b(),
        act(Action::Extend {
            until: due + Duration::days(14),
            reason: "Rückfrage beim Amt".into(),
        }),
    );
    h.run(&worker_b(), act(Action::Export));
    h.run(&system(), export_failed());
    h.run(&worker_b(), act(Action::RetryExport));
    h.run(&system(), export_ok());
    h.run(&worker_b(), act(send_result()));
    assert_eq!(h.case.status, Status::Completed);
    for (i, e) in h.events.iter().enumerate() {
        assert_eq!(e.seq, i as u64 + 1);
        assert_eq!(e.case_id, CASE_ID);
    }
    assert_eq!(h.case.version, h.events.len() as u64);
    assert_deadline_shape(&h.case);
    assert_eq!(h.replay(), h.case);
    // Postbox and queue message ids are unique over the whole history.
    let mut ids: Vec<_> = h.messages.iter().map(|m| m.id.clone()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), h.messages.len());
    let mut ids: Vec<_> = h
        .outbox
        .iter()
        .map(|m| m.message_id().to_string())
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), h.outbox.len());
}

/// A case left in `exporting` (its consumer died after delivering, or the queue lost the
/// request) offers `retry_export` once the export queue would have redelivered the attempt,
/// not before; the retry is a new attempt, which then is not stale (issue 16).
#[test]
fn a_stuck_export_offers_retry_after_the_lease() {
    let mut h = H::at(Status::Exporting);
    let requested = h.case.export.as_ref().unwrap().requested_at;
    assert_eq!(requested, Some(h.now), "the attempt's request time is kept");
    h.now += Duration::minutes(29);
    assert!(!h.allowed().contains(&"retry_export"), "{:?}", h.allowed());
    assert!(matches!(
        h.try_act(Action::RetryExport),
        Err(CommandError::NotAllowed { .. })
    ));
    h.now += Duration::minutes(2);
    assert!(h.allowed().contains(&"retry_export"), "{:?}", h.allowed());
    let d = h.act(Action::RetryExport);
    assert_eq!(d.case.status, Status::Exporting);
    let export = d.case.export.as_ref().unwrap();
    assert_eq!(export.attempts, 2);
    assert_eq!(export.requested_at, Some(h.now));
    assert!(
        !h.allowed().contains(&"retry_export"),
        "the new attempt runs"
    );
    assert_eq!(h.replay(), h.case);
}
