//! Test harness: the real SQLite store and blob directory in a tempdir, a case walked through
//! the real core, a mailer that captures mail (it stands for the e-mail sink), and a local HTTP
//! receiver for webhooks that checks the HMAC signature and can be told to fail.

pub mod receiver;

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use chrono::{TimeZone, Utc};
use fallwerk_core::app::{App, AppConfig, IncomingDocument, ManualClock, Submission};
use fallwerk_core::case::{Action, Caller, Role};
use fallwerk_core::model::{Applicant, Case, OrgUnit, Service};
use fallwerk_core::ports::{Mail, MailError, Mailer, Store};
use fallwerk_embedded::{FsBlobStore, SqliteStore};
use fallwerk_events::{ExportTarget, QueueMessage};
use fallwerk_workers::{ExportSinks, Settings, WorkerCtx};

pub const FORM_SECRET: &str = "Geheimes-Formularfeld-4711";
pub const REPLY_SECRET: &str = "Freitext-der-Antwort-0815";
pub const COMMENT_SECRET: &str = "Interner-Vermerk-9999";
pub const PORTAL: &str = "portal-1";
pub const ATTACHMENT_BYTES: &[u8] = b"%PDF-1.7 Meldebescheinigung <&> \x00\x01 binary";

/// Captures sent mail; fails the next sends as scripted.
#[derive(Default)]
pub struct CaptureMailer {
    pub sent: Mutex<Vec<Mail>>,
    pub failures: Mutex<VecDeque<MailError>>,
}

impl CaptureMailer {
    pub fn fail_next(&self, e: MailError) {
        self.failures.lock().expect("lock").push_back(e);
    }
    pub fn sent(&self) -> Vec<Mail> {
        self.sent.lock().expect("lock").clone()
    }
}

#[async_trait]
impl Mailer for CaptureMailer {
    async fn send(&self, mail: &Mail) -> Result<String, MailError> {
        if let Some(e) = self.failures.lock().expect("lock").pop_front() {
            return Err(e);
        }
        self.sent.lock().expect("lock").push(mail.clone());
        Ok(format!("captured-{}", mail.id))
    }
}

pub struct Harness {
    pub _dir: tempfile::TempDir,
    pub app: App,
    /// The store under `app`, for what a test sets up or inspects beside the use cases.
    pub store: Arc<dyn Store>,
    pub mailer: Arc<CaptureMailer>,
    pub ctx: WorkerCtx,
}

pub fn caseworker() -> Caller {
    Caller::caseworker("sb-1", &["ou-rostock"], &[Role::Caseworker])
}

pub fn settings(max_receives: u32) -> Settings {
    Settings {
        mail_from: "fallwerk@amt.example".into(),
        portal_url: "https://portal.example/".into(),
        caseworker_url: "https://sb.example".into(),
        max_receives,
        lease_seconds: 120,
    }
}

impl Harness {
    pub async fn new(export_target: Option<ExportTarget>, sinks: ExportSinks) -> Harness {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = SqliteStore::open(dir.path().join("fallwerk.sqlite")).expect("store");
        let blobs = FsBlobStore::open(dir.path().join("blobs")).expect("blobs");
        let clock = ManualClock::new(
            Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0)
                .single()
                .expect("a valid instant"),
        );
        let store: Arc<dyn Store> = Arc::new(store);
        let app = App::new(
            store.clone(),
            Arc::new(blobs),
            Arc::new(clock),
            AppConfig::default(),
        );
        store
            .put_org_unit(&OrgUnit {
                id: "ou-rostock".into(),
                name: "Bürgeramt Rostock <Mitte> & Süd".into(),
                notification_email: "buergeramt@rostock.example".into(),
                state: Default::default(),
                services: vec!["99123456760000".into()],
                municipality: None,
            })
            .await
            .expect("ou");
        store
            .put_service(&Service {
                leika_id: "99123456760000".into(),
                name: "Wohngeld".into(),
                rules: Default::default(),
                required_documents: vec![],
                export_target,
            })
            .await
            .expect("service");
        let mailer = Arc::new(CaptureMailer::default());
        let ctx = WorkerCtx {
            app: app.clone(),
            mailer: mailer.clone(),
            sinks,
            settings: settings(3),
        };
        Harness {
            _dir: dir,
            app,
            store,
            mailer,
            ctx,
        }
    }

    pub async fn submit(&self, email: Option<&str>) -> String {
        let submission = Submission {
            submission_id: uuid::Uuid::new_v4().to_string(),
            leika_id: "99123456760000".into(),
            org_unit_id: "ou-rostock".into(),
            applicant: Applicant {
                name: "Erika Mustermann".into(),
                email: email.map(str::to_string),
                postbox_ref: Some("pb/42 ä".into()),
                trust_level: Some("substantial".into()),
            },
            form_id: "wohngeld-v1".into(),
            form_data: serde_json::json!({
                "antragsteller": {"vorname": "Erika", "1. Feld": FORM_SECRET},
                "einkommen": [1200.5, null, true],
                "bemerkung": "a < b & \"c\" ]]> \u{1}"
            }),
            documents: vec![IncomingDocument {
                name: "../Melde<bescheinigung>.pdf".into(),
                media_type: "application/pdf".into(),
                bytes: ATTACHMENT_BYTES.to_vec(),
                declared_sha256: None,
                declared_size: None,
                source: fallwerk_core::model::AttachmentSource::Submission,
            }],
        };
        self.app
            .submit(PORTAL, submission, "body-sha")
            .await
            .expect("submit")
            .case_id
    }

    pub async fn case(&self, id: &str) -> Case {
        self.store.load_case(id).await.expect("load").expect("case")
    }

    pub async fn act(&self, id: &str, action: Action) {
        let version = self.case(id).await.version;
        self.app
            .act(&caseworker(), id, version, action)
            .await
            .expect("action");
    }

    /// Walks a new case to `exporting` (with a reply and an internal comment on the way).
    pub async fn exporting_case(&self) -> String {
        let id = self.submit(Some("erika@example.org")).await;
        self.act(&id, Action::ConfirmCompetence).await;
        self.act(
            &id,
            Action::Comment {
                text: COMMENT_SECRET.into(),
            },
        )
        .await;
        self.act(&id, Action::ConfirmComplete).await;
        self.app
            .applicant_reply(PORTAL, &id, "Nachtrag".into(), REPLY_SECRET.into(), vec![])
            .await
            .expect("reply");
        self.act(&id, Action::Export).await;
        id
    }

    /// The queue messages the core wrote to the outbox for `case_id`, oldest first.
    pub async fn outbox(&self, case_id: &str) -> Vec<QueueMessage> {
        let far = Utc
            .with_ymd_and_hms(2100, 1, 1, 0, 0, 0)
            .single()
            .expect("a valid instant");
        self.store
            .outbox_pending(far, 1000)
            .await
            .expect("outbox")
            .into_iter()
            .map(|e| e.message)
            .filter(|m| m.case_id() == case_id)
            .collect()
    }
}
