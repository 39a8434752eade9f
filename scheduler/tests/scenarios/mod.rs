//! Scheduler scenarios, written once and run against every store (SQLite here, DynamoDB Local in
//! the AWS adapter's run). Time is injected with a `ManualClock`; reminders are read back from
//! the transactional outbox (no queue attached) and the case history.

use std::sync::Arc;

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use fallwerk_core::app::{App, AppConfig, Clock, ManualClock, Submission, TickOptions};
use fallwerk_core::case::{Action, Caller, Role};
use fallwerk_core::deadline::{Period, berlin_midnight_utc};
use fallwerk_core::model::{Applicant, DeadlineRules, OrgUnit, Service};
use fallwerk_core::ports::{BlobStore, Store};
use fallwerk_events::{DeadlineKind, EventKind, QueueMessage, ReminderLevel};

pub struct Env {
    pub app: App,
    pub clock: Arc<ManualClock>,
    pub store: Arc<dyn Store>,
}

pub fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, min, 0)
        .single()
        .expect("valid instant")
}

pub fn env(store: Arc<dyn Store>, blobs: Arc<dyn BlobStore>, start: DateTime<Utc>) -> Env {
    let clock = Arc::new(ManualClock::new(start));
    let app = App::new(store.clone(), blobs, clock.clone(), AppConfig::default());
    Env { app, clock, store }
}

/// A second scheduler instance on the same store and clock.
pub fn twin(env: &Env) -> App {
    env.app.clone()
}

pub fn options(holder: &str) -> TickOptions {
    TickOptions {
        holder: holder.to_string(),
        ..TickOptions::default()
    }
}

pub fn caseworker() -> Caller {
    Caller::caseworker("sb-1", &["ou-a"], &[Role::Caseworker])
}

fn rules() -> DeadlineRules {
    DeadlineRules {
        competence_check: Period::WorkingDays(3),
        completeness_check: Period::WorkingDays(5),
        applicant_reply: Period::Weeks(2),
        processing: Period::Months(1),
        processing_starts: Default::default(),
        warning_lead: Period::WorkingDays(1),
        escalation_delay: Period::WorkingDays(2),
        retention: Period::Days(30),
    }
}

pub async fn configure(env: &Env) {
    let admin = Caller::caseworker("admin", &[], &[Role::Admin]);
    env.app
        .put_service(
            &admin,
            Service {
                leika_id: "99050012104000".into(),
                name: "Wohngeld".into(),
                rules: rules(),
                required_documents: vec![],
                export_target: None,
            },
        )
        .await
        .expect("service");
    env.app
        .put_org_unit(
            &admin,
            OrgUnit {
                id: "ou-a".into(),
                name: "Wohngeldstelle".into(),
                notification_email: "wohngeld@example.org".into(),
                state: Default::default(),
                services: vec!["99050012104000".into()],
                municipality: None,
            },
        )
        .await
        .expect("org unit");
}

pub async fn submit(env: &Env, id: &str) -> String {
    let submission = Submission {
        submission_id: id.to_string(),
        leika_id: "99050012104000".into(),
        org_unit_id: "ou-a".into(),
        applicant: Applicant {
            name: "Erika Mustermann".into(),
            email: Some("erika@example.org".into()),
            postbox_ref: Some("pb-1".into()),
            trust_level: None,
        },
        form_id: "wohngeld-v1".into(),
        form_data: serde_json::json!({"haushalt": 2}),
        documents: vec![],
    };
    env.app
        .submit("portal", submission, id)
        .await
        .expect("submit")
        .case_id
}

/// The reminders in the outbox for one deadline, in outbox order.
pub async fn reminders(env: &Env, deadline_id: &str) -> Vec<ReminderLevel> {
    let pending = env
        .store
        .outbox_pending(at(2100, 1, 1, 0, 0), 10_000)
        .await
        .expect("outbox");
    pending
        .into_iter()
        .filter_map(|e| match e.message {
            QueueMessage::DeadlineReminder(r) if r.deadline_id == deadline_id => Some(r.level),
            _ => None,
        })
        .collect()
}

/// When each reminder of a deadline was recorded (from the history).
pub async fn recorded(
    env: &Env,
    case_id: &str,
    deadline_id: &str,
) -> Vec<(ReminderLevel, DateTime<Utc>)> {
    let history = env.store.history(case_id, 0, 1000).await.expect("history");
    history
        .items
        .into_iter()
        .filter_map(|e| match e.kind {
            EventKind::ReminderSent {
                deadline_id: d,
                level,
                ..
            } if d == deadline_id => Some((level, e.at)),
            _ => None,
        })
        .collect()
}

/// The stored case `id`; it must exist.
pub async fn load(env: &Env, id: &str) -> fallwerk_core::model::Case {
    env.store.load_case(id).await.expect("load").expect("case")
}

