//! `request_documents` with a date the authority names itself: § 31 Abs. 3 Satz 1 (moves off a
//! weekend), Satz 2 (a fixed end stated with reference to the rule: stays) and Abs. 5 (a Termin
//! stands). The case starts on Monday 02.03.2026; Saturday 14.03.2026 is the stated day.

use crate::common;
use chrono::NaiveDate;
use common::*;
use fallwerk_core::case::{Action, CommandError};
use fallwerk_core::model::Status;
use fallwerk_events::{DateRule, DeadlineKind, EventKind};

fn saturday() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 14).expect("date")
}

fn request(reply_by: Option<NaiveDate>, rule: DateRule) -> Action {
    Action::RequestDocuments {
        items: vec!["Mietvertrag".into()],
        reply_by,
        message: None,
        reply_by_rule: rule,
    }
}

fn reply_deadline(h: &mut H, rule: DateRule) -> (NaiveDate, String, String) {
    let d = h.act(request(Some(saturday()), rule));
    assert_eq!(d.case.status, Status::AwaitingApplicant);
    let deadline = d
        .case
        .open_deadline(DeadlineKind::ApplicantReplyDue)
        .expect("reply deadline")
        .clone();
    let basis = d
        .events
        .iter()
        .find_map(|e| match &e.kind {
            EventKind::DeadlineSet {
                kind: DeadlineKind::ApplicantReplyDue,
                basis,
                ..
            } => Some(basis.clone()),
            _ => None,
        })
        .expect("deadline_set");
    let notice = d
        .messages
        .first()
        .map(|m| m.text.clone())
        .unwrap_or_default();
    assert_eq!(
        d.case
            .document_request
            .as_ref()
            .map(|r| (r.reply_by, r.reply_by_rule)),
        Some((saturday(), rule))
    );
    assert_eq!(h.replay(), h.case);
    (deadline.due_on, basis, notice)
}

/// § 31 Abs. 3 Satz 1 VwVfG: a stated end on Saturday 14.03. ends on Monday 16.03.2026.
#[test]
fn period_end_on_a_saturday_runs_to_monday_and_the_notice_says_so() {
    let mut h = H::at(Status::CompletenessCheck);
    let (due, basis, notice) = reply_deadline(&mut h, DateRule::PeriodEnd);
    assert_eq!(due, NaiveDate::from_ymd_opt(2026, 3, 16).expect("date"));
    assert!(basis.contains("§ 31 Abs. 3 Satz 1 VwVfG"), "{basis}");
    assert!(notice.contains("16.03.2026"), "{notice}");
}

/// § 31 Abs. 3 Satz 2 VwVfG: told as a fixed end with reference to the rule, Saturday stays.
#[test]
fn fixed_end_on_a_saturday_stays_and_the_notice_cites_the_rule() {
    let mut h = H::at(Status::CompletenessCheck);
    let (due, basis, notice) = reply_deadline(&mut h, DateRule::FixedEnd);
    assert_eq!(due, saturday());
    assert!(
        basis.contains("nicht auf den nächsten Werktag verschoben"),
        "{basis}"
    );
    assert!(basis.contains("§ 31 Abs. 3 Satz 2 VwVfG"), "{basis}");
    assert!(notice.contains("§ 31 Abs. 3 Satz 2 VwVfG"), "{notice}");
    assert!(notice.contains("14.03.2026"), "{notice}");
}

/// § 31 Abs. 5 VwVfG: a Termin on a Saturday stands.
#[test]
fn appointment_on_a_saturday_stands() {
    let mut h = H::at(Status::CompletenessCheck);
    let (due, basis, notice) = reply_deadline(&mut h, DateRule::Appointment);
    assert_eq!(due, saturday());
    assert!(basis.contains("§ 31 Abs. 5 VwVfG"), "{basis}");
    assert!(notice.contains("§ 31 Abs. 5 VwVfG"), "{notice}");
}

/// A fixed end or a Termin must be a day the caseworker states: without `reply_by` it is refused.
#[test]
fn fixed_rules_without_a_date_are_refused() {
    for rule in [DateRule::FixedEnd, DateRule::Appointment] {
        let h = H::at(Status::CompletenessCheck);
        match h.try_act(request(None, rule)) {
            Err(CommandError::Invalid { field, .. }) => assert_eq!(field, "reply_by"),
            other => panic!("{rule:?}: expected invalid reply_by, got {other:?}"),
        }
    }
}

/// The wire form: `reply_by_rule` is optional and snake_case; unknown values are refused.
#[test]
fn the_action_parses_the_rule() {
    let body = serde_json::json!({
        "action": "request_documents", "expected_version": 3,
        "items": ["Mietvertrag"], "reply_by": "2026-03-14", "reply_by_rule": "fixed_end"
    });
    let parsed = Action::parse_request(body).map(|(_, a)| a);
    assert_eq!(parsed, Ok(request(Some(saturday()), DateRule::FixedEnd)));
    let bad = serde_json::json!({
        "action": "request_documents", "expected_version": 3,
        "items": ["Mietvertrag"], "reply_by_rule": "sometime"
    });
    assert!(Action::parse_request(bad).is_err());
}
