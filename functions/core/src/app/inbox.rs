//! The inbox use cases: parse what a caseworker asks for (`GET /v1/cases`), restrict it to
//! their org units, page; and count the open cases per status and task.

use schemars::JsonSchema;
use serde::Deserialize;

use super::{App, AppError, require_caseworker};
use crate::case::Caller;
use crate::inbox::{AssigneeFilter, InboxCounts, InboxItem, InboxScope, InboxSearch, InboxSort};
use crate::model::{Status, TaskKind};
use crate::ports::Page;

/// Query of `GET /v1/cases`; every given criterion must hold.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InboxParams {
    /// Comma-separated statuses. Without it: all open cases. Final statuses
    /// (`completed`, `cancelled`) list closed cases and cannot be mixed with open ones.
    pub status: Option<String>,
    /// `open` (default) or `closed`.
    pub scope: Option<String>,
    pub task: Option<String>,
    /// An account id, `me` (the caller) or `none` (unassigned).
    pub assignee: Option<String>,
    pub overdue: Option<bool>,
    /// LeiKa id of the service.
    pub service: Option<String>,
    /// Reference prefix or part of the applicant's name (case-insensitive; `ä` finds `ae`).
    pub q: Option<String>,
    /// `due` (next due date, default) or `receipt`.
    pub sort: Option<String>,
    /// One org unit of the caller; all of them when absent.
    pub org_unit: Option<String>,
    pub cursor: Option<String>,
    /// 1..=100, default 50.
    pub limit: Option<u32>,
}

fn org_units(caller: &Caller, asked: Option<String>) -> Result<Vec<String>, AppError> {
    match asked {
        None => Ok(caller.org_units.clone()),
        Some(o) if caller.member_of(&o) => Ok(vec![o]),
        Some(o) => Err(AppError::Forbidden(format!(
            "not a member of org unit `{o}`"
        ))),
    }
}

impl InboxParams {
    /// The store query for `caller`; 422 for unknown values and contradictions, 403 for an
    /// org unit the caller does not belong to.
    pub fn into_search(self, caller: &Caller) -> Result<InboxSearch, AppError> {
        let mut statuses = Vec::new();
        for s in self.status.iter().flat_map(|s| s.split(',')) {
            let s = s.trim();
            if s.is_empty() {
                continue;
            }
            let st = Status::parse(s)
                .ok_or_else(|| AppError::invalid("status", format!("unknown status `{s}`")))?;
            if !statuses.contains(&st) {
                statuses.push(st);
            }
        }
        let finals = statuses.iter().filter(|s| s.is_final()).count();
        let derived = if finals > 0 && finals == statuses.len() {
            InboxScope::Closed
        } else {
            InboxScope::Open
        };
        if finals > 0 && finals < statuses.len() {
            return Err(AppError::invalid(
                "status",
                "final statuses (completed, cancelled) cannot be combined with open ones",
            ));
        }
        let scope = match self.scope.as_deref() {
            None => derived,
            Some("open") if finals == 0 => InboxScope::Open,
            Some("closed") if finals == statuses.len() => InboxScope::Closed,
            Some("open" | "closed") => {
                return Err(AppError::invalid(
                    "scope",
                    "does not fit the statuses asked for",
                ));
            }
            Some(_) => return Err(AppError::invalid("scope", "must be `open` or `closed`")),
        };
        let task = self
            .task
            .map(|t| TaskKind::parse(&t).ok_or_else(|| AppError::invalid("task", "unknown task")))
            .transpose()?;
        let assignee = match self.assignee.as_deref().map(str::trim) {
            None => None,
            Some("none") => Some(AssigneeFilter::Nobody),
            Some("me") => Some(AssigneeFilter::Is(
                caller
                    .account()
                    .ok_or_else(|| {
                        AppError::invalid("assignee", "`me` needs a caseworker account")
                    })?
                    .to_string(),
            )),
            Some("") => return Err(AppError::invalid("assignee", "must not be empty")),
            Some(a) => Some(AssigneeFilter::Is(a.to_string())),
        };
        let sort = match self.sort.as_deref() {
            None | Some("due") => InboxSort::Due,
            Some("receipt") => InboxSort::Receipt,
            Some(_) => return Err(AppError::invalid("sort", "must be `due` or `receipt`")),
        };
        let search = match self.q.map(|q| q.trim().to_string()) {
            Some(q) if q.chars().count() > 100 => {
                return Err(AppError::invalid("q", "at most 100 characters"));
            }
            Some(q) if !q.is_empty() => Some(q),
            _ => None,
        };
        Ok(InboxSearch {
            org_units: org_units(caller, self.org_unit)?,
            scope,
            statuses,
            task,
            assignee,
            overdue: self.overdue,
            leika_id: self.service.filter(|s| !s.is_empty()),
            search,
            sort,
            cursor: self.cursor,
            limit: self.limit.unwrap_or(50).clamp(1, 100),
        })
    }
}

impl App {
    /// The inbox of the caller's org units (`GET /v1/cases`).
    pub async fn search_inbox(
        &self,
        caller: &Caller,
        params: InboxParams,
    ) -> Result<Page<InboxItem>, AppError> {
        require_caseworker(caller)?;
        let query = params.into_search(caller)?;
        Ok(self.store.search_inbox(&query).await?)
    }

    /// Open cases of the caller's org units (or of one of them) per status and task.
    pub async fn inbox_counts(
        &self,
        caller: &Caller,
        org_unit: Option<String>,
    ) -> Result<InboxCounts, AppError> {
        require_caseworker(caller)?;
        let ous = org_units(caller, org_unit)?;
        Ok(self.store.inbox_counts(&ous).await?)
    }
}
