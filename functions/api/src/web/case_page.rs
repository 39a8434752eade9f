//! The case page (`/cases/{id}`): everything about one case and the actions it accepts now, each
//! as a form with exactly the fields it needs. Actions POST to `/cases/{id}/actions` and come
//! back with a redirect; a stale version re-renders the page with the conflict message and the
//! user's input kept.

use axum::body::Body;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use minijinja::{Value, context};
use serde::Deserialize;
use serde_json::{Map, Value as Json};

use super::csrf;
use super::error_page;
use super::form::{Fields, urlencode};
use super::labels;
use super::names::Names;
use super::render;
use super::session::User;
use super::upload;
use crate::ApiState;
use crate::problem::{Kind, Problem};
use crate::routes::casework::content_disposition;
use crate::routes::documents::valid_media_type;
use crate::telemetry::record_case;
use fallwerk_core::app::{CaseView, Thread};
use fallwerk_core::case::{Action, ActionName, Caller};
use fallwerk_core::model::{AttachmentSource, Direction, FormData, INLINE_FORM_LIMIT};
use fallwerk_events::{DomainEvent, Outcome};

/// What went wrong with a submitted action, shown on the re-rendered page.
#[derive(Debug, Clone, Default)]
pub struct FormError {
    pub action: String,
    /// `(field, message)`; the field is `""` for the form as a whole.
    pub errors: Vec<(String, String)>,
    pub conflict: bool,
    pub input: std::collections::BTreeMap<String, String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct PageParams {
    /// The action just done (after the redirect): the page confirms it.
    pub done: Option<String>,
}

pub async fn page(
    State(state): State<ApiState>,
    user: User,
    Path(case_id): Path<String>,
    Query(p): Query<PageParams>,
) -> Response {
    record_case(&case_id);
    render_case(&state, &user, &case_id, StatusCode::OK, None, p.done).await
}

/// Renders the case page; `error` re-shows a failed form with the user's input.
pub async fn render_case(
    state: &ApiState,
    user: &User,
    case_id: &str,
    status: StatusCode,
    error: Option<FormError>,
    done: Option<String>,
) -> Response {
    let caller = &user.user.caller;
    let session = &user.session;
    let view = match state.app.case_view(caller, case_id).await {
        Ok(v) => v,
        Err(e) => return error_page::problem_page(session, &Problem::from(e), None),
    };
    let service = state.app.case_service(caller, case_id).await.ok();
    let org_unit_name = state
        .app
        .case_org_unit(caller, case_id)
        .await
        .ok()
        .flatten()
        .map(|ou| ou.name);
    let targets = if view.allowed_actions.contains(&ActionName::Forward) {
        state
            .app
            .forward_targets(caller, case_id)
            .await
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    let candidates = if view.allowed_actions.contains(&ActionName::Assign) {
        state
            .app
            .assign_candidates(caller, case_id)
            .await
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    let history = match state.app.history(caller, case_id, 0, 500).await {
        Ok(page) => page.items,
        Err(e) => return error_page::problem_page(session, &Problem::from(e), None),
    };
    let thread = match state.app.thread(caller, case_id).await {
        Ok(t) => t,
        Err(e) => return error_page::problem_page(session, &Problem::from(e), None),
    };
    let names = Names::of(
        &state.app,
        people_on_page(&view, &history, &thread)
            .iter()
            .map(String::as_str),
    )
    .await;
    let mut ctx = case_context(
        &view,
        service.as_ref(),
        &targets,
        &history,
        error.as_ref(),
        done,
        &names,
    );
    let candidates: Vec<_> = candidates
        .iter()
        .map(|u| context! { id => u.id, name => u.display_name() })
        .collect();
    ctx = context! { thread => thread_context(&view.case.id, &thread, &names), candidates, org_unit_name, ..ctx };
    if let Some(form) = small_blob_form(state, caller, &view).await {
        ctx = context! { form, ..ctx };
    }
    let title = format!("Fall {}", view.case.reference);
    render::page(status, "case.html", session, &title, ctx)
}

/// The tree of a form kept in the blob store although it is small (the AWS backend keeps forms
/// above 4 KiB out of the case item, docs/COSTS.md): the page shows it as it shows an inline
/// form. Forms above `INLINE_FORM_LIMIT` stay a download; an unreadable blob leaves the page's
/// "stored separately" note.
async fn small_blob_form(state: &ApiState, caller: &Caller, view: &CaseView) -> Option<Value> {
    let FormData::Blob { form_id, size, .. } = &view.case.form else {
        return None;
    };
    if *size > INLINE_FORM_LIMIT as u64 {
        return None;
    }
    let doc = match state.app.form(caller, &view.case.id).await {
        Ok(doc) => doc,
        Err(e) => {
            tracing::warn!(error = %e, "form data for the case page unreadable");
            return None;
        }
    };
    let data: Json = serde_json::from_slice(&doc.json).ok()?;
    Some(context! { form_id, tree => tree(&data) })
}

/// The account ids a case page shows: assignee, actors and assignees of the history, who
/// ticked checklist items, authors in the thread.
fn people_on_page(view: &CaseView, history: &[DomainEvent], thread: &Thread) -> Vec<String> {
    let mut ids: Vec<String> = view.case.assignee.iter().cloned().collect();
    for e in history {
        if let fallwerk_events::Actor::Caseworker(id) = &e.actor {
            ids.push(id.clone());
        }
        if let Ok(Json::Object(map)) = serde_json::to_value(&e.kind)
            && let Some(Json::String(user)) = map.get("user")
        {
            ids.push(user.clone());
        }
    }
    ids.extend(view.checklist.iter().filter_map(|i| i.checked_by.clone()));
    for m in &thread.messages {
        if let Some(fallwerk_events::Actor::Caseworker(id)) = &m.author {
            ids.push(id.clone());
        }
    }
    ids
}

fn case_context(
    view: &CaseView,
    service: Option<&fallwerk_core::model::Service>,
    targets: &[fallwerk_core::model::OrgUnit],
    history: &[DomainEvent],
    error: Option<&FormError>,
    done: Option<String>,
    names: &Names,
) -> Value {
    let c = &view.case;
    let mut deadlines: Vec<_> = c.deadlines.iter().filter(|d| d.open).collect();
    deadlines.sort_by_key(|d| d.due_on);
    let deadlines: Vec<_> = deadlines
        .iter()
        .map(|d| {
            context! {
                kind => d.kind.label_de(),
                due => labels::date(d.due_on),
                basis => d.basis,
                overdue => d.overdue,
                note => d.note,
            }
        })
        .collect();
    let attachments: Vec<_> = c
        .attachments
        .iter()
        .map(|a| {
            let previewable = a.media_type == "application/pdf" || a.media_type.starts_with("image/");
            context! {
                n => a.n,
                name => a.name,
                media_type => a.media_type,
                size => human_size(a.size),
                source => source_label(a.source),
                href => format!("/cases/{}/attachments/{}", c.id, a.n),
                preview => previewable.then(|| format!("/cases/{}/attachments/{}?inline=1", c.id, a.n)),
            }
        })
        .collect();
    let form = match &c.form {
        FormData::Inline { form_id, data } => context! {
            form_id,
            tree => tree(data),
        },
        FormData::Blob { form_id, size, .. } => context! {
            form_id,
            large => human_size(*size),
        },
        FormData::Purged => context! { purged => true },
    };
    let history: Vec<_> = history
        .iter()
        .rev()
        .map(|e| history_entry(e, names))
        .collect();
    let actions: Vec<_> = view
        .allowed_actions
        .iter()
        .filter(|a| **a != ActionName::CheckDocument)
        .map(|a| context! { name => a.as_str(), label => labels::action(a.as_str()) })
        .collect();
    let targets: Vec<_> = targets
        .iter()
        .map(|o| context! { id => o.id, name => o.name })
        .collect();
    let outcomes: Vec<_> = [
        Outcome::Granted,
        Outcome::PartiallyGranted,
        Outcome::Rejected,
    ]
    .iter()
    .map(|o| {
        context! {
            value => serde_json::to_value(o).ok().and_then(|v| v.as_str().map(str::to_string)),
            label => o.label_de(),
        }
    })
    .collect();
    // request_documents proposes what is still missing (the service's required documents not
    // yet received).
    let required_documents = if view.missing_documents.is_empty() {
        service
            .map(|s| s.required_documents.join("\n"))
            .unwrap_or_default()
    } else {
        view.missing_documents.join("\n")
    };
    let checklist: Vec<_> = view
        .checklist
        .iter()
        .enumerate()
        .map(|(i, item)| {
            context! {
                n => i + 1,
                document => item.document,
                required => item.required,
                requested => item.requested,
                received => item.received,
                checked_by => item.checked_by.as_deref().map(|id| names.of_id(id)),
                checked_at => item.checked_at.map(labels::instant),
                note => item.note,
            }
        })
        .collect();
    let error = error.map(|e| {
        let errors: Vec<_> = e
            .errors
            .iter()
            .map(|(field, message)| {
                let target = if field.is_empty() {
                    format!("action-{}", e.action)
                } else {
                    format!("{}-{}", e.action, field)
                };
                context! { field, message, target }
            })
            .collect();
        context! {
            action => e.action,
            action_label => labels::action(&e.action),
            errors,
            conflict => e.conflict,
            input => e.input,
        }
    });
    context! {
        case => context! {
            id => c.id,
            reference => c.reference,
            version => c.version,
            status => labels::status(c.status),
            status_key => c.status.as_str(),
            task => view.open_task.map(labels::task),
            overdue => view.overdue,
            org_unit_id => c.org_unit_id,
            leika_id => c.leika_id,
            service_name => service.map(|s| s.name.clone()),
            assignee => c.assignee.as_deref().map(|id| names.of_id(id)),
            assignee_id => c.assignee,
            received => labels::instant(c.submission.received_at),
            updated => labels::instant(c.updated_at),
            applicant => (!c.personal_data_purged).then(|| context! {
                name => c.applicant.display_name(),
                email => c.applicant.email,
                trust_level => c.applicant.trust_level,
            }),
            document_request => c.document_request.as_ref().map(|r| context! {
                items => r.items,
                reply_by => labels::date(r.reply_by),
            }),
            extension => c.extension.as_ref().map(|x| context! {
                until => labels::date(x.until),
                reason => x.reason,
            }),
            result => c.result.as_ref().map(|r| context! {
                outcome => r.outcome.label_de(),
                documents => r.documents,
                sent => labels::instant(r.sent_at),
            }),
            export_error => c.export.as_ref().and_then(|x| x.last_error.clone()),
            cancel_reason => c.cancel_reason,
            notification_failures => c.notification_failures,
        },
        deadlines,
        attachments,
        form,
        history,
        actions,
        targets,
        outcomes,
        required_documents,
        checklist,
        can_check => view.allowed_actions.contains(&ActionName::CheckDocument),
        error,
        done => done.map(|d| labels::action(&d)),
        nav => "case",
    }
}

/// The postbox thread, oldest first, with unread marks.
fn thread_context(case_id: &str, thread: &Thread, names: &Names) -> Value {
    let messages: Vec<_> = thread
        .messages
        .iter()
        .map(|m| {
            let incoming = m.direction == Direction::FromApplicant;
            let author = match &m.author {
                Some(fallwerk_events::Actor::Caseworker(id)) => names.of_id(id),
                _ if incoming => "Antragstellende Person".into(),
                _ => "Behörde".into(),
            };
            context! {
                id => m.id,
                incoming,
                subject => m.subject,
                text => m.text,
                at => labels::instant(m.at),
                author,
                unread => m.unread,
                attachments => m.attachments.iter().map(|a| context! {
                    name => a.name,
                    size => human_size(a.size),
                    href => format!("/cases/{case_id}/attachments/{}", a.n),
                }).collect::<Vec<_>>(),
            }
        })
        .collect();
    context! { unread => thread.unread, messages }
}

/// `POST /cases/{id}/thread/read`: marks the applicant's unread messages as read.
pub async fn mark_read(
    State(state): State<ApiState>,
    user: User,
    Path(case_id): Path<String>,
    Form(fields): Form<Fields>,
) -> Response {
    record_case(&case_id);
    if let Some(refused) = csrf::refused(&user.session, &fields) {
        return refused;
    }
    match state
        .app
        .mark_thread_read(&user.user.caller, &case_id, None)
        .await
    {
        Ok(_) => Redirect::to(&format!("/cases/{}#h-thread", urlencode(&case_id))).into_response(),
        Err(e) => error_page::problem_page(
            &user.session,
            &Problem::from(e),
            Some(&format!("/cases/{case_id}")),
        ),
    }
}

fn source_label(source: AttachmentSource) -> &'static str {
    match source {
        AttachmentSource::Submission => "mit dem Antrag",
        AttachmentSource::Reply => "Nachreichung",
        AttachmentSource::Representation => "Darstellung des Antrags",
        AttachmentSource::FormData => "Formulardaten im Original",
        AttachmentSource::Authority => "von der Behörde",
        AttachmentSource::Result => "Bescheid",
    }
}

fn human_size(bytes: u64) -> String {
    if bytes < 1024 {
        format!("{bytes} Byte")
    } else if bytes < 1024 * 1024 {
        format!("{} KB", bytes.div_ceil(1024))
    } else {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0)).replace('.', ",")
    }
}

