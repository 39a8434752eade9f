//! The deadlines page (`/deadlines`): the open cases of the user and of their org units by
//! their next due date (the inbox sorted by due date), overdue first.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use minijinja::context;

use super::error_page;
use super::inbox::row;
use super::labels;
use super::names::Names;
use super::render;
use super::session::User;
use crate::ApiState;
use crate::problem::Problem;
use fallwerk_core::app::InboxParams;

/// Cases per list.
pub const LIMIT: u32 = 100;

pub async fn page(State(state): State<ApiState>, user: User) -> Response {
    let caller = &user.user.caller;
    let params = |assignee: Option<&str>| InboxParams {
        assignee: assignee.map(str::to_string),
        sort: Some("due".into()),
        limit: Some(LIMIT),
        ..Default::default()
    };
    let (mine, all) = match (
        state.app.search_inbox(caller, params(Some("me"))).await,
        state.app.search_inbox(caller, params(None)).await,
    ) {
        (Ok(m), Ok(a)) => (m, a),
        (Err(e), _) | (_, Err(e)) => {
            return error_page::problem_page(&user.session, &Problem::from(e), None);
        }
    };
    let today = fallwerk_core::deadline::berlin_date(state.app.clock.now());
    let me = user.user.account_id.as_str();
    let names = Names::of(
        &state.app,
        mine.items
            .iter()
            .chain(&all.items)
            .filter_map(|c| c.assignee.as_deref()),
    )
    .await;
    render::page(
        StatusCode::OK,
        "deadlines.html",
        &user.session,
        "Fristen",
        context! {
            mine => mine.items.iter().map(|c| row(c, me, today, &names)).collect::<Vec<_>>(),
            all => all.items.iter().map(|c| row(c, me, today, &names)).collect::<Vec<_>>(),
            more_mine => mine.next_cursor.is_some(),
            more_all => all.next_cursor.is_some(),
            limit => LIMIT,
            today => labels::date(today),
            nav => "deadlines",
        },
    )
}
