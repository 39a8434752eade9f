//! The caseworkers' workplace in a real browser: headless Chromium over WebDriver against a
//! real `fallwerk serve` (embedded backend). One run walks the main flow with the mouse, the
//! refusals (CSRF, stale version, a forwarded case), the flow once by keyboard alone, checks
//! every page with axe-core and saves screenshots of the inbox and the case page to
//! docs/screenshots/. `oidc.rs` logs in through a real OpenID provider.

mod oidc;
mod webdriver;

use serde_json::{Value, json};

use fallwerk_e2e::backend::{Backend, Kind, LEIKA, OE1, OE2};
use fallwerk_e2e::http::{Portal, attachment};
use fallwerk_e2e::webhook::Receiver;
use webdriver::{Browser, ENTER, SPACE, TAB};

const WAIT: std::time::Duration = std::time::Duration::from_secs(20);
const EVERY: std::time::Duration = std::time::Duration::from_millis(200);

fn step(what: &str) {
    eprintln!("[browser] {what}");
}

fn submission(run: &str, tag: &str, name: &str) -> Value {
    json!({
        "submission_id": format!("web-{run}-{tag}"),
        "leika_id": LEIKA,
        "org_unit_id": OE1,
        "applicant": {"name": name, "email": format!("{tag}-{run}@buerger.example"),
                      "postbox_ref": format!("pb-{run}-{tag}")},
        "form": {"id": "wohngeld-v1", "data": {"haushalt": {"personen": 2, "kinder": ["Ida", "Jonas"]}, "miete": 612.5, "wohngeld_bisher": false}},
        "attachments": [attachment("einkommen.pdf", b"%PDF-1.4 Einkommensnachweis")]
    })
}

async fn submit(portal: &Portal, run: &str, tag: &str, name: &str) -> (String, String) {
    let r = portal
        .post("/v1/submissions", &submission(run, tag, name))
        .await
        .expect(201, "submission");
    (
        r["case_id"].as_str().unwrap_or_default().to_string(),
        r["reference"].as_str().unwrap_or_default().to_string(),
    )
}

/// Gives the account (created by `admin apply`) a generated password:
/// `fallwerk user set-password ID --generate` prints it once.
fn set_password(b: &Backend, id: &str) -> String {
    let data = b.data_dir().display().to_string();
    let out = b.fallwerk(&["user", "set-password", id, "--generate", "--data", &data]);
    out.lines()
        .find_map(|l| l.strip_prefix("Passwort: "))
        .unwrap_or_else(|| panic!("no password in: {out}"))
        .trim()
        .to_string()
}

async fn login(br: &Browser, user: &str, password: &str) {
    br.goto("/login").await;
    br.fill("#login", user).await;
    br.fill("#password", password).await;
    br.submit("form[action='/login'] button[type=submit]").await;
    br.find("nav[aria-label=Hauptnavigation]").await;
}

async fn logout(br: &Browser) {
    br.submit("form[action='/logout'] button").await;
    br.find("#login").await;
}

/// Submits the form of `action` on the case page (its button).
async fn press(br: &Browser, action: &str) {
    br.submit(&format!("#action-{action} button[type=submit]"))
        .await;
}

