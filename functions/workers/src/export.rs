//! The export consumer: builds the package of a case in `exporting` and delivers it to the
//! service's target. Success stores the receipt (`exported`); a permanent failure, or a transient
//! one on the last allowed receive, sets `export_failed` (the core then notifies the org unit).
//! Runs the consumer protocol ([`crate::protocol`]): the claim holds a lease and is confirmed
//! only after the receipt is stored, so a crash after the delivery makes the redelivery deliver
//! again (the package name is the same: the receiver overwrites or deduplicates) and store the
//! receipt. Idempotent by status too: a case that is no longer `exporting` for this attempt is
//! left alone, and a receipt stored before counts as done.

mod case_xml;
mod form_fields;
mod format;
mod json_xml;
mod package;
mod xml;

pub use crate::sinks::{ExportSinks, target_kind};
pub use case_xml::NAMESPACE as CASE_XML_NAMESPACE;
pub use format::{
    AttachmentRef, FORMAT_NAME, FORMAT_VERSION, Manifest, ManifestFile, NamedRef, package_name,
};
pub use package::{BuildError, build_package};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use fallwerk_core::case::Command;
use fallwerk_core::model::{Case, Status};
use fallwerk_core::ports::{ExportError, ExportSink};
use fallwerk_events::{DomainEvent, EventKind, ExportRequested};

use crate::ctx::{Outcome, WorkerCtx};
use crate::protocol::{self, Consumer, Work};
use crate::record::{self, Recorded, bounded};

/// Handles one `ExportRequested` delivered for the `receive_count`-th time (1 = first).
pub async fn handle_export(ctx: &WorkerCtx, req: &ExportRequested, receive_count: u32) -> Outcome {
    let mut run = Run {
        ctx,
        req,
        case: None,
    };
    let case = match ctx.app.case_for_work(&req.case_id).await {
        Ok(Some(case)) => case,
        Ok(None) => {
            tracing::info!(
                case_id = req.case_id,
                "export of a case that does not exist; dropped"
            );
            return Outcome::Done;
        }
        Err(e) => {
            let error = format!("cannot load the case: {e}");
            return protocol::failed(ctx, &run, receive_count, error).await;
        }
    };
    let current_attempt = case.export.as_ref().map(|e| e.attempts);
    if case.status != Status::Exporting || current_attempt != Some(req.attempt) {
        tracing::info!(
            case_id = req.case_id,
            status = case.status.as_str(),
            attempt = req.attempt,
            "case is not exporting this attempt; nothing to deliver"
        );
        return Outcome::Done;
    }
    run.case = Some(case);
    protocol::run(ctx, &run, receive_count).await
}

/// When attempt `attempt` was requested, from the history.
fn requested_at(history: &[DomainEvent], attempt: u32) -> Option<DateTime<Utc>> {
    history.iter().rev().find_map(|e| match &e.kind {
        EventKind::ExportRequested { attempt: a, .. } if *a == attempt => Some(e.at),
        _ => None,
    })
}

/// One export attempt of a case.
struct Run<'a> {
    ctx: &'a WorkerCtx,
    req: &'a ExportRequested,
    /// The case as loaded, in `exporting` for this attempt (None before it was loaded).
    case: Option<Case>,
}

fn transient(error: String) -> Work {
    Work::Failed {
        error,
        permanent: false,
    }
}

#[async_trait]
impl Consumer for Run<'_> {
    fn message_id(&self) -> &str {
        &self.req.message_id
    }

    fn case_id(&self) -> &str {
        &self.req.case_id
    }

    async fn work(&self) -> Work {
        let (ctx, req) = (self.ctx, self.req);
        let Some(case) = &self.case else {
            return Work::Done;
        };
        let history = match ctx.app.whole_history(&case.id).await {
            Ok(h) => h,
            Err(e) => return transient(format!("cannot load the history: {e}")),
        };
        let created_at = requested_at(&history, req.attempt).unwrap_or_else(|| ctx.app.clock.now());
        let package = match build_package(&ctx.app, case, req.attempt, created_at, &history).await {
            Ok(p) => p,
            Err(e) => {
                return Work::Failed {
                    permanent: matches!(e, BuildError::Permanent(_)),
                    error: format!("cannot build the export package: {e}"),
                };
            }
        };
        let receipt = match ctx.sinks.deliver(&req.target, &package).await {
            Ok(receipt) => receipt,
            Err(ExportError::Transient(e)) => return transient(format!("export failed: {e}")),
            Err(other) => {
                return Work::Failed {
                    error: other.to_string(),
                    permanent: true,
                };
            }
        };
        tracing::info!(
            case_id = req.case_id,
            package = package.name,
            receipt = receipt.receipt,
            "exported"
        );
        crate::fault::point(crate::fault::Fault::AfterDelivery, &req.message_id);
        let cmd = Command::ExportSucceeded {
            receipt: receipt.receipt,
            location: receipt.location,
        };
        match record::system(ctx, &req.case_id, cmd).await {
            // Refused: the receipt is stored already (an earlier delivery of this attempt).
            Recorded::Yes | Recorded::Refused => Work::Done,
            // Delivered but not recorded: deliver again on the next receive (same package
            // name) and record then.
            Recorded::Failed(e) => {
                transient(format!("delivered, but the receipt was not stored: {e}"))
            }
        }
    }

    async fn record_failure(&self, error: &str) -> Recorded {
        let cmd = Command::ExportFailed {
            error: bounded(error),
        };
        record::system(self.ctx, &self.req.case_id, cmd).await
    }
}