/// The open deadline of `kind` of the case.
pub async fn deadline(
    env: &Env,
    case_id: &str,
    kind: DeadlineKind,
) -> fallwerk_core::model::Deadline {
    find_deadline(env, case_id, kind, true)
        .await
        .expect("open deadline")
}

/// The case's deadline of `kind` that is open, or any of that kind with `open_only` false.
async fn find_deadline(
    env: &Env,
    case_id: &str,
    kind: DeadlineKind,
    open_only: bool,
) -> Option<fallwerk_core::model::Deadline> {
    load(env, case_id)
        .await
        .deadlines
        .into_iter()
        .find(|d| d.kind == kind && (d.open || !open_only))
}

/// Ticks every `step` from the clock's time until `until`; all `apps` tick at once, each in its
/// own task, so their ticks really overlap.
pub async fn tick_until(env: &Env, apps: &[App], until: DateTime<Utc>, step: Duration) -> usize {
    let mut ticks = 0;
    while env.clock.now() < until {
        env.clock.advance(step);
        let handles: Vec<_> = apps
            .iter()
            .enumerate()
            .map(|(i, app)| {
                let app = app.clone();
                tokio::spawn(async move { app.tick(&options(&format!("scheduler-{i}"))).await })
            })
            .collect();
        for h in handles {
            let report = h.await.expect("tick task").expect("tick");
            assert_eq!(report.failed, 0, "{report:?}");
        }
        ticks += 1;
    }
    ticks
}

pub fn midnight(day: NaiveDate) -> DateTime<Utc> {
    berlin_midnight_utc(day)
}

/// Warning → due → escalation, each exactly once, each at the first tick on or after the Berlin
/// midnight of its day; the deadline is marked overdue the day after it runs out.
pub async fn walk_each_level_once(env: Env, step: Duration) {
    configure(&env).await;
    let case_id = submit(&env, "walk-1").await;
    let d = deadline(&env, &case_id, DeadlineKind::CompetenceCheckDue).await;
    let warn = d.warn_on.expect("warning day");
    let escalate = d.escalate_on.expect("escalation day");
    assert!(warn < d.due_on && d.due_on < escalate, "{d:?}");

    let end = midnight(escalate) + Duration::days(3);
    tick_until(&env, std::slice::from_ref(&env.app), end, step).await;

    assert_eq!(
        reminders(&env, &d.id).await,
        vec![
            ReminderLevel::Warning,
            ReminderLevel::Due,
            ReminderLevel::Escalation
        ]
    );
    let times = recorded(&env, &case_id, &d.id).await;
    for ((level, at), day) in times.iter().zip([warn, d.due_on, escalate]) {
        assert!(
            *at >= midnight(day),
            "{level:?} at {at} before its day {day}"
        );
        assert!(
            *at < midnight(day) + step,
            "{level:?} at {at} later than one tick after {day}"
        );
    }
    let case = load(&env, &case_id).await;
    let after = case
        .deadlines
        .iter()
        .find(|x| x.id == d.id)
        .expect("deadline");
    assert!(after.overdue, "marked overdue");
    assert!(case.is_overdue());
    assert!(
        env.store
            .due(end, 100)
            .await
            .expect("due")
            .iter()
            .all(|e| e.deadline_id != d.id),
        "left the index"
    );
}

/// After an outage the first tick sends every owed level once, in due order; the next sends none.
pub async fn catch_up_after_outage(env: Env) {
    configure(&env).await;
    let case_id = submit(&env, "outage-1").await;
    let d = deadline(&env, &case_id, DeadlineKind::CompetenceCheckDue).await;
    env.clock
        .set(midnight(d.escalate_on.expect("escalation")) + Duration::days(5));
    let first = env.app.tick(&options("a")).await.expect("tick");
    assert_eq!(first.reminders, 3, "{first:?}");
    assert_eq!(first.overdue_marked, 1, "{first:?}");
    assert_eq!(
        reminders(&env, &d.id).await,
        vec![
            ReminderLevel::Warning,
            ReminderLevel::Due,
            ReminderLevel::Escalation
        ]
    );
    let second = env.app.tick(&options("a")).await.expect("tick");
    assert_eq!(
        (second.reminders, second.overdue_marked, second.due_entries),
        (0, 0, 0),
        "{second:?}"
    );
    assert_eq!(reminders(&env, &d.id).await.len(), 3);
}

