//! The inbox page (`/`): the cases of the user's org units with filters, paging and what is due;
//! overdue and soon-due cases stand out in words, not only in colour.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::NaiveDate;
use minijinja::context;
use serde::Deserialize;

use super::error_page;
use super::labels;
use super::render;
use super::session::User;
use crate::ApiState;
use crate::problem::Problem;
use fallwerk_core::model::{Status, TaskKind};
use fallwerk_core::ports::{CaseSummary, InboxQuery};

/// Days before the due date from which a case counts as "bald fällig".
pub const SOON_DAYS: i64 = 3;

#[derive(Debug, Default, Deserialize)]
pub struct InboxParams {
    pub status: Option<String>,
    pub task: Option<String>,
    /// `me`, `none` or empty.
    pub assignee: Option<String>,
    /// `1` for overdue only.
    pub overdue: Option<String>,
    pub cursor: Option<String>,
}

/// How urgent a case is today.
pub fn urgency(c: &CaseSummary, today: NaiveDate) -> &'static str {
    if c.overdue || c.processing_due.is_some_and(|d| d < today) {
        "overdue"
    } else if c
        .processing_due
        .is_some_and(|d| (d - today).num_days() <= SOON_DAYS)
    {
        "soon"
    } else {
        ""
    }
}

pub async fn page(
    State(state): State<ApiState>,
    user: User,
    params: Result<Query<InboxParams>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let session = &user.session;
    let p = params.map(|Query(p)| p).unwrap_or_default();
    let blank = |v: &Option<String>| v.as_deref().filter(|s| !s.is_empty()).map(str::to_string);
    let status = blank(&p.status).and_then(|s| Status::parse(&s));
    let task = blank(&p.task).and_then(|t| TaskKind::parse(&t));
    let assignee_filter = blank(&p.assignee);
    let assignee = match assignee_filter.as_deref() {
        Some("me") => Some(user.user.account_id.clone()),
        _ => None,
    };
    let overdue = p.overdue.as_deref() == Some("1");
    let query = InboxQuery {
        org_units: Vec::new(),
        status,
        task,
        assignee,
        overdue: overdue.then_some(true),
        cursor: blank(&p.cursor),
        limit: 50,
    };
    let page = match state.app.inbox(&user.user.caller, query).await {
        Ok(page) => page,
        Err(e) => return error_page::problem_page(session, &Problem::from(e), None),
    };
    let today = fallwerk_core::deadline::berlin_date(state.app.clock.now());
    let rows: Vec<_> = page
        .items
        .iter()
        .filter(|c| assignee_filter.as_deref() != Some("none") || c.assignee.is_none())
        .map(|c| {
            context! {
                id => c.id,
                reference => c.reference,
                status => labels::status(c.status),
                task => c.open_task.map(labels::task),
                assignee => c.assignee,
                mine => c.assignee.as_deref() == Some(user.user.account_id.as_str()),
                leika_id => c.leika_id,
                org_unit_id => c.org_unit_id,
                due => c.processing_due.map(labels::date),
                urgency => urgency(c, today),
                received => labels::instant(c.received_at),
            }
        })
        .collect();
    let statuses: Vec<_> = Status::ALL
        .iter()
        .map(|s| context! { value => s.as_str(), label => labels::status(*s) })
        .collect();
    let tasks: Vec<_> = [
        TaskKind::CompetenceCheck,
        TaskKind::CompletenessCheck,
        TaskKind::DeadlineMonitoring,
        TaskKind::Export,
        TaskKind::SendResult,
    ]
    .iter()
    .map(|t| context! { value => t.as_str(), label => labels::task(*t) })
    .collect();
    let mut next_query = Vec::new();
    if let Some(next) = &page.next_cursor {
        for (k, v) in [
            ("status", status.map(|s| s.as_str().to_string())),
            ("task", task.map(|t| t.as_str().to_string())),
            ("assignee", assignee_filter.clone()),
            ("overdue", overdue.then(|| "1".to_string())),
            ("cursor", Some(next.clone())),
        ] {
            if let Some(v) = v {
                next_query.push(format!("{k}={}", super::form::urlencode(&v)));
            }
        }
    }
    render::page(
        StatusCode::OK,
        "inbox.html",
        session,
        "Posteingang",
        context! {
            rows,
            statuses,
            tasks,
            filter => context! {
                status => status.map(|s| s.as_str()),
                task => task.map(|t| t.as_str()),
                assignee => assignee_filter,
                overdue,
            },
            next => (!next_query.is_empty()).then(|| format!("/?{}", next_query.join("&"))),
            today => labels::date(today),
            nav => "inbox",
        },
    )
}