/// Form data as a tree of `{label, value, children}`: objects by key, lists by position.
fn tree(data: &Json) -> Vec<Value> {
    fn node(label: String, v: &Json, depth: usize) -> Value {
        match v {
            Json::Object(map) if depth < 12 => context! {
                label,
                children => map.iter().map(|(k, v)| node(k.clone(), v, depth + 1)).collect::<Vec<_>>(),
            },
            Json::Array(items) if depth < 12 => context! {
                label,
                children => items.iter().enumerate().map(|(i, v)| node(format!("{}.", i + 1), v, depth + 1)).collect::<Vec<_>>(),
            },
            Json::String(s) => context! { label, value => s },
            Json::Bool(true) => context! { label, value => "ja" },
            Json::Bool(false) => context! { label, value => "nein" },
            Json::Null => context! { label, value => "—" },
            other => context! { label, value => other.to_string() },
        }
    }
    match data {
        Json::Object(map) => map.iter().map(|(k, v)| node(k.clone(), v, 0)).collect(),
        other => vec![node("Formular".into(), other, 0)],
    }
}

fn history_entry(e: &DomainEvent, names: &Names) -> Value {
    let json = serde_json::to_value(&e.kind).unwrap_or(Json::Null);
    let kind = json
        .get("type")
        .and_then(Json::as_str)
        .unwrap_or("")
        .to_string();
    let mut details = Vec::new();
    if let Json::Object(map) = &json {
        for (key, label) in [
            ("reason", "Begründung"),
            ("text", "Text"),
            ("note", "Notiz"),
            ("subject", "Betreff"),
            ("items", "Unterlagen"),
            ("org_unit_id", "Organisationseinheit"),
            ("to", "An"),
            ("user", "Person"),
            ("until", "Bis"),
            ("due_on", "Fällig am"),
            ("outcome", "Ergebnis"),
            ("error", "Fehler"),
        ] {
            match map.get(key) {
                Some(Json::String(s)) if key == "user" && !s.is_empty() => {
                    details.push(context! { label, value => names.of_id(s) });
                }
                Some(Json::String(s)) if !s.is_empty() => {
                    details.push(context! { label, value => s });
                }
                Some(Json::Array(items)) if !items.is_empty() => {
                    let v: Vec<String> = items
                        .iter()
                        .map(|i| {
                            i.as_str()
                                .map(str::to_string)
                                .unwrap_or_else(|| i.to_string())
                        })
                        .collect();
                    details.push(context! { label, value => v.join(", ") });
                }
                _ => {}
            }
        }
    }
    let actor = match &e.actor {
        fallwerk_events::Actor::Caseworker(id) => names.of_id(id),
        fallwerk_events::Actor::Applicant => "Antragstellende Person".into(),
        fallwerk_events::Actor::Portal(_) => "Portal".into(),
        fallwerk_events::Actor::Scheduler => "Fristenüberwachung".into(),
        _ => "fallwerk".into(),
    };
    context! {
        at => labels::instant(e.at),
        label => labels::event(&kind),
        kind,
        actor,
        details,
    }
}

