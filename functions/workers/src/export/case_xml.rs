//! `case.xml`: the case rendered for a Fachverfahren or DMS (namespace `urn:fallwerk:export:1`,
//! see docs/export-format.md). Internal notes (comment texts, follow-up notes) are left out.

use chrono::{DateTime, SecondsFormat, Utc};
use fallwerk_core::model::{Case, Direction, FormData, Message};
use fallwerk_events::{Actor, DomainEvent, EventKind};
use serde_json::Value;

use super::format::FORMAT_VERSION;
use super::json_xml;
use super::xml::XmlWriter;
use crate::sinks::target_kind;
use fallwerk_core::app::DirectoryNames as Names;

pub const NAMESPACE: &str = "urn:fallwerk:export:1";

fn ts(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

fn yes_no(b: bool) -> &'static str {
    if b { "true" } else { "false" }
}

/// Everything `case.xml` shows besides the case itself.
pub(crate) struct XmlInput<'a> {
    pub case: &'a Case,
    pub names: &'a Names,
    pub package: &'a str,
    pub created_at: DateTime<Utc>,
    /// The parsed form data tree when the case still has form data.
    pub form: Option<&'a Value>,
    /// `attachments/…` path per attachment, in `case.attachments` order.
    pub attachment_paths: &'a [String],
    pub history: &'a [DomainEvent],
    pub messages: &'a [Message],
}

pub(crate) fn render(input: &XmlInput) -> String {
    let case = input.case;
    let mut w = XmlWriter::new();
    let version = FORMAT_VERSION.to_string();
    let mut root: Vec<(&str, &str)> = vec![
        ("xmlns", NAMESPACE),
        ("formatVersion", &version),
        ("id", &case.id),
        ("reference", &case.reference),
        ("status", case.status.as_str()),
    ];
    if let Some(a) = &case.assignee {
        root.push(("assignee", a));
    }
    w.open("case", &root);
    let created = ts(input.created_at);
    w.empty(
        "package",
        &[("name", input.package), ("createdAt", &created)],
    );
    w.leaf(
        "orgUnit",
        &[("id", &case.org_unit_id)],
        &input.names.org_unit,
    );
    w.leaf(
        "service",
        &[("leikaId", &case.leika_id)],
        &input.names.service,
    );
    let received = ts(case.submission.received_at);
    w.empty(
        "submission",
        &[
            ("portalClientId", &case.submission.portal_client_id),
            ("submissionId", &case.submission.submission_id),
            ("receivedAt", &received),
        ],
    );
    parties(&mut w, case);
    form(&mut w, case, input.form);
    documents(&mut w, case, input.attachment_paths);
    deadlines(&mut w, case);
    outcome(&mut w, case);
    correspondence(&mut w, input.messages);
    history(&mut w, input.history);
    w.finish()
}

fn parties(w: &mut XmlWriter, case: &Case) {
    w.open("parties", &[]);
    let a = &case.applicant;
    w.open(
        "applicant",
        &[("personalDataPurged", yes_no(case.personal_data_purged))],
    );
    w.leaf("name", &[], &a.name);
    if let Some(e) = &a.email {
        w.leaf("email", &[], e);
    }
    if let Some(p) = &a.postbox_ref {
        w.leaf("postboxRef", &[], p);
    }
    if let Some(t) = &a.trust_level {
        w.leaf("trustLevel", &[], t);
    }
    w.close();
    w.close();
}

fn form(w: &mut XmlWriter, case: &Case, tree: Option<&Value>) {
    match (&case.form, tree) {
        (FormData::Inline { form_id, .. }, Some(tree)) => {
            w.open(
                "formData",
                &[
                    ("formId", form_id),
                    ("storage", "inline"),
                    ("file", "form.json"),
                ],
            );
            json_xml::write_root(w, tree);
            w.close();
        }
        (FormData::Blob { form_id, .. }, Some(tree)) => {
            w.open(
                "formData",
                &[
                    ("formId", form_id),
                    ("storage", "blob"),
                    ("file", "form.json"),
                ],
            );
            json_xml::write_root(w, tree);
            w.close();
        }
        _ => w.empty("formData", &[("storage", "purged")]),
    }
    if let (FormData::Inline { .. } | FormData::Blob { .. }, Some(tree)) = (&case.form, tree) {
        super::form_fields::write(w, tree);
    }
}

fn documents(w: &mut XmlWriter, case: &Case, paths: &[String]) {
    if case.attachments.is_empty() {
        w.empty("documents", &[]);
        return;
    }
    w.open("documents", &[]);
    for (a, path) in case.attachments.iter().zip(paths) {
        let n = a.n.to_string();
        let size = a.size.to_string();
        w.open(
            "document",
            &[
                ("n", &n),
                ("path", path),
                ("mediaType", &a.media_type),
                ("size", &size),
                ("sha256", &a.sha256),
                ("source", a.source.as_str()),
            ],
        );
        w.leaf("name", &[], &a.name);
        w.close();
    }
    w.close();
}

