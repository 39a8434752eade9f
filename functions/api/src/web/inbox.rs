//! The inbox page (`/`): the open (or closed) cases of the user's org units with the inbox's
//! filters, search (reference or applicant name), sort, counts and paging; overdue and soon-due
//! cases stand out in words, not only in colour.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::NaiveDate;
use minijinja::context;
use serde::Deserialize;

use super::error_page;
use super::form::urlencode;
use super::labels;
use super::names::Names;
use super::render;
use super::session::User;
use crate::ApiState;
use crate::problem::Problem;
use fallwerk_core::app::InboxParams;
use fallwerk_core::inbox::InboxItem;
use fallwerk_core::model::{Status, TaskKind};

/// Days before the due date from which a case counts as "bald fällig".
pub const SOON_DAYS: i64 = 3;

/// The page's query: the form's fields (all optional, empty means "any").
#[derive(Debug, Default, Clone, Deserialize)]
pub struct Filters {
    pub q: Option<String>,
    pub status: Option<String>,
    pub task: Option<String>,
    /// `me`, `none` or empty.
    pub assignee: Option<String>,
    /// `1` for overdue only.
    pub overdue: Option<String>,
    /// `due` (default) or `receipt`.
    pub sort: Option<String>,
    pub cursor: Option<String>,
}

fn blank(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

impl Filters {
    fn params(&self) -> InboxParams {
        InboxParams {
            status: blank(&self.status),
            task: blank(&self.task),
            assignee: blank(&self.assignee),
            overdue: (self.overdue.as_deref() == Some("1")).then_some(true),
            q: blank(&self.q),
            sort: blank(&self.sort),
            cursor: blank(&self.cursor),
            limit: Some(50),
            ..Default::default()
        }
    }

    /// The query string of these filters with another cursor.
    fn with_cursor(&self, cursor: &str) -> String {
        let mut parts = Vec::new();
        for (k, v) in [
            ("q", blank(&self.q)),
            ("status", blank(&self.status)),
            ("task", blank(&self.task)),
            ("assignee", blank(&self.assignee)),
            ("overdue", blank(&self.overdue)),
            ("sort", blank(&self.sort)),
            ("cursor", Some(cursor.to_string())),
        ] {
            if let Some(v) = v {
                parts.push(format!("{k}={}", urlencode(&v)));
            }
        }
        format!("/?{}", parts.join("&"))
    }
}

/// How urgent a case is today: `overdue`, `soon` or nothing.
pub fn urgency(overdue: bool, due: Option<NaiveDate>, today: NaiveDate) -> &'static str {
    if overdue || due.is_some_and(|d| d < today) {
        "overdue"
    } else if due.is_some_and(|d| (d - today).num_days() <= SOON_DAYS) {
        "soon"
    } else {
        ""
    }
}

/// One row of a case list (inbox, deadlines).
pub fn row(c: &InboxItem, me: &str, today: NaiveDate, names: &Names) -> minijinja::Value {
    context! {
        id => c.id,
        reference => c.reference,
        applicant => c.applicant_name,
        status => labels::status(c.status),
        task => c.open_task.map(labels::task),
        assignee => c.assignee.as_deref().map(|id| names.of_id(id)),
        mine => c.assignee.as_deref() == Some(me),
        leika_id => c.leika_id,
        org_unit_id => c.org_unit_id,
        due => c.next_due.map(labels::date),
        due_kind => c.next_due_kind.map(|k| k.label_de()),
        urgency => urgency(c.overdue, c.next_due, today),
        received => labels::instant(c.received_at),
    }
}

pub async fn page(
    State(state): State<ApiState>,
    user: User,
    params: Result<Query<Filters>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let session = &user.session;
    let f = params.map(|Query(p)| p).unwrap_or_default();
    let caller = &user.user.caller;
    let (page, counts) = match (
        state.app.search_inbox(caller, f.params()).await,
        state.app.inbox_counts(caller, None).await,
    ) {
        (Ok(p), Ok(c)) => (p, c),
        (Err(e), _) | (_, Err(e)) => {
            return error_page::problem_page(session, &Problem::from(e), None);
        }
    };
    let today = fallwerk_core::deadline::berlin_date(state.app.clock.now());
    let me = user.user.account_id.as_str();
    let names = Names::of(
        &state.app,
        page.items.iter().filter_map(|c| c.assignee.as_deref()),
    )
    .await;
    let rows: Vec<_> = page
        .items
        .iter()
        .map(|c| row(c, me, today, &names))
        .collect();
    let statuses: Vec<_> = Status::ALL
        .iter()
        .map(|s| {
            context! {
                value => s.as_str(),
                label => labels::status(*s),
                count => counts.by_status.get(s.as_str()).copied(),
            }
        })
        .collect();
    let tasks: Vec<_> = [
        TaskKind::CompetenceCheck,
        TaskKind::CompletenessCheck,
        TaskKind::DeadlineMonitoring,
        TaskKind::Export,
        TaskKind::SendResult,
        TaskKind::SendByPost,
    ]
    .iter()
    .map(|t| {
        context! {
            value => t.as_str(),
            label => labels::task(*t),
            count => counts.by_task.get(t.as_str()).copied(),
        }
    })
    .collect();
    render::page(
        StatusCode::OK,
        "inbox.html",
        session,
        "Posteingang",
        context! {
            rows,
            statuses,
            tasks,
            counts => context! { open => counts.open, overdue => counts.overdue, unassigned => counts.unassigned },
            filter => context! {
                q => blank(&f.q),
                status => blank(&f.status),
                task => blank(&f.task),
                assignee => blank(&f.assignee),
                overdue => f.overdue.as_deref() == Some("1"),
                sort => blank(&f.sort).unwrap_or_else(|| "due".into()),
            },
            next => page.next_cursor.as_deref().map(|c| f.with_cursor(c)),
            today => labels::date(today),
            nav => "inbox",
        },
    )
}
