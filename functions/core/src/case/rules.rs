//! Which caseworker actions each status allows (the table in docs/ARCHITECTURE.md, "Case lifecycle").

use chrono::{DateTime, Utc};

use super::ActionName;
use crate::model::{Case, Service, Status};

/// Actions allowed in every non-final status.
const ANY_OPEN: [ActionName; 4] = [
    ActionName::Comment,
    ActionName::Message,
    ActionName::Assign,
    ActionName::Cancel,
];

/// The caseworker actions the case accepts at `now`, in the order of the process.
pub fn allowed_actions(case: &Case, service: &Service, now: DateTime<Utc>) -> Vec<ActionName> {
    let mut out: Vec<ActionName> = match case.status {
        Status::Received => vec![
            ActionName::ConfirmCompetence,
            ActionName::Forward,
            ActionName::CheckDocument,
        ],
        Status::CompletenessCheck => {
            vec![
                ActionName::ConfirmComplete,
                ActionName::RequestDocuments,
                ActionName::CheckDocument,
            ]
        }
        Status::AwaitingApplicant => {
            vec![
                ActionName::DocumentsArrived,
                ActionName::WithdrawRequest,
                ActionName::CheckDocument,
            ]
        }
        Status::InProgress => {
            let mut v = vec![ActionName::SetFollowUp, ActionName::CheckDocument];
            if case.extension.is_none() {
                v.insert(0, ActionName::Extend);
            }
            if service.export_target.is_some() {
                v.push(ActionName::Export);
            } else {
                v.push(ActionName::SendResult);
            }
            v
        }
        // An attempt that is still `exporting` after the export queue would have redelivered
        // it is stuck (its consumer died, or the queue lost it): the caseworker may start a
        // new attempt.
        Status::Exporting => match &case.export {
            Some(export) if export.stale(now, case.updated_at) => vec![ActionName::RetryExport],
            _ => vec![],
        },
        Status::Exported => vec![ActionName::SendResult],
        Status::ExportFailed => vec![ActionName::RetryExport],
        // After the decision: announcement by post and the appeal (docs/ARCHITECTURE.md).
        Status::Completed => {
            let mut v = vec![ActionName::Comment];
            v.extend(super::announce::allowed(case));
            return v;
        }
        Status::Cancelled => return vec![ActionName::Comment],
    };
    out.extend(ANY_OPEN);
    out
}
