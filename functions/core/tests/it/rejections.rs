//! Every way a command is refused: status (409 with the allowed actions), visibility (404),
//! rights (403), stale versions, invalid fields, and malformed action requests.

use crate::common;
use chrono::Duration;
use serde_json::json;

use common::*;
use fallwerk_core::case::{Action, Caller, Command, CommandError, allowed_actions};
use fallwerk_core::model::Status;
use fallwerk_events::ReminderLevel;

const ANY_OPEN: [&str; 4] = ["comment", "message", "assign", "cancel"];

/// docs/ARCHITECTURE.md "Case lifecycle", written out: the actions each status allows for a service with/without export.
fn table(status: Status, with_export: bool) -> Vec<&'static str> {
    let own: Vec<&'static str> = match status {
        Status::Received => vec!["confirm_competence", "forward", "check_document"],
        Status::CompletenessCheck => {
            vec!["confirm_complete", "request_documents", "check_document"]
        }
        Status::AwaitingApplicant => {
            vec!["documents_arrived", "withdraw_request", "check_document"]
        }
        Status::InProgress if with_export => {
            vec!["extend", "set_follow_up", "check_document", "export"]
        }
        Status::InProgress => vec!["extend", "set_follow_up", "check_document", "send_result"],
        Status::Exporting => vec![],
        Status::Exported => vec!["send_result"],
        Status::ExportFailed => vec!["retry_export"],
        // A fresh decision: not yet announced, no appeal yet (issue 19, docs/ARCHITECTURE.md
        // "Announcement and appeal").
        Status::Completed => return vec!["comment", "record_posting", "record_appeal"],
        Status::Cancelled => return vec!["comment"],
    };
    own.into_iter().chain(ANY_OPEN).collect()
}

/// Every (status, service) pair that can occur.
fn all_situations() -> Vec<H> {
    let mut out = Vec::new();
    for status in Status::ALL {
        for with_export in [false, true] {
            let export_only = matches!(
                status,
                Status::Exporting | Status::Exported | Status::ExportFailed
            );
            if export_only && !with_export {
                continue;
            }
            let mut h = H::new(if with_export { exporting() } else { plain() });
            h.drive(status);
            out.push(h);
        }
    }
    out
}

// --------------------------------------------------------------------------------- NotAllowed

#[test]
fn allowed_actions_follow_the_design_table() {
    for h in all_situations() {
        let with_export = h.service.export_target.is_some();
        assert_eq!(
            h.allowed(),
            table(h.case.status, with_export),
            "{:?} export={with_export}",
            h.case.status
        );
    }
}

#[test]
fn every_forbidden_action_in_every_status_is_not_allowed() {
    let mut checked = 0;
    for h in all_situations() {
        let allowed = allowed_actions(&h.case, &h.service, h.now);
        for action in every_action(h.today()) {
            let name = action.name();
            if allowed.contains(&name) {
                continue;
            }
            for caller in [supervisor(), worker()] {
                // A plain caseworker may assign only herself (rights are checked first).
                let action = match &action {
                    Action::Assign { .. } if caller == worker() => Action::Assign {
                        user: Some("cw-anna".into()),
                    },
                    a => a.clone(),
                };
                let err = h.try_run(&caller, &act(action)).unwrap_err();
                assert_eq!(
                    err,
                    CommandError::NotAllowed {
                        action: name.as_str(),
                        status: h.case.status,
                        allowed: allowed.clone(),
                    },
                    "{name} in {:?}",
                    h.case.status
                );
                let text = err.to_string();
                assert!(text.contains(h.case.status.as_str()), "{text}");
                let listed: Vec<&str> = allowed.iter().map(|a| a.as_str()).collect();
                assert!(text.contains(&listed.join(", ")), "{text}");
            }
            checked += 1;
        }
    }
    assert!(checked > 80, "only {checked} combinations checked");
}

