//! Crash and concurrency checks of issue 16, the same code for both backends: the real
//! `fallwerk serve` is killed (SIGKILL from the test, or an abort injected at a point of the
//! consumer protocol with `FALLWERK_TEST_CRASH_AT`), restarted on the same data, and then
//! everything owed must be there: every answered submission once with intact documents, every
//! e-mail (once, or at most twice with the same id where the kill came after the send), every
//! export, no case stuck. Each check prints what it killed and what it found.
//!
//! The queue's visibility timeout (and with it the consumers' claim lease) is two seconds here,
//! so redeliveries after a crash come quickly; every wait is a bounded poll.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::backend::{Backend, Kind, LEIKA, OE1};
use crate::http::{Caseworker, Portal, attachment};
use crate::webhook::Receiver;

/// The longest wait for anything asynchronous after a restart.
pub const WAIT: Duration = Duration::from_secs(45);
const EVERY: Duration = Duration::from_millis(250);
const VISIBILITY: &str = "2";
const OUTBOX_STUCK: &str = "4";
const SECRET: &str = "crash-webhook-secret-0123456789abcdef";

fn log(kind: Kind, what: &str) {
    eprintln!("[crash:{}] {what}", kind.name());
}

async fn start(kind: Kind, receiver: &Receiver, crash_at: Option<&str>) -> Option<Backend> {
    let mut env = vec![
        (
            "FALLWERK_QUEUE_VISIBILITY_SECONDS".to_string(),
            VISIBILITY.to_string(),
        ),
        // A kill between a case's commit and the hand-over of its outbox to the queue leaves
        // the notices in the outbox; the scheduler sends them again after this many seconds
        // (300 by default), well within the checks' wait.
        (
            "FALLWERK_OUTBOX_STUCK_SECONDS".to_string(),
            OUTBOX_STUCK.to_string(),
        ),
    ];
    if let Some(point) = crash_at {
        env.push(("FALLWERK_TEST_CRASH_AT".to_string(), point.to_string()));
    }
    let port = crate::process::free_port();
    Backend::start_with(kind, receiver, SECRET, port, env).await
}

fn submission(run: &str, n: usize) -> (Value, String, Vec<u8>) {
    let email = format!("antrag-{run}-{n}@example.org");
    let content = format!("%PDF-1.4 Nachweis {run} Nr. {n}").into_bytes();
    let body = json!({
        "submission_id": format!("crash-{run}-{n}"),
        "leika_id": LEIKA,
        "org_unit_id": OE1,
        "applicant": {"name": "Erika Mustermann", "email": email, "postbox_ref": format!("pb-{run}-{n}")},
        "form": {"id": "wohngeld-v1", "data": {"nr": n}},
        "attachments": [attachment("nachweis.pdf", &content)]
    });
    (body, email, content)
}

/// Mails by their id (`X-Fallwerk-Message-ID`), how often each was sent.
async fn mails_by_id(b: &Backend) -> BTreeMap<String, (usize, Vec<String>)> {
    let mut out: BTreeMap<String, (usize, Vec<String>)> = BTreeMap::new();
    for m in b.mails.all().await {
        if let Some(id) = m.id {
            let e = out.entry(id).or_insert((0, m.to.clone()));
            e.0 += 1;
        }
    }
    out
}

/// Waits until every id in `owed` was mailed; panics naming the missing ones.
async fn wait_mails(
    b: &Backend,
    owed: &BTreeSet<String>,
) -> BTreeMap<String, (usize, Vec<String>)> {
    let found = crate::poll(WAIT, EVERY, || async {
        let sent = mails_by_id(b).await;
        owed.iter().all(|id| sent.contains_key(id)).then_some(sent)
    })
    .await;
    match found {
        Some(sent) => sent,
        None => {
            let sent = mails_by_id(b).await;
            let missing: Vec<&String> = owed.iter().filter(|id| !sent.contains_key(*id)).collect();
            panic!(
                "owed e-mails missing after {WAIT:?}: {missing:?}\n--- server logs ---\n{}",
                tail(&b.server_logs(), 60)
            )
        }
    }
}

fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// The ids of the two notices every new case owes: the org unit's and the applicant's receipt.
fn owed_on_intake(case_ids: &[String]) -> BTreeSet<String> {
    case_ids
        .iter()
        .flat_map(|c| [format!("{c}:1:ou"), format!("{c}:1:applicant")])
        .collect()
}

