//! The German e-mail templates (minijinja, embedded at build time): one `.txt` (blocks `subject`
//! and `body`) and one `.html` per [`MailKind`], on three layouts — org unit notices, deadline
//! reminders and applicant notices. `.html` templates are HTML-escaped automatically.
//!
//! Applicant notices only say that there is news in the portal postbox: the variables they get
//! ([`MailVars`]) hold no form data, no document contents and no caseworker text.

use std::sync::OnceLock;

use minijinja::{Environment, UndefinedBehavior};
use serde::Serialize;

/// Every e-mail fallwerk sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MailKind {
    OrgUnitNewCase,
    OrgUnitForwardedIn,
    OrgUnitApplicantReplied,
    OrgUnitExportFailed,
    /// A notice about the case could not be delivered (rejected or bounced).
    OrgUnitNotificationFailed,
    ApplicantReceived,
    ApplicantForwarded,
    ApplicantDocumentsRequested,
    ApplicantReplyReminder,
    ApplicantMessage,
    ApplicantExtended,
    ApplicantCancelled,
    ApplicantResult,
    ReminderWarning,
    ReminderDue,
    ReminderEscalation,
    /// A case was assigned to a caseworker by someone else (to their personal address).
    AssigneeAssigned,
}

impl MailKind {
    pub const ALL: [MailKind; 17] = [
        MailKind::OrgUnitNewCase,
        MailKind::OrgUnitForwardedIn,
        MailKind::OrgUnitApplicantReplied,
        MailKind::OrgUnitExportFailed,
        MailKind::OrgUnitNotificationFailed,
        MailKind::ApplicantReceived,
        MailKind::ApplicantForwarded,
        MailKind::ApplicantDocumentsRequested,
        MailKind::ApplicantReplyReminder,
        MailKind::ApplicantMessage,
        MailKind::ApplicantExtended,
        MailKind::ApplicantCancelled,
        MailKind::ApplicantResult,
        MailKind::ReminderWarning,
        MailKind::ReminderDue,
        MailKind::ReminderEscalation,
        MailKind::AssigneeAssigned,
    ];

    /// The template's base name (`{name}.txt`, `{name}.html`).
    pub fn name(self) -> &'static str {
        match self {
            MailKind::OrgUnitNewCase => "org_unit_new_case",
            MailKind::OrgUnitForwardedIn => "org_unit_forwarded_in",
            MailKind::OrgUnitApplicantReplied => "org_unit_applicant_replied",
            MailKind::OrgUnitExportFailed => "org_unit_export_failed",
            MailKind::OrgUnitNotificationFailed => "org_unit_notification_failed",
            MailKind::ApplicantReceived => "applicant_received",
            MailKind::ApplicantForwarded => "applicant_forwarded",
            MailKind::ApplicantDocumentsRequested => "applicant_documents_requested",
            MailKind::ApplicantReplyReminder => "applicant_reply_reminder",
            MailKind::ApplicantMessage => "applicant_message",
            MailKind::ApplicantExtended => "applicant_extended",
            MailKind::ApplicantCancelled => "applicant_cancelled",
            MailKind::ApplicantResult => "applicant_result",
            MailKind::ReminderWarning => "reminder_warning",
            MailKind::ReminderDue => "reminder_due",
            MailKind::ReminderEscalation => "reminder_escalation",
            MailKind::AssigneeAssigned => "assignee_assigned",
        }
    }

    /// True for the notices that go to the applicant.
    pub fn to_applicant(self) -> bool {
        self.name().starts_with("applicant_")
    }
}

/// What the templates may show. Dates are already formatted `dd.mm.yyyy`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct MailVars {
    pub reference: String,
    pub org_unit_name: String,
    pub service_name: String,
    /// `{caseworker_url}/cases/{case_id}` (org unit notices and reminders).
    pub case_link: String,
    /// `{portal_url}/postfach/{postbox_ref or reference}` (applicant notices).
    pub postbox_link: String,
    pub deadline_label: Option<String>,
    pub due_on: Option<String>,
    /// Account id of the assigned caseworker (reminders).
    pub assignee: Option<String>,
    pub reply_by: Option<String>,
    pub until: Option<String>,
    /// The technical export error (org unit notice only).
    pub error: Option<String>,
    /// How many documents came with the result into the postbox (result notice only).
    pub documents: usize,
}

