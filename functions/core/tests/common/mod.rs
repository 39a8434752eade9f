//! Fixtures for the case aggregate tests: a small directory (org units, services), callers, a
//! receipt full of personal data, and a harness that runs commands through `execute` and keeps
//! the history. Pure: no I/O, the clock is a field.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};

use fallwerk_core::case::{
    Action, ActionName, Caller, Command, CommandError, Ctx, Decision, Receipt, Role,
    allowed_actions, apply, execute, receive, received_case,
};
use fallwerk_core::deadline::{State, berlin_date};
use fallwerk_core::model::{
    Applicant, AttachmentMeta, AttachmentSource, Case, Direction, FormData, Message, OrgUnit,
    ProcessingStart, Service, Status, SubmissionRef, TaskKind, TaskState,
};
use fallwerk_events::{
    Actor, ApplicantReason, DeadlineKind, DomainEvent, ExportTarget, OrgUnitReason, Outcome,
    QueueMessage,
};

pub const LEIKA: &str = "99050012104000";
pub const OTHER_LEIKA: &str = "99000000000000";
pub const OU_A: &str = "ou-a";
/// Offers the service: a valid forward target (in another state, so holidays differ).
pub const OU_B: &str = "ou-b";
/// Exists but does not offer the service.
pub const OU_C: &str = "ou-c";
pub const OU_UNKNOWN: &str = "ou-nowhere";

pub const APPLICANT_NAME: &str = "Erika Mustermann";
pub const APPLICANT_EMAIL: &str = "erika.mustermann@example.org";

pub const CASE_ID: &str = "c-0001";
pub const REFERENCE: &str = "MV-2026-000001";

/// Monday, 2 March 2026, 09:00 UTC (10:00 in Berlin).
pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0)
        .single()
        .expect("a valid instant")
}

pub fn org_units() -> Vec<OrgUnit> {
    vec![
        OrgUnit {
            id: OU_A.into(),
            name: "Bürgeramt Schwerin".into(),
            notification_email: "buergeramt@schwerin.example".into(),
            state: State::MecklenburgVorpommern,
            services: vec![LEIKA.into()],
            municipality: None,
        },
        OrgUnit {
            id: OU_B.into(),
            name: "Landratsamt Passau".into(),
            notification_email: "lra@passau.example".into(),
            state: State::Bayern,
            services: vec![LEIKA.into(), OTHER_LEIKA.into()],
            municipality: None,
        },
        OrgUnit {
            id: OU_C.into(),
            name: "Ordnungsamt Rostock".into(),
            notification_email: "ordnungsamt@rostock.example".into(),
            state: State::MecklenburgVorpommern,
            services: vec![OTHER_LEIKA.into()],
            municipality: None,
        },
    ]
}

pub fn org_unit(id: &str) -> Option<OrgUnit> {
    org_units().into_iter().find(|o| o.id == id)
}

pub fn export_target() -> ExportTarget {
    ExportTarget::Directory {
        path: "/var/lib/fallwerk/export".into(),
    }
}

pub fn service(with_export: bool, start: ProcessingStart) -> Service {
    let mut s = Service {
        leika_id: LEIKA.into(),
        name: "Wohngeld".into(),
        rules: Default::default(),
        required_documents: vec!["Mietvertrag".into()],
        export_target: with_export.then(export_target),
    };
    s.rules.processing_starts = start;
    s
}

/// Service without export target, processing starts with complete documents.
pub fn plain() -> Service {
    service(false, ProcessingStart::OnComplete)
}

/// Service with an export target.
pub fn exporting() -> Service {
    service(true, ProcessingStart::OnComplete)
}

