//! Fixtures: valid, realistic cases, events, messages and outbox entries for the checks.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde_json::json;

use fallwerk_core::deadline::State;
use fallwerk_core::model::{
    Applicant, AttachmentMeta, Case, Deadline, Direction, FormData, Message, Status, SubmissionRef,
    Task, TaskKind, TaskState,
};
use fallwerk_core::ports::{CaseChange, IdempotencyKey, NewCase, sha256_hex};
use fallwerk_events::{
    Actor, ApplicantNotification, ApplicantReason, CONTRACT_VERSION, DeadlineKind, DomainEvent,
    EventKind, OrgUnitNotification, OrgUnitReason, QueueMessage,
};

pub const PORTAL_CLIENT: &str = "mv-serviceportal";
pub const LEIKA_WOHNGELD: &str = "99108008000000";

/// Parses an RFC 3339 instant; fixtures only (panics on a typo in the test itself).
pub fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .expect("fixture timestamp")
        .with_timezone(&Utc)
}

pub fn day(s: &str) -> NaiveDate {
    s.parse().expect("fixture date")
}

/// When the fixture cases arrive.
pub fn received_at() -> DateTime<Utc> {
    t("2026-03-02T08:15:30.123456Z")
}

/// A freshly received case: status `received`, the competence check open, one open
/// `competence_check_due` deadline, version 1 (its `case_received` event).
pub fn case(id: &str, org_unit_id: &str, submission_id: &str) -> Case {
    let received = received_at();
    Case {
        id: id.to_string(),
        reference: format!("MV-2026-{}", id.to_uppercase()),
        version: 1,
        status: Status::Received,
        org_unit_id: org_unit_id.to_string(),
        state: State::default(),
        leika_id: LEIKA_WOHNGELD.to_string(),
        submission: SubmissionRef {
            portal_client_id: PORTAL_CLIENT.to_string(),
            submission_id: submission_id.to_string(),
            received_at: received,
        },
        applicant: Applicant {
            name: "Erika Mustermann".to_string(),
            email: Some("erika.mustermann@example.org".to_string()),
            postbox_ref: Some("postfach-4711-0815".to_string()),
            trust_level: Some("substantial".to_string()),
        },
        form: FormData::Inline {
            form_id: "wohngeld-erstantrag".to_string(),
            data: json!({
                "antragsteller": {"vorname": "Erika", "nachname": "Mustermann", "geburtsdatum": "1984-05-17"},
                "anschrift": {"strasse": "Schloßstraße 1", "plz": "19053", "ort": "Schwerin"},
                "haushalt": {"personen": 3, "einkommen_monatlich": 2140.5, "miete_bruttokalt": 690},
                "zustimmung_datenschutz": true
            }),
        },
        attachments: vec![AttachmentMeta {
            n: 1,
            name: "Mietvertrag.pdf".to_string(),
            media_type: "application/pdf".to_string(),
            size: 48_213,
            sha256: sha256_hex(b"Mietvertrag Schlossstrasse 1"),
            key: format!("cases/{id}/attachments/1"),
            source: fallwerk_core::model::AttachmentSource::Submission,
        }],
        tasks: vec![Task {
            kind: TaskKind::CompetenceCheck,
            state: TaskState::Open,
            opened_at: received,
            closed_at: None,
            closed_by: None,
        }],
        assignee: None,
        deadlines: vec![Deadline {
            id: format!("{id}-dl-competence"),
            kind: DeadlineKind::CompetenceCheckDue,
            due_on: day("2026-03-05"),
            warn_on: Some(day("2026-03-04")),
            escalate_on: Some(day("2026-03-09")),
            basis: "Fristbeginn 03.03.2026 (Tag nach Eingang, § 187 Abs. 1 BGB); 3 Arbeitstage; Fristende 05.03.2026"
                .to_string(),
            open: true,
            overdue: false,
            note: None,
            sent: vec![],
        }],
        suspensions: vec![],
        document_request: None,
        extension: None,
        export: None,
        result: None,
        cancel_reason: None,
        notification_failures: vec![],
        personal_data_purged: false,
        document_checks: Vec::new(),
        created_at: received,
        updated_at: received,
        municipality: None,
    }
}

/// The `i`-th case of an inbox population: id `{prefix}nnn` (ids ordered unlike `i`), in OE-A
/// and OE-B by turns (from `others_from` on in OE-OTHER), received `i % spread` minutes after
/// the fixture time, in every status by turns and assigned to nobody, sb-mueller, sb-schulz.
pub fn inbox_case(prefix: &str, i: usize, others_from: usize, spread: usize) -> Case {
    let id = format!("{prefix}{:03}", (i * 7919) % 1000);
    let ou = if i >= others_from {
        "OE-OTHER"
    } else if i.is_multiple_of(2) {
        "OE-A"
    } else {
        "OE-B"
    };
    let mut c = case(&id, ou, &format!("sub-{id}"));
    c.submission.received_at += Duration::minutes((i % spread) as i64);
    c.updated_at = c.submission.received_at;
    set_status(&mut c, Status::ALL[i % Status::ALL.len()]);
    c.assignee = match i % 3 {
        0 => None,
        1 => Some("sb-mueller".into()),
        _ => Some("sb-schulz".into()),
    };
    c
}

