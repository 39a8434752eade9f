//! The export consumer: builds the package of a case in `exporting` and delivers it to the
//! service's target. Success stores the receipt (`exported`); a permanent failure, or a transient
//! one on the last allowed receive, sets `export_failed` (the core then notifies the org unit).
//! Idempotent by `message_id` (claimed before delivery, released on failure) and by status: a
//! case that is no longer `exporting` for this attempt is left alone.

mod case_xml;
mod form_fields;
mod json_xml;
pub mod package;
mod sinks;
mod xml;

pub use case_xml::NAMESPACE as CASE_XML_NAMESPACE;
pub use package::{
    BuildError, FORMAT_VERSION, Manifest, build_package, load_history, package_name,
};
pub use sinks::{ExportSinks, target_kind};

use chrono::{DateTime, Duration, Utc};
use fallwerk_core::case::Command;
use fallwerk_core::model::Status;
use fallwerk_core::ports::{ExportError, ExportSink};
use fallwerk_events::{DomainEvent, EventKind, ExportRequested};

use crate::ctx::{CLAIM_TTL_DAYS, Outcome, WorkerCtx};
use crate::record::{self, Recorded, bounded};

/// Handles one `ExportRequested` delivered for the `receive_count`-th time (1 = first).
pub async fn handle_export(ctx: &WorkerCtx, req: &ExportRequested, receive_count: u32) -> Outcome {
    let run = Run {
        ctx,
        req,
        receive_count,
    };
    let case = match ctx.app.store.load_case(&req.case_id).await {
        Ok(Some(case)) => case,
        Ok(None) => {
            tracing::info!(
                case_id = req.case_id,
                "export of a case that does not exist; dropped"
            );
            return Outcome::Done;
        }
        Err(e) => return run.transient(format!("cannot load the case: {e}")).await,
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

    let expires_at = ctx.app.clock.now() + Duration::days(CLAIM_TTL_DAYS);
    match ctx
        .app
        .store
        .claim_message(&req.message_id, expires_at)
        .await
    {
        Ok(true) => {}
        Ok(false) => {
            tracing::info!(
                message_id = req.message_id,
                "export already handled or in progress"
            );
            return Outcome::Done;
        }
        Err(e) => {
            return run
                .transient(format!("cannot claim the message: {e}"))
                .await;
        }
    }

    let history = match load_history(&ctx.app, &case.id).await {
        Ok(h) => h,
        Err(e) => {
            run.release().await;
            return run.transient(format!("cannot load the history: {e}")).await;
        }
    };
    let created_at = requested_at(&history, req.attempt).unwrap_or_else(|| ctx.app.clock.now());
    let package = match build_package(&ctx.app, &case, req.attempt, created_at, &history).await {
        Ok(p) => p,
        Err(e) => {
            run.release().await;
            let error = format!("cannot build the export package: {e}");
            return match e {
                BuildError::Transient(_) => run.transient(error).await,
                BuildError::Permanent(_) => run.permanent(error).await,
            };
        }
    };

    match ctx.sinks.deliver(&req.target, &package).await {
        Ok(receipt) => {
            tracing::info!(
                case_id = req.case_id,
                package = package.name,
                receipt = receipt.receipt,
                "exported"
            );
            let cmd = Command::ExportSucceeded {
                receipt: receipt.receipt,
                location: receipt.location,
            };
            match record::system(ctx, &req.case_id, cmd).await {
                Recorded::Yes | Recorded::Refused => Outcome::Done,
                Recorded::Failed(e) => {
                    // Delivered but not recorded: deliver again on the next receive (the
                    // receiver deduplicates by the package name) and record then.
                    run.release().await;
                    run.transient(format!("delivered, but the receipt was not stored: {e}"))
                        .await
                }
            }
        }
        Err(e) => {
            run.release().await;
            match e {
                ExportError::Transient(e) => run.transient(format!("export failed: {e}")).await,
                other => run.permanent(other.to_string()).await,
            }
        }
    }
}

/// When attempt `attempt` was requested, from the history.
fn requested_at(history: &[DomainEvent], attempt: u32) -> Option<DateTime<Utc>> {
    history.iter().rev().find_map(|e| match &e.kind {
        EventKind::ExportRequested { attempt: a, .. } if *a == attempt => Some(e.at),
        _ => None,
    })
}

struct Run<'a> {
    ctx: &'a WorkerCtx,
    req: &'a ExportRequested,
    receive_count: u32,
}

impl Run<'_> {
    async fn release(&self) {
        if let Err(e) = self
            .ctx
            .app
            .store
            .release_message(&self.req.message_id)
            .await
        {
            tracing::error!(message_id = self.req.message_id, error = %e, "claim not released; a redelivery will not export");
        }
    }

    async fn transient(&self, error: String) -> Outcome {
        if self.ctx.last_receive(self.receive_count) {
            let error = format!("{error} (gave up after {} attempts)", self.receive_count);
            self.permanent(error).await
        } else {
            tracing::warn!(
                case_id = self.req.case_id,
                receive_count = self.receive_count,
                error,
                "export will be retried"
            );
            Outcome::Retry(error)
        }
    }

    async fn permanent(&self, error: String) -> Outcome {
        tracing::error!(case_id = self.req.case_id, error, "export failed for good");
        let cmd = Command::ExportFailed {
            error: bounded(&error),
        };
        match record::system(self.ctx, &self.req.case_id, cmd).await {
            Recorded::Failed(store) if !self.ctx.last_receive(self.receive_count) => {
                Outcome::Retry(format!("{error}; failure not recorded: {store}"))
            }
            _ => Outcome::GiveUp(error),
        }
    }
}
