//! The messaging consumer: org unit notices, applicant notices, deadline reminders and result
//! notices as e-mail. Idempotent by `message_id`: the message is claimed in the store before
//! the mail goes out, and the claim is given back when sending fails, so a redelivery sends
//! exactly once.

mod compose;

pub use compose::{Composed, compose, postbox_link};

use chrono::Duration;
use fallwerk_core::ports::MailError;
use fallwerk_events::QueueMessage;

use crate::ctx::{CLAIM_TTL_DAYS, Outcome, WorkerCtx};
use crate::record::{self, Recorded};

/// Why a mail could not be composed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ComposeError {
    /// The store failed; a redelivery may succeed.
    #[error("{0}")]
    Transient(String),
    /// Retrying will not help (unknown org unit, broken template).
    #[error("{0}")]
    Permanent(String),
}

/// Handles one messaging-queue message delivered for the `receive_count`-th time (1 = first).
/// An `ExportRequested` is passed on to [`crate::handle_export`].
pub async fn handle_message(
    ctx: &WorkerCtx,
    message: &QueueMessage,
    receive_count: u32,
) -> Outcome {
    if let QueueMessage::ExportRequested(req) = message {
        return crate::export::handle_export(ctx, req, receive_count).await;
    }
    let message_id = message.message_id();
    let case_id = message.case_id();
    let mail = match compose(ctx, message).await {
        Ok(Composed::Send(mail)) => mail,
        Ok(Composed::Skip(why)) => {
            tracing::info!(message_id, case_id, why, "nothing to send");
            return Outcome::Done;
        }
        Err(ComposeError::Transient(e)) => {
            return failed(
                ctx,
                message,
                receive_count,
                format!("cannot prepare the e-mail: {e}"),
            )
            .await;
        }
        Err(ComposeError::Permanent(e)) => {
            return give_up(
                ctx,
                message,
                receive_count,
                format!("cannot prepare the e-mail: {e}"),
            )
            .await;
        }
    };

    let expires_at = ctx.app.clock.now() + Duration::days(CLAIM_TTL_DAYS);
    match ctx.app.store.claim_message(message_id, expires_at).await {
        Ok(true) => {}
        Ok(false) => {
            tracing::info!(message_id, case_id, "already handled; not sent again");
            return Outcome::Done;
        }
        Err(e) => {
            return failed(
                ctx,
                message,
                receive_count,
                format!("cannot claim the message: {e}"),
            )
            .await;
        }
    }

    match ctx.mailer.send(&mail).await {
        Ok(transport_id) => {
            tracing::info!(message_id, case_id, transport_id, "e-mail sent");
            Outcome::Done
        }
        Err(e) => {
            // Nothing went out: give the claim back so a redelivery (or a redrive from the
            // dead-letter queue after the cause is fixed) sends it.
            if let Err(release) = ctx.app.store.release_message(message_id).await {
                tracing::error!(message_id, case_id, error = %release, "claim not released; a redelivery will not send");
            }
            match e {
                MailError::Transient(e) => {
                    failed(ctx, message, receive_count, format!("e-mail not sent: {e}")).await
                }
                MailError::Permanent(e) => {
                    give_up(ctx, message, receive_count, format!("e-mail rejected: {e}")).await
                }
            }
        }
    }
}

/// A transient failure: retry, unless this was the last receive.
async fn failed(
    ctx: &WorkerCtx,
    message: &QueueMessage,
    receive_count: u32,
    error: String,
) -> Outcome {
    if ctx.last_receive(receive_count) {
        let error = format!("{error} (gave up after {receive_count} attempts)");
        give_up(ctx, message, receive_count, error).await
    } else {
        tracing::warn!(
            message_id = message.message_id(),
            receive_count,
            error,
            "will retry"
        );
        Outcome::Retry(error)
    }
}

/// A final failure: record it on the case, then let the transport dead-letter the message.
/// When the store cannot take the record and receives are left, retry instead so the next
/// receive records it.
async fn give_up(
    ctx: &WorkerCtx,
    message: &QueueMessage,
    receive_count: u32,
    error: String,
) -> Outcome {
    let message_id = message.message_id();
    tracing::error!(
        message_id,
        case_id = message.case_id(),
        error,
        "notification failed"
    );
    match record::notification_failed(ctx, message.case_id(), message_id, &error).await {
        Recorded::Failed(store) if !ctx.last_receive(receive_count) => {
            Outcome::Retry(format!("{error}; failure not recorded: {store}"))
        }
        _ => Outcome::GiveUp(error),
    }
}
