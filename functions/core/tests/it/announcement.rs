//! After the decision (issue 19): announcement by postbox retrieval (§ 41 Abs. 2a VwVfG) or by
//! post (§ 41 Abs. 2 VwVfG and the state's law), the appeal deadline (§§ 58, 70, 74 VwGO), the
//! "send by post" task, the appeal and finality. The result goes out on Monday 02.03.2026 in
//! Mecklenburg-Vorpommern.

use crate::common;
use chrono::{Duration, NaiveDate};
use common::*;
use fallwerk_core::case::{Action, Caller, Command, CommandError};
use fallwerk_core::model::{Case, Status, TaskKind, TaskState};
use fallwerk_events::{Actor, AnnouncementVia, DeadlineKind, EventKind};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("date")
}

fn portal() -> Caller {
    Caller::system(Actor::Portal("portal-mv".into()))
}

fn result_message(c: &Case) -> String {
    c.result
        .as_ref()
        .and_then(|r| r.message_id.clone())
        .expect("result message id")
}

fn deadline_id(c: &Case, kind: DeadlineKind) -> String {
    c.open_deadline(kind)
        .map(|x| x.id.clone())
        .expect("open deadline")
}

fn completed() -> H {
    let h = H::at(Status::Completed);
    assert_eq!(h.today(), d(2026, 3, 2));
    h
}

/// Retrieved Wednesday 04.03. → announced Thursday 05.03.2026 (§ 41 Abs. 2a Satz 3 VwVfG);
/// one month → Sunday 05.04. (Easter) → Ostermontag → Tuesday 07.04.2026 (§ 70 VwGO, § 193 BGB);
/// the day after it passes unused the decision is final: 08.04.2026.
#[test]
fn retrieval_announces_and_the_unused_appeal_period_makes_it_final() {
    let mut h = completed();
    let retrieval = h
        .case
        .open_deadline(DeadlineKind::RetrievalDue)
        .expect("window")
        .clone();
    assert_eq!(retrieval.due_on, d(2026, 3, 12));
    assert!(
        retrieval.basis.contains("§ 41 Abs. 2a Satz 4 und 5 VwVfG"),
        "{}",
        retrieval.basis
    );

    h.advance_days(2);
    let msg = result_message(&h.case);
    let dec = h.run(
        &portal(),
        Command::MessageRetrieved {
            message_id: msg.clone(),
        },
    );
    assert_eq!(
        event_names(&dec),
        vec![
            "message_retrieved",
            "result_announced",
            "deadline_closed",
            "deadline_set"
        ]
    );
    let a = &dec.case.result.as_ref().expect("result").announcement;
    assert_eq!(a.retrieved_on, Some(d(2026, 3, 4)));
    assert_eq!(a.announced_on, Some(d(2026, 3, 5)));
    assert_eq!(a.announced_via, Some(AnnouncementVia::Postbox));
    assert_eq!(a.appeal_due, Some(d(2026, 4, 7)));
    assert_eq!(a.final_on, None);
    let appeal = dec
        .case
        .open_deadline(DeadlineKind::AppealDue)
        .expect("appeal deadline");
    assert_eq!(appeal.due_on, d(2026, 4, 7));
    assert!(
        appeal.basis.contains("§ 41 Abs. 2a Satz 3 VwVfG"),
        "{}",
        appeal.basis
    );
    assert!(
        appeal.basis.contains("§ 70 Abs. 1, § 74 Abs. 1 VwGO"),
        "{}",
        appeal.basis
    );
    assert!(appeal.basis.contains("Ostermontag"), "{}", appeal.basis);
    assert_eq!(dec.case.open_deadline(DeadlineKind::RetrievalDue), None);
    assert_eq!(dec.case.status, Status::Completed);
    assert!(
        !h.allowed().contains(&"record_posting"),
        "{:?}",
        h.allowed()
    );

    // A second report of the same retrieval announces nothing again.
    assert!(!fallwerk_core::case::retrieval_is_news(&h.case, &msg));

    // The day after the appeal period: the scheduler marks it overdue → final.
    h.now = chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 4, 8, 9, 0, 0).unwrap();
    let id = deadline_id(&h.case, DeadlineKind::AppealDue);
    let dec = h.run(&scheduler(), Command::MarkOverdue { deadline_id: id });
    assert!(has_event(&dec, "decision_final"), "{:?}", event_names(&dec));
    let a = &dec.case.result.as_ref().expect("result").announcement;
    assert_eq!(a.final_on, Some(d(2026, 4, 8)));
    assert_eq!(dec.case.open_deadline(DeadlineKind::AppealDue), None);
    assert_eq!(h.replay(), h.case);
}

