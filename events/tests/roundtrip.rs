//! JSON round trips of events and queue messages, and the wire shape other parts rely on.

use chrono::{NaiveDate, TimeZone, Utc};
use fallwerk_events::*;
use serde_json::json;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

fn sample_events() -> Vec<EventKind> {
    vec![
        EventKind::CaseReceived {
            reference: "MV-2026-000001".into(),
            org_unit_id: "ou-1".into(),
            leika_id: "99050012104000".into(),
            submission_id: "sub-1".into(),
            portal_client_id: "portal".into(),
            attachments: 2,
        },
        EventKind::CompetenceConfirmed,
        EventKind::Forwarded {
            from_org_unit_id: "a".into(),
            to_org_unit_id: "b".into(),
            holiday_state: "BY".into(),
            holiday_municipality: Some("09761000".into()),
            reason: "r".into(),
        },
        EventKind::DocumentsRequested {
            items: vec!["Meldebescheinigung".into()],
            reply_by: date(2026, 3, 2),
            message_id: "m".into(),
            reply_by_rule: fallwerk_events::DateRule::FixedEnd,
        },
        EventKind::SuspensionEnded {
            from: date(2026, 2, 1),
            to: date(2026, 2, 10),
            days: 9,
        },
        EventKind::DeadlineSet {
            deadline_id: "d1".into(),
            kind: DeadlineKind::ProcessingDue,
            due_on: date(2026, 5, 4),
            warn_on: Some(date(2026, 4, 27)),
            escalate_on: None,
            basis: "Fristbeginn …".into(),
        },
        EventKind::ExportRequested {
            target: ExportTarget::Webhook {
                url: "https://fv.example/in".into(),
                secret_ref: "fv".into(),
            },
            attempt: 1,
        },
        EventKind::ResultSent {
            outcome: Outcome::PartiallyGranted,
            documents: vec!["bescheid.pdf".into()],
            message_id: "m2".into(),
            appeal_instructions: false,
        },
        EventKind::Assigned {
            from: None,
            to: Some("u1".into()),
        },
        EventKind::PersonalDataPurged,
        EventKind::DocumentChecked {
            document: "Mietvertrag".into(),
            received: true,
            note: Some("per Post am 3.3.".into()),
        },
        EventKind::DocumentChecked {
            document: "Personalausweis".into(),
            received: false,
            note: None,
        },
        EventKind::DocumentsArrived {
            note: "Unterlagen persönlich abgegeben".into(),
        },
        EventKind::DocumentRequestWithdrawn {
            reason: "irrtümlich angefordert".into(),
            message_id: "c1-m9".into(),
        },
        EventKind::MessageRetrieved {
            message_id: "m2".into(),
            retrieved_on: date(2026, 3, 3),
        },
        EventKind::ResultAnnounced {
            via: fallwerk_events::AnnouncementVia::Post,
            announced_on: date(2026, 3, 7),
            appeal_due: date(2026, 4, 7),
            basis: "§ 41 Abs. 2 VwVfG".into(),
        },
        EventKind::PostalDeliveryRequired {
            message_id: "m2".into(),
        },
        EventKind::ResultPosted {
            posted_on: date(2026, 3, 3),
        },
        EventKind::AppealLodged {
            received_on: date(2026, 3, 20),
            late: false,
        },
        EventKind::DecisionFinal {
            final_on: date(2026, 4, 8),
        },
    ]
}

/// Events written before the Rechtsbehelfsbelehrung flag existed read as "with instructions".
#[test]
fn old_result_sent_events_had_appeal_instructions() {
    let kind: EventKind = serde_json::from_value(json!({
        "type": "result_sent", "outcome": "granted", "documents": [], "message_id": "m"
    }))
    .expect("parse");
    assert!(matches!(
        kind,
        EventKind::ResultSent {
            appeal_instructions: true,
            ..
        }
    ));
}

#[test]
fn domain_events_round_trip() {
    for (i, kind) in sample_events().into_iter().enumerate() {
        let event = DomainEvent {
            v: CONTRACT_VERSION,
            case_id: "c1".into(),
            seq: i as u64 + 1,
            at: Utc
                .with_ymd_and_hms(2026, 1, 5, 9, 30, 0)
                .single()
                .expect("instant"),
            actor: Actor::Caseworker("u1".into()),
            kind,
        };
        let text = serde_json::to_string(&event).expect("serialise");
        let back: DomainEvent = serde_json::from_str(&text).expect("deserialise");
        assert_eq!(back, event);
        let value: serde_json::Value = serde_json::from_str(&text).expect("json");
        assert_eq!(value["type"], event.kind.name(), "the tag equals name()");
        assert_eq!(value["v"], 1);
    }
}

