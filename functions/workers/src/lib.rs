//! fallwerk's queue consumer logic, shared by the Lambda functions and `fallwerk serve`.
//!
//! Transport-agnostic: a caller hands in a parsed [`QueueMessage`] with its receive count and
//! gets an [`Outcome`] back — `Done` (delete the message), `Retry` (leave it for redelivery) or
//! `GiveUp` (the failure is recorded on the case; let the transport dead-letter it).
//!
//! - [`messaging`]: e-mail notices to org units and applicants, deadline reminders, result notices.
//! - [`export`]: the export package (docs/export-format.md) and its delivery through [`ExportSinks`].
//! - [`webhook`]: the HTTPS webhook sink (HMAC-signed, retried with backoff and jitter).
//! - [`templates`]: the German e-mail templates.

mod ctx;
pub mod export;
pub mod fault;
pub mod messaging;
mod protocol;
mod record;
mod sinks;
pub mod templates;
pub mod webhook;

pub use ctx::{CLAIM_TTL_DAYS, Outcome, Settings, WorkerCtx};
pub use export::{ExportSinks, build_package, handle_export};
pub use messaging::handle_message;
pub use webhook::{RetryPolicy, WebhookConfig, WebhookSink};

use fallwerk_events::QueueMessage;

/// Handles any queue message: export requests go to [`handle_export`], the rest to
/// [`handle_message`]. `receive_count` is 1 on the first delivery.
pub async fn handle(ctx: &WorkerCtx, message: &QueueMessage, receive_count: u32) -> Outcome {
    match message {
        QueueMessage::ExportRequested(req) => handle_export(ctx, req, receive_count).await,
        other => handle_message(ctx, other, receive_count).await,
    }
}
