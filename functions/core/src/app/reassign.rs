//! A supervisor hands all open cases of one user to another (or to nobody) in one request:
//! each case gets its own `assign` command and event; the report lists what moved and what
//! could not, with the reason. An unknown or deactivated target refuses the whole request.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{App, AppError};
use crate::case::{Action, Caller, Role};
use crate::inbox::{AssigneeFilter, InboxScope, InboxSearch};

/// What `POST /v1/cases/reassign` asks for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReassignRequest {
    /// The current assignee whose open cases move.
    pub from: String,
    /// The new assignee (an active member of each case's org unit), or `null`: nobody.
    pub to: Option<String>,
    /// Only the cases of this org unit; default: all of the supervisor's org units.
    #[serde(default)]
    pub org_unit_id: Option<String>,
}

/// One case that moved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Moved {
    pub case_id: String,
    pub reference: String,
    /// The case version after its `assign` event.
    pub version: u64,
}

/// One case that stayed, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct NotMoved {
    pub case_id: String,
    pub reference: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
pub struct ReassignReport {
    pub moved: Vec<Moved>,
    pub not_moved: Vec<NotMoved>,
}

impl App {
    /// Reassigns every open case of `from` in the supervisor's org units.
    pub async fn reassign_all(
        &self,
        caller: &Caller,
        request: ReassignRequest,
    ) -> Result<ReassignReport, AppError> {
        if !caller.has(Role::Supervisor) {
            return Err(AppError::Forbidden("this needs the role supervisor".into()));
        }
        let org_units = match &request.org_unit_id {
            Some(ou) if !caller.member_of(ou) => {
                return Err(AppError::Forbidden(format!(
                    "not a member of org unit `{ou}`"
                )));
            }
            Some(ou) => vec![ou.clone()],
            None => caller.org_units.clone(),
        };
        // A target that can never take a case is the request's fault (422 `unknown-user`),
        // not a per-case outcome; membership is still checked per case (org units differ).
        if let Some(to) = &request.to {
            match self.store.user(to).await? {
                Some(u) if u.active => {}
                Some(_) => {
                    return Err(AppError::UnknownUser(format!("user `{to}` is deactivated")));
                }
                None => return Err(AppError::UnknownUser(format!("unknown user `{to}`"))),
            }
        }
        // Collect first, then act: acting changes the listing's order under the cursor. The
        // inbox index lists the open scope of each org unit only (closed cases are not read);
        // the assignee is a filter within that scope.
        let mut open = Vec::new();
        let mut cursor = None;
        loop {
            let page = self
                .store
                .search_inbox(&InboxSearch {
                    org_units: org_units.clone(),
                    scope: InboxScope::Open,
                    assignee: Some(AssigneeFilter::Is(request.from.clone())),
                    cursor: cursor.take(),
                    limit: 100,
                    ..InboxSearch::default()
                })
                .await?;
            open.extend(page.items);
            match page.next_cursor {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        let mut report = ReassignReport::default();
        for summary in open {
            let outcome = match self.store.load_case(&summary.id).await? {
                Some(case) if case.assignee.as_deref() == Some(request.from.as_str()) => {
                    self.act(
                        caller,
                        &case.id,
                        case.version,
                        Action::Assign {
                            user: request.to.clone(),
                        },
                    )
                    .await
                }
                _ => Err(AppError::Conflict),
            };
            match outcome {
                Ok(view) => report.moved.push(Moved {
                    case_id: summary.id,
                    reference: summary.reference,
                    version: view.case.version,
                }),
                Err(AppError::Store(e)) => return Err(AppError::Store(e)),
                Err(e) => report.not_moved.push(NotMoved {
                    case_id: summary.id,
                    reference: summary.reference,
                    reason: e.to_string(),
                }),
            }
        }
        Ok(report)
    }
}
