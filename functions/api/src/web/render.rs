//! Rendering: the templates in `functions/api/templates/` are compiled into the binary and
//! loaded once into a minijinja environment (auto-escaping HTML). Every page gets the layout's
//! context: the signed-in user, the CSRF token, the navigation.

use std::sync::OnceLock;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use minijinja::{Environment, Value, context};

use super::session::Session;

const TEMPLATES: &[(&str, &str)] = &[
    ("layout.html", include_str!("../../templates/layout.html")),
    ("macros.html", include_str!("../../templates/macros.html")),
    ("login.html", include_str!("../../templates/login.html")),
    ("inbox.html", include_str!("../../templates/inbox.html")),
    ("case.html", include_str!("../../templates/case.html")),
    ("error.html", include_str!("../../templates/error.html")),
    (
        "deadlines.html",
        include_str!("../../templates/deadlines.html"),
    ),
    (
        "admin_nav.html",
        include_str!("../../templates/admin_nav.html"),
    ),
    (
        "admin_org_units.html",
        include_str!("../../templates/admin_org_units.html"),
    ),
    (
        "admin_services.html",
        include_str!("../../templates/admin_services.html"),
    ),
    (
        "admin_clients.html",
        include_str!("../../templates/admin_clients.html"),
    ),
    (
        "admin_users.html",
        include_str!("../../templates/admin_users.html"),
    ),
];

fn env() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        for (name, source) in TEMPLATES {
            if let Err(e) = env.add_template(name, source) {
                // A template that does not parse is a build defect; the unit test below catches it.
                tracing::error!(template = name, error = %e, "template does not parse");
            }
        }
        env
    })
}

/// The layout's part of every page's context.
pub fn base(session: &Session, title: &str) -> Value {
    let user = session.user.as_ref().map(|u| {
        context! {
            name => u.display_name,
            account_id => u.account_id,
            admin => u.is_admin(),
        }
    });
    context! {
        title => title,
        user => user,
        csrf => session.csrf,
    }
}

/// Renders `template` with the base context merged under `ctx`.
pub fn page(
    status: StatusCode,
    template: &str,
    session: &Session,
    title: &str,
    ctx: Value,
) -> Response {
    let ctx = context! { ..ctx, ..base(session, title) };
    match env().get_template(template).and_then(|t| t.render(ctx)) {
        Ok(html) => html_response(status, html),
        Err(e) => {
            tracing::error!(template, error = %e, "page could not be rendered");
            html_response(
                StatusCode::INTERNAL_SERVER_ERROR,
                "<!doctype html><html lang=\"de\"><title>Fehler</title><h1>Die Seite konnte nicht angezeigt werden.</h1></html>".into(),
            )
        }
    }
}

pub fn html_response(status: StatusCode, html: String) -> Response {
    let mut res = (status, html).into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    res
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_template_parses() {
        let mut env = minijinja::Environment::new();
        for (name, source) in super::TEMPLATES {
            env.add_template(name, source)
                .unwrap_or_else(|e| panic!("{name}: {e}"));
        }
    }
}
