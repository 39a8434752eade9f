//! Headless Chromium for the browser suite, driven over WebDriver: Debian's `chromium` and
//! `chromium-driver` (started here on a free port, with a fresh profile), axe-core from npm
//! (installed into the ignored folder `tests/.browser/`) injected into the page under test.
//! The OpenID provider of `oidc.rs` comes from npm the same way.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

use fallwerk_e2e::process::{ChildGuard, free_port};

pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// Tab, Enter and Space as WebDriver key codes.
pub const TAB: &str = "\u{e004}";
pub const ENTER: &str = "\u{e007}";
pub const SPACE: &str = " ";

/// Skips (says why) outside CI when Chromium is not installed; fails under CI.
pub fn available() -> bool {
    if Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists() {
        return true;
    }
    let reason =
        format!("{CHROMIUM} or {CHROMEDRIVER} missing: apt-get install chromium chromium-driver");
    fallwerk_aws::testing::skip(&reason);
    false
}

pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_path_buf()
}

/// An npm package installed into the ignored folder `tests/.browser/` on first use (scripts/test.sh
/// installs them beforehand); the path of its folder.
pub fn npm_package(name: &str, spec: &str) -> PathBuf {
    let dir = workspace_root().join("tests/.browser");
    let package = dir.join("node_modules").join(name);
    if !package.join("package.json").exists() {
        std::fs::create_dir_all(&dir).expect("tests/.browser");
        let status = Command::new("npm")
            .args(["install", "--no-audit", "--no-fund", "--silent", "--prefix"])
            .arg(&dir)
            .arg(spec)
            .stdin(Stdio::null())
            .status()
            .expect("run npm (Node.js is needed for the browser suite)");
        assert!(status.success(), "npm install {spec} failed: {status}");
    }
    package
}

/// axe-core's script (npm, `tests/.browser/`).
pub fn axe_source() -> String {
    let file = npm_package("axe-core", "axe-core@4").join("axe.min.js");
    std::fs::read_to_string(&file).expect("axe.min.js")
}

/// One Chromium session with its chromedriver.
pub struct Browser {
    pub client: Client,
    pub base: String,
    axe: String,
    _driver: ChildGuard,
    _profile: tempfile::TempDir,
}