/// Reloads the case page until its status label is `label`.
async fn wait_status(br: &Browser, case_id: &str, label: &str) {
    let found = fallwerk_e2e::poll(WAIT, EVERY, || async {
        br.goto(&format!("/cases/{case_id}")).await;
        br.text(".status").await.contains(label).then_some(())
    })
    .await;
    assert!(
        found.is_some(),
        "case never reached `{label}`: {}",
        br.text(".status").await
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_workplace_in_a_real_browser() {
    if !webdriver::available() {
        return;
    }
    let run = fallwerk_e2e::run_id();
    let webhook_secret = format!("whsec-{}", uuid_like(&run));
    let receiver = Receiver::start(&webhook_secret).await;
    let Some(b) = Backend::start(Kind::Embedded, &receiver, &webhook_secret).await else {
        return;
    };
    let portal = b.portal();
    let br = Browser::start(&b.base_url).await;

    step("login page: accessible; a form without its CSRF token is refused");
    br.goto("/").await;
    assert!(br.path().await.starts_with("/login"), "{}", br.path().await);
    br.assert_accessible("login").await;
    br.js(
        "document.querySelector('input[name=csrf]').remove();",
        vec![],
    )
    .await;
    br.fill("#login", "sb1").await;
    br.fill("#password", "irgendein-Passwort").await;
    br.submit("form[action='/login'] button[type=submit]").await;
    assert!(br.text("h1").await.contains("Formular abgelehnt"));
    br.assert_accessible("csrf refusal").await;

    step("a wrong password: error summary linked to the field");
    br.goto("/login").await;
    br.fill("#login", "sb1").await;
    br.fill("#password", "falsch").await;
    br.submit("form[action='/login'] button[type=submit]").await;
    assert!(
        br.text(".error-summary")
            .await
            .contains("Benutzername oder Passwort ist falsch")
    );
    br.assert_accessible("login with error").await;

    step("passwords for sb1 (OE1) and sb2 (OE2); an application arrives");
    let pw1 = set_password(&b, "sb1");
    let pw2 = set_password(&b, "sb2");
    // Each run has its own fresh backend: plain names, as in the screenshots.
    let applicant = "Zoë Müller".to_string();
    let (case_a, ref_a) = submit(&portal, &run, "a", &applicant).await;

    step("sb1 logs in and finds the case in the inbox");
    login(&br, "sb1", &pw1).await;
    assert_eq!(br.path().await, "/");
    let (other, _) = submit(&portal, &run, "x", "Otto Normal").await;
    // A fuller inbox for the screenshot: more applications, one of them assigned to sb1.
    let sb1_api = b.caseworker("sb1", &[OE1], &["caseworker"]);
    for (tag, name) in [
        ("s1", "Jürgen Weiß"),
        ("s2", "Anna Schröder"),
        ("s3", "Mehmet Yılmaz"),
        ("s4", "Lena Fischer"),
    ] {
        let (id, _) = submit(&portal, &run, tag, name).await;
        if tag == "s2" {
            sb1_api
                .act_ok(&id, json!({"action": "assign", "user": "sb1"}))
                .await;
        }
    }
    br.goto("/").await;
    br.assert_accessible("inbox").await;
    br.screenshot("inbox").await;
    // The name as typed without umlauts: "ue" finds "ü".
    br.fill("#f-q", "mueller").await;
    br.submit("form[role=search] button[type=submit]").await;
    let row = br
        .find(&format!("a.case-link[href='/cases/{case_a}']"))
        .await;
    assert_eq!(row.text().await.expect("text"), ref_a);
    assert!(
        !br.exists(&format!("a[href='/cases/{other}']")).await,
        "the search narrows the list"
    );

    step("case page: applicant, form data, documents, deadline explanation");
    br.mark_page().await;
    br.click(&format!("a.case-link[href='/cases/{case_a}']"))
        .await;
    br.wait_new_page().await;
    assert!(br.text("h1").await.contains(&ref_a));
    let html = br.html().await;
    assert!(html.contains(&applicant), "applicant name on the page");
    assert!(html.contains("einkommen.pdf"));
    assert!(
        br.text(".next-deadline")
            .await
            .contains("Zuständigkeitsprüfung")
    );
    br.click("#h-deadlines ~ details summary").await;
    br.assert_accessible("case page").await;
    br.screenshot("case").await;

    step("confirm competence");
    press(&br, "confirm_competence").await;
    assert!(
        br.text(".notice")
            .await
            .contains("Zuständigkeit bestätigen")
    );
    assert!(br.text(".status").await.contains("Vollständigkeitsprüfung"));

    step("stale version: someone else comments meanwhile; the form keeps the input");
    br.fill(
        "#comment-text",
        "Meine Notiz, die nicht verloren gehen darf",
    )
    .await;
    sb1_api
        .act_ok(
            &case_a,
            json!({"action": "comment", "text": "Zwischendurch"}),
        )
        .await;
    press(&br, "comment").await;
    assert!(
        br.text(".conflict h2")
            .await
            .contains("Jemand anderes hat diesen Fall inzwischen geändert")
    );
    let kept = br
        .find("#comment-text")
        .await
        .prop("value")
        .await
        .expect("value");
    assert_eq!(
        kept.as_deref(),
        Some("Meine Notiz, die nicht verloren gehen darf")
    );
    br.assert_accessible("conflict").await;
    press(&br, "comment").await;
    assert!(br.exists(".notice").await);

    step("request a document; the applicant answers through the portal");
    br.fill("#request_documents-items", "Mietvertrag").await;
    press(&br, "request_documents").await;
    assert!(
        br.text(".status")
            .await
            .contains("Unterlagen nachgefordert")
    );
    portal
        .post(
            &format!("/v1/cases/{case_a}/replies"),
            &json!({"subject": "Mietvertrag", "text": "Anbei der Mietvertrag.",
                    "attachments": [attachment("mietvertrag.pdf", b"%PDF-1.4 Mietvertrag")]}),
        )
        .await
        .expect(200, "reply");
    br.goto(&format!("/cases/{case_a}")).await;
    let html = br.html().await;
    assert!(
        html.contains("mietvertrag.pdf"),
        "the reply's document is listed:\n{}",
        &html[html.find("h-documents").unwrap_or(0)..]
            [..2000.min(html.len() - html.find("h-documents").unwrap_or(0))]
    );
    assert!(br.exists("li[data-kind=applicant_replied]").await);
    let reply = br.text(".thread li.incoming.unread").await;
    assert!(reply.contains("Anbei der Mietvertrag."), "{reply}");
    br.assert_accessible("case with an unread reply").await;
    br.submit("form[action$='/thread/read'] button").await;
    assert!(!br.exists(".thread li.unread").await);

    step("confirm completeness, export, send the result with an uploaded PDF");
    press(&br, "confirm_complete").await;
    assert!(br.text(".status").await.contains("In Bearbeitung"));
    press(&br, "export").await;
    wait_status(&br, &case_a, "An das Fachverfahren übergeben").await;
    let files = tempfile::tempdir().expect("files");
    // A file the form does not take: refused at the file field, the message text is kept.
    let wrong = files.path().join("bescheid.exe");
    std::fs::write(&wrong, b"MZ not a decision").expect("write");
    br.click("#send_result-outcome").await;
    br.fill("#send_result-message", "Ihr Wohngeld wurde bewilligt.")
        .await;
    br.find("#send_result-file")
        .await
        .send_keys(&wrong.display().to_string())
        .await
        .expect("choose file");
    press(&br, "send_result").await;
    assert!(
        br.text(".error-summary")
            .await
            .contains("Dieses Dateiformat wird nicht angenommen"),
        "{}",
        br.text(".error-summary").await
    );
    assert!(br.exists("#send_result-file[aria-invalid=true]").await);
    br.assert_accessible("send result with a refused file")
        .await;
    let kept = br
        .find("#send_result-message")
        .await
        .prop("value")
        .await
        .expect("value");
    assert_eq!(kept.as_deref(), Some("Ihr Wohngeld wurde bewilligt."));
    let bescheid: &[u8] = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\nBescheid Wohngeld (Browser)\n%%EOF\n";
    let pdf = files.path().join("Bescheid-Wohngeld.pdf");
    std::fs::write(&pdf, bescheid).expect("write pdf");
    br.click("#send_result-outcome").await;
    br.find("#send_result-file")
        .await
        .send_keys(&pdf.display().to_string())
        .await
        .expect("choose file");
    press(&br, "send_result").await;
    assert!(br.text(".status").await.contains("Abgeschlossen"));
    assert!(
        br.html().await.contains("Bescheid-Wohngeld.pdf"),
        "the uploaded decision is listed on the case"
    );
    br.assert_accessible("completed case").await;

    step("the portal finds the decision in the postbox and downloads the PDF");
    let messages = portal
        .get(&format!("/v1/cases/{case_a}/messages"))
        .await
        .expect(200, "postbox");
    // The decision is the last message to the applicant; it names the uploaded document.
    let n = messages
        .as_array()
        .into_iter()
        .flatten()
        .rev()
        .find(|m| m["direction"] == "to_applicant")
        .and_then(|m| m["attachments"].as_array()?.first()?.as_u64())
        .unwrap_or_else(|| panic!("no decision with a document in the postbox: {messages}"));
    let (code, downloaded) = portal
        .get_bytes(&format!("/v1/cases/{case_a}/documents/{n}"))
        .await;
    assert_eq!(code, 200, "portal download of the decision");
    assert_eq!(downloaded, bescheid, "byte-identical");

    step("deadlines page");
    br.goto("/deadlines").await;
    assert!(br.exists(&format!("a[href='/cases/{other}']")).await);
    br.assert_accessible("deadlines").await;

    step("forward to OE2: sb1 then gets the not-found page; sb2 sees it");
    let (case_b, ref_b) = submit(&portal, &run, "b", "Jan Schmidt").await;
    br.goto(&format!("/cases/{case_b}")).await;
    br.select("#forward-org_unit_id", OE2).await;
    br.fill("#forward-reason", "Wohnort liegt im Süden").await;
    press(&br, "forward").await;
    assert!(
        br.text("h1").await.contains("Nicht gefunden"),
        "{}",
        br.text("h1").await
    );
    br.goto(&format!("/cases/{case_b}")).await;
    assert!(br.text("h1").await.contains("Nicht gefunden"));
    br.assert_accessible("not found").await;
    br.goto("/").await;
    assert!(!br.exists(&format!("a[href='/cases/{case_b}']")).await);
    logout(&br).await;
    login(&br, "sb2", &pw2).await;
    assert!(
        br.exists(&format!("a.case-link[href='/cases/{case_b}']"))
            .await,
        "{ref_b} in OE2's inbox"
    );
    assert!(
        !br.exists(&format!("a[href='/cases/{case_a}']")).await,
        "OE1's case never in OE2's list"
    );
    logout(&br).await;

    step("the main flow by keyboard alone");
    let (case_c, _) = submit(&portal, &run, "c", "Kai Keyboard").await;
    br.goto("/login").await;
    br.tab_to("#login").await;
    br.keys("sb1").await;
    br.keys(TAB).await;
    br.keys(&pw1).await;
    br.keys_and_wait(ENTER).await;
    br.find("nav[aria-label=Hauptnavigation]").await;
    br.tab_to(&format!("a.case-link[href='/cases/{case_c}']"))
        .await;
    br.keys_and_wait(ENTER).await;
    br.find("#action-confirm_competence").await;
    br.tab_to("#action-confirm_competence button").await;
    br.keys_and_wait(ENTER).await;
    br.find(".notice").await;
    br.tab_to("#action-confirm_complete button").await;
    br.keys_and_wait(SPACE).await;
    br.find(".notice").await;
    assert!(br.text(".status").await.contains("In Bearbeitung"));
    br.tab_to("#comment-text").await;
    br.keys("Per Tastatur erledigt").await;
    br.keys(TAB).await;
    br.keys_and_wait(ENTER).await;
    br.find(".notice").await;
    assert!(br.html().await.contains("Per Tastatur erledigt"));
    br.tab_to("form[action='/logout'] button").await;
    br.keys_and_wait(ENTER).await;
    br.find("#login").await;

    step("administration pages (role admin)");
    let data = b.data_dir().display().to_string();
    b.fallwerk(&[
        "user",
        "add",
        "root",
        "--family-name",
        "Admin",
        "--given-name",
        "Erste",
        "--email",
        "root@behoerde.example",
        "--role",
        "admin",
        "--data",
        &data,
    ]);
    let pw_root = set_password(&b, "root");
    login(&br, "root", &pw_root).await;
    for page in [
        "/admin/org-units",
        "/admin/services",
        "/admin/users",
        "/admin/portal-clients",
    ] {
        br.goto(page).await;
        assert!(br.exists("nav[aria-label=Verwaltung]").await, "{page}");
        br.assert_accessible(page).await;
    }
    br.fill("#pc-id", &format!("portal-{run}")).await;
    br.fill("#pc-name", "Neues Portal").await;
    br.submit("form[action='/admin/portal-clients'] button[type=submit]")
        .await;
    let secret = br
        .find("#created-secret")
        .await
        .prop("value")
        .await
        .expect("value");
    assert!(
        secret.is_some_and(|s| s.len() >= 32),
        "the new secret is shown once"
    );
    br.assert_accessible("portal client created").await;

    br.close().await;
    b.finish().await;
}

fn uuid_like(run: &str) -> String {
    format!("{run}{run}{run}")
}