pub fn receipt(now: DateTime<Utc>) -> Receipt {
    Receipt {
        case_id: CASE_ID.into(),
        reference: REFERENCE.into(),
        submission: SubmissionRef {
            portal_client_id: "mv-portal".into(),
            submission_id: "sub-42".into(),
            received_at: now,
        },
        applicant: Applicant {
            name: APPLICANT_NAME.into(),
            email: Some(APPLICANT_EMAIL.into()),
            postbox_ref: Some("postbox-4711".into()),
            trust_level: Some("substantial".into()),
        },
        form: FormData::Inline {
            form_id: "wohngeld-v1".into(),
            data: serde_json::json!({
                "antragsteller": {"name": APPLICANT_NAME, "email": APPLICANT_EMAIL},
                "miete": 640
            }),
        },
        attachments: vec![
            AttachmentMeta {
                n: 1,
                name: "Ausweis_Erika_Mustermann.pdf".into(),
                media_type: "application/pdf".into(),
                size: 1234,
                sha256: "ab".repeat(32),
                key: "blobs/c-0001/1".into(),
                source: AttachmentSource::Submission,
            },
            AttachmentMeta {
                n: 2,
                name: "Mietvertrag Mustermann.pdf".into(),
                media_type: "application/pdf".into(),
                size: 999,
                sha256: "cd".repeat(32),
                key: "blobs/c-0001/2".into(),
                source: AttachmentSource::Submission,
            },
        ],
    }
}

// ---------------------------------------------------------------------------------------------
// Callers

/// A plain caseworker of the case's org unit.
pub fn worker() -> Caller {
    Caller::caseworker("cw-anna", &[OU_A], &[Role::Caseworker])
}

/// A second plain caseworker of the same org unit.
pub fn colleague() -> Caller {
    Caller::caseworker("cw-bernd", &[OU_A], &[Role::Caseworker])
}

/// A supervisor of the case's org unit.
pub fn supervisor() -> Caller {
    Caller::caseworker("sv-clara", &[OU_A], &[Role::Caseworker, Role::Supervisor])
}

/// A caseworker of the forward target.
pub fn worker_b() -> Caller {
    Caller::caseworker("cw-dora", &[OU_B], &[Role::Caseworker, Role::Supervisor])
}

/// A caseworker of an unrelated org unit.
pub fn stranger() -> Caller {
    Caller::caseworker("cw-emil", &[OU_C], &[Role::Caseworker, Role::Supervisor])
}

/// Member of the case's org unit, but only an administrator.
pub fn admin_only() -> Caller {
    Caller::caseworker("adm-frank", &[OU_A], &[Role::Admin])
}

pub fn scheduler() -> Caller {
    Caller::system(Actor::Scheduler)
}

pub fn system() -> Caller {
    Caller::system(Actor::System)
}

pub fn applicant() -> Caller {
    Caller::system(Actor::Applicant)
}

// ---------------------------------------------------------------------------------------------
// Commands

pub fn act(a: Action) -> Command {
    Command::Act(a)
}

pub fn comment(text: &str) -> Action {
    Action::Comment { text: text.into() }
}

pub fn request_documents(items: &[&str]) -> Action {
    Action::RequestDocuments {
        items: items.iter().map(|s| s.to_string()).collect(),
        reply_by: None,
        message: None,
        reply_by_rule: Default::default(),
    }
}

pub fn reply(text: &str) -> Command {
    Command::ApplicantReply {
        subject: "Nachreichung".into(),
        text: text.into(),
        attachments: vec![3],
    }
}

pub fn send_result() -> Action {
    Action::SendResult {
        attachments: vec![],
        outcome: Outcome::Granted,
        documents: vec!["Bescheid.pdf".into()],
        message: "Anbei Ihr Bescheid.".into(),
        appeal_instructions: true,
    }
}

pub fn forward(to: &str) -> Action {
    Action::Forward {
        org_unit_id: to.into(),
        reason: "örtlich nicht zuständig".into(),
    }
}

pub fn export_ok() -> Command {
    Command::ExportSucceeded {
        receipt: "rcpt-1".into(),
        location: "/var/lib/fallwerk/export/c-0001".into(),
    }
}

pub fn export_failed() -> Command {
    Command::ExportFailed {
        error: "connection refused".into(),
    }
}