/// Two schedulers ticking at the same moments send every reminder once.
pub async fn two_schedulers_send_once(env: Env) {
    configure(&env).await;
    let mut cases = Vec::new();
    for i in 0..5 {
        cases.push(submit(&env, &format!("twin-{i}")).await);
    }
    let d0 = deadline(&env, &cases[0], DeadlineKind::CompetenceCheckDue).await;
    let end = midnight(d0.escalate_on.expect("escalation")) + Duration::days(2);
    tick_until(
        &env,
        &[env.app.clone(), twin(&env)],
        end,
        Duration::hours(6),
    )
    .await;
    for case_id in &cases {
        let d = find_deadline(&env, case_id, DeadlineKind::CompetenceCheckDue, false)
            .await
            .expect("deadline");
        assert_eq!(
            reminders(&env, &d.id).await,
            vec![
                ReminderLevel::Warning,
                ReminderLevel::Due,
                ReminderLevel::Escalation
            ],
            "case {case_id}"
        );
    }
}

/// The two states a crash between two writes could leave behind before the ledger entry moved
/// into the case's transaction, and which stores written then may still hold: the reminder
/// recorded but no ledger entry, or a ledger entry but no recorded reminder. Neither loses nor
/// doubles a reminder.
pub async fn crash_mid_tick_loses_nothing(env: Env) {
    use fallwerk_core::case::Command;
    use fallwerk_core::ports::LedgerEntry;
    configure(&env).await;
    let a = submit(&env, "crash-a").await;
    let b = submit(&env, "crash-b").await;
    let da = deadline(&env, &a, DeadlineKind::CompetenceCheckDue).await;
    let db = deadline(&env, &b, DeadlineKind::CompetenceCheckDue).await;
    let warn_day = da.warn_on.expect("warning");
    env.clock.set(midnight(warn_day) + Duration::hours(1));
    // Case a: the case write happened, the crash came before the ledger.
    env.app
        .system_command(
            &a,
            fallwerk_events::Actor::Scheduler,
            Command::RecordReminder {
                deadline_id: da.id.clone(),
                level: ReminderLevel::Warning,
            },
        )
        .await
        .expect("record");
    // Case b: the ledger was written, the crash came before the case write.
    let now = env.clock.now();
    assert!(
        env.store
            .ledger_put(&LedgerEntry {
                deadline_id: db.id.clone(),
                level: ReminderLevel::Warning,
                written_at: now,
                expires_at: now + Duration::days(30),
            })
            .await
            .expect("ledger")
    );
    let report = env.app.tick(&options("restarted")).await.expect("tick");
    assert_eq!(report.failed, 0);
    assert_eq!(
        reminders(&env, &da.id).await,
        vec![ReminderLevel::Warning],
        "a: not doubled"
    );
    assert_eq!(
        reminders(&env, &db.id).await,
        vec![ReminderLevel::Warning],
        "b: not lost"
    );
}

/// Follow-ups on the days Europe/Berlin changes its clocks fire once, at local midnight.
pub async fn dst_changes_neither_shift_nor_double(env: Env) {
    configure(&env).await;
    let case_id = submit(&env, "dst-1").await;
    let cw = caseworker();
    let mut version = load(&env, &case_id).await.version;
    for action in [Action::ConfirmCompetence, Action::ConfirmComplete] {
        version = env
            .app
            .act(&cw, &case_id, version, action)
            .await
            .expect("act")
            .case
            .version;
    }
    let spring = NaiveDate::from_ymd_opt(2026, 3, 29).expect("date");
    let autumn = NaiveDate::from_ymd_opt(2026, 10, 25).expect("date");
    for day in [spring, autumn] {
        let note = format!("Wiedervorlage {day}");
        version = env
            .app
            .act(
                &cw,
                &case_id,
                version,
                Action::SetFollowUp { at: day, note },
            )
            .await
            .expect("follow-up")
            .case
            .version;
    }
    let case = load(&env, &case_id).await;
    let follow_ups: Vec<_> = case
        .deadlines
        .iter()
        .filter(|d| d.kind == DeadlineKind::FollowUp)
        .cloned()
        .collect();
    assert_eq!(follow_ups.len(), 2);
    for (d, day) in follow_ups.iter().zip([spring, autumn]) {
        let midnight_utc = midnight(day);
        // 00:00 CET = 23:00 UTC before the spring switch; 00:00 CEST = 22:00 UTC before autumn's.
        let expected_hour = if day == spring { 23 } else { 22 };
        assert_eq!(
            midnight_utc,
            at(2026, day.month0() + 1, day.day0(), expected_hour, 0),
            "{day}"
        );
        env.clock.set(midnight_utc - Duration::hours(3));
        tick_until(
            &env,
            std::slice::from_ref(&env.app),
            midnight_utc + Duration::hours(30),
            Duration::minutes(30),
        )
        .await;
        assert_eq!(
            reminders(&env, &d.id).await,
            vec![ReminderLevel::Due],
            "{day}"
        );
        let times = recorded(&env, &case_id, &d.id).await;
        assert_eq!(times.len(), 1);
        assert!(
            times[0].1 >= midnight_utc && times[0].1 < midnight_utc + Duration::minutes(30),
            "{times:?}"
        );
    }
}
