//! The login through the authority's identity provider, in a real browser against a real
//! OpenID provider: `oidc-provider` from npm (tests/oidc/provider.mjs) on `localhost`, fallwerk
//! on `127.0.0.1` (two sites, as in production). Chromium goes through the provider's own login
//! and consent pages and lands logged in on the inbox; an account the user directory does not
//! know is refused with a German page and no session; a callback whose `state` is not the one
//! this browser's login started with is refused.

use std::process::{Command, Stdio};
use std::time::Duration;

use fallwerk_e2e::backend::{Backend, Kind};
use fallwerk_e2e::process::{ChildGuard, free_port};
use fallwerk_e2e::webhook::Receiver;

use crate::webdriver::{self, Browser};

const CLIENT_ID: &str = "fallwerk-workplace";

/// The provider process (stopped when dropped).
struct Provider {
    issuer: String,
    _process: ChildGuard,
    _dir: tempfile::TempDir,
}

impl Provider {
    async fn start(port: u16, redirect: &str, secret: &str) -> Provider {
        let module = webdriver::npm_package("oidc-provider", "oidc-provider@9");
        let script = webdriver::workspace_root().join("tests/oidc/provider.mjs");
        let dir = tempfile::tempdir().expect("provider dir");
        let log = dir.path().join("provider.log");
        let file = std::fs::File::create(&log).expect("provider log");
        let issuer = format!("http://localhost:{port}");
        let child = Command::new("node")
            .arg(&script)
            .arg(&module)
            .env("OIDC_ISSUER", &issuer)
            .env("OIDC_REDIRECT", redirect)
            .env("OIDC_CLIENT_ID", CLIENT_ID)
            .env("OIDC_CLIENT_SECRET", secret)
            .stdin(Stdio::null())
            .stdout(Stdio::from(file.try_clone().expect("log")))
            .stderr(Stdio::from(file))
            .spawn()
            .expect("start node (the OpenID provider)");
        let mut process = ChildGuard::new(child, "oidc-provider", &log);
        let discovery = format!("{issuer}/.well-known/openid-configuration");
        let http = reqwest::Client::new();
        let up = fallwerk_e2e::poll(Duration::from_secs(30), Duration::from_millis(200), || {
            let (http, discovery) = (http.clone(), discovery.clone());
            async move {
                let r = http.get(&discovery).send().await.ok()?;
                r.status().is_success().then_some(())
            }
        })
        .await;
        if up.is_none() {
            panic!(
                "the OpenID provider did not answer ({:?}):\n{}",
                process.exited(),
                process.log_tail(30)
            );
        }
        Provider {
            issuer,
            _process: process,
            _dir: dir,
        }
    }
}

/// Logs in at the provider's own pages (login, then consent) as `account`.
async fn provider_login(br: &Browser, account: &str) {
    br.fill("input[name=login]", account).await;
    br.fill("input[name=password]", "beliebig").await;
    br.submit("button[type=submit]").await;
    // The consent page ("Continue"): the first login of an account at this client asks.
    br.find("input[name=prompt][value=consent]").await;
    br.mark_page().await;
    br.click("button[type=submit]").await;
}

/// Forgets the provider's own session (its cookies live on `localhost`, fallwerk's on
/// 127.0.0.1), so the next login asks for the account again.
async fn forget_provider_session(br: &Browser, issuer: &str) {
    br.client
        .goto(&format!("{issuer}/.well-known/openid-configuration"))
        .await
        .expect("provider");
    br.client
        .delete_all_cookies()
        .await
        .expect("delete cookies");
}