#[test]
fn every_allowed_action_is_accepted() {
    // The converse: what the table allows goes through (no hidden refusals).
    for h in all_situations() {
        for action in every_action(h.today()) {
            if !h.allowed().contains(&action.name().as_str()) {
                continue;
            }
            let r = h.try_act(action.clone());
            assert!(r.is_ok(), "{} in {:?}: {r:?}", action.name(), h.case.status);
        }
    }
}

/// Final cases accept comments, and a completed one the announcement actions of its decision
/// (issue 19); nothing else.
#[test]
fn final_statuses_accept_only_comments() {
    for (status, allowed) in [
        (
            Status::Completed,
            vec!["comment", "record_posting", "record_appeal"],
        ),
        (Status::Cancelled, vec!["comment"]),
    ] {
        let h = H::at(status);
        assert_eq!(h.allowed(), allowed);
        for action in every_action(h.today()) {
            let r = h.try_act(action.clone());
            if allowed.contains(&action.name().as_str()) {
                assert!(r.is_ok(), "{}: {r:?}", action.name());
            } else {
                assert!(
                    matches!(r, Err(CommandError::NotAllowed { .. })),
                    "{}: {r:?}",
                    action.name()
                );
            }
        }
        // The applicant cannot reopen a final case either.
        let e = h
            .try_run(&applicant(), &reply("noch eine Frage"))
            .unwrap_err();
        assert_eq!(
            e,
            CommandError::NotAllowed {
                action: "applicant_reply",
                status,
                allowed: h.allowed_names(),
            }
        );
    }
}

#[test]
fn export_results_outside_exporting_are_not_allowed() {
    for h in all_situations() {
        if h.case.status == Status::Exporting {
            continue;
        }
        for (cmd, name) in [
            (export_ok(), "export_succeeded"),
            (export_failed(), "export_failed"),
        ] {
            let e = h.try_run(&system(), &cmd).unwrap_err();
            assert_eq!(
                e,
                CommandError::NotAllowed {
                    action: name,
                    status: h.case.status,
                    allowed: h.allowed_names(),
                }
            );
        }
    }
}

#[test]
fn second_extension_is_already_extended() {
    let mut h = H::at(Status::InProgress);
    let due = h.case.expected_decision_on().unwrap();
    h.act(Action::Extend {
        until: due + Duration::days(10),
        reason: "Gutachten".into(),
    });
    assert!(!h.allowed().contains(&"extend"));
    let e = h
        .try_act(Action::Extend {
            until: due + Duration::days(20),
            reason: "noch ein Gutachten".into(),
        })
        .unwrap_err();
    assert_eq!(e, CommandError::AlreadyExtended);
    // Elsewhere `extend` stays a plain status refusal even after an extension.
    h.act(send_result());
    let e = h
        .try_act(Action::Extend {
            until: due + Duration::days(20),
            reason: "zu spät".into(),
        })
        .unwrap_err();
    assert!(matches!(e, CommandError::NotAllowed { .. }), "{e:?}");
}

#[test]
fn export_without_target_is_refused() {
    // The action is not offered when the service needs no export…
    let h = H::at(Status::InProgress);
    assert_eq!(
        h.try_act(Action::Export).unwrap_err(),
        CommandError::NotAllowed {
            action: "export",
            status: Status::InProgress,
            allowed: h.allowed_names(),
        }
    );
    // …and a retry fails cleanly when the target was removed from the service meanwhile.
    let mut h = H::at(Status::ExportFailed);
    h.service.export_target = None;
    let e = h.try_act(Action::RetryExport).unwrap_err();
    assert!(
        matches!(
            e,
            CommandError::Invalid {
                field: "action",
                ..
            }
        ),
        "{e:?}"
    );
}

// --------------------------------------------------------------------------------- NotVisible

#[test]
fn callers_of_other_org_units_see_nothing() {
    for h in all_situations() {
        for action in every_action(h.today()) {
            let cmd = act(action);
            let current = h.case.version;
            for version in [Some(current), Some(current + 5), Some(0), None] {
                for caller in [stranger(), worker_b()] {
                    assert_eq!(
                        h.try_run_at(&caller, &cmd, version).unwrap_err(),
                        CommandError::NotVisible,
                        "{} {version:?}",
                        cmd.name()
                    );
                }
            }
        }
    }
}