/// Fields each action takes from the form: `(name, required, kind)`.
fn fields_of(action: &str) -> &'static [(&'static str, bool, FieldKind)] {
    use FieldKind::*;
    match action {
        "forward" => &[("org_unit_id", true, Text), ("reason", true, Text)],
        "request_documents" => &[
            ("items", true, Lines),
            ("reply_by", false, Text),
            ("message", false, Text),
        ],
        "extend" => &[("until", true, Text), ("reason", true, Text)],
        "set_follow_up" => &[("at", true, Text), ("note", true, Text)],
        "send_result" => &[
            ("outcome", true, Text),
            ("documents", false, Lines),
            ("message", true, Text),
        ],
        "comment" => &[("text", true, Text)],
        "message" => &[("subject", true, Text), ("text", true, Text)],
        "assign" => &[("user", false, Nullable)],
        "cancel" => &[("reason", true, Text)],
        "check_document" => &[
            ("document", true, Text),
            ("received", true, Bool),
            ("note", false, Text),
        ],
        "documents_arrived" => &[("note", true, Text)],
        "withdraw_request" => &[("reason", true, Text)],
        "record_posting" => &[("posted_on", true, Text)],
        "record_appeal" => &[("received_on", true, Text)],
        _ => &[],
    }
}

#[derive(Debug, Clone, Copy)]
enum FieldKind {
    Text,
    /// One entry per line.
    Lines,
    /// Empty means `null`.
    Nullable,
    /// `true` / `false`.
    Bool,
}