/// Waits until `fallwerk serve` aborted at the injected fault; prints the abort line.
async fn wait_for_fault(b: &mut Backend, kind: Kind) {
    let Some(status) = b.wait_server_exit(WAIT).await else {
        panic!(
            "fallwerk serve did not reach the injected fault within {WAIT:?}\n{}",
            b.server_log_tail(40)
        );
    };
    let line = b
        .server_logs()
        .lines()
        .find(|l| l.contains("FALLWERK_TEST_CRASH_AT"))
        .map(str::to_string)
        .unwrap_or_else(|| "(no abort line in the log)".into());
    log(
        kind,
        &format!("KILLED by the injected fault ({status}): {line}"),
    );
}

/// The consumer dies between claim and send (or between send and confirmation, `after_send`):
/// after the restart every owed notice went out, exactly once — or at most twice with the same
/// id when the send had happened.
pub async fn consumer_killed(kind: Kind, point: &str) {
    let receiver = Receiver::start(SECRET).await;
    let Some(mut b) = start(kind, &receiver, Some(point)).await else {
        return;
    };
    let run = crate::run_id();
    let portal = b.portal();
    let (body, _, _) = submission(&run, 1);
    // The consumer may take the new case's notice from the queue and abort the process before
    // the submission's answer is written (the queue is fed right after the commit): then the
    // answer is lost, and the portal delivers the same submission again after the restart, as
    // a portal does when it got no answer.
    let first = portal.try_post("/v1/submissions", &body).await;
    let answered = match first {
        Some(r) => {
            let created = r.expect(201, "submission");
            let case_id = created["case_id"].as_str().expect("case id").to_string();
            log(
                kind,
                &format!("submitted case {case_id}; waiting for the consumer to reach `{point}`"),
            );
            Some(case_id)
        }
        None => {
            log(
                kind,
                "the submission's answer was lost in the crash; the portal delivers it again after the restart",
            );
            None
        }
    };
    wait_for_fault(&mut b, kind).await;

    b.set_env("FALLWERK_TEST_CRASH_AT", None);
    b.restart_server().await;
    log(kind, "restarted fallwerk serve without the fault");
    let case_id = match answered {
        Some(case_id) => case_id,
        None => {
            let again = portal
                .rebased(&b.base_url)
                .post("/v1/submissions", &body)
                .await;
            // 200: the submission had been committed before the crash (the case exists once).
            let created = again.expect(200, "the same submission delivered again");
            let case_id = created["case_id"].as_str().expect("case id").to_string();
            log(kind, &format!("the case {case_id} existed already"));
            case_id
        }
    };
    let owed = owed_on_intake(std::slice::from_ref(&case_id));
    wait_mails(&b, &owed).await;
    // Settle: further redeliveries (there must be none that send) get three visibility periods.
    tokio::time::sleep(Duration::from_secs(6)).await;
    let sent = mails_by_id(&b).await;
    for id in &owed {
        let (count, to) = &sent[id];
        log(
            kind,
            &format!("FOUND mail {id} to {} sent {count}×", to.join(", ")),
        );
        match point {
            "after_claim" => {
                assert_eq!(*count, 1, "{id}: exactly once after a kill before the send")
            }
            _ => assert!(
                (1..=2).contains(count),
                "{id}: at most twice (same id) after a kill between send and confirmation"
            ),
        }
    }
    let case = b
        .caseworker("sb1", &[OE1], &["caseworker"])
        .case(&case_id)
        .await
        .expect(200, "case");
    assert_eq!(
        case["notification_failures"],
        json!([]),
        "nothing recorded as failed"
    );
    assert_no_temporaries(&b, kind);
    b.finish().await;
}

/// The embedded outbox holds no unfinished `.tmp` file.
fn assert_no_temporaries(b: &Backend, kind: Kind) {
    if kind != Kind::Embedded {
        return;
    }
    let outbox = b.data_dir().join("outbox");
    let tmp: Vec<String> = std::fs::read_dir(&outbox)
        .map(|d| {
            d.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".tmp"))
                .collect()
        })
        .unwrap_or_default();
    log(
        kind,
        &format!("FOUND {} unfinished .tmp files in the outbox", tmp.len()),
    );
    assert!(tmp.is_empty(), "{tmp:?}");
}

/// What a submission's first delivery got.
#[derive(Debug, Clone)]
enum First {
    Created(String),
    NoAnswer,
    Other(u16),
}