/// Not retrieved: the window ends Thursday 12.03.; on Friday 13.03. the scheduler marks it
/// overdue and the task "send by post" opens. Posted the same day, the decision counts as
/// announced on the fourth day, Tuesday 17.03.2026 (§ 41 Abs. 2 VwVfG since 2025, assumed for
/// Mecklenburg-Vorpommern and said so); appeal until Friday 17.04.2026.
#[test]
fn no_retrieval_opens_send_by_post_and_the_posting_sets_the_announcement() {
    let mut h = completed();
    h.advance_days(11);
    let id = deadline_id(&h.case, DeadlineKind::RetrievalDue);
    let dec = h.run(&scheduler(), Command::MarkOverdue { deadline_id: id });
    assert!(
        has_event(&dec, "postal_delivery_required"),
        "{:?}",
        event_names(&dec)
    );
    assert_eq!(open_tasks(&dec.case), vec![TaskKind::SendByPost]);
    assert!(h.allowed().contains(&"record_posting"));
    // The retrieval deadline stays open (overdue): its escalation reminds the org unit.
    assert!(h.case.open_deadline(DeadlineKind::RetrievalDue).is_some());

    let dec = h.act(Action::RecordPosting {
        posted_on: d(2026, 3, 13),
    });
    let a = &dec.case.result.as_ref().expect("result").announcement;
    assert_eq!(a.posted_on, Some(d(2026, 3, 13)));
    assert_eq!(a.announced_on, Some(d(2026, 3, 17)));
    assert_eq!(a.announced_via, Some(AnnouncementVia::Post));
    assert_eq!(a.appeal_due, Some(d(2026, 4, 17)));
    let basis = dec
        .events
        .iter()
        .find_map(|e| match &e.kind {
            EventKind::ResultAnnounced { basis, .. } => Some(basis.clone()),
            _ => None,
        })
        .expect("announced");
    assert!(basis.contains("4. Tag"), "{basis}");
    assert!(basis.contains("nicht geprüft"), "{basis}");
    assert!(open_tasks(&dec.case).is_empty());
    let task = dec
        .case
        .tasks
        .iter()
        .find(|t| t.kind == TaskKind::SendByPost)
        .expect("task");
    assert_eq!(task.state, TaskState::Done);
    assert_eq!(dec.case.open_deadline(DeadlineKind::RetrievalDue), None);
    assert_eq!(h.replay(), h.case);
}

/// § 58 Abs. 2 VwGO: without a Rechtsbehelfsbelehrung the appeal period is one year.
#[test]
fn without_instructions_the_appeal_period_is_a_year() {
    let mut h = H::at(Status::InProgress);
    h.act(Action::SendResult {
        attachments: vec![],
        outcome: fallwerk_events::Outcome::Rejected,
        documents: vec![],
        message: "Abgelehnt.".into(),
        appeal_instructions: false,
    });
    h.advance_days(2);
    let msg = result_message(&h.case);
    let dec = h.run(&portal(), Command::MessageRetrieved { message_id: msg });
    // Announced Thursday 05.03.2026 + 1 year = Friday 05.03.2027.
    let a = &dec.case.result.as_ref().expect("result").announcement;
    assert_eq!(a.appeal_due, Some(d(2027, 3, 5)));
}