fn deadlines(w: &mut XmlWriter, case: &Case) {
    if case.deadlines.is_empty() {
        w.empty("deadlines", &[]);
        return;
    }
    w.open("deadlines", &[]);
    for d in &case.deadlines {
        let due = d.due_on.to_string();
        let warn = d.warn_on.map(|x| x.to_string());
        let esc = d.escalate_on.map(|x| x.to_string());
        let mut attrs: Vec<(&str, &str)> = vec![
            ("id", &d.id),
            ("kind", d.kind.as_str()),
            ("label", d.kind.label_de()),
            ("dueOn", &due),
            ("open", yes_no(d.open)),
            ("overdue", yes_no(d.overdue)),
        ];
        if let Some(x) = &warn {
            attrs.push(("warnOn", x));
        }
        if let Some(x) = &esc {
            attrs.push(("escalateOn", x));
        }
        w.open("deadline", &attrs);
        w.leaf("basis", &[], &d.basis);
        w.close();
    }
    w.close();
}

fn outcome(w: &mut XmlWriter, case: &Case) {
    if let Some(x) = &case.extension {
        let until = x.until.to_string();
        w.leaf("extension", &[("until", &until)], &x.reason);
    }
    if let Some(e) = &case.export {
        let attempt = e.attempts.to_string();
        w.empty(
            "export",
            &[("target", target_kind(&e.target)), ("attempt", &attempt)],
        );
    }
    if let Some(r) = &case.result {
        let outcome = serde_json::to_value(r.outcome)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        let sent = ts(r.sent_at);
        w.open(
            "result",
            &[
                ("outcome", &outcome),
                ("label", r.outcome.label_de()),
                ("sentAt", &sent),
            ],
        );
        for d in &r.documents {
            w.leaf("document", &[], d);
        }
        w.close();
    }
    if let Some(reason) = &case.cancel_reason {
        w.leaf("cancellation", &[], reason);
    }
}

fn correspondence(w: &mut XmlWriter, messages: &[Message]) {
    if messages.is_empty() {
        w.empty("correspondence", &[]);
        return;
    }
    w.open("correspondence", &[]);
    for m in messages {
        let at = ts(m.at);
        let direction = match m.direction {
            Direction::ToApplicant => "to_applicant",
            Direction::FromApplicant => "from_applicant",
        };
        let attachments: Vec<String> = m.attachments.iter().map(u32::to_string).collect();
        let attachments = attachments.join(" ");
        let mut attrs: Vec<(&str, &str)> =
            vec![("id", &m.id), ("direction", direction), ("at", &at)];
        if !attachments.is_empty() {
            attrs.push(("attachments", &attachments));
        }
        w.open("message", &attrs);
        w.leaf("subject", &[], &m.subject);
        w.leaf("text", &[], &m.text);
        w.close();
    }
    w.close();
}

/// The actor as (kind, id).
fn actor(a: &Actor) -> (&'static str, Option<&str>) {
    match a {
        Actor::Caseworker(id) => ("caseworker", Some(id)),
        Actor::Applicant => ("applicant", None),
        Actor::Portal(id) => ("portal", Some(id)),
        Actor::Scheduler => ("scheduler", None),
        Actor::System => ("system", None),
    }
}

/// The event's payload without its type tag and without internal notes.
fn payload(kind: &EventKind) -> Option<Value> {
    let mut value = serde_json::to_value(kind).ok()?;
    let map = value.as_object_mut()?;
    map.remove("type");
    match kind {
        EventKind::Commented { .. } => {
            map.remove("text");
        }
        EventKind::FollowUpSet { .. } => {
            map.remove("note");
        }
        _ => {}
    }
    (!map.is_empty()).then_some(value)
}

fn history(w: &mut XmlWriter, events: &[DomainEvent]) {
    w.open("history", &[]);
    for e in events {
        let seq = e.seq.to_string();
        let at = ts(e.at);
        let (kind, id) = actor(&e.actor);
        let mut attrs: Vec<(&str, &str)> = vec![
            ("seq", &seq),
            ("at", &at),
            ("type", e.kind.name()),
            ("actor", kind),
        ];
        if let Some(id) = id {
            attrs.push(("actorId", id));
        }
        match payload(&e.kind) {
            Some(p) => {
                w.open("event", &attrs);
                json_xml::write_root(w, &p);
                w.close();
            }
            None => w.empty("event", &attrs),
        }
    }
    w.close();
}