/// `fallwerk serve` is SIGKILLed while submissions arrive. After the restart the portal
/// delivers every submission again (as a portal does when it got no answer, and also the
/// answered ones): every 201 still exists with the same case and intact documents, no
/// submission exists twice, every owed e-mail went out.
pub async fn serve_killed_under_intake_load(kind: Kind) {
    const N: usize = 24;
    const KILL_AFTER: usize = 8;
    let receiver = Receiver::start(SECRET).await;
    let Some(mut b) = start(kind, &receiver, None).await else {
        return;
    };
    let run = crate::run_id();
    let portal = b.portal();
    let subs: Vec<(Value, String, Vec<u8>)> = (0..N).map(|n| submission(&run, n)).collect();
    let answered = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for chunk in (0..N).collect::<Vec<_>>().chunks(N / 4) {
        let (portal, answered) = (portal.clone(), answered.clone());
        let bodies: Vec<(usize, Value)> = chunk.iter().map(|&i| (i, subs[i].0.clone())).collect();
        tasks.push(tokio::spawn(async move {
            let mut out = Vec::new();
            for (i, body) in bodies {
                let first = match portal.try_post("/v1/submissions", &body).await {
                    Some(r) if r.status == 201 => {
                        answered.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                        First::Created(r.json["case_id"].as_str().unwrap_or_default().to_string())
                    }
                    Some(r) => First::Other(r.status),
                    None => First::NoAnswer,
                };
                out.push((i, first));
            }
            out
        }));
    }
    let killed = crate::poll(WAIT, Duration::from_millis(5), || async {
        (answered.load(std::sync::atomic::Ordering::SeqCst) >= KILL_AFTER).then_some(())
    })
    .await;
    assert!(
        killed.is_some(),
        "{KILL_AFTER} submissions not answered within {WAIT:?}"
    );
    let pid = b.kill_server();
    let mut first: Vec<(usize, First)> = Vec::new();
    for t in tasks {
        first.extend(t.await.expect("submitter"));
    }
    first.sort_by_key(|(i, _)| *i);
    let created: BTreeMap<usize, String> = first
        .iter()
        .filter_map(|(i, f)| match f {
            First::Created(id) => Some((*i, id.clone())),
            _ => None,
        })
        .collect();
    let unanswered = first
        .iter()
        .filter(|(_, f)| matches!(f, First::NoAnswer))
        .count();
    let other: Vec<u16> = first
        .iter()
        .filter_map(|(_, f)| match f {
            First::Other(s) => Some(*s),
            _ => None,
        })
        .collect();
    log(
        kind,
        &format!(
            "KILLED fallwerk serve (pid {pid}) under intake load: {} answered 201, {unanswered} without answer, other answers {other:?}",
            created.len()
        ),
    );
    assert!(other.is_empty(), "no submission is refused: {other:?}");

    b.restart_server().await;
    log(kind, "restarted; the portal delivers all submissions again");
    let portal = portal.rebased(&b.base_url);
    let mut case_ids = Vec::new();
    for (i, (body, _, _)) in subs.iter().enumerate() {
        let r = portal.post("/v1/submissions", body).await;
        assert!(
            r.status == 200 || r.status == 201,
            "resubmission {i}: {} {}",
            r.status,
            r.text
        );
        let id = r.json["case_id"].as_str().expect("case id").to_string();
        if let Some(before) = created.get(&i) {
            assert_eq!(
                &id, before,
                "submission {i}: the answered case is the same case"
            );
            assert_eq!(r.status, 200, "submission {i} was created before");
        }
        case_ids.push(id);
    }
    let distinct: BTreeSet<&String> = case_ids.iter().collect();
    assert_eq!(distinct.len(), N, "one case per submission");

    let cw = b.caseworker("sb1", &[OE1], &["caseworker"]);
    let inbox = cw.get("/v1/cases?limit=100").await.expect(200, "inbox");
    let listed = inbox["items"].as_array().map(Vec::len).unwrap_or(0);
    log(
        kind,
        &format!("FOUND {listed} cases in the inbox for {N} submissions"),
    );
    assert_eq!(listed, N, "no submission exists twice");
    for (i, id) in case_ids.iter().enumerate() {
        let doc = cw.get(&format!("/v1/cases/{id}/attachments/1")).await;
        assert_eq!(doc.status, 200, "case {id}: document 1: {}", doc.text);
        assert_eq!(
            doc.text.as_bytes(),
            &subs[i].2[..],
            "case {id}: document intact"
        );
    }
    log(kind, &format!("FOUND all {N} documents intact"));
    let owed = owed_on_intake(&case_ids);
    wait_mails(&b, &owed).await;
    tokio::time::sleep(Duration::from_secs(6)).await;
    let sent = mails_by_id(&b).await;
    let twice: Vec<&String> = owed.iter().filter(|id| sent[*id].0 == 2).collect();
    for id in &owed {
        assert!((1..=2).contains(&sent[id].0), "{id} sent {}×", sent[id].0);
    }
    log(
        kind,
        &format!(
            "FOUND all {} owed e-mails; sent twice (same id, kill between send and confirmation): {twice:?}",
            owed.len()
        ),
    );
    assert_no_temporaries(&b, kind);
    b.finish().await;
}