fn required_message(field: &str) -> &'static str {
    match field {
        "org_unit_id" => "Bitte wählen Sie die Stelle, an die der Fall gehen soll.",
        "reason" => "Bitte geben Sie eine Begründung an.",
        "items" => "Bitte nennen Sie mindestens eine Unterlage.",
        "until" => "Bitte geben Sie an, bis wann die Frist verlängert wird.",
        "at" => "Bitte geben Sie das Datum der Wiedervorlage an.",
        "note" => "Bitte schreiben Sie eine Notiz zur Wiedervorlage.",
        "outcome" => "Bitte wählen Sie das Ergebnis.",
        "message" => "Bitte schreiben Sie eine Nachricht.",
        "text" => "Bitte schreiben Sie einen Text.",
        "subject" => "Bitte geben Sie einen Betreff an.",
        "document" => "Bitte wählen Sie eine Unterlage.",
        "posted_on" => "Bitte geben Sie an, wann der Bescheid zur Post gegeben wurde.",
        "received_on" => "Bitte geben Sie an, wann der Widerspruch eingegangen ist.",
        _ => "Bitte füllen Sie dieses Feld aus.",
    }
}

/// Turns the form into the API's action body; German messages for what is missing.
pub fn action_body(fields: &Fields) -> Result<(String, Json), Vec<(String, String)>> {
    let action = fields.text("action").unwrap_or_default();
    let mut errors = Vec::new();
    let mut body = Map::new();
    body.insert("action".into(), Json::String(action.clone()));
    match fields
        .text("expected_version")
        .and_then(|v| v.parse::<u64>().ok())
    {
        Some(v) => {
            body.insert("expected_version".into(), Json::from(v));
        }
        None => errors.push((
            String::new(),
            "Das Formular ist unvollständig. Bitte laden Sie den Fall neu.".into(),
        )),
    }
    if action == "cancel" && fields.get("confirm") != Some("yes") {
        errors.push((
            "confirm".into(),
            "Bitte bestätigen Sie, dass der Fall beendet werden soll.".into(),
        ));
    }
    for (name, required, kind) in fields_of(&action) {
        let value = fields.text(name);
        if *required && value.is_none() {
            errors.push((name.to_string(), required_message(name).into()));
            continue;
        }
        match (kind, value) {
            (FieldKind::Lines, v) => {
                let items: Vec<Json> = v
                    .unwrap_or_default()
                    .lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .map(|l| Json::String(l.to_string()))
                    .collect();
                body.insert(name.to_string(), Json::Array(items));
            }
            (FieldKind::Nullable, v) => {
                body.insert(name.to_string(), v.map(Json::String).unwrap_or(Json::Null));
            }
            (FieldKind::Text, Some(v)) => {
                body.insert(name.to_string(), Json::String(v));
            }
            (FieldKind::Bool, v) => {
                body.insert(name.to_string(), Json::Bool(v.as_deref() == Some("true")));
            }
            (FieldKind::Text, None) => {}
        }
    }
    if errors.is_empty() {
        Ok((action, Json::Object(body)))
    } else {
        Err(errors)
    }
}

