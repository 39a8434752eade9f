//! The case journey of issue 8, the same code for both backends. Every step is logged as
//! `[e2e:<backend>] step N (+s): …` so the CI log shows how far it got; every wait is a bounded
//! poll (at most [`WAIT`]), never a fixed sleep — except one settle period of a few scheduler
//! ticks before asserting that no reminder went out twice.

use std::time::{Duration, Instant};

use chrono::NaiveDate;
use serde_json::{Value, json};

use crate::backend::{Backend, Kind, LEIKA, OE1, OE2, SERVICE_NAME};
use crate::http::{Caseworker, Portal, attachment};
use crate::mail::Mail;
use crate::webhook::Receiver;

/// The longest wait for anything asynchronous (a queue consumer, the scheduler).
pub const WAIT: Duration = Duration::from_secs(20);
const EVERY: Duration = Duration::from_millis(200);

/// Called with each step's text as the step begins; unset in the test suite. The capacity bench
/// (`functions/bench/src/bin/journey_capacity.rs`) books DynamoDB units per step through it.
static STEP_HOOK: std::sync::OnceLock<StepHook> = std::sync::OnceLock::new();

type StepHook = Box<dyn Fn(&str) + Send + Sync>;

/// Registers the step hook (once per process; a second call is ignored).
pub fn on_step(hook: impl Fn(&str) + Send + Sync + 'static) {
    let _ = STEP_HOOK.set(Box::new(hook));
}

/// Step log of one run.
struct Steps {
    backend: &'static str,
    n: u32,
    started: Instant,
}

impl Steps {
    fn step(&mut self, what: &str) {
        if let Some(hook) = STEP_HOOK.get() {
            hook(what);
        }
        self.n += 1;
        eprintln!(
            "[e2e:{}] step {} (+{:.1} s): {what}",
            self.backend,
            self.n,
            self.started.elapsed().as_secs_f64()
        );
    }

    fn note(&self, what: &str) {
        eprintln!("[e2e:{}]   {what}", self.backend);
    }
}

fn s(v: &Value) -> String {
    v.as_str()
        .map(str::to_string)
        .unwrap_or_else(|| v.to_string())
}

fn date(v: &Value) -> NaiveDate {
    v.as_str()
        .and_then(|d| d.parse().ok())
        .unwrap_or_else(|| panic!("not a date: {v}"))
}

/// The deadlines of `kind` in a case view.
fn deadlines<'a>(case: &'a Value, kind: &str) -> Vec<&'a Value> {
    case["deadlines"]
        .as_array()
        .map(|a| a.iter().filter(|d| d["kind"] == kind).collect())
        .unwrap_or_default()
}

fn open_deadline<'a>(case: &'a Value, kind: &str) -> &'a Value {
    let open: Vec<&Value> = deadlines(case, kind)
        .into_iter()
        .filter(|d| d["open"] == true)
        .collect();
    assert_eq!(
        open.len(),
        1,
        "one open {kind} deadline in {}",
        case["deadlines"]
    );
    open[0]
}

/// Waits for a mail to `to` whose subject contains `subject`; returns it.
async fn wait_mail(b: &Backend, to: &str, subject: &str) -> Mail {
    let found = crate::poll(WAIT, EVERY, || async {
        b.mails
            .all()
            .await
            .into_iter()
            .find(|m| m.to_contains(to) && m.subject.contains(subject))
    })
    .await;
    if let Some(mail) = found {
        return mail;
    }
    let seen: Vec<String> = b
        .mails
        .all()
        .await
        .iter()
        .map(|m| format!("  {} → {}", m.subject, m.to.join(", ")))
        .collect();
    panic!(
        "no e-mail to {to} with `{subject}` within {WAIT:?}; sent so far:\n{}\n--- server log ---\n{}",
        seen.join("\n"),
        b.server_log_tail(40)
    )
}

async fn count_mails(b: &Backend, to: &str, subject: &str) -> usize {
    b.mails
        .all()
        .await
        .iter()
        .filter(|m| m.to_contains(to) && m.subject.contains(subject))
        .count()
}

/// Waits until the case (as `cw` sees it) has `status`; returns the view. Fails at once when
/// it reaches `instead` (e.g. `export_failed` while waiting for `exported`).
async fn wait_status(
    b: &Backend,
    cw: &Caseworker,
    case_id: &str,
    status: &str,
    instead: &[&str],
) -> Value {
    let found = crate::poll(WAIT, EVERY, || async {
        let r = cw.case(case_id).await;
        let now = r.json["status"].as_str().unwrap_or_default().to_string();
        (r.status == 200 && (now == status || instead.contains(&now.as_str()))).then_some(r.json)
    })
    .await;
    match found {
        Some(view) if view["status"] == status => view,
        Some(view) => panic!(
            "case {case_id} reached `{}` instead of `{status}`: export {}, notification failures {}\n--- server log ---\n{}",
            view["status"],
            view["export"],
            view["notification_failures"],
            b.server_log_tail(40)
        ),
        None => {
            let now = cw.case(case_id).await;
            panic!(
                "case {case_id} did not reach `{status}` within {WAIT:?}; it is {}\n--- server log ---\n{}",
                now.text,
                b.server_log_tail(40)
            )
        }
    }
}