/// A rendered e-mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

macro_rules! sources {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../templates/", $name)))),*]
    };
}

const SOURCES: &[(&str, &str)] = sources![
    "layout.html",
    "org_unit.txt",
    "org_unit.html",
    "reminder.txt",
    "reminder.html",
    "applicant.txt",
    "applicant.html",
    "org_unit_new_case.txt",
    "org_unit_new_case.html",
    "org_unit_forwarded_in.txt",
    "org_unit_forwarded_in.html",
    "org_unit_applicant_replied.txt",
    "org_unit_applicant_replied.html",
    "org_unit_export_failed.txt",
    "org_unit_export_failed.html",
    "org_unit_notification_failed.txt",
    "org_unit_notification_failed.html",
    "applicant_received.txt",
    "applicant_received.html",
    "applicant_forwarded.txt",
    "applicant_forwarded.html",
    "applicant_documents_requested.txt",
    "applicant_documents_requested.html",
    "applicant_reply_reminder.txt",
    "applicant_reply_reminder.html",
    "applicant_message.txt",
    "applicant_message.html",
    "applicant_extended.txt",
    "applicant_extended.html",
    "applicant_cancelled.txt",
    "applicant_cancelled.html",
    "applicant_result.txt",
    "applicant_result.html",
    "reminder_warning.txt",
    "reminder_warning.html",
    "reminder_due.txt",
    "reminder_due.html",
    "reminder_escalation.txt",
    "reminder_escalation.html",
    "assignee_assigned.txt",
    "assignee_assigned.html",
];

/// A template failed to load or render (a bug in a template, caught by the unit tests).
#[derive(Debug, Clone, thiserror::Error)]
#[error("e-mail template failed: {0}")]
pub struct TemplateError(String);

impl From<minijinja::Error> for TemplateError {
    fn from(e: minijinja::Error) -> Self {
        TemplateError(format!("{e:#}"))
    }
}

fn env() -> &'static Result<Environment<'static>, TemplateError> {
    static ENV: OnceLock<Result<Environment<'static>, TemplateError>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_trim_blocks(true);
        env.set_lstrip_blocks(true);
        env.add_filter("href", href);
        // The default auto-escape callback escapes `.html` templates and leaves `.txt` alone.
        for (name, source) in SOURCES {
            env.add_template(name, source)?;
        }
        Ok(env)
    })
}

/// Renders subject, text and HTML of `kind`.
pub fn render(kind: MailKind, vars: &MailVars) -> Result<Rendered, TemplateError> {
    let env = env().as_ref().map_err(Clone::clone)?;
    let txt = env.get_template(&format!("{}.txt", kind.name()))?;
    let mut captured = txt.render_captured(vars)?;
    let subject = one_line(&captured.with_state_mut(|state| state.render_block("subject"))?);
    let text = tidy(captured.output());
    let html = env.get_template(&format!("{}.html", kind.name()))?.render(
        minijinja::context! { subject => &subject, ..minijinja::Value::from_serialize(vars) },
    )?;
    Ok(Rendered {
        subject,
        text,
        html,
    })
}

/// Escapes a URL for an HTML attribute without touching `/` (minijinja's HTML escaping
/// writes `&#x2f;`, valid but unreadable in the source of the mail).
fn href(url: String) -> minijinja::Value {
    let mut out = String::with_capacity(url.len());
    for c in url.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    minijinja::Value::from_safe_string(out)
}

/// A subject is one line: no header injection through a value with a line break.
fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Trims the body and collapses runs of blank lines left by template tags.
fn tidy(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut blank = 0;
    for line in s.trim().lines() {
        let line = line.trim_end();
        if line.is_empty() {
            blank += 1;
            if blank > 1 {
                continue;
            }
        } else {
            blank = 0;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests;