/// One well-formed instance of every caseworker action (a supervisor may issue each of them).
pub fn every_action(today: NaiveDate) -> Vec<Action> {
    vec![
        Action::ConfirmCompetence,
        forward(OU_B),
        Action::ConfirmComplete,
        request_documents(&["Mietvertrag"]),
        Action::Extend {
            until: today + Duration::days(400),
            reason: "Gutachten steht aus".into(),
        },
        Action::SetFollowUp {
            at: today + Duration::days(7),
            note: "Rückruf Vermieter".into(),
        },
        Action::Export,
        Action::RetryExport,
        send_result(),
        comment("interne Notiz"),
        Action::Message {
            attachments: vec![],
            subject: "Rückfrage".into(),
            text: "Bitte rufen Sie uns an.".into(),
        },
        Action::Assign {
            user: Some("cw-bernd".into()),
        },
        Action::Cancel {
            reason: "Antrag zurückgenommen".into(),
        },
        Action::CheckDocument {
            document: "Mietvertrag".into(),
            received: true,
            note: Some("per Post".into()),
        },
        Action::DocumentsArrived {
            note: "persönlich abgegeben".into(),
        },
        Action::WithdrawRequest {
            reason: "irrtümlich angefordert".into(),
        },
        // After the decision (issue 19).
        Action::RecordPosting { posted_on: today },
        Action::RecordAppeal { received_on: today },
    ]
}

// ---------------------------------------------------------------------------------------------
// Harness

/// A case under test with its full history and everything that went out.
#[derive(Clone)]
pub struct H {
    pub service: Service,
    pub now: DateTime<Utc>,
    pub base: Case,
    pub case: Case,
    pub events: Vec<DomainEvent>,
    pub messages: Vec<Message>,
    pub outbox: Vec<QueueMessage>,
}

impl H {
    pub fn new(service: Service) -> H {
        Self::new_at(service, t0())
    }

    pub fn new_at(service: Service, now: DateTime<Utc>) -> H {
        let ou = org_unit(OU_A).expect("the test org unit");
        let base = received_case(receipt(now), &ou, &service, now);
        let d = receive(receipt(now), &ou, &service, now);
        H {
            service,
            now,
            base,
            case: d.case,
            events: d.events,
            messages: d.messages,
            outbox: d.outbox,
        }
    }

    pub fn today(&self) -> NaiveDate {
        berlin_date(self.now)
    }

    pub fn advance_days(&mut self, days: i64) {
        self.now += Duration::days(days);
    }

    /// Runs `cmd` against the current version without keeping the result.
    pub fn try_run(&self, caller: &Caller, cmd: &Command) -> Result<Decision, CommandError> {
        self.try_run_at(caller, cmd, Some(self.case.version))
    }

    pub fn try_run_at(
        &self,
        caller: &Caller,
        cmd: &Command,
        expected_version: Option<u64>,
    ) -> Result<Decision, CommandError> {
        let target = match cmd {
            Command::Act(Action::Forward { org_unit_id, .. }) => org_unit(org_unit_id),
            _ => None,
        };
        let ctx = Ctx {
            now: self.now,
            service: &self.service,
            forward_target: target.as_ref(),
        };
        execute(&self.case, caller, cmd, &ctx, expected_version)
    }

    /// Keeps an accepted decision.
    pub fn keep(&mut self, d: &Decision) {
        self.case = d.case.clone();
        self.events.extend(d.events.iter().cloned());
        self.messages.extend(d.messages.iter().cloned());
        self.outbox.extend(d.outbox.iter().cloned());
    }

    /// Runs `cmd` and keeps the result; panics when it is refused.
    #[track_caller]
    pub fn run(&mut self, caller: &Caller, cmd: Command) -> Decision {
        match self.try_run(caller, &cmd) {
            Ok(d) => {
                self.keep(&d);
                d
            }
            Err(e) => panic!(
                "`{}` refused in `{}`: {e:?}",
                cmd.name(),
                self.case.status.as_str()
            ),
        }
    }

    /// A supervisor (who may do everything a caseworker may) acts.
    #[track_caller]
    pub fn act(&mut self, a: Action) -> Decision {
        self.run(&supervisor(), Command::Act(a))
    }

    pub fn try_act(&self, a: Action) -> Result<Decision, CommandError> {
        self.try_run(&supervisor(), &Command::Act(a))
    }