/// Sets the status and the matching open task (earlier tasks done), as the core would.
pub fn set_status(case: &mut Case, status: Status) {
    let open = match status {
        Status::Received => Some(TaskKind::CompetenceCheck),
        Status::CompletenessCheck | Status::AwaitingApplicant => Some(TaskKind::CompletenessCheck),
        Status::InProgress => Some(TaskKind::DeadlineMonitoring),
        Status::Exporting | Status::ExportFailed => Some(TaskKind::Export),
        Status::Exported => Some(TaskKind::SendResult),
        Status::Completed | Status::Cancelled => None,
    };
    case.status = status;
    for task in &mut case.tasks {
        task.state = TaskState::Done;
        task.closed_at = Some(case.updated_at);
        task.closed_by = Some("sb-mueller".to_string());
    }
    if let Some(kind) = open {
        case.tasks.push(Task {
            kind,
            state: TaskState::Open,
            opened_at: case.updated_at,
            closed_at: None,
            closed_by: None,
        });
    }
}

/// The `case_received` event that starts every history (seq 1).
pub fn case_received(case: &Case) -> DomainEvent {
    DomainEvent {
        v: CONTRACT_VERSION,
        case_id: case.id.clone(),
        seq: 1,
        at: case.created_at,
        actor: Actor::Portal(case.submission.portal_client_id.clone()),
        kind: EventKind::CaseReceived {
            reference: case.reference.clone(),
            org_unit_id: case.org_unit_id.clone(),
            leika_id: case.leika_id.clone(),
            submission_id: case.submission.submission_id.clone(),
            portal_client_id: case.submission.portal_client_id.clone(),
            attachments: case.attachments.len() as u32,
        },
    }
}

/// An internal comment event at `seq`.
pub fn comment_event(case_id: &str, seq: u64, at: DateTime<Utc>, text: &str) -> DomainEvent {
    DomainEvent {
        v: CONTRACT_VERSION,
        case_id: case_id.to_string(),
        seq,
        at,
        actor: Actor::Caseworker("sb-mueller".to_string()),
        kind: EventKind::Commented {
            comment_id: format!("{case_id}-c{seq}"),
            text: text.to_string(),
        },
    }
}

/// A postbox message of the case.
pub fn message(case_id: &str, id: &str, at: DateTime<Utc>, direction: Direction) -> Message {
    Message {
        id: id.to_string(),
        case_id: case_id.to_string(),
        direction,
        subject: "Ihr Antrag auf Wohngeld".to_string(),
        text: "Sehr geehrte Frau Mustermann, Ihr Antrag ist bei uns eingegangen.".to_string(),
        attachments: vec![],
        at,
        author: None,
        read: None,
    }
}

/// The org unit's new-case notice for `case`.
pub fn org_unit_notice(case: &Case, message_id: &str) -> QueueMessage {
    QueueMessage::OrgUnitNotification(OrgUnitNotification {
        v: CONTRACT_VERSION,
        message_id: message_id.to_string(),
        case_id: case.id.clone(),
        reference: case.reference.clone(),
        org_unit_id: case.org_unit_id.clone(),
        reason: OrgUnitReason::NewCase,
    })
}

/// The applicant's receipt notice for `case`.
pub fn applicant_notice(case: &Case, message_id: &str) -> QueueMessage {
    QueueMessage::ApplicantNotification(ApplicantNotification {
        v: CONTRACT_VERSION,
        message_id: message_id.to_string(),
        case_id: case.id.clone(),
        reference: case.reference.clone(),
        org_unit_id: case.org_unit_id.clone(),
        reason: ApplicantReason::Received,
    })
}

/// The body hash the idempotency record of `case` carries.
pub fn body_hash(case: &Case) -> String {
    sha256_hex(format!("body of {}", case.id).as_bytes())
}

/// Everything written when `case` is created: the `case_received` event, one receipt message,
/// two outbox entries and the idempotency record.
pub fn new_case(case: Case) -> NewCase {
    let id = case.id.clone();
    NewCase {
        events: vec![case_received(&case)],
        idempotency: IdempotencyKey {
            portal_client_id: case.submission.portal_client_id.clone(),
            submission_id: case.submission.submission_id.clone(),
            body_sha256: body_hash(&case),
        },
        messages: vec![message(
            &id,
            &format!("{id}-msg-receipt"),
            case.created_at,
            Direction::ToApplicant,
        )],
        outbox: vec![
            org_unit_notice(&case, &format!("{id}-out-ou")),
            applicant_notice(&case, &format!("{id}-out-applicant")),
        ],
        case,
    }
}

/// A change of `before` that adds one comment event one minute later; `edit` may change
/// the new state further (status, deadlines, ...).
pub fn change(before: &Case, text: &str, edit: impl FnOnce(&mut Case)) -> CaseChange {
    let mut case = before.clone();
    case.version = before.version + 1;
    case.updated_at = before.updated_at + Duration::minutes(1);
    edit(&mut case);
    CaseChange {
        events: vec![comment_event(&case.id, case.version, case.updated_at, text)],
        expected_version: before.version,
        messages: vec![],
        outbox: vec![],
        ledger: vec![],
        case,
    }
}
