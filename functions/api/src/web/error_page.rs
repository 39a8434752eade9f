//! Error pages in German: the same problem kinds as the JSON API, as pages a caseworker can act
//! on (what happened, what to do next, a way back).

use axum::http::StatusCode;
use axum::response::Response;
use minijinja::context;

use super::render;
use super::session::Session;
use crate::problem::{Kind, Problem};

/// The problem kind of a problem document.
pub fn kind_of(p: &Problem) -> Kind {
    Kind::ALL
        .iter()
        .copied()
        .find(|k| k.uri() == p.type_uri)
        .unwrap_or(Kind::Internal)
}

/// Heading and explanation for a problem kind.
pub fn text(kind: Kind) -> (&'static str, &'static str) {
    match kind {
        Kind::NotFound => (
            "Nicht gefunden",
            "Diesen Fall oder diese Seite gibt es nicht – oder der Fall gehört nicht zu Ihren Organisationseinheiten. Wurde er an eine andere Stelle weitergeleitet, sehen Sie ihn nicht mehr.",
        ),
        Kind::Forbidden => (
            "Keine Berechtigung",
            "Für diese Seite fehlt Ihnen die nötige Rolle. Wenden Sie sich bei Bedarf an Ihre Administration.",
        ),
        Kind::StaleVersion | Kind::Conflict => (
            "Jemand anderes hat diesen Fall inzwischen geändert",
            "Laden Sie den Fall neu, prüfen Sie den aktuellen Stand und führen Sie Ihre Aktion dann erneut aus.",
        ),
        Kind::NotAllowed => (
            "Diese Aktion ist gerade nicht möglich",
            "Der Fall steht in einem Bearbeitungsstand, in dem diese Aktion nicht vorgesehen ist. Laden Sie den Fall neu.",
        ),
        Kind::AlreadyExtended => (
            "Die Bearbeitungsfrist wurde bereits verlängert",
            "Eine Bearbeitungsfrist kann nur einmal verlängert werden.",
        ),
        Kind::DeadlineRefused => (
            "Die Frist lässt sich nicht berechnen",
            "Die gespeicherten Zeiten, in denen auf die antragstellende Person gewartet wurde, passen nicht zusammen (sie überschneiden sich oder enden vor ihrem Beginn). Damit keine zu frühe Frist entsteht, wurde nichts geändert. Bitte wenden Sie sich an die Administration.",
        ),
        Kind::UnknownUser => (
            "Diese Person kann den Fall nicht übernehmen",
            "Die gewählte Person ist unbekannt, nicht mehr aktiv oder gehört nicht zur Organisationseinheit des Falls.",
        ),
        Kind::InvalidBody | Kind::InvalidField | Kind::MalformedRequest => (
            "Bitte prüfen Sie Ihre Eingaben",
            "Die Angaben im Formular sind unvollständig oder haben nicht das erwartete Format.",
        ),
        Kind::PayloadTooLarge => (
            "Die Datei ist zu groß",
            "Bitte laden Sie eine kleinere Datei hoch.",
        ),
        Kind::ResponseTooLarge => (
            "Diese Daten sind zu umfangreich für die Anzeige",
            "Über diesen Zugang können so große Daten nicht ausgeliefert werden. Sie stehen vollständig im Exportpaket des Falls.",
        ),
        Kind::UnsupportedMediaType => (
            "Dieses Dateiformat wird nicht angenommen",
            "Bitte laden Sie die Datei als PDF oder Bild hoch.",
        ),
        Kind::Unauthorized => (
            "Bitte melden Sie sich an",
            "Ihre Sitzung ist abgelaufen oder Sie sind nicht angemeldet.",
        ),
        Kind::MethodNotAllowed | Kind::SubmissionMismatch | Kind::Unroutable | Kind::Internal => (
            "Das hat leider nicht geklappt",
            "Die Anfrage konnte nicht ausgeführt werden. Bitte versuchen Sie es später noch einmal. Besteht das Problem weiter, wenden Sie sich an Ihre IT-Betreuung.",
        ),
    }
}

/// The page for a problem; `reload` offers a link back to where the user came from.
pub fn problem_page(session: &Session, problem: &Problem, reload: Option<&str>) -> Response {
    let kind = kind_of(problem);
    if kind == Kind::Internal {
        tracing::error!(detail = %problem.detail, "page request failed");
    }
    let (heading, explanation) = text(kind);
    render::page(
        kind.status(),
        "error.html",
        session,
        heading,
        context! { heading, explanation, reload, kind => kind.slug() },
    )
}

pub fn not_found(session: &Session) -> Response {
    problem_page(session, &Problem::not_found("page"), None)
}

/// A POST without (or with a wrong) CSRF token.
pub fn csrf_refused(session: &Session) -> Response {
    render::page(
        StatusCode::FORBIDDEN,
        "error.html",
        session,
        "Formular abgelehnt",
        context! {
            heading => "Formular abgelehnt",
            explanation => "Das Formular war veraltet oder kam nicht von dieser Seite. Aus Sicherheitsgründen wurde es nicht ausgeführt. Öffnen Sie die Seite erneut und senden Sie das Formular noch einmal ab.",
            kind => "csrf",
        },
    )
}

/// When even the session cannot be read (the user directory is unreachable).
pub fn internal() -> Response {
    render::html_response(
        StatusCode::INTERNAL_SERVER_ERROR,
        "<!doctype html><html lang=\"de\"><head><meta charset=\"utf-8\"><title>Störung</title></head><body><main><h1>Das hat leider nicht geklappt</h1><p>Die Anwendung ist gerade gestört. Bitte versuchen Sie es in einigen Minuten noch einmal.</p></main></body></html>".into(),
    )
}
