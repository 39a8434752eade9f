//! The deadlines page (`/deadlines`): the open cases of the user and of their org units, by
//! the next due date of the processing period, overdue first. It reads at most
//! [`MAX_CASES`] cases of the inbox (pages of 100) and says so when there are more.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use minijinja::context;

use super::error_page;
use super::inbox::urgency;
use super::labels;
use super::render;
use super::session::User;
use crate::ApiState;
use crate::problem::Problem;
use fallwerk_core::ports::{CaseSummary, InboxQuery};

/// The most cases the page reads.
pub const MAX_CASES: usize = 1000;

pub async fn page(State(state): State<ApiState>, user: User) -> Response {
    let mut cases: Vec<CaseSummary> = Vec::new();
    let mut cursor = None;
    let mut truncated = false;
    loop {
        let query = InboxQuery {
            org_units: Vec::new(),
            status: None,
            task: None,
            assignee: None,
            overdue: None,
            cursor: cursor.take(),
            limit: 100,
        };
        let page = match state.app.inbox(&user.user.caller, query).await {
            Ok(p) => p,
            Err(e) => return error_page::problem_page(&user.session, &Problem::from(e), None),
        };
        cases.extend(page.items.into_iter().filter(|c| !c.status.is_final()));
        match page.next_cursor {
            Some(next) if cases.len() < MAX_CASES => cursor = Some(next),
            Some(_) => {
                truncated = true;
                break;
            }
            None => break,
        }
    }
    // No due date last; ties by receipt.
    cases.sort_by_key(|c| (c.processing_due.is_none(), c.processing_due, c.received_at));
    let today = fallwerk_core::deadline::berlin_date(state.app.clock.now());
    let me = user.user.account_id.as_str();
    let row = |c: &CaseSummary| {
        context! {
            id => c.id,
            reference => c.reference,
            status => labels::status(c.status),
            task => c.open_task.map(labels::task),
            due => c.processing_due.map(labels::date),
            urgency => urgency(c, today),
            assignee => c.assignee,
            org_unit_id => c.org_unit_id,
        }
    };
    let mine: Vec<_> = cases
        .iter()
        .filter(|c| c.assignee.as_deref() == Some(me))
        .map(row)
        .collect();
    let all: Vec<_> = cases.iter().map(row).collect();
    render::page(
        StatusCode::OK,
        "deadlines.html",
        &user.session,
        "Fristen",
        context! { mine, all, truncated, max => MAX_CASES, today => labels::date(today), nav => "deadlines" },
    )
}