/// An appeal closes the appeal period: no finality follows; one after the period is late.
#[test]
fn an_appeal_stops_finality() {
    let mut h = completed();
    h.advance_days(2);
    let msg = result_message(&h.case);
    h.run(&portal(), Command::MessageRetrieved { message_id: msg });
    assert!(h.allowed().contains(&"record_appeal"));
    let dec = h.act(Action::RecordAppeal {
        received_on: d(2026, 3, 4),
    });
    assert!(
        dec.events
            .iter()
            .any(|e| matches!(e.kind, EventKind::AppealLodged { late: false, .. }))
    );
    let a = &dec.case.result.as_ref().expect("result").announcement;
    assert_eq!(a.appeal_lodged_on, Some(d(2026, 3, 4)));
    assert_eq!(dec.case.open_deadline(DeadlineKind::AppealDue), None);
    assert!(!h.allowed().contains(&"record_appeal"));
    assert!(matches!(
        h.try_act(Action::RecordAppeal {
            received_on: d(2026, 3, 4)
        }),
        Err(CommandError::NotAllowed { .. })
    ));
}

#[test]
fn late_appeal_is_marked_late() {
    let mut h = completed();
    h.advance_days(2);
    let msg = result_message(&h.case);
    h.run(&portal(), Command::MessageRetrieved { message_id: msg });
    h.advance_days(60);
    let dec = h.act(Action::RecordAppeal {
        received_on: h.today(),
    });
    assert!(
        dec.events
            .iter()
            .any(|e| matches!(e.kind, EventKind::AppealLodged { late: true, .. }))
    );
}

#[test]
fn rejections_name_the_field() {
    let mut h = completed();
    h.advance_days(1);
    let invalid = |r: Result<_, CommandError>| match r {
        Err(CommandError::Invalid { field, .. }) => field,
        other => panic!("expected invalid, got {other:?}"),
    };
    let today = h.today();
    assert_eq!(
        invalid(h.try_act(Action::RecordPosting {
            posted_on: today + Duration::days(1)
        })),
        "posted_on"
    );
    assert_eq!(
        invalid(h.try_act(Action::RecordPosting {
            posted_on: d(2026, 3, 1)
        })),
        "posted_on"
    );
    assert_eq!(
        invalid(h.try_act(Action::RecordAppeal {
            received_on: today + Duration::days(1)
        })),
        "received_on"
    );
    assert_eq!(
        invalid(h.try_run(
            &portal(),
            &Command::MessageRetrieved {
                message_id: "someone-elses-m3".into()
            }
        )),
        "message_id"
    );
    // Once announced by post, posting again is not offered.
    h.act(Action::RecordPosting { posted_on: today });
    assert!(matches!(
        h.try_act(Action::RecordPosting { posted_on: today }),
        Err(CommandError::NotAllowed { .. })
    ));
    // A cancelled case has no decision to announce.
    let h = H::at(Status::Cancelled);
    assert!(matches!(
        h.try_act(Action::RecordPosting {
            posted_on: h.today()
        }),
        Err(CommandError::NotAllowed { .. })
    ));
}

/// Retrieving another postbox message is recorded but announces nothing.
#[test]
fn retrieving_another_message_announces_nothing() {
    let mut h = completed();
    let other = format!("{}-m1", h.case.id);
    let dec = h.run(&portal(), Command::MessageRetrieved { message_id: other });
    assert_eq!(event_names(&dec), vec!["message_retrieved"]);
    assert_eq!(
        dec.case
            .result
            .as_ref()
            .and_then(|r| r.announcement.announced_on),
        None
    );
}

/// Without a portal postbox the decision cannot be retrieved: "send by post" opens at once.
#[test]
fn without_a_postbox_the_result_goes_by_post_at_once() {
    let mut h = H::at(Status::InProgress);
    h.case.applicant.postbox_ref = None;
    let dec = h.act(send_result());
    assert!(
        has_event(&dec, "postal_delivery_required"),
        "{:?}",
        event_names(&dec)
    );
    assert_eq!(dec.case.open_deadline(DeadlineKind::RetrievalDue), None);
    assert_eq!(open_tasks(&dec.case), vec![TaskKind::SendByPost]);
    assert!(h.allowed().contains(&"record_posting"));
}