#[test]
fn a_caller_without_org_units_sees_nothing() {
    let h = H::new(plain());
    let nobody = Caller::caseworker("cw-nobody", &[], &[Role::Supervisor]);
    assert_eq!(
        h.try_run(&nobody, &act(comment("x"))).unwrap_err(),
        CommandError::NotVisible
    );
}

use fallwerk_core::case::Role;

#[test]
fn forwarded_case_is_invisible_to_the_old_org_unit_even_with_stale_version() {
    let mut h = H::new(plain());
    let old_version = h.case.version;
    h.act(forward(OU_B));
    for v in [Some(old_version), Some(h.case.version), None] {
        assert_eq!(
            h.try_run_at(&worker(), &act(Action::ConfirmCompetence), v)
                .unwrap_err(),
            CommandError::NotVisible
        );
    }
}

// ---------------------------------------------------------------------------------- Forbidden

#[test]
fn admin_only_member_is_forbidden_to_act() {
    for h in all_situations() {
        for action in every_action(h.today()) {
            let e = h.try_run(&admin_only(), &act(action.clone())).unwrap_err();
            assert!(
                matches!(e, CommandError::Forbidden(_)),
                "{} in {:?}: {e:?}",
                action.name(),
                h.case.status
            );
        }
    }
}

#[test]
fn assigning_others_needs_a_supervisor() {
    let mut h = H::new(plain());
    let e = h
        .try_run(
            &worker(),
            &act(Action::Assign {
                user: Some("cw-bernd".into()),
            }),
        )
        .unwrap_err();
    assert!(matches!(e, CommandError::Forbidden(_)), "{e:?}");
    h.run(
        &worker(),
        act(Action::Assign {
            user: Some("cw-anna".into()),
        }),
    );
    // Neither unassigning nor taking over someone else's case without a supervisor.
    for user in [None, Some("cw-bernd".to_string())] {
        let e = h
            .try_run(&colleague(), &act(Action::Assign { user }))
            .unwrap_err();
        assert!(matches!(e, CommandError::Forbidden(_)), "{e:?}");
    }
}

// ------------------------------------------------------------------------------- StaleVersion

#[test]
fn stale_versions_are_refused_before_anything_else() {
    let h = H::at(Status::CompletenessCheck);
    let v = h.case.version;
    for expected in [0, v - 1, v + 1] {
        // Even a command that would be invalid or not allowed reports the stale version first.
        for cmd in [
            act(Action::ConfirmComplete),
            act(Action::ConfirmCompetence),
            act(comment("")),
        ] {
            for caller in [supervisor(), worker(), admin_only()] {
                assert_eq!(
                    h.try_run_at(&caller, &cmd, Some(expected)).unwrap_err(),
                    CommandError::StaleVersion {
                        expected,
                        actual: v
                    }
                );
            }
        }
        assert_eq!(
            h.try_run_at(&applicant(), &reply("x"), Some(expected))
                .unwrap_err(),
            CommandError::StaleVersion {
                expected,
                actual: v
            }
        );
    }
    // Without an expected version (queue consumers) there is no check.
    assert!(
        h.try_run_at(&supervisor(), &act(Action::ConfirmComplete), None)
            .is_ok()
    );
}

// ------------------------------------------------------------------------------------ Invalid

#[track_caller]
fn assert_invalid(h: &H, cmd: Command, field: &str) {
    match h.try_run(&supervisor(), &cmd) {
        Err(CommandError::Invalid { field: f, .. }) if f == field => {}
        other => panic!(
            "`{}` in {:?}: expected Invalid `{field}`, got {other:?}",
            cmd.name(),
            h.case.status
        ),
    }
}

#[track_caller]
fn assert_invalid_act(h: &H, a: Action, field: &str) {
    assert_invalid(h, act(a), field)
}

fn long(n: usize) -> String {
    "ä".repeat(n)
}