/// The export consumer dies after delivering, before the receipt is stored (the crash of
/// issue 16 that left a case in `exporting`). After the restart the case reaches `exported`, the receiver got the same
/// package (at most twice), and the case is not stuck.
pub async fn serve_killed_during_export(kind: Kind) {
    let receiver = Receiver::start(SECRET).await;
    let Some(mut b) = start(kind, &receiver, Some("after_delivery:export")).await else {
        return;
    };
    let run = crate::run_id();
    let (body, _, _) = submission(&run, 1);
    let created = b
        .portal()
        .post("/v1/submissions", &body)
        .await
        .expect(201, "submission");
    let case_id = created["case_id"].as_str().expect("case id").to_string();
    let cw = b.caseworker("sb1", &[OE1], &["caseworker"]);
    cw.act_ok(&case_id, json!({"action": "confirm_competence"}))
        .await;
    cw.act_ok(&case_id, json!({"action": "confirm_complete"}))
        .await;
    cw.act_ok(&case_id, json!({"action": "export"})).await;
    log(
        kind,
        &format!("case {case_id} is exporting; waiting for the delivery"),
    );
    wait_for_fault(&mut b, kind).await;
    let delivered = receiver.deliveries().len();
    log(
        kind,
        &format!("the receiver had {delivered} delivery before the kill"),
    );

    b.set_env("FALLWERK_TEST_CRASH_AT", None);
    b.restart_server().await;
    log(kind, "restarted fallwerk serve without the fault");
    let cw = b.caseworker("sb1", &[OE1], &["caseworker"]);
    let started = Instant::now();
    let view = crate::poll(WAIT, EVERY, || async {
        let v = cw.case(&case_id).await.json;
        (v["status"] == "exported").then_some(v)
    })
    .await
    .unwrap_or_else(|| {
        panic!(
            "case {case_id} not exported within {WAIT:?} after the restart: {}\n{}",
            tail(&b.server_logs(), 60),
            b.server_log_tail(20)
        )
    });
    let packages: Vec<String> = receiver
        .deliveries()
        .iter()
        .map(|d| d.package.clone())
        .collect();
    log(
        kind,
        &format!(
            "FOUND case {case_id} exported {:.1} s after the restart, receipt {}; packages delivered: {packages:?}",
            started.elapsed().as_secs_f64(),
            view["export"]["receipt"]
        ),
    );
    assert!((1..=2).contains(&packages.len()), "{packages:?}");
    assert!(
        packages.iter().all(|p| p == &packages[0]),
        "the same package: {packages:?}"
    );
    b.finish().await;
}