/// Not logged in: the inbox sends the browser to the login page.
async fn assert_signed_out(br: &Browser) {
    br.goto("/").await;
    assert!(
        br.path().await.starts_with("/login"),
        "expected no session, but / answered {}",
        br.path().await
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_through_a_real_openid_provider() {
    if !webdriver::available() {
        return;
    }
    let run = fallwerk_e2e::run_id();
    let webhook_secret = format!("whsec-{run}{run}{run}");
    let receiver = Receiver::start(&webhook_secret).await;
    let (fw_port, idp_port) = (free_port(), free_port());
    let base = format!("http://127.0.0.1:{fw_port}");
    let client_secret = format!("client-secret-{run}-{run}");
    let idp = Provider::start(
        idp_port,
        &format!("{base}/login/oidc/callback"),
        &client_secret,
    )
    .await;
    let env = vec![
        ("FALLWERK_CASEWORKER_URL".to_string(), base.clone()),
        ("FALLWERK_OIDC_ISSUER".to_string(), idp.issuer.clone()),
        ("FALLWERK_OIDC_CLIENT_ID".to_string(), CLIENT_ID.to_string()),
        ("FALLWERK_OIDC_CLIENT_SECRET".to_string(), client_secret),
    ];
    let Some(b) =
        Backend::start_with(Kind::Embedded, &receiver, &webhook_secret, fw_port, env).await
    else {
        return;
    };
    assert_eq!(b.base_url, base);
    let br = Browser::start(&b.base_url).await;

    crate::step("OIDC: the login page offers the provider; its pages log sb1 in");
    br.goto("/login").await;
    br.assert_accessible("login with OpenID").await;
    br.submit("#oidc-login").await;
    assert!(
        br.client
            .current_url()
            .await
            .expect("url")
            .as_str()
            .starts_with(&idp.issuer),
        "the browser is at the provider"
    );
    provider_login(&br, "sb1").await;
    br.wait_new_page().await;
    br.find("nav[aria-label=Hauptnavigation]").await;
    assert_eq!(br.path().await, "/", "landed on the inbox");
    assert!(
        br.text(".account").await.contains("Sachbearbeitung Eins"),
        "the header names the user from the directory: {}",
        br.text(".account").await
    );
    br.assert_accessible("inbox after OpenID login").await;
    br.submit("form[action='/logout'] button").await;
    assert_signed_out(&br).await;

    crate::step("OIDC: an account unknown to the user directory is refused, no session");
    forget_provider_session(&br, &idp.issuer).await;
    br.goto("/login").await;
    br.submit("#oidc-login").await;
    provider_login(&br, "fremd").await;
    br.wait_new_page().await;
    let h1 = br.text("h1").await;
    assert!(h1.contains("Kein Zugang zur Fallbearbeitung"), "{h1}");
    assert!(br.exists("[data-error-kind=oidc-no-access]").await);
    br.assert_accessible("OpenID refusal").await;
    assert_signed_out(&br).await;

    crate::step("OIDC: a callback with a state this browser did not start is refused");
    forget_provider_session(&br, &idp.issuer).await;
    // This browser starts a login (its flow cookie holds state A) …
    br.goto("/login/oidc").await;
    br.find("input[name=login]").await;
    // … but the provider is sent a request with another state B (as from an attacker's flow).
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let other = http
        .get(format!("{base}/login/oidc"))
        .send()
        .await
        .expect("start another flow");
    let location = other
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .expect("redirect to the provider")
        .to_string();
    assert!(
        location.contains("code_challenge_method=S256"),
        "{location}"
    );
    assert!(location.contains("nonce="), "{location}");
    br.client.goto(&location).await.expect("provider");
    provider_login(&br, "sb1").await;
    br.wait_new_page().await;
    let h1 = br.text("h1").await;
    assert!(h1.contains("Anmeldung nicht abgeschlossen"), "{h1}");
    assert!(br.exists("[data-error-kind=oidc-flow]").await);
    assert_signed_out(&br).await;

    crate::step("OIDC: a callback without a login started in this browser is refused");
    br.goto("/login/oidc/callback?code=abc&state=manipuliert")
        .await;
    assert!(
        br.text("h1")
            .await
            .contains("Anmeldung nicht abgeschlossen")
    );
    assert_signed_out(&br).await;

    br.close().await;
    b.finish().await;
}