#[test]
fn empty_texts_are_invalid() {
    let received = H::at(Status::Received);
    let completeness = H::at(Status::CompletenessCheck);
    let progress = H::at(Status::InProgress);
    let today = progress.today();
    let due = progress.case.expected_decision_on().unwrap();
    for empty in ["", "   ", "\n\t"] {
        let e = || empty.to_string();
        assert_invalid_act(&received, comment(empty), "text");
        assert_invalid_act(
            &received,
            Action::Forward {
                org_unit_id: OU_B.into(),
                reason: e(),
            },
            "reason",
        );
        assert_invalid_act(
            &received,
            Action::Message {
                attachments: vec![],
                subject: e(),
                text: "x".into(),
            },
            "subject",
        );
        assert_invalid_act(
            &received,
            Action::Message {
                attachments: vec![],
                subject: "x".into(),
                text: e(),
            },
            "text",
        );
        assert_invalid_act(&received, Action::Cancel { reason: e() }, "reason");
        assert_invalid_act(&received, Action::Assign { user: Some(e()) }, "user");
        assert_invalid_act(
            &completeness,
            Action::RequestDocuments {
                items: vec!["Mietvertrag".into(), e()],
                reply_by: None,
                message: None,
                reply_by_rule: Default::default(),
            },
            "items",
        );
        assert_invalid_act(
            &completeness,
            Action::RequestDocuments {
                items: vec!["Mietvertrag".into()],
                reply_by: None,
                message: Some(e()),
                reply_by_rule: Default::default(),
            },
            "message",
        );
        assert_invalid_act(
            &progress,
            Action::Extend {
                until: due + Duration::days(5),
                reason: e(),
            },
            "reason",
        );
        assert_invalid_act(
            &progress,
            Action::SetFollowUp {
                at: today + Duration::days(5),
                note: e(),
            },
            "note",
        );
        assert_invalid_act(
            &progress,
            Action::SendResult {
                attachments: vec![],
                outcome: outcome_granted(),
                documents: vec![],
                message: e(),
                appeal_instructions: true,
            },
            "message",
        );
        assert_invalid_act(
            &progress,
            Action::SendResult {
                attachments: vec![],
                outcome: outcome_granted(),
                documents: vec![e()],
                message: "x".into(),
                appeal_instructions: true,
            },
            "documents",
        );
        assert_invalid(
            &progress,
            Command::ApplicantReply {
                subject: e(),
                text: "x".into(),
                attachments: vec![],
            },
            "subject",
        );
        assert_invalid(
            &progress,
            Command::ApplicantReply {
                subject: "x".into(),
                text: e(),
                attachments: vec![],
            },
            "text",
        );
    }
}

#[test]
fn too_long_texts_are_invalid_and_the_limit_itself_is_fine() {
    let received = H::at(Status::Received);
    let completeness = H::at(Status::CompletenessCheck);
    let progress = H::at(Status::InProgress);
    // Limits count characters, not bytes ("ä" is two bytes).
    assert!(received.try_act(comment(&long(10_000))).is_ok());
    assert_invalid_act(&received, comment(&long(10_001)), "text");
    assert!(
        received
            .try_act(Action::Cancel {
                reason: long(2_000)
            })
            .is_ok()
    );
    assert_invalid_act(
        &received,
        Action::Cancel {
            reason: long(2_001),
        },
        "reason",
    );
    assert_invalid_act(
        &received,
        Action::Forward {
            org_unit_id: OU_B.into(),
            reason: long(2_001),
        },
        "reason",
    );
    assert_invalid_act(
        &received,
        Action::Message {
            attachments: vec![],
            subject: long(201),
            text: "x".into(),
        },
        "subject",
    );
    assert_invalid_act(
        &received,
        Action::Message {
            attachments: vec![],
            subject: "x".into(),
            text: long(10_001),
        },
        "text",
    );
    assert_invalid_act(
        &received,
        Action::Assign {
            user: Some(long(201)),
        },
        "user",
    );
    assert_invalid_act(
        &completeness,
        Action::RequestDocuments {
            items: vec![long(201)],
            reply_by: None,
            message: None,
            reply_by_rule: Default::default(),
        },
        "items",
    );
    assert_invalid_act(
        &progress,
        Action::SetFollowUp {
            at: progress.today() + Duration::days(3),
            note: long(2_001),
        },
        "note",
    );
    assert_invalid_act(
        &progress,
        Action::SendResult {
            attachments: vec![],
            outcome: outcome_granted(),
            documents: vec![],
            message: long(10_001),
            appeal_instructions: true,
        },
        "message",
    );
    assert_invalid(
        &progress,
        Command::ApplicantReply {
            subject: "x".into(),
            text: long(10_001),
            attachments: vec![],
        },
        "text",
    );
}