    /// The allowed actions by their wire names (the tables in these tests are written that way).
    pub fn allowed(&self) -> Vec<&'static str> {
        self.allowed_names()
            .into_iter()
            .map(ActionName::as_str)
            .collect()
    }

    pub fn allowed_names(&self) -> Vec<ActionName> {
        allowed_actions(&self.case, &self.service, self.now)
    }

    /// Drives a fresh case to `status` on the shortest path.
    #[track_caller]
    pub fn drive(&mut self, status: Status) {
        match status {
            Status::Received => {}
            Status::CompletenessCheck => {
                self.act(Action::ConfirmCompetence);
            }
            Status::AwaitingApplicant => {
                self.drive(Status::CompletenessCheck);
                self.act(request_documents(&["Mietvertrag", "Einkommensnachweis"]));
            }
            Status::InProgress => {
                self.drive(Status::CompletenessCheck);
                self.act(Action::ConfirmComplete);
            }
            Status::Exporting => {
                self.drive(Status::InProgress);
                self.act(Action::Export);
            }
            Status::Exported => {
                self.drive(Status::Exporting);
                self.run(&system(), export_ok());
            }
            Status::ExportFailed => {
                self.drive(Status::Exporting);
                self.run(&system(), export_failed());
            }
            Status::Completed => {
                if self.service.export_target.is_some() {
                    self.drive(Status::Exported);
                } else {
                    self.drive(Status::InProgress);
                }
                self.act(send_result());
            }
            Status::Cancelled => {
                self.act(Action::Cancel {
                    reason: "Antrag zurückgenommen".into(),
                });
            }
        }
        assert_eq!(self.case.status, status, "drive to {}", status.as_str());
    }

    /// A fresh case of a service that can reach `status` (export statuses need an export target).
    pub fn at(status: Status) -> H {
        let needs_export = matches!(
            status,
            Status::Exporting | Status::Exported | Status::ExportFailed
        );
        let mut h = H::new(if needs_export { exporting() } else { plain() });
        h.drive(status);
        h
    }

    /// Replays the whole history onto the version-0 case.
    pub fn replay(&self) -> Case {
        let mut c = self.base.clone();
        for e in &self.events {
            apply(&mut c, e);
        }
        c
    }
}

// ---------------------------------------------------------------------------------------------
// Inspection

pub fn open_deadlines(case: &Case, kind: DeadlineKind) -> usize {
    case.deadlines
        .iter()
        .filter(|d| d.open && d.kind == kind)
        .count()
}

pub fn open_tasks(case: &Case) -> Vec<TaskKind> {
    case.tasks
        .iter()
        .filter(|t| t.state == TaskState::Open)
        .map(|t| t.kind)
        .collect()
}

pub fn event_names(d: &Decision) -> Vec<&'static str> {
    d.events.iter().map(|e| e.kind.name()).collect()
}

pub fn has_event(d: &Decision, name: &str) -> bool {
    d.events.iter().any(|e| e.kind.name() == name)
}

pub fn applicant_reasons(outbox: &[QueueMessage]) -> Vec<ApplicantReason> {
    outbox
        .iter()
        .filter_map(|m| match m {
            QueueMessage::ApplicantNotification(n) => Some(n.reason),
            _ => None,
        })
        .collect()
}

pub fn org_unit_notices(outbox: &[QueueMessage]) -> Vec<(String, OrgUnitReason)> {
    outbox
        .iter()
        .filter_map(|m| match m {
            QueueMessage::OrgUnitNotification(n) => Some((n.org_unit_id.clone(), n.reason)),
            _ => None,
        })
        .collect()
}

pub fn to_applicant(d: &Decision) -> Vec<&Message> {
    d.messages
        .iter()
        .filter(|m| m.direction == Direction::ToApplicant)
        .collect()
}

/// The deadline relations that hold whatever the calculator's arithmetic: due after the day it
/// was set, warning before and escalation after the due day where the kind has them.
#[track_caller]
pub fn assert_deadline_shape(case: &Case) {
    let mut ids = std::collections::HashSet::new();
    for d in &case.deadlines {
        assert!(ids.insert(d.id.clone()), "duplicate deadline id {}", d.id);
        match d.kind {
            DeadlineKind::FollowUp | DeadlineKind::RetentionDue => {
                assert_eq!(d.warn_on, None, "{:?}", d);
                assert_eq!(d.escalate_on, None, "{:?}", d);
            }
            _ => {
                let w = d.warn_on.expect("warning day");
                let e = d.escalate_on.expect("escalation day");
                assert!(w < d.due_on, "warn_on < due_on: {d:?}");
                assert!(d.due_on < e, "due_on < escalate_on: {d:?}");
            }
        }
    }
}

pub fn outcome_granted() -> Outcome {
    Outcome::Granted
}