pub async fn act(
    State(state): State<ApiState>,
    user: User,
    Path(case_id): Path<String>,
    req: axum::extract::Request,
) -> Response {
    record_case(&case_id);
    let form = match upload::read(&state, req).await {
        Ok(f) => f,
        Err(upload::Unreadable::TooLarge) => {
            return error_page::problem_page(
                &user.session,
                &Problem::new(Kind::PayloadTooLarge, "the form exceeds the limit"),
                Some(&format!("/cases/{case_id}")),
            );
        }
        Err(upload::Unreadable::Malformed) => {
            return error_page::problem_page(
                &user.session,
                &Problem::new(Kind::MalformedRequest, "the form could not be read"),
                Some(&format!("/cases/{case_id}")),
            );
        }
    };
    let fields = form.fields;
    if let Some(refused) = csrf::refused(&user.session, &fields) {
        return refused;
    }
    let action_name = fields.text("action").unwrap_or_default();
    let fail = |errors: Vec<(String, String)>, conflict: bool| FormError {
        action: action_name.clone(),
        errors,
        conflict,
        input: fields.input(),
    };
    let rerender = |e: FormError, status: StatusCode| {
        let (state, user, case_id) = (&state, &user, &case_id);
        async move { render_case(state, user, case_id, status, Some(e), None).await }
    };
    let (action_name_checked, mut body) = match action_body(&fields) {
        Ok(b) => b,
        Err(mut errors) => {
            if let Some(m) = form.file_error {
                errors.push(("file".into(), m));
            }
            return rerender(fail(errors, false), StatusCode::UNPROCESSABLE_ENTITY).await;
        }
    };
    if let Some(m) = form.file_error {
        return rerender(
            fail(vec![("file".into(), m)], false),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    if !form.files.is_empty() {
        if !upload::takes_files(&action_name_checked) {
            let e = fail(
                vec![(
                    String::new(),
                    "Zu dieser Aktion können keine Dateien hochgeladen werden.".into(),
                )],
                false,
            );
            return rerender(e, StatusCode::UNPROCESSABLE_ENTITY).await;
        }
        // The files are stored first (the upload use case), then the action names them. Only on
        // the version the form was made for: a case changed meanwhile gets the conflict
        // message before anything is stored.
        let expected = body["expected_version"].as_u64().unwrap_or_default();
        match state.app.case_view(&user.user.caller, &case_id).await {
            Ok(v) if v.case.version == expected => {}
            Ok(_) => return rerender(fail(vec![], true), StatusCode::CONFLICT).await,
            Err(e) => {
                return error_page::problem_page(&user.session, &Problem::from(e), None);
            }
        }
        let metas = match state
            .app
            .upload_documents(&user.user.caller, &case_id, form.files)
            .await
        {
            Ok(m) => m,
            Err(e) => {
                let problem = Problem::from(e);
                let message = match error_page::kind_of(&problem) {
                    Kind::UnsupportedMediaType => upload::unsupported_type(),
                    Kind::PayloadTooLarge => upload::too_large(),
                    Kind::InvalidField | Kind::InvalidBody => {
                        "Die Datei konnte nicht übernommen werden. Bitte prüfen Sie, ob sie vollständig ist und einen Namen hat.".into()
                    }
                    Kind::StaleVersion | Kind::Conflict => {
                        return rerender(fail(vec![], true), StatusCode::CONFLICT).await;
                    }
                    _ => {
                        return error_page::problem_page(
                            &user.session,
                            &problem,
                            Some(&format!("/cases/{case_id}")),
                        );
                    }
                };
                return rerender(
                    fail(vec![("file".into(), message)], false),
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await;
            }
        };
        // The upload is a change of its own: the action follows on the next version.
        body["expected_version"] = Json::from(expected + 1);
        body["attachments"] = Json::Array(metas.iter().map(|m| Json::from(m.n)).collect());
    }
    let (version, action) = match Action::parse_request(body) {
        Ok(parsed) => parsed,
        Err(_) => {
            let e = fail(
                vec![(String::new(), "Die Eingaben haben nicht das erwartete Format. Bitte prüfen Sie insbesondere die Datumsangaben.".into())],
                false,
            );
            return render_case(
                &state,
                &user,
                &case_id,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(e),
                None,
            )
            .await;
        }
    };
    match state
        .app
        .act(&user.user.caller, &case_id, version, action)
        .await
    {
        Ok(_) => Redirect::to(&format!(
            "/cases/{}?done={}",
            urlencode(&case_id),
            urlencode(&action_name_checked)
        ))
        .into_response(),
        Err(e) => {
            let problem = Problem::from(e);
            let kind = error_page::kind_of(&problem);
            match kind {
                Kind::StaleVersion | Kind::Conflict => {
                    let e = fail(vec![], true);
                    render_case(&state, &user, &case_id, StatusCode::CONFLICT, Some(e), None).await
                }
                Kind::InvalidField
                | Kind::InvalidBody
                | Kind::NotAllowed
                | Kind::AlreadyExtended
                | Kind::DeadlineRefused
                | Kind::UnknownUser => {
                    let (heading, explanation) = error_page::text(kind);
                    let field = problem.field.clone().unwrap_or_default();
                    let e = fail(vec![(field, format!("{heading}. {explanation}"))], false);
                    render_case(&state, &user, &case_id, kind.status(), Some(e), None).await
                }
                _ => error_page::problem_page(
                    &user.session,
                    &problem,
                    Some(&format!("/cases/{case_id}")),
                ),
            }
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct AttachmentParams {
    /// `1`: show PDFs and images in the browser instead of downloading them.
    pub inline: Option<String>,
}

pub async fn attachment(
    State(state): State<ApiState>,
    user: User,
    Path((case_id, n)): Path<(String, u32)>,
    Query(p): Query<AttachmentParams>,
) -> Response {
    record_case(&case_id);
    let (meta, bytes) = match state.app.attachment(&user.user.caller, &case_id, n).await {
        Ok(found) => found,
        Err(e) => return error_page::problem_page(&user.session, &Problem::from(e), None),
    };
    let media_type = if valid_media_type(&meta.media_type) {
        meta.media_type.as_str()
    } else {
        "application/octet-stream"
    };
    let previewable = media_type == "application/pdf"
        || matches!(
            media_type,
            "image/png" | "image/jpeg" | "image/gif" | "image/webp"
        );
    let mut disposition = content_disposition(&meta.name);
    if p.inline.as_deref() == Some("1") && previewable {
        disposition = disposition.replacen("attachment", "inline", 1);
    }
    let mut res = Body::from(bytes).into_response();
    let headers = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(media_type) {
        headers.insert(header::CONTENT_TYPE, v);
    }
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    res
}