/// Two applicant replies with documents arrive at the same time, three times over: both are
/// accepted, every document keeps its own number and downloads intact.
pub async fn concurrent_replies(kind: Kind) {
    let receiver = Receiver::start(SECRET).await;
    let Some(b) = start(kind, &receiver, None).await else {
        return;
    };
    let run = crate::run_id();
    let portal: Portal = b.portal();
    let (body, _, first_doc) = submission(&run, 1);
    let created = portal
        .post("/v1/submissions", &body)
        .await
        .expect(201, "submission");
    let case_id = created["case_id"].as_str().expect("case id").to_string();
    let path = format!("/v1/cases/{case_id}/replies");
    let mut expected: Vec<Vec<u8>> = vec![first_doc];
    for round in 0..3 {
        let docs: Vec<Vec<u8>> = (0..2)
            .map(|k| format!("%PDF-1.4 Antwort {run} Runde {round} Nr. {k}").into_bytes())
            .collect();
        let reply = |k: usize| {
            json!({"subject": format!("Antwort {round}.{k}"), "text": "Anbei der Nachweis.",
                   "attachments": [attachment(&format!("antwort-{round}-{k}.pdf"), &docs[k])]})
        };
        let (r0, r1) = (reply(0), reply(1));
        let (a, c) = tokio::join!(portal.post(&path, &r0), portal.post(&path, &r1));
        assert_eq!(a.status, 200, "round {round}, reply 0: {}", a.text);
        assert_eq!(c.status, 200, "round {round}, reply 1: {}", c.text);
        expected.extend(docs);
    }
    let cw: Caseworker = b.caseworker("sb1", &[OE1], &["caseworker"]);
    let view = cw.case(&case_id).await.expect(200, "case");
    let attachments = view["case"]["attachments"]
        .as_array()
        .or_else(|| view["attachments"].as_array())
        .cloned()
        .unwrap_or_default();
    let numbers: Vec<u64> = attachments.iter().filter_map(|a| a["n"].as_u64()).collect();
    let distinct: BTreeSet<u64> = numbers.iter().copied().collect();
    log(
        kind,
        &format!("FOUND documents numbered {numbers:?} on case {case_id}"),
    );
    assert_eq!(
        numbers.len(),
        expected.len(),
        "every document listed: {attachments:?}"
    );
    assert_eq!(
        distinct.len(),
        numbers.len(),
        "distinct numbers: {numbers:?}"
    );
    let mut downloaded = BTreeSet::new();
    for n in &numbers {
        let doc = cw
            .get(&format!("/v1/cases/{case_id}/attachments/{n}"))
            .await;
        assert_eq!(doc.status, 200, "document {n}: {}", doc.text);
        downloaded.insert(doc.text.into_bytes());
    }
    let want: BTreeSet<Vec<u8>> = expected.into_iter().collect();
    assert_eq!(
        downloaded, want,
        "every document downloads with its own bytes"
    );
    log(
        kind,
        &format!("FOUND all {} documents intact", numbers.len()),
    );
    b.finish().await;
}

/// `fallwerk serve` is SIGKILLed while the scheduler's ticks send the reminders of a case whose
/// deadlines ran out (the server's clock moved ten days ahead). After the restart every
/// reminder the history records went out (at most twice, same id), and none is recorded twice.
pub async fn serve_killed_during_tick(kind: Kind) {
    let receiver = Receiver::start(SECRET).await;
    let Some(mut b) = start(kind, &receiver, None).await else {
        return;
    };
    let run = crate::run_id();
    let (body, _, _) = submission(&run, 1);
    let created = b
        .portal()
        .post("/v1/submissions", &body)
        .await
        .expect(201, "submission");
    let case_id = created["case_id"].as_str().expect("case id").to_string();
    wait_mails(&b, &owed_on_intake(std::slice::from_ref(&case_id))).await;
    b.set_clock_offset(10 * 24 * 3600);
    log(
        kind,
        "moved the server's clock ten days ahead; waiting for the first reminder",
    );
    let first = crate::poll(WAIT, Duration::from_millis(20), || async {
        let sent = mails_by_id(&b).await;
        let reminders = sent.keys().filter(|id| id.contains(":reminder-")).count();
        (reminders > 0).then_some(reminders)
    })
    .await
    .unwrap_or_else(|| panic!("no reminder within {WAIT:?}\n{}", b.server_log_tail(40)));
    let pid = b.kill_server();
    log(
        kind,
        &format!(
            "KILLED fallwerk serve (pid {pid}) during the ticks, {first} reminder mail(s) out"
        ),
    );
    b.restart_server().await;
    log(kind, "restarted fallwerk serve");
    // Let the ticks and consumers after the restart finish what is owed.
    tokio::time::sleep(Duration::from_secs(8)).await;
    let cw = b.caseworker("sb1", &[OE1], &["caseworker"]);
    let history = cw
        .get(&format!("/v1/cases/{case_id}/history?limit=500"))
        .await
        .expect(200, "history");
    let reminders: Vec<&Value> = history["items"]
        .as_array()
        .map(|a| a.iter().filter(|e| e["type"] == "reminder_sent").collect())
        .unwrap_or_default();
    assert!(!reminders.is_empty(), "the history records reminders");
    let mut recorded = BTreeSet::new();
    let mut owed = BTreeSet::new();
    for e in &reminders {
        let key = format!("{}/{}", e["deadline_id"], e["level"]);
        assert!(
            recorded.insert(key.clone()),
            "reminder {key} recorded twice"
        );
        let level = e["level"].as_str().unwrap_or_default();
        owed.insert(format!("{case_id}:{}:reminder-{level}", e["seq"]));
    }
    let sent = wait_mails(&b, &owed).await;
    for id in &owed {
        let (count, to) = &sent[id];
        log(
            kind,
            &format!("FOUND reminder {id} to {} sent {count}×", to.join(", ")),
        );
        assert!((1..=2).contains(count), "{id} sent {count}×");
    }
    b.finish().await;
}
