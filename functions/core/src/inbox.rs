//! The caseworkers' inbox (`GET /v1/cases`): what a query asks for, what each case contributes
//! to the inbox indexes of both stores, and the counts per status and task. Pure: the stores
//! derive their index rows from [`InboxEntry::of`] and page with the sort keys defined here, so
//! both order and filter identically.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::model::{Case, Status, TaskKind};
use fallwerk_events::DeadlineKind;

/// Sort order of the inbox.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum InboxSort {
    /// Next due date of an open deadline first (cases without one last), then by receipt.
    #[default]
    Due,
    /// Oldest receipt first.
    Receipt,
}

/// Which cases: the open ones (default) or the final ones.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum InboxScope {
    #[default]
    Open,
    Closed,
}

/// Who the cases are assigned to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AssigneeFilter {
    /// Assigned to this account.
    Is(String),
    /// Assigned to nobody.
    Nobody,
}

/// An inbox query; every given criterion must hold (AND). Results: org units in the given
/// order, within one org unit by the sort key of `sort`; every matching case exactly once across
/// pages, also when cases change between pages (a case whose key moved behind the cursor shows
/// on a later page, one that moved before it is not repeated).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct InboxSearch {
    pub org_units: Vec<String>,
    pub scope: InboxScope,
    /// Any of these statuses (all of the scope when empty); must fit the scope.
    pub statuses: Vec<Status>,
    pub task: Option<TaskKind>,
    pub assignee: Option<AssigneeFilter>,
    pub overdue: Option<bool>,
    pub leika_id: Option<String>,
    /// Reference prefix or part of the applicant's name; compared as [`search_key`].
    pub search: Option<String>,
    pub sort: InboxSort,
    pub cursor: Option<String>,
    /// 1..=100; adapters clamp.
    pub limit: u32,
}

/// One inbox line: enough to show, sort and filter a case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct InboxItem {
    pub id: String,
    pub reference: String,
    pub status: Status,
    pub org_unit_id: String,
    pub leika_id: String,
    pub open_task: Option<TaskKind>,
    pub assignee: Option<String>,
    pub overdue: bool,
    pub received_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The earliest due day of the case's open deadlines (retention excluded).
    pub next_due: Option<NaiveDate>,
    /// Kind of that deadline.
    pub next_due_kind: Option<DeadlineKind>,
    /// Empty after the retention purge.
    pub applicant_name: String,
}

/// What a case contributes to the inbox indexes.
#[derive(Debug, Clone, PartialEq)]
pub struct InboxEntry {
    pub item: InboxItem,
    pub scope: InboxScope,
    /// Sort key for [`InboxSort::Due`]: `{next due or 9999-12-31}#{received}#{case id}`.
    pub due_key: String,
    /// Sort key for [`InboxSort::Receipt`]: `{received}#{case id}`.
    pub receipt_key: String,
    /// [`search_key`] of the applicant's name.
    pub name_key: String,
    /// [`search_key`] of the reference.
    pub reference_key: String,
}

impl InboxEntry {
    pub fn of(case: &Case) -> InboxEntry {
        let next = case
            .deadlines
            .iter()
            .filter(|d| d.open && d.kind != DeadlineKind::RetentionDue)
            .min_by_key(|d| d.due_on);
        let received = case
            .submission
            .received_at
            .to_rfc3339_opts(SecondsFormat::Nanos, true);
        let due = next.map_or_else(|| "9999-12-31".to_string(), |d| d.due_on.to_string());
        InboxEntry {
            scope: if case.status.is_final() {
                InboxScope::Closed
            } else {
                InboxScope::Open
            },
            due_key: format!("{due}#{received}#{}", case.id),
            receipt_key: format!("{received}#{}", case.id),
            name_key: search_key(&case.applicant.name),
            reference_key: search_key(&case.reference),
            item: InboxItem {
                id: case.id.clone(),
                reference: case.reference.clone(),
                status: case.status,
                org_unit_id: case.org_unit_id.clone(),
                leika_id: case.leika_id.clone(),
                open_task: case.open_task(),
                assignee: case.assignee.clone(),
                overdue: case.is_overdue(),
                received_at: case.submission.received_at,
                updated_at: case.updated_at,
                next_due: next.map(|d| d.due_on),
                next_due_kind: next.map(|d| d.kind),
                // The hint "Antragsteller nicht erkannt" for an unnamed applicant (issue 13).
                applicant_name: if case.personal_data_purged {
                    String::new()
                } else {
                    case.applicant.display_name().to_string()
                },
            },
        }
    }

    pub fn sort_key(&self, sort: InboxSort) -> &str {
        match sort {
            InboxSort::Due => &self.due_key,
            InboxSort::Receipt => &self.receipt_key,
        }
    }
}

/// The form in which names and references are compared: lower case, German umlauts and ß
/// spelled out (`ä` → `ae`, `ß` → `ss`), so "Müller" and "Mueller" find each other.
pub fn search_key(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 4);
    for c in text.trim().chars().flat_map(char::to_lowercase) {
        match c {
            'ä' => out.push_str("ae"),
            'ö' => out.push_str("oe"),
            'ü' => out.push_str("ue"),
            'ß' => out.push_str("ss"),
            c => out.push(c),
        }
    }
    out
}

impl InboxSearch {
    /// Whether an entry matches every criterion (the stores filter the same in SQL or
    /// DynamoDB expressions; this is the reference the contract suite checks them against).
    pub fn matches(&self, e: &InboxEntry) -> bool {
        let i = &e.item;
        e.scope == self.scope
            && (self.statuses.is_empty() || self.statuses.contains(&i.status))
            && self.task.is_none_or(|t| i.open_task == Some(t))
            && match &self.assignee {
                None => true,
                Some(AssigneeFilter::Nobody) => i.assignee.is_none(),
                Some(AssigneeFilter::Is(a)) => i.assignee.as_deref() == Some(a.as_str()),
            }
            && self.overdue.is_none_or(|o| i.overdue == o)
            && self.leika_id.as_ref().is_none_or(|l| &i.leika_id == l)
            && self.search.as_ref().is_none_or(|s| {
                let s = search_key(s);
                e.reference_key.starts_with(&s) || e.name_key.contains(&s)
            })
    }
}

/// Open cases of the caller's org units, counted.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct InboxCounts {
    pub open: u64,
    pub overdue: u64,
    pub unassigned: u64,
    pub by_status: BTreeMap<String, u64>,
    pub by_task: BTreeMap<String, u64>,
}

impl InboxCounts {
    /// Adds `n` open cases of one kind.
    pub fn add(
        &mut self,
        status: Status,
        task: Option<TaskKind>,
        overdue: bool,
        assigned: bool,
        n: u64,
    ) {
        self.open += n;
        if overdue {
            self.overdue += n;
        }
        if !assigned {
            self.unassigned += n;
        }
        *self.by_status.entry(status.as_str().into()).or_default() += n;
        if let Some(t) = task {
            *self.by_task.entry(t.as_str().into()).or_default() += n;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn umlauts_and_their_spelling_meet() {
        assert_eq!(search_key("Jürgen Müßig"), "juergen muessig");
        assert_eq!(search_key("JUERGEN"), "juergen");
        assert_eq!(search_key("ÄÖÜ"), "aeoeue");
        assert!(search_key("Bäcker").contains(&search_key("baeck")));
        assert!(search_key("Baecker").contains(&search_key("bäck")));
    }
}