#[test]
fn event_wire_shape_is_flat_and_tagged() {
    let event = DomainEvent {
        v: 1,
        case_id: "c1".into(),
        seq: 3,
        at: Utc
            .with_ymd_and_hms(2026, 1, 5, 9, 30, 0)
            .single()
            .expect("instant"),
        actor: Actor::Applicant,
        kind: EventKind::Cancelled {
            reason: "zurückgezogen".into(),
        },
    };
    assert_eq!(
        serde_json::to_value(&event).expect("json"),
        json!({"v": 1, "case_id": "c1", "seq": 3, "at": "2026-01-05T09:30:00Z",
               "actor": {"kind": "applicant"}, "type": "cancelled", "reason": "zurückgezogen"})
    );
}

#[test]
fn queue_messages_round_trip_and_expose_ids() {
    let messages = vec![
        QueueMessage::OrgUnitNotification(OrgUnitNotification {
            v: 1,
            message_id: "m1".into(),
            case_id: "c1".into(),
            reference: "MV-2026-000001".into(),
            org_unit_id: "ou".into(),
            reason: OrgUnitReason::NewCase,
        }),
        QueueMessage::ApplicantNotification(ApplicantNotification {
            v: 1,
            message_id: "m2".into(),
            case_id: "c1".into(),
            reference: "r".into(),
            org_unit_id: "ou".into(),
            reason: ApplicantReason::DocumentsRequested,
        }),
        QueueMessage::DeadlineReminder(DeadlineReminder {
            v: 1,
            message_id: "m3".into(),
            case_id: "c1".into(),
            reference: "r".into(),
            org_unit_id: "ou".into(),
            deadline_id: "d".into(),
            kind: DeadlineKind::ApplicantReplyDue,
            level: ReminderLevel::Warning,
            due_on: date(2026, 3, 2),
            recipient: ReminderRecipient::Applicant,
        }),
        QueueMessage::ExportRequested(ExportRequested {
            v: 1,
            message_id: "m4".into(),
            case_id: "c1".into(),
            reference: "r".into(),
            target: ExportTarget::Directory {
                path: "/tmp/x".into(),
            },
            attempt: 2,
        }),
        QueueMessage::ResultDelivery(ResultDelivery {
            v: 1,
            message_id: "m5".into(),
            case_id: "c1".into(),
            reference: "r".into(),
            org_unit_id: "ou".into(),
            outcome: Outcome::Rejected,
            documents: vec![],
        }),
    ];
    for (i, m) in messages.into_iter().enumerate() {
        let text = serde_json::to_string(&m).expect("serialise");
        let back: QueueMessage = serde_json::from_str(&text).expect("deserialise");
        assert_eq!(back, m);
        assert_eq!(back.message_id(), format!("m{}", i + 1));
        assert_eq!(back.case_id(), "c1");
    }
}

#[test]
fn export_goes_to_its_own_queue() {
    let m: QueueMessage = serde_json::from_value(json!({
        "type": "ExportRequested", "v": 1, "message_id": "m", "case_id": "c", "reference": "r",
        "target": {"kind": "directory", "path": "/x"}, "attempt": 1
    }))
    .expect("parse");
    assert_eq!(m.queue(), QueueName::Export);
}

#[test]
fn unknown_fields_in_messages_are_rejected() {
    let err = serde_json::from_value::<QueueMessage>(json!({
        "type": "OrgUnitNotification", "v": 1, "message_id": "m", "case_id": "c", "reference": "r",
        "org_unit_id": "ou", "reason": "new_case", "applicant_email": "x@example.org"
    }))
    .expect_err("unknown field must fail");
    assert!(err.to_string().contains("applicant_email"), "{err}");
}

#[test]
fn deadline_kinds_parse_back() {
    for k in DeadlineKind::ALL {
        assert_eq!(DeadlineKind::parse(k.as_str()), Some(k));
        assert_eq!(serde_json::to_value(k).expect("json"), json!(k.as_str()));
    }
    assert_eq!(DeadlineKind::parse("nope"), None);
}