impl Browser {
    pub async fn start(base: &str) -> Browser {
        let profile = tempfile::tempdir().expect("profile dir");
        let port = free_port();
        let log = profile.path().join("chromedriver.log");
        let child = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .arg(format!("--log-path={}", log.display()))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let driver = ChildGuard::new(child, "chromedriver", &log);
        let url = format!("http://127.0.0.1:{port}");
        let up = fallwerk_e2e::poll(Duration::from_secs(20), Duration::from_millis(100), || {
            let url = url.clone();
            async move {
                tokio::net::TcpStream::connect(url.trim_start_matches("http://"))
                    .await
                    .ok()
                    .map(|_| ())
            }
        })
        .await;
        assert!(up.is_some(), "chromedriver did not start");
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": CHROMIUM,
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu",
                    "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                    "--window-size=1280,1000",
                    format!("--user-data-dir={}", profile.path().join("chromium").display()),
                ],
            }),
        );
        // rustls needs a process-wide crypto provider: aws-lc-rs (the project's only one).
        let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
        let client = ClientBuilder::rustls()
            .expect("rustls")
            .capabilities(caps)
            .connect(&url)
            .await
            .expect("WebDriver session");
        Browser {
            client,
            base: base.trim_end_matches('/').to_string(),
            axe: axe_source(),
            _driver: driver,
            _profile: profile,
        }
    }

    pub async fn goto(&self, path: &str) {
        self.client
            .goto(&format!("{}{path}", self.base))
            .await
            .expect("navigate");
    }

    pub async fn path(&self) -> String {
        let url = self.client.current_url().await.expect("url");
        let mut p = url.path().to_string();
        if let Some(q) = url.query() {
            p.push('?');
            p.push_str(q);
        }
        p
    }

    pub async fn find(&self, css: &str) -> Element {
        self.client
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no element `{css}` on {}: {e}", self.base))
    }

    pub async fn exists(&self, css: &str) -> bool {
        !self
            .client
            .find_all(Locator::Css(css))
            .await
            .expect("find_all")
            .is_empty()
    }

    pub async fn text(&self, css: &str) -> String {
        self.find(css).await.text().await.expect("text")
    }

    pub async fn fill(&self, css: &str, value: &str) {
        let e = self.find(css).await;
        e.clear().await.expect("clear");
        e.send_keys(value).await.expect("type");
    }

    pub async fn click(&self, css: &str) {
        self.find(css).await.click().await.expect("click");
    }

    /// Marks the current document, so [`Browser::wait_new_page`] can tell when it is replaced.
    pub async fn mark_page(&self) {
        self.js("window.__fallwerkOld = true;", vec![]).await;
    }

    /// Waits (bounded) until the marked document was replaced by a new one.
    pub async fn wait_new_page(&self) {
        let found = fallwerk_e2e::poll(Duration::from_secs(20), Duration::from_millis(100), || async {
            let old = self
                .client
                .execute("return window.__fallwerkOld === true && document.readyState === 'complete';", vec![])
                .await
                .unwrap_or(Value::Bool(true));
            let ready = self
                .client
                .execute("return document.readyState === 'complete';", vec![])
                .await
                .unwrap_or(Value::Bool(false));
            (old == Value::Bool(false) && ready == Value::Bool(true)).then_some(())
        })
        .await;
        assert!(
            found.is_some(),
            "no new page after submitting on {}",
            self.path().await
        );
    }

    /// Clicks a submit button and waits for the answer page.
    pub async fn submit(&self, css: &str) {
        self.mark_page().await;
        self.click(css).await;
        self.wait_new_page().await;
    }

    /// Presses keys on the focused element (e.g. Enter on a button) and waits for the new page.
    pub async fn keys_and_wait(&self, keys: &str) {
        self.mark_page().await;
        self.keys(keys).await;
        self.wait_new_page().await;
    }

    pub async fn select(&self, css: &str, value: &str) {
        self.find(css)
            .await
            .select_by_value(value)
            .await
            .expect("select");
    }

    pub async fn html(&self) -> String {
        self.client.source().await.expect("source")
    }

    pub async fn js(&self, script: &str, args: Vec<Value>) -> Value {
        self.client.execute(script, args).await.expect("script")
    }

    /// Presses keys on the keyboard, as a person would: they go to whatever has the focus.
    /// (Keyboard actions, not "send keys to an element", which would move the focus back to
    /// the element's start, e.g. to the first part of a date field.)
    pub async fn keys(&self, keys: &str) {
        use fantoccini::actions::{InputSource, KeyAction, KeyActions};
        let mut actions = KeyActions::new("keyboard".into());
        for c in keys.chars() {
            actions = actions
                .then(KeyAction::Down { value: c })
                .then(KeyAction::Up { value: c });
        }
        self.client.perform_actions(actions).await.expect("keys");
    }

    /// Presses Tab until the focused element matches `css` (at most 300 times).
    pub async fn tab_to(&self, css: &str) {
        let mut seen = Vec::new();
        for _ in 0..300 {
            let now = self
                .js(
                    "const e = document.activeElement; if (!e) return [false, 'none'];
                     return [e.matches(arguments[0]), e.tagName + '#' + (e.id || '') + '.' + (e.className || '') + ' ' + (e.textContent || '').trim().slice(0, 30)];",
                    vec![json!(css)],
                )
                .await;
            if now[0] == json!(true) {
                return;
            }
            seen.push(now[1].as_str().unwrap_or("?").to_string());
            self.keys(TAB).await;
        }
        panic!(
            "Tab never reached `{css}` on {}; focus went through:\n{}",
            self.path().await,
            seen[..seen.len().min(80)].join("\n")
        );
    }

    /// Runs axe-core (WCAG 2.0/2.1 A and AA rules) on the current page and returns the
    /// violations of impact serious or critical, as "rule: target" lines.
    pub async fn axe_serious(&self) -> Vec<String> {
        self.js(&self.axe, vec![]).await;
        let result = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})
                    .then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact, targets: v.nodes.map(n => n.target.join(' '))}))))
                    .catch(e => done([{id: 'axe-error', impact: 'critical', targets: [String(e)]}]));",
                vec![],
            )
            .await
            .expect("axe.run");
        result
            .as_array()
            .into_iter()
            .flatten()
            .filter(|v| matches!(v["impact"].as_str(), Some("serious" | "critical")))
            .map(|v| format!("{}: {}", v["id"].as_str().unwrap_or("?"), v["targets"]))
            .collect()
    }

    /// Asserts zero serious/critical axe violations on the current page.
    pub async fn assert_accessible(&self, page: &str) {
        let violations = self.axe_serious().await;
        assert!(
            violations.is_empty(),
            "axe found serious/critical violations on {page}:\n{}",
            violations.join("\n")
        );
    }

    /// Saves a PNG screenshot of the page to `docs/screenshots/{name}.png`.
    pub async fn screenshot(&self, name: &str) {
        let png = self.client.screenshot().await.expect("screenshot");
        let dir = workspace_root().join("docs/screenshots");
        std::fs::create_dir_all(&dir).expect("docs/screenshots");
        std::fs::write(dir.join(format!("{name}.png")), png).expect("write screenshot");
    }

    pub async fn close(self) {
        let _ = self.client.close().await;
    }
}
