//! Which caseworker actions each status allows (the table in docs/ARCHITECTURE.md, "Case lifecycle").

use chrono::{DateTime, Utc};

use crate::model::{Case, Service, Status};

/// Actions allowed in every non-final status.
const ANY_OPEN: [&str; 4] = ["comment", "message", "assign", "cancel"];

/// The caseworker actions the case accepts at `now`, in the order of the process.
pub fn allowed_actions(case: &Case, service: &Service, now: DateTime<Utc>) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = match case.status {
        Status::Received => vec!["confirm_competence", "forward", "check_document"],
        Status::CompletenessCheck => {
            vec!["confirm_complete", "request_documents", "check_document"]
        }
        Status::AwaitingApplicant => {
            vec!["documents_arrived", "withdraw_request", "check_document"]
        }
        Status::InProgress => {
            let mut v = vec!["set_follow_up", "check_document"];
            if case.extension.is_none() {
                v.insert(0, "extend");
            }
            if service.export_target.is_some() {
                v.push("export");
            } else {
                v.push("send_result");
            }
            v
        }
        // An attempt that is still `exporting` after the export queue would have redelivered
        // it is stuck (its consumer died, or the queue lost it): the caseworker may start a
        // new attempt.
        Status::Exporting => match &case.export {
            Some(export) if export.stale(now, case.updated_at) => vec!["retry_export"],
            _ => vec![],
        },
        Status::Exported => vec!["send_result"],
        Status::ExportFailed => vec!["retry_export"],
        // After the decision: announcement by post and the appeal (docs/ARCHITECTURE.md).
        Status::Completed => {
            let mut v = vec!["comment"];
            v.extend(super::announce::allowed(case));
            return v;
        }
        Status::Cancelled => return vec!["comment"],
    };
    out.extend(ANY_OPEN);
    out
}