fn submission(run: &str, tag: &str, email: &str) -> Value {
    json!({
        "submission_id": format!("e2e-{run}-{tag}"),
        "leika_id": LEIKA,
        "org_unit_id": OE1,
        "applicant": {"name": "Erika Mustermann", "email": email, "postbox_ref": format!("pb-{run}-{tag}")},
        "form": {"id": "wohngeld-v1", "data": {"haushalt": {"personen": 2}, "miete": 612.5}},
        "attachments": [attachment("einkommen.pdf", b"%PDF-1.4 Einkommensnachweis")]
    })
}

/// The `formData` part as Aivot GOVER builds it for an OZG-Cloud destination (issue 13; see
/// functions/api/tests/it/form_engines.rs for the sources): generated ids, only the labels say what
/// a field is, groups nest through `formItems`, the postbox in `serviceKonto.postfachAddress`.
fn antrag_form(run: &str, email: &str) -> Value {
    json!({
        "control": {
            "transactionId": format!("e2e-{run}-antrag"),
            "zustaendigeStelle": OE1,
            "leikaIds": [LEIKA],
            "formId": "wohngeld-ozg",
            "name": SERVICE_NAME,
            "serviceKonto": {"type": "OSI", "trustLevel": "STORK-QAA-Level-3",
                "postfachAddress": {"identifier": format!("pf-{run}"), "type": "Citizen"}}
        },
        "formData": [
            {"name": "s4f1c2", "label": "Angaben zur antragstellenden Person", "formItems": [
                {"name": "e81a0b", "label": "Vorname", "stringValue": "Max"},
                {"name": "e81a0c", "label": "Familienname", "stringValue": "Muster"},
                {"name": "e81a0d", "label": "E-Mail-Adresse", "stringValue": email},
                {"name": "e81a0e", "label": "Geburtsdatum", "dateValue": "1984-07-14"}
            ]},
            {"name": "s4f1c3", "label": "Haushalt", "formItems": [
                {"name": "e91b01", "label": "Personen im Haushalt", "numberValue": 3},
                {"name": "e91b02", "label": "Wohngeld bereits bezogen", "booleanValue": false}
            ]}
        ]
    })
}

/// Deterministic, varied bytes (xorshift), so a checksum over them proves something.
fn pseudo_random(len: usize, seed: u32) -> Vec<u8> {
    let mut x = seed.wrapping_mul(2_654_435_761) | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            (x >> 24) as u8
        })
        .collect()
}

fn sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

/// Everything the portal shows the applicant of `case_id` (status and postbox), as text.
async fn portal_view(portal: &Portal, case_id: &str) -> (Value, Value, String) {
    let status = portal.get(&format!("/v1/cases/{case_id}/status")).await;
    let messages = portal.get(&format!("/v1/cases/{case_id}/messages")).await;
    let text = format!("{}\n{}", status.text, messages.text);
    (
        status.expect(200, "portal status"),
        messages.expect(200, "portal messages"),
        text,
    )
}