#[test]
fn forward_targets_are_checked() {
    let h = H::at(Status::Received);
    assert_invalid_act(&h, forward(OU_UNKNOWN), "org_unit_id");
    assert_invalid_act(&h, forward(OU_C), "org_unit_id");
    assert_invalid_act(&h, forward(OU_A), "org_unit_id");
    // A directory that hands over a different unit than the one named is not trusted.
    let ou_b = org_unit(OU_B).unwrap();
    let ctx = fallwerk_core::case::Ctx {
        now: h.now,
        service: &h.service,
        forward_target: Some(&ou_b),
    };
    let r = fallwerk_core::case::execute(
        &h.case,
        &supervisor(),
        &act(forward(OU_UNKNOWN)),
        &ctx,
        Some(h.case.version),
    );
    assert!(matches!(
        r,
        Err(CommandError::Invalid {
            field: "org_unit_id",
            ..
        })
    ));
}

#[test]
fn request_documents_needs_items_and_a_future_reply_date() {
    let h = H::at(Status::CompletenessCheck);
    let today = h.today();
    assert_invalid_act(
        &h,
        Action::RequestDocuments {
            items: vec![],
            reply_by: None,
            message: None,
            reply_by_rule: Default::default(),
        },
        "items",
    );
    for reply_by in [
        today,
        today - Duration::days(1),
        today - Duration::days(400),
    ] {
        assert_invalid_act(
            &h,
            Action::RequestDocuments {
                items: vec!["Mietvertrag".into()],
                reply_by: Some(reply_by),
                message: None,
                reply_by_rule: Default::default(),
            },
            "reply_by",
        );
    }
}

#[test]
fn extend_must_end_after_the_current_deadline() {
    let h = H::at(Status::InProgress);
    let due = h.case.expected_decision_on().unwrap();
    for until in [due, due - Duration::days(1), h.today()] {
        assert_invalid_act(
            &h,
            Action::Extend {
                until,
                reason: "x".into(),
            },
            "until",
        );
    }
}

#[test]
fn follow_up_must_be_in_the_future() {
    let h = H::at(Status::InProgress);
    for at in [h.today(), h.today() - Duration::days(1)] {
        assert_invalid_act(
            &h,
            Action::SetFollowUp {
                at,
                note: "x".into(),
            },
            "at",
        );
    }
}

#[test]
fn assign_to_the_current_assignee_is_invalid() {
    let mut h = H::new(plain());
    assert_invalid_act(&h, Action::Assign { user: None }, "user");
    h.act(Action::Assign {
        user: Some("cw-bernd".into()),
    });
    assert_invalid_act(
        &h,
        Action::Assign {
            user: Some("cw-bernd".into()),
        },
        "user",
    );
    // Also for the assignee herself.
    let e = h
        .try_run(
            &colleague(),
            &act(Action::Assign {
                user: Some("cw-bernd".into()),
            }),
        )
        .unwrap_err();
    assert!(
        matches!(e, CommandError::Invalid { field: "user", .. }),
        "{e:?}"
    );
}

#[test]
fn system_commands_with_unknown_deadlines_are_invalid() {
    let h = H::new(plain());
    assert_invalid(
        &h,
        Command::MarkOverdue {
            deadline_id: "x".into(),
        },
        "deadline_id",
    );
    assert_invalid(
        &h,
        Command::RecordReminder {
            deadline_id: "x".into(),
            level: ReminderLevel::Due,
        },
        "deadline_id",
    );
}

