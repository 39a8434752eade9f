//! The case's checklist of documents (Checkliste der Unterlagen): the service's required
//! documents plus what the open request names, each received or missing, ticked by whom and when.

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Case, Service};

/// The latest tick of one document, as the `document_checked` events left it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct DocumentCheck {
    pub document: String,
    pub received: bool,
    /// The caseworker account that ticked it.
    pub by: String,
    pub at: DateTime<Utc>,
    /// Internal note (e.g. "per Post am 3.3."); removed by the retention purge.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// One line of the checklist as a caseworker sees it.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct ChecklistItem {
    pub document: String,
    /// Named by the service's `required_documents`.
    pub required: bool,
    /// Named by the open document request.
    pub requested: bool,
    pub received: bool,
    pub checked_by: Option<String>,
    pub checked_at: Option<DateTime<Utc>>,
    pub note: Option<String>,
}

/// The documents that may be ticked: the service's required ones, then those the open request
/// names, then any ticked before (a request since answered), each once, in that order.
pub fn checklist_documents(case: &Case, service: &Service) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let requested = case.document_request.iter().flat_map(|r| r.items.iter());
    let ticked = case.document_checks.iter().map(|c| &c.document);
    for d in service
        .required_documents
        .iter()
        .chain(requested)
        .chain(ticked)
    {
        if !out.contains(d) {
            out.push(d.clone());
        }
    }
    out
}

/// The case's checklist.
pub fn checklist(case: &Case, service: &Service) -> Vec<ChecklistItem> {
    checklist_documents(case, service)
        .into_iter()
        .map(|document| {
            let check = case.document_checks.iter().find(|c| c.document == document);
            ChecklistItem {
                required: service.required_documents.contains(&document),
                requested: case
                    .document_request
                    .as_ref()
                    .is_some_and(|r| r.items.contains(&document)),
                received: check.is_some_and(|c| c.received),
                checked_by: check.map(|c| c.by.clone()),
                checked_at: check.map(|c| c.at),
                note: check.and_then(|c| c.note.clone()),
                document,
            }
        })
        .collect()
}

/// What `request_documents` should ask for: the service's required documents not yet received.
pub fn missing_documents(case: &Case, service: &Service) -> Vec<String> {
    service
        .required_documents
        .iter()
        .filter(|d| {
            !case
                .document_checks
                .iter()
                .any(|c| &c.document == *d && c.received)
        })
        .cloned()
        .collect()
}
