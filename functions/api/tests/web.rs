//! The web workplace over HTTP (no browser): sessions, CSRF, login, the pages and their forms,
//! error pages. The browser suite (tests/ crate) covers the same flows in Chromium.

mod common;

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use common::*;
use fallwerk_api::web::WebConfig;
use fallwerk_api::{ApiState, JwtConfig, app_router};

const SESSION_SECRET: &[u8] = b"web-session-secret-0123456789abcdef";

/// A browser in miniature: one router, one cookie.
struct Web {
    h: Harness,
    router: Router,
    cookie: Option<String>,
}

struct Page {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    html: String,
}

impl Page {
    fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// The value of the first hidden field `name`.
    fn hidden(&self, name: &str) -> String {
        let marker = format!("name=\"{name}\" value=\"");
        let start = self.html.find(&marker).map(|i| i + marker.len());
        start
            .and_then(|s| self.html[s..].find('"').map(|e| unescape(&self.html[s..s + e])))
            .unwrap_or_default()
    }
}

/// Undoes minijinja's HTML escaping.
fn unescape(s: &str) -> String {
    s.replace("&#x2f;", "/")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

fn config(base: &str) -> WebConfig {
    WebConfig::new(SESSION_SECRET.to_vec(), base)
}

impl Web {
    async fn new() -> Web {
        Self::with(config("http://127.0.0.1:8080")).await
    }

    async fn with(web: WebConfig) -> Web {
        let h = Harness::new().await;
        let state = ApiState::new(h.app.clone())
            .with_jwt(JwtConfig::hs256(JWT_SECRET))
            .with_web(web);
        Web {
            router: app_router(state),
            h,
            cookie: None,
        }
    }

    async fn send(&mut self, req: Request<Body>) -> Page {
        use tower::ServiceExt;
        let res = self.router.clone().oneshot(req).await.expect("infallible");
        let status = res.status();
        let headers = res.headers().clone();
        if let Some(set) = headers.get(header::SET_COOKIE).and_then(|v| v.to_str().ok()) {
            self.cookie = set.split(';').next().map(str::to_string);
        }
        let bytes = axum::body::to_bytes(res.into_body(), usize::MAX)
            .await
            .expect("body");
        Page {
            status,
            headers,
            html: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    async fn get(&mut self, uri: &str) -> Page {
        let mut b = Request::builder().method(Method::GET).uri(uri);
        if let Some(c) = &self.cookie {
            b = b.header(header::COOKIE, c);
        }
        self.send(b.body(Body::empty()).expect("request")).await
    }

    async fn post(&mut self, uri: &str, fields: &[(&str, &str)]) -> Page {
        let body: Vec<String> = fields
            .iter()
            .map(|(k, v)| {
                format!(
                    "{}={}",
                    fallwerk_api::web::form::urlencode(k),
                    fallwerk_api::web::form::urlencode(v)
                )
            })
            .collect();
        let mut b = Request::builder()
            .method(Method::POST)
            .uri(uri)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        if let Some(c) = &self.cookie {
            b = b.header(header::COOKIE, c);
        }
        self.send(b.body(Body::from(body.join("&"))).expect("request"))
            .await
    }
}

#[tokio::test]
async fn pages_need_a_login_and_come_back_after_it() {
    let mut w = Web::new().await;
    let p = w.get("/cases/abc?x=1").await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    assert_eq!(p.location(), "/login?next=/cases/abc%3Fx%3D1");
    let p = w.get("/").await;
    assert_eq!(p.location(), "/login?next=/");
    let login = w.get("/login?next=/cases/abc").await;
    assert_eq!(login.status, StatusCode::OK);
    assert!(login.html.contains("<html lang=\"de\">"));
    assert!(login.html.contains("Zum Inhalt springen"));
    assert!(login.html.contains("<label for=\"login\">Benutzername</label>"));
    assert_eq!(login.hidden("next"), "/cases/abc");
    assert_eq!(login.hidden("csrf").len(), 64);
}

#[tokio::test]
async fn the_session_cookie_is_httponly_samesite_and_secure_outside_localhost() {
    let mut local = Web::new().await;
    let p = local.get("/login").await;
    let cookie = p.headers[header::SET_COOKIE].to_str().unwrap_or_default().to_string();
    assert!(cookie.starts_with("fallwerk="), "{cookie}");
    assert!(cookie.contains("; HttpOnly") && cookie.contains("; SameSite=Lax"), "{cookie}");
    assert!(!cookie.contains("Secure"), "{cookie}");
    assert_eq!(p.headers[header::X_FRAME_OPTIONS], "DENY");
    assert!(p.headers[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap_or_default()
        .contains("default-src 'self'"));

    let mut remote = Web::with(config("https://fallwerk.amt.example")).await;
    let p = remote.get("/login").await;
    let cookie = p.headers[header::SET_COOKIE].to_str().unwrap_or_default().to_string();
    assert!(cookie.starts_with("__Host-fallwerk=") && cookie.contains("; Secure"), "{cookie}");
}

#[tokio::test]
async fn a_form_without_its_csrf_token_is_refused() {
    let mut w = Web::new().await;
    let login = w.get("/login").await;
    let p = w
        .post("/login", &[("login", "anna"), ("password", "x")])
        .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
    assert!(p.html.contains("Formular abgelehnt"), "{}", p.html);
    // Another session's token does not fit either.
    let mut other = Web::new().await;
    let theirs = other.get("/login").await.hidden("csrf");
    assert_ne!(theirs, login.hidden("csrf"));
    let p = w
        .post("/login", &[("csrf", &theirs), ("login", "anna"), ("password", "x")])
        .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_wrong_login_shows_an_error_summary_linked_to_the_field() {
    let mut w = Web::new().await;
    let csrf = w.get("/login").await.hidden("csrf");
    let p = w
        .post("/login", &[("csrf", &csrf), ("login", "nobody"), ("password", "wrong")])
        .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p.html.contains("<a href=\"#login\">Benutzername oder Passwort ist falsch.</a>"), "{}", p.html);
    assert!(p.html.contains("aria-invalid=\"true\" aria-describedby=\"login-error\""));
    let p = w.post("/login", &[("csrf", &csrf), ("login", ""), ("password", "")]).await;
    assert!(p.html.contains("<a href=\"#password\">Bitte geben Sie Ihr Passwort ein.</a>"));
}

#[tokio::test]
async fn a_forged_or_expired_cookie_is_a_fresh_anonymous_session() {
    let mut w = Web::new().await;
    w.cookie = Some("fallwerk=eyJ1aWQiOiJhZG1pbiJ9.00".into());
    let p = w.get("/").await;
    assert_eq!(p.status, StatusCode::SEE_OTHER);
    assert!(p.location().starts_with("/login"));
}

#[tokio::test]
async fn without_a_web_config_no_pages_are_served() {
    let h = Harness::new().await;
    let res = h
        .send(Request::builder().uri("/login").body(Body::empty()).expect("request"))
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    assert_eq!(res.problem_type(), "https://fallwerk.dev/problems/not-found");
}