#[test]
fn refusals_leave_the_case_untouched() {
    // `execute` takes the case by reference; a refusal must not be a partial decision either.
    for h in all_situations() {
        let before = h.case.clone();
        for action in every_action(h.today()) {
            let _ = h.try_run(&stranger(), &act(action.clone()));
            let _ = h.try_run(&admin_only(), &act(action));
        }
        assert_eq!(h.case, before);
    }
}

// ------------------------------------------------------------------------------ parse_request

fn parse(v: serde_json::Value) -> Result<(u64, Action), String> {
    Action::parse_request(v)
}

#[test]
fn parse_request_accepts_well_formed_bodies() {
    assert_eq!(
        parse(json!({"action": "comment", "text": "x", "expected_version": 7})).unwrap(),
        (7, comment("x"))
    );
    assert_eq!(
        parse(json!({"action": "confirm_competence", "expected_version": 0})).unwrap(),
        (0, Action::ConfirmCompetence)
    );
    assert_eq!(
        parse(json!({"action": "request_documents", "items": ["a"], "expected_version": 2}))
            .unwrap(),
        (2, request_documents(&["a"]))
    );
    assert_eq!(
        parse(json!({"action": "assign", "user": null, "expected_version": 3})).unwrap(),
        (3, Action::Assign { user: None })
    );
    // Every action round-trips through its own JSON form.
    for a in every_action(H::new(plain()).today()) {
        let mut v = serde_json::to_value(&a).unwrap();
        v["expected_version"] = json!(42);
        assert_eq!(parse(v).unwrap(), (42, a));
    }
}

#[test]
fn parse_request_needs_a_non_negative_integer_version() {
    let e = parse(json!({"action": "comment", "text": "x"})).unwrap_err();
    assert!(e.contains("expected_version"), "{e}");
    for bad in [json!(-1), json!("1"), json!(1.5), json!(null), json!([1])] {
        let e =
            parse(json!({"action": "comment", "text": "x", "expected_version": bad})).unwrap_err();
        assert!(e.contains("expected_version"), "{bad}: {e}");
    }
}

#[test]
fn parse_request_rejects_unknown_fields_naming_them() {
    let e = parse(json!({"action":"comment","text":"x","expected_version":1,"foo":1})).unwrap_err();
    assert!(e.contains("foo"), "{e}");
    // Also for actions that have no fields at all.
    for action in [
        "confirm_competence",
        "confirm_complete",
        "export",
        "retry_export",
    ] {
        let e = parse(json!({"action": action, "expected_version": 1, "foo": 1})).unwrap_err();
        assert!(e.contains("`foo`"), "{action}: {e}");
    }
    let e = parse(json!({"action":"cancel","reason":"x","expected_version":1,"target":"y"}))
        .unwrap_err();
    assert!(e.contains("target"), "{e}");
}

#[test]
fn parse_request_rejects_unknown_actions_and_bad_shapes() {
    let e = parse(json!({"action": "approve", "expected_version": 1})).unwrap_err();
    assert!(e.contains("approve"), "{e}");
    let e = parse(json!({"expected_version": 1})).unwrap_err();
    assert!(e.contains("action"), "{e}");
    for body in [
        json!([]),
        json!("comment"),
        json!(1),
        json!(null),
        json!([{"action": "comment"}]),
    ] {
        let e = parse(body.clone()).unwrap_err();
        assert!(e.contains("object"), "{body}: {e}");
    }
    // Wrong field types.
    assert!(parse(json!({"action": "comment", "text": 5, "expected_version": 1})).is_err());
    assert!(
        parse(json!({"action": "extend", "until": "morgen", "reason": "x", "expected_version": 1}))
            .is_err()
    );
    assert!(
        parse(json!({"action": "send_result", "outcome": "maybe", "message": "x", "expected_version": 1}))
            .is_err()
    );
    // A missing required field.
    let e = parse(json!({"action": "forward", "reason": "x", "expected_version": 1})).unwrap_err();
    assert!(e.contains("org_unit_id"), "{e}");
}
