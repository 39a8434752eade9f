//! The scheduler after the decision (issue 19), on SQLite and on DynamoDB Local: a result that
//! is not retrieved within ten days opens "send by post" and reminds the org unit; a retrieved
//! one becomes final the day after its appeal period, with no reminder owed after that.

use crate::scenarios;
use std::sync::Arc;

use chrono::{Duration, NaiveDate};
use fallwerk_aws::S3BlobStore;
use fallwerk_aws::testing::{dynamo, s3_bucket};
use fallwerk_core::case::{Action, Caller, Role};
use fallwerk_core::deadline::Period;
use fallwerk_core::model::TaskKind;
use fallwerk_embedded::{FsBlobStore, SqliteStore};
use fallwerk_events::{DeadlineKind, Outcome, ReminderLevel};
use scenarios::{Env, at, caseworker, configure, load, midnight, submit, tick_until};

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("date")
}

async fn decided(env: &Env, sub: &str) -> String {
    let id = submit(env, sub).await;
    let cw = caseworker();
    for action in [
        Action::ConfirmCompetence,
        Action::ConfirmComplete,
        Action::SendResult {
            attachments: vec![],
            outcome: Outcome::Granted,
            documents: vec![],
            message: "Bewilligt.".into(),
            appeal_instructions: true,
        },
    ] {
        let version = load(env, &id).await.version;
        env.app.act(&cw, &id, version, action).await.expect("act");
    }
    id
}

/// Both results go out on Monday 02.03.2026 (Mecklenburg-Vorpommern). A is retrieved on
/// Tuesday 03.03. → announced 04.03. → appeal until Saturday 04.04. → Tuesday 07.04.2026 (after
/// Easter) → final on 08.04.2026. B is never retrieved: its window ends Thursday 12.03.; on
/// Friday 13.03. "send by post" opens; the escalation two working days later reminds the org
/// unit; posting on 16.03. announces it on 20.03.2026 (fourth day).
async fn journey(env: Env) {
    configure(&env).await;
    // Keep the cases longer than the scenarios' 30 days, so the purge does not end the story.
    let admin = Caller::caseworker("admin", &[], &[Role::Admin]);
    let mut service = env
        .app
        .list_services(&admin)
        .await
        .expect("services")
        .into_iter()
        .next()
        .expect("service");
    service.rules.retention = Period::Months(24);
    env.app.put_service(&admin, service).await.expect("service");
    let a = decided(&env, "ann-a").await;
    let b = decided(&env, "ann-b").await;

    env.clock.advance(Duration::days(1));
    let msg = load(&env, &a)
        .await
        .result
        .and_then(|r| r.message_id)
        .expect("message");
    let receipt = env
        .app
        .portal_message_retrieved("portal", &a, &msg)
        .await
        .expect("retrieved");
    assert_eq!(receipt.announced_on, Some(day(2026, 3, 4)));
    assert_eq!(receipt.appeal_due, Some(day(2026, 4, 7)));

    let apps = [env.app.clone()];
    tick_until(
        &env,
        &apps,
        midnight(day(2026, 3, 13)) + Duration::hours(1),
        Duration::hours(6),
    )
    .await;
    let case_b = load(&env, &b).await;
    let r = case_b.result.as_ref().expect("result");
    assert!(r.announcement.postal_delivery_required);
    assert!(
        case_b
            .tasks
            .iter()
            .any(|t| t.kind == TaskKind::SendByPost && t.closed_at.is_none()),
        "{:?}",
        case_b.tasks
    );
    let retrieval = case_b
        .deadlines
        .iter()
        .find(|d| d.kind == DeadlineKind::RetrievalDue)
        .expect("retrieval deadline")
        .clone();
    assert_eq!(retrieval.due_on, day(2026, 3, 12));
    assert!(retrieval.overdue);

    // The escalation (two working days after the due day: Monday 16.03.) reminds the org unit.
    tick_until(
        &env,
        &apps,
        midnight(day(2026, 3, 16)) + Duration::hours(1),
        Duration::hours(6),
    )
    .await;
    let levels = scenarios::reminders(&env, &retrieval.id).await;
    assert!(levels.contains(&ReminderLevel::Escalation), "{levels:?}");

    let version = load(&env, &b).await.version;
    let view = env
        .app
        .act(
            &caseworker(),
            &b,
            version,
            Action::RecordPosting {
                posted_on: day(2026, 3, 16),
            },
        )
        .await
        .expect("posting");
    let r = view.case.result.as_ref().expect("result");
    assert_eq!(r.announcement.announced_on, Some(day(2026, 3, 20)));
    assert!(view.case.tasks.iter().all(|t| t.closed_at.is_some()));

    // A: the appeal period passes unused → final the day after.
    tick_until(
        &env,
        &apps,
        midnight(day(2026, 4, 8)) + Duration::hours(1),
        Duration::days(1),
    )
    .await;
    let case_a = load(&env, &a).await;
    let ann = &case_a.result.as_ref().expect("result").announcement;
    assert_eq!(ann.final_on, Some(day(2026, 4, 8)));
    assert!(case_a.open_deadline(DeadlineKind::AppealDue).is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn announcement_journey_on_sqlite() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = SqliteStore::open(dir.path().join("fallwerk.db")).expect("sqlite");
    let blobs = FsBlobStore::open(dir.path().join("blobs")).expect("blobs");
    journey(scenarios::env(
        Arc::new(store),
        Arc::new(blobs),
        at(2026, 3, 2, 8, 0),
    ))
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn announcement_journey_on_dynamodb() {
    let Some((store, _guard)) = dynamo().await else {
        return;
    };
    let Some((s3, bucket)) = s3_bucket().await else {
        return;
    };
    let blobs = S3BlobStore::new(s3, &bucket, "fallwerk");
    journey(scenarios::env(
        Arc::new(store),
        Arc::new(blobs),
        at(2026, 3, 2, 8, 0),
    ))
    .await;
}