/// Runs the whole journey on `kind`; returns without doing anything when the backend is
/// skipped (no emulators outside CI).
pub async fn journey(kind: Kind) {
    let started = Instant::now();
    let mut st = Steps {
        backend: kind.name(),
        n: 0,
        started,
    };
    let run = crate::run_id();
    let webhook_secret = format!("whsec-{}", uuid::Uuid::new_v4().simple());
    let receiver = Receiver::start(&webhook_secret).await;
    st.step(&format!(
        "start fallwerk ({}), webhook receiver at {}",
        kind.name(),
        receiver.url
    ));
    let Some(b) = Backend::start(kind, &receiver, &webhook_secret).await else {
        return;
    };
    let d = b.directory.clone();
    let portal = b.portal();
    let sb1 = b.caseworker("sb1", &[OE1], &["caseworker"]);
    let sb2 = b.caseworker("sb2", &[OE2], &["caseworker"]);
    let applicant_a = format!("antrag-a-{run}@buerger.example");
    let applicant_b = format!("antrag-b-{run}@buerger.example");
    let applicant_c = format!("antrag-c-{run}@buerger.example");
    let marker = format!("E2E-INTERN-{}", uuid::Uuid::new_v4().simple());

    // ---------------------------------------------------------------- intake
    st.step("application A via POST /v1/submissions");
    let a = portal
        .post("/v1/submissions", &submission(&run, "a", &applicant_a))
        .await
        .expect(201, "submission A");
    assert_eq!(a["status"], "received");
    let (case_a, ref_a) = (s(&a["case_id"]), s(&a["reference"]));
    st.note(&format!("A = {ref_a} ({case_a})"));

    st.step("application B via the OZG-Cloud multipart POST /antrag/{client}/{token}");
    let bv = portal
        .antrag(
            &antrag_form(&run, &applicant_b),
            ("mietvertrag.pdf", b"%PDF-1.4 Mietvertrag B"),
        )
        .await
        .expect(201, "antrag B");
    assert_eq!(bv["vorgang"]["status"], "received");
    let (case_b, ref_b) = (
        s(&bv["vorgang"]["vorgangId"]),
        s(&bv["vorgang"]["vorgangNummer"]),
    );
    st.note(&format!("B = {ref_b} ({case_b})"));
    let case_b_view = sb1.case(&case_b).await.expect(200, "B as OE1 sees it");
    assert_eq!(case_b_view["applicant"]["name"], "Max Muster");
    assert_eq!(case_b_view["applicant"]["email"], applicant_b.as_str());
    assert_eq!(case_b_view["applicant"]["postbox_ref"], format!("pf-{run}"));
    assert_eq!(case_b_view["applicant"]["trust_level"], "STORK-QAA-Level-3");

    st.step("application E: 20 MB of scans through upload slots (S3 presigned or fallwerk serve)");
    let scans = [
        ("scan-1.pdf", pseudo_random(12 * 1024 * 1024, 1)),
        ("scan-2.pdf", pseudo_random(8 * 1024 * 1024, 2)),
    ];
    let slots = portal
        .post(
            "/v1/uploads",
            &json!({"documents": scans.iter().map(|(name, b)| json!({"name": name,
                "media_type": "application/pdf", "size": b.len(), "sha256": sha256(b)}))
                .collect::<Vec<_>>()}),
        )
        .await
        .expect(201, "upload slots");
    let mut uploads = Vec::new();
    for ((name, bytes), slot) in scans
        .iter()
        .zip(slots["slots"].as_array().into_iter().flatten())
    {
        let status = portal.put_slot(slot, bytes.clone()).await;
        assert!(
            (200..300).contains(&status),
            "PUT {name} to its slot: {status}"
        );
        uploads.push(json!({"upload_id": slot["upload_id"], "name": name,
            "media_type": "application/pdf", "size": bytes.len(), "sha256": sha256(bytes)}));
    }
    let mut e = submission(&run, "e", "unused@buerger.example");
    e["applicant"]["email"] = Value::Null;
    e["attachments"] = json!([]);
    e["uploads"] = json!(uploads);
    let ev = portal
        .post("/v1/submissions", &e)
        .await
        .expect(201, "submission E");
    let case_e = s(&ev["case_id"]);
    for (n, (name, bytes)) in scans.iter().enumerate() {
        let (status, got) = sb1
            .get_bytes(&format!("/v1/cases/{case_e}/attachments/{}", n + 1))
            .await;
        assert_eq!(status, 200, "download {name}");
        assert!(got == *bytes, "{name} downloads byte-identical");
    }
    st.note(&format!(
        "E = {} with 20 MiB in two uploads",
        s(&ev["reference"])
    ));

    st.step("the OE notification e-mails arrive (and the applicants' receipts)");
    for reference in [&ref_a, &ref_b] {
        let m = wait_mail(&b, &d.oe1_mail, &format!("Neuer Antrag {reference}")).await;
        assert!(m.subject.contains(SERVICE_NAME), "{}", m.subject);
    }
    wait_mail(
        &b,
        &applicant_a,
        &format!("Eingangsbestätigung zu Ihrem Antrag {ref_a}"),
    )
    .await;
    wait_mail(
        &b,
        &applicant_b,
        &format!("Eingangsbestätigung zu Ihrem Antrag {ref_b}"),
    )
    .await;
    let inbox = sb1
        .get("/v1/cases?status=received")
        .await
        .expect(200, "inbox");
    let refs: Vec<String> = inbox["items"]
        .as_array()
        .map(|a| a.iter().map(|c| s(&c["reference"])).collect())
        .unwrap_or_default();
    assert!(
        refs.contains(&ref_a) && refs.contains(&ref_b),
        "OE1 inbox {refs:?}"
    );

    st.step("L: an application with a large form (over 64 KiB, kept in the blob store); the caseworker reads it whole");
    let rows: Vec<Value> = (0..1500)
        .map(|i| json!({"position": i, "text": format!("Einkommen {i}: \"Lohn\" für März – Bäckerei Süd")}))
        .collect();
    let mut large = submission(&run, "l", &format!("antrag-l-{run}@buerger.example"));
    large["form"]["data"] = json!({"haushalt": {"personen": 5}, "einkommen": rows});
    let l = portal
        .post("/v1/submissions", &large)
        .await
        .expect(201, "submission L");
    let case_l = s(&l["case_id"]);
    let v = sb1.case(&case_l).await.expect(200, "case L");
    assert_eq!(v["form"]["storage"], "blob", "{}", v["form"]);
    let form = sb1
        .get(&format!("/v1/cases/{case_l}/form"))
        .await
        .expect(200, "form of L");
    assert!(form.to_string().len() > 64 * 1024);
    assert_eq!(
        form, large["form"]["data"],
        "the large form arrives unchanged"
    );
    sb2.get(&format!("/v1/cases/{case_l}/form"))
        .await
        .expect(404, "another org unit's form");

    st.step("M: a form of about 8 KB: inline on SQLite, kept out of the case item on DynamoDB");
    let rows: Vec<Value> = (0..120)
        .map(|i| json!({"position": i, "text": format!("Ausgabe {i}: Miete und Nebenkosten")}))
        .collect();
    let mut medium = submission(&run, "m", &format!("antrag-m-{run}@buerger.example"));
    medium["form"]["data"] = json!({"haushalt": {"personen": 2}, "ausgaben": rows});
    let size = medium["form"]["data"].to_string().len();
    assert!((4 * 1024..64 * 1024).contains(&size), "{size} bytes");
    let m = portal
        .post("/v1/submissions", &medium)
        .await
        .expect(201, "submission M");
    let case_m = s(&m["case_id"]);
    let v = sb1.case(&case_m).await.expect(200, "case M");
    // DynamoDB rewrites the whole case item with every change (docs/COSTS.md): forms above
    // 4 KiB live in S3 there; SQLite keeps them inline up to 64 KiB.
    let storage = match b.kind {
        Kind::Aws => "blob",
        Kind::Embedded => "inline",
    };
    assert_eq!(v["form"]["storage"], storage, "{}", v["form"]);
    let form = sb1
        .get(&format!("/v1/cases/{case_m}/form"))
        .await
        .expect(200, "form of M");
    assert_eq!(form, medium["form"]["data"], "the form arrives unchanged");
    st.note(&format!(
        "M = {} with {size} bytes of form data, stored {storage}",
        s(&m["reference"])
    ));

    // ---------------------------------------------------------------- competence
    st.step("A: competence confirmed");
    let v = sb1
        .act_ok(&case_a, json!({"action": "confirm_competence"}))
        .await;
    assert_eq!(v["status"], "completeness_check");
    let completeness_before = open_deadline(&v, "completeness_check_due").clone();

    st.step("B: forwarded to OE2 — OE2 sees it, OE1 gets 404");
    let v = sb1
        .act_ok(
            &case_b,
            json!({"action": "forward", "org_unit_id": OE2, "reason": "Wohnsitz im Bereich Süd"}),
        )
        .await;
    assert_eq!(v["org_unit_id"], OE2);
    let seen_by_oe2 = sb2.case(&case_b).await.expect(200, "OE2 reads B");
    assert_eq!(seen_by_oe2["status"], "received");
    assert_eq!(seen_by_oe2["org_unit_id"], OE2);
    let r = sb1.case(&case_b).await;
    assert_eq!(r.status, 404, "OE1 must not see B any more: {}", r.text);
    let r = sb1
        .act(&case_b, json!({"action": "comment", "text": "x"}))
        .await;
    assert_eq!(r.status, 404, "OE1 must not act on B: {}", r.text);
    let oe1_inbox = sb1.get("/v1/cases").await.expect(200, "OE1 inbox");
    assert!(!oe1_inbox.to_string().contains(&case_b), "B in OE1's inbox");
    let oe2_inbox = sb2.get("/v1/cases").await.expect(200, "OE2 inbox");
    assert!(
        oe2_inbox.to_string().contains(&case_b),
        "B not in OE2's inbox"
    );
    wait_mail(
        &b,
        &d.oe2_mail,
        &format!("Antrag {ref_b} an Sie weitergeleitet"),
    )
    .await;
    wait_mail(
        &b,
        &applicant_b,
        &format!("Ihr Antrag {ref_b} wurde weitergeleitet"),
    )
    .await;

    // ---------------------------------------------------------------- documents
    st.step("A: documents requested; the applicant is told by e-mail and in the portal");
    let request_day = b.today();
    let v = sb1
        .act_ok(
            &case_a,
            json!({"action": "request_documents", "items": ["Mietvertrag"],
                   "message": "Bitte reichen Sie den Mietvertrag nach."}),
        )
        .await;
    assert_eq!(v["status"], "awaiting_applicant");
    assert!(
        deadlines(&v, "completeness_check_due")
            .iter()
            .all(|dl| dl["open"] == false),
        "the completeness check stops while waiting: {}",
        v["deadlines"]
    );
    wait_mail(
        &b,
        &applicant_a,
        &format!("Unterlagen nachgefordert zu Ihrem Antrag {ref_a}"),
    )
    .await;
    let (status, _, _) = portal_view(&portal, &case_a).await;
    assert_eq!(status["status"], "awaiting_applicant");
    assert_eq!(status["requested_documents"], json!(["Mietvertrag"]));
    assert!(status["reply_by"].is_string(), "{status}");

    st.step("A: three days later the reply arrives through the portal route");
    b.set_clock_offset(3 * 86_400);
    let reply_day = b.today();
    let r = portal
        .post(
            &format!("/v1/cases/{case_a}/replies"),
            &json!({"subject": "Mietvertrag", "text": "Anbei der Mietvertrag.",
                    "attachments": [attachment("mietvertrag.pdf", b"%PDF-1.4 Mietvertrag A")]}),
        )
        .await
        .expect(200, "reply");
    assert_eq!(r["status"], "completeness_check");
    wait_mail(
        &b,
        &d.oe1_mail,
        &format!("Antwort der antragstellenden Person zu {ref_a}"),
    )
    .await;

    st.step("A: the caseworker reads the reply in the thread and marks it read");
    let thread = sb1
        .get(&format!("/v1/cases/{case_a}/thread"))
        .await
        .expect(200, "thread A");
    assert_eq!(thread["unread"], 1, "{thread}");
    let reply = thread["messages"]
        .as_array()
        .and_then(|m| m.iter().find(|m| m["direction"] == "from_applicant"))
        .cloned()
        .expect("the reply is in the thread");
    assert_eq!(reply["text"], "Anbei der Mietvertrag.");
    assert_eq!(reply["attachments"][0]["name"], "mietvertrag.pdf");
    let marked = sb1
        .post(&format!("/v1/cases/{case_a}/thread/read"), &json!({}))
        .await
        .expect(200, "mark read");
    assert_eq!(marked["unread"], 0, "{marked}");
    sb2.get(&format!("/v1/cases/{case_a}/thread"))
        .await
        .expect(404, "another org unit's thread");

    st.step("A: the suspension shows in the deadlines (completeness deadline set again, pushed)");
    let v = sb1.case(&case_a).await.expect(200, "case A");
    assert_eq!(
        v["suspensions"],
        json!([{"from": request_day.to_string(), "to": reply_day.to_string()}]),
        "suspension interval"
    );
    let completeness_after = open_deadline(&v, "completeness_check_due");
    assert_ne!(
        completeness_after["id"], completeness_before["id"],
        "a new deadline"
    );
    assert!(
        date(&completeness_after["due_on"]) > date(&completeness_before["due_on"]),
        "pushed by the suspension: before {}, after {}",
        completeness_before["due_on"],
        completeness_after["due_on"]
    );
    st.note(&format!(
        "completeness due {} → {} (suspended {request_day}..{reply_day})",
        s(&completeness_before["due_on"]),
        s(&completeness_after["due_on"])
    ));
    let types = sb1.history_types(&case_a).await;
    for t in [
        "suspension_started",
        "suspension_ended",
        "applicant_replied",
    ] {
        assert!(types.iter().any(|x| x == t), "{t} missing in {types:?}");
    }

    st.step("A: completeness confirmed; the processing deadline runs");
    let v = sb1
        .act_ok(&case_a, json!({"action": "confirm_complete"}))
        .await;
    assert_eq!(v["status"], "in_progress");
    let processing = open_deadline(&v, "processing_due").clone();
    let (warn_on, due_on) = (date(&processing["warn_on"]), date(&processing["due_on"]));
    st.note(&format!(
        "processing deadline: warning {warn_on}, due {due_on}"
    ));
    let (status, _, _) = portal_view(&portal, &case_a).await;
    assert_eq!(status["expected_decision_on"], processing["due_on"]);

    // ---------------------------------------------------------------- assignment
    st.step("A: a colleague and a team lead are registered; the lead assigns A to the colleague, who is told at her own address");
    let sb3_mail = format!("sb3-{run}@nord.example");
    let data_dir = b.data_dir().display().to_string();
    for (id, family, email, roles) in [
        ("sb3", "Drei", sb3_mail.clone(), vec!["caseworker"]),
        (
            "lt1",
            "Leitung",
            format!("lt1-{run}@nord.example"),
            vec!["caseworker", "supervisor"],
        ),
    ] {
        let mut args = vec![
            "user",
            "add",
            id,
            "--family-name",
            family,
            "--email",
            &email,
            "--org-unit",
            OE1,
            "--backend",
            kind.backend_flag(),
            "--data",
            &data_dir,
        ];
        for r in &roles {
            args.extend(["--role", r]);
        }
        b.fallwerk(&args);
    }
    let lead = b.caseworker("lt1", &[OE1], &["caseworker", "supervisor"]);
    let v = lead
        .act_ok(&case_a, json!({"action": "assign", "user": "sb3"}))
        .await;
    assert_eq!(v["assignee"], "sb3");
    wait_mail(&b, &sb3_mail, &format!("Ihnen zugewiesen: {ref_a}")).await;
    let mine = b
        .caseworker("sb3", &[OE1], &["caseworker"])
        .get("/v1/cases?assignee=me")
        .await
        .expect(200, "sb3's own inbox");
    let mine: Vec<String> = mine["items"]
        .as_array()
        .map(|a| a.iter().map(|c| s(&c["id"])).collect())
        .unwrap_or_default();
    assert_eq!(mine, vec![case_a.clone()], "sb3 sees A as hers");

    // ---------------------------------------------------------------- reminders
    let warning_subject = format!("Frist läuft bald ab: Bearbeitungsfrist – {ref_a}");
    let due_subject = format!("Frist heute fällig: Bearbeitungsfrist – {ref_a}");
    st.step(&format!(
        "clock → {warn_on}: the warning e-mail reaches the assignee's own address"
    ));
    b.set_clock_to(warn_on);
    wait_mail(&b, &sb3_mail, &warning_subject).await;
    assert_eq!(
        count_mails(&b, &sb3_mail, &due_subject).await,
        0,
        "due too early"
    );

    st.step(&format!(
        "clock → {due_on}: the due e-mail reaches the assignee; each reminder exactly once, none to the org unit"
    ));
    b.set_clock_to(due_on);
    wait_mail(&b, &sb3_mail, &due_subject).await;
    // Settle: a few more scheduler ticks (every second) must not send anything again.
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(
        count_mails(&b, &sb3_mail, &warning_subject).await,
        1,
        "warning once"
    );
    assert_eq!(
        count_mails(&b, &sb3_mail, &due_subject).await,
        1,
        "due once"
    );
    for subject in [&warning_subject, &due_subject] {
        assert_eq!(
            count_mails(&b, &d.oe1_mail, subject).await,
            0,
            "an assigned case's reminder goes to the assignee, not the org unit: {subject}"
        );
    }
    let v = sb1.case(&case_a).await.expect(200, "case A");
    assert_eq!(
        open_deadline(&v, "processing_due")["sent"],
        json!(["warning", "due"]),
        "reminder ledger on the deadline"
    );

    // ---------------------------------------------------------------- export and result
    st.step("A: an internal comment (its text must never reach the applicant)");
    sb1.act_ok(
        &case_a,
        json!({"action": "comment", "text": format!("{marker}: Vermieter anrufen")}),
    )
    .await;

    st.step("A: export to the webhook; the receiver verifies the signature");
    let v = sb1.act_ok(&case_a, json!({"action": "export"})).await;
    assert_eq!(v["status"], "exporting");
    let v = wait_status(&b, &sb1, &case_a, "exported", &["export_failed"]).await;
    assert!(
        receiver.rejected().is_empty(),
        "receiver rejected: {:?}",
        receiver.rejected()
    );
    let deliveries = receiver.deliveries();
    let package = format!("{ref_a}-1");
    let delivery = deliveries
        .iter()
        .find(|p| p.package == package)
        .unwrap_or_else(|| panic!("package {package} not received; got {deliveries:?}"));
    assert_eq!(delivery.case_id, case_a);
    assert_eq!(delivery.idempotency_key, package);
    let manifest: Value =
        serde_json::from_slice(delivery.file("manifest.json").expect("manifest")).expect("json");
    assert_eq!(manifest["reference"], ref_a.as_str());
    assert_eq!(manifest["org_unit"]["id"], OE1);
    assert!(delivery.file("case.xml").is_some() && delivery.file("form.json").is_some());
    assert!(
        delivery
            .files
            .iter()
            .any(|(p, _)| p.starts_with("attachments/") && p.ends_with("mietvertrag.pdf")),
        "the reply's document is in the package"
    );
    let everything = delivery
        .files
        .iter()
        .map(|(_, bytes)| String::from_utf8_lossy(bytes).into_owned())
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        !everything.contains(&marker),
        "the comment's text was exported"
    );
    assert_eq!(v["export"]["receipt"], format!("e2e-receipt-{package}"));
    assert_eq!(v["export"]["location"], receiver.url.as_str());

    st.step("A: the decision (a PDF) is uploaded and sent with the result");
    let bescheid: &[u8] = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\nBescheid Wohngeld A\n%%EOF\n";
    let up = sb1
        .upload_pdf(&case_a, "Bescheid.pdf", bescheid)
        .await
        .expect(201, "upload the decision");
    let n = up["documents"][0]["n"].as_u64().expect("document number");
    let v = sb1
        .act_ok(
            &case_a,
            json!({"action": "send_result", "outcome": "granted", "attachments": [n],
                   "message": "Ihr Wohngeld wurde bewilligt."}),
        )
        .await;
    assert_eq!(v["status"], "completed");
    let (code, downloaded) = portal
        .get_bytes(&format!("/v1/cases/{case_a}/documents/{n}"))
        .await;
    assert_eq!(code, 200, "portal download of the decision");
    assert_eq!(
        downloaded, bescheid,
        "the portal gets the PDF byte-identical"
    );
    wait_mail(
        &b,
        &applicant_a,
        &format!("Entscheidung zu Ihrem Antrag {ref_a}"),
    )
    .await;

    st.step("A: the applicant's status and postbox show the outcome, never the comment");
    let (status, messages, text) = portal_view(&portal, &case_a).await;
    assert_eq!(status["status"], "completed");
    assert_eq!(status["outcome"], "granted");
    assert!(
        messages
            .as_array()
            .is_some_and(|m| m.iter().any(|x| s(&x["text"]).contains("bewilligt"))),
        "the decision is in the postbox: {messages}"
    );
    assert!(
        !text.contains(&marker),
        "the comment reached the portal: {text}"
    );

    // ---------------------------------------------------------------- cancel
    st.step("B: cancelled by OE2; the applicant is told");
    let v = sb2
        .act_ok(
            &case_b,
            json!({"action": "cancel", "reason": "Antrag zurückgenommen"}),
        )
        .await;
    assert_eq!(v["status"], "cancelled");
    assert_eq!(v["allowed_actions"], json!(["comment"]));
    wait_mail(&b, &applicant_b, &format!("Verfahren beendet: {ref_b}")).await;
    let (status, _, _) = portal_view(&portal, &case_b).await;
    assert_eq!(status["status"], "cancelled");

    // ---------------------------------------------------------------- export failure
    st.step("C: the receiver answers 503 from now on; C is submitted and made ready");
    receiver.set_failing(true);
    let c = portal
        .post("/v1/submissions", &submission(&run, "c", &applicant_c))
        .await
        .expect(201, "submission C");
    let (case_c, ref_c) = (s(&c["case_id"]), s(&c["reference"]));
    st.note(&format!("C = {ref_c} ({case_c})"));
    sb1.act_ok(&case_c, json!({"action": "confirm_competence"}))
        .await;
    sb1.act_ok(&case_c, json!({"action": "confirm_complete"}))
        .await;

    st.step("C: export fails on every receive → export_failed, the OE is told");
    sb1.act_ok(&case_c, json!({"action": "export"})).await;
    let v = wait_status(&b, &sb1, &case_c, "export_failed", &["exported"]).await;
    assert!(
        s(&v["export"]["last_error"]).contains("503"),
        "last error: {}",
        v["export"]
    );
    assert!(
        v["allowed_actions"]
            .as_array()
            .is_some_and(|a| a.iter().any(|x| x == "retry_export")),
        "{}",
        v["allowed_actions"]
    );
    assert!(
        receiver.refused() >= 3,
        "only {} attempts",
        receiver.refused()
    );
    st.note(&format!("{} webhook requests refused", receiver.refused()));
    wait_mail(&b, &d.oe1_mail, &format!("Export fehlgeschlagen: {ref_c}")).await;

    st.step("C: the export request is dead-lettered");
    // AWS: the body in the DLQ names the case; embedded: the dead letter's message id starts with it.
    let found = crate::poll(WAIT, EVERY, || async {
        b.export_dead_letters()
            .await
            .unwrap_or_default()
            .into_iter()
            .find(|m| {
                m["case_id"] == case_c.as_str()
                    || m["message_id"]
                        .as_str()
                        .is_some_and(|id| id.starts_with(&format!("{case_c}:")))
            })
    })
    .await;
    let message = found.unwrap_or_else(|| {
        panic!(
            "no export request of {case_c} among the dead letters within {WAIT:?}\n{}",
            b.server_log_tail(40)
        )
    });
    st.note(&format!("{} dead letter: {}", kind.name(), message));

    // ---------------------------------------------------------------- announcement and appeal
    st.step("A: the portal reports that the applicant retrieved the decision (signed route)");
    let v = sb1.case(&case_a).await.expect(200, "case A");
    let msg_a = s(&v["result"]["message_id"]);
    let retrieved_day = b.today();
    let r = portal
        .post(
            &format!("/v1/cases/{case_a}/messages/{msg_a}/retrieved"),
            &json!({}),
        )
        .await
        .expect(200, "retrieved");
    // § 41 Abs. 2a Satz 3 VwVfG: announced on the day after the retrieval.
    let announced = retrieved_day + chrono::Duration::days(1);
    assert_eq!(r["announced_on"], announced.to_string(), "{r}");
    let appeal_due = date(&r["appeal_due"]);
    assert!(
        appeal_due >= announced + chrono::Duration::days(28)
            && appeal_due <= announced + chrono::Duration::days(35),
        "one month (§ 70 VwGO), moved off a day off at most: {appeal_due}"
    );
    let v = sb1.case(&case_a).await.expect(200, "case A");
    assert_eq!(v["result"]["announced_on"], announced.to_string());
    assert_eq!(v["result"]["announced_via"], "postbox");
    assert_eq!(v["result"]["appeal_due"], appeal_due.to_string());
    assert!(
        s(&open_deadline(&v, "appeal_due")["basis"]).contains("§ 41 Abs. 2a Satz 3 VwVfG"),
        "{}",
        v["deadlines"]
    );
    st.note(&format!(
        "A announced {announced}, appeal until {appeal_due}"
    ));

    st.step("D: (the webhook answers again) exported and decided; the applicant never opens the decision");
    receiver.set_failing(false);
    let applicant_d = format!("antrag-d-{run}@buerger.example");
    let dv = portal
        .post("/v1/submissions", &submission(&run, "d", &applicant_d))
        .await
        .expect(201, "submission D");
    let (case_d, ref_d) = (s(&dv["case_id"]), s(&dv["reference"]));
    st.note(&format!("D = {ref_d} ({case_d})"));
    for action in ["confirm_competence", "confirm_complete", "export"] {
        sb1.act_ok(&case_d, json!({"action": action})).await;
    }
    wait_status(&b, &sb1, &case_d, "exported", &["export_failed"]).await;
    sb1.act_ok(
        &case_d,
        json!({"action": "send_result", "outcome": "rejected", "message": "Abgelehnt."}),
    )
    .await;
    let sent_day = b.today();

    st.step("clock → ten days later: D gets the task \"send by post\"");
    b.set_clock_to(sent_day + chrono::Duration::days(11));
    let v = crate::poll(WAIT, EVERY, || async {
        let v = sb1.case(&case_d).await.expect(200, "case D");
        (v["open_task"] == "send_by_post").then_some(v)
    })
    .await
    .unwrap_or_else(|| panic!("no send_by_post task on D\n{}", b.server_log_tail(40)));
    assert_eq!(v["result"]["postal_delivery_required"], true);
    assert!(
        v["allowed_actions"]
            .as_array()
            .is_some_and(|a| a.iter().any(|x| x == "record_posting")),
        "{}",
        v["allowed_actions"]
    );

    st.step("D: posted today; announced on the fourth day after posting (§ 41 Abs. 2 VwVfG)");
    let posted = b.today();
    let v = sb1
        .act_ok(
            &case_d,
            json!({"action": "record_posting", "posted_on": posted.to_string()}),
        )
        .await;
    assert_eq!(
        v["result"]["announced_on"],
        (posted + chrono::Duration::days(4)).to_string(),
        "{}",
        v["result"]
    );
    assert_eq!(v["result"]["announced_via"], "post");
    assert!(v["open_task"].is_null(), "{}", v["open_task"]);

    st.step("clock → the day after A's appeal period: A is bestandskräftig");
    let final_day = appeal_due + chrono::Duration::days(1);
    b.set_clock_to(final_day);
    // The applicant's status shows it (the caseworkers' tokens, minted for 30 real days, do
    // not reach this far into the simulated future; the portal signs with the server's clock).
    crate::poll(WAIT, EVERY, || async {
        let (status, _, _) = portal_view(&portal, &case_a).await;
        (status["final_on"] == final_day.to_string()
            && status["appeal_due"] == appeal_due.to_string())
        .then_some(())
    })
    .await
    .unwrap_or_else(|| panic!("A not final on {final_day}\n{}", b.server_log_tail(40)));
    st.note(&format!("A bestandskräftig ab {final_day}"));

    // ---------------------------------------------------------------- never a comment
    st.step("no e-mail ever carried the comment's text");
    let mails = b.mails.all().await;
    for m in &mails {
        assert!(
            !m.subject.contains(&marker) && !m.body.contains(&marker),
            "the comment's text is in the e-mail `{}` to {:?}",
            m.subject,
            m.to
        );
    }
    st.note(&format!("{} e-mails checked", mails.len()));

    b.finish().await;
    eprintln!(
        "[e2e:{}] journey passed in {:.1} s",
        kind.name(),
        started.elapsed().as_secs_f64()
    );
}
